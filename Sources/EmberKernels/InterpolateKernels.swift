// Resampling loops over contiguous [planes, H, W] buffers: bilinear and legacy-nearest, forward and adjoint.

/// Interpolation kernels with PyTorch's index formulas (`UpSample.h`).
public enum InterpolateKernels {
    /// PyTorch's `area_pixel_compute_scale`: the source step per output pixel. `scale` is the user's
    /// scale factor when one was given (then `1 / scale` is used, as PyTorch does without
    /// `recompute_scale_factor`).
    ///
    /// - Parameters:
    ///   - input: The input size along the axis.
    ///   - output: The output size along the axis.
    ///   - alignCorners: Align the corner pixels' centres (PyTorch's `align_corners`).
    ///   - scale: The user's scale factor, if one was given.
    @inlinable
    public static func areaPixelScale<T: BinaryFloatingPoint>(input: Int, output: Int, alignCorners: Bool, scale: Double?) -> T {
        if alignCorners { return output > 1 ? T(input - 1) / T(output - 1) : 0 }
        if let s = scale, s > 0 { return T(1 / s) }
        return T(input) / T(output)
    }

    /// Source indices and weights of linear interpolation along one axis: `(i0, i1, w0, w1)` per output index.
    @inlinable
    static func linearTaps<T: BinaryFloatingPoint>(input: Int, output: Int, scale: T, alignCorners: Bool)
        -> (i0: [Int], i1: [Int], w0: [T], w1: [T]) {
        var i0 = [Int](repeating: 0, count: output), i1 = i0
        var w0 = [T](repeating: 0, count: output), w1 = w0
        for o in 0..<output {
            var src: T
            if alignCorners { src = scale * T(o) } else { src = Swift.max(scale * (T(o) + 0.5) - 0.5, 0) }
            let lo = Swift.min(Int(src), input - 1)
            let hi = lo + (lo < input - 1 ? 1 : 0)
            let l1 = Swift.min(Swift.max(src - T(lo), 0), 1)
            i0[o] = lo; i1[o] = hi; w1[o] = l1; w0[o] = 1 - l1
        }
        return (i0, i1, w0, w1)
    }

    /// Bilinear resampling of `planes` planes `[h, w]` to `[oh, ow]` with the given per-axis scales.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - oh: The output height.
    ///   - ow: The output width.
    ///   - scaleH: The vertical source step per output pixel (`areaPixelScale`).
    ///   - scaleW: The horizontal source step per output pixel.
    ///   - alignCorners: Align the corner pixels' centres (PyTorch's `align_corners`).
    ///   - dst: The output planes (overwritten).
    @inlinable
    public static func bilinearForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                              outHeight oh: Int, outWidth ow: Int, scaleH: T, scaleW: T,
                                                              alignCorners: Bool, _ dst: UnsafeMutablePointer<T>) {
        let ty = linearTaps(input: h, output: oh, scale: scaleH, alignCorners: alignCorners)
        let tx = linearTaps(input: w, output: ow, scale: scaleW, alignCorners: alignCorners)
        for p in 0..<planes {
            let s = src + p * h * w, d = dst + p * oh * ow
            for oy in 0..<oh {
                let r0 = s + ty.i0[oy] * w, r1 = s + ty.i1[oy] * w
                let a0 = ty.w0[oy], a1 = ty.w1[oy]
                for ox in 0..<ow {
                    let x0 = tx.i0[ox], x1 = tx.i1[ox]
                    d[oy * ow + ox] = a0 * (tx.w0[ox] * r0[x0] + tx.w1[ox] * r0[x1]) + a1 * (tx.w0[ox] * r1[x0] + tx.w1[ox] * r1[x1])
                }
            }
        }
    }

    /// Adjoint of `bilinearForward`: spreads each output gradient over its four taps (accumulates into `gradIn`).
    ///
    /// - Parameters:
    ///   - gradOut: The output gradient planes.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - oh: The output height.
    ///   - ow: The output width.
    ///   - scaleH: The vertical source step per output pixel (`areaPixelScale`).
    ///   - scaleW: The horizontal source step per output pixel.
    ///   - alignCorners: Align the corner pixels' centres (PyTorch's `align_corners`).
    ///   - gradIn: The input gradient planes (accumulated into).
    @inlinable
    public static func bilinearBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                               outHeight oh: Int, outWidth ow: Int, scaleH: T, scaleW: T,
                                                               alignCorners: Bool, _ gradIn: UnsafeMutablePointer<T>) {
        let ty = linearTaps(input: h, output: oh, scale: scaleH, alignCorners: alignCorners)
        let tx = linearTaps(input: w, output: ow, scale: scaleW, alignCorners: alignCorners)
        for p in 0..<planes {
            let go = gradOut + p * oh * ow, gi = gradIn + p * h * w
            for oy in 0..<oh {
                let r0 = gi + ty.i0[oy] * w, r1 = gi + ty.i1[oy] * w
                let a0 = ty.w0[oy], a1 = ty.w1[oy]
                for ox in 0..<ow {
                    let g = go[oy * ow + ox]
                    let x0 = tx.i0[ox], x1 = tx.i1[ox]
                    r0[x0] += a0 * tx.w0[ox] * g; r0[x1] += a0 * tx.w1[ox] * g
                    r1[x0] += a1 * tx.w0[ox] * g; r1[x1] += a1 * tx.w1[ox] * g
                }
            }
        }
    }

    /// PyTorch's legacy `nearest` source index: `min(floor(o * scale), in - 1)`, with exact shortcuts
    /// for equal sizes and exact doubling.
    ///
    /// - Parameters:
    ///   - input: The input size along the axis.
    ///   - output: The output size along the axis.
    ///   - scale: The user's scale factor, if one was given.
    @inlinable
    public static func nearestIndices(input: Int, output: Int, scale: Double?) -> [Int] {
        if output == input { return Array(0..<output) }
        if output == 2 * input { return (0..<output).map { $0 >> 1 } }
        // PyTorch computes this scale in float (`compute_scales_value<float>`).
        let s: Float = (scale.map { $0 > 0 ? Float(1 / $0) : nil } ?? nil) ?? Float(input) / Float(output)
        return (0..<output).map { Swift.min(Int((Float($0) * s).rounded(.down)), input - 1) }
    }

    /// Nearest resampling with precomputed source rows/columns.
    ///
    /// - Parameters:
    ///   - src: The input planes, contiguous.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - rows: The source row of each output row (`nearestIndices`).
    ///   - columns: The source column of each output column.
    ///   - dst: The output planes (overwritten).
    @inlinable
    public static func nearestForward<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                             rows: [Int], columns: [Int], _ dst: UnsafeMutablePointer<T>) {
        let oh = rows.count, ow = columns.count
        for p in 0..<planes {
            let s = src + p * h * w, d = dst + p * oh * ow
            for oy in 0..<oh {
                let r = s + rows[oy] * w
                for ox in 0..<ow { d[oy * ow + ox] = r[columns[ox]] }
            }
        }
    }

    /// Adjoint of `nearestForward` (accumulates into `gradIn`).
    ///
    /// - Parameters:
    ///   - gradOut: The output gradient planes.
    ///   - planes: The number of planes (N · C).
    ///   - h: The input height.
    ///   - w: The input width.
    ///   - rows: The source row of each output row (`nearestIndices`).
    ///   - columns: The source column of each output column.
    ///   - gradIn: The input gradient planes (accumulated into).
    @inlinable
    public static func nearestBackward<T: BinaryFloatingPoint>(_ gradOut: UnsafePointer<T>, planes: Int, height h: Int, width w: Int,
                                                              rows: [Int], columns: [Int], _ gradIn: UnsafeMutablePointer<T>) {
        let oh = rows.count, ow = columns.count
        for p in 0..<planes {
            let go = gradOut + p * oh * ow, gi = gradIn + p * h * w
            for oy in 0..<oh {
                let r = gi + rows[oy] * w
                for ox in 0..<ow { r[columns[ox]] += go[oy * ow + ox] }
            }
        }
    }
}
