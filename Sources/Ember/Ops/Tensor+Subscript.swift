// Swift subscripts with PyTorch's indexing rules: basic indices give views, tensor indices gather, setters write in place.
//
// How Python's spelling maps to Ember's (`x` a Tensor, `idx`/`y` int64 tensors, `m` a bool tensor):
//
//   Python                     Swift
//   x[1], x[-1]                x[1], x[-1]                  select (view, dim removed)
//   x[1:3], x[1:], x[:3]       x[1..<3], x[1...], x[..<3]   slice (view)
//   x[1:3] (closed form)       x[1...2]                     a...b means a:b+1 (a...(-1) runs to the end)
//   x[:], x[:, 1]              x[.all], x[.all, 1]
//   x[1:-1], x[::2], x[1::2]   x[.slice(1, -1)], x[.slice(step: 2)], x[.slice(1, step: 2)]
//                              (Swift ranges need lower <= upper, so mixed-sign bounds use .slice)
//   x[..., -1]                 x[.ellipsis, -1]
//   x[None], x[:, None]        x[.newAxis], x[.all, .newAxis]
//   x[idx], x[[0, 2]]          x[idx], x[[0, 2]]            advanced indexing (copy)
//   y_hat[range(n), y]         yHat[Tensor.arange(n), y]    index tensors broadcast together
//   x[x > 0]                   x[x > 0]                     bool mask (copy, 1-d for a full mask)
//   x[0, 1:] = t               x[0, 1...] = t               writes into x's storage (broadcast, dtype cast)
//   x[x > 0] = 0               x.set(x > 0, to: 0)          scalar assignment
//   x.index_put_((i,), v, accumulate=True)   x.indexPut_([i], v, accumulate: true)
//
// Unlike PyTorch, at most one ellipsis is accepted (NumPy's rule), and writes through the setter are not
// recorded for autograd (the framework has no in-place autograd): use `indexPut`, `Tensor.where` or `cat`.
// `x[1...] += 1` works (the basic index is a view and `+=` writes into it), but `x[idx] += 1` with an
// advanced index changes a temporary copy, because Ember's `+=` takes its left side by reference, not
// `inout`: write `x[idx] = x[idx] + 1` or `x.indexPut_([idx], Tensor.ones(...), accumulate: true)`.

/// One parsed subscript component; `TensorIndex` values turn into these.
public enum TensorIndexKind {
    /// An integer position (negative counts from the end): selects and removes the dimension.
    case index(Int)
    /// `start:end:step` with Python's clamping; nil bounds mean the ends of the dimension.
    case slice(start: Int?, end: Int?, step: Int)
    /// `...`: as many full slices as needed.
    case ellipsis
    /// `None`: inserts a dimension of size 1.
    case newAxis
    /// An integer tensor (advanced indexing) or a bool/uint8 mask.
    case tensor(Tensor)
}

/// A value usable inside `x[...]`: `Int`, Swift ranges, `Tensor`, `[Int]`, and the special values
/// `.all`, `.ellipsis`, `.newAxis`, `.slice(start, end, step:)`.
public protocol TensorIndex {
    /// The component this value stands for.
    var tensorIndexKind: TensorIndexKind { get }
}

/// The carrier of the special subscript values (`.all`, `.ellipsis`, `.newAxis`, `.slice(...)`).
public struct TensorIndexItem: TensorIndex {
    public let tensorIndexKind: TensorIndexKind
    public init(_ kind: TensorIndexKind) { tensorIndexKind = kind }
}

extension TensorIndex where Self == TensorIndexItem {
    /// A full slice, Python's `:`.
    public static var all: TensorIndexItem { TensorIndexItem(.slice(start: nil, end: nil, step: 1)) }
    /// Python's `...`.
    public static var ellipsis: TensorIndexItem { TensorIndexItem(.ellipsis) }
    /// Python's `None` in an index: a new dimension of size 1.
    public static var newAxis: TensorIndexItem { TensorIndexItem(.newAxis) }
    /// Python's `start:end:step` (`x[1::2]` is `x[.slice(1, step: 2)]`); negative bounds count from the end.
    ///
    /// - Parameters:
    ///   - start: The first index (nil: the start of the dimension; negative counts from the end).
    ///   - end: The index after the last (nil: the end of the dimension; negative counts from the end).
    ///   - step: The stride between selected indices (positive).
    public static func slice(_ start: Int? = nil, _ end: Int? = nil, step: Int = 1) -> TensorIndexItem {
        TensorIndexItem(.slice(start: start, end: end, step: step))
    }
    /// An integer position (same as writing the integer).
    public static func index(_ i: Int) -> TensorIndexItem { TensorIndexItem(.index(i)) }
}

extension Int: TensorIndex {
    public var tensorIndexKind: TensorIndexKind { .index(self) }
}
extension Range: TensorIndex where Bound == Int {
    public var tensorIndexKind: TensorIndexKind { .slice(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange: TensorIndex where Bound == Int {
    public var tensorIndexKind: TensorIndexKind { .slice(start: lowerBound, end: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndex where Bound == Int {
    public var tensorIndexKind: TensorIndexKind { .slice(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndex where Bound == Int {
    public var tensorIndexKind: TensorIndexKind { .slice(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndex where Bound == Int {
    public var tensorIndexKind: TensorIndexKind { .slice(start: nil, end: upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension Tensor: TensorIndex {
    /// A 0-d integer tensor is an integer position, as in PyTorch (`x[t]` is a view, `x[t.item()]`'s twin);
    /// any other tensor is an advanced index or a mask (uint8, like bool, is a mask at any rank, as in PyTorch).
    public var tensorIndexKind: TensorIndexKind {
        if rank == 0, dtype.isInteger, dtype != .uint8 { return .index(Int(readInt64(atOffset: 0))) }
        return .tensor(self)
    }
}
extension Array: TensorIndex where Element == Int {
    /// A Swift array of positions, like a Python list in an index: an int64 index tensor.
    public var tensorIndexKind: TensorIndexKind { .tensor(Tensor(self, shape: [count])) }
}

extension Tensor {
    /// PyTorch indexing: `x[1]`, `x[1..., 2]`, `x[.all, 1]`, `x[.ellipsis, -1]`, `x[.newAxis]`,
    /// `x[idx]`, `x[Tensor.arange(n), y]`, `x[x > 0]`.
    ///
    /// Integers, ranges, `.all`, `.slice`, `.ellipsis` and `.newAxis` give a view sharing storage, as in
    /// PyTorch (writes through the view change `x`). Integer tensors and masks give a copy (advanced
    /// indexing: index tensors broadcast together; when they index adjacent dimensions the result has
    /// their broadcast shape in place of those dimensions, otherwise first). Differentiable throughout.
    ///
    /// The setter writes into `x`'s storage (`x[0, 1...] = t`): the value is broadcast to the indexed
    /// shape and converted to `x.dtype`. Like PyTorch, it refuses a leaf that requires grad outside
    /// `noGrad`; unlike PyTorch it does not record the write for autograd (use `indexPut`, `where`, `cat`).
    ///
    /// ```swift
    /// let x = Tensor.arange(12).reshape(3, 4)
    /// x[1]                      // [4, 5, 6, 7], a view
    /// x[.all, .slice(step: 2)]  // [[0, 2], [4, 6], [8, 10]]
    /// x[tensor([0, 2]), tensor([1, 3])]   // [1, 11]
    /// x[0, 1...] = tensor([9, 9, 9])
    /// ```
    public subscript(_ indices: TensorIndex...) -> Tensor {
        get { getItem(indices) }
        set { setItem(indices, newValue) }
    }

    /// The same subscript with the components in an array (for indices built at run time).
    public subscript(indices indices: [TensorIndex]) -> Tensor {
        get { getItem(indices) }
        set { setItem(indices, newValue) }
    }

    /// Writes the number `value` at `x[indices...]` in place (Python's `x[mask] = 0`).
    ///
    /// ```swift
    /// x.set(x < 0, to: 0)
    /// x.set(.all, 0, to: 1.5)
    /// ```
    public func set<S: TensorScalar>(_ indices: TensorIndex..., to value: S) {
        setItem(indices, Tensor(scalar: value.doubleValue, dtype: dtype))
    }

    /// Writes `value` (broadcast) at `x[indices...]` in place: the method form of the subscript setter.
    public func set(_ indices: TensorIndex..., to value: Tensor) { setItem(indices, value) }

    /// A copy of self with `values` written (or added, with `accumulate`) at the positions chosen by
    /// `indices` (`torch.index_put`): one entry per leading dimension, an integer tensor, a bool mask, or
    /// nil for the whole dimension. Differentiable in self and `values` (`IndexPutBackward0`).
    ///
    /// ```swift
    /// let hist = Tensor.zeros(4).indexPut([tensor([1, 3, 1])], Tensor.ones(3), accumulate: true)  // [0, 2, 0, 1]
    /// ```
    ///
    /// - Parameters:
    ///   - indices: One index tensor per leading dimension (nil selects the whole dimension).
    ///   - values: The values to write, broadcast to the indexed shape.
    ///   - accumulate: Add to the indexed elements (repeated indices add up) instead of overwriting them.
    public func indexPut(_ indices: [Tensor?], _ values: Tensor, accumulate: Bool = false) -> Tensor {
        let resolved = resolveIndices(Tensor.indexItems(indices), op: "index_put", viewsOnly: false)
        guard !resolved.dims.isEmpty else {
            return accumulate ? self + values.to(dtype) : Tensor.where(Tensor.onesLike(self, dtype: .bool), values.to(dtype), self)
        }
        let (lin, resultShape) = Tensor.advancedOffsets(shape: shape, strides: Tensor.contiguousStrides(shape),
                                                        dims: resolved.dims, indices: resolved.tensors, op: "index_put")
        let v = Tensor.broadcastValue(values, to: resultShape, op: "index_put")
        return Tensor.putLinear(self, lin, v, accumulate: accumulate, name: "IndexPutBackward0", inverse: "IndexBackward0")
    }

    /// `indexPut` in place (`index_put_`): writes into self's storage; with `accumulate`, repeated
    /// positions add up (a histogram), otherwise the last write wins. Not recorded for autograd.
    ///
    /// - Parameters:
    ///   - indices: One index tensor per leading dimension (nil selects the whole dimension).
    ///   - values: The values to write, broadcast to the indexed shape.
    ///   - accumulate: Add to the indexed elements (repeated indices add up) instead of overwriting them.
    @discardableResult
    public func indexPut_(_ indices: [Tensor?], _ values: Tensor, accumulate: Bool = false) -> Tensor {
        setItem(Tensor.indexItems(indices), values, accumulate: accumulate, op: "index_put_")
        return self
    }

    // MARK: Implementation

    /// index_put's optional-tensor list as subscript components (nil is a full slice).
    static func indexItems(_ indices: [Tensor?]) -> [TensorIndex] {
        indices.map { (t: Tensor?) -> TensorIndex in
            if let t = t { return t }
            return TensorIndexItem.all
        }
    }

    /// Applies the basic components as views and collects the tensor components at their dimensions in
    /// that view (masks become one integer tensor per masked dimension), as PyTorch's `applySlicing` does.
    /// With `viewsOnly == false` (index_put), only full slices and tensors may appear.
    func resolveIndices(_ items: [TensorIndex], op: String, viewsOnly: Bool = true) -> (view: Tensor, dims: [Int], tensors: [Tensor]) {
        let kinds = items.map { $0.tensorIndexKind }
        var consumed = 0, ellipses = 0
        for k in kinds {
            switch k {
            case .index, .slice: consumed += 1
            case .ellipsis: ellipses += 1
            case .newAxis: break
            case .tensor(let t): consumed += (t.dtype == .bool || t.dtype == .uint8) ? t.rank : 1
            }
        }
        emberCheck(ellipses <= 1, op, "an index can only have a single ellipsis ('...')")
        emberCheck(consumed <= rank, op, "too many indices for tensor of dimension \(rank) (got \(consumed))")
        var view = self, d = 0, source = 0
        var dims: [Int] = [], tensors: [Tensor] = []
        for k in kinds {
            switch k {
            case .index(let i):
                let n = view.shape[d]
                if i < -n || i >= n { emberFail(op, "index \(i) is out of bounds for dimension \(source) with size \(n)") }
                view = view.select(d, i)
                source += 1
            case .slice(let start, let end, let step):
                emberCheck(step > 0, op, "step must be greater than zero (got \(step))")
                if !(start == nil && end == nil && step == 1) { view = view.slice(d, start: start, end: end, step: step) }
                d += 1; source += 1
            case .ellipsis:
                d += rank - consumed; source += rank - consumed
            case .newAxis:
                view = view.unsqueeze(d)
                d += 1
            case .tensor(let t) where t.dtype == .bool || t.dtype == .uint8:
                let mask = t.dtype == .bool ? t : t.ne(Tensor(scalar: 0, dtype: .uint8))
                if mask.rank == 0 {
                    // x[True] adds a dimension of size 1, x[False] one of size 0.
                    view = view.unsqueeze(d)
                    if !mask.item(as: Bool.self) { view = view.slice(d, start: 0, end: 0) }
                    d += 1
                    continue
                }
                let covered = Array(view.shape[d..<(d + mask.rank)])
                for j in 0..<mask.rank where covered[j] != mask.shape[j] {
                    emberFail(op, "The shape of the mask \(shapeString(mask.shape)) at index \(j) does not match the shape of the indexed tensor \(shapeString(view.shape)) at index \(d + j)")
                }
                let coords = mask.nonzero()
                for j in 0..<mask.rank {
                    dims.append(d + j)
                    tensors.append(noGrad { coords.select(1, j).contiguous() })
                }
                d += mask.rank; source += mask.rank
            case .tensor(let t):
                emberCheck(t.dtype == .int64 || t.dtype == .int32, op,
                           "tensors used as indices must be long, int, byte or bool tensors (got \(t.dtype))")
                dims.append(d); tensors.append(t)
                d += 1; source += 1
            }
        }
        emberCheck(viewsOnly || view === self, op, "indices must be tensors or nil")
        return (view, dims, tensors)
    }

    /// Storage offsets (with the given `strides`; row-major positions with contiguous strides) and the result
    /// shape of advanced indexing a tensor of `shape` with integer tensors at `dims` (increasing order).
    /// The index tensors broadcast together to B; adjacent dims are replaced by B in place, scattered
    /// ones put B first (NumPy's and PyTorch's rule). Negative indices count from the end.
    static func advancedOffsets(shape: [Int], strides: [Int], dims: [Int], indices: [Tensor], op: String) -> (offsets: [Int], shape: [Int]) {
        var b = indices[0].shape
        for t in indices.dropFirst() {
            let r = Swift.max(b.count, t.rank)
            let pb = [Int](repeating: 1, count: r - b.count) + b, pt = [Int](repeating: 1, count: r - t.rank) + t.shape
            for i in 0..<r where pb[i] != pt[i] && pb[i] != 1 && pt[i] != 1 {
                emberFail(op, "shape mismatch: indexing tensors could not be broadcast together with shapes " + indices.map { shapeString($0.shape) }.joined(separator: ", "))
            }
            b = zip(pb, pt).map { $0 == 1 ? $1 : $0 }
        }
        let count = b.reduce(1, *)
        var adv = [Int](repeating: 0, count: count)
        for (t, d) in zip(indices, dims) {
            let values = indexValues(t.shape == b ? t : t.expand(b), op: op)
            let n = shape[d], step = strides[d]
            for i in 0..<count {
                var v = values[i]
                if v < -n || v >= n { emberFail(op, "index \(v) is out of bounds for dimension \(d) with size \(n)") }
                if v < 0 { v += n }
                adv[i] += v * step
            }
        }
        let first = dims.min()!, last = dims.max()!
        let adjacent = last - first == dims.count - 1
        let rest = (0..<shape.count).filter { !dims.contains($0) }
        let pre = adjacent ? rest.filter { $0 < first } : []
        let post = adjacent ? rest.filter { $0 > last } : rest
        let preOffsets = elementOffsets(shape: pre.map { shape[$0] }, strides: pre.map { strides[$0] })
        let postOffsets = elementOffsets(shape: post.map { shape[$0] }, strides: post.map { strides[$0] })
        var out: [Int] = []
        out.reserveCapacity(preOffsets.count * count * postOffsets.count)
        for p in preOffsets { for a in adv { for q in postOffsets { out.append(p + a + q) } } }
        return (out, pre.map { shape[$0] } + b + post.map { shape[$0] })
    }

    /// `value` broadcast to `shape` for assignment: leading size-1 dimensions beyond the target's rank are
    /// dropped first, as PyTorch's setitem does.
    static func broadcastValue(_ value: Tensor, to shape: [Int], op: String) -> Tensor {
        var v = value
        while v.rank > shape.count && v.shape[0] == 1 { v = v.squeeze(0) }
        let ok = v.rank <= shape.count && zip(v.shape.reversed(), shape.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
        emberCheck(ok, op, "shape mismatch: value tensor of shape \(shapeString(value.shape)) cannot be broadcast to indexing result of shape \(shapeString(shape))")
        return v.shape == shape ? v : v.expand(shape)
    }

    func getItem(_ items: [TensorIndex]) -> Tensor {
        let r = resolveIndices(items, op: "index")
        if r.dims.isEmpty { return r.view === self ? makeAlias() : r.view }
        let (lin, shape) = Tensor.advancedOffsets(shape: r.view.shape, strides: Tensor.contiguousStrides(r.view.shape),
                                                  dims: r.dims, indices: r.tensors, op: "index")
        return r.view.takeLinear(lin, shape: shape, name: "IndexBackward0", inverse: "IndexPutBackward0")
    }

    /// `x[...]` with no effective index: a new view of the same storage (PyTorch returns `x.alias()`).
    private func makeAlias() -> Tensor {
        let out = makeView(shape: shape, strides: strides)
        return record(out, "AliasBackward0", inputs: [self]) { g in [g] }
    }

    func setItem(_ items: [TensorIndex], _ value: Tensor, accumulate: Bool = false, op: String = "index_put_") {
        checkInPlaceAllowed(op)
        if GradMode.isEnabled && value.requiresGrad {
            emberFail(op, "writing a tensor that requires grad into another in place is not recorded by Ember's autograd; build the result out of place (indexPut, Tensor.where, Tensor.cat) or write under noGrad { }")
        }
        noGrad {
            let r = resolveIndices(items, op: op)
            let view = r.view
            // A value sharing our storage could be overwritten while it is read.
            let source = value.storage === storage ? value.clone() : value
            if r.dims.isEmpty {
                let v = Tensor.broadcastValue(source, to: view.shape, op: op)
                if accumulate { copyElements(from: view + v, into: view) } else { copyElements(from: v, into: view) }
            } else {
                let (offsets, shape) = Tensor.advancedOffsets(shape: view.shape, strides: view.strides,
                                                              dims: r.dims, indices: r.tensors, op: op)
                let v = Tensor.broadcastValue(source, to: shape, op: op).to(dtype).contiguous()
                scatterElements(v, into: view, offsets: offsets, accumulate: accumulate)
            }
        }
        bumpVersion()
    }
}
