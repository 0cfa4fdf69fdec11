// End to end through the public API only: models learn, checkpoints resume, the training kit writes its outputs.
import Foundation
import Testing
@testable import EmberTrain
import EmberKit
import _EmberTestSupport

@Suite("EndToEnd training")
struct TrainingEndToEndTests {
    /// Two Gaussian blobs per class in 2-d: an MLP trained with SGD must separate them.
    @Test func mlpLearnsSyntheticClasses() throws {
        manualSeed(3)
        let n = 512
        let labels = Tensor.randint(low: 0, high: 3, shape: [n])
        let centers = tensor([[2.0, 0.0], [-2.0, 2.0], [0.0, -2.5]])
        let X = centers.indexSelect(dim: 0, index: labels) + Tensor.randn([n, 2]) * 0.5
        let loader = DataLoader(TensorDataset(X, labels), batchSize: 64, shuffle: true)
        let net = Sequential { Linear(2, 16); ReLU(); Linear(16, 3) }
        let opt = SGD(net.parameters(), lr: 0.2, momentum: 0.9)
        for _ in 0..<15 { _ = try trainEpoch(net, loader, optimizer: opt, lossFunction: { F.crossEntropy($0, $1) }) }
        #expect(try evaluateAccuracy(net, loader) > 0.95)
    }

    struct Unreadable: Error, CustomStringConvertible { var description: String { "x/7.png is not an image" } }
    /// Twelve samples; the eighth cannot be loaded.
    struct BrokenAtSeven: Dataset {
        var count: Int { 12 }
        func sample(at index: Int) throws -> (Tensor, Int) {
            if index == 7 { throw Unreadable() }
            return (Tensor([Float(index), 1], shape: [2]), index % 2)
        }
    }

    /// A sample that cannot be loaded ends the epoch with the loader's error (its index and reason), not a trap,
    /// after the batches before it were trained.
    @Test func trainEpochOverADataLoaderThrowsASamplesError() throws {
        let net = withGenerator(Generator(seed: 1)) { Linear(2, 2) }
        let opt = SGD(net.parameters(), lr: 0.1)
        var batches = 0
        let error = #expect(throws: DataError.self) {
            _ = try trainEpoch(net, DataLoader(BrokenAtSeven(), batchSize: 4), optimizer: opt,
                               lossFunction: { F.crossEntropy($0, $1) }, onBatch: { _, _, _ in batches += 1 })
        }
        guard case .sampleFailed(let index, let reason)? = error else {
            Issue.record("expected DataError.sampleFailed, got \(String(describing: error))")
            return
        }
        #expect(index == 7 && reason.contains("x/7.png is not an image"), "\(index): \(reason)")
        #expect(batches == 1, "the batch before the bad sample trains, the bad one does not")
    }

    /// Evaluating over a loader with an unreadable test sample throws its error (each of the three evaluations).
    @Test func evaluationOverADataLoaderThrowsASamplesError() throws {
        let net = withGenerator(Generator(seed: 1)) { Linear(2, 2) }
        let loader = DataLoader(BrokenAtSeven(), batchSize: 4)
        func isSevenFailed(_ error: DataError?) -> Bool {
            guard case .sampleFailed(let index, let reason)? = error else { return false }
            return index == 7 && reason.contains("x/7.png is not an image")
        }
        #expect(isSevenFailed(#expect(throws: DataError.self) { _ = try evaluate(net, loader) }))
        #expect(isSevenFailed(#expect(throws: DataError.self) { _ = try evaluateAccuracy(net, loader) }))
        #expect(isSevenFailed(#expect(throws: DataError.self) { _ = try confusionMatrix(net, loader, classes: 2) }))
        #expect(net.training, "the training mode is restored after the error")
    }

    @Test func checkpointResumesTrainingExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        manualSeed(5)
        let X = Tensor.randn([64, 4]), y = Tensor.randint(low: 0, high: 2, shape: [64])
        func step(_ net: Module, _ opt: Optimizer) { opt.zeroGrad(); F.crossEntropy(net(X), y).backward(); opt.step() }
        let net = Sequential { Linear(4, 8); Tanh(); Linear(8, 2) }
        let opt = Adam(net.parameters(), lr: 0.05)
        for _ in 0..<3 { step(net, opt) }
        let url = dir.appendingPathComponent("ckpt.pt")
        try saveTrainingCheckpoint(model: net, optimizer: opt, epoch: 3, to: url)
        for _ in 0..<3 { step(net, opt) }
        let twin = Sequential { Linear(4, 8); Tanh(); Linear(8, 2) }
        let twinOpt = Adam(twin.parameters(), lr: 0.05)
        #expect(try loadTrainingCheckpoint(from: url, model: twin, optimizer: twinOpt) == 3)
        for _ in 0..<3 { step(twin, twinOpt) }
        for (a, b) in zip(net.parameters(), twin.parameters()) { #expect(a.scalars == b.scalars) }
    }

    @Test func plotsAreWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-plot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var plot = LinePlot(xLabel: "epoch")
        for e in 1...5 { plot.add("train loss", x: Double(e), y: 1 / Double(e)); plot.add("test acc", x: Double(e), y: 0.5 + 0.08 * Double(e)) }
        try plot.saveSVG(to: dir.appendingPathComponent("c.svg"))
        try plot.savePNG(to: dir.appendingPathComponent("c.png"))
        let svg = try String(contentsOf: dir.appendingPathComponent("c.svg"), encoding: .utf8)
        #expect(svg.contains("<polyline") && svg.contains("train loss"))
        let png = try Data(contentsOf: dir.appendingPathComponent("c.png"))
        let image = try Image.decodePNG(png)
        #expect(image.width == 640 && image.height == 420)
    }

    /// Opt-in (EMBER_DATA_DIR): the notes' MLP learns real Fashion-MNIST within one short epoch.
    @Test(.enabled(if: dataDirectory != nil)) func mlpLearnsFashionMNIST() throws {
        let root = dataDirectory!.appendingPathComponent("fashion-mnist").path
        manualSeed(0)
        let train = try FashionMNIST(root: root, train: true, transform: ToTensor())
        let test = try FashionMNIST(root: root, train: false, transform: ToTensor())
        let net = mlp()
        let opt = SGD(net.parameters(), lr: 0.1)
        let loader = DataLoader(Subset(train, indices: Array(0..<6144)), batchSize: 256, shuffle: true, numWorkers: 2)
        _ = try trainEpoch(net, loader, optimizer: opt, lossFunction: { F.crossEntropy($0, $1) })
        _ = try trainEpoch(net, loader, optimizer: opt, lossFunction: { F.crossEntropy($0, $1) })
        let acc = try evaluateAccuracy(net, DataLoader(Subset(test, indices: Array(0..<2048)), batchSize: 512))
        #expect(acc > 0.55, "test accuracy \(acc) (chance is 0.10)")
    }
}

/// The curve plot's axes read like the notes' Animator: round ticks (not 1.00, 2.80, 4.60), whole epochs.
@Suite struct PlotTickTests {
    @Test func ticksAreRound() {
        #expect(LinePlot.niceTicks(1, 10, integers: true) == [0, 2, 4, 6, 8, 10])
        #expect(LinePlot.niceTicks(-0.01, 0.48) == [-0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5])
        #expect(LinePlot.niceTicks(0.31, 0.86) == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(LinePlot.niceTicks(1, 3, integers: true) == [1, 1.5, 2, 2.5, 3].filter { $0 == $0.rounded() })
        #expect(LinePlot.label(0.25, step: 0.25) == "0.25" && LinePlot.label(2, step: 1) == "2" && LinePlot.label(-0.1, step: 0.1) == "-0.1")
    }

    @Test func svgShowsTheTicks() {
        var plot = LinePlot(xLabel: "epoch", yLabel: "loss")
        for e in 1...10 { plot.add("train loss", x: Double(e), y: 1 / Double(e)) }
        let svg = plot.svg()
        #expect(svg.contains(">0.2<") && svg.contains(">1.0<") && svg.contains(">10<") && svg.contains(">loss<"))
        #expect(!svg.contains(">2.80<"))
    }
}
