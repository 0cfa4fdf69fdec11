// GraphTrace: builds graph nodes from a module tree and from a tensor's autograd graph.

import Ember

/// What `addGraph(model:input:)` needs from a model: its module tree, parameters and forward.
///
/// EmberNN's `Module` conforms to this (the scope names come out as PyTorch's: `Sequential/Linear[3]`).
/// The graph is traced by running the model once with grad mode on and reading the autograd graph, so
/// the nodes are the ops that really ran. A module whose forward applies its children in order
/// (`graphChainsChildren`, e.g. `Sequential`) is traced child by child, each child in its own scope;
/// any other module is traced as one scope holding all its ops, with its descendants' parameters named
/// by their path (`Residual/Conv2d[conv1]/weight`).
public protocol GraphExportable: AnyObject {
    /// The name of the module's type, used in scope names (`Linear` → `Sequential/Linear[0]`).
    var graphTypeName: String { get }
    /// Direct submodules in registration order (PyTorch's `named_children()`).
    var graphChildren: [(name: String, module: any GraphExportable)] { get }
    /// The module's own parameters, not its children's (`named_parameters(recurse=False)`).
    var graphParameters: [(name: String, tensor: Tensor)] { get }
    /// True when forward is exactly "apply each child in order" (`Sequential`).
    var graphChainsChildren: Bool { get }
    /// Runs the module's forward on `input`.
    func graphForward(_ input: Tensor) -> Tensor
    /// Runs the module's forward on `input`, calling `report(module, output)` after each submodule call
    /// (inner calls first), so the tracer can put every op in the box of the module that ran it.
    func graphForward(_ input: Tensor, reportingCalls report: @escaping (AnyObject, Tensor) -> Void) -> Tensor
}

extension GraphExportable {
    /// Default: the Swift type's name.
    public var graphTypeName: String { String(describing: type(of: self)) }
    /// Default: no children.
    public var graphChildren: [(name: String, module: any GraphExportable)] { [] }
    /// Default: no parameters.
    public var graphParameters: [(name: String, tensor: Tensor)] { [] }
    /// Default: false (forward is traced as one scope).
    public var graphChainsChildren: Bool { false }
    /// Default: no reports (every op of the forward lands in this module's scope).
    public func graphForward(_ input: Tensor, reportingCalls report: @escaping (AnyObject, Tensor) -> Void) -> Tensor {
        graphForward(input)
    }
}

/// PyTorch-style op name for an autograd node: `AddmmBackward0` → `aten::addmm`,
/// `MaxPool2DWithIndicesBackward0` → `aten::max_pool2d_with_indices`.
func atenName(_ gradFnName: String) -> String {
    if gradFnName == "AccumulateGrad" { return "prim::GetAttr" }
    var base = Substring(gradFnName)
    if let r = base.range(of: "Backward", options: .backwards) { base = base[..<r.lowerBound] }
    let chars = Array(base)
    var out = ""
    for (i, c) in chars.enumerated() {
        if c.isUppercase && i > 0 {
            let prev = chars[i - 1]
            let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
            if prev.isLowercase || ((prev.isUppercase || prev.isNumber) && nextIsLower) { out += "_" }
        }
        out += c.lowercased()
    }
    return "aten::" + out
}

/// Collects graph nodes while walking autograd graphs; names are unique across the whole trace.
struct GraphTracer {
    var nodes: [GraphNode] = []
    var counter = 0
    /// Node name of every autograd node already emitted (and of the marked inputs).
    var names: [ObjectIdentifier: String] = [:]
    /// Names for the accumulators of known parameters.
    var parameterNames: [ObjectIdentifier: String] = [:]
    /// Keeps the autograd nodes alive while their identities are used as keys.
    var retained: [GradFn] = []
    /// The scope of the innermost submodule call that produced each autograd node (see `claim`).
    var claims: [ObjectIdentifier: String] = [:]
    /// Output shapes of submodule calls, by the autograd node of their output.
    var claimedShapes: [ObjectIdentifier: [Int]] = [:]

    mutating func nextID() -> Int {
        counter += 1
        return counter
    }

    /// Emits (once) the node for `fn` and its inputs, returning its name. Inputs that reach no marked
    /// input get `fallbackInput` (the traced module's input, when it could not be marked).
    mutating func emit(_ fn: GradFn, scope: String, fallbackInput: String?) -> String {
        let key = ObjectIdentifier(fn)
        if let name = names[key] { return name }
        retained.append(fn)
        let nodeScope = claims[key] ?? scope
        let prefix = nodeScope.isEmpty ? "" : nodeScope + "/"
        if fn.name == "AccumulateGrad" {
            let name = parameterNames[key] ?? "\(prefix)parameter.\(nextID())"
            names[key] = name
            nodes.append(GraphNode(name: name, op: "prim::GetAttr"))
            return name
        }
        var opInputs: [String] = []
        var fedByData = false
        for case let next? in fn.nextFunctions {
            let name = emit(next, scope: scope, fallbackInput: fallbackInput)
            if next.name != "AccumulateGrad" { fedByData = true }
            if !opInputs.contains(name) { opInputs.append(name) }
        }
        if !fedByData, let fallbackInput { opInputs.insert(fallbackInput, at: 0) }
        let op = atenName(fn.name)
        let name = "\(prefix)\(op.dropFirst(6)).\(nextID())"
        names[key] = name
        nodes.append(GraphNode(name: name, op: op, inputs: opInputs, outputShape: claimedShapes[key]))
        return name
    }

    /// Gives the ops that produced `output` (back to nodes already claimed, the traced input and parameters)
    /// to `scope`: called after each submodule call, inner calls first, so each op lands in the innermost
    /// module that ran it.
    mutating func claim(_ output: Tensor, scope: String) {
        guard let fn = output.gradFn else { return }
        let top = ObjectIdentifier(fn)
        if claimedShapes[top] == nil, claims[top] == nil { claimedShapes[top] = output.shape }
        var stack = [fn]
        while let f = stack.popLast() {
            let key = ObjectIdentifier(f)
            if claims[key] != nil || names[key] != nil || f.name == "AccumulateGrad" { continue }
            claims[key] = scope
            retained.append(f)
            for case let next? in f.nextFunctions { stack.append(next) }
        }
    }

    /// The scope of `module` and of every descendant, by object identity.
    func scopes(of module: any GraphExportable, scope: String, into table: inout [ObjectIdentifier: String]) {
        table[ObjectIdentifier(module)] = scope
        for (name, child) in module.graphChildren {
            scopes(of: child, scope: "\(scope)/\(child.graphTypeName)[\(name)]", into: &table)
        }
    }

    /// Runs `module` on `input` (named `inputName` in the graph) inside `scope` and returns the output
    /// tensor and its node name.
    mutating func trace(_ module: any GraphExportable, scope: String, input: Tensor, inputName: String) -> (Tensor, String) {
        if module.graphChainsChildren && !module.graphChildren.isEmpty {
            var x = input, name = inputName
            for (childName, child) in module.graphChildren {
                (x, name) = trace(child, scope: "\(scope)/\(child.graphTypeName)[\(childName)]", input: x, inputName: name)
            }
            return (x, name)
        }
        // Cut the graph at the module's input: a fresh leaf behind an expand view (valid for any strides),
        // whose autograd node then stands for the input.
        var start = input.detach()
        var fallback: String? = inputName
        if input.dtype.isFloatingPoint {
            start = start.requiresGrad_(true).expand(input.shape)
            names[ObjectIdentifier(start.gradFn!)] = inputName
            retained.append(start.gradFn!)
            fallback = nil
        }
        // Submodule calls report their outputs (inner first); their ops go into their own boxes.
        final class Calls { var list: [(AnyObject, Tensor)] = [] }
        let calls = Calls()
        let output = module.graphForward(start) { m, out in calls.list.append((m, out)) }
        var table: [ObjectIdentifier: String] = [:]
        scopes(of: module, scope: scope, into: &table)
        for (m, out) in calls.list where m !== module {
            if let s = table[ObjectIdentifier(m)] { claim(out, scope: s) }
        }
        for (path, tensor) in allParameters(module, scope: scope) where tensor.requiresGrad {
            // An expand view's only edge is the parameter's accumulator, the node the forward pass used too.
            if let acc = tensor.expand(tensor.shape).gradFn?.nextFunctions.first ?? nil {
                parameterNames[ObjectIdentifier(acc)] = path
                retained.append(acc)
            }
        }
        // A module returning its input unchanged (or a result with no autograd record) still gets a node,
        // as PyTorch shows `aten::flatten` even when flattening changes nothing.
        guard output !== start, let fn = output.gradFn else {
            let name = "\(scope)/\(module.graphTypeName.lowercased()).\(nextID())"
            nodes.append(GraphNode(name: name, op: module.graphTypeName, inputs: [inputName], outputShape: output.shape))
            return (output, name)
        }
        let name = emit(fn, scope: scope, fallbackInput: fallback)
        if let i = nodes.lastIndex(where: { $0.name == name }) { nodes[i].outputShape = output.shape }
        return (output, name)
    }

    /// Every parameter of `module` and its descendants, named by scope path.
    func allParameters(_ module: any GraphExportable, scope: String) -> [(String, Tensor)] {
        var out = module.graphParameters.map { ("\(scope)/\($0.name)", $0.tensor) }
        for (name, child) in module.graphChildren {
            out += allParameters(child, scope: "\(scope)/\(child.graphTypeName)[\(name)]")
        }
        return out
    }
}

/// The graph of `model` applied to `input`, as PyTorch's `add_graph` lays it out: an `input/input.1`
/// IO node, the model's ops scoped by module (`Sequential/Linear[3]/addmm.7`, with `_output_shapes` on
/// each module's output), and an `output/output.1` IO node.
///
/// Unlike PyTorch (which traces with TorchScript), the ops are read from the autograd graph, so ops
/// that record no autograd node (integer ops, in-place writes of constants) do not appear.
public func graphNodes(model: any GraphExportable, input: Tensor) -> [GraphNode] {
    var tracer = GraphTracer()
    let inputName = "input/input.1"
    tracer.nodes.append(GraphNode(name: inputName, op: "IO Node", outputShape: input.shape, attributes: ""))
    let (output, last) = enableGrad { tracer.trace(model, scope: model.graphTypeName, input: input, inputName: inputName) }
    tracer.nodes.append(GraphNode(name: "output/output.1", op: "IO Node", inputs: [last], outputShape: output.shape,
                                  attributes: ""))
    return tracer.nodes
}

/// The autograd graph that produced `output` (its `gradFn` and everything reachable through
/// `nextFunctions`), ending in an `output/output.1` IO node. Leaves named in `parameters` keep those
/// names; other leaves are `parameter.N`.
///
/// ```swift
/// let loss = ((w * x).sum() - 1).pow(2)
/// try writer.addGraph(output: loss, parameters: [("w", w)])
/// ```
public func graphNodes(output: Tensor, parameters: [(String, Tensor)] = []) -> [GraphNode] {
    var tracer = GraphTracer()
    enableGrad {
        for (name, tensor) in parameters where tensor.requiresGrad && tensor.isLeaf {
            if let acc = tensor.expand(tensor.shape).gradFn?.nextFunctions.first ?? nil {
                tracer.parameterNames[ObjectIdentifier(acc)] = name
                tracer.retained.append(acc)
            }
        }
    }
    var last: [String] = []
    if let fn = output.gradFn {
        last = [tracer.emit(fn, scope: "", fallbackInput: nil)]
        if let i = tracer.nodes.lastIndex(where: { $0.name == last[0] }) { tracer.nodes[i].outputShape = output.shape }
    }
    tracer.nodes.append(GraphNode(name: "output/output.1", op: "IO Node", inputs: last, outputShape: output.shape,
                                  attributes: ""))
    return tracer.nodes
}
