// The notes' models: LeNet (sigmoid + average pooling), the 784-256-10 MLP, the Residual block and a small ResNet.
import Ember
import EmberNN

/// The notes' LeNet-5: sigmoid activations and average pooling, for 1×28×28 inputs (Fashion-MNIST).
///
/// Layer indices match PyTorch's `nn.Sequential` in the notes, so state-dict keys (`0.weight`, `11.bias`) agree.
public func lenet(numClasses: Int = 10) -> Sequential {
    Sequential {
        Conv2d(1, 6, kernelSize: 5, padding: 2); Sigmoid()
        AvgPool2d(kernelSize: 2, stride: 2)
        Conv2d(6, 16, kernelSize: 5); Sigmoid()
        AvgPool2d(kernelSize: 2, stride: 2)
        Flatten()
        Linear(16 * 5 * 5, 120); Sigmoid()
        Linear(120, 84); Sigmoid()
        Linear(84, numClasses)
    }
}

/// The notes' multilayer perceptron: Flatten, Linear(784, 256), ReLU, Linear(256, 10).
public func mlp(inputs: Int = 784, hidden: Int = 256, outputs: Int = 10) -> Sequential {
    Sequential { Flatten(); Linear(inputs, hidden); ReLU(); Linear(hidden, outputs) }
}

/// The notes' residual block: two 3×3 convolutions with batch norm, and an optional 1×1 convolution on the shortcut.
public final class Residual: Module {
    public let conv1: Conv2d, conv2: Conv2d
    public let conv3: Conv2d?
    public let bn1: BatchNorm2d, bn2: BatchNorm2d

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
