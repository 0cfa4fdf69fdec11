// Max and min: over everything, along a dim with indices, amax/amin, argmax/argmin, and all/any.

extension Tensor {
    /// The largest element (`x.max()`), a 0-d tensor of the input's dtype; NaN if any element is NaN.
    ///
    /// Matches PyTorch (`MaxBackward1`): the gradient is split evenly among all elements equal to the max.
    ///
    /// ```swift
    /// tensor([[1, 5], [5, 2]]).max()   // tensor(5)
    /// ```
    public func max() -> Tensor { extremumAll(isMax: true) }
    /// The smallest element (`x.min()`); the gradient is split evenly among ties (`MinBackward1`).
    public func min() -> Tensor { extremumAll(isMax: false) }

    /// Max along `dim` with the index of the first maximum (`x.max(dim=1)` → `(values, indices)`).
    ///
    /// Matches `torch.max(x, dim, keepdim)`: indices are int64, ties give the first index, a NaN wins.
    /// The gradient goes to the selected position only (`MaxBackward0`).
    ///
    /// **Shape:** `dim` is removed (kept as size 1 with `keepDim`) in both outputs.
    ///
    /// ```swift
    /// let (values, indices) = x.max(dim: 1)
    /// ```
    public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) { extremumDim(dim, keepDim, isMax: true) }
    /// Min along `dim` with the index of the first minimum (`x.min(dim=0)`); see `max(dim:keepDim:)`.
    public func min(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) { extremumDim(dim, keepDim, isMax: false) }

    /// Max over `dims` (all dims when empty), without indices (`torch.amax`); ties share the gradient evenly.
    public func amax(dims: [Int] = [], keepDim: Bool = false) -> Tensor { extremumDims(dims, keepDim, isMax: true) }
    /// Max over one dim (`torch.amax(x, dim)`).
    public func amax(dim: Int, keepDim: Bool = false) -> Tensor { extremumDims([dim], keepDim, isMax: true) }
    /// Min over `dims` (all dims when empty), without indices (`torch.amin`).
    public func amin(dims: [Int] = [], keepDim: Bool = false) -> Tensor { extremumDims(dims, keepDim, isMax: false) }
    /// Min over one dim (`torch.amin(x, dim)`).
    public func amin(dim: Int, keepDim: Bool = false) -> Tensor { extremumDims([dim], keepDim, isMax: false) }

    /// The flat (row-major) index of the first maximum, as a 0-d int64 tensor (`x.argmax()`).
    ///
    /// A NaN counts as the maximum, as in PyTorch; bool tensors stop with PyTorch's message.
    public func argmax() -> Tensor { argExtremum(nil, false, isMax: true) }
    /// Index of the first maximum along `dim` (`y_hat.argmax(dim=1)`), int64.
    ///
    /// ```swift
    /// let accuracy = (yHat.argmax(dim: 1) == y).float().mean()
    /// ```
    public func argmax(dim: Int, keepDim: Bool = false) -> Tensor { argExtremum(dim, keepDim, isMax: true) }
    /// The flat index of the first minimum (`x.argmin()`).
    public func argmin() -> Tensor { argExtremum(nil, false, isMax: false) }
    /// Index of the first minimum along `dim` (`x.argmin(dim)`).
    public func argmin(dim: Int, keepDim: Bool = false) -> Tensor { argExtremum(dim, keepDim, isMax: false) }

    /// True when every element is nonzero (`x.all()`): a 0-d bool tensor (uint8 for uint8 input, as in PyTorch).
    public func all() -> Tensor { logicalReduce(reductionDims([], op: "all"), false, isAll: true) }
    /// `all` along `dim` (`x.all(dim)`).
    public func all(dim: Int, keepDim: Bool = false) -> Tensor { logicalReduce([normalizeDim(dim, rank, op: "all")], keepDim, isAll: true) }
    /// True when any element is nonzero (`x.any()`).
    public func any() -> Tensor { logicalReduce(reductionDims([], op: "any"), false, isAll: false) }
    /// `any` along `dim` (`x.any(dim)`).
    public func any(dim: Int, keepDim: Bool = false) -> Tensor { logicalReduce([normalizeDim(dim, rank, op: "any")], keepDim, isAll: false) }

    /// The number of nonzero elements, a 0-d int64 tensor (`torch.count_nonzero`).
    public func countNonzero() -> Tensor { (dtype == .bool ? self : detachedIfNeeded.ne(0)).sum() }
    /// The number of nonzero elements along `dim` (`torch.count_nonzero(x, dim)`), int64.
    public func countNonzero(dim: Int) -> Tensor { (dtype == .bool ? self : detachedIfNeeded.ne(0)).sum(dim: dim) }

    // MARK: Implementation

    private func extremumAll(isMax: Bool) -> Tensor {
        let name = isMax ? "max" : "min"
        emberCheck(numel > 0, name, "\(name)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        let dims = reductionDims([], op: name)
        let out = extremumKernel(detachedIfNeeded, dims: dims, keepDim: false, isMax: isMax, wantIndices: false, op: name).values
        let x = self, y = out.detach()
        return record(out, isMax ? "MaxBackward1" : "MinBackward1", inputs: [self], saved: [self]) { g in
            [Tensor.evenlyDistributed(g, input: x, result: y, dims: dims, keepDim: false, nanAware: true)]
        }
    }

    private func extremumDims(_ dims: [Int], _ keepDim: Bool, isMax: Bool) -> Tensor {
        let name = isMax ? "amax" : "amin"
        let nd = reductionDims(dims, op: name)
        for d in nd where shape[d] == 0 { emberFail(name, "\(name)(): Expected reduction dim \(d) to have non-zero size.") }
        let out = extremumKernel(detachedIfNeeded, dims: nd, keepDim: keepDim, isMax: isMax, wantIndices: false, op: name).values
        let x = self, y = out.detach()
        return record(out, isMax ? "AmaxBackward0" : "AminBackward0", inputs: [self], saved: [self]) { g in
            [Tensor.evenlyDistributed(g, input: x, result: y, dims: nd, keepDim: keepDim, nanAware: false)]
        }
    }

    private func extremumDim(_ dim: Int, _ keepDim: Bool, isMax: Bool) -> (values: Tensor, indices: Tensor) {
        let name = isMax ? "max" : "min"
        let d = normalizeDim(dim, rank, op: name)
        emberCheck(rank == 0 || shape[d] > 0, name, "\(name)(): Expected reduction dim \(d) to have non-zero size.")
        let r = extremumKernel(detachedIfNeeded, dims: [d], keepDim: keepDim, isMax: isMax, wantIndices: true, op: name)
        let indices = r.indices!, orig = shape
        let values = record(r.values, isMax ? "MaxBackward0" : "MinBackward0", inputs: [self]) { g in
            [Tensor.valueSelectingBackward(g, dim: d, indices: indices, inputShape: orig, keepDim: keepDim)]
        }
        return (values, indices)
    }

    private func argExtremum(_ dim: Int?, _ keepDim: Bool, isMax: Bool) -> Tensor {
        let name = isMax ? "argmax" : "argmin"
        emberCheck(dtype != .bool, name, "\(name)(): does not support bool input")
        let dims: [Int]
        if let dim = dim {
            let d = normalizeDim(dim, rank, op: name)
            emberCheck(rank == 0 || shape[d] > 0, name, "\(name)(): Expected reduction dim \(d) to have non-zero size.")
            dims = [d]
        } else {
            emberCheck(numel > 0, name, "\(name)(): Expected reduction dim to be specified for input.numel() == 0.")
            dims = reductionDims([], op: name)
        }
        return extremumKernel(detachedIfNeeded, dims: dims, keepDim: keepDim, isMax: isMax, wantIndices: true, op: name).indices!
    }

    private func logicalReduce(_ dims: [Int], _ keepDim: Bool, isAll: Bool) -> Tensor {
        let name = isAll ? "all" : "any"
        let nonzero = dtype == .bool ? detachedIfNeeded : detachedIfNeeded.ne(0)
        let layout = ReductionLayout(nonzero, dims: dims, keepDim: keepDim, op: name)
        let out: Tensor
        if layout.reducedCount == 0 {
            out = Tensor.full(layout.outShape, isAll ? 1 : 0, dtype: .bool)
        } else {
            // all = min over "is nonzero", any = max.
            out = extremumKernel(nonzero, dims: dims, keepDim: keepDim, isMax: !isAll, wantIndices: false, op: name).values
        }
        return dtype == .uint8 ? out.to(.uint8) : out
    }

    /// MaxBackward1 / AmaxBackward0: the gradient shared evenly among the elements equal to the result.
    static func evenlyDistributed(_ g: Tensor, input x: Tensor, result y: Tensor, dims: [Int], keepDim: Bool, nanAware: Bool) -> Tensor {
        let gk = g.restoringReducedDims(dims, keepDim: keepDim), yk = y.restoringReducedDims(dims, keepDim: keepDim)
        var mask = x.detach().eq(yk)
        if nanAware { mask = mask || (x.detach().isnan() && yk.isnan()) }
        let m = mask.to(g.dtype)
        return gk * m / m.sum(dims: dims, keepDim: true)
    }

    /// MaxBackward0: the gradient placed at the selected index along `dim`, zero elsewhere.
    static func valueSelectingBackward(_ g: Tensor, dim d: Int, indices: Tensor, inputShape: [Int], keepDim: Bool) -> Tensor {
        if inputShape.isEmpty { return g }
        let gk = keepDim ? g : g.unsqueeze(d), ik = keepDim ? indices : indices.unsqueeze(d)
        var positionShape = [Int](repeating: 1, count: inputShape.count)
        positionShape[d] = inputShape[d]
        let selected = Tensor.arange(inputShape[d]).view(positionShape).eq(ik)
        return Tensor.where(selected, gk, 0.0)
    }

    /// Normalized, ascending, duplicate-free reduction dims; empty means every dim (as PyTorch's `dim=()`).
    func reductionDims(_ dims: [Int], op: String) -> [Int] {
        if dims.isEmpty { return Array(0..<rank) }
        let nd = dims.map { normalizeDim($0, rank, op: op) }
        var seen = Set<Int>()
        for d in nd where !seen.insert(d).inserted { emberFail(op, "dim \(d) appears multiple times in the list of dims") }
        return nd.sorted()
    }

    /// Re-inserts the size-1 reduced dims that `keepDim: false` removed, so a result broadcasts against its input.
    func restoringReducedDims(_ dims: [Int], keepDim: Bool) -> Tensor {
        if keepDim { return self }
        var t = self
        for d in dims.sorted() { t = t.unsqueeze(d) }
        return t
    }
}
