// scaled_dot_product_attention composed from matmul, masking, softmax and dropout (the math path of PyTorch).
import Ember

extension F {
    /// Scaled dot-product attention, matching `torch.nn.functional.scaled_dot_product_attention`.
    ///
    /// Computes `softmax(q·kᵀ · scale + mask) · v` with `scale = 1/√E` by default. `attnMask` is either a
    /// bool tensor (true = may attend; false positions get −∞) or a float tensor added to the scores; it
    /// broadcasts to `[..., L, S]`. `isCausal` masks future positions (the upper triangle of an `L×S`
    /// matrix) and excludes `attnMask`. `dropoutP` applies dropout to the attention weights (use 0 in eval).
    /// Composed from differentiable ops, so gradients (and higher-order ones) follow automatically.
    ///
    /// Shape: query `[..., L, E]`, key `[..., S, E]`, value `[..., S, Ev]` → `[..., L, Ev]`.
    ///
    /// ```swift
    /// let y = F.scaledDotProductAttention(q, k, v, isCausal: true)
    /// ```
    public static func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: Tensor? = nil,
                                                 dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil) -> Tensor {
        let op = "scaled_dot_product_attention"
        checkFloatInputs(op, ("query", query), ("key", key), ("value", value))
        emberCheck(query.rank >= 2 && key.rank >= 2 && value.rank >= 2, op,
                   "Expected query, key and value to be at least 2-D, but got query \(shapeString(query.shape)), key \(shapeString(key.shape)), value \(shapeString(value.shape))")
        let e = query.shape[query.rank - 1], l = query.shape[query.rank - 2], s = key.shape[key.rank - 2]
        emberCheck(key.shape[key.rank - 1] == e, op, "Expected query's last dim (\(e)) to match key's last dim (\(key.shape[key.rank - 1])): query \(shapeString(query.shape)), key \(shapeString(key.shape))")
        emberCheck(value.shape[value.rank - 2] == s, op, "Expected key and value to have the same sequence length, but got key \(shapeString(key.shape)) and value \(shapeString(value.shape))")
        emberCheck(!(isCausal && attnMask != nil), op, "Explicit attn_mask should not be set when is_causal=True")
        let factor = scale ?? 1 / Double(e).squareRoot()
        var scores = query.matmul(key.transpose(-2, -1)) * factor
        if isCausal {
            var allowed = [Bool](repeating: false, count: l * s)
            for i in 0..<l { for j in 0..<Swift.min(i + 1, s) { allowed[i * s + j] = true } }
            scores = scores.maskedFill(!Tensor(allowed, shape: [l, s]), -Double.infinity)
        } else if let mask = attnMask {
            if mask.dtype == .bool {
                scores = scores.maskedFill(!mask, -Double.infinity)
            } else {
                checkFloatInputs(op, ("query", query), ("attn_mask", mask))
                scores = scores + mask
            }
        }
        var weights = F.softmax(scores, dim: -1)
        if dropoutP > 0 { weights = F.dropout(weights, p: dropoutP, training: true) }
        return weights.matmul(value)
    }
}
