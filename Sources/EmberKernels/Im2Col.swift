// im2col / col2im: unfold image patches into GEMM columns and fold column gradients back (conv and conv-transpose).
import CEmberKernels

/// The geometry of one 2-d convolution window sweep over a single image (all of one group's channels).
///
/// `padTop`/`padLeft` place the window; `outHeight`/`outWidth` are given explicitly so that asymmetric
/// padding (PyTorch's `padding="same"` with an even kernel) needs no padded copy of the input: every
/// position that falls outside the image reads as zero.
public struct ConvGeometry: Hashable {
    public var channels: Int
    public var height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padTop: Int, padLeft: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var outHeight: Int, outWidth: Int

    /// A convolution geometry for one group of channels: input size, kernel, stride, padding, dilation and the output size they give.
    ///
    /// - Parameters:
    ///   - channels: Input channels (of one group).
    ///   - height: Input height.
    ///   - width: Input width.
    ///   - kernelHeight: Kernel height.
    ///   - kernelWidth: Kernel width.
    ///   - strideHeight: Vertical stride.
    ///   - strideWidth: Horizontal stride.
    ///   - padTop: Zero rows added above.
    ///   - padLeft: Zero columns added on the left.
    ///   - dilationHeight: Vertical spacing of the kernel taps.
    ///   - dilationWidth: Horizontal spacing of the kernel taps.
    ///   - outHeight: Output height.
    ///   - outWidth: Output width.
    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int,
                dilationHeight: Int, dilationWidth: Int, outHeight: Int, outWidth: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padLeft = padLeft
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        self.outHeight = outHeight; self.outWidth = outWidth
    }

    /// Rows of the column matrix: channels × kernel positions.
    @inlinable public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: output positions.
    @inlinable public var columnCount: Int { outHeight * outWidth }

    /// True when the column matrix equals the image itself (1×1 kernel, stride 1, no padding), so
    /// im2col/col2im can be skipped.
    @inlinable public var isIdentity: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0
            && outHeight == height && outWidth == width
    }

    /// The output columns `ox` whose input column `ox * stride - pad + offset` lies inside `0..<size`.
    @inlinable
    static func validRange(offset: Int, stride: Int, pad: Int, size: Int, outSize: Int) -> Range<Int> {
        // ix = ox * stride + (offset - pad) must satisfy 0 <= ix < size.
        let shift = offset - pad
        var lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        var hi = size - shift <= 0 ? 0 : (size - shift + stride - 1) / stride
        lo = Swift.min(lo, outSize); hi = Swift.max(Swift.min(hi, outSize), lo)
        return lo..<hi
    }
}

/// What an im2col sweep needs to know about each kernel tap, computed once per convolution (not per
/// channel or image): which taps touch the image at all, their in-image output ranges, and for small
/// outputs a per-position source table.
///
/// A tap whose window positions all fall in the zero padding ("dead" — e.g. 8 of the 9 taps of a 3×3,
/// padding-1 convolution on a 1×1 feature map) contributes nothing; with `dropDeadTaps` its column rows
/// are left out, so the GEMM's inner dimension shrinks by the same factor.
public struct Im2ColPlan {
    /// Live tap indices `i * kernelWidth + j`, in increasing order.
    public let taps: [Int]
    /// Rows of the column matrix: `channels × taps.count`.
    public let rows: Int
    @usableFromInline let y0: [Int], y1: [Int], x0: [Int], x1: [Int], yOffset: [Int], xOffset: [Int]
    /// For outputs of at most `tableLimit` positions: per live tap, the in-plane source offset of every output
    /// position (−1 where it reads padding). Small feature maps make per-row loops all overhead.
    @usableFromInline let table: [Int32]
    @usableFromInline static var tableLimit: Int { 16 }

    @inlinable
    public init(_ g: ConvGeometry, dropDeadTaps: Bool = true) {
        var taps: [Int] = [], y0: [Int] = [], y1: [Int] = [], x0: [Int] = [], x1: [Int] = [], yo: [Int] = [], xo: [Int] = []
        for i in 0..<g.kernelHeight {
            let ry = ConvGeometry.validRange(offset: i * g.dilationHeight, stride: g.strideHeight, pad: g.padTop, size: g.height, outSize: g.outHeight)
            for j in 0..<g.kernelWidth {
                let rx = ConvGeometry.validRange(offset: j * g.dilationWidth, stride: g.strideWidth, pad: g.padLeft, size: g.width, outSize: g.outWidth)
                if dropDeadTaps && (ry.isEmpty || rx.isEmpty) { continue }
                taps.append(i * g.kernelWidth + j)
                y0.append(ry.lowerBound); y1.append(ry.upperBound); yo.append(i * g.dilationHeight - g.padTop)
                x0.append(rx.lowerBound); x1.append(rx.upperBound); xo.append(j * g.dilationWidth - g.padLeft)
            }
        }
        let l = g.columnCount
        var table: [Int32] = []
        if l <= Im2ColPlan.tableLimit {
            table.reserveCapacity(taps.count * l)
            for t in 0..<taps.count {
                for k in 0..<l {
                    let oy = k / g.outWidth, ox = k % g.outWidth
                    let y = oy * g.strideHeight + yo[t], x = ox * g.strideWidth + xo[t]
                    table.append(y >= 0 && y < g.height && x >= 0 && x < g.width ? Int32(y * g.width + x) : -1)
                }
            }
        }
        self.taps = taps; self.rows = g.channels * taps.count
        self.y0 = y0; self.y1 = y1; self.x0 = x0; self.x1 = x1; self.yOffset = yo; self.xOffset = xo; self.table = table
    }

    /// True when every tap is live (the column matrix has all `channels × kh × kw` rows).
    @inlinable public func isComplete(_ g: ConvGeometry) -> Bool { taps.count == g.kernelHeight * g.kernelWidth }
}

/// Patch unfolding kernels over raw pointers (images contiguous `[C, H, W]`).
///
/// The batched forms put `count` images side by side in one column matrix (image `b` owns columns
/// `b * L ..< (b + 1) * L`, `L = outH * outW`), so one GEMM covers them all, and split the channels over
/// `ThreadPool.shared`. Row `c * taps + t` of the matrix belongs to channel `c` and live tap `t` of the plan.
/// Three inner strategies: a source table for tiny outputs, one shifted span per image for stride-1
/// "same"-width convolutions, and row-by-row loops otherwise.
public enum Im2Col {
    /// Writes the column matrix `[C * kh * kw, outH * outW]` (row-major) of `image` into `columns`.
    /// Row `(c * kh + i) * kw + j` holds input pixel `(c, oy * sh - padTop + i * dh, ox * sw - padLeft + j * dw)`.
    ///
    /// - Parameters:
    ///   - image: One image `[C, H, W]`, contiguous.
    ///   - g: The convolution's geometry.
    ///   - columns: The column matrix (written by `im2col`; read, and used as scratch, by `col2im`).
    @inlinable
    public static func im2col<T: BinaryFloatingPoint>(_ image: UnsafePointer<T>, _ g: ConvGeometry, _ columns: UnsafeMutablePointer<T>) {
        im2col(image, imageStride: 0, count: 1, g, Im2ColPlan(g, dropDeadTaps: false), columns, ld: g.columnCount)
    }

    /// Unfolds `count` images (image `b` at `images + b * imageStride`) side by side into the column matrix
    /// `[plan.rows, ld]`, image `b` at column `b * outH * outW` (`ld` ≥ `count * outH * outW`).
    ///
    /// - Parameters:
    ///   - images: The first image; image `b` starts at `images + b · imageStride`.
    ///   - imageStride: The step in elements between images.
    ///   - count: The number of images.
    ///   - g: The convolution's geometry.
    ///   - plan: Which kernel rows the column matrix holds (taps that only see padding left out).
    ///   - columns: The column matrix (written by `im2col`; read, and used as scratch, by `col2im`).
    ///   - ld: The step in elements between rows of the column matrix.
    @inlinable
    public static func im2col<T: BinaryFloatingPoint>(_ images: UnsafePointer<T>, imageStride: Int, count: Int, _ g: ConvGeometry,
                                                     _ plan: Im2ColPlan, _ columns: UnsafeMutablePointer<T>, ld: Int) {
        im2col(images, imageStride: imageStride, count: count, g, plan, outRows: 0..<g.outHeight, columns, ld: ld)
    }

    /// `im2col` of the output rows `outRows` only: columns `[outRows.lowerBound · outW, outRows.upperBound · outW)`
    /// of each image, image `b` at column `b · outRows.count · outW` of `columns`.
    ///
    /// - Parameters:
    ///   - images: The first image; image `b` starts at `images + b · imageStride`.
    ///   - imageStride: The step in elements between images.
    ///   - count: The number of images.
    ///   - g: The convolution's geometry.
    ///   - plan: Which kernel rows the column matrix holds (taps that only see padding left out).
    ///   - outRows: The output rows to unfold (nil: all).
    ///   - columns: The column matrix (written by `im2col`; read, and used as scratch, by `col2im`).
    ///   - ld: The step in elements between rows of the column matrix.
    @inlinable
    public static func im2col<T: BinaryFloatingPoint>(_ images: UnsafePointer<T>, imageStride: Int, count: Int, _ g: ConvGeometry,
                                                     _ plan: Im2ColPlan, outRows: Range<Int>,
                                                     _ columns: UnsafeMutablePointer<T>, ld: Int) {
        // Split by rows, not channels: a one-channel input (LeNet's first layer) still uses every thread.
        let taps = plan.taps.count, rowWork = count * outRows.count * g.outWidth
        ThreadPool.shared.parallelFor(plan.rows, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, rowWork))) { range in
            plan.table.withUnsafeBufferPointer { table in
                let table = table.isEmpty ? nil : table.baseAddress
                for p in range {
                    im2colRow(images, imageStride: imageStride, count: count, g, plan, table, channel: p / taps, tap: p % taps,
                              outRows: outRows, columns + p &* ld)
                }
            }
        }
    }

    /// `im2col` straight into the GEMM's packed order (`Gemm.sgemm(…, packedB:)`): the column matrix
    /// `[plan.rows, count * outH * outW]` (or of the output rows `outRows` only, as `im2col(…, outRows:…)`) as panels `panelWidth` columns wide, element (p, j) at
    /// `packed[((j / panelWidth) * plan.rows + p) * panelWidth + j % panelWidth]`, zero past the last column.
    /// A few rows at a time are unfolded into a buffer that stays in L2, then dealt out panel by panel (each
    /// panel receives those rows as one contiguous run), so the matrix is written once instead of written
    /// by im2col and then read and rewritten by the GEMM's packing.
    ///
    /// - Parameters:
    ///   - images: The first image; image `b` starts at `images + b · imageStride`.
    ///   - imageStride: The step in elements between images.
    ///   - count: The number of images.
    ///   - g: The convolution's geometry.
    ///   - plan: Which kernel rows the column matrix holds (taps that only see padding left out).
    ///   - outRows: The output rows to unfold (nil: all).
    ///   - packed: The packed panels to write.
    ///   - w: The panel width (`Gemm.sgemmPanelWidth`/`dgemmPanelWidth`).
    @inlinable
    public static func im2colPacked<T: BinaryFloatingPoint>(_ images: UnsafePointer<T>, imageStride: Int, count: Int,
                                                           _ g: ConvGeometry, _ plan: Im2ColPlan, outRows: Range<Int>? = nil,
                                                           _ packed: UnsafeMutablePointer<T>, panelWidth w: Int) {
        let outRows = outRows ?? 0..<g.outHeight
        let width = count * outRows.count * g.outWidth, rows = plan.rows, taps = plan.taps.count
        // Rows per block: about 256 KB of them, at most 16 (then each panel gets ≥ 16 · w contiguous values).
        let blockRows = Swift.max(1, Swift.min(16, (256 * 1024) / Swift.max(1, width * MemoryLayout<T>.stride)))
        let blocks = (rows + blockRows - 1) / blockRows
        ThreadPool.shared.parallelFor(blocks, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, blockRows * width))) { range in
            let scratch = ScratchBuffer<T>(blockRows * width), buffer = scratch.pointer
            defer { scratch.release() }
            plan.table.withUnsafeBufferPointer { table in
                let table = table.isEmpty ? nil : table.baseAddress
                for block in range {
                    let p0 = block * blockRows, n = Swift.min(blockRows, rows - p0)
                    for r in 0..<n {
                        im2colRow(images, imageStride: imageStride, count: count, g, plan, table,
                                  channel: (p0 + r) / taps, tap: (p0 + r) % taps, outRows: outRows, buffer + r &* width)
                    }
                    panelRows(n, width: width, buffer, panelWidth: w, packed + p0 &* w, panelStride: rows &* w)
                }
            }
        }
    }

    /// `ember_spanel_rows` / `ember_dpanel_rows` by element type.
    @inlinable
    static func panelRows<T: BinaryFloatingPoint>(_ n: Int, width: Int, _ rows: UnsafePointer<T>, panelWidth w: Int,
                                                 _ out: UnsafeMutablePointer<T>, panelStride: Int) {
        if T.self == Float.self {
            ember_spanel_rows(n, width, UnsafeRawPointer(rows).assumingMemoryBound(to: Float.self), width, w,
                              UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), panelStride)
        } else if T.self == Double.self {
            ember_dpanel_rows(n, width, UnsafeRawPointer(rows).assumingMemoryBound(to: Double.self), width, w,
                              UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), panelStride)
        } else {
            fatalError("Im2Col.im2colPacked: unsupported element type \(T.self)")
        }
    }

    /// Row `channel · taps + tap` of the column matrix (all `count` images side by side) into `rowStart`,
    /// restricted to the columns of output rows `outRows` (each image then takes `outRows.count · outW` values).
    @inlinable
    static func im2colRow<T: BinaryFloatingPoint>(_ images: UnsafePointer<T>, imageStride: Int, count: Int, _ g: ConvGeometry,
                                                 _ r: Im2ColPlan, _ table: UnsafePointer<Int32>?, channel c: Int, tap t: Int,
                                                 outRows: Range<Int>, _ rowStart: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth, l = oh * ow
        let sw = g.strideWidth, sh = g.strideHeight
        // Columns k0..<k1 of each image; dst[k - k0] holds column k.
        let k0 = outRows.lowerBound &* ow, k1 = outRows.upperBound &* ow, len = k1 &- k0
        let planes = images + c &* h &* w
        if let table = table {
            let pattern = table + t &* l
            for b in 0..<count {
                let plane = planes + b &* imageStride, dst = rowStart + b &* len
                for k in k0..<k1 {
                    let o = Int(pattern[k])
                    let v = plane[o & ~(o >> 63)]  // index 0 for padding: always a valid load
                    dst[k &- k0] = o >= 0 ? v : 0
                }
            }
            return
        }
        let y0 = r.y0[t], y1 = r.y1[t], yOffset = r.yOffset[t]
        let x0 = r.x0[t], x1 = r.x1[t], xOffset = r.xOffset[t]
        // Stride 1 with output rows as wide as input rows ("same" convolutions): output k reads
        // input k + shift, so the valid span is one long copy; the few positions that wrap
        // across a row edge are zeroed afterwards.
        let shifted = sw == 1 && sh == 1 && ow == w && y0 < y1 && x0 < x1
        let shift = yOffset &* w &+ xOffset
        let first = Swift.min(Swift.max(y0 &* ow &+ x0, k0), k1)
        let end = Swift.max(Swift.min((y1 &- 1) &* ow &+ x1, k1), first)
        for b in 0..<count {
            let plane = planes + b &* imageStride
            let dst = rowStart + b &* len
            if shifted {
                var k = k0
                while k < first { dst[k &- k0] = 0; k &+= 1 }
                let src = plane + shift
                while k < end { dst[k &- k0] = src[k]; k &+= 1 }
                while k < k1 { dst[k &- k0] = 0; k &+= 1 }
                var oy = y0
                while oy &+ 1 < y1 {
                    var q = Swift.max(oy &* ow &+ x1, k0)
                    let stop = Swift.min((oy &+ 1) &* ow &+ x0, k1)
                    while q < stop { dst[q &- k0] = 0; q &+= 1 }
                    oy &+= 1
                }
                continue
            }
            for oy in outRows {
                let d = dst + (oy &- outRows.lowerBound) &* ow
                var ox = 0
                if oy < y0 || oy >= y1 {
                    while ox < ow { d[ox] = 0; ox &+= 1 }
                    continue
                }
                let src = plane + ((oy &* sh &+ yOffset) &* w &+ xOffset)
                while ox < x0 { d[ox] = 0; ox &+= 1 }
                if sw == 1 {
                    while ox < x1 { d[ox] = src[ox]; ox &+= 1 }
                } else if T.self == Float.self && x1 &- ox >= 64 {
                    // Long rows through the C loop, stride 2 vectorized: the 7×7 stride-2 stem on 224×224 (rows of 112) 3.0 → 2.7 ms
                    // one thread; rows of 28 or fewer measured slower than this loop (the call).
                    ember_f32_strided_copy_level(Int32(KernelISA.active.rawValue),
                                                 UnsafeRawPointer(src + ox &* sw).assumingMemoryBound(to: Float.self), sw,
                                                 x1 &- ox, UnsafeMutableRawPointer(d + ox).assumingMemoryBound(to: Float.self))
                    ox = x1
                } else {
                    while ox < x1 { d[ox] = src[ox &* sw]; ox &+= 1 }
                }
                while ox < ow { d[ox] = 0; ox &+= 1 }
            }
        }
    }

    /// Adds the column matrix `columns` `[C * kh * kw, outH * outW]` back into `image` `[C, H, W]`
    /// (the adjoint of `im2col`; `image` is accumulated into, not overwritten).
    ///
    /// - Parameters:
    ///   - columns: The column matrix (written by `im2col`; read, and used as scratch, by `col2im`).
    ///   - g: The convolution's geometry.
    ///   - image: One image `[C, H, W]`, contiguous.
    @inlinable
    public static func col2im<T: BinaryFloatingPoint>(_ columns: UnsafePointer<T>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<T>) {
        let plan = Im2ColPlan(g, dropDeadTaps: false)
        plan.table.withUnsafeBufferPointer { table in
            col2imChannels(columns, ld: g.columnCount, g, plan, (table.isEmpty ? nil : table.baseAddress), 0..<g.channels, image, imageStride: 0, count: 1,
                           accumulate: true, scratch: nil)
        }
    }

    /// Folds a column matrix of `count` side-by-side images (the layout of the batched `im2col`, rows per
    /// `plan`) back into the images (image `b` at `images + b * imageStride`); with `accumulate == false`
    /// the images are overwritten, otherwise added to. `columns` is scratch: entries that fall outside
    /// the images may be zeroed in passing.
    ///
    /// - Parameters:
    ///   - columns: The column matrix (written by `im2col`; read, and used as scratch, by `col2im`).
    ///   - ld: The step in elements between rows of the column matrix.
    ///   - g: The convolution's geometry.
    ///   - plan: Which kernel rows the column matrix holds (taps that only see padding left out).
    ///   - images: The first image; image `b` starts at `images + b · imageStride`.
    ///   - imageStride: The step in elements between images.
    ///   - count: The number of images.
    ///   - accumulate: Add into the images instead of overwriting them.
    @inlinable
    public static func col2im<T: BinaryFloatingPoint>(_ columns: UnsafeMutablePointer<T>, ld: Int, _ g: ConvGeometry, _ plan: Im2ColPlan,
                                                     _ images: UnsafeMutablePointer<T>, imageStride: Int, count: Int, accumulate: Bool) {
        let work = plan.taps.count * count * g.columnCount
        ThreadPool.shared.parallelFor(g.channels, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, work))) { range in
            plan.table.withUnsafeBufferPointer { table in
                col2imChannels(UnsafePointer(columns), ld: ld, g, plan, (table.isEmpty ? nil : table.baseAddress), range, images, imageStride: imageStride,
                               count: count, accumulate: accumulate, scratch: columns)
            }
        }
    }

    @inlinable
    static func col2imChannels<T: BinaryFloatingPoint>(_ columns: UnsafePointer<T>, ld: Int, _ g: ConvGeometry, _ r: Im2ColPlan,
                                                      _ table: UnsafePointer<Int32>?, _ channels: Range<Int>,
                                                      _ images: UnsafeMutablePointer<T>, imageStride: Int,
                                                      count: Int, accumulate: Bool, scratch: UnsafeMutablePointer<T>?) {
        let h = g.height, w = g.width, ow = g.outWidth, l = g.columnCount
        let sw = g.strideWidth, sh = g.strideHeight, taps = r.taps.count
        for c in channels {
            let planes = images + c &* h &* w
            if !accumulate {
                for b in 0..<count { (planes + b &* imageStride).update(repeating: 0, count: h * w) }
            }
            for t in 0..<taps {
                let rowStart = columns + (c &* taps &+ t) &* ld
                if let table = table {
                    let pattern = table + t &* l
                    for b in 0..<count {
                        let plane = planes + b &* imageStride, src = rowStart + b &* l
                        for k in 0..<l {
                            let o = Int(pattern[k])
                            if o >= 0 { plane[o] += src[k] }
                        }
                    }
                    continue
                }
                let y0 = r.y0[t], y1 = r.y1[t], yOffset = r.yOffset[t]
                let x0 = r.x0[t], x1 = r.x1[t], xOffset = r.xOffset[t]
                // The mirror of im2col's shifted copy: zero the wrapped positions of the (scratch) column
                // row, then add one long span.
                let shifted = scratch != nil && sw == 1 && sh == 1 && ow == w && y0 < y1 && x0 < x1
                let shift = yOffset &* w &+ xOffset
                let first = y0 &* ow &+ x0, end = (y1 &- 1) &* ow &+ x1
                for b in 0..<count {
                    let plane = planes + b &* imageStride
                    let src = rowStart + b &* l
                    if shifted {
                        let wipe = UnsafeMutablePointer(mutating: src)
                        var oy = y0
                        while oy &+ 1 < y1 {
                            var q = oy &* ow &+ x1
                            let stop = (oy &+ 1) &* ow &+ x0
                            while q < stop { wipe[q] = 0; q &+= 1 }
                            oy &+= 1
                        }
                        let d = plane + shift
                        var k = first
                        while k < end { d[k] += src[k]; k &+= 1 }
                        continue
                    }
                    var oy = y0
                    while oy < y1 {
                        let s = src + oy &* ow
                        let d = plane + ((oy &* sh &+ yOffset) &* w &+ xOffset)
                        var ox = x0
                        if sw == 1 {
                            while ox < x1 { d[ox] += s[ox]; ox &+= 1 }
                        } else {
                            while ox < x1 { d[ox &* sw] += s[ox]; ox &+= 1 }
                        }
                        oy &+= 1
                    }
                }
            }
        }
    }
}
