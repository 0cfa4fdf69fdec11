// Optimizer state_dict / load_state_dict in PyTorch's layout, so training resumes exactly.
import Ember

/// An optimizer's state in PyTorch's layout: per-parameter state keyed by the parameter's index across
/// all groups (`{0: {"momentum_buffer": ...}}`), and the groups' options with `params` as those indices.
/// Adam-style step counts are stored as a float32 0-d tensor named `step`, as PyTorch 2 does.
public struct OptimizerStateDict {
    public var state: [Int: [String: Tensor]]
    public var paramGroups: [(options: [String: HyperParameter], params: [Int])]
    public init(state: [Int: [String: Tensor]] = [:], paramGroups: [(options: [String: HyperParameter], params: [Int])] = []) {
        self.state = state
        self.paramGroups = paramGroups
    }
}

extension Optimizer {
    /// Names of optimizers whose PyTorch state carries a `step` entry.
    private var storesStep: Bool { !(self is SGD) }

    /// The optimizer's state (`state_dict()`); tensors are copies, so later steps do not change it.
    public func stateDict() -> OptimizerStateDict {
        var sd = OptimizerStateDict()
        var index = 0
        for g in paramGroups {
            var ids: [Int] = []
            for p in g.params {
                if let s = state[ObjectIdentifier(p)] {
                    var entry: [String: Tensor] = [:]
                    for (k, t) in s.tensors { entry[k] = noGrad { t.clone() } }
                    if storesStep { entry["step"] = Tensor(scalar: Double(s.step), dtype: .float32) }
                    sd.state[index] = entry
                }
                ids.append(index)
                index += 1
            }
            sd.paramGroups.append((g.options, ids))
        }
        return sd
    }

    /// Restores state saved by `stateDict()` (or read from a PyTorch checkpoint) onto this optimizer's parameters.
    /// Stops with a message when the group structure does not match, like PyTorch.
    public func loadStateDict(_ sd: OptimizerStateDict) {
        emberCheck(sd.paramGroups.count == paramGroups.count, "load_state_dict", "loaded state dict has a different number of parameter groups")
        var byIndex: [Int: Tensor] = [:]
        for (g, saved) in zip(paramGroups, sd.paramGroups) {
            emberCheck(g.params.count == saved.params.count, "load_state_dict", "loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
            for (p, i) in zip(g.params, saved.params) { byIndex[i] = p }
            for (k, v) in saved.options { g[k] = v }
        }
        state = [:]
        for (i, entry) in sd.state {
            guard let p = byIndex[i] else { continue }
            let s = ParamState()
            for (k, t) in entry {
                if k == "step" { s.step = t.item(as: Int.self); continue }
                s.tensors[k] = noGrad { t.to(p.dtype).clone() }
            }
            state[ObjectIdentifier(p)] = s
        }
    }
}
