// Pooling loops over contiguous [planes, H, W] buffers: max (with argmax indices), average, adaptive windows.

/// The geometry of a 2-d pooling window sweep (same for every plane).
public struct PoolGeometry: Equatable {
    public var height: Int, width: Int
    public var outHeight: Int, outWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padHeight: Int, padWidth: Int
    public var dilationHeight: Int, dilationWidth: Int

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
    static func poolMinPlanes(_ workPerPlane: Int) -> Int { Swift.max(1, (1 << 14) / Swift.max(1, workPerPlane)) }

    /// Max pooling; `indices` receives the flat `y * W + x` position of each maximum inside its plane
    /// (PyTorch's `return_indices`). NaN wins, as in PyTorch.
    @inlinable
    public static func maxPoolForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                             _ dst: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int64>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let kh = g.kernelHeight, kw = g.kernelWidth, sh = g.strideHeight, sw = g.strideWidth
        let ph = g.padHeight, pw = g.padWidth, dh = g.dilationHeight, dw = g.dilationWidth
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth
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

    /// The first in-image tap of a dilated window starting at `start` and one past its last in-image tap.
    @inlinable
    static func clippedTaps(_ start: Int, _ kernel: Int, _ dilation: Int, _ size: Int) -> (Int, Int) {
        var first = start
        while first < 0 { first += dilation }
        let end = Swift.min(start + (kernel - 1) * dilation + 1, size)
        return (first, Swift.max(end, first))
    }

    /// Scatters `gradOut` to the recorded argmax positions of `gradIn` (accumulating; `gradIn` starts zeroed).
    @inlinable
    public static func maxPoolBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, _ indices: UnsafePointer<Int64>,
                                                              planes: Int, inputPlane: Int, outputPlane: Int,
                                                              _ gradIn: UnsafeMutablePointer<T>) {
        let planeWork = outputPlane
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let go = gradOut + p * outputPlane, ind = indices + p * outputPlane, gi = gradIn + p * inputPlane
                for i in 0..<outputPlane { gi[Int(ind[i])] += go[i] }
            }
        }
    }

    /// The window of output `(oy, ox)` clipped to the input, and PyTorch's divisor for average pooling.
    @inlinable
    static func avgWindow(_ g: PoolGeometry, _ oy: Int, _ ox: Int, countIncludePad: Bool, divisorOverride: Int?)
        -> (y0: Int, y1: Int, x0: Int, x1: Int, divisor: Int) {
        var y0 = oy * g.strideHeight - g.padHeight, x0 = ox * g.strideWidth - g.padWidth
        var y1 = Swift.min(y0 + g.kernelHeight, g.height + g.padHeight)
        var x1 = Swift.min(x0 + g.kernelWidth, g.width + g.padWidth)
        let poolSize = (y1 - y0) * (x1 - x0)
        y0 = Swift.max(y0, 0); x0 = Swift.max(x0, 0)
        y1 = Swift.min(y1, g.height); x1 = Swift.min(x1, g.width)
        let divisor = divisorOverride ?? (countIncludePad ? poolSize : (y1 - y0) * (x1 - x0))
        return (y0, y1, x0, x1, divisor)
    }

    /// Average pooling with PyTorch's divisor rules (`count_include_pad`, `divisor_override`).
    @inlinable
    public static func avgPoolForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                             countIncludePad: Bool, divisorOverride: Int?,
                                                             _ dst: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let s = src + p * h * w, d = dst + p * oh * ow
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let win = avgWindow(g, oy, ox, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
                        var acc: T = 0
                        if win.y0 < win.y1 && win.x0 < win.x1 {
                            for y in win.y0..<win.y1 { for x in win.x0..<win.x1 { acc += s[y * w + x] } }
                        }
                        d[oy * ow + ox] = acc / T(win.divisor)
                    }
                }
            }
        }
    }

    /// Backward of `avgPoolForward` (accumulates into `gradIn`).
    @inlinable
    public static func avgPoolBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, _ g: PoolGeometry,
                                                              countIncludePad: Bool, divisorOverride: Int?,
                                                              _ gradIn: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let planeWork = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let go = gradOut + p * oh * ow, gi = gradIn + p * h * w
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let win = avgWindow(g, oy, ox, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
                        guard win.y0 < win.y1 && win.x0 < win.x1 else { continue }
                        let v = go[oy * ow + ox] / T(win.divisor)
                        for y in win.y0..<win.y1 { for x in win.x0..<win.x1 { gi[y * w + x] += v } }
                    }
                }
            }
        }
    }

    /// PyTorch's adaptive window start: `floor(o * in / out)`.
    @inlinable public static func adaptiveStart(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int { (o * inSize) / outSize }
    /// PyTorch's adaptive window end: `ceil((o + 1) * in / out)`.
    @inlinable public static func adaptiveEnd(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int { ((o + 1) * inSize + outSize - 1) / outSize }

    /// Adaptive average pooling of `[H, W]` planes to `[outH, outW]`.
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

    /// Backward of `adaptiveAvgForward` (accumulates into `gradIn`).
    @inlinable
    public static func adaptiveAvgBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                                  outHeight oh: Int, outWidth ow: Int, _ gradIn: UnsafeMutablePointer<T>) {
        let planeWork = h * w + oh * ow
        ThreadPool.shared.parallelFor(planes, minChunk: poolMinPlanes(planeWork)) { range in
            for p in range {
                let go = gradOut + p * oh * ow, gi = gradIn + p * h * w
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
