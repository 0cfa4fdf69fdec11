// Convolution drivers over raw NCHW buffers: im2col + one GEMM per chunk of images and group, forward and gradients.

/// Batched grouped 2-d convolution on contiguous buffers, built on `Im2Col` and `Gemm`.
///
/// Shapes: input `[N, groups * g.channels, g.height, g.width]`, weight `[outChannels, g.channels, kh, kw]`,
/// output `[N, outChannels, g.outHeight, g.outWidth]`. The same three routines give the transposed
/// convolution (its forward is `backwardInput`, its gradients are `forward` and `backwardWeight`).
public enum ConvKernels {
    /// `c = alpha * a · b + beta * c` dispatched to `Gemm.sgemm` / `Gemm.dgemm` by element type.
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - b: The matrix B.
    ///   - bRowStride: The step in elements between rows of B.
    ///   - bColStride: The step in elements between columns of B.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    @inlinable
    public static func gemm<T: BinaryFloatingPoint>(m: Int, n: Int, k: Int, a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                                   b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
                                                   beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if T.self == Float.self {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), aRowStride: aRowStride, aColStride: aColStride,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), bRowStride: bRowStride, bColStride: bColStride,
                       beta: Float(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else if T.self == Double.self {
            Gemm.dgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), aRowStride: aRowStride, aColStride: aColStride,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), bRowStride: bRowStride, bColStride: bColStride,
                       beta: Double(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
        } else {
            fatalError("ConvKernels.gemm: unsupported element type \(T.self)")
        }
    }

    /// `c = a · packedB + beta * c` with B in the GEMM's packed order (`Gemm.sgemm(…, packedB:)`).
    ///
    /// - Parameters:
    ///   - m: Rows of A and C.
    ///   - n: Columns of B and C.
    ///   - k: Columns of A, rows of B.
    ///   - a: The matrix A.
    ///   - aRowStride: The step in elements between rows of A.
    ///   - aColStride: The step in elements between columns of A.
    ///   - packedB: B in the GEMM's packed panel order.
    ///   - beta: The factor on C's previous contents (0 overwrites C without reading it).
    ///   - c: The row-major output matrix C.
    ///   - ldc: The step in elements between rows of C.
    @inlinable
    public static func gemm<T: BinaryFloatingPoint>(m: Int, n: Int, k: Int, a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                                   packedB: UnsafePointer<T>, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if T.self == Float.self {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), aRowStride: aRowStride, aColStride: aColStride,
                       packedB: UnsafeRawPointer(packedB).assumingMemoryBound(to: Float.self), beta: Float(beta),
                       c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else if T.self == Double.self {
            Gemm.dgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), aRowStride: aRowStride, aColStride: aColStride,
                       packedB: UnsafeRawPointer(packedB).assumingMemoryBound(to: Double.self), beta: Double(beta),
                       c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
        } else {
            fatalError("ConvKernels.gemm: unsupported element type \(T.self)")
        }
    }

    /// Columns per panel of a packed B operand of element type `T` (`Gemm.sgemmPanelWidth`).
    @inlinable
    public static func panelWidth<T: BinaryFloatingPoint>(_: T.Type) -> Int {
        T.self == Double.self ? Gemm.dgemmPanelWidth : Gemm.sgemmPanelWidth
    }

    /// Whether a product with `m` rows would pack a row-major B of element type `T` (`Gemm.sgemmPacksRowMajorB`).
    @inlinable
    public static func gemmPacksRowMajorB<T: BinaryFloatingPoint>(_: T.Type, m: Int) -> Bool {
        T.self == Double.self ? Gemm.dgemmPacksRowMajorB(m: m) : Gemm.sgemmPacksRowMajorB(m: m)
    }

    /// Column-matrix elements unfolded per GEMM (2 MB of float columns): they stay in the last-level cache
    /// between im2col and the GEMM.
    public static let columnBudget = 1 << 19

    /// Images per GEMM: enough that the product is wide (a 2×2 or 1×1 feature map times one image is a
    /// matrix-vector product, which runs at memory speed), few enough that the column buffer stays small.
    @inlinable
    public static func imagesPerChunk(batch: Int, columnElements: Int) -> Int {
        let most = Swift.max(1, Swift.min(batch, columnBudget / Swift.max(1, columnElements)))
        let chunks = (batch + most - 1) / most
        return (batch + chunks - 1) / chunks
    }

    /// Output rows per band when one image's column matrix (`columnRows` × outH·outW) is over the budget of
    /// `imagesPerChunk`: as many as fit it, at least one.
    ///
    /// - Parameters:
    ///   - columnRows: Rows of one image's column matrix (`C/groups · kh · kw`).
    ///   - outHeight: The output height.
    ///   - outWidth: The output width.
    @inlinable
    public static func rowsPerBand(columnRows: Int, outHeight: Int, outWidth: Int) -> Int {
        Swift.max(1, Swift.min(outHeight, columnBudget / Swift.max(1, columnRows * outWidth)))
    }

    /// Smallest number of images worth a thread of their own when copying `elements` per image.
    @inlinable
    static func minImagesPerTask(_ elements: Int) -> Int { Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, elements)) }

    /// Copies `count` contiguous elements with a plain loop (rows here are often 1–16 elements: a memcpy
    /// call per row would cost more than the copy).
    @inlinable @inline(__always)
    static func copyRow<T>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafePointer<T>, _ count: Int) {
        var i = 0
        while i < count { dst[i] = src[i]; i &+= 1 }
    }

    /// `Σ row[i]` with eight partial sums, so the adds pipeline (and vectorize) instead of forming one chain.
    @inlinable
    static func rowSum<T: BinaryFloatingPoint>(_ row: UnsafePointer<T>, _ count: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var i = 0
        while i &+ 8 <= count {
            s0 += row[i]; s1 += row[i &+ 1]; s2 += row[i &+ 2]; s3 += row[i &+ 3]
            s4 += row[i &+ 4]; s5 += row[i &+ 5]; s6 += row[i &+ 6]; s7 += row[i &+ 7]
            i &+= 8
        }
        while i < count { s0 += row[i]; i &+= 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// Copies the `[rows, L]` planes of images `n0..<n0+count` (starting at channel `c0` of `channels`) side
    /// by side into `dst` `[rows, count * L]`.
    @inlinable
    static func gatherPlanes<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, n0: Int, count: Int, c0: Int, rows: Int,
                                                    channels: Int, l: Int, _ dst: UnsafeMutablePointer<T>) {
        let width = count * l
        ThreadPool.shared.parallelFor(count, minChunk: minImagesPerTask(rows * l)) { range in
            for b in range {
                let s = src + ((n0 + b) * channels + c0) * l
                for r in 0..<rows { copyRow(dst + (r &* width &+ b &* l), s + r &* l, l) }
            }
        }
    }

    /// The weight columns of the plan's live taps, `[outChannels, plan.rows]` (nil when every tap is live).
    @inlinable
    static func liveWeights<T: BinaryFloatingPoint>(_ weight: UnsafePointer<T>, outChannels: Int, _ g: ConvGeometry,
                                                   _ plan: Im2ColPlan) -> ScratchBuffer<T>? {
        if plan.isComplete(g) { return nil }
        let taps = g.kernelHeight * g.kernelWidth, live = plan.taps.count, k = g.columnRows, rows = plan.rows
        let scratch = ScratchBuffer<T>(Swift.max(1, outChannels * rows)), packed = scratch.pointer
        plan.taps.withUnsafeBufferPointer { liveTaps in
            ThreadPool.shared.parallelFor(outChannels, minChunk: Swift.max(1, ThreadPool.minParallelChunk / Swift.max(1, rows))) { range in
                for o in range {
                    var s = weight + o &* k, d = packed + o &* rows
                    for _ in 0..<g.channels {
                        for t in 0..<live { d[t] = s[liveTaps[t]] }
                        s += taps
                        d += live
                    }
                }
            }
        }
        return scratch
    }

    /// Output = weight ⊛ input (+ bias). `output` is overwritten.
    ///
    /// 3×3 stride-1 float32 convolutions of one group go through `Winograd3x3` where it is faster
    /// (`Winograd3x3.isProfitable`; `Winograd3x3.policy` overrides the choice), and stride-1 ones with few output
    /// channels through `DirectConvolution` (`DirectConvolution.isProfitable`, `DirectConvolution.policy`).
    ///
    /// Several images share one GEMM (`[O/g, K] · [K, images · L]`); its result is scattered back to NCHW.
    /// Kernel taps that only ever see padding are left out of K. When the GEMM would pack the column matrix
    /// (more than a few output channels) it is unfolded straight into the packed order (`Im2Col.im2colPacked`;
    /// ResNet-18 training step ~2% faster), otherwise row-major, which the GEMM reads in place.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous (nil when only the input gradient is wanted).
    ///   - weight: The weight `[outChannels, C/groups, kh, kw]`, contiguous.
    ///   - bias: The bias `[outChannels]`, or nil.
    ///   - output: The output `[batch, outChannels, outH, outW]` (overwritten).
    ///   - batch: The number of images.
    ///   - groups: The number of channel groups.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (sizes, stride, padding, dilation).
    ///   - version: When the backward of this convolution will follow, the weight's version: the live-tap weight
    ///     columns gathered here (kernel taps that see only padding dropped) are kept for it (`LiveWeightsCache`).
    @inlinable
    public static func forward<T: BinaryFloatingPoint>(input: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                                      output: UnsafeMutablePointer<T>, batch: Int, groups: Int, outChannels: Int,
                                                      _ g: ConvGeometry, keepFor version: WeightVersion? = nil) {
        // 3×3 stride-1 float convolutions with enough channels: Winograd F(2×2, 3×3), 2.25× fewer multiplies.
        if T.self == Float.self && Winograd3x3.chosen(batch: batch, groups: groups, outChannels: outChannels, g) {
            Winograd3x3.forward(input: UnsafeRawPointer(input).assumingMemoryBound(to: Float.self),
                                weight: UnsafeRawPointer(weight).assumingMemoryBound(to: Float.self),
                                bias: bias.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) },
                                output: UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self),
                                batch: batch, outChannels: outChannels, g)
            return
        }
        // Few output channels and taps, stride 1: a direct convolution without the column matrix (LeNet's).
        if T.self == Float.self && DirectConvolution.chosen(groups: groups, outChannels: outChannels, g) {
            DirectConvolution.forward(input: UnsafeRawPointer(input).assumingMemoryBound(to: Float.self),
                                      weight: UnsafeRawPointer(weight).assumingMemoryBound(to: Float.self),
                                      bias: bias.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) },
                                      output: UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self),
                                      batch: batch, outChannels: outChannels, g)
            return
        }
        let plan = Im2ColPlan(g)
        let k = plan.rows, l = g.columnCount, og = outChannels / groups
        let inImage = g.channels * g.height * g.width
        let identity = g.isIdentity
        let packed = liveWeights(weight, outChannels: outChannels, g, plan)
        let w = UnsafePointer(packed?.pointer) ?? weight
        let chunk = imagesPerChunk(batch: batch, columnElements: k * l)
        // One image whose column matrix is over the budget is unfolded and multiplied a band of output rows at
        // a time, so the columns are still in cache when the GEMM reads them (ResNet-18's 224×224 layers).
        let band = chunk == 1 ? rowsPerBand(columnRows: k, outHeight: g.outHeight, outWidth: g.outWidth) : g.outHeight
        let prepacks = gemmPacksRowMajorB(T.self, m: og)
        let panel = prepacks ? panelWidth(T.self) : 1
        let columnCount = chunk == 1 ? band * g.outWidth : l * chunk
        let columnScratch = ScratchBuffer<T>(identity && chunk == 1 ? 0 : k * ((columnCount + panel - 1) / panel * panel))
        let productScratch = ScratchBuffer<T>(chunk == 1 ? 0 : og * l * chunk)
        defer { columnScratch.release(); productScratch.release() }
        let columns = columnScratch.pointer, product = productScratch.pointer
        defer {
            if let packed, let version {
                LiveWeightsCache.current.store(packed, weight: weight, outChannels: outChannels, g, version)
            } else {
                packed?.release()
            }
        }
        var n0 = 0
        while n0 < batch {
            let nb = Swift.min(chunk, batch - n0), width = nb * l
            for gi in 0..<groups {
                // C[og, n] (+)= weights · B, B the input itself (a 1×1 convolution of one image) or its
                // column matrix (of output rows `rows`), packed or row-major.
                let image = input + (n0 * groups + gi) * inImage
                let readsInput = identity && nb == 1
                func multiply(rows: Range<Int>, beta: T, into c: UnsafeMutablePointer<T>, ldc: Int) {
                    let n = nb * rows.count * g.outWidth
                    if readsInput {
                        gemm(m: og, n: n, k: k, a: w + gi * og * k, aRowStride: k, aColStride: 1,
                             b: image, bRowStride: n, bColStride: 1, beta: beta, c: c, ldc: ldc)
                    } else if prepacks {
                        Im2Col.im2colPacked(image, imageStride: groups * inImage, count: nb, g, plan, outRows: rows, columns,
                                            panelWidth: panel)
                        gemm(m: og, n: n, k: k, a: w + gi * og * k, aRowStride: k, aColStride: 1,
                             packedB: columns, beta: beta, c: c, ldc: ldc)
                    } else {
                        Im2Col.im2col(image, imageStride: groups * inImage, count: nb, g, plan, outRows: rows, columns, ld: n)
                        gemm(m: og, n: n, k: k, a: w + gi * og * k, aRowStride: k, aColStride: 1,
                             b: columns, bRowStride: n, bColStride: 1, beta: beta, c: c, ldc: ldc)
                    }
                }
                if nb == 1 {
                    let dst = output + (n0 * outChannels + gi * og) * l
                    var beta: T = 0
                    if let bias = bias {
                        for o in 0..<og { (dst + o * l).update(repeating: bias[gi * og + o], count: l) }
                        beta = 1
                    }
                    if readsInput {
                        multiply(rows: 0..<g.outHeight, beta: beta, into: dst, ldc: l)
                        continue
                    }
                    for oy in Swift.stride(from: 0, to: g.outHeight, by: band) {
                        multiply(rows: oy..<Swift.min(g.outHeight, oy + band), beta: beta, into: dst + oy * g.outWidth, ldc: l)
                    }
                    continue
                }
                multiply(rows: 0..<g.outHeight, beta: 0, into: product, ldc: width)
                ThreadPool.shared.parallelFor(nb, minChunk: minImagesPerTask(og * l)) { range in
                    for img in range {
                        let dst = output + ((n0 + img) * outChannels + gi * og) * l
                        for o in 0..<og {
                            let s = product + (o &* width &+ img &* l), d = dst + o &* l
                            if let bias = bias {
                                let v = bias[gi * og + o]
                                var p = 0
                                while p < l { d[p] = s[p] + v; p &+= 1 }
                            } else {
                                copyRow(d, s, l)
                            }
                        }
                    }
                }
            }
            n0 += nb
        }
    }

    /// Input and/or weight gradient in one sweep (the output gradient of a chunk of images is gathered once
    /// for both). Either output may be nil. `gradInput` and `gradWeight` are overwritten. For a float32 3×3 stride-1
    /// convolution the input gradient goes through `Winograd3x3.backwardInput` where Winograd would be chosen for it
    /// as a forward convolution, and the weight gradient through `Winograd3x3.backwardWeight` where
    /// `Winograd3x3.chosenForWeightGradient` says so; few-channel stride-1 ones through `DirectConvolution`
    /// (`chosenForInputGradient`, `chosen`).
    ///
    /// - `gradWeight = Σ gradOutput · colsᵀ` over the images of each chunk in one GEMM;
    /// - `gradInput = col2im(weightᵀ · gradOutput)`.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous (nil when only the input gradient is wanted).
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - weight: The weight `[outChannels, C/groups, kh, kw]`, contiguous.
    ///   - gradInput: The input gradient (overwritten), or nil when not needed.
    ///   - gradWeight: The weight gradient (overwritten), or nil when not needed.
    ///   - batch: The number of images.
    ///   - groups: The number of channel groups.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (sizes, stride, padding, dilation).
    ///   - version: The weight's version, to find the live-tap columns its forward kept (`LiveWeightsCache`).
    @inlinable
    public static func backward<T: BinaryFloatingPoint>(input: UnsafePointer<T>?, gradOutput: UnsafePointer<T>, weight: UnsafePointer<T>,
                                                       gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                       batch: Int, groups: Int, outChannels: Int, _ g: ConvGeometry,
                                                       weightVersion version: WeightVersion? = nil) {
        var gradInput = gradInput, gradWeight = gradWeight
        // The input gradient of a 3×3 stride-1 float convolution is itself one, over the turned kernels: Winograd
        // where its forward would be chosen (`Winograd3x3.backwardInput`).
        if T.self == Float.self, let gx = gradInput, groups == 1, Winograd3x3.applies(groups: 1, g),
           let transposed = Winograd3x3.inputGradientGeometry(outChannels: outChannels, g),
           Winograd3x3.chosen(batch: batch, groups: 1, outChannels: g.channels, transposed) {
            Winograd3x3.backwardInput(gradOutput: UnsafeRawPointer(gradOutput).assumingMemoryBound(to: Float.self),
                                      weight: UnsafeRawPointer(weight).assumingMemoryBound(to: Float.self),
                                      gradInput: UnsafeMutableRawPointer(gx).assumingMemoryBound(to: Float.self),
                                      batch: batch, outChannels: outChannels, g)
            gradInput = nil
        }
        // Its weight gradient by F(3×3, 2×2) (`Winograd3x3.backwardWeight`) where that pays.
        if T.self == Float.self, let gw = gradWeight, let x = input, groups == 1,
           Winograd3x3.chosenForWeightGradient(batch: batch, groups: 1, outChannels: outChannels, g) {
            Winograd3x3.backwardWeight(input: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                       gradOutput: UnsafeRawPointer(gradOutput).assumingMemoryBound(to: Float.self),
                                       gradWeight: UnsafeMutableRawPointer(gw).assumingMemoryBound(to: Float.self),
                                       batch: batch, outChannels: outChannels, g)
            gradWeight = nil
        }
        // Few channels and taps, stride 1: both gradients by direct convolution (`DirectConvolution`).
        if T.self == Float.self, let gx = gradInput, DirectConvolution.chosenForInputGradient(groups: groups, outChannels: outChannels, g) {
            DirectConvolution.backwardInput(gradOutput: UnsafeRawPointer(gradOutput).assumingMemoryBound(to: Float.self),
                                            weight: UnsafeRawPointer(weight).assumingMemoryBound(to: Float.self),
                                            gradInput: UnsafeMutableRawPointer(gx).assumingMemoryBound(to: Float.self),
                                            batch: batch, outChannels: outChannels, g)
            gradInput = nil
        }
        if T.self == Float.self, let gw = gradWeight, let x = input, DirectConvolution.chosen(groups: groups, outChannels: outChannels, g) {
            DirectConvolution.backwardWeight(input: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                             gradOutput: UnsafeRawPointer(gradOutput).assumingMemoryBound(to: Float.self),
                                             gradWeight: UnsafeMutableRawPointer(gw).assumingMemoryBound(to: Float.self),
                                             batch: batch, outChannels: outChannels, g)
            gradWeight = nil
        }
        let needWeight = gradWeight != nil && input != nil
        if (gradInput == nil && !needWeight) || batch == 0 {
            gradWeight?.update(repeating: 0, count: outChannels * g.columnRows)
            return
        }
        let plan = Im2ColPlan(g), complete = plan.isComplete(g)
        // The products below write every element of the weight gradient except the columns of taps that only see
        // padding (ResNet-18's 1×1 maps), which `spreadWeightGradient` zeroes as it writes the live ones; zeroing it
        // all had cost a pass over every convolution weight per step.
        if let gw = gradWeight, !needWeight { gw.update(repeating: 0, count: outChannels * g.columnRows) }
        let k = plan.rows, l = g.columnCount, og = outChannels / groups
        let inImage = g.channels * g.height * g.width
        let identity = g.isIdentity
        // The live-tap columns the forward kept for this step (`LiveWeightsCache`), else gathered again.
        let kept = gradInput != nil && !complete
            ? version.flatMap { LiveWeightsCache.current.take(weight: weight, outChannels: outChannels, g, $0, count: outChannels * k) }
            : nil
        let packed = gradInput != nil ? kept ?? liveWeights(weight, outChannels: outChannels, g, plan) : nil
        let w = UnsafePointer(packed?.pointer) ?? weight
        // The weight gradient covers live taps only (spread into `gradWeight` at the end when some are dead). The
        // direct product `[og, K] = gy · colsᵀ` packs its B, the column matrix read transposed: K elements per
        // column, N·L columns in all. Transposed, `[K, og] = cols · gyᵀ` per group, reads the column matrix in
        // place as a row-major A and packs only gyᵀ (og per column), but is transposed into place at the end
        // (K·og). Whichever moves fewer elements, and always transposed for fewer than 32 channels (LeNet's).
        // ResNet-18's 64-channel 8×8 layers at batch 32 pack 1.2M elements direct against 0.17M transposed; its
        // 512-channel 1×1 layers the reverse.
        let columnsInAll = batch * l
        let transposed = og < 32 || k * columnsInAll > og * columnsInAll + k * og
        let liveScratch = needWeight && (transposed || !complete) ? ScratchBuffer<T>(Swift.max(1, outChannels * k)) : nil
        let gradLive = liveScratch?.pointer
        let gwTarget = gradLive ?? gradWeight
        let chunk = imagesPerChunk(batch: batch, columnElements: k * l)
        let columnScratch = ScratchBuffer<T>(identity && chunk == 1 ? 0 : k * l * chunk)
        let gatheredScratch = ScratchBuffer<T>(chunk == 1 ? 0 : og * l * chunk)
        defer { columnScratch.release(); gatheredScratch.release(); packed?.release(); liveScratch?.release() }
        let columns = columnScratch.pointer, gathered = gatheredScratch.pointer
        var n0 = 0
        while n0 < batch {
            let nb = Swift.min(chunk, batch - n0), width = nb * l
            for gi in 0..<groups {
                // The output gradient of these images as one [og, width] matrix.
                let gy: UnsafePointer<T>
                if nb == 1 {
                    gy = gradOutput + (n0 * outChannels + gi * og) * l
                } else {
                    gatherPlanes(gradOutput, n0: n0, count: nb, c0: gi * og, rows: og, channels: outChannels, l: l, gathered)
                    gy = UnsafePointer(gathered)
                }
                if needWeight, let input = input, let gwTarget = gwTarget {
                    let b: UnsafePointer<T>
                    if identity && nb == 1 {
                        b = input + (n0 * groups + gi) * inImage
                    } else {
                        Im2Col.im2col(input + (n0 * groups + gi) * inImage, imageStride: groups * inImage, count: nb, g, plan, columns, ld: width)
                        b = UnsafePointer(columns)
                    }
                    if transposed {
                        gemm(m: k, n: og, k: width, a: b, aRowStride: width, aColStride: 1,
                             b: gy, bRowStride: 1, bColStride: width, beta: n0 == 0 ? 0 : 1, c: gwTarget + gi * og * k, ldc: og)
                    } else {
                        gemm(m: og, n: k, k: width, a: gy, aRowStride: width, aColStride: 1,
                             b: b, bRowStride: 1, bColStride: width, beta: n0 == 0 ? 0 : 1, c: gwTarget + gi * og * k, ldc: k)
                    }
                }
                if let gx = gradInput {
                    if identity && nb == 1 {
                        gemm(m: k, n: l, k: og, a: w + gi * og * k, aRowStride: 1, aColStride: k,
                             b: gy, bRowStride: l, bColStride: 1, beta: 0, c: gx + (n0 * groups + gi) * inImage, ldc: l)
                        continue
                    }
                    gemm(m: k, n: width, k: og, a: w + gi * og * k, aRowStride: 1, aColStride: k,
                         b: gy, bRowStride: width, bColStride: 1, beta: 0, c: columns, ldc: width)
                    Im2Col.col2im(columns, ld: width, g, plan, gx + (n0 * groups + gi) * inImage,
                                  imageStride: groups * inImage, count: nb, accumulate: false)
                }
            }
            n0 += nb
        }
        if let live = gradLive, let gw = gradWeight {
            spreadWeightGradient(live, transposed: transposed, into: gw, outChannels: outChannels, groups: groups, g, plan)
        }
    }

    /// Writes the live-tap weight gradient (`[og, K]` or, `transposed`, `[K, og]` per group) into the full
    /// `[outChannels, C·kh·kw]` gradient, zeros at the dead taps: row by row over the pool, each row zeroed and
    /// filled while it is in cache (zeroing the whole gradient first, on one thread, took 1.7% of a ResNet-18 step
    /// on 32×32 images, whose last stage keeps 1 tap of 9).
    @inlinable
    static func spreadWeightGradient<T: BinaryFloatingPoint>(_ live: UnsafeMutablePointer<T>, transposed: Bool, into gw: UnsafeMutablePointer<T>,
                                                            outChannels: Int, groups: Int, _ g: ConvGeometry, _ plan: Im2ColPlan) {
        let k = plan.rows, og = outChannels / groups, kFull = g.columnRows
        let taps = g.kernelHeight * g.kernelWidth, nLive = plan.taps.count
        // Column of the full gradient for each live row.
        var column = [Int](repeating: 0, count: k)
        for c in 0..<g.channels { for t in 0..<nLive { column[c * nLive + t] = c * taps + plan.taps[t] } }
        // Blocks of 16 output channels (of one group): the transposed source is read 16 values a row.
        let blocksPerGroup = (og + 15) / 16
        column.withUnsafeBufferPointer { column in
            ThreadPool.shared.parallelFor(groups * blocksPerGroup, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, 16 * kFull))) { range in
                for block in range {
                    let gi = block / blocksPerGroup, o0 = (block % blocksPerGroup) * 16, o1 = Swift.min(o0 + 16, og)
                    let src = live + gi * og * k, dst = gw + gi * og * kFull
                    (dst + o0 &* kFull).update(repeating: 0, count: (o1 &- o0) &* kFull)
                    if !transposed {
                        for o in o0..<o1 {
                            let s = src + o &* k, d = dst + o &* kFull
                            for r in 0..<k { d[column[r]] = s[r] }
                        }
                        continue
                    }
                    for r in 0..<k {
                        let s = src + r &* og, col = column[r]
                        var o = o0
                        while o < o1 { dst[o &* kFull &+ col] = s[o]; o &+= 1 }
                    }
                }
            }
        }
    }

    /// Input gradient: `gradInput = weightᵀ · gradOutput`, folded back with col2im. `gradInput` is overwritten.
    ///
    /// - Parameters:
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - weight: The weight `[outChannels, C/groups, kh, kw]`, contiguous.
    ///   - gradInput: The input gradient (overwritten), or nil when not needed.
    ///   - batch: The number of images.
    ///   - groups: The number of channel groups.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (sizes, stride, padding, dilation).
    @inlinable
    public static func backwardInput<T: BinaryFloatingPoint>(gradOutput: UnsafePointer<T>, weight: UnsafePointer<T>,
                                                            gradInput: UnsafeMutablePointer<T>, batch: Int, groups: Int,
                                                            outChannels: Int, _ g: ConvGeometry) {
        backward(input: nil, gradOutput: gradOutput, weight: weight, gradInput: gradInput, gradWeight: nil,
                 batch: batch, groups: groups, outChannels: outChannels, g)
    }

    /// Weight gradient: `gradWeight = Σₙ gradOutputₙ · colsₙᵀ`. `gradWeight` is overwritten.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous (nil when only the input gradient is wanted).
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - gradWeight: The weight gradient (overwritten), or nil when not needed.
    ///   - batch: The number of images.
    ///   - groups: The number of channel groups.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (sizes, stride, padding, dilation).
    @inlinable
    public static func backwardWeight<T: BinaryFloatingPoint>(input: UnsafePointer<T>, gradOutput: UnsafePointer<T>,
                                                             gradWeight: UnsafeMutablePointer<T>, batch: Int, groups: Int,
                                                             outChannels: Int, _ g: ConvGeometry) {
        // The weight itself is not read without an input gradient.
        backward(input: input, gradOutput: gradOutput, weight: UnsafePointer(gradWeight), gradInput: nil, gradWeight: gradWeight,
                 batch: batch, groups: groups, outChannels: outChannels, g)
    }

    /// Bias gradient: the sum of `gradOutput` over the batch and positions, per channel (overwrites).
    ///
    /// - Parameters:
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - gradBias: The bias gradient `[channels]` (overwritten).
    ///   - batch: The number of images.
    ///   - channels: The number of output channels.
    ///   - positions: Output positions per image and channel (`outH · outW`).
    @inlinable
    public static func backwardBias<T: BinaryFloatingPoint>(gradOutput: UnsafePointer<T>, gradBias: UnsafeMutablePointer<T>,
                                                           batch: Int, channels: Int, positions: Int) {
        if T.self == Float.self {
            // float32: every (image, channel) plane summed by the vectorized row kernel in Double, then the images of
            // each channel in order (the generic loop below did not vectorize: 3.7% of the LeNet step).
            let planes = ScratchBuffer<Double>(Swift.max(1, batch * channels))
            defer { planes.release() }
            VectorMath.rowSums(UnsafeRawPointer(gradOutput).assumingMemoryBound(to: Float.self), rows: batch * channels,
                               n: positions, into: planes.pointer)
            for c in 0..<channels {
                var total = 0.0
                for n in 0..<batch { total += planes.pointer[n * channels + c] }
                gradBias[c] = T(total)
            }
            return
        }
        ThreadPool.shared.parallelFor(channels, minChunk: Swift.max(1, ThreadPool.minParallelChunk / Swift.max(1, batch * positions))) { range in
            for c in range {
                var total: T = 0
                for n in 0..<batch { total += rowSum(gradOutput + (n * channels + c) * positions, positions) }
                gradBias[c] = total
            }
        }
    }
}
