// GEMM tests: every ISA level on this machine against a Double reference, over odd sizes, layouts, alpha/beta.
import Testing
@testable import EmberKernels

/// Sizes that hit the tiny-loop path, the packed path, the threaded path, partial tiles, k > KC,
/// threaded matrix-vector shapes, and the few-row path. Each case's reference is computed once and checked at every ISA level.
let gemmShapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 7, 7), (1, 33, 17), (33, 1, 17), (13, 9, 1), (33, 33, 33), (1, 300, 200), (300, 1, 200),
    (257, 17, 33), (17, 257, 60), (100, 70, 67), (33, 40, 300), (100, 96, 64), (48, 64, 1),
    (1, 1000, 300), (1000, 1, 300),
    (40, 300, 600),  // few rows packing row-major B: several K and N blocks of `GemmBlocking.fewRows` at AVX2
]

/// A pool with an odd thread count, so that splits of panels leave remainders (its workers live on).
private let threePool = ThreadPool(threadCount: 3)

@Suite("Gemm")
struct GemmTests {
    @Test("row-major, beta = 0 overwrites NaN in C")
    func shapes() {
        for (m, n, k) in gemmShapes {
            let problem = GemmCase(m: m, n: n, k: k, alpha: 1, beta: 0, nanC: true)
            for isa in KernelISA.available {
                let sRatio = problem.checkFloat(isa: isa)
                let dRatio = problem.checkDouble(isa: isa)
                #expect(sRatio <= 1, "sgemm \(isa) \(m)x\(n)x\(k): error ratio \(sRatio)")
                #expect(dRatio <= 1, "dgemm \(isa) \(m)x\(n)x\(k): error ratio \(dRatio)")
            }
        }
    }

    @Test("transposed and strided operands")
    func layouts() {
        for (m, n, k) in [(9, 11, 13), (1, 37, 29), (37, 1, 29), (67, 45, 131), (70, 50, 40)] {
            for aLayout in Layout.allCases {
                for bLayout in Layout.allCases {
                    let problem = GemmCase(m: m, n: n, k: k, alpha: -1.5, beta: 0.25, a: aLayout, b: bLayout,
                                           ldcPad: 3)
                    for isa in KernelISA.available {
                        let sRatio = problem.checkFloat(isa: isa)
                        let dRatio = problem.checkDouble(isa: isa)
                        #expect(sRatio <= 1, "sgemm \(isa) \(m)x\(n)x\(k) A \(aLayout) B \(bLayout): \(sRatio)")
                        #expect(dRatio <= 1, "dgemm \(isa) \(m)x\(n)x\(k) A \(aLayout) B \(bLayout): \(dRatio)")
                    }
                }
            }
        }
    }

    @Test("alpha and beta combinations")
    func alphaBeta() {
        for (m, n, k) in [(3, 5, 7), (40, 50, 60), (1, 70, 9), (70, 1, 9)] {
            for (alpha, beta) in [(1.0, 1.0), (0.5, 1.0), (-1.5, 0.25), (2.0, 0.0), (1.0, -1.0)] {
                let problem = GemmCase(m: m, n: n, k: k, alpha: alpha, beta: beta, ldcPad: 2)
                for isa in KernelISA.available {
                    let sRatio = problem.checkFloat(isa: isa)
                    let dRatio = problem.checkDouble(isa: isa)
                    #expect(sRatio <= 1, "sgemm \(isa) \(m)x\(n)x\(k) alpha \(alpha) beta \(beta): \(sRatio)")
                    #expect(dRatio <= 1, "dgemm \(isa) \(m)x\(n)x\(k) alpha \(alpha) beta \(beta): \(dRatio)")
                }
            }
        }
    }

    @Test("k = 0 and alpha = 0 only scale C")
    func degenerate() {
        var c: [Float] = [1, 2, .nan, 4]
        let a: [Float] = [.nan], b: [Float] = [.nan]
        Gemm.sgemm(m: 2, n: 2, k: 0, alpha: 1, a: a, aRowStride: 0, aColStride: 1, b: b, bRowStride: 2,
                   bColStride: 1, beta: 0, c: &c, ldc: 2)
        #expect(c == [0, 0, 0, 0])
        var d: [Double] = [1, 2, 3, 4]
        let ad = [Double](repeating: 1, count: 100 * 100)
        Gemm.dgemm(m: 2, n: 2, k: 100, alpha: 0, a: ad, aRowStride: 100, aColStride: 1, b: ad, bRowStride: 2,
                   bColStride: 1, beta: 3, c: &d, ldc: 2)
        #expect(d == [3, 6, 9, 12])
    }

    @Test("several M, K and N blocks with small blocking, on 1 and 3 threads, A and B read in place or packed",
          arguments: KernelISA.available, [(1, Layout.transposed, Layout.rowMajor), (3, .transposed, .rowMajor),
                                           (1, .transposed, .strided), (3, .transposed, .strided),
                                           (1, .rowMajor, .strided), (3, .rowMajor, .rowMajor)])
    func multipleBlocks(isa: KernelISA, layouts: (Int, Layout, Layout)) {
        let (threads, aLayout, bLayout) = layouts
        let pool = threads == 1 ? ThreadPool.serial : threePool
        // Blocks far smaller than the defaults so every loop of the nest runs several times with edges. With
        // two row panels per M block, row-major B is read in place (`inPlacePanelsLimit`); strided B is packed.
        // Row-major A is read in place (61 rows: a last panel of one row at every MR), transposed A is packed.
        let problem = GemmCase(m: 61, n: 277, k: 47, alpha: 0.75, beta: 0.5, a: aLayout, b: bLayout, ldcPad: 1)
        var cf = problem.c.map(Float.init)
        let af = problem.a.map(Float.init), bf = problem.b.map(Float.init)
        let (kernel, base) = Float.microkernel(isa)
        let small = GemmBlocking(mr: base.mr, nr: base.nr, mc: 2 * base.mr, kc: 16, nc: base.nr)
        GemmDriver.blocked(m: problem.m, n: problem.n, k: problem.k, alpha: Float(problem.alpha),
                           a: af, ars: problem.ars, acs: problem.acs, b: bf, brs: problem.brs, bcs: problem.bcs,
                           beta: Float(problem.beta), c: &cf, ldc: problem.ldc, kernel: kernel, blocking: small,
                           pool: pool)
        let ratio = problem.worstRatio(cf.map(Double.init), epsilon: Double(Float.ulpOfOne))
        #expect(ratio <= 1, "small-block sgemm \(isa): \(ratio)")

        var cd = problem.c
        let (dkernel, dbase) = Double.microkernel(isa)
        let dsmall = GemmBlocking(mr: dbase.mr, nr: dbase.nr, mc: 2 * dbase.mr, kc: 16, nc: dbase.nr)
        GemmDriver.blocked(m: problem.m, n: problem.n, k: problem.k, alpha: problem.alpha,
                           a: problem.a, ars: problem.ars, acs: problem.acs, b: problem.b, brs: problem.brs,
                           bcs: problem.bcs, beta: problem.beta, c: &cd, ldc: problem.ldc, kernel: dkernel,
                           blocking: dsmall, pool: pool)
        let dRatio = problem.worstRatio(cd, epsilon: Double.ulpOfOne)
        #expect(dRatio <= 1, "small-block dgemm \(isa): \(dRatio)")
    }

    @Test("row-major A with a row stride of 0 (one row repeated) is packed, not read in place")
    func repeatedRowsOfA() {
        // A's rows are all a[0..<k] (stride 0): lda 0 would tell the microkernel "packed panel". Every row of C
        // is then the same vector, a · B, computed here in Double.
        let (m, n, k) = (20, 70, 30)
        var rng = TestRandom(seed: 9)
        let a = (0..<k).map { _ in Float(rng.next()) }, b = (0..<(k * n)).map { _ in Float(rng.next()) }
        var c = [Float](repeating: .nan, count: m * n)
        for isa in KernelISA.available {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a, aRowStride: 0, aColStride: 1, b: b, bRowStride: n, bColStride: 1,
                       beta: 0, c: &c, ldc: n, isa: isa)
            var worst = 0.0
            for j in 0..<n {
                var want = 0.0, scale = 0.0
                for p in 0..<k { want += Double(a[p]) * Double(b[p * n + j]); scale += abs(Double(a[p]) * Double(b[p * n + j])) }
                for i in 0..<m { worst = max(worst, abs(Double(c[i * n + j]) - want) / (scale * Double(k) * Double(Float.ulpOfOne))) }
            }
            #expect(worst <= 1, "sgemm \(isa) with aRowStride 0: error ratio \(worst)")
        }
    }

    @Test("row-major A whose rows share L1 sets is packed: the rule, and products through it")
    func aliasingRowsOfA() {
        // Rows 4 KB apart (1024 floats, 512 doubles) start in the same one of 64 sets: 6 rows put 6 lines in a set.
        #expect(GemmDriver.panelRowsCollideInL1(rowStride: 1024, kc: 384, mr: 6, elementSize: 4))
        #expect(GemmDriver.panelRowsCollideInL1(rowStride: 512, kc: 100, mr: 6, elementSize: 8))
        // 1040 floats: each row one set further, 24 lines long, so sets 5…23 hold a line of all 6 rows.
        #expect(GemmDriver.panelRowsCollideInL1(rowStride: 1040, kc: 384, mr: 6, elementSize: 4))
        // 784 floats (3136 bytes = 49 lines): rows start at sets 0, 49, 34, 19, 4, 53; 17 lines each overlap ≤ 4 deep.
        #expect(!GemmDriver.panelRowsCollideInL1(rowStride: 784, kc: 262, mr: 6, elementSize: 4))
        // 576 floats (a 64-channel 3×3 convolution's weights): 36 lines apart.
        #expect(!GemmDriver.panelRowsCollideInL1(rowStride: 576, kc: 384, mr: 6, elementSize: 4))
        // Four rows alone never exceed four lines a set.
        #expect(!GemmDriver.panelRowsCollideInL1(rowStride: 1024, kc: 384, mr: 4, elementSize: 4))

        // A 4 KB row stride through the driver (A packed) against Double sums.
        let (m, n, k, lda) = (20, 45, 70, 1024)
        var rng = TestRandom(seed: 21)
        let a = (0..<(m * lda)).map { _ in Float(rng.next()) }, b = (0..<(k * n)).map { _ in Float(rng.next()) }
        for isa in KernelISA.available {
            var c = [Float](repeating: .nan, count: m * n)
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a, aRowStride: lda, aColStride: 1, b: b, bRowStride: n,
                       bColStride: 1, beta: 0, c: &c, ldc: n, isa: isa)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var want = 0.0, scale = 0.0
                    for p in 0..<k {
                        want += Double(a[i * lda + p]) * Double(b[p * n + j]); scale += abs(Double(a[i * lda + p]) * Double(b[p * n + j]))
                    }
                    worst = max(worst, abs(Double(c[i * n + j]) - want) / (scale * Double(k) * Double(Float.ulpOfOne)))
                }
            }
            #expect(worst <= 1, "sgemm \(isa) with lda 1024: error ratio \(worst)")
        }
    }

    @Test("B packed by the caller in panel order: partial last panel, one and several threads, A packed or not",
          arguments: [(7, 1, 9), (33, 70, 130), (61, 257, 47), (64, 784, 147), (130, 49, 600)])
    func prepackedB(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for aLayout in [Layout.rowMajor, .transposed] {
            let problem = GemmCase(m: m, n: n, k: k, alpha: 0.5, beta: 0.25, a: aLayout, ldcPad: 2)
            // B[p, j] at packed[((j / w) * k + p) * w + j % w], as Gemm.sgemm(…, packedB:) documents; the
            // padding columns hold NaN-free garbage that must not reach C (they are never stored).
            func pack<T: BinaryFloatingPoint>(_ w: Int, _ as: T.Type) -> [T] {
                let panels = (n + w - 1) / w
                var packed = [T](repeating: 7, count: panels * k * w)
                for p in 0..<k { for j in 0..<n { packed[((j / w) * k + p) * w + j % w] = T(problem.b[p * problem.brs + j * problem.bcs]) } }
                return packed
            }
            var cf = problem.c.map(Float.init)
            let af = problem.a.map(Float.init), bf: [Float] = pack(Gemm.sgemmPanelWidth, Float.self)
            Gemm.sgemm(m: m, n: n, k: k, alpha: 0.5, a: af, aRowStride: problem.ars, aColStride: problem.acs,
                       packedB: bf, beta: 0.25, c: &cf, ldc: problem.ldc)
            let sRatio = problem.worstRatio(cf.map(Double.init), epsilon: Double(Float.ulpOfOne))
            #expect(sRatio <= 1, "packed-B sgemm \(m)x\(n)x\(k) A \(aLayout): \(sRatio)")
            var cd = problem.c
            let bd: [Double] = pack(Gemm.dgemmPanelWidth, Double.self)
            Gemm.dgemm(m: m, n: n, k: k, alpha: 0.5, a: problem.a, aRowStride: problem.ars, aColStride: problem.acs,
                       packedB: bd, beta: 0.25, c: &cd, ldc: problem.ldc)
            let dRatio = problem.worstRatio(cd, epsilon: Double.ulpOfOne)
            #expect(dRatio <= 1, "packed-B dgemm \(m)x\(n)x\(k) A \(aLayout): \(dRatio)")
        }
    }

    @Test("batched products: one per thread when small, one after another when large; a batch stride of 0",
          arguments: [(5, 7, 33, 9), (3, 128, 256, 130), (4, 40, 50, 60)])
    func batched(shape: (Int, Int, Int, Int)) {
        let (count, m, n, k) = shape
        // Each product its own random case, except in the last shape: one case repeated, its B stored once
        // and read at batch stride 0.
        let sharedB = count == 4
        let cases = (0..<count).map { i in
            GemmCase(m: m, n: n, k: k, alpha: 0.5, beta: 0.25, a: .rowMajor, b: .transposed, seed: sharedB ? 1 : UInt64(i + 1))
        }
        let aSize = cases[0].a.count, bSize = cases[0].b.count, cSize = cases[0].c.count
        let a = cases.flatMap { $0.a }.map(Float.init)
        let b: [Float] = (sharedB ? cases[0].b : cases.flatMap { $0.b }).map { Float($0) }
        var c = cases.flatMap { $0.c }.map(Float.init)
        Gemm.sgemmBatched(count: count, m: m, n: n, k: k, alpha: 0.5, a: a, aBatchStride: aSize,
                          aRowStride: cases[0].ars, aColStride: cases[0].acs, b: b, bBatchStride: sharedB ? 0 : bSize,
                          bRowStride: cases[0].brs, bColStride: cases[0].bcs, beta: 0.25, c: &c, cBatchStride: cSize,
                          ldc: cases[0].ldc)
        for (i, problem) in cases.enumerated() {
            let got = c[(i * cSize)..<((i + 1) * cSize)].map(Double.init)
            #expect(problem.worstRatio(got, epsilon: Double(Float.ulpOfOne)) <= 1, "product \(i) of \(count)")
        }
    }

    @Test("thread grid balances the tiles of the slowest task, preferring to cut M")
    func grid() {
        let blocking = GemmBlocking(mr: 12, nr: 32, mc: 3072, kc: 256, nc: 384)
        #expect(GemmDriver.grid(m: 60, n: 4096, threads: 2, blocking: blocking) == (1, 2))
        #expect(GemmDriver.grid(m: 4096, n: 64, threads: 2, blocking: blocking) == (2, 1))
        #expect(GemmDriver.grid(m: 5, n: 20, threads: 2, blocking: blocking) == (1, 1))
        #expect(GemmDriver.grid(m: 1024, n: 1024, threads: 4, blocking: blocking) == (2, 2))
        // 6×16 tiles: 256 rows are 43 row panels, so cutting M gives one task 22 of them (2.3% over half)
        // while cutting N splits 16 column tiles 8 + 8; at 1024 it is 86 of 171 panels (0.6%) and M is cut.
        let avx2 = GemmBlocking(mr: 6, nr: 16, mc: 3072, kc: 384, nc: 320)
        #expect(GemmDriver.grid(m: 256, n: 256, threads: 2, blocking: avx2) == (1, 2))
        #expect(GemmDriver.grid(m: 1024, n: 1024, threads: 2, blocking: avx2) == (2, 1))
        // An LSTM step's 32 rows are 5 full 6-row panels and a ragged one of 2: cut by M one task has 18 rows, the
        // other 12 + 2; cut by N each has 30 + 2 (counted 2 + 3), and N wins for 1024 or 256 columns of 64.
        let avx512 = GemmBlocking(mr: 6, nr: 64, mc: 3072, kc: 384, nc: 320)
        #expect(GemmDriver.heaviestRows(32, mr: 6, tasks: 2) == 18)
        #expect(GemmDriver.heaviestRows(32, mr: 6, tasks: 1) == 35)
        #expect(GemmDriver.grid(m: 32, n: 1024, threads: 2, blocking: avx512) == (1, 2))
        #expect(GemmDriver.grid(m: 32, n: 256, threads: 2, blocking: avx512) == (1, 2))
        #expect(GemmDriver.grid(m: 36, n: 1024, threads: 2, blocking: avx512) == (2, 1))
    }

    @Test("few-row blocks replace kc and nc, nc rounded down to whole panels")
    func fewRowsBlocking() {
        var blocking = GemmBlocking(mr: 6, nr: 16, mc: 3072, kc: 384, nc: 320)
        #expect(blocking.forFewRows().kc == 384 && blocking.forFewRows().nc == 320)
        blocking.fewRows = (kc: 256, nc: 100)
        let few = blocking.forFewRows()
        #expect(few.kc == 256 && few.nc == 96 && few.mc == 3072 && few.fewRows == nil)
    }

    @Test("shared packing is chosen when the packing it saves outweighs its extra dispatches")
    func sharedPackingChoice() {
        let avx2 = GemmBlocking(mr: 6, nr: 16, mc: 3072, kc: 384, nc: 320)
        // 256³ cut N: each task would pack all of A (65536) and half of B; shared, half of each. Saved
        // 32768 elements × 8 = 262144 multiply-adds against 2 dispatches × 100000.
        #expect(GemmDriver.sharedPackingPays(m: 256, n: 256, k: 256, tm: 1, tn: 2, threads: 2, blocking: avx2))
        // A weight gradient 25×6 over k = 20384 cut M: saved 71344 × 8 against 54 K blocks × 2 × 100000.
        #expect(!GemmDriver.sharedPackingPays(m: 25, n: 6, k: 20384, tm: 2, tn: 1, threads: 2, blocking: avx2))
        // 64×4096·4096×4096 cut N: saved 131072 × 8 against 11 K blocks × 2 N blocks × 2 × 100000.
        #expect(!GemmDriver.sharedPackingPays(m: 64, n: 4096, k: 4096, tm: 1, tn: 2, threads: 2, blocking: avx2))
    }
}
