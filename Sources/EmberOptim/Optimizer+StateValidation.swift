// Checking optimizer state that came from a file before it is used: group structure, option kinds, state shapes.
import Foundation
import Ember

/// A saved optimizer state that does not fit this optimizer; `field` is the path inside the state dict
/// (`param_groups[0].lr`, `state[3].momentum_buffer`).
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let field: String
    public let problem: String
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "optimizer state \(field): \(problem)" }
}

extension HyperParameter {
    /// `number`, `flag`, `pair` or `None`, for messages and kind checks.
    var kindName: String {
        switch self {
        case .number: return "a number"
        case .flag: return "a bool"
        case .pair: return "a pair"
        case .none: return "None"
        }
    }
}

extension Optimizer {
    /// Throws when `sd` (typically read from a checkpoint) cannot be loaded onto this optimizer: a different
    /// number of parameter groups or of parameters in a group, a hyper-parameter whose kind differs from this
    /// optimizer's (`lr` as a pair) or that is not finite, a state tensor whose shape is not its parameter's,
    /// a step count that is negative or not a whole number. `loadStateDict(_:)` stops on these as programming
    /// errors; call this first for state that came from outside.
    public func validate(_ sd: OptimizerStateDict) throws {
        guard sd.paramGroups.count == paramGroups.count else {
            throw OptimizerStateError(field: "param_groups", problem: "has \(sd.paramGroups.count) groups, this optimizer has \(paramGroups.count)")
        }
        var paramsByIndex: [Int: Tensor] = [:]
        for (gi, (group, saved)) in zip(paramGroups, sd.paramGroups).enumerated() {
            guard group.params.count == saved.params.count else {
                throw OptimizerStateError(field: "param_groups[\(gi)].params",
                                          problem: "lists \(saved.params.count) parameters, this optimizer's group has \(group.params.count)")
            }
            for (p, i) in zip(group.params, saved.params) {
                guard paramsByIndex.updateValue(p, forKey: i) == nil else {
                    throw OptimizerStateError(field: "param_groups[\(gi)].params", problem: "parameter index \(i) is listed twice")
                }
            }
            for (key, value) in saved.options {
                if case .number(let v) = value, !v.isFinite {
                    throw OptimizerStateError(field: "param_groups[\(gi)].\(key)", problem: "is \(v)")
                }
                if case .pair(let a, let b) = value, !a.isFinite || !b.isFinite {
                    throw OptimizerStateError(field: "param_groups[\(gi)].\(key)", problem: "is (\(a), \(b))")
                }
                guard let current = group.options[key] else { continue }
                let compatible: Bool
                switch (current, value) {
                case (.number, .number), (.flag, .flag), (.pair, .pair), (.none, _), (_, .none): compatible = true
                case (.number, .flag), (.flag, .number): compatible = true   // Python's bool is an int
                default: compatible = false
                }
                guard compatible else {
                    throw OptimizerStateError(field: "param_groups[\(gi)].\(key)", problem: "is \(value.kindName), this optimizer expects \(current.kindName)")
                }
            }
            if let lr = saved.options["lr"], case .number(let v) = lr, v < 0 {
                throw OptimizerStateError(field: "param_groups[\(gi)].lr", problem: "is negative (\(v))")
            }
        }
        for (i, entry) in sd.state {
            guard let p = paramsByIndex[i] else {
                throw OptimizerStateError(field: "state[\(i)]", problem: "belongs to no parameter of the saved param_groups")
            }
            for (name, t) in entry {
                if name == "step" {
                    guard t.numel == 1, t.dtype.isFloatingPoint || t.dtype.isInteger else {
                        throw OptimizerStateError(field: "state[\(i)].step", problem: "is a \(t.dtype) tensor of shape \(shapeString(t.shape)), not one number")
                    }
                    let v = t.item()
                    guard v.isFinite, v >= 0, v == v.rounded(), v < 1e15 else {
                        throw OptimizerStateError(field: "state[\(i)].step", problem: "is \(v), not a step count")
                    }
                    continue
                }
                guard t.shape == p.shape else {
                    throw OptimizerStateError(field: "state[\(i)].\(name)",
                                              problem: "has shape \(shapeString(t.shape)), its parameter has shape \(shapeString(p.shape))")
                }
                guard t.dtype.isFloatingPoint else {
                    throw OptimizerStateError(field: "state[\(i)].\(name)", problem: "is \(t.dtype), not a floating-point tensor")
                }
                if let bad = firstNonFinite(t) {
                    throw OptimizerStateError(field: "state[\(i)].\(name)", problem: "holds \(bad)")
                }
            }
        }
    }
}

/// "NaN" or "inf" when `t` (floating point) holds such a value, else nil.
func firstNonFinite(_ t: Tensor) -> String? {
    guard t.dtype.isFloatingPoint, t.numel > 0 else { return nil }
    // x - x is 0 for finite x and NaN for NaN and ±inf.
    let bad = noGrad { (t - t).isnan().any().item() != 0 }
    guard bad else { return nil }
    return noGrad { t.isnan().any().item() != 0 } ? "NaN values" : "infinite values"
}
