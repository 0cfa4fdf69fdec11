// The notes' concise softmax regression (section 4.5): Flatten + Linear, cross-entropy, SGD, on Fashion-MNIST.
import Foundation
import EmberKit

/// What `runSoftmaxRegressionConcise` printed.
struct SoftmaxRegressionResult {
    /// "fashion-mnist" or "synthetic".
    var dataset: String
    /// Mean training loss and accuracy of each epoch.
    var trainLosses: [Double], trainAccuracies: [Double]
    /// Accuracy on held-out images after training (chance is 0.1).
    var testAccuracy: Double
}

/// Trains softmax regression on Fashion-MNIST (a 6,000-image subset, when `dataDirectory` holds
/// `fashion-mnist/`) or on a small synthetic ten-class image set otherwise.
func runSoftmaxRegressionConcise(dataDirectory: String? = ProcessInfo.processInfo.environment["EMBER_DATA_DIR"],
                                 epochs: Int = 2, seed: Int = 0) throws -> SoftmaxRegressionResult {
    manualSeed(seed)
    let batchSize = 256

    // The model: flatten each 1×28×28 image into 784 inputs, then one linear layer to the 10 class scores.
    // Weights start at N(0, 0.01²), as in the notes' `init_weights`.
    let net = Sequential { Flatten(); Linear(784, 10) }
    _ = net.apply { m in if let linear = m as? Linear { _ = Init.normal_(linear.weight, std: 0.01) } }
    print(net)

    // The loss takes raw scores (logits): softmax and log are fused inside, which is numerically stable.
    let loss = CrossEntropyLoss()
    let trainer = SGD(net.parameters(), lr: 0.1)

    // One training loop for both data sets (their loaders have different types).
    func fit<Train: Sequence, Test: Sequence>(_ trainIter: Train, _ testIter: Test, dataset: String) throws -> SoftmaxRegressionResult
    where Train.Element == (Tensor, Tensor), Test.Element == (Tensor, Tensor) {
        var result = SoftmaxRegressionResult(dataset: dataset, trainLosses: [], trainAccuracies: [], testAccuracy: 0)
        for epoch in 1...epochs {
            let (l, acc, _) = try trainEpoch(net, trainIter, optimizer: trainer, lossFunction: { loss($0, $1) })
            result.trainLosses.append(l)
            result.trainAccuracies.append(acc)
            print("epoch \(epoch): train loss \(String(format: "%.3f", l)), train acc \(String(format: "%.3f", acc))")
        }
        result.testAccuracy = evaluateAccuracy(net, testIter)
        print("test acc \(String(format: "%.3f", result.testAccuracy)) on \(dataset)")
        return result
    }

    if let dir = dataDirectory, FileManager.default.fileExists(atPath: dir + "/fashion-mnist") {
        let root = dir + "/fashion-mnist"
        let train = try FashionMNIST(root: root, train: true, transform: ToTensor())
        let test = try FashionMNIST(root: root, train: false, transform: ToTensor())
        let trainIter = DataLoader(Subset(train, indices: Array(0..<6000)), batchSize: batchSize, shuffle: true, numWorkers: 2)
        let testIter = DataLoader(Subset(test, indices: Array(0..<2000)), batchSize: batchSize)
        return try fit(trainIter, testIter, dataset: "fashion-mnist")
    }
    let (train, test) = syntheticImageClasses(trainCount: 1024, testCount: 512, seed: seed)
    return try fit(DataLoader(train, batchSize: batchSize, shuffle: true), DataLoader(test, batchSize: batchSize), dataset: "synthetic")
}
