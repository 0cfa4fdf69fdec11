// `ember train`'s run in process: stop-and-resume gives the weights of an uninterrupted run bit for bit,
// checkpoints are validated field by field, a diverging loss stops with a sentence (issue 11, items 7–9).
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

@Suite("Training run", .serialized)
struct TrainingRunTests {
    func configuration(data: URL, out: URL, epochs: Int, resume: Bool = false, lr: Double? = nil) -> TrainingConfiguration {
        var c = TrainingConfiguration(dataFolder: data.path, outputFolder: out.path)
        c.epochs = epochs; c.batchSize = 32; c.workers = 2; c.seed = 7; c.resume = resume; c.learningRate = lr
        return c
    }

    func bytes(_ m: Module) -> [[UInt8]] {
        m.stateDict().map { _, t in
            let c = t.contiguous()
            return [UInt8](UnsafeRawBufferPointer(start: c.rawPointer, count: c.numel * c.dtype.itemSize))
        }
    }

    @Test func stopAndResumeIsBitIdentical() throws {
        let data = try temporaryRunFolder("data"), straight = try temporaryRunFolder("straight"), stopped = try temporaryRunFolder("stopped")
        defer { for d in [data, straight, stopped] { try? FileManager.default.removeItem(at: d) } }
        try writeFashionMNIST(to: data, train: 160, test: 32)

        let a = try ClassifierTraining(configuration(data: data, out: straight, epochs: 3))
        try a.run(report: { _ in })

        let b1 = try ClassifierTraining(configuration(data: data, out: stopped, epochs: 1))
        try b1.run(report: { _ in })
        // (The runs draw from their own generators: whatever other tests draw meanwhile cannot disturb them.)
        let b2 = try ClassifierTraining(configuration(data: data, out: stopped, epochs: 3, resume: true))
        try b2.run(report: { _ in })

        #expect(bytes(a.model) == bytes(b2.model) ? true : false, "final weights differ after stop and resume")
        #expect(a.history == b2.history)
        #expect(b2.history.epochs == 3)
        // The curves of the resumed run start at epoch 1.
        let svg = try String(contentsOf: stopped.appendingPathComponent("curves.svg"), encoding: .utf8)
        #expect(svg.contains("train loss"))
        // Same seed and no resume: the same run again (the seed alone decides).
        let again = try temporaryRunFolder("again")
        defer { try? FileManager.default.removeItem(at: again) }
        let c = try ClassifierTraining(configuration(data: data, out: again, epochs: 3))
        try c.run(report: { _ in })
        #expect(bytes(c.model) == bytes(a.model) ? true : false, "the same seed gave different weights")
    }

    @Test func divergingLossStopsWithASentence() throws {
        let data = try temporaryRunFolder("data"), out = try temporaryRunFolder("nan")
        defer { for d in [data, out] { try? FileManager.default.removeItem(at: d) } }
        try writeFashionMNIST(to: data, train: 96, test: 32)
        let run = try ClassifierTraining(configuration(data: data, out: out, epochs: 2, lr: 1e38))
        #expect { try run.run(report: { _ in }) } throws: { e in
            guard case .diverged(let epoch, let step, let loss, _)? = e as? TrainingError else { return false }
            return epoch == 1 && step >= 1 && !loss.isFinite && "\(e)".contains("try a smaller --lr")
        }
        // The weights are those of the last finite step, not NaN.
        for (name, t) in run.model.stateDict() where t.dtype.isFloatingPoint {
            #expect((t - t).isnan().any().item() == 0, "\(name)")
        }
    }

    // MARK: Checkpoint validation

    /// A good checkpoint of one epoch, and a fresh training run to load it into.
    func goodCheckpoint() throws -> (run: ClassifierTraining, url: URL, value: CheckpointValue, cleanup: () -> Void) {
        let data = try temporaryRunFolder("data"), out = try temporaryRunFolder("ckpt")
        try writeFashionMNIST(to: data, train: 64, test: 32)
        try ClassifierTraining(configuration(data: data, out: out, epochs: 1)).run(report: { _ in })
        let url = out.appendingPathComponent("checkpoint.pt")
        let fresh = try ClassifierTraining(configuration(data: data, out: out, epochs: 2, resume: true))
        return (fresh, url, try loadCheckpoint(from: url), { for d in [data, out] { try? FileManager.default.removeItem(at: d) } })
    }

    /// `value` with the entry at `path` replaced by `newValue` (nil removes it).
    func replacing(_ value: CheckpointValue, _ path: [CheckpointKey], with newValue: CheckpointValue?) -> CheckpointValue {
        guard let first = path.first else { return newValue ?? .none }
        switch value {
        case .dict(var d):
            if path.count == 1 { d[first] = newValue } else if let inner = d[first] { d[first] = replacing(inner, Array(path.dropFirst()), with: newValue) }
            return .dict(d)
        case .list(var xs):
            guard case .int(let i) = first, xs.indices.contains(i) else { return value }
            xs[i] = path.count == 1 ? (newValue ?? .none) : replacing(xs[i], Array(path.dropFirst()), with: newValue)
            return .list(xs)
        default: return value
        }
    }

    @Test func damagedCheckpointsNameTheField() throws {
        let (run, url, good, cleanup) = try goodCheckpoint()
        defer { cleanup() }
        let before = bytes(run.model)
        func unchanged() -> Bool { bytes(run.model) == before }
        let weight = try #require(good["model"]?["0.weight"]?.tensor)
        let nanWeight = weight.clone()
        nanWeight.view(-1)[0] = Tensor(scalar: .nan)
        let momentum = Tensor.zeros([3, 3])
        let cases: [(String, [CheckpointKey], CheckpointValue?, String)] = [
            ("huge epoch", ["epoch"], .int(1 << 60), "'epoch' is 1152921504606846976, not a number of epochs"),
            ("negative epoch", ["epoch"], .int(-2), "'epoch' is -2"),
            ("string epoch", ["epoch"], .string("three"), "'epoch' is a str ('three'), not a whole number"),
            ("float epoch", ["epoch"], .double(1.5), "'epoch' is a float (1.5), not a whole number"),
            ("no epoch", ["epoch"], nil, "'epoch' is missing"),
            ("NaN weights", ["model", "0.weight"], .tensor(nanWeight), "'model.0.weight' holds NaN or infinite values"),
            ("wrong weight shape", ["model", "0.weight"], .tensor(Tensor.zeros([2, 2])), "'model.0.weight' has shape [2, 2]"),
            ("weights not a tensor", ["model", "0.weight"], .int(3), "'model.0.weight' is a int, not a tensor"),
            ("extra group", ["optimizer", "param_groups"], .list([good["optimizer"]!["param_groups"]!.elements![0], good["optimizer"]!["param_groups"]!.elements![0]]),
             "'optimizer.param_groups' has 2 groups, this optimizer has 1"),
            ("lr is a string", ["optimizer", "param_groups", 0, "lr"], .string("fast"), "'optimizer.param_groups[0].lr' is a str"),
            ("lr is NaN", ["optimizer", "param_groups", 0, "lr"], .double(.nan), "'optimizer.param_groups[0].lr' is nan"),
            ("state of the wrong shape", ["optimizer", "state"], .dict(CheckpointDict([(.int(0), .dict(CheckpointDict([("momentum_buffer", .tensor(momentum))])))])),
             "'optimizer.state[0].momentum_buffer' has shape [3, 3]"),
            ("history too short", ["history", "train_loss"], .list([]), "'history.train_loss' does not hold one number per epoch"),
        ]
        for (name, path, newValue, message) in cases {
            let damaged = replacing(good, path, with: newValue)
            try saveCheckpoint(damaged, to: url)
            #expect { try run.run(report: { _ in }) } throws: { e in
                guard case .invalidCheckpoint? = e as? TrainingError else { return false }
                return "\(e)".contains(url.path) && "\(e)".contains(message)
            }
            #expect(unchanged(), "\(name): the model was changed by a checkpoint that was refused")
        }
    }

    @Test func resumeWithFewerEpochsThanTheCheckpoint() throws {
        let (_, url, _, cleanup) = try goodCheckpoint()
        defer { cleanup() }
        let folder = url.deletingLastPathComponent()
        var c = TrainingConfiguration(dataFolder: "", outputFolder: folder.path)
        c.epochs = 1
        c.resume = true
        // The data folder of the good checkpoint was removed with its helper's data: use a new one.
        let data = try temporaryRunFolder("data")
        defer { try? FileManager.default.removeItem(at: data) }
        try writeFashionMNIST(to: data, train: 64, test: 32)
        c.dataFolder = data.path
        // Equal: nothing to do, said plainly.
        var lines: [String] = []
        try ClassifierTraining(c).run(report: { lines.append($0) })
        #expect(lines.contains { $0.contains("nothing to train") })
        // Beyond: an error that says what to pass.
        let fiveEpochs = replacing(replacing(try loadCheckpoint(from: url), ["epoch"], with: .int(5)), ["history"], with: nil)
        try saveCheckpoint(fiveEpochs, to: url)
        #expect { try ClassifierTraining(c).run(report: { _ in }) } throws: { e in
            e as? TrainingError == .checkpointPastEpochs(file: url.path, checkpointEpoch: 5, epochs: 1)
        }
    }

    @Test func imagesOfTheWrongSizeAreRefused() throws {
        for side in [5, 32] {
            let data = try temporaryRunFolder("data"), out = try temporaryRunFolder("size")
            defer { for d in [data, out] { try? FileManager.default.removeItem(at: d) } }
            try writeFashionMNIST(to: data, train: 8, test: 8, side: side)
            #expect { try ClassifierTraining(configuration(data: data, out: out, epochs: 1)).run(report: { _ in }) } throws: { e in
                "\(e)" == "\(data.path)/train-images-idx3-ubyte.gz holds 1×\(side)×\(side) images, but lenet takes 1×28×28 (channels×height×width); use a dataset of that size or another --model"
            }
        }
    }
}
