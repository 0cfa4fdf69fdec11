// Multi-head attention (`nn.MultiheadAttention`) with PyTorch's parameter layout, mask conventions and init.
import Ember

/// Multi-head attention, matching `nn.MultiheadAttention`: `softmax(Q Kᵀ/√d + mask) V` per head after input
/// projections, then `out_proj`.
///
/// Parameters: `in_proj_weight` `[3E, E]` when key and value have `embedDim` features, else separate
/// `q_proj_weight` `[E, E]`, `k_proj_weight` `[E, kdim]`, `v_proj_weight` `[E, vdim]`; `in_proj_bias` `[3E]`;
/// `out_proj` (a `Linear(E, E)`). Initialised as PyTorch: `out_proj` Linear first, then Xavier-uniform input
/// projections and zero biases. No `add_bias_kv`/`add_zero_attn`.
///
/// Masks: `keyPaddingMask` `[B, S]` bool, true = ignore that key; `attnMask` `[L, S]` or `[B·heads, L, S]`, bool
/// (true = *not* allowed, PyTorch's MultiheadAttention convention, the opposite of `F.scaledDotProductAttention`)
/// or float (added to the scores).
///
/// Shape: query `[L, B, E]`, key `[S, B, kdim]`, value `[S, B, vdim]` (`[B, L, E]`... with `batchFirst`; unbatched
/// `[L, E]` too) → output like query, weights `[B, L, S]` (averaged) or `[B, heads, L, S]`.
///
/// ```swift
/// let mha = MultiheadAttention(256, 8, batchFirst: true)
/// let (y, w) = mha(x, x, x, keyPaddingMask: pad)
/// ```
public final class MultiheadAttention: Module {
    public let embedDim: Int, numHeads: Int, kdim: Int, vdim: Int, headDim: Int
    public let dropout: Double, batchFirst: Bool
    @Parameter public var inProjWeight: Tensor?
    @Parameter public var qProjWeight: Tensor?
    @Parameter public var kProjWeight: Tensor?
    @Parameter public var vProjWeight: Tensor?
    @Parameter public var inProjBias: Tensor?
    public let outProj: Linear

    /// Multi-head attention initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - embedDim: The model's feature size `E` (queries and output).
    ///   - numHeads: The number of heads (must divide `embedDim`).
    ///   - dropout: The dropout probability on the attention weights.
    ///   - bias: Whether the input and output projections have biases.
    ///   - kdim: The number of features of the keys (nil: `embedDim`).
    ///   - vdim: The number of features of the values (nil: `embedDim`).
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - dtype: The element type of the parameters.
    public init(_ embedDim: Int, _ numHeads: Int, dropout: Double = 0, bias: Bool = true, kdim: Int? = nil, vdim: Int? = nil,
                batchFirst: Bool = false, dtype: DType = .float32) {
        emberCheck(embedDim > 0 && numHeads > 0, "MultiheadAttention", "embed_dim and num_heads must be greater than 0, got embed_dim=\(embedDim) and num_heads=\(numHeads) instead")
        emberCheck(embedDim % numHeads == 0, "MultiheadAttention", "embed_dim must be divisible by num_heads (embed_dim=\(embedDim), num_heads=\(numHeads))")
        self.embedDim = embedDim; self.numHeads = numHeads; self.headDim = embedDim / numHeads
        self.kdim = kdim ?? embedDim; self.vdim = vdim ?? embedDim
        self.dropout = dropout; self.batchFirst = batchFirst
        let same = self.kdim == embedDim && self.vdim == embedDim
        inProjWeight = same ? Tensor.empty([3 * embedDim, embedDim], dtype: dtype) : nil
        qProjWeight = same ? nil : Tensor.empty([embedDim, embedDim], dtype: dtype)
        kProjWeight = same ? nil : Tensor.empty([embedDim, self.kdim], dtype: dtype)
        vProjWeight = same ? nil : Tensor.empty([embedDim, self.vdim], dtype: dtype)
        inProjBias = bias ? Tensor.empty([3 * embedDim], dtype: dtype) : nil
        outProj = Linear(embedDim, embedDim, bias: bias, dtype: dtype)   // draws first, as in PyTorch's __init__
        super.init()
        for w in [inProjWeight, qProjWeight, kProjWeight, vProjWeight].compactMap({ $0 }) { Init.xavierUniform_(w) }
        if let b = inProjBias { Init.zeros_(b) }
        if let b = outProj.bias { Init.zeros_(b) }
    }

    /// Attends from `query` to `key`/`value`. Returns the output and, with `needWeights`, the attention weights
    /// (averaged over heads when `averageAttnWeights`). `isCausal` adds a causal mask when `attnMask` is nil.
    ///
    /// - Parameters:
    ///   - query: The queries `[L, B, E]` (`[B, L, E]` with `batchFirst`).
    ///   - key: The keys `[S, B, kdim]`.
    ///   - value: The values `[S, B, vdim]`.
    ///   - keyPaddingMask: `[B, S]` bool, true for keys to ignore; nil: none.
    ///   - needWeights: Also return the attention weights.
    ///   - attnMask: `[L, S]` or `[B·heads, L, S]`: bool (true = not allowed) or float added to the scores; nil: none.
    ///   - averageAttnWeights: Average the returned weights over the heads.
    ///   - isCausal: Use a causal mask when `attnMask` is nil.
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
                               isCausal: Bool = false) -> (output: Tensor, weights: Tensor?) {
        let op = "multi_head_attention_forward"
        let batched = query.rank == 3
        emberCheck(query.rank == 2 || query.rank == 3, op, "query should be unbatched 2D or batched 3D tensor but received \(query.rank)-D query tensor \(shapeString(query.shape))")
        emberCheck(key.rank == query.rank && value.rank == query.rank, op, "key and value should have the same rank as query: query \(shapeString(query.shape)), key \(shapeString(key.shape)), value \(shapeString(value.shape))")
        // Internally batch first [B, L, E]: batch-first inputs (the common case) then need no copy, and each
        // projection is one GEMM over all tokens.
        func batchFirstView(_ t: Tensor) -> Tensor { batched ? (batchFirst ? t : t.transpose(0, 1)) : t.unsqueeze(0) }
        let q = batchFirstView(query), k = batchFirstView(key), v = batchFirstView(value)
        let (bsz, tgtLen, e) = (q.shape[0], q.shape[1], q.shape[2])
        let srcLen = k.shape[1]
        emberCheck(e == embedDim, op, "was expecting embedding dimension of \(embedDim), but got \(e) (query \(shapeString(query.shape)))")
        emberCheck(k.shape[2] == kdim && v.shape[2] == vdim, op, "expected key of \(kdim) and value of \(vdim) features, but got key \(shapeString(key.shape)) and value \(shapeString(value.shape))")
        emberCheck(k.shape[0] == v.shape[0] && k.shape[1] == v.shape[1] && k.shape[0] == bsz, op,
                   "key shape \(shapeString(key.shape)) does not match value shape \(shapeString(value.shape)) or the query's batch \(shapeString(query.shape))")
        // Input projections (PyTorch's `_in_projection_packed`: one GEMM for q, k, v in self-attention).
        let biases = inProjBias.map { b in b.chunk(3, dim: 0) }
        let qp: Tensor, kp: Tensor, vp: Tensor
        if let w = inProjWeight {
            let ws = w.chunk(3, dim: 0)
            if query === key && key === value {
                let all = F.linear(q, w, bias: inProjBias).unflatten(-1, [3, embedDim])
                qp = all.select(-2, 0); kp = all.select(-2, 1); vp = all.select(-2, 2)
            } else {
                qp = F.linear(q, ws[0], bias: biases?[0]); kp = F.linear(k, ws[1], bias: biases?[1]); vp = F.linear(v, ws[2], bias: biases?[2])
            }
        } else {
            qp = F.linear(q, qProjWeight!, bias: biases?[0]); kp = F.linear(k, kProjWeight!, bias: biases?[1])
            vp = F.linear(v, vProjWeight!, bias: biases?[2])
        }
        // [B, L, E] -> [B, H, L, d]
        func heads(_ t: Tensor, _ len: Int) -> Tensor { t.reshape([bsz, len, numHeads, headDim]).transpose(1, 2) }
        let qh = heads(qp, tgtLen), kh = heads(kp, srcLen), vh = heads(vp, srcLen)
        // Merge the masks into one float mask broadcastable to [B, H, L, S].
        var mask: Tensor? = nil
        if let m = attnMask {
            let ok = (m.rank == 2 && m.shape == [tgtLen, srcLen]) || (m.rank == 3 && m.shape == [bsz * numHeads, tgtLen, srcLen])
            emberCheck(ok, op, "The shape of the attn_mask should be \(shapeString([tgtLen, srcLen])) or \(shapeString([bsz * numHeads, tgtLen, srcLen])), but got \(shapeString(m.shape))")
            let f = canonicalMask(m, dtype: q.dtype)
            mask = f.rank == 2 ? f : f.view([bsz, numHeads, tgtLen, srcLen])
        } else if isCausal {
            mask = causalFloatMask(tgtLen, srcLen, dtype: q.dtype)
        }
        if let kpm = keyPaddingMask {
            let expected = batched ? [bsz, srcLen] : [srcLen]
            emberCheck(kpm.shape == expected, op, "expected key_padding_mask of shape \(shapeString(expected)), but got \(shapeString(kpm.shape))")
            let f = canonicalMask(kpm, dtype: q.dtype).reshape([bsz, 1, 1, srcLen])
            mask = mask.map { $0 + f } ?? f
        }
        let p = training ? dropout : 0
        var out: Tensor, weights: Tensor? = nil
        if needWeights {
            let scores = (qh * (1 / Double(headDim)).squareRoot()).matmul(kh.transpose(-2, -1))
            var w = F.softmax(mask.map { scores + $0 } ?? scores, dim: -1)
            if p > 0 { w = F.dropout(w, p: p, training: true) }
            out = w.matmul(vh)
            weights = averageAttnWeights ? w.mean(dim: 1) : w
            if !batched { weights = weights!.squeeze(0) }
        } else {
            out = F.scaledDotProductAttention(qh, kh, vh, attnMask: mask, dropoutP: p)
        }
        // [B, H, L, d] -> [B, L, E] -> out_proj
        out = outProj(out.transpose(1, 2).reshape([bsz, tgtLen, embedDim]))
        out = batched ? (batchFirst ? out : out.transpose(0, 1)) : out.squeeze(0)
        return (out, weights)
    }

    /// Self- or cross-attention output only (`mha(q)` attends `q` to itself).
    public override func forward(_ input: Tensor) -> Tensor { self(input, input, input, needWeights: false).output }
    public override var extraDescription: String { "" }
}

/// A float mask from a bool one (true → −∞, false → 0), as PyTorch's `_canonical_mask`; float masks pass through.
func canonicalMask(_ mask: Tensor, dtype: DType) -> Tensor {
    if mask.dtype == .bool { return Tensor.zeros(mask.shape, dtype: dtype).maskedFill(mask, -Double.infinity) }
    emberCheck(mask.dtype.isFloatingPoint, "multi_head_attention_forward", "only bool and floating types of masks are supported, got \(mask.dtype)")
    return mask
}

/// The `[L, S]` float mask with −∞ above the diagonal and 0 elsewhere.
func causalFloatMask(_ l: Int, _ s: Int, dtype: DType) -> Tensor {
    var v = [Double](repeating: 0, count: l * s)
    for i in 0..<l { for j in (i + 1)..<Swift.max(i + 1, s) { v[i * s + j] = -.infinity } }
    return Tensor(v, shape: [l, s]).to(dtype)
}
