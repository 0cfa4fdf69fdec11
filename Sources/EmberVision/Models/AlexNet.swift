// AlexNet as the notes build it for 224×224 Fashion-MNIST.
import Ember
import EmberNN

/// The notes' AlexNet: five convolutions (11×11 stride 4, 5×5, three 3×3) with ReLU and three 3×3 stride-2 max
/// poolings, then `Linear(6400, 4096)`, ReLU, Dropout, `Linear(4096, 4096)`, ReLU, Dropout, `Linear(4096, numClasses)`.
/// Indices, printing and state-dict keys match the notes' `nn.Sequential`.
///
/// Shape: `[N, inChannels, 224, 224]` → `[N, numClasses]`.
public func alexnet(inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    Sequential {
        Conv2d(inChannels, 96, kernelSize: 11, stride: 4, padding: 1); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2)
        Conv2d(96, 256, kernelSize: 5, padding: 2); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2)
        Conv2d(256, 384, kernelSize: 3, padding: 1); ReLU()
        Conv2d(384, 384, kernelSize: 3, padding: 1); ReLU()
        Conv2d(384, 256, kernelSize: 3, padding: 1); ReLU()
        MaxPool2d(kernelSize: 3, stride: 2)
        Flatten()
        Linear(6400, 4096); ReLU(); Dropout(0.5)
        Linear(4096, 4096); ReLU(); Dropout(0.5)
        Linear(4096, numClasses)
    }
}
