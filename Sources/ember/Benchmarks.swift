// The benchmark workloads named by the performance issue, with PyTorch's definitions.
import Foundation
import EmberKit
import EmberKernels

/// One named workload: `setup` builds its inputs once and returns the closure that is timed.
struct Benchmark {
    let name: String
    let defaultRuns: Int
    /// Floating-point operations per run, for GFLOP/s (nil when not meaningful).
    let flops: Double?
    let skipReason: () -> String?
    let setup: () -> () -> Void

    init(_ name: String, runs: Int = 10, flops: Double? = nil, skipReason: @escaping () -> String? = { nil },
         setup: @escaping () -> () -> Void) {
        self.name = name; self.defaultRuns = runs; self.flops = flops; self.skipReason = skipReason; self.setup = setup
    }

    func measure(runs: Int) -> BenchmarkResult {
        let body = setup()
        body()  // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return BenchmarkResult(name: name, medianSeconds: median, runs: runs, gflops: flops.map { $0 / median / 1e9 })
    }
}

struct BenchmarkResult {
    let name: String, medianSeconds: Double, runs: Int, gflops: Double?
    var tableLine: String {
        let g = gflops.map { String(format: "  %7.1f GFLOP/s", $0) } ?? ""
        return name.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%10.3f ms", medianSeconds * 1000) + g
    }
    static func json(_ results: [BenchmarkResult]) -> String {
        "[" + results.map { r in
            var s = "{\"name\": \"\(r.name)\", \"median_s\": \(r.medianSeconds), \"runs\": \(r.runs)"
            if let g = r.gflops { s += ", \"gflops\": \(g)" }
            return s + "}"
        }.joined(separator: ", ") + "]"
    }
}

/// sgemm m×k · k×n on contiguous float32 matrices.
func sgemmBenchmark(_ name: String, m: Int, k: Int, n: Int) -> Benchmark {
    Benchmark(name, runs: m * n * k >= 1 << 30 ? 5 : 20, flops: 2 * Double(m) * Double(n) * Double(k)) {
        let a = Tensor.ones([m, k]) * 0.5, b = Tensor.ones([k, n]) * 0.25
        let c = Tensor.empty([m, n])
        return {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Float.self), aRowStride: k, aColStride: 1,
                       b: b.pointer(as: Float.self), bRowStride: n, bColStride: 1, beta: 0, c: c.pointer(as: Float.self), ldc: n)
        }
    }
}

func allBenchmarks() -> [Benchmark] {
    let tenM = 10_000_000
    return [
        sgemmBenchmark("sgemm_256", m: 256, k: 256, n: 256),
        sgemmBenchmark("sgemm_512", m: 512, k: 512, n: 512),
        sgemmBenchmark("sgemm_1024", m: 1024, k: 1024, n: 1024),
        sgemmBenchmark("sgemm_2048", m: 2048, k: 2048, n: 2048),
        sgemmBenchmark("sgemm_256x784x256", m: 256, k: 784, n: 256),
        sgemmBenchmark("sgemm_64x4096x4096", m: 64, k: 4096, n: 4096),
        Benchmark("add_10m", runs: 20) {
            let a = Tensor.ones([tenM]), b = Tensor.ones([tenM]), out = Tensor.empty([tenM])
            return { VectorMath.add(a.pointer(as: Float.self), b.pointer(as: Float.self), out.pointer(as: Float.self), tenM) }
        },
        Benchmark("exp_10m", runs: 20) {
            let a = Tensor.ones([tenM]) * 0.5, out = Tensor.empty([tenM])
            return { VectorMath.exp(a.pointer(as: Float.self), out.pointer(as: Float.self), tenM) }
        },
        Benchmark("sum_10m", runs: 20) {
            let a = Tensor.ones([tenM])
            return { _ = VectorMath.sum(a.pointer(as: Float.self), tenM) }
        },
    ] + trainingBenchmarks()
}

/// Train-step and data benchmarks (added as their layers land).
func trainingBenchmarks() -> [Benchmark] { [] }
