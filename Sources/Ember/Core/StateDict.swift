// StateDict: an insertion-ordered name → tensor map, the shape of `model.state_dict()`.

/// Named tensors in insertion order, like the `OrderedDict` that `model.state_dict()` returns.
///
/// ```swift
/// let sd: StateDict = ["0.weight": w, "0.bias": b]
/// try save(sd, to: URL(fileURLWithPath: "mlp.safetensors"))
/// let back = try loadStateDict(from: URL(fileURLWithPath: "mlp.safetensors"))
/// print(back["0.weight"]!.shape)
/// ```
public struct StateDict: RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// The entries in order.
    public private(set) var entries: [(name: String, tensor: Tensor)] = []
    private var index: [String: Int] = [:]

    /// An empty state dict.
    public init() {}

    /// A state dict holding `entries` in order; a repeated name keeps its first position and its last tensor.
    public init(_ entries: [(name: String, tensor: Tensor)]) {
        for (n, t) in entries { self[n] = t }
    }

    public init(dictionaryLiteral elements: (String, Tensor)...) {
        for (n, t) in elements { self[n] = t }
    }

    /// The names in order.
    public var names: [String] { entries.map(\.name) }
    /// The names in order (PyTorch's `state_dict().keys()`).
    public var keys: [String] { names }

    /// The tensor called `name`; assigning appends or replaces in place, nil removes.
    public subscript(name: String) -> Tensor? {
        get { index[name].map { entries[$0].tensor } }
        set {
            switch (index[name], newValue) {
            case let (i?, t?): entries[i].tensor = t
            case let (nil, t?):
                index[name] = entries.count
                entries.append((name, t))
            case let (i?, nil):
                entries.remove(at: i)
                index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
            case (nil, nil): break
            }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }
    public subscript(position: Int) -> (name: String, tensor: Tensor) { entries[position] }
}
