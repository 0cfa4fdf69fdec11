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
/// `0`, `1`, ... so state-dict keys match PyTorch's (`0.weight`); `addModule(_:_:)` adds one under its own name.
/// Indexable, mutable and iterable: `net[0]`, `net[2] = Linear(256, 10)`, `for layer in net { ... }`.
///
/// ```swift
/// let net = Sequential { Flatten(); Linear(784, 256); ReLU(); Linear(256, 10) }
/// net.addModule("head", Softmax(dim: 1))     // printed as `(head): Softmax(dim=1)`
/// for layer in net { print(layer) }
/// ```
open class Sequential: Module, Sequence {
    /// Children with their names, in order.
    private var entries: [(name: String, module: Module)]

    public init(_ layers: [Module]) { entries = layers.enumerated().map { (String($0.offset), $0.element) } }
    public convenience init(@ModuleBuilder _ build: () -> [Module]) { self.init(build()) }

    /// The children in order. Setting it renames them `0`, `1`, ...
    public var layers: [Module] {
        get { entries.map(\.module) }
        set { entries = newValue.enumerated().map { (String($0.offset), $0.element) } }
    }

    open override func forward(_ input: Tensor) -> Tensor { entries.reduce(input) { x, entry in entry.module(x) } }
    open override func namedChildren() -> [(String, Module)] { entries.map { ($0.name, $0.module) } }

    /// The child at `index` (negative counts from the end); settable to swap a layer, keeping its name
    /// (PyTorch's `net[6] = nn.Linear(4096, 10)`).
    public subscript(index: Int) -> Module {
        get { entries[position(index)].module }
        set { entries[position(index)].module = newValue }
    }
    /// A new Sequential over a sub-range of the layers (sharing the modules, renumbered), like `net[1:3]`.
    public subscript(range: Range<Int>) -> Sequential { Sequential(entries[range].map(\.module)) }
    public var count: Int { entries.count }
    /// Appends a module named by its position (`append`).
    public func append(_ m: Module) { entries.append((String(entries.count), m)) }

    /// Adds `module` as a child called `name`, after the others, or replaces the child of that name in place
    /// (`add_module`, as the notes do with `vgg.classifier.add_module("add_linear", nn.Linear(1000, 10))`).
    /// It runs in `forward` in this order, like PyTorch's.
    public func addModule(_ name: String, _ module: Module) {
        emberCheck(!name.isEmpty && !name.contains("."), "addModule",
                   "module name can't be empty string \"\" or contain \".\", got: \(name)")
        if let i = entries.firstIndex(where: { $0.name == name }) { entries[i].module = module }
        else { entries.append((name, module)) }
    }

    /// Iterates over the children in order (`for layer in net`).
    public func makeIterator() -> IndexingIterator<[Module]> { layers.makeIterator() }
    public var underestimatedCount: Int { entries.count }

    private func position(_ index: Int) -> Int {
        let i = index < 0 ? index + entries.count : index
        emberCheck(i >= 0 && i < entries.count, "Sequential", "index \(index) is out of range")
        return i
    }
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
