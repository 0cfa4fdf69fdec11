// GoogLeNet (Inception v1) as the notes build it for 96×96 Fashion-MNIST.
import Ember
import EmberNN

/// The notes' Inception block: four parallel paths concatenated on the channels — a 1×1 convolution (`c1`),
/// 1×1 then 3×3 (`c2`), 1×1 then 5×5 (`c3`), and 3×3 max pooling then 1×1 (`c4`), each convolution with ReLU.
///
/// Printed and keyed like the notes' class (`p1_1`, `p2_1`, `p2_2`, `p3_1`, `p3_2`, `p4_1`, `p4_2`).
/// Shape: `[N, inChannels, H, W]` → `[N, c1 + c2.1 + c3.1 + c4, H, W]`.
public final class Inception: Module {
    public let p1_1: Conv2d
    public let p2_1: Conv2d, p2_2: Conv2d
    public let p3_1: Conv2d, p3_2: Conv2d
    public let p4_1: MaxPool2d, p4_2: Conv2d

    /// An Inception block with four parallel paths, concatenated along the channels.
    ///
    /// - Parameters:
    ///   - inChannels: The number of channels of the input.
    ///   - c1: Output channels of the 1×1 path.
    ///   - c2: Channels of the 1×1 reduction and of the 3×3 convolution.
    ///   - c3: Channels of the 1×1 reduction and of the 5×5 convolution.
    ///   - c4: Output channels of the pooling path's 1×1 convolution.
    public init(_ inChannels: Int, _ c1: Int, _ c2: (Int, Int), _ c3: (Int, Int), _ c4: Int) {
        p1_1 = Conv2d(inChannels, c1, kernelSize: 1)
        p2_1 = Conv2d(inChannels, c2.0, kernelSize: 1)
        p2_2 = Conv2d(c2.0, c2.1, kernelSize: 3, padding: 1)
        p3_1 = Conv2d(inChannels, c3.0, kernelSize: 1)
        p3_2 = Conv2d(c3.0, c3.1, kernelSize: 5, padding: 2)
        p4_1 = MaxPool2d(kernelSize: 3, stride: 1, padding: 1)
        p4_2 = Conv2d(inChannels, c4, kernelSize: 1)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let p1 = p1_1(x).relu()
        let p2 = p2_2(p2_1(x).relu()).relu()
        let p3 = p3_2(p3_1(x).relu()).relu()
        let p4 = p4_2(p4_1(x)).relu()
        return Tensor.cat([p1, p2, p3, p4], dim: 1)
    }
}

/// The notes' GoogLeNet: five stages (a 7×7 stem, a 1×1 + 3×3 stage, then 2, 5 and 2 Inception blocks with max
/// pooling between, ending in global average pooling and Flatten) and `Linear(1024, numClasses)`.
///
/// Shape: `[N, inChannels, 96, 96]` → `[N, numClasses]` (any size ≥ 32 works).
public func googlenet(inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    let b1 = Sequential {
        Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    let b2 = Sequential {
        Conv2d(64, 64, kernelSize: 1); ReLU()
        Conv2d(64, 192, kernelSize: 3, padding: 1); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    let b3 = Sequential {
        Inception(192, 64, (96, 128), (16, 32), 32)
        Inception(256, 128, (128, 192), (32, 96), 64)
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    let b4 = Sequential {
        Inception(480, 192, (96, 208), (16, 48), 64)
        Inception(512, 160, (112, 224), (24, 64), 64)
        Inception(512, 128, (128, 256), (24, 64), 64)
        Inception(512, 112, (144, 288), (32, 64), 64)
        Inception(528, 256, (160, 320), (32, 128), 128)
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
    }
    let b5 = Sequential {
        Inception(832, 256, (160, 320), (32, 128), 128)
        Inception(832, 384, (192, 384), (48, 128), 128)
        AdaptiveAvgPool2d(1, 1)
        Flatten()
    }
    return Sequential { b1; b2; b3; b4; b5; Linear(1024, numClasses) }
}
