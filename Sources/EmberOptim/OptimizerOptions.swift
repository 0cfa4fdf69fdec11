// Typed optimizer options: each optimizer's `Options` struct, and the bridge to PyTorch's string keys.
import Ember

/// The options of one optimizer (`SGD.Options`, `Adam.Options`, ...): typed fields read by the update rule,
/// checked at construction with PyTorch's messages.
///
/// PyTorch's keys (`"weight_decay"`, `"betas"`) appear only at the edges: `ParamGroup`'s dictionary form,
/// state dicts and checkpoints. `fields` maps each key to its typed field, in PyTorch's order.
///
/// ```swift
/// var options = SGD.Options(lr: 0.1, momentum: 0.9)
/// options.weightDecay = 5e-4
/// let opt = SGD(net.parameters(), options: options)
/// ```
public protocol OptimizerOptions {
    /// The learning rate (schedulers change it between steps).
    var lr: Double { get set }
    /// PyTorch's key for each option, with the typed field it names.
    static var fields: [OptionField<Self>] { get }
    /// Stops with PyTorch's constructor message (`Invalid learning rate: -1.0`) when a value is out of range.
    func validate()
}

/// One option of an `OptimizerOptions` struct under PyTorch's key.
public struct OptionField<Options> {
    /// PyTorch's key (`"weight_decay"`).
    public let key: String
    let get: (Options) -> HyperParameter
    let set: (inout Options, HyperParameter) -> Void

    /// A floating-point option (`lr`, `momentum`); a bool read from a file counts as 0 or 1, as in Python.
    public static func number(_ key: String, _ path: WritableKeyPath<Options, Double>) -> OptionField {
        OptionField(key: key, get: { .number($0[keyPath: path]) }, set: { $0[keyPath: path] = $1.double })
    }
    /// A flag (`nesterov`, `amsgrad`); a number read from a file counts as true when it is not 0, as in Python.
    public static func flag(_ key: String, _ path: WritableKeyPath<Options, Bool>) -> OptionField {
        OptionField(key: key, get: { .flag($0[keyPath: path]) }, set: { $0[keyPath: path] = $1.bool })
    }
    /// A pair (Adam's `betas`).
    public static func pair(_ key: String, _ path: WritableKeyPath<Options, (Double, Double)>) -> OptionField {
        OptionField(key: key, get: { let (a, b) = $0[keyPath: path]; return .pair(a, b) }, set: { $0[keyPath: path] = $1.pair })
    }
}

extension OptimizerOptions {
    /// The value of the option PyTorch calls `key`, or nil when this optimizer has no such option.
    public func value(forKey key: String) -> HyperParameter? {
        Self.fields.first { $0.key == key }?.get(self)
    }

    /// Sets the option PyTorch calls `key`; returns false (and changes nothing) when there is no such option.
    /// Stops when the value's kind cannot be read as the option's (a pair for `lr`, None for `momentum`).
    @discardableResult
    public mutating func setValue(_ value: HyperParameter, forKey key: String) -> Bool {
        guard let field = Self.fields.first(where: { $0.key == key }) else { return false }
        field.set(&self, value)
        return true
    }

    /// Every option under PyTorch's keys (one entry of `optimizer.state_dict()["param_groups"]`, without `params`).
    public var dictionary: [String: HyperParameter] {
        var d: [String: HyperParameter] = [:]
        for f in Self.fields { d[f.key] = f.get(self) }
        return d
    }
}

/// Checks a hyper-parameter with PyTorch's constructor message (`Invalid learning rate: -1.0`).
func checkHyper(_ ok: Bool, _ what: String, _ value: Double) {
    emberCheck(ok, "optimizer", "Invalid \(what): \(value)")
}
