// VectorMath: vectorized float32 elementwise kernels over contiguous arrays, split over the pool when large.
import CEmberKernels

/// Vectorized float32 kernels over contiguous arrays (the fast paths behind `torch.exp`, `+`, `*` and
/// `sum` on contiguous float tensors). Each runs the C loop for the CPU's instruction set (see
/// `KernelISA`); arrays longer than `parallelThreshold` are split over `ThreadPool.shared`.
///
/// Outputs may alias inputs exactly (`y == a` is fine) but must not partially overlap them.
/// ```swift
/// VectorMath.exp(x, y, n)          // y[i] = exp(x[i])
/// let total = VectorMath.sum(y, n)
/// ```
public enum VectorMath {
    /// Arrays longer than this are split over the thread pool; shorter ones run on the caller's thread.
    public static let parallelThreshold = 100_000
    /// The smallest slice handed to another thread.
    static let minChunk = 50_000

    /// `y[i] = exp(x[i])` for `i < n`, within 1 ulp (2 on the portable path). Large inputs give `+inf`,
    /// very negative ones give denormals and then 0; NaN stays NaN. Matches `torch.exp`.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        exp(x, y, n, isa: .active)
    }

    /// `exp` with an explicit instruction-set level (clamped to the CPU's); for tests and benchmarks.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA) {
        let level = Int32(isa.rawValue)
        split(n) { lo, len in ember_f32_exp_level(level, x + lo, y + lo, len) }
    }

    /// `y[i] = a[i] + b[i]` for `i < n`. Matches `torch.add` on contiguous float32 tensors.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ n: Int) {
        add(a, b, y, n, isa: .active)
    }

    /// `add` with an explicit instruction-set level (clamped to the CPU's); for tests and benchmarks.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ n: Int, isa: KernelISA) {
        let level = Int32(isa.rawValue)
        split(n) { lo, len in ember_f32_add_level(level, a + lo, b + lo, y + lo, len) }
    }

    /// `y[i] = a[i] * b[i]` for `i < n`. Matches `torch.mul` on contiguous float32 tensors.
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ n: Int) {
        mul(a, b, y, n, isa: .active)
    }

    /// `mul` with an explicit instruction-set level (clamped to the CPU's); for tests and benchmarks.
    public static func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ n: Int, isa: KernelISA) {
        let level = Int32(isa.rawValue)
        split(n) { lo, len in ember_f32_mul_level(level, a + lo, b + lo, y + lo, len) }
    }

    /// Sum of `x[0..<n]` (0 for n == 0). SIMD lanes add short blocks in float and the block totals are
    /// accumulated in double, so the error stays near one rounding even for 10⁷ elements — closer to the
    /// exact sum than `torch.sum`'s pairwise float summation.
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        sum(x, n, isa: .active)
    }

    /// `sum` with an explicit instruction-set level (clamped to the CPU's); for tests and benchmarks.
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

    /// Runs `body(start, length)` over `0..<n`, in parallel slices when n is large.
    @inline(__always)
    private static func split(_ n: Int, _ body: (Int, Int) -> Void) {
        if n <= parallelThreshold {
            if n > 0 { body(0, n) }
            return
        }
        ThreadPool.shared.parallelFor(n, minChunk: minChunk) { range in
            body(range.lowerBound, range.count)
        }
    }
}
