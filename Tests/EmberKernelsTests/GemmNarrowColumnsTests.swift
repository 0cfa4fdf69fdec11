// The dot-product columns of partial float tiles when A is read in place: the driver copies B's columns out
// k-major once per block and calls `ember_sgemm_narrow_fn`, which must add exactly as the microkernel's own
// gathered columns do (so the split changes no bit) and give the right product.
import Testing
@testable import EmberKernels

@Suite("GEMM narrow columns with A in place")
struct GemmNarrowColumnsTests {
    /// The levels whose float microkernel has dot-product columns.
    static let levels = KernelISA.available.filter { Float.microkernel($0).blocking.narrowModulus > 0 }
    static let twoThreads = ThreadPool(threadCount: 2)

    @Test("k-major columns equal the microkernel's gathered ones bit for bit, and the Double sums",
          arguments: levels)
    func kernelAgreesWithTile(isa: KernelISA) {
        let (kernel, blocking) = Float.microkernel(isa)
        var failures: [String] = []
        for narrow in 1...blocking.narrowMax {
            for mr in [1, 4, blocking.mr] {
                for kc in [1, 7, 8, 21, 300] {
                    var rng = TestRandom(seed: UInt64(narrow * 1000 + mr * 100 + kc))
                    let lda = kc + 5, ldb = blocking.nr, ldc = narrow + 3
                    let a = (0..<(mr * lda)).map { _ in Float(rng.next()) }
                    // The packed panel the microkernel reads: `narrow` columns, NaN past them (never read).
                    var panel = [Float](repeating: .nan, count: kc * ldb)
                    var bt = [Float](repeating: .nan, count: narrow * (kc + 2))  // k-major, rows kc + 2 apart
                    for p in 0..<kc {
                        for j in 0..<narrow {
                            let value = Float(rng.next())
                            panel[p * ldb + j] = value
                            bt[j * (kc + 2) + p] = value
                        }
                    }
                    let c0 = (0..<(mr * ldc)).map { _ in Float(rng.next()) }
                    for beta: Float in [0, 0.5] {
                        var viaTile = c0, viaColumns = c0
                        Float.call(kernel, kc: kc, a: a, lda: lda, b: panel, ldb: ldb, c: &viaTile, ldc: ldc,
                                   alpha: 1.5, beta: beta, mr: mr, nr: narrow)
                        Float.callNarrow(kernel, kc: kc, a: a, lda: lda, bt: bt, ldbt: kc + 2, c: &viaColumns, ldc: ldc,
                                         alpha: 1.5, beta: beta, mr: mr, nr: narrow)
                        let label = "\(isa) narrow \(narrow) mr \(mr) kc \(kc) beta \(beta)"
                        if viaTile.map(\.bitPattern) != viaColumns.map(\.bitPattern) {
                            failures.append("\(label): differs from the microkernel's own columns")
                        }
                        for i in 0..<mr {
                            for j in 0..<ldc {
                                let got = viaColumns[i * ldc + j]
                                if j >= narrow {
                                    if got != c0[i * ldc + j] { failures.append("\(label): C[\(i), \(j)] written") }
                                    continue
                                }
                                var sum = 0.0, size = 0.0
                                for p in 0..<kc {
                                    let term = Double(a[i * lda + p]) * Double(bt[j * (kc + 2) + p])
                                    sum += term
                                    size += abs(term)
                                }
                                let old = beta == 0 ? 0 : Double(beta) * Double(c0[i * ldc + j])
                                let want = 1.5 * sum + old
                                let bound = 2 * Double(kc + 2) * Double(Float.ulpOfOne) * (1.5 * size + abs(old))
                                if !(abs(Double(got) - want) <= bound) {
                                    failures.append("\(label): C[\(i), \(j)] = \(got), expected \(want)")
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }

    @Test("the driver's split tiles equal the microkernel's whole tiles bit for bit, and the Double product",
          arguments: levels)
    func driverSplitsPartialTiles(isa: KernelISA) {
        let (kernel, blocking) = Float.microkernel(isa)
        var whole = blocking
        whole.narrowModulus = 0  // the microkernel computes its own narrow columns, gathering B's
        var failures: [String] = []
        // Widths ending 1 to 4 columns past a 16-column vector (49: a 7×7 image), over several K blocks (k 700 >
        // kc 384), one wider than NR with full tiles before the partial one. 13 rows read row-major B in place
        // (`inPlacePanelsLimit`) but for the partial tile; the others pack it.
        for (m, n, k) in [(13, 49, 47), (20, 17, 700), (7, 4, 130), (31, 196, 65), (12, 2 * blocking.nr + 3, 40)] {
            for pool in [ThreadPool.serial, Self.twoThreads] {
                let problem = GemmCase(m: m, n: n, k: k, alpha: 0.75, beta: 0.5, ldcPad: 2)
                let a = problem.a.map(Float.init), b = problem.b.map(Float.init)
                var split = problem.c.map(Float.init), unsplit = split
                GemmDriver.blocked(m: m, n: n, k: k, alpha: 0.75, a: a, ars: problem.ars, acs: problem.acs,
                                   b: b, brs: problem.brs, bcs: problem.bcs, beta: 0.5, c: &split, ldc: problem.ldc,
                                   kernel: kernel, blocking: blocking, pool: pool)
                GemmDriver.blocked(m: m, n: n, k: k, alpha: 0.75, a: a, ars: problem.ars, acs: problem.acs,
                                   b: b, brs: problem.brs, bcs: problem.bcs, beta: 0.5, c: &unsplit, ldc: problem.ldc,
                                   kernel: kernel, blocking: whole, pool: pool)
                let label = "\(isa) \(m)×\(n)×\(k) \(pool.threadCount) threads"
                if split.map(\.bitPattern) != unsplit.map(\.bitPattern) {
                    failures.append("\(label): split tiles differ from whole tiles")
                }
                let ratio = problem.worstRatio(split.map(Double.init), epsilon: Double(Float.ulpOfOne))
                if !(ratio <= 1) { failures.append("\(label): error ratio \(ratio)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }
}
