// interpolate: bilinear (align_corners false/true) and legacy nearest resampling of NCHW tensors, with backward.
import Ember

/// A resize factor: one number for every spatial dim or one per dim (`scaleFactor: 2`, `scaleFactor: [1.5, 2]`).
public protocol ScaleFactorSpec {
    /// The factors given (one value means "the same for every spatial dim").
    var scaleValues: [Double] { get }
}
extension Double: ScaleFactorSpec { public var scaleValues: [Double] { [self] } }
extension Int: ScaleFactorSpec { public var scaleValues: [Double] { [Double(self)] } }
extension Array: ScaleFactorSpec where Element == Double { public var scaleValues: [Double] { self } }

extension F {
    /// Resampling algorithms of `interpolate` (PyTorch's `mode=` strings).
    public enum InterpolationMode: String, Sendable {
        /// PyTorch's legacy `"nearest"`: source index `floor(dst · in / out)`.
        case nearest
        /// `"bilinear"`, with or without `align_corners`.
        case bilinear
    }

    /// Resizes a `[N, C, H, W]` tensor, matching `torch.nn.functional.interpolate` for `nearest` and `bilinear`.
    ///
    /// Give exactly one of `size` (`Int` or `[h, w]`) and `scaleFactor` (`2`, `1.5` or `[sh, sw]`). As in
    /// PyTorch (without `recompute_scale_factor`), a given scale factor is used directly in the index
    /// formula. `alignCorners` only applies to `bilinear` (default `false`, PyTorch's default).
    ///
    /// Shape: `[N, C, H, W]` → `[N, C, outH, outW]`.
    ///
    /// ```swift
    /// let up = F.interpolate(x, scaleFactor: 2, mode: .nearest)
    /// let y = F.interpolate(x, size: [7, 5], mode: .bilinear, alignCorners: false)
    /// ```
    public static func interpolate(_ input: Tensor, size: IntTuple? = nil, scaleFactor: ScaleFactorSpec? = nil,
                                   mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) -> Tensor {
        let op = "interpolate"
        emberCheck(input.rank == 4, op, "only 4-D input [N, C, H, W] is supported for mode '\(mode.rawValue)', but got input of size: \(shapeString(input.shape))")
        checkFloatInputs(op, ("input", input))
        emberCheck((size == nil) != (scaleFactor == nil), op, "only one of size or scale_factor should be defined")
        if mode == .nearest {
            emberCheck(alignCorners == nil, op, "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")
        }
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var outSize: [Int], scales: [Double?]
        if let size = size {
            let s = size.intValues
            emberCheck(s.count == 1 || s.count == 2, op, "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [\(h), \(w)] and output size of \(shapeString(s)). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            outSize = s.count == 1 ? [s[0], s[0]] : s
            scales = [nil, nil]
        } else {
            let f = scaleFactor!.scaleValues
            emberCheck(f.count == 1 || f.count == 2, op, "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [\(h), \(w)] and scale_factor of shape \(f).")
            let sf = f.count == 1 ? [f[0], f[0]] : f
            outSize = [Int((Double(h) * sf[0]).rounded(.down)), Int((Double(w) * sf[1]).rounded(.down))]
            scales = [sf[0], sf[1]]
        }
        emberCheck(outSize[0] > 0 && outSize[1] > 0, op, "Input and output sizes should be greater than 0, but got input (H: \(h), W: \(w)) output (H: \(outSize[0]), W: \(outSize[1]))")
        let (oh, ow) = (outSize[0], outSize[1])
        let layout = InterpolationLayout(mode: mode == .nearest ? .nearest : .bilinear(alignCorners: alignCorners ?? false),
                                         outHeight: oh, outWidth: ow, scales: scales)
        let x = input.kernelInput
        let out = x.backend.interpolate2d(x, layout)
        // Literal node names (PyTorch's), so the op registry's coverage scan finds them.
        let (node, nodeOfBackward) = mode == .nearest ? ("UpsampleNearest2DBackward0", "UpsampleNearest2DBackwardBackward0")
                                             : ("UpsampleBilinear2DBackward0", "UpsampleBilinear2DBackwardBackward0")
        return record(out, node, inputs: [input]) { gOut in
            let gy = gOut.kernelInput
            let gx = gy.backend.interpolate2dBackward(gy, inputShape: [n, c, h, w], layout)
            return [record(gx, nodeOfBackward, inputs: [gOut]) { gg in
                // Linear: the adjoint of the backward is the interpolation itself.
                [F.interpolate(gg, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)]
            }]
        }
    }
}
