// VectorMath: vectorized float32 elementwise kernels over contiguous arrays, split over the pool when large.
import CEmberKernels

/// Vectorized float32 kernels over contiguous arrays (the fast paths behind `torch.exp`, `+`, `*`,
/// `sum` and the other pointwise ops on contiguous float tensors). Each runs the C loop for the CPU's
/// instruction set (see `KernelISA`); long arrays are split over `ThreadPool.shared`. The maps, binary
/// ops, comparisons, softmax and casts are in VectorMath+Ops.swift.
///
/// Outputs may alias inputs exactly (`y == a` is fine) but must not partially overlap them.
/// ```swift
/// VectorMath.unary(.exp, x, y, n)  // y[i] = exp(x[i])
/// let total = VectorMath.sum(y, n)
/// ```
public enum VectorMath {
    /// Sums longer than this are split over the thread pool; shorter ones run on the caller's thread.
    /// Not `ThreadPool.parallelElementThreshold`: how a sum is sliced changes its rounding, so its split
    /// point is part of its numerics and stays where it was measured.
    public static let parallelThreshold = 100_000
    /// The smallest slice of a sum handed to another thread.
    static let minChunk = 50_000

    /// Sum of `x[0..<n]` (0 for n == 0). SIMD lanes add short blocks in float and the block totals are
    /// accumulated in double, so the error stays near one rounding even for 10⁷ elements — closer to the
    /// exact sum than `torch.sum`'s pairwise float summation.
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        sum(x, n, isa: .active)
    }

    /// `sum` with an explicit instruction-set level (clamped to the CPU's); for tests and benchmarks.
    ///
    /// - Parameters:
    ///   - x: The values to add up.
    ///   - n: The number of values.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int, isa: KernelISA) -> Float {
        let level = Int32(isa.rawValue)
        let pool = ThreadPool.shared
        let parts = n > parallelThreshold ? min(pool.threadCount, n / minChunk) : 1
        if parts <= 1 { return Float(ember_f32_sum_f64_level(level, x, n)) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: parts) { partial in
            partial.initialize(repeating: 0)
            pool.parallelFor(parts) { range in
                for part in range {
                    let lo = part * n / parts, hi = (part + 1) * n / parts
                    partial[part] = ember_f32_sum_f64_level(level, x + lo, hi - lo)
                }
            }
            return Float(partial.reduce(0, +))
        }
    }
}
