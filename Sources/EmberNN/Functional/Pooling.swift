// max_pool2d (with argmax indices for backward) and avg_pool2d, with padding, dilation and ceil_mode.
import Ember

extension F {
    /// 2-d max pooling, matching `torch.nn.functional.max_pool2d` (`stride` defaults to `kernelSize`).
    ///
    /// Windows may hang over the edge by `padding` (padded positions never win) and, with `ceilMode`,
    /// by one partial window at the end. The backward (`MaxPool2DWithIndicesBackward0`) routes each
    /// gradient to the position that won, as PyTorch does.
    ///
    /// Shape: `[N, C, H, W]` or `[C, H, W]` → `[N, C, H_out, W_out]`.
    ///
    /// ```swift
    /// let y = F.maxPool2d(x, kernelSize: 2)                              // halves H and W
    /// let z = F.maxPool2d(x, kernelSize: 3, stride: 2, padding: 1)
    /// ```
    public static func maxPool2d(_ input: Tensor, kernelSize: IntTuple, stride: IntTuple? = nil, padding: IntTuple = 0,
                                 dilation: IntTuple = 1, ceilMode: Bool = false) -> Tensor {
        maxPool2dWithIndices(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                             ceilMode: ceilMode, needIndices: GradMode.isEnabled && input.requiresGrad).output
    }

    /// `max_pool2d(..., return_indices=True)`: the pooled values and the flat `y * W + x` index of each
    /// maximum inside its plane (int64).
    public static func maxPool2dWithIndices(_ input: Tensor, kernelSize: IntTuple, stride: IntTuple? = nil, padding: IntTuple = 0,
                                            dilation: IntTuple = 1, ceilMode: Bool = false) -> (output: Tensor, indices: Tensor) {
        let (output, indices) = maxPool2dWithIndices(input, kernelSize: kernelSize, stride: stride, padding: padding,
                                                     dilation: dilation, ceilMode: ceilMode, needIndices: true)
        return (output, indices!)
    }

    /// Max pooling, with the argmax indices only when `needIndices` (the backward pass needs them; without
    /// them, inference runs the cheaper values-only kernel, as PyTorch does under `no_grad`).
    static func maxPool2dWithIndices(_ input: Tensor, kernelSize: IntTuple, stride: IntTuple?, padding: IntTuple,
                                     dilation: IntTuple, ceilMode: Bool, needIndices: Bool) -> (output: Tensor, indices: Tensor?) {
        let op = "max_pool2d"
        let (x4, batched) = poolInput(input, op: op)
        let k = poolTuple(kernelSize, op: op, name: "kernel_size")
        let s = stride.map { poolTuple($0, op: op, name: "stride") } ?? k
        let p = poolTuple(padding, op: op, name: "padding"), d = poolTuple(dilation, op: op, name: "dilation")
        emberCheck(k.allSatisfy { $0 > 0 }, op, "kernel size should be greater than zero, but got kH: \(k[0]) kW: \(k[1])")
        emberCheck(s.allSatisfy { $0 > 0 }, op, "stride should be greater than zero, but got dH: \(s[0]) dW: \(s[1])")
        emberCheck(d.allSatisfy { $0 > 0 }, op, "dilation should be greater than zero, but got dilationH: \(d[0]) dilationW: \(d[1])")
        emberCheck(p[0] >= 0 && p[1] >= 0 && p[0] <= (d[0] * (k[0] - 1) + 1) / 2 && p[1] <= (d[1] * (k[1] - 1) + 1) / 2, op,
                   "pad should be at most half of effective kernel size, but got pad=\(p[0]), kernel_size=\(k[0]) and dilation=\(d[0])")
        let (n, c, h, w) = (x4.shape[0], x4.shape[1], x4.shape[2], x4.shape[3])
        let oh = PoolLayout.outputSize(input: h, kernel: k[0], pad: p[0], stride: s[0], dilation: d[0], ceilMode: ceilMode)
        let ow = PoolLayout.outputSize(input: w, kernel: k[1], pad: p[1], stride: s[1], dilation: d[1], ceilMode: ceilMode)
        emberCheck(oh > 0 && ow > 0, op, "Given input size: (\(c)x\(h)x\(w)). Calculated output size: (\(c)x\(oh)x\(ow)). Output size is too small")
        let layout = PoolLayout(input: [n, c, h, w], output: [oh, ow], kernel: k, stride: s, padding: p, dilation: d)
        let x = x4.kernelInput
        let (out, indices) = x.backend.maxPool2d(x, layout, withIndices: needIndices)
        guard let indices else { return (batched ? out : out.squeeze(0), nil) }
        let inShape = x4.shape
        let result = record(out, "MaxPool2DWithIndicesBackward0", inputs: [x4]) { gOut in
            [maxPoolGradient(gOut, indices: indices, inputShape: inShape)]
        }
        return batched ? (result, indices) : (result.squeeze(0), indices.squeeze(0))
    }

    /// Scatters `gradOutput` into a zero tensor of `inputShape` at `indices` (flat per plane); differentiable
    /// in `gradOutput` (its own gradient gathers back at the same indices).
    static func maxPoolGradient(_ gradOutput: Tensor, indices: Tensor, inputShape: [Int]) -> Tensor {
        let gy = gradOutput.kernelInput
        let gx = gy.backend.maxPool2dBackward(gy, indices: indices, inputShape: inputShape)
        let outShape = gradOutput.shape
        return record(gx, "MaxPool2DWithIndicesBackwardBackward0", inputs: [gradOutput]) { gg in
            // The adjoint of a scatter at fixed indices is the gather at those indices (no autograd beyond it).
            let src = gg.kernelInput
            let gathered = src.backend.maxPool2dDoubleBackward(src, indices: indices.kernelInput, outputShape: outShape)
            return onceDifferentiable([gathered], "MaxPool2DWithIndicesBackwardBackward0", inputs: [gg])
        }
    }

    /// 2-d average pooling, matching `torch.nn.functional.avg_pool2d`.
    ///
    /// `countIncludePad` (PyTorch's default `true`) divides by the window size including zero padding;
    /// `divisorOverride` replaces the divisor.
    ///
    /// Shape: `[N, C, H, W]` or `[C, H, W]` → `[N, C, H_out, W_out]`.
    ///
    /// ```swift
    /// let y = F.avgPool2d(x, kernelSize: 3, stride: 1, padding: 1)   // same H, W
    /// ```
    public static func avgPool2d(_ input: Tensor, kernelSize: IntTuple, stride: IntTuple? = nil, padding: IntTuple = 0,
                                 ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
        let op = "avg_pool2d"
        let (x4, batched) = poolInput(input, op: op)
        let k = poolTuple(kernelSize, op: op, name: "kernel_size")
        let s = stride.map { poolTuple($0, op: op, name: "stride") } ?? k
        let p = poolTuple(padding, op: op, name: "padding")
        emberCheck(k.allSatisfy { $0 > 0 }, op, "kernel size should be greater than zero, but got kH: \(k[0]) kW: \(k[1])")
        emberCheck(s.allSatisfy { $0 > 0 }, op, "stride should be greater than zero, but got dH: \(s[0]) dW: \(s[1])")
        emberCheck(p[0] >= 0 && p[1] >= 0 && p[0] <= k[0] / 2 && p[1] <= k[1] / 2, op,
                   "pad should be at most half of kernel size, but got pad=\(p[0]) and kernel_size=\(k[0])")
        if let dv = divisorOverride { emberCheck(dv != 0, op, "divisor must be not zero") }
        let (n, c, h, w) = (x4.shape[0], x4.shape[1], x4.shape[2], x4.shape[3])
        let oh = PoolLayout.outputSize(input: h, kernel: k[0], pad: p[0], stride: s[0], dilation: 1, ceilMode: ceilMode)
        let ow = PoolLayout.outputSize(input: w, kernel: k[1], pad: p[1], stride: s[1], dilation: 1, ceilMode: ceilMode)
        emberCheck(oh > 0 && ow > 0, op, "Given input size: (\(c)x\(h)x\(w)). Calculated output size: (\(c)x\(oh)x\(ow)). Output size is too small")
        let layout = PoolLayout(input: [n, c, h, w], output: [oh, ow], kernel: k, stride: s, padding: p)
        let options = AvgPoolOptions(countIncludePad: countIncludePad, divisorOverride: divisorOverride)
        let x = x4.kernelInput
        let out = x.backend.avgPool2d(x, layout, options)
        let result = record(out, "AvgPool2DBackward0", inputs: [x4]) { gOut in
            let gy = gOut.kernelInput
            let gx = gy.backend.avgPool2dBackward(gy, layout, options)
            // Average pooling is linear: the adjoint of its backward is the pooling itself.
            return [record(gx, "AvgPool2DBackwardBackward0", inputs: [gOut]) { gg in
                [F.avgPool2d(gg, kernelSize: k, stride: s, padding: p, ceilMode: ceilMode,
                             countIncludePad: countIncludePad, divisorOverride: divisorOverride)]
            }]
        }
        return batched ? result : result.squeeze(0)
    }

    /// Checks a pooling input (3-d or 4-d float) and returns it as 4-d with a flag saying whether it was batched.
    static func poolInput(_ input: Tensor, op: String) -> (Tensor, Bool) {
        emberCheck(input.rank == 3 || input.rank == 4, op, "Expected 3D or 4D (batch mode) tensor for input, but got: \(shapeString(input.shape))")
        checkFloatInputs(op, ("input", input))
        emberCheck(input.shape[input.rank - 2] > 0 && input.shape[input.rank - 1] > 0, op,
                   "Expected input's non-batch dimensions to have positive length, but input has a shape of \(shapeString(input.shape))")
        return input.rank == 4 ? (input, true) : (input.unsqueeze(0), false)
    }

    /// Expands a pooling int-or-pair argument to two values.
    static func poolTuple(_ v: IntTuple, op: String, name: String) -> [Int] {
        let vals = v.intValues
        emberCheck(vals.count == 1 || vals.count == 2, op, "\(name) must either be a single int, or a tuple of two ints")
        return vals.count == 1 ? [vals[0], vals[0]] : vals
    }
}
