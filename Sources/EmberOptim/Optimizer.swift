// Optimizer: the base class that walks parameter groups; subclasses write only their per-tensor update.
import Foundation
import Ember

/// A hyper-parameter value of a parameter group (numbers, flags, pairs such as Adam's betas, or None).
public enum HyperParameter: Equatable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)
    case pair(Double, Double)
    case none
    public var double: Double {
        switch self {
        case .number(let v): return v
        case .flag(let b): return b ? 1 : 0
        default: emberFail("optimizer", "hyper-parameter \(self) is not a number")
        }
    }
    public var bool: Bool { if case .flag(let b) = self { return b }; return double != 0 }
    public var pair: (Double, Double) { if case .pair(let a, let b) = self { return (a, b) }; emberFail("optimizer", "hyper-parameter \(self) is not a pair") }
    public var description: String {
        switch self {
        case .number(let v): return "\(v)"
        case .flag(let b): return b ? "True" : "False"
        case .pair(let a, let b): return "(\(a), \(b))"
        case .none: return "None"
        }
    }
}

/// A set of parameters sharing hyper-parameters (an entry of PyTorch's `optimizer.param_groups`).
///
/// ```swift
/// let opt = SGD([ParamGroup([net.weight], ["weight_decay": .number(3)]), ParamGroup([net.bias])], lr: 0.003)
/// opt.paramGroups[0].lr = 0.01
/// ```
public final class ParamGroup {
    public var params: [Tensor]
    public var options: [String: HyperParameter]
    public init(_ params: [Tensor], _ options: [String: HyperParameter] = [:]) {
        self.params = params
        self.options = options
    }
    /// The learning rate of this group (schedulers change it between steps).
    public var lr: Double {
        get { options["lr"]?.double ?? 0 }
        set { options["lr"] = .number(newValue) }
    }
    public subscript(key: String) -> HyperParameter? {
        get { options[key] }
        set { options[key] = newValue }
    }
}

/// Per-parameter optimizer state: named tensors (momentum buffers, moment estimates) and a step count.
public final class ParamState {
    public var tensors: [String: Tensor] = [:]
    public var step = 0
    public init() {}
}

/// The base of all optimizers (`torch.optim.Optimizer`). Captures the parameter references once, so a
/// step never walks the module tree; `step()` calls `update` for each parameter that has a gradient.
open class Optimizer {
    public var paramGroups: [ParamGroup]
    /// The defaults every group starts from; keys absent from a group are filled from here.
    public let defaults: [String: HyperParameter]
    /// State per parameter, keyed by the parameter's identity.
    public var state: [ObjectIdentifier: ParamState] = [:]

    /// Creates an optimizer over groups, filling each group's missing options from `defaults`.
    public init(groups: [ParamGroup], defaults: [String: HyperParameter]) {
        emberCheck(!groups.isEmpty && !groups.allSatisfy({ $0.params.isEmpty }), "optimizer", "optimizer got an empty parameter list")
        self.defaults = defaults
        var seen = Set<ObjectIdentifier>()
        for g in groups {
            for (k, v) in defaults where g.options[k] == nil { g.options[k] = v }
            for p in g.params {
                emberCheck(seen.insert(ObjectIdentifier(p)).inserted, "optimizer", "some parameters appear in more than one parameter group")
                emberCheck(p.isLeaf, "optimizer", "can't optimize a non-leaf Tensor")
            }
        }
        self.paramGroups = groups
    }

    /// Applies one update to every parameter with a gradient, without recording autograd.
    open func step() {
        noGrad {
            for group in paramGroups {
                for p in group.params {
                    guard let g = p.grad else { continue }
                    let s = state[ObjectIdentifier(p)] ?? { let n = ParamState(); state[ObjectIdentifier(p)] = n; return n }()
                    s.step += 1
                    update(p, grad: g, group: group, state: s)
                }
            }
        }
    }

    /// The per-tensor update rule; `state.step` is already incremented (1 on the first step).
    open func update(_ param: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        emberFail("optimizer", "\(type(of: self)) does not implement update(_:grad:group:state:)")
    }

    /// Resets every parameter's gradient: to nil by default, like PyTorch 2 (`zero_grad()`).
    public func zeroGrad(setToNone: Bool = true) {
        for g in paramGroups { for p in g.params { p.zeroGrad(setToNone: setToNone) } }
    }

    /// Adds a parameter group (`add_param_group`), filling its missing options from `defaults`.
    /// Like PyTorch, stops when a parameter is already in another group or is not a leaf.
    public func addParamGroup(_ group: ParamGroup) {
        var seen = Set(paramGroups.flatMap { $0.params.map(ObjectIdentifier.init) })
        for p in group.params {
            emberCheck(seen.insert(ObjectIdentifier(p)).inserted, "optimizer", "some parameters appear in more than one parameter group")
            emberCheck(p.isLeaf, "optimizer", "can't optimize a non-leaf Tensor")
        }
        for (k, v) in defaults where group.options[k] == nil { group.options[k] = v }
        paramGroups.append(group)
    }
}

/// Checks a hyper-parameter with PyTorch's constructor message (`Invalid learning rate: -1.0`).
func checkHyper(_ ok: Bool, _ what: String, _ value: Any) {
    emberCheck(ok, "optimizer", "Invalid \(what): \(value)")
}

/// `pow` for Doubles without colliding with `Tensor.pow` inside optimizer code.
@inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
