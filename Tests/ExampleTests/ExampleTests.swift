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

    /// The dispatcher: `ember-examples` with no name lists the examples; an unknown name fails; a name runs it.
    @Test(.enabled(if: examplesBinary != nil)) func dispatcherRunsExamplesByName() throws {
        let listing = try runBinary([])
        #expect(listing.status == 0)
        for name in ["TensorBasics", "LinearRegressionScratch", "SoftmaxRegressionConcise", "MLPWithDropoutAndWeightDecay", "CNNWithTensorBoard"] {
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
