// StateDict: an ordered name → tensor mapping, the currency of checkpoints (`module.state_dict()`).

/// An ordered mapping from dotted names (`features.0.weight`, `bn1.running_mean`) to tensors, like the
/// `OrderedDict` PyTorch's `state_dict()` returns. Order is insertion order and is preserved on save/load.
///
/// ```swift
/// var sd = StateDict()
/// sd["weight"] = Tensor.ones([2, 2])
/// for (name, t) in sd { print(name, t.shape) }
/// ```
public struct StateDict: Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public private(set) var keys: [String] = []
    private var storage: [String: Tensor] = [:]

    public init() {}
    public init(dictionaryLiteral elements: (String, Tensor)...) { for (k, v) in elements { self[k] = v } }
    public init(_ pairs: [(String, Tensor)]) { for (k, v) in pairs { self[k] = v } }

    /// The tensor stored under `key`; setting nil removes the key, setting a new key appends it.
    public subscript(key: String) -> Tensor? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    /// Entries in order.
    public var entries: [(key: String, value: Tensor)] { keys.map { ($0, storage[$0]!) } }
    public func makeIterator() -> IndexingIterator<[(key: String, value: Tensor)]> { entries.makeIterator() }
    public var description: String {
        "StateDict(" + entries.map { "\($0.key): \(shapeString($0.value.shape)) \($0.value.dtype)" }.joined(separator: ", ") + ")"
    }
}
