// Product, variance and standard deviation, cumulative sum, vector norms and logsumexp, with their backward.

extension Tensor {
    // MARK: Product

    /// Product of all elements (`x.prod()`); integers and bools give int64, as in PyTorch.
    ///
    /// The gradient (`ProdBackward0`) is exact with zeros in the input: with one zero, only that position
    /// gets a gradient (the product of the others); with two or more, the gradient is zero.
    public func prod() -> Tensor { prodOp(reductionDims([], op: "prod"), keepDim: false, node: "ProdBackward0") }
    /// Product along `dim` (`x.prod(dim, keepdim)`, `ProdBackward1`).
    ///
    /// **Shape:** `dim` is removed, or kept as size 1 with `keepDim`.
    public func prod(dim: Int, keepDim: Bool = false) -> Tensor {
        prodOp([normalizeDim(dim, rank, op: "prod")], keepDim: keepDim, node: "ProdBackward1")
    }

    private func prodOp(_ dims: [Int], keepDim: Bool, node: String) -> Tensor {
        let out = prodKernel(detachedIfNeeded, dims: dims, keepDim: keepDim, outType: dtype.isFloatingPoint ? dtype : .int64)
        let x = self, saved = SavedOutput(out)
        return saved.attach(record(out, node, inputs: [self], saved: [self]) { g in
            let gk = g.restoringReducedDims(dims, keepDim: keepDim)
            let isZero = x.detach().eq(0)
            if noGrad({ isZero.any().item() == 0 }) {
                return [gk * saved.unpack().restoringReducedDims(dims, keepDim: keepDim) / x]
            }
            // With zeros, out / x is 0/0: use the product of the nonzero elements and count the zeros.
            let nonzero = Tensor.where(isZero, Tensor.onesLike(x), x)
            let prodOthers = nonzero.prodOp(dims, keepDim: true, node: node)
            let zeros = isZero.sum(dims: dims, keepDim: true)
            // The zeros' values (0, but carrying their gradient), so that the local derivatives stay differentiable
            // in the zeros: d²/dx_j dx_z of the product is nonzero with one zero (j ≠ z) or two (j, z the zeros).
            let zeroSum = (x * isZero.to(x.dtype)).sum(dims: dims, keepDim: true)
            let oneZero = Tensor.where(isZero, prodOthers, prodOthers / nonzero * zeroSum)
            let twoZeros = Tensor.where(isZero, prodOthers * (zeroSum - x), 0.0)
            let local = Tensor.where(zeros.eq(0), prodOthers / nonzero,
                                     Tensor.where(zeros.eq(1), oneZero, Tensor.where(zeros.eq(2), twoZeros, 0.0)))
            return [gk * local]
        })
    }

    // MARK: Variance and standard deviation

    /// Variance of all elements (`x.var()`), with Bessel's correction unless `unbiased` is false.
    ///
    /// Matches `torch.var` (`VarBackward0`): floating-point inputs only (PyTorch's message otherwise);
    /// `N - correction <= 0` gives inf or NaN as in PyTorch.
    ///
    /// ```swift
    /// let v = x.var(dim: 0)                 // unbiased, like torch
    /// let s = x.std(dim: 1, correction: 0)  // population std
    /// ```
    public func `var`(unbiased: Bool = true) -> Tensor { varianceOp([], unbiased ? 1 : 0, false, std: false) }
    /// Variance of all elements with an explicit `correction` (`x.var(correction=0)`).
    public func `var`(correction: Double) -> Tensor { varianceOp([], correction, false, std: false) }
    /// Variance along `dim`. **Shape:** `dim` removed, or kept as size 1 with `keepDim`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - unbiased: Divide by `n − 1` (Bessel's correction) instead of `n`.
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func `var`(dim: Int, unbiased: Bool = true, keepDim: Bool = false) -> Tensor { varianceOp([dim], unbiased ? 1 : 0, keepDim, std: false) }
    /// Variance along `dim` with an explicit `correction`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - correction: The difference subtracted from the number of elements in the divisor (1 is Bessel's correction).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func `var`(dim: Int, correction: Double, keepDim: Bool = false) -> Tensor { varianceOp([dim], correction, keepDim, std: false) }
    /// Variance over several dims (`x.var(dim=(0, 2))`).
    ///
    /// - Parameters:
    ///   - dims: The dimensions to reduce (negative counts from the end).
    ///   - unbiased: Divide by `n − 1` (Bessel's correction) instead of `n`.
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func `var`(dims: [Int], unbiased: Bool = true, keepDim: Bool = false) -> Tensor { varianceOp(dims, unbiased ? 1 : 0, keepDim, std: false) }
    /// Variance over several dims with an explicit `correction`.
    ///
    /// - Parameters:
    ///   - dims: The dimensions to reduce (negative counts from the end).
    ///   - correction: The difference subtracted from the number of elements in the divisor (1 is Bessel's correction).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func `var`(dims: [Int], correction: Double, keepDim: Bool = false) -> Tensor { varianceOp(dims, correction, keepDim, std: false) }

    /// Standard deviation of all elements (`x.std()`, `StdBackward0`); see `var(unbiased:)`.
    /// Where the std is 0 the gradient is 0 (as in PyTorch), not NaN.
    public func std(unbiased: Bool = true) -> Tensor { varianceOp([], unbiased ? 1 : 0, false, std: true) }
    /// Standard deviation of all elements with an explicit `correction`.
    public func std(correction: Double) -> Tensor { varianceOp([], correction, false, std: true) }
    /// Standard deviation along `dim`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - unbiased: Divide by `n − 1` (Bessel's correction) instead of `n`.
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func std(dim: Int, unbiased: Bool = true, keepDim: Bool = false) -> Tensor { varianceOp([dim], unbiased ? 1 : 0, keepDim, std: true) }
    /// Standard deviation along `dim` with an explicit `correction`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - correction: The difference subtracted from the number of elements in the divisor (1 is Bessel's correction).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func std(dim: Int, correction: Double, keepDim: Bool = false) -> Tensor { varianceOp([dim], correction, keepDim, std: true) }
    /// Standard deviation over several dims.
    ///
    /// - Parameters:
    ///   - dims: The dimensions to reduce (negative counts from the end).
    ///   - unbiased: Divide by `n − 1` (Bessel's correction) instead of `n`.
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func std(dims: [Int], unbiased: Bool = true, keepDim: Bool = false) -> Tensor { varianceOp(dims, unbiased ? 1 : 0, keepDim, std: true) }
    /// Standard deviation over several dims with an explicit `correction`.
    ///
    /// - Parameters:
    ///   - dims: The dimensions to reduce (negative counts from the end).
    ///   - correction: The difference subtracted from the number of elements in the divisor (1 is Bessel's correction).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func std(dims: [Int], correction: Double, keepDim: Bool = false) -> Tensor { varianceOp(dims, correction, keepDim, std: true) }

    private func varianceOp(_ dims: [Int], _ correction: Double, _ keepDim: Bool, std: Bool) -> Tensor {
        let name = std ? "std" : "var"
        emberCheck(dtype.isFloatingPoint, name, "std and var only support floating point and complex dtypes")
        let nd = reductionDims(dims, op: name)
        let ct = dtype.computeType
        var out = varianceKernel(to(ct).detachedIfNeeded, dims: nd, keepDim: keepDim, correction: correction, op: name)
        if std { out = noGrad { out.sqrt() } }
        if ct != dtype { out = out.to(dtype) }
        let count = nd.map { shape[$0] }.reduce(1, *)
        let scale = 2.0 / (Double(count) - correction)
        let x = self, saved = SavedOutput(out)
        return saved.attach(record(out, std ? "StdBackward0" : "VarBackward0", inputs: [self], saved: [self]) { g in
            var gk = g.restoringReducedDims(nd, keepDim: keepDim)
            if std {
                let s = saved.unpack().restoringReducedDims(nd, keepDim: keepDim)
                gk = Tensor.where(s.ne(0), gk / (s * 2), 0.0)
            }
            return [gk * scale * (x - x.mean(dims: nd, keepDim: true))]
        })
    }

    // MARK: Cumulative sum

    /// Cumulative sum along `dim` (`x.cumsum(dim)`); integers and bools give int64, as in PyTorch.
    ///
    /// The backward (`CumsumBackward0`) is the reversed cumulative sum of the gradient.
    ///
    /// **Shape:** the input's shape.
    ///
    /// ```swift
    /// tensor([1, 2, 3]).cumsum(dim: 0)   // tensor([1, 3, 6])
    /// ```
    public func cumsum(dim: Int) -> Tensor { cumsumOp(normalizeDim(dim, rank, op: "cumsum"), reverse: false) }

    private func cumsumOp(_ d: Int, reverse: Bool) -> Tensor {
        let out = cumsumKernel(detachedIfNeeded, dim: d, reverse: reverse, outType: dtype.isFloatingPoint ? dtype : .int64)
        return record(out, "CumsumBackward0", inputs: [self]) { g in [g.cumsumOp(d, reverse: !reverse)] }
    }

    // MARK: Norms

    /// The vector p-norm of all elements (`torch.norm(x)`, `torch.linalg.vector_norm(x, p)`); p = 2 by default
    /// (Frobenius for a matrix), `.infinity` / `-.infinity` for max / min |x|, 0 for the nonzero count.
    ///
    /// Matches PyTorch (`LinalgVectorNormBackward0`), including a zero gradient where the norm is 0.
    /// Floating-point inputs only, with PyTorch's message otherwise.
    ///
    /// ```swift
    /// tensor([3.0, -4.0]).norm()              // tensor(5.)
    /// x.norm(p: 1, dim: 1)                    // row sums of |x|
    /// ```
    public func norm(p: Double = 2) -> Tensor { normOp(p, reductionDims([], op: "norm"), false) }
    /// The p-norm along `dim` (`x.norm(dim=1)`). **Shape:** `dim` removed, or size 1 with `keepDim`.
    ///
    /// - Parameters:
    ///   - p: The order of the norm (2: Euclidean, 1: sum of absolute values, `.infinity`: maximum).
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func norm(p: Double = 2, dim: Int, keepDim: Bool = false) -> Tensor { normOp(p, [normalizeDim(dim, rank, op: "norm")], keepDim) }
    /// The p-norm over several dims.
    ///
    /// - Parameters:
    ///   - p: The order of the norm (2: Euclidean, 1: sum of absolute values, `.infinity`: maximum).
    ///   - dims: The dimensions to reduce (negative counts from the end).
    ///   - keepDim: Keep the reduced dimensions with size 1, so the result broadcasts against the input.
    public func norm(p: Double = 2, dims: [Int], keepDim: Bool = false) -> Tensor { normOp(p, reductionDims(dims, op: "norm"), keepDim) }

    private func normOp(_ p: Double, _ dims: [Int], _ keepDim: Bool) -> Tensor {
        emberCheck(dtype.isFloatingPoint, "norm", "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.torchScalarTypeName)")
        let ct = dtype.computeType
        var out = normKernel(to(ct).detachedIfNeeded, p: p, dims: dims, keepDim: keepDim, op: "norm")
        if ct != dtype { out = out.to(dtype) }
        let x = self, saved = SavedOutput(out)
        return saved.attach(record(out, "LinalgVectorNormBackward0", inputs: [self], saved: [self]) { g in
            let gk = g.restoringReducedDims(dims, keepDim: keepDim)
            let nk = saved.unpack().restoringReducedDims(dims, keepDim: keepDim)
            // The formulas of PyTorch's norm_backward, each masked to 0 where the norm is 0.
            if p == 0 { return [Tensor.zerosLike(x)] }
            if p == 1 { return [gk * x.sign()] }
            if p == 2 { return [x * Tensor.where(nk.ne(0), gk / nk, 0.0)] }
            if p.isInfinite {
                let mask = x.abs().eq(nk.detach()).to(x.dtype)
                return [x.sign() * (gk / mask.sum(dims: dims, keepDim: true)) * mask]
            }
            if p < 1 {
                let scaled = x.sign() * Tensor.where(x.ne(0), x.abs().pow(p - 1), 0.0)
                return [scaled * gk * nk.pow(1 - p)]
            }
            let scaled = p < 2 ? x.sign() * x.abs().pow(p - 1) : x * x.abs().pow(p - 2)
            return [scaled * Tensor.where(nk.ne(0), gk / nk.pow(p - 1), 0.0)]
        })
    }

    // MARK: logsumexp

    /// `log(sum(exp(x)))` along `dim`, computed stably by shifting with the max (`torch.logsumexp`).
    ///
    /// Integer inputs are promoted to float32, as in PyTorch. The backward (`LogsumexpBackward0`) is
    /// `g * exp(x - out)`, i.e. the softmax.
    ///
    /// ```swift
    /// tensor([1000.0, 1000.0]).logsumexp(dim: 0)   // tensor(1000.6931)
    /// ```
    public func logsumexp(dim: Int, keepDim: Bool = false) -> Tensor { logsumexp(dims: [dim], keepDim: keepDim) }
    /// `logsumexp` over several dims.
    public func logsumexp(dims: [Int], keepDim: Bool = false) -> Tensor {
        if !dtype.isFloatingPoint { return to(.float32).logsumexp(dims: dims, keepDim: keepDim) }
        let nd = reductionDims(dims, op: "logsumexp")
        let out: Tensor = noGrad {
            let xd = detach()
            let m = xd.amax(dims: nd, keepDim: true)
            // An infinite max would make x - m NaN: shift by 0 there instead.
            let shift = Tensor.where(m.abs().ne(Double.infinity), m, 0.0)
            let r = (xd - shift).exp().sum(dims: nd, keepDim: true).log() + shift
            return keepDim ? r : r.reshape(nd.count == rank ? [] : shape.enumerated().filter { !nd.contains($0.offset) }.map { $0.element })
        }
        let x = self, saved = SavedOutput(out)
        return saved.attach(record(out, "LogsumexpBackward0", inputs: [self], saved: [self]) { g in
            let yk = saved.unpack().restoringReducedDims(nd, keepDim: keepDim)
            return [g.restoringReducedDims(nd, keepDim: keepDim) * (x - yk).exp()]
        })
    }
}
