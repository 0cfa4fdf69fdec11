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
    public init(checkpoint v: CheckpointValue, file: String) throws {
        guard let root = v.dict, let groups = root["param_groups"]?.elements else {
            throw CheckpointError(.invalidContent("optimizer state has no param_groups"), file: file, entry: nil)
        }
        self.init()
        for case let g? in groups.map({ $0.dict }) {
            var options: [String: HyperParameter] = [:]
            var params: [Int] = []
            for (k, value) in g.entries {
                if k.description == "params" { params = (value.elements ?? []).compactMap { $0.int } }
                else if let h = HyperParameter(value) { options[k.description] = h }
            }
            paramGroups.append((options, params))
        }
        for (k, value) in root["state"]?.dict?.entries ?? [] {
            guard case .int(let i) = k, let d = value.dict else { continue }
            var entry: [String: Tensor] = [:]
            for (name, t) in d.entries { if let t = t.tensor { entry[name.description] = t } }
            state[i] = entry
        }
    }
}

/// Saves `{"epoch": epoch, "model": model.stateDict(), "optimizer": optimizer.stateDict()}` (plus `extra`)
/// atomically, in the format the extension names (`.pt` loads in PyTorch with `torch.load`).
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
@discardableResult
public func loadTrainingCheckpoint(from url: URL, model: Module, optimizer: Optimizer?) throws -> Int {
    let value = try loadCheckpoint(from: url)
    guard let root = value.dict, let m = root["model"]?.dict else {
        throw CheckpointError(.invalidContent("not a training checkpoint (no \"model\" entry)"), file: url.path, entry: nil)
    }
    var sd = StateDict()
    for (k, v) in m.entries { if let t = v.tensor { sd[k.description] = t } }
    try model.loadStateDict(sd)
    if let o = optimizer, let ov = root["optimizer"] {
        o.loadStateDict(try OptimizerStateDict(checkpoint: ov, file: url.path))
    }
    return root["epoch"]?.int ?? 0
}
