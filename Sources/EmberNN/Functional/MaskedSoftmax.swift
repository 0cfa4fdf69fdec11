// d2l's masked softmax: a softmax over the last axis that ignores positions past each row's valid length.
import Ember

extension F {
    /// Softmax over the last axis of `x` with positions at or beyond `validLens` replaced by −10⁶ first, as d2l's
    /// `masked_softmax` (so a fully masked row becomes uniform, not NaN). `validLens` is nil (plain softmax), `[B]`
    /// (one length per batch element, shared by its queries) or `[B, Q]` (one per query); integer or float.
    ///
    /// Shape: x `[B, Q, K]`, validLens `[B]` or `[B, Q]` → `[B, Q, K]`.
    ///
    /// ```swift
    /// let w = F.maskedSoftmax(Tensor.rand([2, 2, 4]), validLens: tensor([2, 3]))
    /// ```
    public static func maskedSoftmax(_ x: Tensor, validLens: Tensor?) -> Tensor {
        guard let lens = validLens else { return x.softmax(dim: -1) }
        let op = "masked_softmax"
        emberCheck(x.rank == 3, op, "expected a 3-D input [batch, queries, keys], but got \(shapeString(x.shape))")
        let (b, q, k) = (x.shape[0], x.shape[1], x.shape[2])
        emberCheck((lens.rank == 1 && lens.shape[0] == b) || (lens.rank == 2 && lens.shape == [b, q]), op,
                   "valid_lens must be [\(b)] or [\(b), \(q)] for input \(shapeString(x.shape)), but got \(shapeString(lens.shape))")
        let perQuery = (lens.rank == 1 ? lens.unsqueeze(1).expand([b, q]) : lens).to(.float64).unsqueeze(-1)   // [B, Q, 1]
        let positions = Tensor.arange(k).to(.float64).reshape([1, 1, k])
        let masked = positions.ge(perQuery)    // [B, Q, K]: true where the key is past the valid length
        return x.maskedFill(masked, -1e6).softmax(dim: -1)
    }
}
