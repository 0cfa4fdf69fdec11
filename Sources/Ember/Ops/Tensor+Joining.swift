// Joining and splitting: cat, stack, hstack/vstack (copies) and split, chunk, unbind (views).

extension Tensor {
    /// Concatenates tensors along an existing dimension (`torch.cat`).
    ///
    /// Matches PyTorch: dtypes promote (int64 with float32 gives float32), every size except `dim`
    /// must match, and legacy empty 1-d tensors (shape `[0]`) are skipped. Differentiable
    /// (`CatBackward0` hands each input its slice of the gradient).
    ///
    /// **Shape:** the inputs' shape with `dim` the sum of their sizes along `dim`.
    ///
    /// ```swift
    /// let x = Tensor.arange(6).reshape(2, 3)
    /// Tensor.cat([x, x], dim: 0).shape   // [4, 3]
    /// Tensor.cat([x, x], dim: 1).shape   // [2, 6]
    /// ```
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        let op = "cat"
        emberCheck(!tensors.isEmpty, op, "expected a non-empty list of Tensors")
        for (i, t) in tensors.enumerated() {
            emberCheck(t.rank > 0, op, "zero-dimensional tensor (at position \(i)) cannot be concatenated")
        }
        let dtype = tensors.dropFirst().reduce(tensors[0].dtype) { DType.promote($0, $1.dtype) }
        let skipped = tensors.map { $0.rank == 1 && $0.shape[0] == 0 }
        guard let firstIndex = skipped.firstIndex(of: false) else { return Tensor(empty: [0], dtype: dtype) }
        let first = tensors[firstIndex]
        let d = normalizeDim(dim, first.rank, op: op)
        var total = 0
        for (i, t) in tensors.enumerated() where !skipped[i] {
            emberCheck(t.rank == first.rank, op, "Tensors must have same number of dimensions: got \(first.rank) and \(t.rank) (shapes \(shapeString(first.shape)) and \(shapeString(t.shape)))")
            for k in 0..<t.rank where k != d && t.shape[k] != first.shape[k] {
                emberFail(op, "Sizes of tensors must match except in dimension \(d). Expected size \(first.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list (shapes \(tensors.map { shapeString($0.shape) }.joined(separator: ", ")))")
            }
            total += t.shape[d]
        }
        var outShape = first.shape
        outShape[d] = total
        let out = Tensor(empty: outShape, dtype: dtype)
        var ranges: [Range<Int>?] = []
        var offset = 0
        for (i, t) in tensors.enumerated() {
            if skipped[i] { ranges.append(nil); continue }
            let n = t.shape[d]
            copyElements(from: t, into: out.slice(d, start: offset, end: offset + n))
            ranges.append(offset..<(offset + n))
            offset += n
        }
        let types = tensors.map { $0.dtype }
        return record(out, "CatBackward0", inputs: tensors) { g in
            zip(ranges, types).map { range, type -> Tensor? in
                guard type.isFloatingPoint else { return nil }
                guard let r = range else { return Tensor.zeros([0], dtype: type) }
                return g.slice(d, start: r.lowerBound, end: r.upperBound).to(type)
            }
        }
    }

    /// Joins equally shaped tensors along a new dimension `dim` (`torch.stack`); dtypes promote as in `cat`.
    /// Differentiable (`StackBackward0` hands each input `g.select(dim, i)`).
    ///
    /// **Shape:** `n` tensors of shape `s` give `s` with `n` inserted at `dim`.
    ///
    /// ```swift
    /// Tensor.stack([a, b], dim: 1)   // a, b: [3, 4] → [3, 2, 4]
    /// ```
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        let op = "stack"
        emberCheck(!tensors.isEmpty, op, "expects a non-empty TensorList")
        let s0 = tensors[0].shape
        for (i, t) in tensors.enumerated() where t.shape != s0 {
            emberFail(op, "stack expects each tensor to be equal size, but got \(shapeString(s0)) at entry 0 and \(shapeString(t.shape)) at entry \(i)")
        }
        let d = normalizeDim(dim, s0.count + 1, op: op)
        let out = noGrad { cat(tensors.map { $0.unsqueeze(d) }, dim: d) }
        let types = tensors.map { $0.dtype }
        return record(out, "StackBackward0", inputs: tensors) { g in
            types.enumerated().map { i, type in type.isFloatingPoint ? g.select(d, i).to(type) : nil }
        }
    }

    /// Concatenates column-wise (`torch.hstack`): along dim 0 for 1-d inputs, dim 1 otherwise.
    public static func hstack(_ tensors: [Tensor]) -> Tensor {
        let ts = tensors.map { $0.rank == 0 ? $0.reshape([1]) : $0 }
        return cat(ts, dim: ts.first?.rank == 1 ? 0 : 1)
    }

    /// Concatenates row-wise (`torch.vstack`): 0-d and 1-d inputs become rows first.
    public static func vstack(_ tensors: [Tensor]) -> Tensor {
        cat(tensors.map { $0.rank == 0 ? $0.reshape([1, 1]) : ($0.rank == 1 ? $0.unsqueeze(0) : $0) }, dim: 0)
    }

    /// Splits into views of `size` elements along `dim`, the last one smaller if needed (`torch.split(x, size, dim)`).
    /// Each part is a view sharing storage with self (writes through it change self), differentiable.
    ///
    /// ```swift
    /// Tensor.arange(5).split(2)   // [0, 1], [2, 3], [4]
    /// ```
    public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
        let op = "split"
        let d = normalizeDim(dim, rank, op: op)
        let n = shape[d]
        emberCheck(size >= 0, op, "split expects split_size be non-negative, but got split_size=\(size)")
        emberCheck(size > 0 || n == 0, op, "split_size can only be 0 if dimension size is 0, but got dimension size of \(n)")
        if n == 0 { return [narrow(d, start: 0, length: 0)] }
        let count = (n + size - 1) / size
        return (0..<count).map { i in narrow(d, start: i * size, length: Swift.min(size, n - i * size)) }
    }

    /// Splits into views with the given sizes along `dim` (`torch.split(x, [2, 3], dim)`); the sizes must sum to `size(dim)`.
    ///
    /// ```swift
    /// let parts = Tensor.zeros([4, 5]).split([2, 3], dim: 1)   // shapes [4, 2] and [4, 3]
    /// ```
    public func split(_ sizes: [Int], dim: Int = 0) -> [Tensor] {
        let op = "split_with_sizes"
        let d = normalizeDim(dim, rank, op: op)
        emberCheck(sizes.allSatisfy { $0 >= 0 }, op, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=\(sizes)")
        emberCheck(sizes.reduce(0, +) == shape[d], op, "split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at dimension \(d)), but got split_sizes=\(sizes)")
        var start = 0
        return sizes.map { s in
            defer { start += s }
            return narrow(d, start: start, length: s)
        }
    }

    /// Splits into `chunks` views along `dim` of `ceil(size / chunks)` elements each, the last smaller;
    /// like PyTorch, fewer than `chunks` parts come back when the size does not allow more (`torch.chunk`).
    ///
    /// ```swift
    /// Tensor.arange(10).reshape(5, 2).chunk(2, dim: 0).map(\.shape)   // [[3, 2], [2, 2]]
    /// ```
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        emberCheck(chunks > 0, "chunk", "chunk expects `chunks` to be greater than 0, got: \(chunks)")
        let d = normalizeDim(dim, rank, op: "chunk")
        return split((shape[d] + chunks - 1) / chunks, dim: d)
    }

    /// The views `select(dim, i)` for every `i` (`torch.unbind`): removes `dim`.
    ///
    /// ```swift
    /// for row in x.unbind(dim: 0) { print(row) }
    /// ```
    public func unbind(dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, rank, op: "unbind")
        return (0..<shape[d]).map { select(d, $0) }
    }
}
