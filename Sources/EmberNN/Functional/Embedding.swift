// embedding: row lookup into a weight matrix; backward scatter-adds into the rows (skipping padding_idx).
import Ember

extension F {
    /// Looks up rows of `weight` by integer `indices`, matching `torch.nn.functional.embedding`.
    ///
    /// The gradient of `weight` is a dense scatter-add of the output gradient into the looked-up rows
    /// (`EmbeddingBackward0`); the row `paddingIdx` (negative counts from the end) gets no gradient.
    /// `max_norm` and sparse gradients are not supported.
    ///
    /// Shape: indices `[*]` (int64 or int32), weight `[V, D]` → `[*, D]`.
    ///
    /// ```swift
    /// let table = Tensor.ones([10, 4]).requiresGrad_()
    /// let vectors = F.embedding(tensor([[1, 2], [4, 9]]), table)   // [2, 2, 4]
    /// ```
    public static func embedding(_ indices: Tensor, _ weight: Tensor, paddingIdx: Int? = nil) -> Tensor {
        let op = "embedding"
        emberCheck(indices.dtype == .int64 || indices.dtype == .int32, op,
                   "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got \(indices.dtype) instead")
        emberCheck(weight.rank == 2, op, "'weight' must be 2-D, but got weight of size \(shapeString(weight.shape))")
        checkFloatInputs(op, ("weight", weight))
        let v = weight.shape[0], d = weight.shape[1]
        var pad: Int? = nil
        if let p = paddingIdx {
            emberCheck(p < v && p >= -v, op, "Padding_idx must be within num_embeddings")
            pad = p < 0 ? p + v : p
        }
        let idx = indices.to(.int64).contiguous()
        let w = weight.kernelInput
        let out = w.backend.embedding(weight: w, indices: idx)
        return record(out, "EmbeddingBackward0", inputs: [weight]) { g in
            let gy = g.kernelInput
            let gw = gy.backend.embeddingBackward(gy, indices: idx, rows: v, paddingIndex: pad)
            // Linear in g: the adjoint of the scatter is the lookup, with padding rows left out.
            let shape = indices.shape + [d]
            return [record(gw, "EmbeddingBackwardBackward0", inputs: [g]) { gg in
                let rows = gg.indexSelect(dim: 0, index: idx.reshape([-1])).view(shape)
                guard let pad else { return [rows] }
                let keep = idx.ne(Tensor(scalar: Double(pad), dtype: .int64)).to(gg.dtype).view(indices.shape + [1])
                return [rows * keep]
            }]
        }
    }
}
