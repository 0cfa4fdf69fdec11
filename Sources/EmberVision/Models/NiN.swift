// Network in Network (NiN) as the notes build it.
import Ember
import EmberNN

/// The notes' NiN block: a convolution followed by two 1×1 convolutions, each with ReLU.
///
/// Shape: `[N, inChannels, H, W]` → `[N, outChannels, H', W']` (H', W' from the first convolution).
///
/// - Parameters:
///   - inChannels: The number of channels of the input.
///   - outChannels: The number of channels of the output.
///   - kernelSize: The size of the first convolution's window.
///   - stride: The first convolution's stride.
///   - padding: The first convolution's padding.
public func ninBlock(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, padding: Int) -> Sequential {
    Sequential {
        Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding); ReLU()
        Conv2d(outChannels, outChannels, kernelSize: 1); ReLU()
        Conv2d(outChannels, outChannels, kernelSize: 1); ReLU()
    }
}

/// The notes' NiN: four NiN blocks (96, 256, 384, `numClasses` channels) with 3×3 stride-2 max pooling and
/// dropout, then global average pooling and Flatten, so the last block's channels are the logits.
///
/// Shape: `[N, inChannels, 224, 224]` → `[N, numClasses]`.
public func nin(inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    Sequential {
        ninBlock(inChannels, 96, kernelSize: 11, stride: 4, padding: 0)
        MaxPool2d(kernelSize: 3, stride: 2)
        ninBlock(96, 256, kernelSize: 5, stride: 1, padding: 2)
        MaxPool2d(kernelSize: 3, stride: 2)
        ninBlock(256, 384, kernelSize: 3, stride: 1, padding: 1)
        MaxPool2d(kernelSize: 3, stride: 2)
        Dropout(0.5)
        ninBlock(384, numClasses, kernelSize: 3, stride: 1, padding: 1)
        AdaptiveAvgPool2d(1, 1)
        Flatten()
    }
}
