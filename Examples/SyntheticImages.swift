// A small stand-in for Fashion-MNIST so every example runs without downloads: ten classes of 1×28×28 images.
import EmberKit

/// Ten classes, each a fixed random 28×28 "prototype" image plus Gaussian pixel noise; labels are int64.
///
/// Train and test sets share the prototypes (drawn first from `seed`), so a model that learns the training
/// set generalises; chance accuracy is 0.1, as on Fashion-MNIST.
func syntheticImageClasses(trainCount: Int, testCount: Int, noise: Double = 0.5, seed: Int = 0)
    -> (train: TensorDataset, test: TensorDataset) {
    let g = Generator(seed: UInt64(seed))
    let prototypes = Tensor.rand([10, 1, 28, 28], generator: g)
    func draw(_ n: Int) -> TensorDataset {
        let labels = Tensor.randint(low: 0, high: 10, shape: [n], generator: g)
        let images = prototypes.indexSelect(dim: 0, index: labels) + Tensor.randn([n, 1, 28, 28], generator: g) * noise
        return TensorDataset(images, labels)
    }
    return (draw(trainCount), draw(testCount))
}
