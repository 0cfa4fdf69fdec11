// Example tests: run each of the notes' examples in `Examples/` and check what it printed against the notes
// (exact values where the notes give them) or against thresholds that follow from the task.
import Foundation
import Testing
@testable import ember_examples
import EmberKit
import _EmberTestSupport

// Serialized: each example seeds the global generator, so running them side by side would interleave their draws.
@Suite("Examples", .serialized)
struct ExampleTests {
    /// Chapter 2: every number here is the one printed in the notes (or follows from it by hand).
    @Test func tensorBasicsMatchesTheNotes() throws {
        let r = try runTensorBasics()
        #expect(r.reshapedShape == [3, 4] && r.numel == 12)
        #expect(r.sum == [3, 4, 6, 10])
        #expect(r.product == [2, 4, 8, 16])
        #expect(r.power == [1, 4, 16, 64])
        #expect(r.catShapes == [[6, 4], [3, 8]])
        #expect(r.broadcastShape == [3, 2] && r.broadcast == [0, 1, 1, 2, 2, 3])
        #expect(r.lastRow == [8, 9, 10, 11])
        #expect(r.rows1to3 == [4, 5, 6, 7, 8, 9, 10, 11])
        #expect(r.stridedSliceShape == [2, 2] && r.stridedSlice == [4, 6, 8, 10])
        #expect(r.afterAssignment == [12, 12, 12, 12, 12, 12, 12, 12, 8, 9, 10, 11])
        #expect(r.viewWriteChangesBase && r.rowWriteChangesBase)
        #expect(r.plusMakesNewTensor && r.inPlaceKeepsStorage)
        #expect(r.npyRoundTripEqual)
        // y = 2 xᵀx at x = [0, 1, 2, 3] is 2 · 14 = 28; its gradient is 4x.
        #expect(r.y == 28)
        #expect(r.grad == [0, 4, 8, 12])
    }

    /// Section 3.4: noise has standard deviation 0.01, so SGD should recover w and b to about that.
    @Test func linearRegressionRecoversTheTruth() throws {
        let r = try runLinearRegressionScratch()
        #expect(r.trueW == [2, -3.4] && r.trueB == 4.2)
        for (learned, truth) in zip(r.w, r.trueW) { #expect(Swift.abs(learned - truth) < 0.01, "w = \(r.w)") }
        #expect(Swift.abs(r.b - r.trueB) < 0.01, "b = \(r.b)")
        // The loss floor is the noise's: E[ε²]/2 = 5e-5.
        #expect(r.epochLosses.count == 3 && r.epochLosses.last! < 1e-3, "losses \(r.epochLosses)")
    }

    /// Section 4.5 on the synthetic ten-class images (chance 0.1; the classes are linearly separable).
    @Test func softmaxRegressionLearnsSyntheticImages() throws {
        let r = try runSoftmaxRegressionConcise(dataDirectory: nil)
        #expect(r.dataset == "synthetic")
        #expect(r.trainLosses.count == 2 && r.trainLosses[1] < r.trainLosses[0])
        // Untrained logits are near 0, so the first loss starts at ln 10 ≈ 2.30; it must fall well below.
        #expect(r.trainLosses[1] < 1.5, "losses \(r.trainLosses)")
        #expect(r.testAccuracy > 0.8, "test accuracy \(r.testAccuracy)")
    }

    /// Opt-in (EMBER_DATA_DIR): real Fashion-MNIST, 6,000 images, 2 epochs. The notes reach ≈0.8 after 10 full
    /// epochs; a sixth of an epoch-set twice lands near 0.7, far above chance (0.1).
    @Test(.enabled(if: dataDirectory != nil)) func softmaxRegressionLearnsFashionMNIST() throws {
        let r = try runSoftmaxRegressionConcise(dataDirectory: dataDirectory!.path)
        #expect(r.dataset == "fashion-mnist")
        #expect(r.testAccuracy > 0.6, "test accuracy \(r.testAccuracy)")
    }

    /// Sections 3.7 and 5.6: parameter groups, dropout's scaling, train vs eval mode, and learning.
    @Test func mlpWithDropoutAndWeightDecay() throws {
        let r = try runMLPWithDropoutAndWeightDecay()
        #expect(r.decayedNames == ["1.weight", "4.weight", "7.weight"])
        #expect(r.undecayedNames == ["1.bias", "4.bias", "7.bias"])
        #expect(r.groupWeightDecays == [1e-3, 0])
        // Survivors of Dropout(0.5) are scaled by 1 / (1 − 0.5) = 2; the zeroed fraction is Binomial(10⁴, 0.5) / 10⁴
        // (standard deviation 0.005), so ±0.03 is six deviations.
        #expect(r.dropoutKeptValues == [2])
        #expect(Swift.abs(r.dropoutZeroFraction - 0.5) < 0.03)
        #expect(r.trainPassesDiffer && r.evalPassesAgree)
        #expect(r.trainLosses.last! < r.trainLosses.first!, "losses \(r.trainLosses)")
        #expect(r.testAccuracy > 0.8, "test accuracy \(r.testAccuracy)")
    }

    /// Section 7.6 with TensorBoard: the event file holds the logged tags, and a checkpoint restores the model exactly.
    @Test func cnnLogsToTensorBoardAndRestoresFromCheckpoint() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-example-cnn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runCNNWithTensorBoard(logDir: dir.path, epochs: 3)
        // 4 batches × 3 epochs.
        #expect(r.stepLosses.count == 12 && r.stepLosses.allSatisfy { $0.isFinite })

        let events = try Data(contentsOf: URL(fileURLWithPath: r.eventFile))
        let records = try tfRecords(events)
        #expect(records.filter { contains($0, "train/loss") }.count == 12)
        #expect(records.filter { contains($0, "conv1.weight") }.count == 3)
        #expect(records.contains { contains($0, "Conv2d[0]") && contains($0, "Linear[11]") }, "no graph with LeNet's layers")

        #expect(FileManager.default.fileExists(atPath: r.checkpoint))
        #expect(r.loadedEpoch == 3)
        #expect(r.differenceBeforeLoading > 0)
        #expect(r.maxOutputDifference == 0 && r.predictionsAgree)
    }

    /// Sections 2.1/2.2: memory shared with Swift both ways, and `toArray()` copying. Every value follows by hand
    /// from the operations (the notes: `b = a.numpy(); a.add_(1)` shows `[2. 2. 2. 2. 2.]` in `b`).
    @Test func numpySharingSharesAndCopies() throws {
        let r = try runNumpySharing()
        // ones(5) + 1 seen through the buffer; then b[0] = 10 written through it.
        #expect(r.bufferAfterTensorAdd == [2, 2, 2, 2, 2])
        #expect(r.tensorAfterBufferWrite == [10, 2, 2, 2, 2])
        // arange(6).reshape(2, 3) with row 1 ([3, 4, 5]) scaled by 10 through the row view's buffer.
        #expect(r.baseAfterRowViewWrite == [0, 1, 2, 30, 40, 50])
        // A tensor over [1, 1, 1, 1, 1]: the array + 1 shows in the tensor, then the tensor's += 1 in the array.
        #expect(r.sharedTensorAfterArrayWrite == [2, 2, 2, 2, 2])
        #expect(r.arrayAfterTensorAdd == [3, 3, 3, 3, 3])
        // toArray() of ones(3) is a copy: c += 1 leaves it at ones.
        #expect(r.copyAfterAdd == [1, 1, 1] && r.tensorAfterAdd == [2, 2, 2])
        // The notes: a = torch.tensor([3.5]); a.item(), int(a) -> 3.5, 3.
        #expect(r.item == 3.5 && r.itemAsInt == 3)
    }

    /// Section 5.5: the notes print x2 = tensor([0, 1, 2, 3]), (tensor([0, 1, 2, 3]), tensor([0., 0., 0., 0.])),
    /// {'x': tensor([0, 1, 2, 3]), 'y': tensor([0., 0., 0., 0.])} and a 2 × 10 `Y_clone == Y` of all True.
    @Test func saveLoadRoundTripsTensorsAndParameters() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-example-saveload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runSaveLoad(directory: dir.path)
        #expect(r.files == ["mlp.params", "mydict", "x-file", "x-files"])
        // torch.save's format whatever the name: a zip archive (local file header "PK\u{3}\u{4}") holding data.pkl.
        for name in r.files {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(name))
            #expect(bytes.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]), "\(name) is not a zip archive")
            #expect(bytes.range(of: Data("data.pkl".utf8)) != nil, "\(name) has no data.pkl")
        }
        #expect(r.x2 == [0, 1, 2, 3] && r.x2DType == .int64)
        #expect(r.listValues == [[0, 1, 2, 3], [0, 0, 0, 0]])
        #expect(r.dictKeys == ["x", "y"] && r.dictValues == ["x": [0, 1, 2, 3], "y": [0, 0, 0, 0]])
        // The MLP: hidden = Linear(20, 256), output = Linear(256, 10), in PyTorch's key order and shapes.
        #expect(r.parameterKeys == ["hidden.weight", "hidden.bias", "output.weight", "output.bias"])
        #expect(r.parameterShapes == [[256, 20], [256], [10, 256], [10]])
        #expect(r.yShape == [2, 10])
        #expect(r.yCloneEqualsY.count == 20 && r.yCloneEqualsY.allSatisfy { $0 }, "Y_clone == Y: \(r.yCloneEqualsY)")
        #expect(r.differedBeforeLoading)
    }

    /// The notes' CIFAR-10 model: `torch.Size([64, 10])`, the parameter count by hand, and `add_graph`'s boxes.
    @Test func cifar10NetGraphHasOneBoxPerLayer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-example-cifar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runCIFAR10NetWithTensorBoard(logDir: dir.path)
        #expect(r.inputShape == [64, 3, 32, 32] && r.outputShape == [64, 10])
        // 3·32·25 + 32, 32·32·25 + 32, 32·64·25 + 64, 1024·64 + 64, 64·10 + 10.
        #expect(r.parameterCount == 2_432 + 25_632 + 51_264 + 65_600 + 650)
        #expect(r.parameterKeys == ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias",
                                    "model.4.weight", "model.4.bias", "model.7.weight", "model.7.bias",
                                    "model.8.weight", "model.8.bias"])
        // Every op is in the box of its layer, CIFARNet/Sequential[model]/<Layer>[i]/op, the layers in order.
        let ops = r.graphNodes.filter { $0.op.hasPrefix("aten::") }
        try #require(!ops.isEmpty)
        for op in ops {
            let parts = op.name.split(separator: "/")
            #expect(parts.count == 4 && parts[0] == "CIFARNet" && parts[1] == "Sequential[model]", "\(op.name)")
        }
        var order: [Substring] = []
        for box in ops.map({ $0.name.split(separator: "/")[2] }) where order.last != box { order.append(box) }
        #expect(order == ["Conv2d[0]", "MaxPool2d[1]", "Conv2d[2]", "MaxPool2d[3]", "Conv2d[4]", "MaxPool2d[5]",
                          "Flatten[6]", "Linear[7]", "Linear[8]"])
        #expect(r.graphNodes.first?.name == "input/input.1" && r.graphOutputShape == [1, 10])
        // The event file holds the graph of the whole batch: the same node names (they do not depend on the batch).
        let records = try tfRecords(try Data(contentsOf: URL(fileURLWithPath: r.eventFile)))
        let graph = try #require(records.first { contains($0, "CIFARNet/Sequential[model]/Conv2d[0]/") }, "no graph in the event file")
        for node in r.graphNodes { #expect(contains(graph, node.name), "\(node.name) is not in the logged graph") }
    }

    /// Underfitting and overfitting. The labels come from [5, 1.2, −3.4, 5.6] with noise of standard deviation 0.1,
    /// so the cubic fit recovers them (the notes print [5.0105, 1.2354, −3.4411, 5.5953]) with a loss near the noise
    /// floor 0.1² = 0.01. The best line through the cubic (by hand, x ~ N(0, 1)) is 3.3 + 4.0x — the notes print
    /// [3.405, 3.994] — and leaves a residual variance 1.7²·Var(x²) + (5.6/6)²·E[(x³ − 3x)²] = 5.78 + 5.23 ≈ 11.
    @Test func polynomialRegressionFitsTheCubic() throws {
        let r = try runPolynomialRegression(normalEpochs: 400, linearEpochs: 100, overfitEpochs: 100)
        #expect(Array(r.trueW[0..<4]) == [5, 1.2, -3.4, 5.6] && r.trueW[4...].allSatisfy { $0 == 0 })
        // Feature i of a row is xⁱ/i!: the first is 1, the third is the second squared over 2.
        for row in r.firstFeatures {
            #expect(row.count == 20 && row[0] == 1)
            #expect(Swift.abs(row[2] - row[1] * row[1] / 2) < 1e-5 * Swift.max(1, row[2]))
        }
        for (learned, truth) in zip(r.normal.weight, r.trueW) {
            #expect(Swift.abs(learned - truth) < 0.15, "normal fit \(r.normal.weight)")
        }
        #expect(r.normal.weight.count == 4)
        #expect(r.normal.trainLoss < 0.05 && r.normal.testLoss < 0.05, "normal losses \(r.normal.trainLoss), \(r.normal.testLoss)")
        // The line cannot follow the cubic: its loss stays far above the noise floor.
        #expect(r.linear.weight.count == 2)
        #expect(r.linear.trainLoss > 1 && r.linear.testLoss > 1, "linear losses \(r.linear.trainLoss), \(r.linear.testLoss)")
        #expect(Swift.abs(r.linear.weight[0] - 3.3) < 1 && Swift.abs(r.linear.weight[1] - 4.0) < 1.5, "linear fit \(r.linear.weight)")
        // All 20 features contain the cubic's four: training fits far better than the line.
        #expect(r.overfit.weight.count == 20)
        #expect(r.overfit.trainLoss < r.linear.trainLoss, "overfit \(r.overfit.trainLoss) vs linear \(r.linear.trainLoss)")
        // The curves: epoch 1, then every 20 epochs.
        #expect(r.normal.curve.map(\.epoch) == [1] + stride(from: 20, through: 400, by: 20).map { $0 })
    }

    /// Section 3.7 from scratch: 20 examples pin w in only 20 of its 200 directions, so without the penalty the
    /// other 180 keep their N(0, 1) start (norm ≈ √180 ≈ 13.4; the notes print ≈ 13–14). With λ = 3 each of the
    /// 4 × 100 steps scales w by 1 − 0.003·3, so the start shrinks by 0.991⁴⁰⁰ ≈ 0.027 (the notes print ≈ 0.36).
    @Test func weightDecayShrinksWeightsAndHelpsTheTestLoss() throws {
        let r = try runWeightDecayScratch()
        #expect(r.numInputs == 200 && r.nTrain == 20 && r.nTest == 100)
        #expect(r.withoutDecay.lambda == 0 && r.withDecay.lambda == 3)
        #expect(r.withoutDecay.weightNorm > 10, "norm without decay \(r.withoutDecay.weightNorm)")
        #expect(r.withDecay.weightNorm < 1, "norm with decay \(r.withDecay.weightNorm)")
        #expect(r.withDecay.weightNorm < r.withoutDecay.weightNorm / 10)
        // Without the penalty the model fits the 20 training examples and not the test set; the penalty helps.
        #expect(r.withoutDecay.trainLoss < r.withoutDecay.testLoss)
        #expect(r.withDecay.testLoss < r.withoutDecay.testLoss,
                "test loss with decay \(r.withDecay.testLoss), without \(r.withoutDecay.testLoss)")
        #expect(r.withDecay.curve.count == 20 && r.withDecay.curve.last?.epoch == 100)
    }

    /// The dispatcher: `ember-examples` with no name lists the examples; an unknown name fails; a name runs it.
    @Test(.enabled(if: examplesBinary != nil)) func dispatcherRunsExamplesByName() throws {
        let listing = try runBinary([])
        #expect(listing.status == 0)
        for name in ["TensorBasics", "NumpySharing", "LinearRegressionScratch", "SoftmaxRegressionConcise", "PolynomialRegression",
                     "WeightDecayScratch", "MLPWithDropoutAndWeightDecay", "SaveLoad", "CNNWithTensorBoard", "CIFAR10NetWithTensorBoard"] {
            #expect(listing.output.contains(name))
        }
        #expect(try runBinary(["NoSuchExample"]).status == 2)
        let basics = try runBinary(["tensor-basics"])
        #expect(basics.status == 0)
        #expect(basics.output.contains("x.grad = tensor([ 0.,  4.,  8., 12.])"), "output:\n\(basics.output)")
    }
}

/// The payloads of a TFRecord file: [length u64][crc u32][payload][crc u32], little-endian.
private func tfRecords(_ data: Data) throws -> [Data] {
    let bytes = [UInt8](data)
    var records: [Data] = [], offset = 0
    while offset + 12 <= bytes.count {
        var length = 0
        for i in 0..<8 { length |= Int(bytes[offset + i]) << (8 * i) }
        let start = offset + 12
        guard start + length + 4 <= bytes.count else { throw CocoaError(.fileReadCorruptFile) }
        records.append(Data(bytes[start..<start + length]))
        offset = start + length + 4
    }
    #expect(offset == bytes.count, "trailing bytes in the event file")
    return records
}

private func contains(_ record: Data, _ text: String) -> Bool { record.range(of: Data(text.utf8)) != nil }

/// The built `ember-examples` next to the test bundle (SwiftPM puts products and tests in one directory).
private let examplesBinary: URL? = {
    let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ember-examples")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

private func runBinary(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = examplesBinary!
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
