// Softmax and log-softmax along a dimension: fused, max-shifted forward kernels with their own backward.

extension Tensor {
    /// Softmax along `dim`: `exp(x) / sum(exp(x))`, computed as `exp(x - max)` so large logits do not overflow.
    ///
    /// Matches `torch.softmax` / `F.softmax(x, dim=...)` (`SoftmaxBackward0`), including `dtype:` (cast the
    /// input first, e.g. to float64). Integer tensors stop with PyTorch's message; float16/bfloat16 compute
    /// in float32. Second-order gradients work (`grad(of:with:createGraph: true)`).
    ///
    /// **Shape:** the output has the input's shape; each slice along `dim` sums to 1.
    ///
    /// ```swift
    /// let logits = tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    /// let p = logits.softmax(dim: 1)   // [[0.0900, 0.2447, 0.6652], [0.3333, 0.3333, 0.3333]]
    /// ```
    public func softmax(dim: Int, dtype: DType? = nil) -> Tensor { softmaxOp(dim: dim, dtype: dtype, log: false) }

    /// Log-softmax along `dim`: `x - max - log(sum(exp(x - max)))`, stable for any logits.
    ///
    /// Matches `torch.log_softmax` / `F.log_softmax(x, dim=...)` (`LogSoftmaxBackward0`), including `dtype:`.
    /// Prefer it to `softmax(dim:).log()`, which underflows to `-inf` for very negative logits.
    ///
    /// **Shape:** the output has the input's shape.
    ///
    /// ```swift
    /// let logp = logits.logSoftmax(dim: -1)
    /// let nll = -(logp * oneHot).sum(dim: 1).mean()
    /// ```
    public func logSoftmax(dim: Int, dtype: DType? = nil) -> Tensor { softmaxOp(dim: dim, dtype: dtype, log: true) }

    private func softmaxOp(dim: Int, dtype: DType?, log: Bool) -> Tensor {
        let name = log ? "log_softmax" : "softmax"
        let x = dtype.map { to($0) } ?? self
        emberCheck(x.dtype.isFloatingPoint, name, "\"\(name)_kernel_impl\" not implemented for '\(x.dtype.torchScalarTypeName)'")
        let d = normalizeDim(dim, x.rank, op: name)
        let ct = x.dtype.computeType
        var out = softmaxKernel(x.to(ct).detachedIfNeeded, dim: d, log: log)
        if ct != x.dtype { out = out.to(x.dtype) }
        let saved = SavedOutput(out)
        return saved.attach(record(out, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", inputs: [x]) { g in
            let y = saved.unpack()
            if GradMode.isEnabled || y.dtype != ct {
                // Building a graph (createGraph): the same formula from Tensor ops, so it is differentiable again.
                if log { return [g - y.exp() * g.sum(dim: d, keepDim: true)] }
                let gy = g * y
                return [gy - y * gy.sum(dim: d, keepDim: true)]
            }
            return [softmaxBackwardKernel(g, y, dim: d, log: log)]
        })
    }
}
