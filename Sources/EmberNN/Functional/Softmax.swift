// softmax and log_softmax along a dim (stable kernels; backward in Tensor ops, so twice differentiable).
// TODO(dedupe): core is adding `Tensor.softmax(dim:)` in Sources/Ember/Ops/Tensor+Softmax.swift; once it
// lands, F.softmax/F.logSoftmax should forward to it and this file keeps only the wrappers.
import Ember
import EmberKernels

extension F {
    /// Softmax along `dim`, matching `torch.nn.functional.softmax` (computed stably: the max is subtracted).
    ///
    /// Shape: any; the output has the input's shape and sums to 1 along `dim`.
    ///
    /// ```swift
    /// let p = F.softmax(logits, dim: 1)
    /// ```
    public static func softmax(_ input: Tensor, dim: Int) -> Tensor {
        let out = softmaxKernel(input, dim: dim, log: false, op: "softmax")
        let y = out.detach(), d = normalizeDim(dim, input.rank, op: "softmax")
        return record(out, "SoftmaxBackward0", inputs: [input]) { g in
            [y * (g - (g * y).sum(dim: d, keepDim: true))]
        }
    }

    /// Log-softmax along `dim`, matching `torch.nn.functional.log_softmax` (stable log-sum-exp).
    ///
    /// Shape: any; the output has the input's shape.
    ///
    /// ```swift
    /// let logp = F.logSoftmax(logits, dim: 1)
    /// ```
    public static func logSoftmax(_ input: Tensor, dim: Int) -> Tensor {
        let out = softmaxKernel(input, dim: dim, log: true, op: "log_softmax")
        let y = out.detach(), d = normalizeDim(dim, input.rank, op: "log_softmax")
        return record(out, "LogSoftmaxBackward0", inputs: [input]) { g in
            [g - y.exp() * g.sum(dim: d, keepDim: true)]
        }
    }

    /// Runs the softmax kernel over `dim` of a float tensor, without autograd.
    static func softmaxKernel(_ input: Tensor, dim: Int, log: Bool, op: String) -> Tensor {
        checkFloatInputs(op, ("input", input))
        let d = normalizeDim(dim, input.rank, op: op)
        let x = input.kernelInput
        let shape = input.shape
        let c = input.rank == 0 ? 1 : shape[d]
        let outer = input.rank == 0 ? 1 : shape[..<d].reduce(1, *)
        let inner = input.rank == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        let out = Tensor(empty: shape, dtype: x.dtype)
        if x.dtype == .float32 {
            SoftmaxKernels.forward(x.pointer(as: Float.self), outer: outer, c: c, inner: inner, log: log, out.pointer(as: Float.self))
        } else {
            SoftmaxKernels.forward(x.pointer(as: Double.self), outer: outer, c: c, inner: inner, log: log, out.pointer(as: Double.self))
        }
        return out
    }
}
