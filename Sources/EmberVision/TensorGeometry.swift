// Geometry on the tensor path: crops, flips and padding of [..., H, W] tensors of any dtype.
import Ember

/// How `Pad` fills the border (torchvision's `padding_mode`).
public enum PaddingMode: Sendable {
    /// A constant value (`fill`).
    case constant
    /// The edge pixel repeated.
    case edge
    /// Mirror without repeating the edge: `3 2 | 1 2 3 | 2 1`.
    case reflect
    /// Mirror repeating the edge: `2 1 | 1 2 3 | 3 2`.
    case symmetric

    /// The source index of output position `i` (already shifted by the padding), or -1 for the fill value.
    @inline(__always)
    func sourceIndex(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        switch self {
        case .constant: return -1
        case .edge: return i < 0 ? 0 : n - 1
        case .reflect:
            if n == 1 { return 0 }
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
            return j
        case .symmetric:
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j - 1 : 2 * n - 1 - j }
            return j
        }
    }
}

/// Builds `out[..., y, x] = in[..., rows[y], cols[x]]`, with `fill` where an index is -1.
func gatherPlanes(_ input: Tensor, rows: [Int], cols: [Int], fill: Double = 0) -> Tensor {
    let x = input.contiguous()
    let (planes, h, w) = planeGeometry(x, "gather")
    let outShape = Array(x.shape.dropLast(2)) + [rows.count, cols.count]
    let out = Tensor.full(outShape, fill, dtype: x.dtype)
    func run<T>(_: T.Type) {
        let s = x.pointer(as: T.self), d = out.pointer(as: T.self)
        var o = 0
        for p in 0..<planes {
            let base = s + p * h * w
            for r in rows {
                if r < 0 { o += cols.count; continue }
                let row = base + r * w
                for c in cols {
                    if c >= 0 { d[o] = row[c] }
                    o += 1
                }
            }
        }
    }
    switch x.dtype.itemSize {
    case 1: run(UInt8.self)
    case 2: run(UInt16.self)
    case 4: run(UInt32.self)
    default: run(UInt64.self)
    }
    return out
}

/// Crops `[..., H, W]` to `height x width` at (`top`, `left`); regions outside the input are 0 (torchvision's crop).
func cropTensor(_ t: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
    let (_, h, w) = planeGeometry(t, "crop")
    if top >= 0 && left >= 0 && top + height <= h && left + width <= w {
        return t.slice(-2, start: top, end: top + height).slice(-1, start: left, end: left + width)
    }
    return gatherPlanes(t, rows: (0..<height).map { PaddingMode.constant.sourceIndex(top + $0, h) },
                        cols: (0..<width).map { PaddingMode.constant.sourceIndex(left + $0, w) })
}

/// Pads `[..., H, W]` by (left, top, right, bottom).
func padTensor(_ t: Tensor, _ p: (left: Int, top: Int, right: Int, bottom: Int), fill: Double, mode: PaddingMode) -> Tensor {
    let (_, h, w) = planeGeometry(t, "pad")
    return gatherPlanes(t, rows: (0..<(h + p.top + p.bottom)).map { mode.sourceIndex($0 - p.top, h) },
                        cols: (0..<(w + p.left + p.right)).map { mode.sourceIndex($0 - p.left, w) }, fill: fill)
}

/// Mirrors the last dimension (`TF.hflip`).
func hflipTensor(_ t: Tensor) -> Tensor {
    let (_, h, w) = planeGeometry(t, "hflip")
    return gatherPlanes(t, rows: Array(0..<h), cols: Array((0..<w).reversed()))
}

/// Mirrors the second-to-last dimension (`TF.vflip`).
func vflipTensor(_ t: Tensor) -> Tensor {
    let (_, h, w) = planeGeometry(t, "vflip")
    return gatherPlanes(t, rows: Array((0..<h).reversed()), cols: Array(0..<w))
}

extension Image {
    /// Pads by (left, top, right, bottom) with `fill` or a mirrored/edge border (`TF.pad` on a PIL image).
    ///
    /// - Parameters:
    ///   - left: Pixels added on the left.
    ///   - top: Pixels added at the top.
    ///   - right: Pixels added on the right.
    ///   - bottom: Pixels added at the bottom.
    ///   - fill: The value padded pixels get with `.constant` mode.
    ///   - mode: How padded pixels are filled: `.constant`, `.edge`, `.reflect` or `.symmetric`.
    public func padded(left: Int, top: Int, right: Int, bottom: Int, fill: UInt8 = 0, mode: PaddingMode = .constant) -> Image {
        let ow = width + left + right, oh = height + top + bottom, c = channels
        var out = [UInt8](repeating: fill, count: ow * oh * c)
        let cols = (0..<ow).map { mode.sourceIndex($0 - left, width) }
        for y in 0..<oh {
            let sy = mode.sourceIndex(y - top, height)
            if sy < 0 { continue }
            for x in 0..<ow where cols[x] >= 0 {
                for k in 0..<c { out[(y * ow + x) * c + k] = pixels[(sy * width + cols[x]) * c + k] }
            }
        }
        return Image(width: ow, height: oh, channels: c, pixels: out)
    }

    /// The image resized to `width x height` with Pillow's antialiased bilinear filter (`img.resize(size, BILINEAR)`).
    public func resized(width w: Int, height h: Int) -> Image {
        emberCheck(w > 0 && h > 0, "resize", "output size must be positive, got \(w)x\(h)")
        return Image(width: w, height: h, channels: channels,
                     pixels: resampleUInt8(pixels, width: width, height: height, channels: channels, outWidth: w, outHeight: h))
    }
}

/// Resizes a `[..., H, W]` tensor with antialiased (or plain) bilinear interpolation, as `TF.resize` on tensors.
///
/// Float tensors are resampled in float32 (float64 via float32); uint8 tensors use Pillow's fixed-point path,
/// as PyTorch's uint8 kernel does.
///
/// - Parameters:
///   - t: An image tensor `[C, H, W]` or a batch `[N, C, H, W]`.
///   - height: The output height.
///   - width: The output width.
///   - antialias: Low-pass filter when downscaling, like PIL and torchvision's default.
public func resizeTensor(_ t: Tensor, height: Int, width: Int, antialias: Bool = true) -> Tensor {
    let (planes, h, w) = planeGeometry(t, "resize")
    emberCheck(height > 0 && width > 0, "resize", "output size must be positive, got \(height)x\(width)")
    if h == height && w == width { return t }
    if t.dtype == .uint8 && antialias {
        let x = t.contiguous()
        var out = [UInt8]()
        out.reserveCapacity(planes * height * width)
        let p = x.pointer(as: UInt8.self)
        for i in 0..<planes {
            out += resampleUInt8(Array(UnsafeBufferPointer(start: p + i * h * w, count: h * w)), width: w, height: h,
                                 channels: 1, outWidth: width, outHeight: height)
        }
        return Tensor(out, shape: Array(t.shape.dropLast(2)) + [height, width])
    }
    let f = t.dtype == .float32 ? t : t.to(.float32)
    let r = resampleFloat(f, outHeight: height, outWidth: width, antialias: antialias)
    if t.dtype == .float32 { return r }
    if t.dtype.isFloatingPoint { return r.to(t.dtype) }
    return r.clamp(min: 0, max: 255).round().to(t.dtype)
}
