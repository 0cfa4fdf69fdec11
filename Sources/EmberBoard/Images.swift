// Images: tensor → HWC uint8 pixels as PyTorch's add_image does, make_grid, and PNG encoding.

import CEmberImage
import Ember

/// Arranges a batch of images in a grid, like `torchvision.utils.make_grid`.
///
/// Images are laid out row by row, `nrow` per row, with `padding` pixels of `padValue` around each;
/// one-channel images are repeated to three channels. With `normalize`, float images are shifted and
/// scaled by the batch's min and max into [0, 1] (torchvision's `normalize=True` without `value_range`).
/// Like torchvision, a batch of one image comes back without padding. The result has the input's dtype.
///
/// Shape: `[N, C, H, W]`, `[C, H, W]` or `[H, W]` → `[3 or C, rows·(H+p)+p, cols·(W+p)+p]`.
///
/// ```swift
/// let grid = makeGrid(batch, nrow: 4, padding: 2)   // batch: [8, 1, 28, 28] → [3, 62, 122]
/// ```
///
/// - Parameters:
///   - images: A batch `[N, C, H, W]` (or `[N, H, W]`).
///   - nrow: The number of images per row of the grid.
///   - padding: Pixels between images and around the grid.
///   - normalize: Shift and scale the values into [0, 1] first, by the batch's minimum and maximum.
///   - padValue: The value of the padding pixels.
public func makeGrid(_ images: Tensor, nrow: Int = 8, padding: Int = 2, normalize: Bool = false,
                     padValue: Double = 0) -> Tensor {
    emberCheck(nrow > 0, "make_grid", "nrow must be positive, got \(nrow)")
    emberCheck(padding >= 0, "make_grid", "padding must be non-negative, got \(padding)")
    return noGrad {
        var t = images
        switch t.rank {
        case 2: t = t.unsqueeze(0).unsqueeze(0)
        case 3: t = t.unsqueeze(0)
        case 4: break
        default: emberFail("make_grid", "expected a tensor of rank 2, 3 or 4, got shape \(t.shape)")
        }
        if t.shape[1] == 1 { t = t.expand([t.shape[0], 3, t.shape[2], t.shape[3]]) }
        if normalize && t.dtype.isFloatingPoint {
            let values = t.toArray(as: Double.self)
            let lo = values.min() ?? 0, hi = values.max() ?? 1
            t = (t.clamp(min: lo, max: hi) - lo) / Swift.max(hi - lo, 1e-5)
        }
        let n = t.shape[0], c = t.shape[1], h = t.shape[2], w = t.shape[3]
        if n == 1 { return t.select(0, 0).contiguous() }
        let cols = Swift.min(nrow, n)
        let rows = (n + cols - 1) / cols
        let cellH = h + padding, cellW = w + padding
        let grid = Tensor.full([c, rows * cellH + padding, cols * cellW + padding], padValue, dtype: t.dtype)
        for k in 0..<n {
            let y = (k / cols) * cellH + padding, x = (k % cols) * cellW + padding
            grid.narrow(1, start: y, length: h).narrow(2, start: x, length: w).copy_(t.select(0, k))
        }
        return grid
    }
}

/// An image ready for TensorBoard: HWC uint8 pixels.
struct HWCImage {
    var pixels: [UInt8]
    var height: Int
    var width: Int
    var channels: Int
}

/// Converts an image tensor to HWC uint8 exactly as PyTorch's `summary.image` does: reorder to HWC
/// (`dataFormat` names the axes; a 4-d batch becomes an unpadded grid of 8 per row), repeat a single
/// channel to RGB, then scale by 255 unless the dtype is uint8, clip to [0, 255] and truncate.
func hwcImage(_ image: Tensor, dataFormat: String, op: String) -> HWCImage {
    let format = dataFormat.uppercased()
    let letters = Array(format)
    emberCheck(Set(letters).count == letters.count && letters.allSatisfy({ "NCHW".contains($0) }), op,
               "invalid dataformats '\(dataFormat)': expected a permutation of some of N, C, H, W")
    emberCheck(letters.count == image.rank, op,
               "size of input tensor and input format are different. tensor shape: \(image.shape), input_format: \(format)")
    return noGrad {
        var chw: Tensor
        switch letters.count {
        case 4:
            let nchw = image.permute(Array("NCHW").map { c in letters.firstIndex(of: c)! })
            chw = makeGrid(nchw, nrow: 8, padding: 0)
        case 3:
            emberCheck(Set(letters) == Set("CHW"), op, "a 3-d image needs the axes C, H and W, got '\(format)'")
            chw = image.permute(Array("CHW").map { c in letters.firstIndex(of: c)! })
        case 2:
            emberCheck(Set(letters) == Set("HW"), op, "a 2-d image needs the axes H and W, got '\(format)'")
            chw = image.permute(Array("HW").map { c in letters.firstIndex(of: c)! }).unsqueeze(0)
        default:
            emberFail(op, "expected a 2-d, 3-d or 4-d image tensor, got shape \(image.shape)")
        }
        if chw.shape[0] == 1 { chw = chw.expand([3, chw.shape[1], chw.shape[2]]) }
        let c = chw.shape[0], h = chw.shape[1], w = chw.shape[2]
        emberCheck(c == 3 || c == 4, op, "an image needs 1, 3 or 4 channels, got \(c) (shape \(image.shape))")
        let scale: Float = image.dtype == .uint8 ? 1 : 255
        let values = chw.permute([1, 2, 0]).contiguous().toArray(as: Float.self)
        let pixels = values.map { v -> UInt8 in
            let s = v * scale
            return s >= 255 ? 255 : (s > 0 ? UInt8(s) : 0)   // NaN and negatives become 0
        }
        return HWCImage(pixels: pixels, height: h, width: w, channels: c)
    }
}

/// Encodes HWC uint8 pixels as PNG with libpng.
func encodePNG(_ image: HWCImage) -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    var error = [CChar](repeating: 0, count: 256)
    let status = image.pixels.withUnsafeBufferPointer { px in
        ember_png_encode(px.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                         &out, &size, &error, error.count)
    }
    // Encoding in-memory pixels only fails on exhausted memory or a libpng bug: not recoverable here.
    emberCheck(status == 0, "add_image", "PNG encoding failed: \(stringFromCBuffer(error))")
    defer { ember_buffer_free(out) }
    return Array(UnsafeBufferPointer(start: out, count: size))
}

/// The axes of an image tensor, PyTorch's `dataformats` strings as an enum (the strings work too).
public enum ImageDataFormat: String, Sendable, CaseIterable {
    case chw = "CHW", hwc = "HWC", hw = "HW", nchw = "NCHW", nhwc = "NHWC"
}
