// A weight packed once as the GEMM's B operand, for products repeated every step of a recurrence.

/// `B` (`[k, n]`) in the GEMM microkernel's panel order, so a product repeated at every time step
/// (`h · W_hhᵀ`, `∂gates · W_hh`) does not pack the same 1 MB weight again each step, and the product can
/// accumulate into a tensor that already holds the step's other terms (`beta = 1`). PyTorch's oneDNN LSTM
/// likewise reorders its weights once per call. Used only where the backend's GEMM would pack `B` (more than a
/// couple of row panels of A); elsewhere `nil`, and callers use `matmul`.
public struct PackedGemmOperand {
    /// The panels: `B[p, j]` at `((j / w) · k + p) · w + j % w`, column panels of width `w`, each `k` rows deep.
    public let packed: Tensor
    public let k: Int, n: Int

    /// Packs `b` for products with `rowsOfA`-row left operands; nil when that GEMM would read `b` in place, or for
    /// dtypes other than float32/float64.
    public init?(_ b: Tensor, rowsOfA m: Int) {
        guard let width = b.backend.gemmPackedPanelWidth(b.dtype, rowsOfA: m) else { return nil }
        let rows = b.shape[0], cols = b.shape[1]
        let padded = (cols + width - 1) / width * width
        packed = noGrad {
            let bp = padded == cols ? b : Tensor.cat([b, Tensor.zeros([rows, padded - cols], dtype: b.dtype)], dim: 1)
            return bp.reshape([rows, padded / width, width]).permute(1, 0, 2).contiguous()
        }
        k = rows; n = cols
    }

    /// Packs `bᵀ` (`b` is `[n, k]`, so the operand is `[k, n]`), for a product by a weight's transpose: one
    /// transposing copy of `b` straight into panel order, where `init(b.t())` would first make `bᵀ` contiguous. Nil
    /// as `init` is nil.
    public init?(transposeOf b: Tensor, rowsOfA m: Int) {
        guard let width = b.backend.gemmPackedPanelWidth(b.dtype, rowsOfA: m) else { return nil }
        let rows = b.shape[1], cols = b.shape[0]
        guard cols % width == 0, b.isContiguous else {
            self.init(b.t().contiguous(), rowsOfA: m)
            return
        }
        // Panel q, row p, lane w holds bᵀ[p, q·width + w] = b[q·width + w, p].
        self.init(packed: noGrad { b.reshape([cols / width, width, rows]).permute(0, 2, 1).contiguous() }, k: rows, n: cols)
    }

    private init(packed: Tensor, k: Int, n: Int) {
        self.packed = packed; self.k = k; self.n = n
    }

    /// `c = a · B + beta · c` in place; `a` is `[m, k]`, `c` a contiguous `[m, n]` tensor this call may overwrite.
    public func multiply(_ a: Tensor, into c: Tensor, beta: Double) {
        let a = a.contiguous()
        let m = a.shape[0]
        emberCheck(a.shape == [m, k] && c.shape == [m, n] && c.isContiguous && a.dtype == packed.dtype && c.dtype == packed.dtype,
                   "recurrent GEMM", "operands \(shapeString(a.shape)) · [\(k), \(n)] into \(shapeString(c.shape)) do not match")
        a.backend.gemm(a, packed: self, into: c, beta: beta)
    }
}
