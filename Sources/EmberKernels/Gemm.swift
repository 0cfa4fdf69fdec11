// Gemm: the public matrix-multiply entry points (single and double precision, any strides).

/// General matrix multiply, `C = alpha * A·B + beta * C`, like BLAS `sgemm`/`dgemm` and the kernel behind
/// PyTorch's `torch.addmm` / `torch.matmul` on CPU.
///
/// **Conventions.** A is m×k and B is k×n, each given by a base pointer and two element strides, so
/// transposed or strided views need no copy: `A[i, p] = a[i * aRowStride + p * aColStride]` and
/// `B[p, j] = b[p * bRowStride + j * bColStride]`. C is m×n and row-major with leading dimension `ldc`:
/// `C[i, j] = c[i * ldc + j]`. When `beta == 0` the old contents of C are ignored, even NaN or infinity.
/// C must not overlap A or B.
///
/// **Speed.** Large products are packed into cache-sized blocks, multiplied by a register-tiled C
/// microkernel for the CPU's instruction set (AVX-512, AVX2+FMA or portable; see `KernelISA`) and split
/// over `ThreadPool.shared`. Tiny products (m·n·k below 32k) and matrix-vector shapes (m == 1 or n == 1)
/// skip packing and run vectorized loops instead (on the caller's thread unless they are large).
/// ```swift
/// // C[2×4] = A[2×3] · Bᵀ where B is stored 4×3 row-major.
/// Gemm.sgemm(m: 2, n: 4, k: 3, alpha: 1, a: a, aRowStride: 3, aColStride: 1,
///            b: b, bRowStride: 1, bColStride: 3, beta: 0, c: c, ldc: 4)
/// ```
public enum Gemm {
    /// Single-precision `C[m×n] = alpha * A[m×k] · B[k×n] + beta * C`.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A and rows of B (the summed dimension). With `k == 0` C becomes `beta * C`.
    ///   - alpha: Scale of the product.
    ///   - a: Element A[0, 0]; A[i, p] is at `a[i * aRowStride + p * aColStride]`.
    ///   - aRowStride: Elements between consecutive rows of A.
    ///   - aColStride: Elements between consecutive columns of A (1 for row-major A).
    ///   - b: Element B[0, 0]; B[p, j] is at `b[p * bRowStride + j * bColStride]`.
    ///   - bRowStride: Elements between consecutive rows of B.
    ///   - bColStride: Elements between consecutive columns of B (1 for row-major B).
    ///   - beta: Scale of C's old contents; 0 means C is write-only.
    ///   - c: Element C[0, 0] of the row-major result.
    ///   - ldc: Elements between consecutive rows of C (at least n).
    public static func sgemm(m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        GemmDriver.gemm(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                        b: b, bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c, ldc: ldc,
                        isa: KernelISA.active)
    }

    /// `sgemm` with an explicit instruction-set level (clamped to what the CPU has); for tests and
    /// benchmarks that compare levels. Library code calls the overload without `isa`.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - alpha: The factor on the product.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - b: The matrix B.
    ///   - bRowStride: The step in elements between rows of B.
    ///   - bColStride: The step in elements between columns of B.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func sgemm(m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, isa: KernelISA) {
        GemmDriver.gemm(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                        b: b, bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c, ldc: ldc,
                        isa: min(isa, KernelISA.hardware))
    }

    /// Columns per panel of a B operand packed for `sgemm(m:n:k:alpha:a:aRowStride:aColStride:packedB:beta:c:ldc:)`
    /// (the microkernel's tile width on this CPU: 64 with AVX-512, 16 with AVX2 or portable C).
    public static var sgemmPanelWidth: Int { Float.microkernel(KernelISA.active).blocking.nr }

    /// Columns per panel of a B operand packed for the `dgemm` overload taking `packedB`.
    public static var dgemmPanelWidth: Int { Double.microkernel(KernelISA.active).blocking.nr }

    /// Whether `sgemm` with `m` rows packs a row-major B. When it does not (few rows: B is read in place),
    /// producing B prepacked only adds work.
    public static func sgemmPacksRowMajorB(m: Int) -> Bool {
        let blocking = Float.microkernel(KernelISA.active).blocking
        return !GemmDriver.readsRowMajorBInPlace(rows: min(m, blocking.mc), mr: blocking.mr)
    }

    /// `sgemmPacksRowMajorB` for `dgemm`.
    public static func dgemmPacksRowMajorB(m: Int) -> Bool {
        let blocking = Double.microkernel(KernelISA.active).blocking
        return !GemmDriver.readsRowMajorBInPlace(rows: min(m, blocking.mc), mr: blocking.mr)
    }

    /// `sgemm` with B already in the microkernel's packed order, so a producer of B (im2col) writes it once
    /// where `sgemm` would pack it again. With w = `sgemmPanelWidth`, B is `ceil(n / w)` panels of `k × w`:
    /// `B[p, j]` at `packedB[((j / w) * k + p) * w + j % w]`, columns past n zero. No PyTorch counterpart
    /// (oneDNN does the like inside its convolutions).
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - alpha: The factor on the product.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - packedB: B in the microkernel's packed panel order.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    public static func sgemm(m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                             packedB: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        GemmDriver.gemmPrepackedB(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                                  packedB: packedB, beta: beta, c: c, ldc: ldc, isa: KernelISA.active)
    }

    /// Double-precision `sgemm(…, packedB:…)`; panels `dgemmPanelWidth` columns wide.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - alpha: The factor on the product.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - packedB: B in the microkernel's packed panel order.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    public static func dgemm(m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, aRowStride: Int, aColStride: Int,
                             packedB: UnsafePointer<Double>, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        GemmDriver.gemmPrepackedB(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                                  packedB: packedB, beta: beta, c: c, ldc: ldc, isa: KernelISA.active)
    }

    /// Double-precision `C[m×n] = alpha * A[m×k] · B[k×n] + beta * C`; same conventions as `sgemm`.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A and rows of B (the summed dimension). With `k == 0` C becomes `beta * C`.
    ///   - alpha: Scale of the product.
    ///   - a: Element A[0, 0]; A[i, p] is at `a[i * aRowStride + p * aColStride]`.
    ///   - aRowStride: Elements between consecutive rows of A.
    ///   - aColStride: Elements between consecutive columns of A (1 for row-major A).
    ///   - b: Element B[0, 0]; B[p, j] is at `b[p * bRowStride + j * bColStride]`.
    ///   - bRowStride: Elements between consecutive rows of B.
    ///   - bColStride: Elements between consecutive columns of B (1 for row-major B).
    ///   - beta: Scale of C's old contents; 0 means C is write-only.
    ///   - c: Element C[0, 0] of the row-major result.
    ///   - ldc: Elements between consecutive rows of C (at least n).
    public static func dgemm(m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Double>, bRowStride: Int, bColStride: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        GemmDriver.gemm(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                        b: b, bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c, ldc: ldc,
                        isa: KernelISA.active)
    }

    /// `dgemm` with an explicit instruction-set level (clamped to what the CPU has); for tests and
    /// benchmarks that compare levels.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - alpha: The factor on the product.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - b: The matrix B.
    ///   - bRowStride: The step in elements between rows of B.
    ///   - bColStride: The step in elements between columns of B.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func dgemm(m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Double>, bRowStride: Int, bColStride: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, isa: KernelISA) {
        GemmDriver.gemm(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aColStride: aColStride,
                        b: b, bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c, ldc: ldc,
                        isa: min(isa, KernelISA.hardware))
    }

    /// `count` single-precision products `C[i] = alpha * A[i]·B[i] + beta * C[i]` at fixed batch strides, as
    /// `torch.bmm` (and batched `torch.matmul`). Same conventions as `sgemm` for each product; matrix `i` of
    /// each operand starts `i * batchStride` elements after matrix 0. When the batch has at least as many
    /// products as `ThreadPool.shared` has threads (twice as many for products of 2²² multiply-adds or more),
    /// each product runs whole on one thread; otherwise they run one after another, each split over the pool.
    ///
    /// - Parameters:
    ///   - count: Number of products; `count == 0` does nothing.
    ///   - m: Rows of each A and C.
    ///   - n: Columns of each B and C.
    ///   - k: Columns of each A and rows of each B. With `k == 0` every C becomes `beta * C`.
    ///   - alpha: Scale of the products.
    ///   - a: Element A[0][0, 0]; A[i][r, p] is at `a[i * aBatchStride + r * aRowStride + p * aColStride]`.
    ///   - aBatchStride: Elements between consecutive A matrices; 0 multiplies every B by the same A.
    ///   - aRowStride: Elements between consecutive rows of A.
    ///   - aColStride: Elements between consecutive columns of A.
    ///   - b: Element B[0][0, 0]; B[i][p, j] is at `b[i * bBatchStride + p * bRowStride + j * bColStride]`.
    ///   - bBatchStride: Elements between consecutive B matrices; 0 multiplies every A by the same B.
    ///   - bRowStride: Elements between consecutive rows of B.
    ///   - bColStride: Elements between consecutive columns of B.
    ///   - beta: Scale of C's old contents; 0 means C is write-only.
    ///   - c: Element C[0][0, 0]; C[i][r, j] is at `c[i * cBatchStride + r * ldc + j]`.
    ///   - cBatchStride: Elements between consecutive C matrices. The C matrices must not overlap one
    ///     another (a stride of 0 with `count > 1` stops with a message): stacked, |cBatchStride| is at
    ///     least `(m - 1) * ldc + n`; interleaved layouts such as `cBatchStride == n`, `ldc == count * n`
    ///     are fine too. C must not overlap any A or B.
    ///   - ldc: Elements between consecutive rows of each C (at least n).
    public static func sgemmBatched(count: Int, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, aBatchStride: Int, aRowStride: Int, aColStride: Int,
                                    b: UnsafePointer<Float>, bBatchStride: Int, bRowStride: Int, bColStride: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, cBatchStride: Int, ldc: Int) {
        GemmDriver.gemmBatched(count: count, m: m, n: n, k: k, alpha: alpha, a: a, aBatchStride: aBatchStride,
                               aRowStride: aRowStride, aColStride: aColStride, b: b, bBatchStride: bBatchStride,
                               bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c,
                               cBatchStride: cBatchStride, ldc: ldc, isa: KernelISA.active)
    }

    /// `count` double-precision products `C[i] = alpha * A[i]·B[i] + beta * C[i]` at fixed batch strides;
    /// same conventions and parameters as `sgemmBatched`.
    ///
    /// - Parameters:
    ///   - count: Number of products; `count == 0` does nothing.
    ///   - m: Rows of each A and C.
    ///   - n: Columns of each B and C.
    ///   - k: Columns of each A and rows of each B. With `k == 0` every C becomes `beta * C`.
    ///   - alpha: Scale of the products.
    ///   - a: Element A[0][0, 0]; A[i][r, p] is at `a[i * aBatchStride + r * aRowStride + p * aColStride]`.
    ///   - aBatchStride: Elements between consecutive A matrices; 0 multiplies every B by the same A.
    ///   - aRowStride: Elements between consecutive rows of A.
    ///   - aColStride: Elements between consecutive columns of A.
    ///   - b: Element B[0][0, 0]; B[i][p, j] is at `b[i * bBatchStride + p * bRowStride + j * bColStride]`.
    ///   - bBatchStride: Elements between consecutive B matrices; 0 multiplies every A by the same B.
    ///   - bRowStride: Elements between consecutive rows of B.
    ///   - bColStride: Elements between consecutive columns of B.
    ///   - beta: Scale of C's old contents; 0 means C is write-only.
    ///   - c: Element C[0][0, 0]; C[i][r, j] is at `c[i * cBatchStride + r * ldc + j]`.
    ///   - cBatchStride: Elements between consecutive C matrices, which must not overlap one another
    ///     (see `sgemmBatched`); C must not overlap any A or B.
    ///   - ldc: Elements between consecutive rows of each C (at least n).
    public static func dgemmBatched(count: Int, m: Int, n: Int, k: Int, alpha: Double,
                                    a: UnsafePointer<Double>, aBatchStride: Int, aRowStride: Int, aColStride: Int,
                                    b: UnsafePointer<Double>, bBatchStride: Int, bRowStride: Int, bColStride: Int,
                                    beta: Double, c: UnsafeMutablePointer<Double>, cBatchStride: Int, ldc: Int) {
        GemmDriver.gemmBatched(count: count, m: m, n: n, k: k, alpha: alpha, a: a, aBatchStride: aBatchStride,
                               aRowStride: aRowStride, aColStride: aColStride, b: b, bBatchStride: bBatchStride,
                               bRowStride: bRowStride, bColStride: bColStride, beta: beta, c: c,
                               cBatchStride: cBatchStride, ldc: ldc, isa: KernelISA.active)
    }
}
