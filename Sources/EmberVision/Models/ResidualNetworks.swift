// The notes' residual networks: the `Residual` block, ResNet-18 built from it, and a small ResNet for tests.
import Ember
import EmberNN

/// The notes' residual block: two 3×3 convolutions with batch norm, and an optional 1×1 convolution on the shortcut.
///
/// Printed and keyed like the notes' class (`conv1`, `conv2`, `conv3` when present, `bn1`, `bn2`).
/// Shape: `[N, inputChannels, H, W]` → `[N, numChannels, H / strides, W / strides]`.
public final class Residual: Module {
    public let conv1: Conv2d, conv2: Conv2d
    public let conv3: Conv2d?
    public let bn1: BatchNorm2d, bn2: BatchNorm2d

    /// The notes' residual block.
    ///
    /// - Parameters:
    ///   - inputChannels: The number of input channels.
    ///   - numChannels: The number of output channels.
    ///   - use1x1Conv: Use a 1×1 convolution on the shortcut (needed when channels or resolution change).
    ///   - strides: The stride of the first convolution and of the shortcut.
    public init(_ inputChannels: Int, _ numChannels: Int, use1x1Conv: Bool = false, strides: Int = 1) {
        conv1 = Conv2d(inputChannels, numChannels, kernelSize: 3, stride: strides, padding: 1)
        conv2 = Conv2d(numChannels, numChannels, kernelSize: 3, padding: 1)
        conv3 = use1x1Conv ? Conv2d(inputChannels, numChannels, kernelSize: 1, stride: strides) : nil
        bn1 = BatchNorm2d(numChannels)
        bn2 = BatchNorm2d(numChannels)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = bn1(conv1(x)).relu()
        y = bn2(conv2(y))
        let shortcut = conv3.map { $0(x) } ?? x
        return (y + shortcut).relu()
    }
}

/// A small ResNet from the notes' `Residual` block, for 1-channel 28×28 inputs.
public func tinyResNet(numClasses: Int = 10) -> Sequential {
    Sequential {
        Conv2d(1, 8, kernelSize: 3, padding: 1); BatchNorm2d(8); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        Residual(8, 8)
        Residual(8, 16, use1x1Conv: true, strides: 2)
        AdaptiveAvgPool2d(1, 1)
        Flatten()
        Linear(16, numClasses)
    }
}

/// The notes' ResNet stage: `numResiduals` `Residual` blocks; the first halves the size and changes the channels
/// with a 1×1 shortcut convolution unless `firstBlock`.
///
/// - Parameters:
///   - inputChannels: The number of input channels.
///   - numChannels: The number of output channels.
///   - numResiduals: The number of residual blocks.
///   - firstBlock: The first stage after the stem, which keeps channels and resolution.
public func resnetBlock(_ inputChannels: Int, _ numChannels: Int, _ numResiduals: Int, firstBlock: Bool = false) -> Sequential {
    Sequential((0..<numResiduals).map { i -> Module in
        i == 0 && !firstBlock
            ? Residual(inputChannels, numChannels, use1x1Conv: true, strides: 2)
            : Residual(numChannels, numChannels)
    })
}

/// The notes' ResNet-18 (`Residual` blocks in a Sequential; not torchvision's layout, see `ResNet18` for that):
/// a 7×7 stem with batch norm and max pooling, four stages of two blocks (64, 128, 256, 512 channels), global
/// average pooling, Flatten, `Linear(512, numClasses)`. The notes train it on 96×96 Fashion-MNIST.
///
/// Shape: `[N, inChannels, H, W]` → `[N, numClasses]`.
public func resnet18D2L(inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    Sequential {
        Sequential {
            Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3); BatchNorm2d(64); ReLU()
            MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        }
        resnetBlock(64, 64, 2, firstBlock: true)
        resnetBlock(64, 128, 2)
        resnetBlock(128, 256, 2)
        resnetBlock(256, 512, 2)
        AdaptiveAvgPool2d(1, 1)
        Flatten()
        Linear(512, numClasses)
    }
}
