// One measured row of `ember bench`: median time, rates, and the fraction of the machine's limit.
import Foundation

/// A benchmark's median time with its rates: GFLOP/s as a fraction of the `fma_peak` row and GB/s as a
/// fraction of the `stream_copy` row, both measured in the same run (the machine is shared, so only numbers
/// from one run compare).
struct BenchmarkResult {
    static let fmaPeakName = "fma_peak"
    static let streamCopyName = "stream_copy"

    let name: String, medianSeconds: Double, runs: Int
    /// GFLOP/s (rows with a flop count) and GB/s (memory-bound rows).
    let gflops: Double?, gbps: Double?
    /// This row's rate over the limit's rate (`fma_peak` for GFLOP/s, `stream_copy` for GB/s), when measured.
    var fractionOfLimit: Double? = nil

    /// Sets `fractionOfLimit` from the limit rows of the same run (the limit rows themselves get 1).
    mutating func relate(toPeak peak: BenchmarkResult?, stream: BenchmarkResult?) {
        if let g = gflops, let p = peak?.gflops, p > 0 { fractionOfLimit = g / p }
        else if let b = gbps, let s = stream?.gbps, s > 0 { fractionOfLimit = b / s }
    }

    var tableLine: String {
        var rate = ""
        if let g = gflops { rate = String(format: "  %7.1f GFLOP/s", g) }
        else if let b = gbps { rate = String(format: "  %7.1f GB/s   ", b) }
        if let f = fractionOfLimit {
            rate += String(format: "  %5.1f%% of %@", 100 * f, gflops != nil ? Self.fmaPeakName : Self.streamCopyName)
        }
        // Pad to 32 columns like the PyTorch script's `{name:<32}`; longer names are kept whole, not cut.
        return name.padding(toLength: Swift.max(32, name.count + 1), withPad: " ", startingAt: 0)
            + String(format: "%10.3f ms", medianSeconds * 1000) + rate
    }

    static func json(_ results: [BenchmarkResult]) -> String {
        "[" + results.map { r in
            // JSON has no NaN or infinity: a value that is not finite (an external row that failed, a run too
            // short for the CPU clock) is written as null.
            func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
            var s = "{\"name\": \"\(r.name)\", \"median_s\": \(number(r.medianSeconds)), \"runs\": \(r.runs)"
            if let g = r.gflops { s += ", \"gflops\": \(number(g))" }
            if let b = r.gbps { s += ", \"gbps\": \(number(b))" }
            if let f = r.fractionOfLimit { s += ", \"fraction_of_limit\": \(number(f))" }
            return s + "}"
        }.joined(separator: ", ") + "]"
    }
}
