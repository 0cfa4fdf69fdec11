// Views that share storage: view/reshape, permute/transpose, squeeze/unsqueeze, expand, flatten, narrow, select, slice.

extension Tensor {
    /// A new tensor object over the same storage and version counter.
    func makeView(shape: [Int], strides: [Int], offset: Int? = nil) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, storageOffset: offset ?? storageOffset, dtype: dtype, version: versionBox)
    }

    /// Resolves a single `-1` in `shape` against `numel`, with PyTorch's message when impossible.
    func inferShape(_ shape: [Int], op: String) -> [Int] {
        var out = shape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        emberCheck(unknown.count <= 1, op, "only one dimension can be inferred")
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let u = unknown.first {
            emberCheck(known != 0 && numel % known == 0, op, "shape '\(shapeString(shape))' is invalid for input of size \(numel)")
            out[u] = numel / known
        }
        emberCheck(out.reduce(1, *) == numel && !out.contains(where: { $0 < 0 }), op, "shape '\(shapeString(shape))' is invalid for input of size \(numel)")
        return out
    }

    /// Strides for viewing this layout as `newShape` without copying, or nil (PyTorch's `computeStride`).
    func viewStrides(_ newShape: [Int]) -> [Int]? {
        if numel == 0 || shape.isEmpty { return Tensor.contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = strides.last!
        var tensorNumel = 1, viewNumel = 1
        for d in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[d]
            if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if d > 0 { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1 }
            }
        }
        if viewD != -1 { return nil }
        return newStrides
    }

    /// A view with a new shape (`view`); `-1` infers one dimension. Stops when the layout cannot be viewed.
    public func view(_ shape: Int...) -> Tensor { view(shape) }
    /// A view with a new shape (`view`).
    public func view(_ shape: [Int]) -> Tensor {
        let newShape = inferShape(shape, op: "view")
        guard let st = viewStrides(newShape) else {
            emberFail("view", "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input \(shapeString(self.shape)) with strides \(shapeString(strides)), requested \(shapeString(shape)))")
        }
        let out = makeView(shape: newShape, strides: st)
        let orig = self.shape
        return record(out, "ViewBackward0", inputs: [self]) { g in [g.reshape(orig)] }
    }
    /// A view when possible, otherwise a copy, with a new shape (`reshape`).
    public func reshape(_ shape: Int...) -> Tensor { reshape(shape) }
    /// A view when possible, otherwise a copy, with a new shape (`reshape`).
    public func reshape(_ shape: [Int]) -> Tensor {
        let newShape = inferShape(shape, op: "reshape")
        if viewStrides(newShape) != nil { return view(newShape) }
        return contiguous().view(newShape)
    }
    /// Same as `reshape(other.shape)`.
    public func reshapeAs(_ other: Tensor) -> Tensor { reshape(other.shape) }
    /// Same as `view(other.shape)`.
    public func viewAs(_ other: Tensor) -> Tensor { view(other.shape) }

    /// Reorders dimensions (`permute`).
    public func permute(_ dims: Int...) -> Tensor { permute(dims) }
    /// Reorders dimensions (`permute`).
    public func permute(_ dims: [Int]) -> Tensor {
        emberCheck(dims.count == rank, "permute", "number of dims don't match in permute: got \(dims.count) for a tensor of shape \(shapeString(shape))")
        let d = dims.map { normalizeDim($0, rank, op: "permute") }
        emberCheck(Set(d).count == d.count, "permute", "repeated dim in permute \(shapeString(dims))")
        let out = makeView(shape: d.map { shape[$0] }, strides: d.map { strides[$0] })
        var inverse = [Int](repeating: 0, count: d.count)
        for (i, p) in d.enumerated() { inverse[p] = i }
        return record(out, "PermuteBackward0", inputs: [self]) { g in [g.permute(inverse)] }
    }
    /// Swaps two dimensions (`transpose`).
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        if rank == 0 { return self }
        var p = Array(0..<rank)
        p.swapAt(normalizeDim(d0, rank, op: "transpose"), normalizeDim(d1, rank, op: "transpose"))
        let out = makeView(shape: p.map { shape[$0] }, strides: p.map { strides[$0] })
        return record(out, "TransposeBackward0", inputs: [self]) { g in [g.transpose(d0, d1)] }
    }
    /// Transpose of a matrix (`t()`); vectors and scalars are returned as they are.
    public func t() -> Tensor {
        emberCheck(rank <= 2, "t", "expects a tensor with <= 2 dimensions, but self is \(rank)D")
        return rank < 2 ? self : transpose(0, 1)
    }
    /// Matrix transpose property (`.T` for 2-d tensors).
    public var T: Tensor { rank < 2 ? self : permute(Array((0..<rank).reversed())) }
    /// The last two dimensions swapped (`.mT`).
    public var mT: Tensor { transpose(-2, -1) }

    /// Removes all size-1 dimensions (`squeeze()`).
    public func squeeze() -> Tensor {
        let keep = shape.indices.filter { shape[$0] != 1 }
        let out = makeView(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] })
        let orig = shape
        return record(out, "SqueezeBackward0", inputs: [self]) { g in [g.reshape(orig)] }
    }
    /// Removes dimension `dim` if its size is 1 (`squeeze(dim)`).
    public func squeeze(_ dim: Int) -> Tensor {
        let d = normalizeDim(dim, rank, op: "squeeze")
        if rank == 0 || shape[d] != 1 { return self }
        var s = shape, st = strides
        s.remove(at: d); st.remove(at: d)
        let out = makeView(shape: s, strides: st)
        let orig = shape
        return record(out, "SqueezeBackward1", inputs: [self]) { g in [g.reshape(orig)] }
    }
    /// Inserts a size-1 dimension at `dim` (`unsqueeze`).
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = normalizeDim(dim, rank + 1, op: "unsqueeze")
        var s = shape, st = strides
        let newStride = d < rank ? strides[d] * shape[d] : 1
        s.insert(1, at: d); st.insert(newStride, at: d)
        let out = makeView(shape: s, strides: st)
        return record(out, "UnsqueezeBackward0", inputs: [self]) { g in [g.squeeze(d)] }
    }
    /// Broadcasts to a larger shape without copying (`expand`); `-1` keeps a dimension.
    public func expand(_ shape: Int...) -> Tensor { expand(shape) }
    /// Broadcasts to a larger shape without copying (`expand`).
    public func expand(_ shape: [Int]) -> Tensor {
        let lead = shape.count - rank
        emberCheck(lead >= 0, "expand", "the number of sizes provided (\(shape.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
        var target = shape
        for i in 0..<rank where shape[lead + i] == -1 { target[lead + i] = self.shape[i] }
        let st = broadcastStrides(of: self, to: target, op: "expand")
        let out = makeView(shape: target, strides: st)
        let orig = self.shape
        return record(out, "ExpandBackward0", inputs: [self]) { g in [g.sumTo(orig)] }
    }
    /// Same as `expand(other.shape)`.
    public func expandAs(_ other: Tensor) -> Tensor { expand(other.shape) }

    /// Flattens dimensions `startDim...endDim` into one (`flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = normalizeDim(startDim, rank, op: "flatten"), e = normalizeDim(endDim, rank, op: "flatten")
        if s >= e { return self }
        let newShape = Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...])
        return reshape(newShape)
    }
    /// `flatten(startDim:)` as in `torch.flatten(x, 1)`.
    public func flatten(_ startDim: Int) -> Tensor { flatten(startDim: startDim) }
    /// Splits dimension `dim` into `sizes` (`unflatten`).
    public func unflatten(_ dim: Int, _ sizes: [Int]) -> Tensor {
        let d = normalizeDim(dim, rank, op: "unflatten")
        return reshape(Array(shape[..<d]) + sizes + Array(shape[(d + 1)...]))
    }

    /// Elements `start..<start+length` along `dim`, as a view (`narrow`).
    ///
    /// - Parameters:
    ///   - dim: The dimension to slice (negative counts from the end).
    ///   - start: The first index (nil: 0; negative counts from the end).
    ///   - length: The number of indices kept.
    public func narrow(_ dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalizeDim(dim, rank, op: "narrow")
        let st = start < 0 ? start + shape[d] : start
        emberCheck(st >= 0 && length >= 0 && st + length <= shape[d], "narrow", "start (\(start)) + length (\(length)) exceeds dimension size (\(shape[d])) of shape \(shapeString(shape))")
        return slice(d, start: st, end: st + length, step: 1)
    }

    /// Elements `start..<end` by `step` along `dim` as a view (Python's `x[:, a:b:c]`); bounds are clamped like Python slices.
    ///
    /// - Parameters:
    ///   - dim: The dimension to slice (negative counts from the end).
    ///   - start: The first index (nil: 0; negative counts from the end).
    ///   - end: The index after the last (nil: the size of the dimension).
    ///   - step: The stride between kept indices (positive).
    public func slice(_ dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) -> Tensor {
        let d = normalizeDim(dim, rank, op: "slice")
        emberCheck(step > 0, "slice", "step must be greater than zero")
        let n = shape[d]
        func clampIndex(_ i: Int?, _ dflt: Int) -> Int {
            guard var v = i else { return dflt }
            if v < 0 { v += n }
            return Swift.min(Swift.max(v, 0), n)
        }
        let s = clampIndex(start, 0), e = Swift.max(clampIndex(end, n), s)
        let len = (e - s + step - 1) / step
        var newShape = shape, newStrides = strides
        newShape[d] = len
        newStrides[d] = strides[d] * step
        let out = makeView(shape: newShape, strides: newStrides, offset: storageOffset + s * strides[d])
        let orig = shape
        return record(out, "SliceBackward0", inputs: [self]) { g in [sliceBackward(g, inputShape: orig, dim: d, start: s, step: step)] }
    }

    /// The sub-tensor at `index` along `dim`, removing that dimension (`select`, `x[:, i]`).
    public func select(_ dim: Int, _ index: Int) -> Tensor {
        let d = normalizeDim(dim, rank, op: "select")
        let n = shape[d]
        emberCheck(index >= -n && index < n, "select", "index \(index) is out of bounds for dimension \(d) with size \(n)")
        let i = index < 0 ? index + n : index
        var newShape = shape, newStrides = strides
        newShape.remove(at: d); newStrides.remove(at: d)
        let out = makeView(shape: newShape, strides: newStrides, offset: storageOffset + i * strides[d])
        let orig = shape
        return record(out, "SelectBackward0", inputs: [self]) { g in
            [sliceBackward(g.unsqueeze(d), inputShape: orig, dim: d, start: i, step: 1)]
        }
    }
}

/// The gradient of a slice: `g` placed into zeros of `inputShape` at `start::step` along `dim`. Itself
/// differentiable (its backward slices again), so second-order gradients flow through views.
func sliceBackward(_ g: Tensor, inputShape: [Int], dim: Int, start: Int, step: Int) -> Tensor {
    let out = Tensor.zeros(inputShape, dtype: g.dtype)
    let window = noGrad { out.slice(dim, start: start, end: start + (g.shape[dim] - 1) * step + 1, step: step) }
    copyElements(from: g, into: window)
    let len = g.shape[dim]
    return record(out, "SliceBackwardBackward0", inputs: [g]) { gg in [gg.slice(dim, start: start, end: start + (len - 1) * step + 1, step: step)] }
}
