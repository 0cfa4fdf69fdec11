// Pooling loops over contiguous [planes, H, W] buffers: max (with argmax indices), average, adaptive windows.
import CEmberKernels

/// The geometry of a 2-d pooling window sweep (same for every plane).
public struct PoolGeometry: Equatable, Sendable {
    public var height: Int, width: Int
    public var outHeight: Int, outWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padHeight: Int, padWidth: Int
    public var dilationHeight: Int, dilationWidth: Int

    /// A pooling geometry: input and output plane sizes, window, stride, padding and dilation.
    ///
    /// - Parameters:
    ///   - height: Input height.
    ///   - width: Input width.
    ///   - outHeight: Output height.
    ///   - outWidth: Output width.
    ///   - kernelHeight: Window height.
    ///   - kernelWidth: Window width.
    ///   - strideHeight: Vertical stride.
    ///   - strideWidth: Horizontal stride.
    ///   - padHeight: Padding above and below.
    ///   - padWidth: Padding left and right.
    ///   - dilationHeight: Vertical spacing of the window's taps.
    ///   - dilationWidth: Horizontal spacing of the window's taps.
    public init(height: Int, width: Int, outHeight: Int, outWidth: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, padHeight: Int, padWidth: Int,
                dilationHeight: Int = 1, dilationWidth: Int = 1) {
        self.height = height; self.width = width; self.outHeight = outHeight; self.outWidth = outWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padHeight = padHeight; self.padWidth = padWidth
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
    }

    /// PyTorch's `pooling_output_shape`: floor or ceil division, and in ceil mode the last window must
    /// start inside the input or the left padding.
    ///
    /// - Parameters:
    ///   - input: The input size along the axis.
    ///   - kernel: The window size.
    ///   - pad: The padding on each side.
    ///   - stride: The window's step.
    ///   - dilation: The spacing of the window's taps.
    ///   - ceilMode: Round the output size up instead of down.
    public static func outputSize(input: Int, kernel: Int, pad: Int, stride: Int, dilation: Int, ceilMode: Bool) -> Int {
        let numerator = input + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
        // Floor division that rounds toward -inf (PyTorch's div_rtn).
        var out = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1
        if ceilMode && (out - 1) * stride >= input + pad { out -= 1 }
        return out
    }
}

/// Pooling kernels; every function processes `planes` consecutive `[H, W]` planes, split over
/// `ThreadPool.shared` (planes are independent, so results do not depend on the split).
public enum PoolingKernels {
    /// Planes per task so that a task has at least ~16k element visits (a pool wake-up costs microseconds).
    @inlinable
    static func poolMinPlanes(_ workPerPlane: Int) -> Int { Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, workPerPlane)) }

    /// Max pooling; `indices` receives the flat `y * W + x` position of each maximum inside its plane
    /// (PyTorch's `return_indices`). NaN wins, as in PyTorch.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - g: The pooling geometry.
    ///   - dst: The output planes (overwritten).
    ///   - indices: The flat position of each maximum within its input plane (written, or read by the backward).
    @inlinable
    public static func maxPoolForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                             _ dst: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let kh = g.kernelHeight, kw = g.kernelWidth, sh = g.strideHeight, sw = g.strideWidth
        let ph = g.padHeight, pw = g.padWidth, dh = g.dilationHeight, dw = g.dilationWidth
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth
        if T.self == Float.self && h * w < Int(UInt32.max) {
            // Float planes through the C passes over (value, position) keys (column maxima, then windows): the same choice of
            // maximum with kh + kw comparisons per output (the 32×32 ResNet-18 step, one thread: 1.9% here before).
            let cg = ember_pool_geometry(h: h, w: w, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw, dh: dh, dw: dw)
            let level = Int32(KernelISA.active.rawValue)
            let s = UnsafeRawPointer(src).assumingMemoryBound(to: Float.self), d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self)
            ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
                let keys = ScratchBuffer<UInt64>(w)
                defer { keys.release() }
                withUnsafePointer(to: cg) { geometry in
                    ember_f32_maxpool_argmax_level(level, s + range.lowerBound * h * w, range.count, geometry,
                                                   d + range.lowerBound * oh * ow, indices + range.lowerBound * oh * ow,
                                                   keys.pointer)
                }
            }
            return
        }
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let s = src + p * h * w, d = dst + p * oh * ow, ind = indices + p * oh * ow
                for oy in 0..<oh {
                    let (y0, y1) = clippedTaps(oy * sh - ph, kh, dh, h)
                    for ox in 0..<ow {
                        let (x0, x1) = clippedTaps(ox * sw - pw, kw, dw, w)
                        var best = -T.infinity, bestIndex = y0 * w + x0
                        // Branch-free max (compiles to compare + select); NaNs are only flagged here, and a window
                        // holding one is rescanned with PyTorch's rule (a NaN wins; the last NaN of the window).
                        var sawNaN = 0
                        if dh == 1 && dw == 1 {
                            for y in y0..<y1 {
                                for x in x0..<x1 {
                                    let v = s[y * w + x]
                                    sawNaN |= v != v ? 1 : 0
                                    if v > best { best = v; bestIndex = y * w + x }
                                }
                            }
                        } else {
                            for y in Swift.stride(from: y0, to: y1, by: dh) {
                                for x in Swift.stride(from: x0, to: x1, by: dw) {
                                    let v = s[y * w + x]
                                    sawNaN |= v != v ? 1 : 0
                                    if v > best { best = v; bestIndex = y * w + x }
                                }
                            }
                        }
                        if sawNaN != 0 {
                            for y in Swift.stride(from: y0, to: y1, by: dh) {
                                for x in Swift.stride(from: x0, to: x1, by: dw) where s[y * w + x].isNaN {
                                    best = s[y * w + x]; bestIndex = y * w + x
                                }
                            }
                        }
                        d[oy * ow + ox] = best
                        ind[oy * ow + ox] = Int64(bestIndex)
                    }
                }
            }
        }
    }

    /// Max pooling values only (no argmax): what inference needs. Each output row takes the elementwise
    /// maximum of its window's input rows once, then the maximum over each window's columns of that row —
    /// kh + kw comparisons per output instead of kh · kw. A NaN anywhere in a window gives NaN, as in
    /// `maxPoolForward` and PyTorch; equal values of different sign (-0.0, 0.0) may come out either way.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - g: The pooling geometry.
    ///   - dst: The output planes (overwritten).
    @inlinable
    public static func maxPoolValues<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                            _ dst: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let kh = g.kernelHeight, kw = g.kernelWidth, sh = g.strideHeight, sw = g.strideWidth
        let ph = g.padHeight, pw = g.padWidth, dh = g.dilationHeight, dw = g.dilationWidth
        let planeWork = g.outHeight * g.outWidth * (g.kernelHeight + g.kernelWidth)
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            let rowMax = UnsafeMutablePointer<T>.allocate(capacity: w)
            defer { rowMax.deallocate() }
            for p in range {
                let s = src + p * h * w, d = dst + p * oh * ow
                for oy in 0..<oh {
                    let (y0, y1) = clippedTaps(oy * sh - ph, kh, dh, h)
                    rowMax.update(from: s + y0 * w, count: w)
                    if T.self == Float.self && dh == 1 && dw == 1 {
                        // Float rows through the vectorized C passes (in Swift the horizontal one was a scalar chain of
                        // selects per output: 2.6% of ResNet-18 inference on one 224×224 image); edge windows below.
                        let level = Int32(KernelISA.active.rawValue)
                        let acc = UnsafeMutableRawPointer(rowMax).assumingMemoryBound(to: Float.self)
                        for y in (y0 + 1)..<Swift.max(y0 + 1, y1) {
                            ember_f32_rows_max_level(level, acc, UnsafeRawPointer(s + y * w).assumingMemoryBound(to: Float.self), w)
                        }
                        let (lo, hi) = interiorWindows(pad: pw, stride: sw, kernel: kw, size: w, outputs: ow)
                        if hi > lo {
                            ember_f32_windows_max_level(level, acc + (lo * sw - pw), hi - lo, sw, kw,
                                                        UnsafeMutableRawPointer(d + (oy * ow + lo)).assumingMemoryBound(to: Float.self))
                        }
                        for ox in 0..<ow where ox < lo || ox >= hi {
                            let (x0, x1) = clippedTaps(ox * sw - pw, kw, 1, w)
                            var best = -T.infinity
                            for x in x0..<x1 { let v = rowMax[x]; best = v > best || v != v ? v : best }
                            d[oy * ow + ox] = best
                        }
                        continue
                    }
                    for y in Swift.stride(from: y0 + dh, to: y1, by: dh) {
                        let row = s + y * w
                        for x in 0..<w {
                            let v = row[x], best = rowMax[x]
                            rowMax[x] = v > best || v != v ? v : best
                        }
                    }
                    for ox in 0..<ow {
                        let (x0, x1) = clippedTaps(ox * sw - pw, kw, dw, w)
                        var best = -T.infinity
                        for x in Swift.stride(from: x0, to: x1, by: dw) {
                            let v = rowMax[x]
                            best = v > best || v != v ? v : best
                        }
                        d[oy * ow + ox] = best
                    }
                }
            }
        }
    }

    /// The outputs `lo..<hi` whose windows (`kernel` taps, no dilation) lie wholly inside `0..<size`.
    @inlinable
    static func interiorWindows(pad: Int, stride: Int, kernel: Int, size: Int, outputs: Int) -> (Int, Int) {
        let lo = Swift.min(outputs, (pad + stride - 1) / stride)
        let hi = size + pad >= kernel ? Swift.min(outputs, (size + pad - kernel) / stride + 1) : 0
        return (lo, Swift.max(lo, hi))
    }

    /// The first in-image tap of a dilated window starting at `start` and one past its last in-image tap.
    @inlinable
    static func clippedTaps(_ start: Int, _ kernel: Int, _ dilation: Int, _ size: Int) -> (Int, Int) {
        var first = start
        while first < 0 { first += dilation }
        let end = Swift.min(start + (kernel - 1) * dilation + 1, size)
        return (first, Swift.max(end, first))
    }

    /// Scatters `gradOut` to the recorded argmax positions of `gradIn` (overwritten: zeros elsewhere, sums
    /// where windows share a maximum).
    ///
    /// - Parameters:
    ///   - gradOut: The output gradient planes.
    ///   - indices: The flat position of each maximum within its input plane (written, or read by the backward).
    ///   - planes: The number of planes (N · C).
    ///   - inputPlane: Elements per input plane (H · W).
    ///   - outputPlane: Elements per output plane.
    ///   - gradIn: The input gradient planes (overwritten).
    @inlinable
    public static func maxPoolBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, _ indices: UnsafePointer<Int64>,
                                                              planes: Int, inputPlane: Int, outputPlane: Int,
                                                              _ gradIn: UnsafeMutablePointer<T>) {
        let planeWork = outputPlane
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let go = gradOut + p * outputPlane, ind = indices + p * outputPlane, gi = gradIn + p * inputPlane
                gi.update(repeating: 0, count: inputPlane)
                for i in 0..<outputPlane { gi[Int(ind[i])] += go[i] }
            }
        }
    }

    /// Per output row (or column): the clipped input range and the window's extent including padding.
    @inlinable
    static func avgSpans(out: Int, size: Int, kernel: Int, stride: Int, pad: Int) -> (start: [Int], end: [Int], span: [Int]) {
        var start = [Int](), end = [Int](), span = [Int]()
        for o in 0..<out {
            let a = o * stride - pad, b = Swift.min(a + kernel, size + pad)
            span.append(b - a)
            start.append(Swift.max(a, 0)); end.append(Swift.max(Swift.min(b, size), Swift.max(a, 0)))
        }
        return (start, end, span)
    }

    /// 2×2 windows with stride 2 and no padding: non-overlapping, and (with floor mode) all inside the input.
    @inlinable
    static func isPairPooling(_ g: PoolGeometry) -> Bool {
        g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2 && g.padHeight == 0
            && g.padWidth == 0 && 2 * g.outHeight <= g.height && 2 * g.outWidth <= g.width
    }

    /// The divisor of every output position of one plane (the same for all planes), as `T`.
    @inlinable
    static func avgDivisors<T: BinaryFloatingPoint>(_ ys: (start: [Int], end: [Int], span: [Int]), _ xs: (start: [Int], end: [Int], span: [Int]),
                                                   countIncludePad: Bool, divisorOverride: Int?, as _: T.Type) -> [T] {
        var divisors = [T]()
        divisors.reserveCapacity(ys.span.count * xs.span.count)
        for oy in 0..<ys.span.count {
            for ox in 0..<xs.span.count {
                let count = (ys.end[oy] - ys.start[oy]) * (xs.end[ox] - xs.start[ox])
                divisors.append(T(divisorOverride ?? (countIncludePad ? ys.span[oy] * xs.span[ox] : count)))
            }
        }
        return divisors
    }

    /// Average pooling with PyTorch's divisor rules (`count_include_pad`, `divisor_override`).
    ///
    /// Each window is summed in row order and then divided (not multiplied by a reciprocal), as PyTorch does,
    /// so results agree to the last bit; the divisions of a plane run as one vectorizable loop.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - g: The pooling geometry.
    ///   - countIncludePad: Count padding in the divisor.
    ///   - divisorOverride: A fixed divisor, or nil.
    ///   - dst: The output planes (overwritten).
    @inlinable
    public static func avgPoolForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                             countIncludePad: Bool, divisorOverride: Int?,
                                                             _ dst: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth, l = oh * ow
        if T.self == Float.self && isPairPooling(g) {
            // float32 2×2 windows at stride 2: the C loops, 8 outputs per vector (avgpool2_f32.c).
            let level = Int32(KernelISA.active.rawValue), divisor = Float(divisorOverride ?? 4)
            let s = UnsafeRawPointer(src).assumingMemoryBound(to: Float.self)
            let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self)
            ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(l * 4)) { range in
                ember_f32_avgpool2_forward(level, s + range.lowerBound * h * w, range.count, h, w, oh, ow, divisor,
                                           d + range.lowerBound * l)
            }
            return
        }
        // Windows depend only on the output row and column: worked out once, not per plane and position.
        let ys = avgSpans(out: oh, size: h, kernel: g.kernelHeight, stride: g.strideHeight, pad: g.padHeight)
        let xs = avgSpans(out: ow, size: w, kernel: g.kernelWidth, stride: g.strideWidth, pad: g.padWidth)
        let divisors = avgDivisors(ys, xs, countIncludePad: countIncludePad, divisorOverride: divisorOverride, as: T.self)
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth
        let pairs = isPairPooling(g)
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            divisors.withUnsafeBufferPointer { div in
                for p in range {
                    let s = src + p * h * w, d = dst + p * l
                    if pairs {
                        // 2×2 windows, stride 2, no padding (LeNet's pooling): straight-line sums.
                        for oy in 0..<oh {
                            let r0 = s + (2 &* oy) &* w, r1 = r0 + w, o = d + oy &* ow
                            for ox in 0..<ow {
                                let x = 2 &* ox
                                o[ox] = ((r0[x] + r0[x &+ 1]) + r1[x]) + r1[x &+ 1]
                            }
                        }
                        var i = 0
                        while i < l { d[i] = d[i] / div[i]; i &+= 1 }
                        continue
                    }
                    for oy in 0..<oh {
                        let y0 = ys.start[oy], y1 = ys.end[oy]
                        for ox in 0..<ow {
                            let x0 = xs.start[ox], x1 = xs.end[ox]
                            var acc: T = 0
                            var y = y0
                            while y < y1 {
                                let row = s + y &* w
                                var x = x0
                                while x < x1 { acc += row[x]; x &+= 1 }
                                y &+= 1
                            }
                            d[oy &* ow &+ ox] = acc
                        }
                    }
                    var i = 0
                    while i < l { d[i] = d[i] / div[i]; i &+= 1 }
                }
            }
        }
    }

    /// Backward of `avgPoolForward`; `gradIn` is overwritten.
    ///
    /// - Parameters:
    ///   - gradOut: The output gradient planes.
    ///   - planes: The number of planes (N · C).
    ///   - g: The pooling geometry.
    ///   - countIncludePad: Count padding in the divisor.
    ///   - divisorOverride: A fixed divisor, or nil.
    ///   - gradIn: The input gradient planes (overwritten).
    @inlinable
    public static func avgPoolBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                              countIncludePad: Bool, divisorOverride: Int?,
                                                              _ gradIn: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth, l = oh * ow
        if T.self == Float.self && isPairPooling(g) {
            // float32 2×2 windows at stride 2: the C loops, 8 outputs per vector (avgpool2_f32.c).
            let level = Int32(KernelISA.active.rawValue), divisor = Float(divisorOverride ?? 4)
            let go = UnsafeRawPointer(gradOut).assumingMemoryBound(to: Float.self)
            let gi = UnsafeMutableRawPointer(gradIn).assumingMemoryBound(to: Float.self)
            ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(h * w)) { range in
                ember_f32_avgpool2_backward(level, go + range.lowerBound * l, range.count, h, w, oh, ow, divisor,
                                            gi + range.lowerBound * h * w)
            }
            return
        }
        let ys = avgSpans(out: oh, size: h, kernel: g.kernelHeight, stride: g.strideHeight, pad: g.padHeight)
        let xs = avgSpans(out: ow, size: w, kernel: g.kernelWidth, stride: g.strideWidth, pad: g.padWidth)
        let divisors = avgDivisors(ys, xs, countIncludePad: countIncludePad, divisorOverride: divisorOverride, as: T.self)
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth + h * w
        let pairs = isPairPooling(g)
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            let shares = UnsafeMutablePointer<T>.allocate(capacity: l)
            defer { shares.deallocate() }
            divisors.withUnsafeBufferPointer { div in
                for p in range {
                    let go = gradOut + p * l, gi = gradIn + p * h * w
                    var i = 0
                    while i < l { shares[i] = go[i] / div[i]; i &+= 1 }
                    if pairs {
                        // Windows tile the plane: every input gets its window's share, without accumulating.
                        for oy in 0..<oh {
                            let r0 = gi + (2 &* oy) &* w, r1 = r0 + w, sh = shares + oy &* ow
                            for ox in 0..<ow {
                                let v = sh[ox], x = 2 &* ox
                                r0[x] = v; r0[x &+ 1] = v; r1[x] = v; r1[x &+ 1] = v
                            }
                            if 2 &* ow < w {
                                for x in (2 &* ow)..<w { r0[x] = 0; r1[x] = 0 }
                            }
                        }
                        if 2 &* oh < h { (gi + (2 &* oh) &* w).update(repeating: 0, count: (h - 2 &* oh) * w) }
                        continue
                    }
                    gi.update(repeating: 0, count: h * w)
                    for oy in 0..<oh {
                        let y0 = ys.start[oy], y1 = ys.end[oy]
                        for ox in 0..<ow {
                            let x0 = xs.start[ox], x1 = xs.end[ox]
                            let v = shares[oy &* ow &+ ox]
                            var y = y0
                            while y < y1 {
                                let row = gi + y &* w
                                var x = x0
                                while x < x1 { row[x] += v; x &+= 1 }
                                y &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// PyTorch's adaptive window start: `floor(o * in / out)`.
    ///
    /// - Parameters:
    ///   - o: The output index.
    ///   - inSize: The input size.
    ///   - outSize: The output size.
    @inlinable public static func adaptiveStart(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int { (o * inSize) / outSize }
    /// PyTorch's adaptive window end: `ceil((o + 1) * in / out)`.
    ///
    /// - Parameters:
    ///   - o: The output index.
    ///   - inSize: The input size.
    ///   - outSize: The output size.
    @inlinable public static func adaptiveEnd(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int { ((o + 1) * inSize + outSize - 1) / outSize }

    /// Adaptive average pooling of `[H, W]` planes to `[outH, outW]`.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - oh: The output height.
    ///   - ow: The output width.
    ///   - dst: The output planes (overwritten).
    @inlinable
    public static func adaptiveAvgForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                                 outHeight oh: Int, outWidth ow: Int, _ dst: UnsafeMutablePointer<T>) {
        let planeWork = h * w + oh * ow
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let s = src + p * h * w, d = dst + p * oh * ow
                for oy in 0..<oh {
                    let y0 = adaptiveStart(oy, h, oh), y1 = adaptiveEnd(oy, h, oh)
                    for ox in 0..<ow {
                        let x0 = adaptiveStart(ox, w, ow), x1 = adaptiveEnd(ox, w, ow)
                        var acc: T = 0
                        for y in y0..<y1 { for x in x0..<x1 { acc += s[y * w + x] } }
                        d[oy * ow + ox] = acc / T((y1 - y0) * (x1 - x0))
                    }
                }
            }
        }
    }

    /// Backward of `adaptiveAvgForward`; `gradIn` is overwritten.
    ///
    /// - Parameters:
    ///   - gradOut: The output gradient planes.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - oh: The output height.
    ///   - ow: The output width.
    ///   - gradIn: The input gradient planes (overwritten).
    @inlinable
    public static func adaptiveAvgBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                                  outHeight oh: Int, outWidth ow: Int, _ gradIn: UnsafeMutablePointer<T>) {
        let planeWork = h * w + oh * ow
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let go = gradOut + p * oh * ow, gi = gradIn + p * h * w
                gi.update(repeating: 0, count: h * w)
                for oy in 0..<oh {
                    let y0 = adaptiveStart(oy, h, oh), y1 = adaptiveEnd(oy, h, oh)
                    for ox in 0..<ow {
                        let x0 = adaptiveStart(ox, w, ow), x1 = adaptiveEnd(ox, w, ow)
                        let v = go[oy * ow + ox] / T((y1 - y0) * (x1 - x0))
                        for y in y0..<y1 { for x in x0..<x1 { gi[y * w + x] += v } }
                    }
                }
            }
        }
    }

    /// Adaptive max pooling with argmax indices (flat within the plane); NaN wins.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - oh: The output height.
    ///   - ow: The output width.
    ///   - dst: The output planes (overwritten).
    ///   - indices: The flat position of each maximum within its input plane (written, or read by the backward).
    @inlinable
    public static func adaptiveMaxForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                                 outHeight oh: Int, outWidth ow: Int,
                                                                 _ dst: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>) {
        let planeWork = h * w + oh * ow
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let s = src + p * h * w, d = dst + p * oh * ow, ind = indices + p * oh * ow
                for oy in 0..<oh {
                    let y0 = adaptiveStart(oy, h, oh), y1 = adaptiveEnd(oy, h, oh)
                    for ox in 0..<ow {
                        let x0 = adaptiveStart(ox, w, ow), x1 = adaptiveEnd(ox, w, ow)
                        var best = -T.infinity, bestIndex = y0 * w + x0, sawNaN = 0
                        for y in y0..<y1 {
                            for x in x0..<x1 {
                                let v = s[y * w + x]
                                sawNaN |= v != v ? 1 : 0
                                if v > best { best = v; bestIndex = y * w + x }
                            }
                        }
                        if sawNaN != 0 {  // PyTorch: the last NaN of the window wins
                            for y in y0..<y1 { for x in x0..<x1 where s[y * w + x].isNaN { best = s[y * w + x]; bestIndex = y * w + x } }
                        }
                        d[oy * ow + ox] = best
                        ind[oy * ow + ox] = Int64(bestIndex)
                    }
                }
            }
        }
    }
}
