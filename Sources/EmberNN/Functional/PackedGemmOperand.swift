// A weight packed once as the GEMM's B operand, for products repeated every step of a recurrence.
import Ember
import EmberKernels

/// `B` (`[k, n]`) in the GEMM microkernel's panel order, so a product repeated at every time step
/// (`h · W_hhᵀ`, `∂gates · W_hh`) does not pack the same 1 MB weight again each step, and the product can
/// accumulate into a tensor that already holds the step's other terms (`beta = 1`). PyTorch's oneDNN LSTM
/// likewise reorders its weights once per call. Used only where the GEMM would pack `B` (more than a couple of
/// row panels of A); elsewhere `nil`, and callers use `matmul`.
struct PackedGemmOperand {
    let packed: Tensor
    let k: Int, n: Int

    /// Packs `b` for products with `rowsOfA`-row left operands; nil when that GEMM would read `b` in place, or for
    /// dtypes other than float32/float64.
    init?(_ b: Tensor, rowsOfA m: Int) {
        let width: Int
        switch b.dtype {
        case .float32: guard Gemm.sgemmPacksRowMajorB(m: m) else { return nil }; width = Gemm.sgemmPanelWidth
        case .float64: guard Gemm.dgemmPacksRowMajorB(m: m) else { return nil }; width = Gemm.dgemmPanelWidth
        default: return nil
        }
        let rows = b.shape[0], cols = b.shape[1]
        let padded = (cols + width - 1) / width * width
        // B[p, j] at ((j / w) · k + p) · w + j % w: column panels of width w, each k rows deep.
        packed = noGrad {
            let bp = padded == cols ? b : Tensor.cat([b, Tensor.zeros([rows, padded - cols], dtype: b.dtype)], dim: 1)
            return bp.reshape([rows, padded / width, width]).permute(1, 0, 2).contiguous()
        }
        k = rows; n = cols
    }

    /// `c = a · B + beta · c` in place; `a` is `[m, k]`, `c` a contiguous `[m, n]` tensor this call may overwrite.
    func multiply(_ a: Tensor, into c: Tensor, beta: Double) {
        let a = a.contiguous()
        let m = a.shape[0]
        emberCheck(a.shape == [m, k] && c.shape == [m, n] && c.isContiguous && a.dtype == packed.dtype && c.dtype == packed.dtype,
                   "recurrent GEMM", "operands \(shapeString(a.shape)) · [\(k), \(n)] into \(shapeString(c.shape)) do not match")
        if packed.dtype == .float32 {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Float.self), aRowStride: k, aColStride: 1,
                       packedB: packed.pointer(as: Float.self), beta: Float(beta), c: c.pointer(as: Float.self), ldc: n)
        } else {
            Gemm.dgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Double.self), aRowStride: k, aColStride: 1,
                       packedB: packed.pointer(as: Double.self), beta: beta, c: c.pointer(as: Double.self), ldc: n)
        }
    }
}
