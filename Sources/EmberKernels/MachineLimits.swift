// MachineLimits: the machine's arithmetic and memory-bandwidth ceilings, measured by `ember bench`.
import CEmberKernels

/// Loops that run at the machine's limits, so benchmarks can report each workload as a fraction of what the
/// hardware can do rather than only against PyTorch: a register-only FMA loop (peak floating-point rate) and
/// STREAM's copy kernel (memory bandwidth). PyTorch has no counterpart; these are the `fma_peak` and
/// `stream_copy` rows of `ember bench`.
/// ```swift
/// let flops = MachineLimits.fmaPeak(iterations: 1 << 22)   // time this call: flops / seconds = peak
/// MachineLimits.streamCopy(x, y, 10_000_000)             // time this call: 8 bytes per float
/// ```
public enum MachineLimits {
    /// Floating-point operations one thread performs in `fmaPeak`.
    public static func flopsPerThread(iterations: Int, isa: KernelISA = .active) -> Double {
        let level = Int32(isa.rawValue)
        return 2 * Double(ember_fma_peak_lanes(level)) * Double(ember_fma_peak_accumulators()) * Double(iterations)
    }

    /// Runs the register-only FMA loop (independent accumulators covering the FMA latency, vectors of the
    /// widest level `isa` allows) for `iterations` steps on every thread of `ThreadPool.shared`, one task per
    /// thread, and returns the floating-point operations done (`threadCount × flopsPerThread`).
    ///
    /// - Parameters:
    ///   - iterations: FMA steps per thread.
    ///   - isa: The instruction-set level (clamped to the CPU's; the portable level multiplies and adds).
    /// - Returns: The number of floating-point operations performed, over all threads.
    @discardableResult
    public static func fmaPeak(iterations: Int, isa: KernelISA = .active) -> Double {
        let pool = ThreadPool.shared
        let threads = pool.threadCount
        let level = Int32(isa.rawValue)
        var tasksRun = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: threads) { sinks in
            sinks.initialize(repeating: 0)
            pool.parallelFor(threads) { range in
                for t in range { sinks[t] = ember_fma_peak_level(level, iterations, 1 + Float(t)) }
            }
            // Reading the results keeps the loops alive; a NaN would mean the loop's constants are wrong.
            tasksRun = sinks.reduce(0) { $1.isFinite ? $0 + 1 : $0 }
        }
        return Double(tasksRun) * flopsPerThread(iterations: iterations, isa: isa)
    }

    /// STREAM's copy: `y[0..<n] = x[0..<n]` with non-temporal stores, split over `ThreadPool.shared` in
    /// equal slices. It moves `8 × n` bytes (each float read once and written once; the non-temporal stores do
    /// not read the destination first).
    ///
    /// - Parameters:
    ///   - x: The source.
    ///   - y: The destination; must not overlap `x`.
    ///   - n: The number of floats.
    public static func streamCopy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let pool = ThreadPool.shared
        let parts = Swift.max(1, Swift.min(pool.threadCount, n / ThreadPool.minParallelChunk))
        pool.parallelFor(parts) { range in
            for part in range {
                let lo = part * n / parts, hi = (part + 1) * n / parts
                ember_stream_copy(x + lo, y + lo, hi - lo)
            }
        }
    }
}
