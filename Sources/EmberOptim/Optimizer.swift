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
/// A group is created with PyTorch's keys for the options it overrides; when it joins an optimizer, the
/// optimizer fills the rest from its defaults into its typed `Options` and checks them. Keys that are not
/// options of that optimizer (a scheduler's `initial_lr`) are kept beside them, as PyTorch keeps them.
///
/// ```swift
/// let opt = SGD([ParamGroup([net.weight], ["weight_decay": .number(3)]), ParamGroup([net.bias])], lr: 0.003)
/// opt.paramGroups[0].lr = 0.01
/// opt.paramGroups[0].modifyOptions(as: SGD.Options.self) { $0.momentum = 0.9 }
/// ```
public final class ParamGroup {
    public var params: [Tensor]
    /// The optimizer's typed options for this group; nil until the group joins an optimizer.
    public private(set) var typedOptions: (any OptimizerOptions)?
    /// Keys that are not options of the optimizer: before the group joins one, every key it was created
    /// with; after, a scheduler's bookkeeping (`initial_lr`, `max_lr`) and any other key.
    public private(set) var extras: [String: HyperParameter]

    /// A group of `params`; `options` overrides the optimizer's defaults under PyTorch's keys.
    public init(_ params: [Tensor], _ options: [String: HyperParameter] = [:]) {
        self.params = params
        self.extras = options
    }

    /// Takes `defaults` as this group's options, overridden by the keys it was created with, and checks them.
    func join<O: OptimizerOptions>(defaults: O) {
        var o = defaults
        for (k, v) in extras where o.setValue(v, forKey: k) { extras[k] = nil }
        o.validate()
        typedOptions = o
    }

    /// The typed options (`group.options(as: SGD.Options.self).momentum`); stops when the group belongs to
    /// another kind of optimizer.
    public func options<O: OptimizerOptions>(as _: O.Type) -> O {
        guard let o = typedOptions as? O else {
            emberFail("optimizer", "this parameter group has \(typedOptions.map { String(reflecting: type(of: $0)) } ?? "no optimizer yet"), not \(String(reflecting: O.self))")
        }
        return o
    }

    /// Changes the typed options in place (not checked again, like assigning `param_groups[i]["momentum"]`).
    public func modifyOptions<O: OptimizerOptions>(as type: O.Type, _ body: (inout O) -> Void) {
        var o = options(as: type)
        body(&o)
        typedOptions = o
    }

    /// The learning rate of this group (schedulers change it between steps).
    public var lr: Double {
        get { typedOptions?.lr ?? extras["lr"]?.double ?? 0 }
        set {
            if typedOptions != nil { typedOptions?.lr = newValue } else { extras["lr"] = .number(newValue) }
        }
    }

    /// PyTorch's dictionary view of the group, without `params` (what state dicts hold).
    public var options: [String: HyperParameter] {
        var d = extras
        if let o = typedOptions { d.merge(o.dictionary) { _, typed in typed } }
        return d
    }

    /// An option or scheduler entry by PyTorch's key (`group["momentum"]`, `group["initial_lr"]`). Setting an
    /// option of the optimizer converts the value to the option's type.
    public subscript(key: String) -> HyperParameter? {
        get { typedOptions?.value(forKey: key) ?? extras[key] }
        set {
            if var o = typedOptions, o.value(forKey: key) != nil {
                guard let v = newValue else { emberFail("optimizer", "option \(key) of \(type(of: o)) cannot be removed") }
                o.setValue(v, forKey: key)
                typedOptions = o
            } else {
                extras[key] = newValue
            }
        }
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
    /// The options every group starts from (this optimizer's `Options`).
    public let defaultOptions: any OptimizerOptions
    /// The defaults under PyTorch's keys (`optimizer.defaults`).
    public var defaults: [String: HyperParameter] { defaultOptions.dictionary }
    /// State per parameter, keyed by the parameter's identity.
    public var state: [ObjectIdentifier: ParamState] = [:]

    /// Creates an optimizer over groups: checks `defaults` (PyTorch's constructor messages), then gives each
    /// group `defaults` overridden by its own keys, checked the same way.
    public init<O: OptimizerOptions>(groups: [ParamGroup], defaults: O) {
        defaults.validate()
        emberCheck(!groups.isEmpty && !groups.allSatisfy({ $0.params.isEmpty }), "optimizer", "optimizer got an empty parameter list")
        self.defaultOptions = defaults
        var seen = Set<ObjectIdentifier>()
        for g in groups {
            for p in g.params {
                emberCheck(seen.insert(ObjectIdentifier(p)).inserted, "optimizer", "some parameters appear in more than one parameter group")
                emberCheck(p.isLeaf, "optimizer", "can't optimize a non-leaf Tensor")
            }
            g.join(defaults: defaults)
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
    ///
    /// - Parameters:
    ///   - p: The parameter to update in place.
    ///   - grad: Its gradient.
    ///   - group: Its parameter group (read the typed options with `group.options(as:)`).
    ///   - state: Its state (buffers by PyTorch's names, and the step count).
    open func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
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
        group.join(defaults: defaultOptions)
        paramGroups.append(group)
    }
}

/// `pow` for Doubles without colliding with `Tensor.pow` inside optimizer code.
@inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
