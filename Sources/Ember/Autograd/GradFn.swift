// Graph nodes: one GradFn per recorded op output, AccumulateGrad for leaves, and the `record` helper ops call.

/// A node of the autograd graph: how to turn the gradient of one op output into gradients of its inputs.
///
/// Like PyTorch's `grad_fn`, each node has a name (`AddBackward0`, `MulBackward0`, ...) and edges to the
/// nodes of its inputs (`nextFunctions`). Unlike PyTorch, a node has exactly one output: ops with several
/// differentiable outputs (split, chunk) give each output its own node.
public class GradFn: CustomStringConvertible {
    /// PyTorch's class name for this node, e.g. `MulBackward0`.
    public let name: String
    /// The nodes of this op's inputs, one per input; nil where the input does not require grad.
    public internal(set) var nextFunctions: [GradFn?]
    /// Maps the output gradient to input gradients (nil = no gradient for that input). Freed after backward.
    var backwardFn: ((Tensor) -> [Tensor?])?
    /// Version stamps of the tensors the backward closure saved, to detect in-place writes before backward.
    var savedVersions: [(VersionCounter, Int)]
    /// Set once the saved tensors are freed by a backward without `retainGraph`.
    var released = false
    /// Tensors that asked `retainGrad()`: their gradient is stored when this node runs.
    weak var retainedOutput: Tensor?

    init(name: String, next: [GradFn?], saved: [Tensor], backward: ((Tensor) -> [Tensor?])?) {
        self.name = name
        self.nextFunctions = next
        self.backwardFn = backward
        self.savedVersions = saved.map { ($0.versionBox, $0.versionBox.value) }
    }

    /// `<AddBackward0 object at 0x…>`, as PyTorch prints a `grad_fn`.
    public var description: String { "<\(name) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>" }

    /// Frees the tensors captured for backward (called by the engine unless `retainGraph`).
    func release() {
        backwardFn = nil
        released = true
    }
}

/// The graph node of a leaf tensor that requires grad: adds incoming gradients into its `.grad`.
public final class AccumulateGrad: GradFn {
    /// The leaf (held strongly by the graph; the leaf holds this node only weakly, so there is no cycle).
    /// Public so that graph walks (DistributedDataParallel's unused-parameter search) can name the leaves reached.
    public let variable: Tensor
    init(variable: Tensor) {
        self.variable = variable
        super.init(name: "AccumulateGrad", next: [], saved: [], backward: nil)
    }
}

extension Tensor {
    /// The edge a new node should point to for this input: its `gradFn`, its accumulator if it is a
    /// leaf requiring grad, or nil.
    var gradEdge: GradFn? {
        if let fn = gradFn { return fn }
        guard requiresGradFlag else { return nil }
        if let acc = accumulatorNode { return acc }
        let acc = AccumulateGrad(variable: self)
        accumulatorNode = acc
        return acc
    }
}

/// Records `out` as produced by the op `name` from `inputs` when grad mode is on and any input requires grad.
///
/// `backward` receives the gradient of `out` and returns one gradient (or nil) per input, with the
/// input's shape. It must be written with Tensor ops so that higher-order gradients work (`createGraph`).
/// `saved` lists tensors the closure captured, so that in-place writes to them are caught before backward.
/// Capture `out` only through `out.detach()`, never directly (that would be a reference cycle).
///
/// - Parameters:
///   - out: The op's output, which gets the new node as its `gradFn`.
///   - name: PyTorch's node name (`MulBackward0`), shown by `gradFn`.
///   - inputs: The op's inputs; the backward returns one gradient (or nil) per input.
///   - saved: Tensors the backward reads, checked for in-place changes before it runs.
///   - backward: Maps the output's gradient to the inputs' gradients, written in Tensor ops.
@discardableResult
public func record(_ out: Tensor, _ name: String, inputs: [Tensor], saved: [Tensor] = [],
                   backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
    guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
    emberCheck(out.dtype.isFloatingPoint, name, "only floating point outputs can require gradients, got \(out.dtype)")
    out.gradFn = GradFn(name: name, next: inputs.map { $0.requiresGrad ? $0.gradEdge : nil }, saved: saved, backward: backward)
    out.requiresGradFlag = true
    return out
}

/// Stops with a message when an op that has no backward is applied, with grad mode on, to a tensor that
/// requires grad — a gradient must never be dropped silently.
public func checkNoGradNeeded(_ op: String, _ inputs: Tensor...) {
    if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
        emberFail(op, "the derivative for '\(op)' is not implemented; call it on a detached tensor or inside noGrad { }")
    }
}

/// Like `record`, for ops whose backward is cheapest in terms of their own output (exp, tanh, sigmoid,
/// softmax, ...). The closure receives `(gradOutput, output)`; the output is a `SavedOutput`: kept without a
/// strong link back to its node (no cycle), and re-attached to the node under `createGraph` so second-order
/// gradients flow through it, as PyTorch's SavedVariable does.
///
/// - Parameters:
///   - out: The op's output, which gets the new node as its `gradFn`.
///   - name: PyTorch's node name (`MulBackward0`), shown by `gradFn`.
///   - inputs: The op's inputs; the backward returns one gradient (or nil) per input.
///   - saved: Tensors the backward reads, checked for in-place changes before it runs.
///   - backwardUsingOutput: Maps the output's gradient and the output itself to the inputs' gradients.
@discardableResult
public func record(_ out: Tensor, _ name: String, inputs: [Tensor], saved: [Tensor] = [],
                   backwardUsingOutput: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
    let savedOutput = SavedOutput(out)
    return savedOutput.attach(record(out, name, inputs: inputs, saved: saved + [out]) { g in
        backwardUsingOutput(g, savedOutput.unpack())
    })
}
