// The notes' CIFAR-10 course model.
import Ember
import EmberNN

/// The notes' CIFAR-10 network, a Module holding its layers in the attribute `model` (so keys are `model.0.weight`):
/// three 5×5 convolutions (padding 2; 32, 32, 64 channels) each followed by 2×2 max pooling, Flatten,
/// `Linear(1024, 64)`, `Linear(64, numClasses)` — no activations, exactly as in the notes.
///
/// Shape: `[N, 3, 32, 32]` → `[N, numClasses]`.
///
/// ```swift
/// let net = CifarNet()
/// print(net)          // CifarNet(\n  (model): Sequential(...
/// ```
public final class CifarNet: Module {
    public let model: Sequential

    public init(numClasses: Int = 10) {
        model = Sequential {
            Conv2d(3, 32, kernelSize: 5, padding: 2); MaxPool2d(2)
            Conv2d(32, 32, kernelSize: 5, padding: 2); MaxPool2d(2)
            Conv2d(32, 64, kernelSize: 5, padding: 2); MaxPool2d(2)
            Flatten()
            Linear(64 * 4 * 4, 64)
            Linear(64, numClasses)
        }
    }

    public override func forward(_ x: Tensor) -> Tensor { model(x) }
}
