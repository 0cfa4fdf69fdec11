// Antialiased bilinear resampling, written after Pillow's Resample.c (which torchvision's antialias=True follows).
import Ember

/// Bilinear taps for one axis, as Pillow's `precompute_coeffs` computes them.
///
/// For output index `i` the filter is centred at `(i + 0.5) * scale` in the input (scale = in / out); when
/// shrinking, the triangle is widened by `scale` (antialiasing), so every input pixel contributes. Taps
/// outside the image are dropped and the rest renormalised, which is how both Pillow and PyTorch treat edges.
struct ResampleTaps {
    /// Per output index: first input index and number of taps.
    var start: [Int]
    var count: [Int]
    /// `ksize` weights per output index (unused ones 0).
    var weights: [Double]
    var ksize: Int

    /// `antialias: false` keeps the triangle one pixel wide when shrinking: plain bilinear (`align_corners=False`).
    init(inSize: Int, outSize: Int, antialias: Bool = true) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = antialias ? Swift.max(scale, 1) : 1
        let support = 1.0 * filterScale
        ksize = Int(support.rounded(.up)) * 2 + 1
        start = [Int](repeating: 0, count: outSize)
        count = [Int](repeating: 0, count: outSize)
        weights = [Double](repeating: 0, count: outSize * ksize)
        let invScale = 1 / filterScale
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            // C's (int) cast truncates toward zero; both libraries clamp afterwards.
            let xmin = Swift.max(Int(center - support + 0.5), 0)
            let xmax = Swift.min(Int(center + support + 0.5), inSize) - xmin
            var total = 0.0
            for j in 0..<xmax {
                let x = Swift.abs((Double(j + xmin) - center + 0.5) * invScale)
                let w = x < 1 ? 1 - x : 0
                weights[i * ksize + j] = w
                total += w
            }
            if total != 0 { for j in 0..<xmax { weights[i * ksize + j] /= total } }
            start[i] = xmin
            count[i] = xmax
        }
    }

    /// Pillow's 8-bit fixed-point weights: `round(w * 2^22)`, rounding half away from zero.
    var fixedPoint: [Int32] {
        weights.map { w in Int32(w < 0 ? -0.5 + w * Double(1 << 22) : 0.5 + w * Double(1 << 22)) }
    }
}

/// Pillow's 8-bit resize: horizontal pass then vertical, each in 22-bit fixed point with rounding and clipping.
///
/// `src` holds `height * width * channels` interleaved samples; a pass whose size does not change is skipped
/// (as in Pillow), so resizing to the same size is the identity.
func resampleUInt8(_ src: [UInt8], width: Int, height: Int, channels c: Int, outWidth: Int, outHeight: Int) -> [UInt8] {
    @inline(__always) func clip8(_ v: Int) -> UInt8 {
        if v >= (256 << 22) { return 255 }
        if v <= 0 { return 0 }
        return UInt8(v >> 22)
    }
    var current = src
    var w = width
    if outWidth != width {
        let taps = ResampleTaps(inSize: width, outSize: outWidth)
        let k = taps.fixedPoint, ks = taps.ksize
        var out = [UInt8](repeating: 0, count: height * outWidth * c)
        current.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                k.withUnsafeBufferPointer { kk in
                    for y in 0..<height {
                        let row = y * width * c
                        for x in 0..<outWidth {
                            let x0 = taps.start[x], n = taps.count[x]
                            for ch in 0..<c {
                                var acc = 1 << 21
                                for j in 0..<n { acc += Int(s[row + (x0 + j) * c + ch]) * Int(kk[x * ks + j]) }
                                d[(y * outWidth + x) * c + ch] = clip8(acc)
                            }
                        }
                    }
                }
            }
        }
        current = out
        w = outWidth
    }
    if outHeight != height {
        let taps = ResampleTaps(inSize: height, outSize: outHeight)
        let k = taps.fixedPoint, ks = taps.ksize
        let rowLen = w * c
        var out = [UInt8](repeating: 0, count: outHeight * rowLen)
        current.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                k.withUnsafeBufferPointer { kk in
                    for y in 0..<outHeight {
                        let y0 = taps.start[y], n = taps.count[y]
                        for i in 0..<rowLen {
                            var acc = 1 << 21
                            for j in 0..<n { acc += Int(s[(y0 + j) * rowLen + i]) * Int(kk[y * ks + j]) }
                            d[y * rowLen + i] = clip8(acc)
                        }
                    }
                }
            }
        }
        current = out
    }
    return current
}

/// PyTorch's antialiased bilinear resize of a contiguous float32 `[..., H, W]` tensor (width pass, then height).
func resampleFloat(_ input: Tensor, outHeight: Int, outWidth: Int, antialias: Bool = true) -> Tensor {
    let x = input.contiguous()
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    let planes = h * w == 0 ? 0 : x.numel / (h * w)
    var current = x
    if outWidth != w {
        let taps = ResampleTaps(inSize: w, outSize: outWidth, antialias: antialias)
        let weights = taps.weights.map { Float($0) }, ks = taps.ksize
        let out = Tensor(empty: Array(x.shape.dropLast()) + [outWidth], dtype: .float32)
        let s = current.pointer(as: Float.self), d = out.pointer(as: Float.self)
        for r in 0..<(planes * h) {
            let row = s + r * w, orow = d + r * outWidth
            for i in 0..<outWidth {
                let x0 = taps.start[i], n = taps.count[i]
                var acc = row[x0] * weights[i * ks]
                for j in 1..<Swift.max(n, 1) { acc += row[x0 + j] * weights[i * ks + j] }
                orow[i] = acc
            }
        }
        current = out
    }
    if outHeight != h {
        let taps = ResampleTaps(inSize: h, outSize: outHeight, antialias: antialias)
        let weights = taps.weights.map { Float($0) }, ks = taps.ksize
        let cw = current.shape[current.rank - 1]
        var shape = current.shape
        shape[shape.count - 2] = outHeight
        let out = Tensor(empty: shape, dtype: .float32)
        let s = current.pointer(as: Float.self), d = out.pointer(as: Float.self)
        for p in 0..<planes {
            let plane = s + p * h * cw, oplane = d + p * outHeight * cw
            for i in 0..<outHeight {
                let y0 = taps.start[i], n = taps.count[i]
                let orow = oplane + i * cw
                let w0 = weights[i * ks]
                let first = plane + y0 * cw
                for xx in 0..<cw { orow[xx] = first[xx] * w0 }
                if n > 1 {
                    for j in 1..<n {
                        let wj = weights[i * ks + j], r = plane + (y0 + j) * cw
                        for xx in 0..<cw { orow[xx] += r[xx] * wj }
                    }
                }
            }
        }
        current = out
    }
    return current === x ? x.clone() : current
}
