// Kernel benchmarks, skipped unless EMBER_KERNEL_BENCH=1. Run them in release mode:
//   EMBER_KERNEL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter KernelBenchmarks
// Timings belong here, never in ordinary tests (which only check results).
import Testing
import Foundation
import EmberKernels

private let benchEnabled = ProcessInfo.processInfo.environment["EMBER_KERNEL_BENCH"] == "1"

/// Best wall time in seconds of `body` over `repeats` runs after one warm-up run.
private func bestTime(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    return best
}

/// Process CPU seconds (all threads): less disturbed than wall time when other jobs share the cores.
private func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

@Suite("KernelBenchmarks", .serialized, .enabled(if: benchEnabled))
struct KernelBenchmarks {
    @Test("sgemm GFLOP/s")
    func sgemm() {
        var shapes = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
                      (256, 784, 256), (64, 4096, 4096), (128, 128, 128), (64, 64, 64), (32, 32, 32),
                      (16, 16, 16), (1, 512, 512), (512, 512, 1)]
        // EMBER_BENCH_SHAPES="64x4096x4096,256x784x256" (m x k x n) narrows the list.
        if let list = ProcessInfo.processInfo.environment["EMBER_BENCH_SHAPES"] {
            shapes = list.split(separator: ",").map { item in
                let d = item.split(separator: "x").map { Int($0)! }
                return (d[0], d[1], d[2])
            }
        }
        print("threads \(ThreadPool.shared.threadCount), isa \(KernelISA.active)")
        for isa in KernelISA.available.reversed() {
            for (m, k, n) in shapes {
                let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
                let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
                let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
                defer { a.deallocate(); b.deallocate(); c.deallocate() }
                for i in 0..<m * k { a[i] = Float(i % 7) * 0.1 }
                for i in 0..<k * n { b[i] = Float(i % 5) * 0.1 }
                let flops = 2.0 * Double(m) * Double(n) * Double(k)
                let inner = max(1, Int(2e9 / flops) / 8)
                let t = bestTime(repeats: m * n * k > 1 << 30 ? 3 : 7) {
                    for _ in 0..<inner {
                        Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a, aRowStride: k, aColStride: 1, b: b,
                                   bRowStride: n, bColStride: 1, beta: 0, c: c, ldc: n)
                    }
                } / Double(inner)
                let cpu0 = cpuSeconds()
                for _ in 0..<inner {
                    Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a, aRowStride: k, aColStride: 1, b: b,
                               bRowStride: n, bColStride: 1, beta: 0, c: c, ldc: n)
                }
                let cpu = (cpuSeconds() - cpu0) / Double(inner)
                print("sgemm \(isa) \(m)x\(k)·\(k)x\(n): \(String(format: "%.1f", flops / t * 1e-9)) GFLOP/s (\(String(format: "%.1f", t * 1e6)) µs; CPU \(String(format: "%.1f", cpu * 1e6)) µs)")
            }
            if isa == .portable { break }
            break  // only the active level by default; edit to compare levels
        }
    }

    @Test("dgemm GFLOP/s")
    func dgemm() {
        for n in [256, 1024] {
            let a = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
            let c = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
            defer { a.deallocate(); c.deallocate() }
            for i in 0..<n * n { a[i] = Double(i % 7) * 0.1 }
            let t = bestTime(repeats: 3) {
                Gemm.dgemm(m: n, n: n, k: n, alpha: 1, a: a, aRowStride: n, aColStride: 1, b: a, bRowStride: n,
                           bColStride: 1, beta: 0, c: c, ldc: n)
            }
            print("dgemm \(n)^3: \(String(format: "%.1f", 2.0 * Double(n * n * n) / t * 1e-9)) GFLOP/s")
        }
    }

    @Test("elementwise ms over 10M floats")
    func elementwise() {
        let n = 10_000_000
        let x = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let z = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { x.deallocate(); y.deallocate(); z.deallocate() }
        for i in 0..<n { x[i] = Float(i % 1000) * 0.01 - 5; y[i] = 1; z[i] = 0 }
        let add = bestTime(repeats: 10) { VectorMath.binary(.add, x, aStep: 1, y, bStep: 1, z, n) }
        let mul = bestTime(repeats: 10) { VectorMath.binary(.mul, x, aStep: 1, y, bStep: 1, z, n) }
        let exp = bestTime(repeats: 10) { VectorMath.unary(.exp, x, z, n) }
        var total: Float = 0
        let sum = bestTime(repeats: 10) { total += VectorMath.sum(x, n) }
        print(String(format: "10M floats: add %.2f ms, mul %.2f ms, exp %.2f ms, sum %.2f ms (%g)",
                     add * 1e3, mul * 1e3, exp * 1e3, sum * 1e3, total))
    }

    @Test("parallelFor round trip µs")
    func poolLatency() {
        let counter = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { counter.deallocate() }
        counter.initialize(repeating: 0, count: 64)
        let rounds = 20_000
        let t = bestTime(repeats: 3) {
            for _ in 0..<rounds {
                ThreadPool.shared.parallelFor(2) { r in counter[r.lowerBound * 16] += 1 }
            }
        } / Double(rounds)
        print(String(format: "parallelFor(2) round trip: %.2f µs", t * 1e6))
    }
}
