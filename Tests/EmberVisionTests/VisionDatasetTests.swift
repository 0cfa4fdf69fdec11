// Tests for MNIST/Fashion-MNIST, CIFAR-10 and ImageFolder on small fixtures, and their file errors.
import Testing
import Foundation
import Ember
import EmberData
import EmberVision
import _EmberTestSupport

@Suite struct VisionDatasetTests {
    let fmnistRoot = fixtures.appendingPathComponent("data/fashion-mnist-mini").path

    @Test func fashionMNISTFixtureLabelsAndPixels() throws {
        let test = try FashionMNIST(root: fmnistRoot, train: false, transform: ToTensor())
        #expect(test.count == 16)
        // The first labels of the real t10k set (upstream file, checked with Python's gzip).
        #expect(test.labels.prefix(10) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(FashionMNIST.textLabels(Array(test.labels.prefix(3))) == ["ankle boot", "pullover", "trouser"])
        let (x, y) = try test[0]
        #expect(x.shape == [1, 28, 28] && x.dtype == .float32 && y == 9)
        // Row 20 of test image 0 starts 16, 126, 171 (read from the IDX file with Python).
        let v = x.toArray(as: Float.self)
        #expect(v[20 * 28] == Float(16) / 255 && v[20 * 28 + 1] == Float(126) / 255 && v[20 * 28 + 2] == Float(171) / 255)
        // The ToTensor fast path equals the general path through an Image.
        let general = try test[1].0
        #expect(try FashionMNIST(root: fmnistRoot, train: false, transform: Compose([ToTensor()]))[1].0.scalars == general.scalars)
        let raw = try FashionMNIST(root: fmnistRoot, train: false)[0].0
        #expect(raw.dtype == .uint8 && raw.shape == [1, 28, 28])
        let shifted = try FashionMNIST(root: fmnistRoot, train: false, targetTransform: { $0 + 100 })[0].1
        #expect(shifted == 109)
    }

    @Test func fashionMNISTThroughDataLoader() throws {
        let test = try FashionMNIST(root: fmnistRoot, train: false, transform: ToTensor())
        let loader = DataLoader(test, batchSize: 5, numWorkers: 2)
        #expect(loader.count == 4)
        var labels: [Double] = []
        for (x, y) in loader {
            #expect(x.shape[1...] == [1, 28, 28])
            labels += y.scalars
        }
        #expect(labels.map { Int($0) } == test.labels)
    }

    @Test func missingFilesNameThePathAndTheFiles() throws {
        let dir = try temporaryFolder().path
        #expect(throws: DataError.missingFiles(path: dir, expected: ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])) {
            try FashionMNIST(root: dir, train: true)
        }
        #expect(throws: DataError.missingFiles(path: dir, expected: ["test_batch.bin"])) { try CIFAR10(root: dir, train: false) }
        do { _ = try MNIST(root: dir) } catch { #expect("\(error)".contains("dataset files not found in \(dir): expected train-images-idx3-ubyte.gz")) }
    }

    @Test func corruptIDXFilesThrowWithTheFileName() throws {
        let src = URL(fileURLWithPath: fmnistRoot)
        let images = try gunzip(try Data(contentsOf: src.appendingPathComponent("t10k-images-idx3-ubyte.gz")))
        let labels = try Data(contentsOf: src.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        func check(_ imageBytes: Data, _ reason: String) throws {
            let dir = try temporaryFolder()
            try imageBytes.write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
            try labels.write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
            let path = dir.appendingPathComponent("t10k-images-idx3-ubyte").path
            #expect(throws: DataError.corruptFile(path: path, reason: reason)) { try FashionMNIST(root: dir.path, train: false) }
        }
        var badMagic = images; badMagic[3] = 0x01
        try check(badMagic, "bad IDX magic number 0x801, expected 0x803")
        try check(images.prefix(images.count - 10), "IDX dimensions [16, 28, 28] need 12544 bytes of data, found 12534")
        // A damaged gzip stream names the .gz file.
        let dir = try temporaryFolder()
        var gz = try Data(contentsOf: src.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        gz = gz.prefix(gz.count / 2)
        try gz.write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try labels.write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        do {
            _ = try FashionMNIST(root: dir.path, train: false)
            Issue.record("truncated gzip accepted")
        } catch let DataError.corruptFile(path, _) {
            #expect(path == dir.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)
        }
    }

    @Test func cifar10FixtureRecords() throws {
        let root = fixtures.appendingPathComponent("data/cifar10-mini").path
        let test = try CIFAR10(root: root, train: false, transform: ToTensor())
        #expect(test.count == 3 && test.targets == [3, 8, 8])
        #expect(test.classes[3] == "cat")
        let img = test.image(at: 0)
        // First red, green and blue bytes of test record 0 (published dumps; see the datasets README).
        #expect(Array(img.pixels.prefix(6)) == [158, 112, 49, 159, 111, 47])
        let (x, y) = try test[0]
        #expect(x.shape == [3, 32, 32] && y == 3)
        #expect(x.toArray(as: Float.self)[1] == Float(159) / 255)
        #expect(x.toArray(as: Float.self)[1024] == Float(112) / 255)
        // A size that is not a whole number of records is rejected with the file name.
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("test_batch.bin").path
        try Data(repeating: 0, count: 3073 + 5).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.corruptFile(path: path, reason: "size 3078 is not a whole number of 3073-byte records")) {
            try CIFAR10(root: dir.path, train: false)
        }
    }

    @Test func imageFolderClassesOrderAndErrors() throws {
        let root = try temporaryFolder()
        let fm = FileManager.default
        for (cls, files) in [("cat", ["b.png", "a.PNG", "notes.txt"]), ("ant", ["z.png"]), ("bee", ["sub/c.png", "m.png"])] {
            for f in files {
                let url = root.appendingPathComponent(cls).appendingPathComponent(f)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if f.hasSuffix(".txt") { try Data("x".utf8).write(to: url); continue }
                try Image(width: 2, height: 3, mode: .gray, fill: UInt8(f.count * 10)).writePNG(to: url.path)
            }
        }
        let ds = try ImageFolder(root: root.path, transform: ToTensor())
        #expect(ds.classes == ["ant", "bee", "cat"])
        #expect(ds.classToIndex["cat"] == 2)
        #expect(ds.samples.map { ($0.path as NSString).lastPathComponent } == ["z.png", "m.png", "c.png", "a.PNG", "b.png"])
        #expect(ds.targets == [0, 1, 1, 2, 2])
        let (x, y) = try ds[0]
        #expect(x.shape == [3, 3, 2] && y == 0)   // gray files are converted to RGB, as Pillow's loader does
        // A class folder without images is an error naming it.
        try fm.createDirectory(at: root.appendingPathComponent("dog"), withIntermediateDirectories: true)
        #expect(throws: DataError.missingFiles(path: root.appendingPathComponent("dog").path, expected: ["*.jpg", "*.jpeg", "*.png"])) {
            try ImageFolder(root: root.path)
        }
        // A corrupt file surfaces from the loader with the sample index and the file name.
        try fm.removeItem(at: root.appendingPathComponent("dog"))
        try Data("broken".utf8).write(to: root.appendingPathComponent("ant/z.png"))
        var it = DataLoader(try ImageFolder(root: root.path, transform: ToTensor()), batchSize: 2, numWorkers: 2).makeIterator()
        do { _ = try it.nextBatch(); Issue.record("corrupt image loaded") } catch {
            #expect("\(error)".contains("loading sample 0 failed"))
            #expect("\(error)".contains("ant/z.png"))
        }
    }
}
