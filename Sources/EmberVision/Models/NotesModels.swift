// The notes' small models: LeNet (sigmoid + average pooling), LeNet with batch normalization, the 784-256-10 MLP.
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
///
/// - Parameters:
///   - inputs: The number of input features (flattened pixels).
///   - hidden: The width of the hidden layer.
///   - outputs: The number of outputs (classes).
public func mlp(inputs: Int = 784, hidden: Int = 256, outputs: Int = 10) -> Sequential {
    Sequential { Flatten(); Linear(inputs, hidden); ReLU(); Linear(hidden, outputs) }
}

/// The notes' LeNet with batch normalization after each convolution and hidden linear layer (the concise
/// `nn.BatchNorm2d`/`nn.BatchNorm1d` version), for 1×28×28 inputs. Keys and printing match PyTorch's Sequential.
///
/// Shape: `[N, 1, 28, 28]` → `[N, numClasses]`.
public func lenetBN(numClasses: Int = 10) -> Sequential {
    Sequential {
        Conv2d(1, 6, kernelSize: 5); BatchNorm2d(6); Sigmoid()
        AvgPool2d(kernelSize: 2, stride: 2)
        Conv2d(6, 16, kernelSize: 5); BatchNorm2d(16); Sigmoid()
        AvgPool2d(kernelSize: 2, stride: 2)
        Flatten()
        Linear(256, 120); BatchNorm1d(120); Sigmoid()
        Linear(120, 84); BatchNorm1d(84); Sigmoid()
        Linear(84, numClasses)
    }
}
