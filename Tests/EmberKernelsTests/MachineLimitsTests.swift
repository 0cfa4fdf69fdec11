// MachineLimits tests: the FMA loop computes what its recurrence says at every level; the copy copies.
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite("MachineLimits")
struct MachineLimitsTests {
    /// Each of the 12 accumulators of every lane starts at seed + j·1e-7 and runs a ← a·0.999999 + 1e-7;
    /// the loop returns the sum over lanes and accumulators. Derived here in double, independently of the C.
    @Test("fma loop follows its recurrence and counts its flops", arguments: KernelISA.available)
    func fmaLoop(isa: KernelISA) {
        let lanes: Double = isa == .avx512 ? 16 : isa == .avx2 ? 8 : 4
        for (iterations, seed) in [(0, Float(1)), (1, 2), (10, 0.5), (500, 3)] {
            var expected = 0.0
            var start = Double(seed)
            for _ in 0..<12 {
                var a = start
                for _ in 0..<iterations { a = a * Double(Float(0.999999)) + Double(Float(1e-7)) }
                expected += a
                start += Double(Float(1e-7))
            }
            expected *= lanes
            let got = Double(ember_fma_peak_level(Int32(isa.rawValue), iterations, seed))
            // At most two roundings (2^-24 each) per step, contracted by 0.999999: under 500 · 2 · 6e-8 = 6e-5.
            #expect(abs(got - expected) <= 1e-4 * abs(expected), "\(isa) \(iterations) iterations: \(got) vs \(expected)")
            #expect(MachineLimits.flopsPerThread(iterations: iterations, isa: isa) == 2 * lanes * 12 * Double(iterations))
        }
        let threads = Double(ThreadPool.shared.threadCount)
        #expect(MachineLimits.fmaPeak(iterations: 1000, isa: isa) == threads * 2 * lanes * 12 * 1000)
    }

    @Test("stream copy copies every float, at any alignment and length")
    func streamCopy() {
        let source = (0..<200_003).map { Float($0) * 0.25 - 7 }
        for (offset, n) in [(0, 0), (0, 1), (1, 15), (3, 17), (0, 64), (1, 100_001), (2, 200_000)] {
            var destination = [Float](repeating: .nan, count: n + 4)
            source.withUnsafeBufferPointer { x in
                destination.withUnsafeMutableBufferPointer { y in
                    MachineLimits.streamCopy(x.baseAddress!, y.baseAddress! + offset, n)
                }
            }
            #expect(Array(destination[offset..<offset + n]) == Array(source[0..<n]), "copy of \(n) at offset \(offset)")
            let untouched = destination[..<offset].allSatisfy { $0.isNaN } && destination[(offset + n)...].allSatisfy { $0.isNaN }
            #expect(untouched, "copy of \(n) at offset \(offset) wrote outside its range")
        }
    }
}
