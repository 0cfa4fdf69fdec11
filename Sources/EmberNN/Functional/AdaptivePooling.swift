// adaptive_avg_pool2d and adaptive_max_pool2d: fixed output size, PyTorch's floor/ceil window formulas.
import Ember

extension F {
    /// Adaptive 2-d average pooling to `outputSize`, matching `torch.nn.functional.adaptive_avg_pool2d`.
    ///
    /// Output cell `o` averages input rows `floor(o·H/out) ..< ceil((o+1)·H/out)` (windows may overlap when
    /// the sizes do not divide). `outputSize` is an `Int` or `[h, w]`; `(1, 1)` is global average pooling.
    ///
    /// Shape: `[N, C, H, W]` or `[C, H, W]` → `[N, C, outH, outW]`.
    ///
    /// ```swift
    /// let pooled = F.adaptiveAvgPool2d(features, outputSize: 1)   // [N, C, 1, 1], as in ResNet's head
    /// ```
    public static func adaptiveAvgPool2d(_ input: Tensor, outputSize: IntTuple) -> Tensor {
        let op = "adaptive_avg_pool2d"
        let (x4, batched) = poolInput(input, op: op)
        let size = adaptiveSize(outputSize, op: op)
        let (n, c, h, w) = (x4.shape[0], x4.shape[1], x4.shape[2], x4.shape[3])
        let (oh, ow) = (size[0], size[1])
        let x = x4.kernelInput
        let out = x.backend.adaptiveAvgPool2d(x, outputSize: [oh, ow])
        let result = record(out, "AdaptiveAvgPool2DBackward0", inputs: [x4]) { gOut in
            if oh == 1 && ow == 1 {
                // Differentiable form: the gradient of a mean is the spread-out gradient.
                return [gOut.expand([n, c, h, w]) / Double(h * w)]
            }
            let gy = gOut.kernelInput
            let gx = gy.backend.adaptiveAvgPool2dBackward(gy, inputShape: [n, c, h, w])
            // Linear: the adjoint of the backward is the pooling itself.
            return [record(gx, "AdaptiveAvgPool2DBackwardBackward0", inputs: [gOut]) { gg in
                [F.adaptiveAvgPool2d(gg, outputSize: [oh, ow])]
            }]
        }
        return batched ? result : result.squeeze(0)
    }

    /// Adaptive 2-d max pooling to `outputSize`, matching `torch.nn.functional.adaptive_max_pool2d`.
    ///
    /// Same windows as `adaptiveAvgPool2d`; the gradient goes to each window's maximum.
    ///
    /// Shape: `[N, C, H, W]` or `[C, H, W]` → `[N, C, outH, outW]`.
    ///
    /// ```swift
    /// let y = F.adaptiveMaxPool2d(x, outputSize: [3, 2])
    /// ```
    public static func adaptiveMaxPool2d(_ input: Tensor, outputSize: IntTuple) -> Tensor {
        adaptiveMaxPool2dWithIndices(input, outputSize: outputSize).output
    }

    /// `adaptive_max_pool2d(..., return_indices=True)`: values and flat per-plane argmax indices (int64).
    public static func adaptiveMaxPool2dWithIndices(_ input: Tensor, outputSize: IntTuple) -> (output: Tensor, indices: Tensor) {
        let op = "adaptive_max_pool2d"
        let (x4, batched) = poolInput(input, op: op)
        let size = adaptiveSize(outputSize, op: op)
        let x = x4.kernelInput
        let (out, indices) = x.backend.adaptiveMaxPool2d(x, outputSize: size)
        let inShape = x4.shape
        let result = record(out, "AdaptiveMaxPool2DBackward0", inputs: [x4]) { gOut in
            [maxPoolGradient(gOut, indices: indices, inputShape: inShape)]
        }
        return batched ? (result, indices) : (result.squeeze(0), indices.squeeze(0))
    }

    /// Expands and checks an adaptive output size.
    static func adaptiveSize(_ v: IntTuple, op: String) -> [Int] {
        let vals = v.intValues
        emberCheck(vals.count == 1 || vals.count == 2, op, "output_size must be 2")
        let s = vals.count == 1 ? [vals[0], vals[0]] : vals
        emberCheck(s[0] > 0 && s[1] > 0, op, "elements of output_size must be greater than or equal to 0 but received {\(s[0]), \(s[1])}")
        return s
    }
}
