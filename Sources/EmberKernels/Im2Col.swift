// im2col / col2im: unfold image patches into GEMM columns and fold column gradients back (conv and conv-transpose).

/// The geometry of one 2-d convolution window sweep over a single image (all of one group's channels).
///
/// `padTop`/`padLeft` place the window; `outHeight`/`outWidth` are given explicitly so that asymmetric
/// padding (PyTorch's `padding="same"` with an even kernel) needs no padded copy of the input: every
/// position that falls outside the image reads as zero.
public struct ConvGeometry: Equatable {
    public var channels: Int
    public var height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padTop: Int, padLeft: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var outHeight: Int, outWidth: Int

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

/// Patch unfolding kernels over raw pointers (one image, contiguous `[C, H, W]`).
public enum Im2Col {
    /// Writes the column matrix `[C * kh * kw, outH * outW]` (row-major) of `image` into `columns`.
    /// Row `(c * kh + i) * kw + j` holds input pixel `(c, oy * sh - padTop + i * dh, ox * sw - padLeft + j * dw)`.
    @inlinable
    public static func im2col<T: BinaryFloatingPoint>(_ image: UnsafePointer<T>, _ g: ConvGeometry, _ columns: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let sw = g.strideWidth, l = oh * ow
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * h * w
            for i in 0..<g.kernelHeight {
                let yRange = ConvGeometry.validRange(offset: i * g.dilationHeight, stride: g.strideHeight, pad: g.padTop, size: h, outSize: oh)
                for j in 0..<g.kernelWidth {
                    let dst = columns + row * l
                    let xOffset = j * g.dilationWidth - g.padLeft
                    let xRange = ConvGeometry.validRange(offset: j * g.dilationWidth, stride: sw, pad: g.padLeft, size: w, outSize: ow)
                    for oy in 0..<oh {
                        let d = dst + oy * ow
                        guard yRange.contains(oy) else {
                            d.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + (oy * g.strideHeight - g.padTop + i * g.dilationHeight) * w + xOffset
                        if xRange.lowerBound > 0 { d.update(repeating: 0, count: xRange.lowerBound) }
                        if sw == 1 {
                            (d + xRange.lowerBound).update(from: src + xRange.lowerBound, count: xRange.count)
                        } else {
                            for ox in xRange { d[ox] = src[ox * sw] }
                        }
                        if xRange.upperBound < ow { (d + xRange.upperBound).update(repeating: 0, count: ow - xRange.upperBound) }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the column matrix `columns` `[C * kh * kw, outH * outW]` back into `image` `[C, H, W]`
    /// (the adjoint of `im2col`; `image` is accumulated into, not overwritten).
    @inlinable
    public static func col2im<T: BinaryFloatingPoint>(_ columns: UnsafePointer<T>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<T>) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let sw = g.strideWidth, l = oh * ow
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * h * w
            for i in 0..<g.kernelHeight {
                let yRange = ConvGeometry.validRange(offset: i * g.dilationHeight, stride: g.strideHeight, pad: g.padTop, size: h, outSize: oh)
                for j in 0..<g.kernelWidth {
                    let src = columns + row * l
                    let xOffset = j * g.dilationWidth - g.padLeft
                    let xRange = ConvGeometry.validRange(offset: j * g.dilationWidth, stride: sw, pad: g.padLeft, size: w, outSize: ow)
                    for oy in yRange {
                        let s = src + oy * ow
                        let d = plane + (oy * g.strideHeight - g.padTop + i * g.dilationHeight) * w + xOffset
                        if sw == 1 {
                            for ox in xRange { d[ox] += s[ox] }
                        } else {
                            for ox in xRange { d[ox * sw] += s[ox] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
