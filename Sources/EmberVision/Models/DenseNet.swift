// DenseNet as the notes build it for 96×96 Fashion-MNIST.
import Ember
import EmberNN

/// The notes' convolution block of a dense block: BatchNorm, ReLU, 3×3 convolution.
public func denseConvBlock(_ inputChannels: Int, _ numChannels: Int) -> Sequential {
    Sequential { BatchNorm2d(inputChannels); ReLU(); Conv2d(inputChannels, numChannels, kernelSize: 3, padding: 1) }
}

/// The notes' dense block: `numConvs` convolution blocks, each fed the concatenation of the block's input and
/// every earlier output (children under `net`, as in the notes).
///
/// Shape: `[N, inputChannels, H, W]` → `[N, inputChannels + numConvs · numChannels, H, W]`.
public final class DenseBlock: Module {
    public let net: Sequential

    /// The notes' dense block.
    ///
    /// - Parameters:
    ///   - numConvs: The number of convolution blocks.
    ///   - inputChannels: The number of input channels.
    ///   - numChannels: The growth rate: channels each convolution block adds.
    public init(_ numConvs: Int, _ inputChannels: Int, _ numChannels: Int) {
        net = Sequential((0..<numConvs).map { denseConvBlock(numChannels * $0 + inputChannels, numChannels) })
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var x = x
        for block in net { x = Tensor.cat([x, block(x)], dim: 1) }
        return x
    }
}

/// The notes' transition block: BatchNorm, ReLU, 1×1 convolution, 2×2 average pooling (halves the size).
public func transitionBlock(_ inputChannels: Int, _ numChannels: Int) -> Sequential {
    Sequential {
        BatchNorm2d(inputChannels); ReLU()
        Conv2d(inputChannels, numChannels, kernelSize: 1)
        AvgPool2d(kernelSize: 2, stride: 2)
    }
}

/// The notes' DenseNet: a 7×7 stem, four dense blocks of `convsInDenseBlocks` convolutions (growth rate
/// `growthRate`) with transition blocks halving the channels between them, then BatchNorm, ReLU, global
/// average pooling, Flatten and a linear classifier.
///
/// Shape: `[N, inChannels, 96, 96]` → `[N, numClasses]`.
///
/// - Parameters:
///   - inChannels: The number of channels of the input.
///   - numClasses: The number of output classes.
///   - growthRate: Channels each convolution block adds.
///   - convsInDenseBlocks: The number of convolution blocks in each dense block.
public func densenet(inChannels: Int = 1, numClasses: Int = 10, growthRate: Int = 32,
                     convsInDenseBlocks: [Int] = [4, 4, 4, 4]) -> Sequential {
    var layers: [Module] = [Sequential {
        Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3); BatchNorm2d(64); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }]
    var channels = 64
    for (i, numConvs) in convsInDenseBlocks.enumerated() {
        layers.append(DenseBlock(numConvs, channels, growthRate))
        channels += numConvs * growthRate
        if i != convsInDenseBlocks.count - 1 {
            layers.append(transitionBlock(channels, channels / 2))
            channels /= 2
        }
    }
    layers += [BatchNorm2d(channels), ReLU(), AdaptiveAvgPool2d(1, 1), Flatten(), Linear(channels, numClasses)]
    return Sequential(layers)
}
