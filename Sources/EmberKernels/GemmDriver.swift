// GemmDriver: the Goto/BLIS loop nest around the C microkernels — blocking, packing, threading, small path.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum GemmDriver {
    /// Below this many multiply-adds (m·n·k) unpacked loops beat packing.
    static let smallLimit = 32 * 1024
    /// From this many multiply-adds on, the work is split over the thread pool (a wake-up costs a few µs).
    static let parallelLimit = 1 << 16
    /// Relative cost of packing an element by gathering across rows rather than copying along one.
    static let gatherWeight: Int = {
        if let raw = getenv("EMBER_GEMM_GATHER_WEIGHT"), let v = Int(String(cString: raw)) { return v }
        return 2
    }()

    static func gemm<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                    a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                    b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
                                    beta: T, c: UnsafeMutablePointer<T>, ldc: Int, isa: KernelISA) {
        kernelCheck(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        kernelCheck(m <= 1 || ldc >= n, "gemm: ldc=\(ldc) is smaller than n=\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            return
        }
        if m * n * k < smallLimit || m == 1 || n == 1 {
            // Tiny products, and matrix-vector shapes where a packed tile would be mostly padding.
            unpacked(m: m, n: n, k: k, alpha: alpha, a: a, ars: aRowStride, acs: aColStride,
                     b: b, brs: bRowStride, bcs: bColStride, beta: beta, c: c, ldc: ldc, isa: isa)
            return
        }
        let (kernel, blocking) = T.microkernel(isa)
        let threads = m * n * k >= parallelLimit ? ThreadPool.shared.threadCount : 1
        // Packing row-major float A is an in-register transpose, as fast as copying rows; other gathers
        // (row-major double A, column-major B) are slower per element.
        let (tm, tn) = grid(m: m, n: n, k: k, threads: threads, blocking: blocking,
                            aWeight: aColStride == 1 && !T.transposesWhilePacking(isa) ? GemmDriver.gatherWeight : 1,
                            bWeight: bColStride == 1 ? 1 : GemmDriver.gatherWeight)
        let unitsM = (m + blocking.mr - 1) / blocking.mr, unitsN = (n + blocking.nr - 1) / blocking.nr

        // Each task owns a rectangle of C and runs the whole loop nest on it with its own buffers; the
        // operand that the split does not cut is packed by every task that needs it (grid() keeps that small).
        let task = { (t: Int) in
            let ti = t / tn, tj = t % tn
            let i0 = min(m, ti * unitsM / tm * blocking.mr), i1 = min(m, (ti + 1) * unitsM / tm * blocking.mr)
            let j0 = min(n, tj * unitsN / tn * blocking.nr), j1 = min(n, (tj + 1) * unitsN / tn * blocking.nr)
            if i0 >= i1 || j0 >= j1 { return }
            blocked(m: i1 - i0, n: j1 - j0, k: k, alpha: alpha,
                    a: a + i0 * aRowStride, ars: aRowStride, acs: aColStride,
                    b: b + j0 * bColStride, brs: bRowStride, bcs: bColStride,
                    beta: beta, c: c + i0 * ldc + j0, ldc: ldc, kernel: kernel, blocking: blocking)
        }
        if tm * tn == 1 {
            task(0)
        } else {
            ThreadPool.shared.parallelFor(tm * tn) { range in
                for t in range { task(t) }
            }
        }
    }

    /// Multiply-adds that packing one element costs, roughly (measured here: 0.11–0.22 ns per packed
    /// element against ~48 multiply-adds per ns on one core).
    static let packCost = 8

    /// Splits C into tm×tn rectangles for `threads` tasks, minimising the estimated time of the slowest
    /// task: its multiply-adds, rounded up to whole MR×NR tiles (so an uneven split counts), plus the
    /// elements it packs (cutting N makes every task pack all of A; cutting M, all of B), each weighted
    /// by how slow that operand is to pack.
    static func grid(m: Int, n: Int, k: Int, threads: Int, blocking: GemmBlocking,
                     aWeight: Int = 1, bWeight: Int = 1) -> (Int, Int) {
        let unitsM = (m + blocking.mr - 1) / blocking.mr, unitsN = (n + blocking.nr - 1) / blocking.nr
        var t = threads
        while t > 1 {
            var best: (Int, Int)? = nil
            var bestCost = Int.max
            for tm in stride(from: t, through: 1, by: -1) where t % tm == 0 {
                let tn = t / tm
                guard tm <= unitsM && tn <= unitsN else { continue }
                let rows = (unitsM + tm - 1) / tm * blocking.mr, cols = (unitsN + tn - 1) / tn * blocking.nr
                let estimate = rows * cols * k + packCost * k * (aWeight * rows + bWeight * cols)
                // Cutting N measured ~2% slower than cutting M at equal estimates (1024², 2048²): it must win
                // by more than 1% (it does at 256², where cutting M leaves 22 row panels against 21).
                let cost = tn > 1 ? estimate + estimate / 100 : estimate
                if cost < bestCost {
                    best = (tm, tn)
                    bestCost = cost
                }
            }
            if let best { return best }
            t -= 1
        }
        return (1, 1)
    }

    /// The Goto/BLIS loop nest on one rectangle, on the calling thread:
    /// M blocks (mc) → K blocks (kc, pack A) → N blocks (nc, pack B) → MR-row panels → NR-column tiles.
    static func blocked<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                       a: UnsafePointer<T>, ars: Int, acs: Int,
                                       b: UnsafePointer<T>, brs: Int, bcs: Int,
                                       beta: T, c: UnsafeMutablePointer<T>, ldc: Int,
                                       kernel: T.Microkernel, blocking: GemmBlocking) {
        let mr = blocking.mr, nr = blocking.nr
        let mcMax = min(blocking.mc, (m + mr - 1) / mr * mr)
        let ncMax = min(blocking.nc, (n + nr - 1) / nr * nr)
        // K is cut into equal blocks rather than full blocks plus a thin tail (784 = 392 + 392, not
        // 384 + 384 + 16): a thin block costs a full pass of C loads and stores for few multiply-adds.
        let kBlocks = (k + blocking.kc - 1) / blocking.kc
        let kcMax = (k + kBlocks - 1) / kBlocks
        let workspace = GemmWorkspace.take()
        defer { GemmWorkspace.give(workspace) }
        workspace.reserve(aBytes: mcMax * kcMax * MemoryLayout<T>.stride,
                          bBytes: ncMax * kcMax * MemoryLayout<T>.stride)
        let packedA = workspace.a!.assumingMemoryBound(to: T.self)
        let packedB = workspace.b!.assumingMemoryBound(to: T.self)

        var ic = 0
        while ic < m {
            let mc = min(blocking.mc, m - ic)
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k - pc)
                T.packA(mc: mc, kc: kc, a: a + ic * ars + pc * acs, rowStride: ars, colStride: acs, mr: mr,
                        into: packedA)
                let betaBlock: T = pc == 0 ? beta : 1
                var jc = 0
                while jc < n {
                    let nc = min(blocking.nc, n - jc)
                    T.packB(kc: kc, nc: nc, b: b + pc * brs + jc * bcs, rowStride: brs, colStride: bcs, nr: nr,
                            into: packedB)
                    var ir = 0
                    while ir < mc {
                        let panelA = UnsafePointer(packedA + ir * kc)
                        let rows = min(mr, mc - ir)
                        let cRow = c + (ic + ir) * ldc + jc
                        var jr = 0
                        while jr < nc {
                            T.call(kernel, kc: kc, a: panelA, b: packedB + jr * kc, c: cRow + jr, ldc: ldc,
                                   alpha: alpha, beta: betaBlock, mr: rows, nr: min(nr, nc - jr))
                            jr += nr
                        }
                        ir += mr
                    }
                    jc += nc
                }
                pc += kc
            }
            ic += mc
        }
    }

    /// C = beta * C (beta == 0 writes zeros, ignoring NaN in C).
    static func scale<T: GemmScalar>(m: Int, n: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if beta == 1 { return }
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }

    /// The unpacked C loops, split over the pool by rows of C (or by columns when m == 1) when large.
    static func unpacked<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                        a: UnsafePointer<T>, ars: Int, acs: Int,
                                        b: UnsafePointer<T>, brs: Int, bcs: Int,
                                        beta: T, c: UnsafeMutablePointer<T>, ldc: Int, isa: KernelISA) {
        let pool = ThreadPool.shared
        if m * n * k < 4 * parallelLimit || pool.threadCount == 1 {
            T.small(isa, m: m, n: n, k: k, alpha: alpha, a: a, ars: ars, acs: acs, b: b, brs: brs, bcs: bcs,
                    beta: beta, c: c, ldc: ldc)
        } else if m >= n || m >= pool.threadCount {
            pool.parallelFor(m) { rows in
                T.small(isa, m: rows.count, n: n, k: k, alpha: alpha, a: a + rows.lowerBound * ars, ars: ars,
                        acs: acs, b: b, brs: brs, bcs: bcs, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            pool.parallelFor(n, minChunk: 16) { cols in
                T.small(isa, m: m, n: cols.count, k: k, alpha: alpha, a: a, ars: ars, acs: acs,
                        b: b + cols.lowerBound * bcs, brs: brs, bcs: bcs, beta: beta, c: c + cols.lowerBound,
                        ldc: ldc)
            }
        }
    }
}
