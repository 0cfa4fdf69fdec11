// GemmDriver: the Goto/BLIS loop nest around the C microkernels — blocking, packing, threading, small path.
import CEmberKernels
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

    /// One product over `pool` (`ThreadPool.serial`: on the caller's thread alone).
    static func gemm<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                    a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                    b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
                                    beta: T, c: UnsafeMutablePointer<T>, ldc: Int, isa: KernelISA,
                                    pool: ThreadPool = .shared) {
        if handledTrivially(m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc) { return }
        if m * n * k < smallLimit || m == 1 || n == 1 {
            // Tiny products, and matrix-vector shapes where a packed tile would be mostly padding.
            unpacked(m: m, n: n, k: k, alpha: alpha, a: a, ars: aRowStride, acs: aColStride,
                     b: b, brs: bRowStride, bcs: bColStride, beta: beta, c: c, ldc: ldc, isa: isa, pool: pool)
            return
        }
        let (kernel, blocking) = T.microkernel(isa)
        if m * n * k < parallelLimit || pool.threadCount == 1 {
            blocked(m: m, n: n, k: k, alpha: alpha, a: a, ars: aRowStride, acs: aColStride,
                    b: b, brs: bRowStride, bcs: bColStride, beta: beta, c: c, ldc: ldc,
                    kernel: kernel, blocking: blocking, pool: .serial)
            return
        }
        let (tm, tn) = grid(m: m, n: n, threads: pool.threadCount, blocking: blocking)
        if sharedPackingPays(m: m, n: n, k: k, tm: tm, tn: tn, threads: pool.threadCount, blocking: blocking) {
            blocked(m: m, n: n, k: k, alpha: alpha, a: a, ars: aRowStride, acs: aColStride,
                    b: b, brs: bRowStride, bcs: bColStride, beta: beta, c: c, ldc: ldc,
                    kernel: kernel, blocking: blocking, pool: pool)
            return
        }
        // Independent rectangles: one dispatch; each task runs the whole loop nest on its rectangle of C.
        let unitsM = (m + blocking.mr - 1) / blocking.mr, unitsN = (n + blocking.nr - 1) / blocking.nr
        pool.parallelFor(tm * tn) { tasks in
            for t in tasks {
                let ti = t / tn, tj = t % tn
                let i0 = min(m, ti * unitsM / tm * blocking.mr), i1 = min(m, (ti + 1) * unitsM / tm * blocking.mr)
                let j0 = min(n, tj * unitsN / tn * blocking.nr), j1 = min(n, (tj + 1) * unitsN / tn * blocking.nr)
                if i0 >= i1 || j0 >= j1 { continue }
                blocked(m: i1 - i0, n: j1 - j0, k: k, alpha: alpha,
                        a: a + i0 * aRowStride, ars: aRowStride, acs: aColStride,
                        b: b + j0 * bColStride, brs: bRowStride, bcs: bColStride,
                        beta: beta, c: c + i0 * ldc + j0, ldc: ldc, kernel: kernel, blocking: blocking, pool: .serial)
            }
        }
    }

    /// Checks the sizes and finishes the products with nothing to multiply (m, n, k or alpha zero: C becomes
    /// beta·C); false when there is a product to compute.
    private static func handledTrivially<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T, beta: T,
                                                       c: UnsafeMutablePointer<T>, ldc: Int) -> Bool {
        kernelCheck(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        kernelCheck(m <= 1 || ldc >= n, "gemm: ldc=\(ldc) is smaller than n=\(n)")
        if m == 0 || n == 0 { return true }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            return true
        }
        return false
    }

    /// One product whose B the caller packed (`Gemm.sgemm(…, packedB:)`): `ceil(n / NR)` panels of all `k`
    /// rows, panel q holding `B[p, q·NR + j]` at `packedB[(q·k + p)·NR + j]`. Runs the blocked nest, over the
    /// pool when large; nothing of B is packed again.
    static func gemmPrepackedB<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                              a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                              packedB: UnsafePointer<T>, beta: T, c: UnsafeMutablePointer<T>, ldc: Int,
                                              isa: KernelISA, pool: ThreadPool = .shared) {
        if handledTrivially(m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc) { return }
        let (kernel, blocking) = T.microkernel(isa)
        blocked(m: m, n: n, k: k, alpha: alpha, a: a, ars: aRowStride, acs: aColStride,
                b: packedB, brs: blocking.nr, bcs: 1, beta: beta, c: c, ldc: ldc, kernel: kernel, blocking: blocking,
                pool: m * n * k < parallelLimit ? .serial : pool, prepackedB: packedB)
    }

    /// `count` products at fixed batch strides (`bmm`). When there are enough of them, each runs whole on one
    /// thread (no per-product dispatches); otherwise they run one after another, each over the pool.
    static func gemmBatched<T: GemmScalar>(count: Int, m: Int, n: Int, k: Int, alpha: T,
                                           a: UnsafePointer<T>, aBatchStride: Int, aRowStride: Int, aColStride: Int,
                                           b: UnsafePointer<T>, bBatchStride: Int, bRowStride: Int, bColStride: Int,
                                           beta: T, c: UnsafeMutablePointer<T>, cBatchStride: Int, ldc: Int,
                                           isa: KernelISA) {
        let name = T.self == Float.self ? "sgemmBatched" : "dgemmBatched"
        kernelCheck(count >= 0 && m >= 0 && n >= 0 && k >= 0,
                    "\(name): negative size count=\(count) m=\(m) n=\(n) k=\(k)")
        kernelCheck(m <= 1 || ldc >= n, "\(name): ldc=\(ldc) is smaller than n=\(n)")
        kernelCheck(!cMatricesOverlap(count: count, m: m, n: n, cBatchStride: cBatchStride, ldc: ldc),
                    "\(name): the \(count) C matrices (\(m)×\(n), ldc=\(ldc)) overlap at cBatchStride=\(cBatchStride); "
                    + "each product needs its own C (a batch stride of at least (m − 1)·ldc + n = \((m - 1) * ldc + n))")
        if count == 0 { return }
        let pool = ThreadPool.shared, threads = pool.threadCount
        func product(_ i: Int, _ pool: ThreadPool) {
            gemm(m: m, n: n, k: k, alpha: alpha, a: a + i * aBatchStride, aRowStride: aRowStride, aColStride: aColStride,
                 b: b + i * bBatchStride, bRowStride: bRowStride, bColStride: bColStride, beta: beta,
                 c: c + i * cBatchStride, ldc: ldc, isa: isa, pool: pool)
        }
        let smallProducts = m * n * k < batchedSplitLimit
        if threads > 1 && (count >= 2 * threads || (count >= threads && smallProducts)) {
            pool.parallelFor(count) { range in for i in range { product(i, .serial) } }
        } else {
            for i in 0..<count { product(i, pool) }
        }
    }

    /// Whether `count` row-major m×n matrices `cBatchStride` apart (rows `ldc` apart) share an element.
    /// Sufficient for "they do not": sorted by stride, each dimension of more than one element steps past
    /// everything the smaller ones span — true of stacked matrices (|cBatchStride| ≥ (m − 1)·ldc + n) and of
    /// interleaved ones (`cBatchStride` = n, ldc = count·n: C[i] is the i-th column block of one matrix).
    static func cMatricesOverlap(count: Int, m: Int, n: Int, cBatchStride: Int, ldc: Int) -> Bool {
        if count <= 1 || m == 0 || n == 0 { return false }
        let dims = [(count, cBatchStride.magnitude), (m, ldc.magnitude), (n, 1)]
            .filter { $0.0 > 1 }.sorted { $0.1 < $1.1 }
        var span: UInt = 1  // elements covered by the dimensions so far, from the first
        for (size, stride) in dims {
            if stride < span { return true }
            span += UInt(size - 1) * stride
        }
        return false
    }

    /// Below this many multiply-adds per product, a batch as large as the pool runs one product per thread.
    static let batchedSplitLimit = 1 << 22

    /// Chooses between the two ways of sharing a product over `threads` threads split tm×tn.
    /// Independent rectangles take one dispatch, but every task packs all of the operand its split does not
    /// cut. Shared packing (`blocked` over the pool) packs every panel once but takes two dispatches per
    /// block; it pays when the packing it saves each task outweighs those dispatches (256³ yes; a
    /// convolution's weight gradient, 25×6 from k = 20384 in 54 K blocks, no).
    static func sharedPackingPays(m: Int, n: Int, k: Int, tm: Int, tn: Int, threads: Int,
                                  blocking: GemmBlocking) -> Bool {
        let packedPerTask = (m + tm - 1) / tm * k + k * ((n + tn - 1) / tn)
        let savedPacking = packedPerTask - (m * k + k * n) / threads
        let columns = sharedColumns(blocking, threads: threads)
        let blocks = (m + blocking.mc - 1) / blocking.mc * ((k + blocking.kc - 1) / blocking.kc)
            * ((n + columns - 1) / columns)
        return savedPacking * packCost > 2 * blocks * dispatchCost
    }

    /// Multiply-adds that packing one element costs, roughly (measured here: 0.11–0.22 ns per packed element
    /// against ~48 multiply-adds per ns on one core).
    static let packCost = 8
    /// Multiply-adds that one pool dispatch costs, roughly (~2 µs from announcing a job to its last chunk).
    static let dispatchCost = 100_000
    /// Up to this many rows of A per M block, `blocked` prefetches the next block of row-major B while computing.
    static let prefetchRowsLimit = 192
    /// Row-major B is read in place (not packed) when at most this many row panels of A read it (LeNet's
    /// convolutions, 6 and 16 output channels: ~1.5% of the training step; 1 to 3 measured alike).
    static let inPlacePanelsLimit = 3

    /// Whether an M block of `rows` rows (row panels of `mr`) reads a row-major B in place instead of packing it.
    static func readsRowMajorBInPlace(rows: Int, mr: Int) -> Bool { (rows + mr - 1) / mr <= inPlacePanelsLimit }

    /// The Goto/BLIS loop nest over a pool: M blocks (mc) → K blocks (kc) → N blocks (`sharedColumns`).
    /// For each block the threads first pack A's rows and B's columns together, every panel once, into
    /// buffers they share; then each computes its rectangle of C (from `grid`) out of the shared panels,
    /// walking B in nc-column blocks that stay in its L2. Two pool dispatches per block, and no panel is
    /// packed twice (when every task packed the operand its split did not cut, packing was ~10% of a
    /// 256×784·784×256 product). Row-major A is not packed at all, nor is row-major B that few row panels
    /// read (`inPlacePanelsLimit`). With `ThreadPool.serial` this is the classic one-thread nest.
    static func blocked<T: GemmScalar>(m: Int, n: Int, k: Int, alpha: T,
                                       a: UnsafePointer<T>, ars: Int, acs: Int,
                                       b: UnsafePointer<T>, brs: Int, bcs: Int,
                                       beta: T, c: UnsafeMutablePointer<T>, ldc: Int,
                                       kernel: T.Microkernel, blocking: GemmBlocking, pool: ThreadPool,
                                       prepackedB: UnsafePointer<T>? = nil) {
        let mr = blocking.mr, nr = blocking.nr
        let threads = pool.threadCount
        // Few rows of A that pack row-major B block by block (`packsRowMajorB` below) take the kernel's blocks for
        // that path (`GemmBlocking.fewRows`).
        let rowsMax = min(blocking.mc, (m + mr - 1) / mr * mr)
        let blocking = prepackedB == nil && bcs == 1 && brs > 0 && rowsMax <= prefetchRowsLimit
            && !readsRowMajorBInPlace(rows: rowsMax, mr: mr) ? blocking.forFewRows() : blocking
        let mcMax = min(blocking.mc, (m + mr - 1) / mr * mr)
        let ncShared = min(sharedColumns(blocking, threads: threads), (n + nr - 1) / nr * nr)
        let kBlocks = (k + blocking.kc - 1) / blocking.kc
        let kcMax = (k + kBlocks - 1) / kBlocks
        let workspace = GemmWorkspace.take()
        defer { GemmWorkspace.give(workspace) }
        workspace.reserve(aBytes: mcMax * kcMax * MemoryLayout<T>.stride,
                          bBytes: ncShared * kcMax * MemoryLayout<T>.stride)
        let packedA = workspace.a!.assumingMemoryBound(to: T.self)
        let packedB = workspace.b!.assumingMemoryBound(to: T.self)
        // Row-major B read by few row panels of A (a convolution's few output channels against its im2col
        // columns) is read in place: packing it would cost more than the reads it makes contiguous.
        let readsBInPlace = prepackedB == nil && bcs == 1 && readsRowMajorBInPlace(rows: mcMax, mr: mr)
        // Row-major A is not packed: the microkernel broadcasts one element per row and k step, so MR rows
        // read side by side cost no more than a packed panel once in L1, and the packing pass is saved
        // (ResNet-18 inference ~5%, 256×784·784×256 ~20%; 1024³ and 2048³ unchanged) — unless its rows crowd
        // into the same L1 sets (`panelRowsCollideInL1`).
        // (lda 0 means "packed" to the microkernel, so rows repeated at stride 0 are packed like any other A.)
        let readsAInPlace = acs == 1 && ars > 0
            && !panelRowsCollideInL1(rowStride: ars, kc: kcMax, mr: mr, elementSize: MemoryLayout<T>.stride)
        // Row-major B that is packed block by block for few rows of A: while a block computes, its tasks prefetch
        // the source rows of the next one, so the next packing pass reads them from cache instead of memory. Few
        // rows use each element of B few times, so reading B from memory is a large share of the product
        // (64×4096·4096×4096, one thread: 71–74% → 78–81% of fma_peak); with many rows the compute
        // hides it and the prefetched rows only crowd the packed block out of L2 (1024³: 5–8% slower).
        let packsRowMajorB = prepackedB == nil && !readsBInPlace && bcs == 1 && brs > 0 && mcMax <= prefetchRowsLimit

        var ic = 0
        while ic < m {
            let mc = min(mcMax, m - ic)
            let panelsM = (mc + mr - 1) / mr
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k - pc)
                let aBlock = a + ic * ars + pc * acs
                let betaBlock: T = pc == 0 ? beta : 1
                var jc = 0
                while jc < n {
                    let nc = min(ncShared, n - jc)
                    let panelsN = (nc + nr - 1) / nr
                    let bBlock = b + pc * brs + jc * bcs
                    let packsA = jc == 0 && !readsAInPlace
                    // Full panels of B read in place are not packed; the partial last one always is.
                    let firstPackedPanel = prepackedB != nil ? panelsN : readsBInPlace ? nc / nr : 0
                    // Pack: thread t takes the t-th share of B's column panels (and of A's row panels, once
                    // per K block); no dispatch when there is nothing to pack.
                    if packsA || firstPackedPanel < panelsN { pool.parallelFor(threads) { shares in
                        for t in shares {
                            let p0 = t * panelsM / threads, p1 = (t + 1) * panelsM / threads
                            if packsA && p0 < p1 {
                                T.packA(mc: min(mc, p1 * mr) - p0 * mr, kc: kc, a: aBlock + p0 * mr * ars,
                                        rowStride: ars, colStride: acs, mr: mr, into: packedA + p0 * mr * kc)
                            }
                            let q0 = max(firstPackedPanel, t * panelsN / threads), q1 = (t + 1) * panelsN / threads
                            if q0 < q1 {
                                T.packB(kc: kc, nc: min(nc, q1 * nr) - q0 * nr, b: bBlock + q0 * nr * bcs,
                                        rowStride: brs, colStride: bcs, nr: nr, into: packedB + q0 * nr * kc)
                            }
                        }
                    } }
                    // B's panels for this block: the workspace (kc rows each) or the caller's (k rows each).
                    let (bPanels, bPanelStride) = prepackedB.map { ($0 + (jc / nr) * k * nr + pc * nr, k * nr) }
                        ?? (UnsafePointer(packedB), nr * kc)
                    // Compute: task (ti, tj) owns rows i0..<i1 and columns j0..<j1 of this block.
                    let (tm, tn) = grid(m: mc, n: nc, threads: threads, blocking: blocking)
                    let cBlock = c + ic * ldc + jc
                    let next = packsRowMajorB ? nextBlockOfB(m: m, n: n, k: k, ic: ic, mc: mc, pc: pc, kc: kc, jc: jc, nc: nc,
                                                             kcMax: kcMax, ncMax: ncShared, b: b, brs: brs) : nil
                    pool.parallelFor(tm * tn) { tasks in
                        for t in tasks {
                            let ti = t / tn, tj = t % tn
                            let i0 = ti * panelsM / tm * mr, i1 = min(mc, (ti + 1) * panelsM / tm * mr)
                            let j0 = tj * panelsN / tn * nr, j1 = min(nc, (tj + 1) * panelsN / tn * nr)
                            computeRectangle(rows: i0..<i1, columns: j0..<j1, mc: mc, nc: nc, kc: kc,
                                             prefetch: next?.share(t, of: tm * tn),
                                             packedA: packedA, aInPlace: readsAInPlace ? aBlock : nil, ars: ars,
                                             bPanels: bPanels, bPanelStride: bPanelStride,
                                             bInPlace: readsBInPlace ? bBlock : nil, brs: brs, alpha: alpha, beta: betaBlock,
                                             c: cBlock, ldc: ldc, kernel: kernel, blocking: blocking)
                        }
                    }
                    jc += nc
                }
                pc += kc
            }
            ic += mc
        }
    }

    /// Whether an MR-row panel of row-major A, read in place for kc columns, would put more than half of an L1
    /// set's ways on its own lines. Rows a multiple of 4 KB apart (lda 1024, 2048, 4096 floats; also 1000 or
    /// 1040) start in the same set of a 32 KB 8-way L1 (64 sets of 64-byte lines, Zen 3 and Zen 4), so all MR of
    /// their lines for a k step share one set, and the packed B panel streaming through evicts them. Such A is
    /// packed. Measured one thread on Zen 3 (AVX2), packed against in place: 64×4096·4096×4096 37.4 → 31.9 ms,
    /// 2048³ 247 → 231 ms, 1024³ alike; in place stays faster where rows spread (lda 784: 1.22 against 1.44 ms).
    static func panelRowsCollideInL1(rowStride: Int, kc: Int, mr: Int, elementSize: Int) -> Bool {
        let lineSize = 64, sets = 64, waysForA = 4
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: sets) { linesInSet in
            linesInSet.initialize(repeating: 0)
            for row in 0..<mr {
                let first = row * rowStride * elementSize, last = first + max(kc, 1) * elementSize - 1
                for line in (first / lineSize)...(last / lineSize) {
                    linesInSet[line % sets] += 1
                    if linesInSet[line % sets] > waysForA { return true }
                }
            }
            return false
        }
    }

    /// Columns of B packed per block. One thread packs one nc block, which stays in its L2 for the compute
    /// (~2% faster alone than larger blocks); several threads share 8·nc columns, fewer pool dispatches for
    /// wide B, while bounding the buffer (kc × this) when B is very wide (a convolution's im2col columns).
    static func sharedColumns(_ blocking: GemmBlocking, threads: Int) -> Int {
        threads == 1 ? blocking.nc : 8 * blocking.nc
    }

    /// One task's rectangle of C from shared packed panels: nc-column blocks of B (kept in L2) →
    /// MR-row panels of A (kept in L1) → NR-column tiles.
    @inline(__always)
    private static func computeRectangle<T: GemmScalar>(rows: Range<Int>, columns: Range<Int>, mc: Int, nc: Int,
                                                        kc: Int, prefetch: RowPrefetch?, packedA: UnsafeMutablePointer<T>,
                                                        aInPlace: UnsafePointer<T>?, ars: Int,
                                                        bPanels: UnsafePointer<T>, bPanelStride: Int,
                                                        bInPlace: UnsafePointer<T>?,
                                                        brs: Int, alpha: T, beta: T,
                                                        c: UnsafeMutablePointer<T>, ldc: Int,
                                                        kernel: T.Microkernel, blocking: GemmBlocking) {
        let mr = blocking.mr, nr = blocking.nr
        // The prefetch is spread evenly over this rectangle's microkernel calls.
        let calls = (rows.count + mr - 1) / mr * ((columns.count + nr - 1) / nr)
        var prefetch = prefetch
        prefetch?.spread(over: calls)
        // Only the rectangle's last tile can be partial (its first column is a multiple of NR).
        let lastTile = columns.lowerBound + (columns.count - 1) / nr * nr
        let lastWidth = columns.upperBound - lastTile
        // With A in place, the dot-product columns of a partial tile (`narrowColumns`) take B's columns copied out
        // k-major once here: the microkernel would gather them from the packed panel, a panel row apart, for
        // every row panel of A (~6× slower: a one-image 7×7 convolution, 49 = 48 + 1 columns, 7% faster).
        let narrow = aInPlace != nil && !columns.isEmpty ? blocking.narrowColumns(lastWidth) : 0
        withUnsafeTemporaryAllocation(of: T.self, capacity: narrow * kc) { narrowColumnsOfB in
            let bt = narrowColumnsOfB.baseAddress
            if narrow > 0, let bt {
                // B panels hold k rows of NR columns; the partial last tile is always a packed panel.
                let first = bPanels + lastTile / nr * bPanelStride + (lastWidth - narrow)
                for p in 0..<kc {
                    for j in 0..<narrow { bt[j * kc + p] = first[p * nr + j] }
                }
            }
            var jc = columns.lowerBound
            while jc < columns.upperBound {
                let jcEnd = min(columns.upperBound, jc + blocking.nc)
                var ir = rows.lowerBound
                while ir < rows.upperBound {
                    // A panel: packed (lda 0) or, in place, MR rows of A itself.
                    let (panelA, lda) = aInPlace.map { ($0 + ir * ars, ars) } ?? (UnsafePointer(packedA + ir * kc), 0)
                    let panelRows = min(mr, mc - ir)
                    var jr = jc
                    while jr < jcEnd {
                        prefetch?.step()
                        if let bInPlace, jr + nr <= nc {
                            T.call(kernel, kc: kc, a: panelA, lda: lda, b: bInPlace + jr, ldb: brs, c: c + ir * ldc + jr,
                                   ldc: ldc, alpha: alpha, beta: beta, mr: panelRows, nr: nr)
                        } else {
                            let width = min(nr, nc - jr), vectorColumns = jr == lastTile ? width - narrow : width
                            if vectorColumns > 0 {
                                T.call(kernel, kc: kc, a: panelA, lda: lda, b: bPanels + jr / nr * bPanelStride, ldb: nr,
                                       c: c + ir * ldc + jr, ldc: ldc, alpha: alpha, beta: beta, mr: panelRows,
                                       nr: vectorColumns)
                            }
                            if vectorColumns < width, let bt {
                                T.callNarrow(kernel, kc: kc, a: panelA, lda: lda, bt: bt, ldbt: kc,
                                             c: c + ir * ldc + jr + vectorColumns, ldc: ldc, alpha: alpha, beta: beta,
                                             mr: panelRows, nr: narrow)
                            }
                        }
                        jr += nr
                    }
                    ir += mr
                }
                jc = jcEnd
            }
        }
    }

    /// The source rows of the block of row-major B that `blocked` packs after block (ic, pc, jc): the next N block,
    /// else the first of the next K block, else B's first block again for the next M block; nil after the last.
    static func nextBlockOfB<T>(m: Int, n: Int, k: Int, ic: Int, mc: Int, pc: Int, kc: Int, jc: Int, nc: Int,
                                kcMax: Int, ncMax: Int, b: UnsafePointer<T>, brs: Int) -> RowPrefetch? {
        let (p, j): (Int, Int)
        if jc + nc < n { (p, j) = (pc, jc + nc) }
        else if pc + kc < k { (p, j) = (pc + kc, 0) }
        else if ic + mc < m { (p, j) = (0, 0) }
        else { return nil }
        let size = MemoryLayout<T>.stride
        return RowPrefetch(base: UnsafeRawPointer(b + p * brs + j), rows: min(kcMax, k - p), rowStride: brs * size,
                           rowBytes: min(ncMax, n - j) * size)
    }

    /// Splits C into tm×tn rectangles for `threads` tasks, minimising the work of the slowest task: its rows
    /// times its columns, both in whole MR/NR panels, except that a ragged last row panel counts as its rows plus
    /// half a panel (the microkernel still streams a whole B panel for it). Packing is shared, so it does not
    /// depend on the split. The ragged panel matters for skinny products: the 32 rows of an LSTM step's
    /// 32×256·256×1024 in 6-row panels, cut by M, give one task 18 rows and the other 14; cut by N both tasks
    /// multiply all 32, and each keeps its half of B in its own L2 (`sgemm_32x256x1024`, two threads: 0.095 ms
    /// against 0.142–0.159 cut by M). Each cut of N adds 1% (cutting N measured ~2% slower than cutting M
    /// at equal work at 1024² and 2048²; at 256² cutting M leaves one task 22 of 43 row panels and N wins).
    static func grid(m: Int, n: Int, threads: Int, blocking: GemmBlocking) -> (Int, Int) {
        let unitsM = (m + blocking.mr - 1) / blocking.mr, unitsN = (n + blocking.nr - 1) / blocking.nr
        var t = threads
        while t > 1 {
            var best: (Int, Int)? = nil
            var bestCost = Int.max
            for tm in stride(from: t, through: 1, by: -1) where t % tm == 0 {
                let tn = t / tm
                guard tm <= unitsM && tn <= unitsN else { continue }
                let work = heaviestRows(m, mr: blocking.mr, tasks: tm) * ((unitsN + tn - 1) / tn * blocking.nr)
                let cost = work * (100 + tn - 1)
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

    /// The rows of the busiest of `tasks` tasks sharing `m` rows in panels of `mr` as the drivers share them
    /// (task i takes panels i·P/tasks ..< (i+1)·P/tasks), a ragged last panel counted as its rows + mr/2.
    static func heaviestRows(_ m: Int, mr: Int, tasks: Int) -> Int {
        let panels = (m + mr - 1) / mr, ragged = m % mr
        var busiest = 0
        for task in 0..<tasks {
            let first = task * panels / tasks, end = (task + 1) * panels / tasks
            var rows = (end - first) * mr
            if ragged != 0 && end == panels && end > first { rows += ragged + mr / 2 - mr }
            busiest = max(busiest, rows)
        }
        return busiest
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
                                        beta: T, c: UnsafeMutablePointer<T>, ldc: Int, isa: KernelISA,
                                        pool: ThreadPool) {
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

/// Rows of memory to prefetch a slice at a time: `rows` rows of `rowBytes` bytes, `rowStride` bytes apart.
struct RowPrefetch {
    let base: UnsafeRawPointer
    let rows: Int, rowStride: Int, rowBytes: Int
    private var row = 0, offset = 0, bytesPerStep = 0

    init(base: UnsafeRawPointer, rows: Int, rowStride: Int, rowBytes: Int) {
        self.base = base; self.rows = rows; self.rowStride = rowStride; self.rowBytes = rowBytes
    }

    /// Task `t` of `tasks`: its share of the rows.
    func share(_ t: Int, of tasks: Int) -> RowPrefetch {
        let r0 = t * rows / tasks, r1 = (t + 1) * rows / tasks
        return RowPrefetch(base: base + r0 * rowStride, rows: r1 - r0, rowStride: rowStride, rowBytes: rowBytes)
    }

    /// Sets the slice size so that `steps` calls of `step()` cover every row.
    mutating func spread(over steps: Int) {
        bytesPerStep = steps > 0 ? (rows * rowBytes + steps - 1) / steps : 0
    }

    /// Prefetches the next slice.
    mutating func step() {
        var budget = bytesPerStep
        while budget > 0 && row < rows {
            let count = min(budget, rowBytes - offset)
            ember_prefetch_span(base + row * rowStride + offset, count)
            budget -= count
            offset += count
            if offset >= rowBytes { offset = 0; row += 1 }
        }
    }
}

