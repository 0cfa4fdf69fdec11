// SavedOutput: an op's output kept for its own backward formula, re-attached to the graph under createGraph.

/// An op's output saved for its backward, like PyTorch's `SavedVariable` for outputs.
///
/// Capturing the output tensor in its own backward closure is a reference cycle, and capturing
/// `out.detach()` cuts the output's dependence on the input, which makes second-order gradients wrong
/// (softmax, norm, logsumexp, prod need the output). `unpack()` returns the detached value in a plain
/// backward; when the backward records a graph (`createGraph`), it returns a tensor sharing that value
/// whose `gradFn` is the op's own node (held weakly here, so there is no cycle).
///
/// ```swift
/// let saved = SavedOutput(out)
/// return saved.attach(record(out, "SoftmaxBackward0", inputs: [x]) { g in let y = saved.unpack(); ... })
/// ```
final class SavedOutput {
    let value: Tensor
    weak var node: GradFn?

    init(_ out: Tensor) { value = out.detach() }

    /// Remembers the node `record` gave `out`, and returns `out`.
    func attach(_ out: Tensor) -> Tensor {
        node = out.gradFn
        return out
    }

    /// The saved output: plain in a first-order backward, on the graph when grad mode is on.
    func unpack() -> Tensor {
        guard GradMode.isEnabled, let node = node else { return value }
        let t = value.detach()
        t.gradFn = node
        t.requiresGradFlag = true
        return t
    }
}
