// General training checkpoints: {"epoch", "model", "optimizer", ...} in PyTorch's layout, saved atomically.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberIO

extension HyperParameter {
    /// This option as a checkpoint value (betas become a tuple, as PyTorch stores them).
    var checkpointValue: CheckpointValue {
        switch self {
        case .number(let v): return .double(v)
        case .flag(let b): return .bool(b)
        case .pair(let a, let b): return .tuple([.double(a), .double(b)])
        case .none: return .none
        }
    }
    init?(_ v: CheckpointValue) {
        switch v {
        case .double(let d): self = .number(d)
        case .int(let i): self = .number(Double(i))
        case .bool(let b): self = .flag(b)
        case .none: self = .none
        case .tuple(let xs), .list(let xs):
            guard xs.count == 2, let a = xs[0].double, let b = xs[1].double else { return nil }
            self = .pair(a, b)
        default: return nil
        }
    }
}

extension OptimizerStateDict {
    /// PyTorch's `optimizer.state_dict()` layout: `{"state": {0: {...}}, "param_groups": [{..., "params": [0, 1]}]}`.
    public var checkpointValue: CheckpointValue {
        var state = CheckpointDict()
        for i in self.state.keys.sorted() {
            var entry = CheckpointDict()
            for (k, t) in self.state[i]!.sorted(by: { $0.key < $1.key }) { entry[.string(k)] = .tensor(t) }
            state[.int(i)] = .dict(entry)
        }
        let groups: [CheckpointValue] = paramGroups.map { g in
            var d = CheckpointDict()
            for (k, v) in g.options.sorted(by: { $0.key < $1.key }) { d[.string(k)] = v.checkpointValue }
            d["params"] = .list(g.params.map { .int($0) })
            return .dict(d)
        }
        var root = CheckpointDict()
        root["state"] = .dict(state)
        root["param_groups"] = .list(groups)
        return .dict(root)
    }

    /// Reads PyTorch's optimizer layout (also from files written by `torch.save(opt.state_dict())`).
    ///
    /// Every part is checked as it is read: a group that is not a dict, a parameter index that is not an int,
    /// an option of a type no optimizer uses or a state entry that is not a tensor throws
    /// `OptimizerStateError` naming the field, instead of being skipped.
    public init(checkpoint v: CheckpointValue, file: String) throws {
        func fail(_ field: String, _ problem: String) -> OptimizerStateError { OptimizerStateError(field: field, problem: problem) }
        guard let root = v.dict else { throw fail("(top level)", "is a \(v.kindName), not a dict") }
        guard let groupsValue = root["param_groups"] else { throw fail("param_groups", "is missing") }
        guard let groups = groupsValue.elements else { throw fail("param_groups", "is a \(groupsValue.kindName), not a list") }
        self.init()
        for (gi, groupValue) in groups.enumerated() {
            guard let g = groupValue.dict else { throw fail("param_groups[\(gi)]", "is a \(groupValue.kindName), not a dict") }
            var options: [String: HyperParameter] = [:]
            var params: [Int]?
            for (k, value) in g.entries {
                let field = "param_groups[\(gi)].\(k)"
                if k.description == "params" {
                    guard let list = value.elements else { throw fail(field, "is a \(value.kindName), not a list") }
                    params = try list.map { x in
                        guard let i = x.int else { throw fail(field, "holds a \(x.kindName), not a parameter index") }
                        return i
                    }
                } else {
                    guard let h = HyperParameter(value) else { throw fail(field, "is a \(value.kindName), not a number, bool, pair or None") }
                    options[k.description] = h
                }
            }
            guard let ps = params else { throw fail("param_groups[\(gi)].params", "is missing") }
            paramGroups.append((options, ps))
        }
        if let stateValue = root["state"] {
            guard let stateDict = stateValue.dict else { throw fail("state", "is a \(stateValue.kindName), not a dict") }
            for (k, value) in stateDict.entries {
                guard case .int(let i) = k else { throw fail("state[\(k)]", "has a key that is not a parameter index") }
                guard let d = value.dict else { throw fail("state[\(i)]", "is a \(value.kindName), not a dict") }
                var entry: [String: Tensor] = [:]
                for (name, t) in d.entries {
                    guard let tensor = t.tensor else { throw fail("state[\(i)].\(name)", "is a \(t.kindName), not a tensor") }
                    entry[name.description] = tensor
                }
                state[i] = entry
            }
        }
    }
}

/// The per-epoch metrics of a run, kept in its checkpoint so that a resumed run's curves start where the
/// interrupted one stopped.
public struct TrainingHistory: Equatable {
    /// Per epoch, in order: mean training loss, training accuracy, test accuracy.
    public var trainLoss: [Double] = []
    public var trainAccuracy: [Double] = []
    public var testAccuracy: [Double] = []
    public init() {}

    public var epochs: Int { trainLoss.count }

    mutating func append(loss: Double, trainAccuracy a: Double, testAccuracy t: Double) {
        trainLoss.append(loss); trainAccuracy.append(a); testAccuracy.append(t)
    }

    /// `{"train_loss": [...], "train_acc": [...], "test_acc": [...]}`.
    var checkpointValue: CheckpointValue {
        .dict(CheckpointDict([("train_loss", .list(trainLoss.map { .double($0) })),
                              ("train_acc", .list(trainAccuracy.map { .double($0) })),
                              ("test_acc", .list(testAccuracy.map { .double($0) }))]))
    }

    init(checkpoint v: CheckpointValue, epochs: Int, file: String) throws {
        func list(_ key: String) throws -> [Double] {
            guard let items = v[.string(key)]?.elements else {
                throw TrainingError.invalidCheckpoint(file: file, field: "history.\(key)", problem: "is missing or not a list")
            }
            let values = items.compactMap { $0.double }
            guard values.count == items.count, values.count == epochs else {
                throw TrainingError.invalidCheckpoint(file: file, field: "history.\(key)", problem: "does not hold one number per epoch (\(epochs))")
            }
            return values
        }
        trainLoss = try list("train_loss")
        trainAccuracy = try list("train_acc")
        testAccuracy = try list("test_acc")
    }
}

/// Saves `{"epoch": epoch, "model": model.stateDict(), "optimizer": optimizer.stateDict()}` (plus `extra`)
/// atomically, in the format the extension names (`.pt` loads in PyTorch with `torch.load`).
///
/// - Parameters:
///   - model: The module whose state dict is saved or restored.
///   - optimizer: The optimizer whose state is saved or restored (nil: none).
///   - epoch: The number of epochs completed.
///   - extra: More entries for the checkpoint's top-level dict.
///   - url: The checkpoint file.
public func saveTrainingCheckpoint(model: Module, optimizer: Optimizer?, epoch: Int, extra: [(String, CheckpointValue)] = [],
                                   to url: URL) throws {
    var root = CheckpointDict()
    root["epoch"] = .int(epoch)
    root["model"] = .stateDict(model.stateDict())
    if let o = optimizer { root["optimizer"] = o.stateDict().checkpointValue }
    for (k, v) in extra { root[.string(k)] = v }
    try saveCheckpoint(.dict(root), to: url)
}

/// Restores a checkpoint written by `saveTrainingCheckpoint` (or by PyTorch with the same keys) into `model`
/// and `optimizer`; returns the stored epoch.
///
/// Everything read is checked before anything is changed: `epoch` must be a whole number from 0 to 10⁷,
/// `model` a dict of tensors whose names and shapes are the model's and whose values are finite, and
/// `optimizer` a state that fits `optimizer` (`Optimizer.validate`). A checkpoint that fails any check throws
/// `TrainingError.invalidCheckpoint` naming the field; the model and optimizer are then left untouched.
///
/// - Parameters:
///   - url: The checkpoint file.
///   - model: The module whose state dict is saved or restored.
///   - optimizer: The optimizer whose state is saved or restored (nil: none).
@discardableResult
public func loadTrainingCheckpoint(from url: URL, model: Module, optimizer: Optimizer?) throws -> Int {
    try loadTrainingCheckpointWithHistory(from: url, model: model, optimizer: optimizer).epoch
}

/// `loadTrainingCheckpoint` that also returns the per-epoch history when the checkpoint holds one.
///
/// - Parameters:
///   - url: The checkpoint file.
///   - model: The module whose state dict is saved or restored.
///   - optimizer: The optimizer whose state is saved or restored (nil: none).
public func loadTrainingCheckpointWithHistory(from url: URL, model: Module, optimizer: Optimizer?) throws -> (epoch: Int, history: TrainingHistory?) {
    let file = url.path
    func fail(_ field: String, _ problem: String) -> TrainingError { .invalidCheckpoint(file: file, field: field, problem: problem) }
    let value = try loadCheckpoint(from: url)
    guard let root = value.dict else { throw fail("(top level)", "is a \(value.kindName), not a dict") }

    guard let epochValue = root["epoch"] else { throw fail("epoch", "is missing") }
    guard case .int(let epoch) = epochValue else {
        throw fail("epoch", "is a \(epochValue.kindName) (\(epochValue.shortDescription)), not a whole number")
    }
    guard (0...10_000_000).contains(epoch) else { throw fail("epoch", "is \(epoch), not a number of epochs (0 to 10000000)") }

    guard let modelValue = root["model"] else { throw fail("model", "is missing: not a training checkpoint") }
    guard let m = modelValue.dict else { throw fail("model", "is a \(modelValue.kindName), not a state dict") }
    var sd = StateDict()
    for (k, v) in m.entries {
        guard let t = v.tensor else { throw fail("model.\(k)", "is a \(v.kindName), not a tensor") }
        if t.dtype.isFloatingPoint, noGrad({ (t - t).isnan().any().item() != 0 }) {
            throw fail("model.\(k)", "holds NaN or infinite values")
        }
        sd[k.description] = t
    }
    // Names and shapes first, so that nothing is copied from a checkpoint that does not fit.
    let expected = model.stateDict()
    let missing = expected.names.filter { sd[$0] == nil }, unexpected = sd.names.filter { expected[$0] == nil }
    if !missing.isEmpty || !unexpected.isEmpty {
        throw fail("model", "does not fit \(model.typeName): " + [missing.isEmpty ? nil : "missing \(missing.prefix(5).joined(separator: ", "))",
                                                                  unexpected.isEmpty ? nil : "unexpected \(unexpected.prefix(5).joined(separator: ", "))"]
            .compactMap { $0 }.joined(separator: "; "))
    }
    for (name, t) in expected where sd[name]!.shape != t.shape {
        throw fail("model.\(name)", "has shape \(shapeString(sd[name]!.shape)), the model's is \(shapeString(t.shape))")
    }

    var optimizerState: OptimizerStateDict?
    if let o = optimizer, let ov = root["optimizer"] {
        do {
            let state = try OptimizerStateDict(checkpoint: ov, file: file)
            try o.validate(state)
            optimizerState = state
        } catch let e as OptimizerStateError {
            throw fail("optimizer.\(e.field)", e.problem)
        }
    }
    let history = try root["history"].map { try TrainingHistory(checkpoint: $0, epochs: epoch, file: file) }

    try model.loadStateDict(sd)
    if let o = optimizer, let state = optimizerState { o.loadStateDict(state) }
    return (epoch, history)
}
