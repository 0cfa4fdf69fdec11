// Opt-in tests on the real datasets in EMBER_DATA_DIR (../shared/datasets): counts, labels, records, classes.
import Testing
import Foundation
import Ember
import EmberData
import EmberVision
import _EmberTestSupport

@Suite(.enabled(if: dataDirectory != nil)) struct RealDatasetTests {
    func path(_ p: String) -> String { dataDirectory!.appendingPathComponent(p).path }

    @Test func fashionMNISTCountsAndFirstLabels() throws {
        let train = try FashionMNIST(root: path("fashion-mnist"), train: true, transform: ToTensor())
        let test = try FashionMNIST(root: path("fashion-mnist"), train: false, transform: ToTensor())
        #expect(train.count == 60_000 && test.count == 10_000)
        // First labels, read from the upstream label files with Python's gzip module.
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        // 6000 / 1000 of each class (datasets README).
        var counts = [Int](repeating: 0, count: 10)
        for y in train.labels { counts[y] += 1 }
        #expect(counts == [Int](repeating: 6000, count: 10))
        #expect(FashionMNIST.textLabels(Array(train.labels.prefix(2))) == ["ankle boot", "t-shirt"])
        let (x, _) = try train[0]
        #expect(x.shape == [1, 28, 28])
    }

    @Test func mnistTrainLabelCounts() throws {
        let train = try MNIST(root: path("mnist"), train: true)
        var counts = [Int](repeating: 0, count: 10)
        for y in train.labels { counts[y] += 1 }
        #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(Array(train.labels.prefix(5)) == [5, 0, 4, 1, 9])
    }

    @Test func cifar10RecordsDecodeToTheRightPixels() throws {
        let root = path("cifar-10-batches-bin-subset")
        let test = try CIFAR10(root: root, train: false, transform: ToTensor())
        #expect(test.targets == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1, 0, 9, 5, 7, 9, 8, 5, 7, 8, 6])
        let red = (0..<6).map { test.image(at: 0)[x: $0, y: 0, c: 0] }
        #expect(red == [158, 159, 165, 166, 160, 156])
        let train = try CIFAR10(root: root, train: true)
        #expect(train.count == 100)
        #expect((0..<6).map { train.image(at: 0)[x: $0, y: 0, c: 0] } == [59, 43, 50, 68, 98, 119])
        #expect(train.classes == CIFAR10.defaultClasses)
    }

    @Test func imageFolderOverTheRealJPEGs() throws {
        let eval = Compose([Resize(256), CenterCrop(224), ToTensor(), Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])])
        let train = try ImageFolder(root: path("hymenoptera_data/train"), transform: eval)
        #expect(train.classes == ["ants", "bees"])
        #expect(train.count == 60)
        #expect(train.targets == [Int](repeating: 0, count: 30) + [Int](repeating: 1, count: 30))
        #expect((train.samples[0].path as NSString).lastPathComponent == "0013035.jpg")
        let val = try ImageFolder(root: path("hymenoptera_data/val"), transform: eval)
        #expect(val.count == 30 && val.classToIndex == ["ants": 0, "bees": 1])
        // A few files through a threaded loader (the full pass is slow in debug builds).
        let loader = DataLoader(Subset(val, indices: [0, 1, 2, 15, 16, 17]), batchSize: 4, shuffle: true, numWorkers: 2, generator: SplitMix64(seed: 0))
        var seen = 0, bees = 0.0
        for (x, y) in loader {
            #expect(x.shape[1...] == [3, 224, 224])
            seen += x.shape[0]
            bees += y.sum().item()
        }
        #expect(seen == 6 && bees == 3)
    }
}
