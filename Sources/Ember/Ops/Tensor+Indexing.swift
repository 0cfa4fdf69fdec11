// Indexing ops: gather/scatter, index_select/index_add, take, masked_select, nonzero, one_hot, and the two
// differentiable primitives (take at positions / put at positions) that all of them and `x[...]` reduce to.

extension Tensor {
    // MARK: Primitives

    /// The elements at row-major positions `linear` of this tensor, shaped `shape`, recorded as `name`.
    /// The backward adds the gradient back at the same positions (a node named `inverse`), so repeated
    /// positions accumulate, as PyTorch's `index_put_(..., accumulate=True)` does.
    func takeLinear(_ linear: [Int], shape: [Int], name: String, inverse: String) -> Tensor {
        let src = detachedIfNeeded
        let out = gatherElements(src, offsets: stridedOffsets(linear, shape: src.shape, strides: src.strides), shape: shape)
        let inShape = self.shape, inType = dtype
        return record(out, name, inputs: [self]) { g in
            let zeros = Tensor.zeros(inShape, dtype: g.dtype)
            return [Tensor.putLinear(zeros, linear, g, accumulate: true, name: inverse, inverse: name).to(inType)]
        }
    }

    /// A copy of `base` with `values` (read row-major) written, or added with `accumulate`, at the
    /// row-major positions `linear` of `base`; recorded as `name`, differentiable in `base` and `values`.
    static func putLinear(_ base: Tensor, _ linear: [Int], _ values: Tensor, accumulate: Bool,
                          name: String, inverse: String) -> Tensor {
        let out = Tensor(empty: base.shape, dtype: base.dtype)
        copyElements(from: base, into: out)
        let v = noGrad { values.to(base.dtype).contiguous() }
        scatterElements(v, into: out, offsets: linear, accumulate: accumulate)
        let valueShape = values.shape, valueType = values.dtype
        let baseNeedsGrad = base.requiresGrad, valuesNeedGrad = values.requiresGrad
        return record(out, name, inputs: [base, values]) { g in
            var gBase: Tensor? = nil
            if baseNeedsGrad {
                // Overwritten positions contributed nothing to the output; added ones pass g through.
                gBase = accumulate ? g : Tensor.putLinear(g, linear, Tensor.zeros([linear.count], dtype: g.dtype),
                                                          accumulate: false, name: "IndexPutBackward0", inverse: "IndexBackward0")
            }
            let gValues = valuesNeedGrad ? g.takeLinear(linear, shape: valueShape, name: inverse, inverse: name).to(valueType) : nil
            return [gBase, gValues]
        }
    }

    /// The values of an integer index tensor (int64, or int32 as PyTorch also accepts) in row-major order.
    static func indexValues(_ index: Tensor, op: String) -> [Int] {
        emberCheck(index.dtype == .int64 || index.dtype == .int32, op,
                   "Expected dtype int32/int64 for index (got \(index.dtype))")
        let c = index.to(.int64).contiguous()
        let n = c.numel
        return [Int](unsafeUninitializedCapacity: n) { buf, count in
            if n > 0 { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: c.rawPointer, byteCount: n * 8) }
            count = n
        }
    }

    /// Row-major positions in `shape` of every element of an index of `indexShape` whose coordinate along
    /// `dim` is replaced by `indices` (one per index element): the addressing of gather/scatter/index_select.
    /// Indices must be in `0..<shape[dim]` (these ops do not wrap negative indices, as in PyTorch).
    static func linearAlongDim(shape: [Int], dim d: Int, indexShape: [Int], indices: [Int], op: String) -> [Int] {
        var cs = Tensor.contiguousStrides(shape)
        let step = cs[d], n = shape[d]
        cs[d] = 0
        var lin = elementOffsets(shape: indexShape, strides: cs)
        for i in 0..<lin.count {
            let v = indices[i]
            if v < 0 || v >= n { emberFail(op, "index \(v) is out of bounds for dimension \(d) with size \(n)") }
            lin[i] += v * step
        }
        return lin
    }

    /// Repeats a 1-d index list over `shape` so that element `i` holds the index of its coordinate along `dim`.
    static func broadcastAlongDim(_ idx: [Int], shape: [Int], dim d: Int) -> [Int] {
        let inner = shape[(d + 1)...].reduce(1, *), k = shape[d], total = shape.reduce(1, *)
        if k == 0 { return [] }
        return (0..<total).map { idx[($0 / inner) % k] }
    }

    /// Row-major positions of the true elements of a bool tensor.
    static func truePositions(_ mask: Tensor) -> [Int] {
        let m = mask.contiguous()
        let p = m.pointer(as: Bool.self)
        var out: [Int] = []
        for i in 0..<m.numel where p[i] { out.append(i) }
        return out
    }

    // MARK: gather / scatter

    /// Picks values along `dim` at the positions in `index` (`torch.gather`): for `dim == 1`,
    /// `out[i][j] = self[i][index[i][j]]`. Differentiable in self (`GatherBackward0`, a scatter-add of the gradient).
    ///
    /// Matches PyTorch, including its checks: `index` has self's rank, is no larger than self outside `dim`,
    /// and its values lie in `0..<self.size(dim)` (negative values are rejected). int32 indices are accepted too.
    ///
    /// **Shape:** the output has `index`'s shape.
    ///
    /// ```swift
    /// let yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    /// let y = tensor([0, 2])
    /// yHat.gather(dim: 1, index: y.view(-1, 1))   // [[0.1], [0.5]]
    /// ```
    public func gather(dim: Int, index: Tensor) -> Tensor {
        let op = "gather"
        let d = normalizeDim(dim, rank, op: op)
        let selfShape = rank == 0 ? [1] : shape, idxShape = index.rank == 0 ? [1] : index.shape
        emberCheck(selfShape.count == idxShape.count, op,
                   "Index tensor must have the same number of dimensions as input tensor (index \(shapeString(index.shape)), input \(shapeString(shape)))")
        for k in 0..<idxShape.count where k != d && idxShape[k] > selfShape[k] {
            emberFail(op, "Size does not match at dimension \(k) expected index \(shapeString(index.shape)) to be no larger than self \(shapeString(shape)) apart from dimension \(d)")
        }
        let lin = Tensor.linearAlongDim(shape: selfShape, dim: d, indexShape: idxShape,
                                        indices: Tensor.indexValues(index, op: op), op: op)
        return takeLinear(lin, shape: index.shape, name: "GatherBackward0", inverse: "ScatterAddBackward0")
    }

    /// Adds `src` into a copy of self at the positions in `index` along `dim` (`torch.scatter_add`):
    /// for `dim == 1`, `out[i][index[i][j]] += src[i][j]`. Repeated positions accumulate.
    /// Differentiable in self (the gradient passes through) and in `src` (a gather of the gradient).
    ///
    /// **Shape:** the output has self's shape; `index` has self's rank and is no larger than `src`
    /// anywhere, nor than self outside `dim`. Only the first `index.shape` elements of `src` are used.
    ///
    /// ```swift
    /// let counts = Tensor.zeros(3).scatterAdd(dim: 0, index: tensor([0, 2, 2]), src: Tensor.ones(3))  // [1, 0, 2]
    /// ```
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - index: An int64 tensor of positions along `dim`.
    ///   - src: The values to write, read at the same positions as `index`.
    public func scatterAdd(dim: Int, index: Tensor, src: Tensor) -> Tensor {
        scatter("scatter_add", dim, index, src, accumulate: true, name: "ScatterAddBackward0")
    }

    /// Writes `src` into a copy of self at the positions in `index` along `dim` (`torch.scatter`):
    /// for `dim == 1`, `out[i][index[i][j]] = src[i][j]`. With repeated positions the last write wins
    /// (PyTorch leaves the winner unspecified). Differentiable in self and `src` (`ScatterBackward0`).
    ///
    /// **Shape:** as `scatterAdd(dim:index:src:)`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - index: An int64 tensor of positions along `dim`.
    ///   - src: The values to write, read at the same positions as `index`.
    public func scatter(dim: Int, index: Tensor, src: Tensor) -> Tensor {
        scatter("scatter", dim, index, src, accumulate: false, name: "ScatterBackward0")
    }

    /// Writes `value` into a copy of self at the positions in `index` along `dim` (`torch.scatter(dim, index, value)`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3]).scatter(dim: 1, index: tensor([[2], [0]]), value: 1)   // [[0, 0, 1], [1, 0, 0]]
    /// ```
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - index: An int64 tensor of positions along `dim`.
    ///   - value: The value to write at every position of `index`.
    public func scatter<S: TensorScalar>(dim: Int, index: Tensor, value: S) -> Tensor {
        let v = Tensor.full(index.shape, value.doubleValue, dtype: dtype)
        return scatter("scatter", dim, index, v, accumulate: false, name: "ScatterBackward1")
    }

    private func scatter(_ op: String, _ dim: Int, _ index: Tensor, _ src: Tensor, accumulate: Bool, name: String) -> Tensor {
        let d = normalizeDim(dim, rank, op: op)
        emberCheck(src.dtype == dtype, op, "Expected self.dtype to be equal to src.dtype (got \(dtype) and \(src.dtype))")
        let selfShape = rank == 0 ? [1] : shape
        let idxShape = index.rank == 0 ? [1] : index.shape, srcShape = src.rank == 0 ? [1] : src.shape
        emberCheck(idxShape.count == selfShape.count && srcShape.count == selfShape.count, op,
                   "Index tensor must have the same number of dimensions as self tensor and src tensor (index \(shapeString(index.shape)), self \(shapeString(shape)), src \(shapeString(src.shape)))")
        for k in 0..<idxShape.count where (k != d && idxShape[k] > selfShape[k]) || idxShape[k] > srcShape[k] {
            emberFail(op, "Expected index \(shapeString(index.shape)) to be no larger than self \(shapeString(shape)) apart from dimension \(d) and to be no larger size than src \(shapeString(src.shape))")
        }
        let lin = Tensor.linearAlongDim(shape: selfShape, dim: d, indexShape: idxShape,
                                        indices: Tensor.indexValues(index, op: op), op: op)
        // Only the leading index-shaped block of src takes part; slicing keeps it differentiable.
        var values = src.rank == 0 ? src.reshape([1]) : src
        for k in 0..<idxShape.count where srcShape[k] != idxShape[k] { values = values.slice(k, start: 0, end: idxShape[k]) }
        return Tensor.putLinear(self, lin, values, accumulate: accumulate, name: name, inverse: "GatherBackward0")
    }

    // MARK: index_select / index_add / take

    /// The slices at positions `index` along `dim` (`torch.index_select`); positions may repeat.
    /// Differentiable in self (`IndexSelectBackward0`, an index_add of the gradient).
    ///
    /// **Shape:** self's shape with `dim` replaced by `index.numel`; `index` is 0-d or 1-d, int64 or int32.
    ///
    /// ```swift
    /// let rows = x.indexSelect(dim: 0, index: tensor([4, 0, 4]))
    /// ```
    public func indexSelect(dim: Int, index: Tensor) -> Tensor {
        let op = "index_select"
        emberCheck(index.rank <= 1, op, "Index is supposed to be a vector, got index of shape \(shapeString(index.shape))")
        if rank == 0 { return reshape([1]).indexSelect(dim: dim, index: index).reshape(index.rank == 0 ? [] : [index.numel]) }
        let d = normalizeDim(dim, rank, op: op)
        let idx = Tensor.indexValues(index, op: op)
        var outShape = shape
        outShape[d] = idx.count
        let lin = Tensor.linearAlongDim(shape: shape, dim: d, indexShape: outShape,
                                        indices: Tensor.broadcastAlongDim(idx, shape: outShape, dim: d), op: op)
        return takeLinear(lin, shape: outShape, name: "IndexSelectBackward0", inverse: "IndexAddBackward0")
    }

    /// Adds `alpha * source` into a copy of self at positions `index` along `dim` (`torch.index_add`);
    /// repeated positions accumulate. Differentiable in self and `source` (`IndexAddBackward0`).
    ///
    /// **Shape:** `source` has self's shape except `source.size(dim) == index.numel`.
    ///
    /// - Parameters:
    ///   - dim: The dimension to work along (negative counts from the end).
    ///   - index: An int64 tensor of positions along `dim`.
    ///   - source: The slices to add, one per entry of `index`.
    ///   - alpha: The factor `source` is multiplied by.
    public func indexAdd(dim: Int, index: Tensor, source: Tensor, alpha: Double = 1) -> Tensor {
        let op = "index_add"
        emberCheck(index.rank <= 1, op, "Index is supposed to be a vector, got index of shape \(shapeString(index.shape))")
        emberCheck(source.dtype == dtype, op, "self (\(dtype)) and source (\(source.dtype)) must have the same scalar type")
        let base = rank == 0 ? [1] : shape
        let d = normalizeDim(dim, base.count, op: op)
        let idx = Tensor.indexValues(index, op: op)
        var expected = base
        expected[d] = idx.count
        let srcShape = source.rank == 0 ? [1] : source.shape
        emberCheck(srcShape == expected, op, "source of shape \(shapeString(source.shape)) must match self \(shapeString(shape)) except in dimension \(d), where it must have the index length \(idx.count)")
        let lin = Tensor.linearAlongDim(shape: base, dim: d, indexShape: expected,
                                        indices: Tensor.broadcastAlongDim(idx, shape: expected, dim: d), op: op)
        let values = alpha == 1 ? source : source * Tensor(scalar: alpha, dtype: dtype)
        return Tensor.putLinear(self, lin, values, accumulate: true, name: "IndexAddBackward0", inverse: "IndexSelectBackward0")
    }

    /// Elements of self read as a flat row-major array, at the positions in `index` (`torch.take`);
    /// negative positions count from the end. Differentiable in self (`TakeBackward0`).
    ///
    /// **Shape:** the output has `index`'s shape.
    public func take(_ index: Tensor) -> Tensor {
        let n = numel
        let lin = Tensor.indexValues(index, op: "take").map { v -> Int in
            if v < -n || v >= n { emberFail("take", "out of range: tried to access index \(v) on a tensor of \(n) elements.") }
            return v < 0 ? v + n : v
        }
        return takeLinear(lin, shape: index.shape, name: "TakeBackward0", inverse: "PutBackward0")
    }

    // MARK: Masks

    /// The elements where `mask` is true, as a 1-d tensor in row-major order (`torch.masked_select`).
    /// `mask` is a bool tensor broadcastable with self. Differentiable in self (`MaskedSelectBackward0`).
    ///
    /// ```swift
    /// let positives = x.maskedSelect(x > 0)    // same as x[x > 0] when the shapes match
    /// ```
    public func maskedSelect(_ mask: Tensor) -> Tensor {
        let op = "masked_select"
        emberCheck(mask.dtype == .bool, op, "expected BoolTensor for mask, got \(mask.dtype)")
        let full = broadcastShapes(shape, mask.shape, op: op)
        let src = full == shape ? self : expand(full)
        let lin = Tensor.truePositions(mask.shape == full ? mask : mask.expand(full))
        return src.takeLinear(lin, shape: [lin.count], name: "MaskedSelectBackward0", inverse: "MaskedScatterBackward0")
    }

    /// The coordinates of the non-zero (or true) elements, one row per element in row-major order
    /// (`torch.nonzero`). Not differentiable (an int64 result).
    ///
    /// **Shape:** `[count, rank]`.
    ///
    /// ```swift
    /// tensor([[0, 1], [2, 0]]).nonzero()   // [[0, 1], [1, 0]]
    /// ```
    public func nonzero() -> Tensor {
        let mask = noGrad { dtype == .bool ? self : self.ne(Tensor(scalar: 0, dtype: dtype)) }
        let positions = Tensor.truePositions(mask)
        let out = Tensor(empty: [positions.count, rank], dtype: .int64)
        let p = out.pointer(as: Int64.self)
        for (row, lin) in positions.enumerated() {
            var rem = lin
            for d in Swift.stride(from: rank - 1, through: 0, by: -1) {
                p[row * rank + d] = Int64(rem % shape[d])
                rem /= shape[d]
            }
        }
        return out
    }

    /// One-hot encoding of integer class labels (`F.one_hot`): an int64 tensor with a trailing
    /// dimension of `numClasses` (inferred as `max + 1` when -1), 1 at each label and 0 elsewhere.
    ///
    /// Matches PyTorch's checks: labels must be non-negative and smaller than `numClasses`.
    /// **Shape:** `labels.shape + [numClasses]`.
    ///
    /// ```swift
    /// Tensor.oneHot(tensor([0, 2]), numClasses: 3)   // [[1, 0, 0], [0, 0, 1]]
    /// ```
    public static func oneHot(_ labels: Tensor, numClasses: Int = -1) -> Tensor {
        let op = "one_hot"
        emberCheck(labels.dtype == .int64 || labels.dtype == .int32, op,
                   "one_hot is only applicable to index tensor of type LongTensor, got \(labels.dtype)")
        let values = indexValues(labels, op: op)
        var classes = numClasses
        if classes == -1 {
            emberCheck(!values.isEmpty, op, "Can not infer total number of classes from empty tensor.")
            classes = (values.max() ?? 0) + 1
        }
        emberCheck(classes >= 0, op, "num_classes must be -1 or non-negative, got \(numClasses)")
        let out = Tensor.zeros(labels.shape + [classes], dtype: .int64)
        let p = out.pointer(as: Int64.self)
        for (i, v) in values.enumerated() {
            if v < 0 { emberFail(op, "Class values must be non-negative (got \(v)).") }
            if v >= classes { emberFail(op, "Class values must be smaller than num_classes (got \(v) with num_classes \(classes)).") }
            p[i * classes + v] = 1
        }
        return out
    }
}
