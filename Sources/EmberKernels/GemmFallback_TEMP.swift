// TEMPORARY naive GEMM so the core builds before the packed GEMM lands (kernels branch replaces this file).
public enum Gemm {
    public static func sgemm(m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for p in 0..<k { acc += a[i * aRowStride + p * aColStride] * b[p * bRowStride + j * bColStride] }
                c[i * ldc + j] = beta == 0 ? alpha * acc : alpha * acc + beta * c[i * ldc + j]
            }
        }
    }
    public static func dgemm(m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, aRowStride: Int, aColStride: Int,
                             b: UnsafePointer<Double>, bRowStride: Int, bColStride: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var acc: Double = 0
                for p in 0..<k { acc += a[i * aRowStride + p * aColStride] * b[p * bRowStride + j * bColStride] }
                c[i * ldc + j] = beta == 0 ? alpha * acc : alpha * acc + beta * c[i * ldc + j]
            }
        }
    }
}
