// Image: 8-bit pixels in HWC order (gray, gray+alpha, RGB, RGBA), the decoded form of PNG/JPEG files.
import Ember

/// An 8-bit image in row-major HWC layout, the Swift counterpart of a PIL image (`PIL.Image.Image`).
///
/// `channels` is 1 (`L`), 2 (`LA`), 3 (`RGB`) or 4 (`RGBA`). Transforms accept an `Image` (torchvision's PIL
/// path, with Pillow's arithmetic) or a CHW `Tensor` (the tensor path); `ToTensor` turns one into the other.
///
/// ```swift
/// let img = try Image(contentsOf: "ants/0013035.jpg")   // 768 x 512 RGB
/// let x = ToTensor()(img)                                // [3, 512, 768] float32 in [0, 1]
/// ```
public struct Image: Equatable, Sendable, CustomStringConvertible {
    /// The channel layouts an image can have (PIL's modes `L`, `LA`, `RGB`, `RGBA`).
    public enum Mode: Int, Sendable {
        case gray = 1, grayAlpha = 2, rgb = 3, rgba = 4
    }

    /// Width in pixels (PIL's `img.width`).
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples per pixel: 1, 2, 3 or 4.
    public let channels: Int
    /// `height * width * channels` samples, row-major, channels last.
    public var pixels: [UInt8]

    /// An image over `pixels` (HWC); the count must be `height * width * channels`.
    ///
    /// - Parameters:
    ///   - width: The width in pixels.
    ///   - height: The height in pixels.
    ///   - channels: The number of channels (1: grayscale, 3: RGB, 4: RGBA).
    ///   - pixels: Interleaved row-major bytes, `width · height · channels` of them.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        emberCheck((1...4).contains(channels), "Image", "channels must be 1, 2, 3 or 4, got \(channels)")
        emberCheck(width >= 0 && height >= 0 && pixels.count == width * height * channels, "Image",
                   "\(pixels.count) samples cannot fill a \(width)x\(height) image with \(channels) channels")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A constant image.
    ///
    /// - Parameters:
    ///   - width: The width in pixels.
    ///   - height: The height in pixels.
    ///   - mode: The pixel format.
    ///   - fill: The value of every byte.
    public init(width: Int, height: Int, mode: Mode, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: mode.rawValue,
                  pixels: [UInt8](repeating: fill, count: width * height * mode.rawValue))
    }

    /// The image held by a `[H, W]`, `[H, W, C]` (HWC) uint8 tensor (`Image.fromarray`).
    public init(hwc tensor: Tensor) {
        emberCheck(tensor.dtype == .uint8 && (tensor.rank == 2 || tensor.rank == 3), "Image",
                   "expected a uint8 [H, W] or [H, W, C] tensor, got \(tensor.dtype) \(shapeString(tensor.shape))")
        let t = tensor.contiguous()
        self.init(width: t.shape[1], height: t.shape[0], channels: t.rank == 3 ? t.shape[2] : 1,
                  pixels: Array(UnsafeBufferPointer(start: t.pointer(as: UInt8.self), count: t.numel)))
    }

    /// The channel layout.
    public var mode: Mode { Mode(rawValue: channels)! }

    /// `<Image mode=RGB size=768x512>`, as PIL prints an image (not its 1.2 million samples).
    public var description: String {
        let name = [1: "L", 2: "LA", 3: "RGB", 4: "RGBA"][channels] ?? "\(channels) channels"
        return "<Image mode=\(name) size=\(width)x\(height)>"
    }

    /// `(width, height)`, PIL's `img.size`.
    public var size: (width: Int, height: Int) { (width, height) }

    /// Sample `c` of pixel (`x`, `y`).
    ///
    /// - Parameters:
    ///   - x: The column (from the left).
    ///   - y: The row (from the top).
    ///   - c: The channel.
    public subscript(x x: Int, y y: Int, c c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// The pixels as a `[H, W, C]` uint8 tensor (`np.asarray(img)`, always 3-d).
    public func hwcTensor() -> Tensor {
        let t = Tensor(empty: [height, width, channels], dtype: .uint8)
        pixels.withUnsafeBufferPointer { t.pointer(as: UInt8.self).update(from: $0.baseAddress!, count: $0.count) }
        return t
    }

    /// The pixels as a `[C, H, W]` uint8 tensor (`transforms.PILToTensor`).
    public func chwTensor() -> Tensor {
        let t = Tensor(empty: [channels, height, width], dtype: .uint8)
        let out = t.pointer(as: UInt8.self)
        let plane = width * height
        pixels.withUnsafeBufferPointer { src in
            if channels == 1 { out.update(from: src.baseAddress!, count: plane); return }
            for i in 0..<plane { for c in 0..<channels { out[c * plane + i] = src[i * channels + c] } }
        }
        return t
    }

    /// The image in another channel layout, with Pillow's conversions (`img.convert("RGB")`, `"L"`, ...).
    ///
    /// Gray from color uses Pillow's ITU-R 601-2 luma in fixed point, `(19595 R + 38470 G + 7471 B + 2^15) >> 16`;
    /// dropping alpha keeps the color; adding alpha makes it opaque (255).
    public func converted(to target: Mode) -> Image {
        if target == mode { return self }
        let n = width * height, cin = channels, cout = target.rawValue
        var out = [UInt8](repeating: 255, count: n * cout)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let p = i * cin
                    let gray: UInt8
                    let (r, g, b): (UInt8, UInt8, UInt8)
                    if cin >= 3 {
                        (r, g, b) = (src[p], src[p + 1], src[p + 2])
                        let luma: UInt32 = UInt32(r) &* 19595 &+ UInt32(g) &* 38470 &+ UInt32(b) &* 7471 &+ 0x8000
                        gray = UInt8(luma >> 16)
                    } else {
                        (r, g, b) = (src[p], src[p], src[p])
                        gray = src[p]
                    }
                    let alpha: UInt8 = (cin == 2 || cin == 4) ? src[p + cin - 1] : 255
                    let q = i * cout
                    switch target {
                    case .gray: dst[q] = gray
                    case .grayAlpha: dst[q] = gray; dst[q + 1] = alpha
                    case .rgb: dst[q] = r; dst[q + 1] = g; dst[q + 2] = b
                    case .rgba: dst[q] = r; dst[q + 1] = g; dst[q + 2] = b; dst[q + 3] = alpha
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: cout, pixels: out)
    }

    /// The region `x..<x+width`, `y..<y+height` (`img.crop((left, top, right, bottom))`); outside pixels are 0.
    ///
    /// - Parameters:
    ///   - x: The column (from the left).
    ///   - y: The row (from the top).
    ///   - w: The width of the crop.
    ///   - h: The height of the crop.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        var out = [UInt8](repeating: 0, count: w * h * channels)
        let rowBytes = w * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<h {
                    let sy = y + r
                    guard sy >= 0 && sy < height else { continue }
                    let x0 = Swift.max(x, 0), x1 = Swift.min(x + w, width)
                    guard x1 > x0 else { continue }
                    let count = (x1 - x0) * channels
                    (dst.baseAddress! + r * rowBytes + (x0 - x) * channels)
                        .update(from: src.baseAddress! + (sy * width + x0) * channels, count: count)
                }
            }
        }
        return Image(width: w, height: h, channels: channels, pixels: out)
    }

    /// The mirror image left to right (`img.transpose(Image.FLIP_LEFT_RIGHT)`).
    public func flippedHorizontally() -> Image {
        var out = pixels
        let c = channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * c
                    for x in 0..<width {
                        let s = row + x * c, d = row + (width - 1 - x) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: c, pixels: out)
    }

    /// The mirror image top to bottom (`img.transpose(Image.FLIP_TOP_BOTTOM)`).
    public func flippedVertically() -> Image {
        var out = pixels
        let rowBytes = width * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    (dst.baseAddress! + (height - 1 - y) * rowBytes).update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }
}
