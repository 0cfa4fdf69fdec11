// Containers: Sequential (list or result builder), ModuleList and ModuleDict.
import Ember

/// Builds a list of modules from a block, so `Sequential { Linear(4, 8); ReLU(); Linear(8, 1) }` reads like PyTorch.
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ m: Module) -> [Module] { [m] }
    public static func buildExpression(_ ms: [Module]) -> [Module] { ms }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ m: [Module]?) -> [Module] { m ?? [] }
    public static func buildEither(first m: [Module]) -> [Module] { m }
    public static func buildEither(second m: [Module]) -> [Module] { m }
    public static func buildArray(_ ms: [[Module]]) -> [Module] { ms.flatMap { $0 } }
}

/// Runs its children in order, feeding each output to the next (`nn.Sequential`). Children are named
/// `0`, `1`, ... so state-dict keys match PyTorch's (`0.weight`). Indexable and mutable:
/// `net[0]`, `net[2] = Linear(256, 10)`.
///
/// ```swift
/// let net = Sequential { Flatten(); Linear(784, 256); ReLU(); Linear(256, 10) }
/// ```
open class Sequential: Module {
    public var layers: [Module]
    public init(_ layers: [Module]) { self.layers = layers }
    public convenience init(@ModuleBuilder _ build: () -> [Module]) { self.init(build()) }

    open override func forward(_ input: Tensor) -> Tensor { layers.reduce(input) { x, layer in layer(x) } }
    open override func namedChildren() -> [(String, Module)] { layers.enumerated().map { (String($0.offset), $0.element) } }

    /// The child at `index` (negative counts from the end); settable to swap a layer.
    public subscript(index: Int) -> Module {
        get { layers[index < 0 ? index + layers.count : index] }
        set { layers[index < 0 ? index + layers.count : index] = newValue }
    }
    /// A new Sequential over a sub-range of the layers (sharing the modules), like `net[1:3]`.
    public subscript(range: Range<Int>) -> Sequential { Sequential(Array(layers[range])) }
    public var count: Int { layers.count }
    /// Appends a module (`append`).
    public func append(_ m: Module) { layers.append(m) }
}

/// A list of modules registered as children `0`, `1`, ... (`nn.ModuleList`); it has no forward.
public final class ModuleList: Module, Sequence {
    public var items: [Module]
    public init(_ items: [Module] = []) { self.items = items }
    public override func namedChildren() -> [(String, Module)] { items.enumerated().map { (String($0.offset), $0.element) } }
    /// The module at `index` (negative counts from the end).
    public subscript(index: Int) -> Module {
        get { items[index < 0 ? index + items.count : index] }
        set { items[index < 0 ? index + items.count : index] = newValue }
    }
    public var count: Int { items.count }
    public func append(_ m: Module) { items.append(m) }
    public func makeIterator() -> IndexingIterator<[Module]> { items.makeIterator() }
}

/// Named child modules in insertion order (`nn.ModuleDict`).
public final class ModuleDict: Module {
    public private(set) var keys: [String] = []
    private var table: [String: Module] = [:]
    public init(_ pairs: [(String, Module)] = []) {
        super.init()
        for (k, m) in pairs { self[k] = m }
    }
    public override func namedChildren() -> [(String, Module)] { keys.map { ($0, table[$0]!) } }
    public subscript(key: String) -> Module? {
        get { table[key] }
        set {
            if let m = newValue { if table.updateValue(m, forKey: key) == nil { keys.append(key) } }
            else if table.removeValue(forKey: key) != nil { keys.removeAll { $0 == key } }
        }
    }
}
