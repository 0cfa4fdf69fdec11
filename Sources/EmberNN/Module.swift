// Module: the base class of layers and models, finding its parameters, buffers and children by reflection.
import Ember

/// The base class of every layer and model (`torch.nn.Module`).
///
/// Subclasses declare tensors with `@Parameter`/`@Buffer` and child modules as stored properties
/// (`Module`, `Module?`, `[Module]`, `Sequential`, `ModuleList`, `ModuleDict`); the base class finds them by
/// reflection — no hand-written lists — and names them like PyTorch (`features.0.weight`,
/// `layer1.0.bn1.running_mean`). Override `forward(_:)`; call the module like a function.
///
/// ```swift
/// final class MLP: Module {
///     let hidden = Linear(784, 256), out = Linear(256, 10)
///     override func forward(_ x: Tensor) -> Tensor { out(hidden(x).relu()) }
/// }
/// ```
@dynamicMemberLookup
open class Module: CustomStringConvertible {
    /// Training mode (dropout active, batch norm uses batch statistics); set by `train()`/`eval()`.
    public private(set) var training = true

    public init() {}

    /// The computation of this module; subclasses override it.
    open func forward(_ input: Tensor) -> Tensor {
        emberFail(typeName, "Module [\(typeName)] is missing the required \"forward\" function")
    }
    /// Runs `forward` (`module(x)` in PyTorch).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        if let observer = ModuleCalls.observer { observer.moduleDidRun(self, input: input, output: output) }
        return output
    }

    /// The class name shown in printed trees and messages.
    open var typeName: String { String(describing: type(of: self)) }

    // MARK: Discovery

    /// Direct children with their names, in declaration order (`named_children()`).
    open func namedChildren() -> [(String, Module)] {
        var out: [(String, Module)] = []
        forEachReflectedProperty { label, value in
            if value is RegisteredTensorSlot { return }
            if let m = value as? Module { out.append((snakeCase(label), m)); return }
            if let ms = value as? [Module] {
                for (i, m) in ms.enumerated() { out.append(("\(snakeCase(label)).\(i)", m)) }
            }
        }
        return out
    }

    /// This module's own tensors (not its children's), in declaration order.
    func ownSlots() -> [(String, RegisteredTensorSlot)] {
        var out: [(String, RegisteredTensorSlot)] = []
        forEachReflectedProperty { label, value in
            if let slot = value as? RegisteredTensorSlot { out.append((slot.key ?? snakeCase(label), slot)) }
        }
        return out
    }

    /// Calls `body(label, value)` for each stored property, base classes first; wrapper storage `_x` is reported as `x`.
    private func forEachReflectedProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: self)
        while let cur = m { mirrors.append(cur); m = cur.superclassMirror }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                if label.hasPrefix("$__lazy_storage_$_") { continue }
                // Unwrap optionals: a nil Optional inside Any does not compare to nil, so ask the mirror.
                let inner = Mirror(reflecting: child.value)
                if inner.displayStyle == .optional {
                    guard let some = inner.children.first else { continue }
                    body(label, some.value)
                } else {
                    body(label, child.value)
                }
            }
        }
    }

    /// Direct children (`children()`).
    public func children() -> [Module] { namedChildren().map { $0.1 } }

    /// This module and all descendants with dotted names, depth first (`named_modules()`); shared modules appear once.
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Module)] = []
        func visit(_ m: Module, _ name: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            out.append((name, m))
            for (n, c) in m.namedChildren() { visit(c, name.isEmpty ? n : "\(name).\(n)") }
        }
        visit(self, prefix)
        return out
    }
    /// This module and all descendants (`modules()`).
    public func modules() -> [Module] { namedModules().map { $0.1 } }

    /// Every trainable tensor with its dotted name (`named_parameters()`); a tensor shared by two modules appears once.
    /// With `recurse: false`, only this module's own parameters (`named_parameters(recurse=False)`).
    public func namedParameters(recurse: Bool = true) -> [(String, Tensor)] {
        if !recurse { return ownSlots().compactMap { n, s in s.isBuffer ? nil : s.tensor.map { (n, $0) } } }
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, slot) in m.ownSlots() where !slot.isBuffer {
                guard let t = slot.tensor, seen.insert(ObjectIdentifier(t)).inserted else { continue }
                out.append((prefix.isEmpty ? name : "\(prefix).\(name)", t))
            }
        }
        return out
    }
    /// Every trainable tensor (`parameters()`), for optimizers.
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// Every buffer with its dotted name (`named_buffers()`).
    public func namedBuffers() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, slot) in m.ownSlots() where slot.isBuffer {
                if let t = slot.tensor { out.append((prefix.isEmpty ? name : "\(prefix).\(name)", t)) }
            }
        }
        return out
    }

    /// A registered parameter or buffer of this module by name: `net[0].weight` works on any `Module`.
    ///
    /// The trade-off of dynamic member lookup: a misspelt name (`lin.weihgt`) compiles and stops at run time
    /// with "Linear has no parameter or buffer 'weihgt' (it has: weight, bias)", and calling a method that
    /// does not exist reads to the compiler as calling a tensor ("cannot call value of non-function type
    /// 'Tensor'"). On a concrete layer type (`let lin: Linear`), its declared properties are checked at compile
    /// time as usual; the lookup only serves modules seen as `Module`.
    public subscript(dynamicMember name: String) -> Tensor {
        let key = snakeCase(name)
        let slots = ownSlots()
        for (n, slot) in slots where n == key || n == name {
            guard let t = slot.tensor else { emberFail(typeName, "'\(name)' is None") }
            return t
        }
        let names = slots.map(\.0)
        let close = names.filter { editDistance($0, key) <= 2 }
        emberFail(typeName, "\(typeName) has no parameter or buffer '\(name)' (it has: \(names.isEmpty ? "none" : names.joined(separator: ", ")))"
                  + (close.isEmpty ? "" : "; did you mean '\(close[0])'?"))
    }

    // MARK: Modes and utilities

    /// Sets training mode on this module and every descendant (`train()`); returns self.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.training = mode }
        return self
    }
    /// Sets evaluation mode (`eval()`); returns self.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Calls `fn` on every descendant and then on self (`apply`, e.g. the notes' `net.apply(init_weights)`).
    @discardableResult
    public func apply(_ fn: (Module) -> Void) -> Self {
        for c in children() { c.apply(fn) }
        fn(self)
        return self
    }

    /// Resets the gradients of every parameter: to nil by default, like PyTorch 2 (`zero_grad()`).
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() { p.zeroGrad(setToNone: setToNone) }
    }

    /// Turns gradient tracking of every parameter on or off (`requires_grad_()`, used to freeze layers).
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) -> Self {
        for p in parameters() { p.requiresGrad = flag }
        return self
    }

    /// Every registered tensor slot with its dotted name, params before buffers within each module (PyTorch's state-dict order).
    /// Unlike `namedModules()`, a module shared under two names is listed under both, as `state_dict()` lists it.
    func namedSlots() -> [(String, RegisteredTensorSlot)] {
        var out: [(String, RegisteredTensorSlot)] = []
        var path = Set<ObjectIdentifier>()   // guards against a child that points back to an ancestor
        func visit(_ m: Module, _ prefix: String) {
            guard path.insert(ObjectIdentifier(m)).inserted else { return }
            defer { path.remove(ObjectIdentifier(m)) }
            let own = m.ownSlots()
            for (name, slot) in own.filter({ !$0.1.isBuffer }) + own.filter({ $0.1.isBuffer }) {
                out.append((prefix.isEmpty ? name : "\(prefix).\(name)", slot))
            }
            for (n, c) in m.namedChildren() { visit(c, prefix.isEmpty ? n : "\(prefix).\(n)") }
        }
        visit(self, "")
        return out
    }

    // MARK: Printing

    /// Extra text inside the parentheses of this module's printed form (`extra_repr`).
    open var extraDescription: String { "" }

    /// The module tree, printed like PyTorch's `print(net)`.
    public var description: String {
        let kids = namedChildren()
        if kids.isEmpty { return "\(typeName)(\(extraDescription))" }
        var lines = ["\(typeName)("]
        if !extraDescription.isEmpty { lines.append("  " + extraDescription) }
        for (name, child) in kids {
            let text = child.description.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? String($0.element) : "  " + $0.element }.joined(separator: "\n")
            lines.append("  (\(name)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}

/// The number of single-character insertions, deletions and substitutions between two names (for suggestions).
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + [Int](repeating: 0, count: y.count)
        for j in stride(from: 1, through: y.count, by: 1) {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}

extension Module {
    /// Moves every parameter and buffer (with their gradients) to `device` in place, as `torch.nn.Module.to(device)`:
    /// the tensors keep their identity, so an optimizer built before the move keeps updating them.
    ///
    /// ```swift
    /// let model = LeNet().to(.cuda(0))
    /// ```
    @discardableResult
    public func to(_ device: Device) -> Self {
        for (_, p) in namedParameters() { p.move_(to: device) }
        for (_, b) in namedBuffers() { b.move_(to: device) }
        return self
    }
}
