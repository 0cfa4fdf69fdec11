// CheckpointValue: the tree a general checkpoint holds (tensors, numbers, strings, lists, ordered dicts).
import Ember

/// A dictionary key in a checkpoint: PyTorch state dicts use strings, optimizer state uses parameter indices.
public enum CheckpointKey: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A `str` key (state-dict names, `"param_groups"`).
    case string(String)
    /// An `int` key (optimizer state is keyed by parameter index).
    case int(Int)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    /// The key as Python prints it inside a dotted path: `model.1.weight`, `state.0.momentum_buffer`.
    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        }
    }
}

/// An insertion-ordered dictionary of a checkpoint, like Python's `dict` / `collections.OrderedDict`.
///
/// `isOrderedDict` records which of the two it was (a state dict is an `OrderedDict`, an optimizer's
/// `state_dict()` is a plain `dict`) so a round trip through `.pt` gives PyTorch the same types back.
public struct CheckpointDict {
    /// The entries in insertion order.
    public private(set) var entries: [(key: CheckpointKey, value: CheckpointValue)]
    /// Position of each key in `entries`, so lookups and inserts take constant time (files hold 100k+ keys).
    private var positions: [CheckpointKey: Int] = [:]
    /// True for `collections.OrderedDict`, false for a plain `dict`.
    public var isOrderedDict: Bool

    /// An empty dict (a plain `dict` unless `isOrderedDict`).
    public init(isOrderedDict: Bool = false) {
        entries = []
        self.isOrderedDict = isOrderedDict
    }

    /// A dict with `entries` in order; a repeated key keeps its first position and its last value, as in Python.
    public init(_ entries: [(key: CheckpointKey, value: CheckpointValue)], isOrderedDict: Bool = false) {
        self.init(isOrderedDict: isOrderedDict)
        for (k, v) in entries { self[k] = v }
    }

    /// The keys in order.
    public var keys: [CheckpointKey] { entries.map(\.key) }
    /// Number of entries.
    public var count: Int { entries.count }

    /// The value for `key`; assigning appends a new key at the end or replaces in place; nil removes.
    public subscript(key: CheckpointKey) -> CheckpointValue? {
        get { positions[key].map { entries[$0].value } }
        set {
            switch (positions[key], newValue) {
            case let (i?, v?): entries[i].value = v
            case let (nil, v?):
                positions[key] = entries.count
                entries.append((key, v))
            case let (i?, nil):
                entries.remove(at: i)
                positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.key, $0) })
            case (nil, nil): break
            }
        }
    }

    /// Appends without looking for an existing key (the caller guarantees it is new).
    mutating func appendUnchecked(_ key: CheckpointKey, _ value: CheckpointValue) {
        positions[key] = entries.count
        entries.append((key, value))
    }
}

/// A value inside a checkpoint: what `torch.save` can write and `torch.load(weights_only=True)` reads back.
///
/// ```swift
/// let ckpt: CheckpointValue = ["epoch": 3, "model": .stateDict(model), "loss": 0.25]
/// try saveCheckpoint(ckpt, to: URL(fileURLWithPath: "ckpt.pt"))
/// let epoch = try loadCheckpoint(from: url)["epoch"]?.int   // 3
/// ```
public indirect enum CheckpointValue {
    /// A tensor (views keep their strides and offset; tensors sharing storage stay shared through `.pt`).
    case tensor(Tensor)
    /// A Python `int` (64-bit here; larger ints are refused on read).
    case int(Int)
    /// A Python `float`.
    case double(Double)
    /// A Python `bool`.
    case bool(Bool)
    /// A Python `str`.
    case string(String)
    /// Python's `None`.
    case none
    /// A Python `list`.
    case list([CheckpointValue])
    /// A Python `tuple` (also what `torch.Size` reads as).
    case tuple([CheckpointValue])
    /// A `dict` or `OrderedDict`, insertion-ordered.
    case dict(CheckpointDict)

    /// An `OrderedDict` of tensors, as `model.state_dict()` returns it.
    public static func stateDict(_ sd: StateDict) -> CheckpointValue {
        .dict(CheckpointDict(sd.map { (key: CheckpointKey.string($0.name), value: CheckpointValue.tensor($0.tensor)) },
                             isOrderedDict: true))
    }

    /// The tensor, if this is one.
    public var tensor: Tensor? { if case .tensor(let t) = self { return t }; return nil }
    /// The integer, if this is one.
    public var int: Int? { if case .int(let v) = self { return v }; return nil }
    /// The number as a Double, if this is an int or a float.
    public var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    /// The Bool, if this is one.
    public var bool: Bool? { if case .bool(let v) = self { return v }; return nil }
    /// The string, if this is one.
    public var string: String? { if case .string(let v) = self { return v }; return nil }
    /// The dict, if this is one.
    public var dict: CheckpointDict? { if case .dict(let v) = self { return v }; return nil }
    /// The elements of a list or tuple.
    public var elements: [CheckpointValue]? {
        switch self {
        case .list(let v), .tuple(let v): return v
        default: return nil
        }
    }
    /// True for `None`.
    public var isNone: Bool { if case .none = self { return true }; return false }

    /// A dict's value for `key`, or a list's/tuple's element at an integer key; nil otherwise.
    public subscript(key: CheckpointKey) -> CheckpointValue? {
        switch (self, key) {
        case (.dict(let d), _): return d[key]
        case (.list(let v), .int(let i)), (.tuple(let v), .int(let i)): return v.indices.contains(i) ? v[i] : nil
        default: return nil
        }
    }

    /// Every tensor in the tree with its dotted path (`model.1.weight`, `optimizer.state.0.momentum_buffer`),
    /// in order: the names `inspect` prints and `convert` uses when flattening a checkpoint.
    public func flattenedTensors(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        func walk(_ v: CheckpointValue, _ path: String) {
            func join(_ k: String) -> String { path.isEmpty ? k : path + "." + k }
            switch v {
            case .tensor(let t): out.append((path, t))
            case .list(let items), .tuple(let items): for (i, x) in items.enumerated() { walk(x, join(String(i))) }
            case .dict(let d): for (k, x) in d.entries { walk(x, join(k.description)) }
            default: break
            }
        }
        walk(self, prefix)
        return out
    }

    /// The dotted path of the first leaf that is not a tensor (nil when every leaf is a tensor).
    func firstNonTensorLeaf(_ path: String = "") -> (String, CheckpointValue)? {
        func join(_ k: String) -> String { path.isEmpty ? k : path + "." + k }
        switch self {
        case .tensor: return nil
        case .list(let items), .tuple(let items):
            for (i, x) in items.enumerated() { if let r = x.firstNonTensorLeaf(join(String(i))) { return r } }
            return nil
        case .dict(let d):
            for (k, x) in d.entries { if let r = x.firstNonTensorLeaf(join(k.description)) { return r } }
            return nil
        default: return (path, self)
        }
    }

    /// A short value for messages: `'abc'` for a string, `2.5` for a float, the kind name for containers.
    public var shortDescription: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "True" : "False"
        case .string(let s): return "'" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "'"
        case .tensor(let t): return "tensor of shape \(shapeString(t.shape))"
        default: return kindName
        }
    }

    /// A short type name for messages: `tensor`, `int`, `dict`, ...
    public var kindName: String {
        switch self {
        case .tensor: return "tensor"
        case .int: return "int"
        case .double: return "float"
        case .bool: return "bool"
        case .string: return "str"
        case .none: return "None"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict(let d): return d.isOrderedDict ? "OrderedDict" : "dict"
        }
    }
}

extension CheckpointValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: CheckpointValue...) { self = .list(elements) }
    /// A plain `dict` (what a checkpoint's top level is in PyTorch code: `{"epoch": ..., "model": ...}`).
    public init(dictionaryLiteral elements: (CheckpointKey, CheckpointValue)...) {
        self = .dict(CheckpointDict(elements.map { (key: $0.0, value: $0.1) }))
    }
    public init(nilLiteral: ()) { self = .none }
}
