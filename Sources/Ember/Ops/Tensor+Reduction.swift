// Sum and mean over all elements or over dimensions (more reductions live in Tensor+Statistics.swift).

extension Tensor {
    /// Sum of all elements (`sum()`); integers and bools sum to int64.
    public func sum() -> Tensor { sum(dims: Array(0..<rank), keepDim: false) }
    /// Sum over `dim` (`sum(dim, keepdim)`).
    public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }
    /// Sum over several dimensions (`sum([0, 1])`).
    public func sum(dims: [Int], keepDim: Bool = false) -> Tensor {
        let outType: DType = dtype.isFloatingPoint ? dtype : .int64
        let out = sumKernel(detachedIfNeeded, dims: dims, keepDim: keepDim, outType: outType)
        let orig = shape
        let normalized = dims.map { normalizeDim($0, rank, op: "sum") }.sorted()
        return record(out, "SumBackward\(dims.count == rank ? 0 : 1)", inputs: [self]) { g in
            var gk = g
            if !keepDim { for d in normalized { gk = gk.unsqueeze(d) } }
            return [gk.expand(orig)]
        }
    }
    /// Mean of all elements (`mean()`); floating-point dtypes only, as in PyTorch.
    public func mean() -> Tensor { mean(dims: Array(0..<rank), keepDim: false) }
    /// Mean over `dim`.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor { mean(dims: [dim], keepDim: keepDim) }
    /// Mean over several dimensions.
    public func mean(dims: [Int], keepDim: Bool = false) -> Tensor {
        emberCheck(dtype.isFloatingPoint, "mean", "could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype.torchScalarTypeName)")
        let count = dims.isEmpty && rank == 0 ? 1 : Set(dims.map { normalizeDim($0, rank, op: "mean") }).map { shape[$0] }.reduce(1, *)
        let out = noGrad { sum(dims: dims, keepDim: keepDim) / Double(count) }
        let orig = shape
        let normalized = dims.map { normalizeDim($0, rank, op: "mean") }.sorted()
        return record(out, "MeanBackward\(dims.count == rank ? 0 : 1)", inputs: [self]) { g in
            var gk = g
            if !keepDim { for d in normalized { gk = gk.unsqueeze(d) } }
            return [gk.expand(orig) / Double(count)]
        }
    }
}
