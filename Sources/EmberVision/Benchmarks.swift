// Benchmark entry points for `ember bench`: a full DataLoader pass over Fashion-MNIST.
import Foundation
import Ember
import EmberData

/// Seconds for one shuffled pass over Fashion-MNIST train with `ToTensor`, batch 256, `numWorkers` threads
/// (`ember bench fashion_mnist_pass_b256_w2`). Loading the files is not timed, as in the PyTorch measurement
/// it is compared with (torchvision's FashionMNIST + DataLoader: about 5.1 s with 0 workers, 5.9 s with 2).
///
/// - Parameters:
///   - root: the folder holding the Fashion-MNIST IDX .gz files.
///   - batchSize: the number of images per batch.
///   - numWorkers: the DataLoader's worker threads.
///   - seed: the seed of the shuffle.
public func benchmarkFashionMNISTPass(root: String, batchSize: Int = 256, numWorkers: Int = 2, seed: UInt64 = 0) throws -> Double {
    let train = try FashionMNIST(root: root, train: true, transform: ToTensor())
    let loader = DataLoader(train, batchSize: batchSize, shuffle: true, numWorkers: numWorkers, generator: SplitMix64(seed: seed))
    let start = DispatchTime.now().uptimeNanoseconds
    var seen = 0
    for (x, _) in loader { seen += x.shape[0] }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    emberCheck(seen == train.count, "benchmarkFashionMNISTPass", "saw \(seen) of \(train.count) samples")
    return seconds
}
