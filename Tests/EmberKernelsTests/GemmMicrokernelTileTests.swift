// The float microkernel called directly on every tile width it serves: full and edge vectors, and the narrow
// column tails (1 to 4 columns past a vector) that AVX2 and AVX-512 compute as dot products.
import Testing
@testable import EmberKernels

@Suite("GEMM microkernel tiles")
struct GemmMicrokernelTileTests {
    /// One mr×nr tile from kc steps, A packed (lda 0) or in place, B a panel padded with NaN past nr (never
    /// stored) at row stride `ldb`, against Double sums; beta 0 must overwrite the NaN in C.
    func check(isa: KernelISA, mr: Int, nr: Int, kc: Int, aInPlace: Bool, ldb: Int, beta: Float) -> String? {
        let (kernel, blocking) = Float.microkernel(isa)
        let MR = blocking.mr
        var rng = TestRandom(seed: UInt64(mr * 10_007 + nr * 101 + kc + (aInPlace ? 7 : 0)))
        let aValues = (0..<(mr * kc)).map { _ in Float(rng.next()) }  // A[i, p] at i*kc + p
        let bValues = (0..<(kc * nr)).map { _ in Float(rng.next()) }  // B[p, j] at p*nr + j
        // A as the kernel reads it: rows `lda` apart (with 3 floats of slack) or an MR-row panel, zeros past mr.
        let lda = kc + 3
        var a = [Float](repeating: .nan, count: aInPlace ? mr * lda : kc * MR)
        for i in 0..<mr {
            for p in 0..<kc {
                if aInPlace { a[i * lda + p] = aValues[i * kc + p] } else { a[p * MR + i] = aValues[i * kc + p] }
            }
        }
        if !aInPlace { for p in 0..<kc { for i in mr..<MR { a[p * MR + i] = 0 } } }
        var b = [Float](repeating: .nan, count: kc * ldb)
        for p in 0..<kc { for j in 0..<nr { b[p * ldb + j] = bValues[p * nr + j] } }
        let ldc = nr + 5
        var c = (0..<(mr * ldc)).map { _ in beta == 0 ? Float.nan : Float(rng.next()) }
        let c0 = c
        let alpha: Float = 1.25
        Float.call(kernel, kc: kc, a: a, lda: aInPlace ? lda : 0, b: b, ldb: ldb, c: &c, ldc: ldc,
                   alpha: alpha, beta: beta, mr: mr, nr: nr)
        for i in 0..<mr {
            for j in 0..<ldc {
                let got = c[i * ldc + j]
                if j >= nr {
                    if !(got.isNaN && c0[i * ldc + j].isNaN) && got != c0[i * ldc + j] {
                        return "column \(j) past nr = \(nr) written in row \(i)"
                    }
                    continue
                }
                var sum = 0.0, magnitude = 0.0
                for p in 0..<kc {
                    let term = Double(aValues[i * kc + p]) * Double(bValues[p * nr + j])
                    sum += term
                    magnitude += abs(term)
                }
                let betaTerm = beta == 0 ? 0 : Double(beta) * Double(c0[i * ldc + j])  // C's NaN unread at beta 0
                let expected = Double(alpha) * sum + betaTerm
                let bound = 2 * Double(kc + 2) * Double(Float.ulpOfOne) * (abs(Double(alpha)) * magnitude + abs(betaTerm))
                if !got.isFinite || !(abs(Double(got) - expected) <= bound) {
                    return "C[\(i), \(j)] = \(got), expected \(expected) (bound \(bound))"
                }
            }
        }
        return nil
    }

    @Test("every width up to NR, every mr, short and long k, A packed and in place, beta 0 and 0.5",
          arguments: KernelISA.available)
    func everyWidth(isa: KernelISA) {
        let blocking = Float.microkernel(isa).blocking
        var failures: [String] = []
        for nr in 1...blocking.nr {
            // A panel's rows are NR apart, at least the 16 columns the AVX-512 edge vectors read.
            let panelStride = max(blocking.nr, (nr + 15) / 16 * 16)
            for mr in Set([1, 4, blocking.mr]).sorted() where mr <= blocking.mr {
                for kc in [1, 7, 8, 21, 40] {
                    for aInPlace in [false, true] {
                        for (ldb, beta) in [(panelStride, Float(0)), (panelStride + 37, 0.5)] {
                            if let failure = check(isa: isa, mr: mr, nr: nr, kc: kc, aInPlace: aInPlace,
                                                   ldb: ldb, beta: beta) {
                                failures.append("\(isa) mr \(mr) nr \(nr) kc \(kc) A \(aInPlace ? "in place" : "packed") "
                                                + "ldb \(ldb) beta \(beta): \(failure)")
                            }
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failing tiles, first: \(failures.prefix(3))")
    }
}
