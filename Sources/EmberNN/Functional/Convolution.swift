// conv1d and conv2d (stride, padding incl. "same"/"valid", dilation, groups, bias): checks, then the backend's convolution.
import Ember

extension F {
    /// 2-d convolution over NCHW input, matching `torch.nn.functional.conv2d` (cross-correlation, as PyTorch).
    ///
    /// `stride`, `dilation` take an `Int` or `[h, w]`; `padding` an `Int`, `[h, w]`, `"same"` or `"valid"`.
    /// Unbatched `[C, H, W]` input is accepted, as in PyTorch. Float32 and float64; integer tensors of one dtype
    /// give an exact integer result of that dtype (computed in float64, exact while sums stay below 2^53).
    ///
    /// Shape: input `[N, C, H, W]`, weight `[O, C / groups, kH, kW]`, bias `[O]` →
    /// `[N, O, (H + 2·pH − dH·(kH − 1) − 1) / sH + 1, …]`.
    ///
    /// ```swift
    /// let x = Tensor.ones([1, 3, 8, 8]), w = Tensor.ones([6, 3, 3, 3])
    /// let y = F.conv2d(x, w, stride: 2, padding: 1)   // [1, 6, 4, 4]
    /// ```
    public static func conv2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: IntTuple = 1,
                              padding: ConvPaddingSpec = 0, dilation: IntTuple = 1, groups: Int = 1) -> Tensor {
        let op = "conv2d"
        emberCheck(input.rank == 3 || input.rank == 4, op, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: \(shapeString(input.shape))")
        if input.rank == 3 {
            return conv2d(input.unsqueeze(0), weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups).squeeze(0)
        }
        emberCheck(weight.rank == 4, op, "Expected 4-dimensional weight for 4-dimensional input \(shapeString(input.shape)), but got \(weight.rank)-dimensional weight of size \(shapeString(weight.shape)) instead")
        return convolution(input, weight, bias: bias, stride: expandTuple(stride, 2, op: op, name: "stride"),
                           padding: padding.convPadding, dilation: expandTuple(dilation, 2, op: op, name: "dilation"), groups: groups, op: op)
    }

    /// 1-d convolution over NCL input, matching `torch.nn.functional.conv1d`.
    ///
    /// Shape: input `[N, C, L]` (or unbatched `[C, L]`), weight `[O, C / groups, k]`, bias `[O]` → `[N, O, L_out]`.
    ///
    /// ```swift
    /// let y = F.conv1d(x, w, padding: 1)   // x [2, 3, 10], w [4, 3, 3] -> [2, 4, 10]
    /// ```
    public static func conv1d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: IntTuple = 1,
                              padding: ConvPaddingSpec = 0, dilation: IntTuple = 1, groups: Int = 1) -> Tensor {
        let op = "conv1d"
        emberCheck(input.rank == 2 || input.rank == 3, op, "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: \(shapeString(input.shape))")
        if input.rank == 2 {
            return conv1d(input.unsqueeze(0), weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups).squeeze(0)
        }
        emberCheck(weight.rank == 3, op, "Expected 3-dimensional weight for 3-dimensional input \(shapeString(input.shape)), but got \(weight.rank)-dimensional weight of size \(shapeString(weight.shape)) instead")
        // A 1-d convolution is a 2-d one over a height-1 image.
        let pad: ConvPadding
        switch padding.convPadding {
        case .explicit(let p): pad = .explicit([0] + expandTuple(p, 1, op: op, name: "padding"))
        case let other: pad = other
        }
        let out = convolution(input.unsqueeze(2), weight.unsqueeze(2), bias: bias,
                              stride: [1] + expandTuple(stride, 1, op: op, name: "stride"), padding: pad,
                              dilation: [1] + expandTuple(dilation, 1, op: op, name: "dilation"), groups: groups, op: op)
        return out.squeeze(2)
    }

    /// Shared 2-d convolution: argument checks, forward kernel, and `ConvolutionBackward0`.
    static func convolution(_ input: Tensor, _ weight: Tensor, bias: Tensor?, stride: [Int], padding: ConvPadding,
                            dilation: [Int], groups: Int, op: String) -> Tensor {
        if input.dtype.isInteger && weight.dtype.isInteger {
            // Integer convolution (the notes' first example, `conv2d` of int64 tensors): computed in float64,
            // where sums of integer products are exact below 2^53, and given back in the inputs' dtype, as PyTorch.
            emberCheck(input.dtype == weight.dtype && (bias.map { $0.dtype == input.dtype } ?? true), op,
                       "expected input, weight and bias of one dtype, got \(input.dtype), \(weight.dtype)\(bias.map { " and \($0.dtype)" } ?? "")")
            let out = convolution(input.double(), weight.double(), bias: bias?.double(), stride: stride, padding: padding,
                                  dilation: dilation, groups: groups, op: op)
            return out.round().to(input.dtype)
        }
        checkFloatInputs(op, ("input", input), ("weight", weight))
        if let b = bias { checkFloatInputs(op, ("input", input), ("bias", b)) }
        emberCheck(groups > 0, op, "non-positive groups is not supported")
        emberCheck(stride.allSatisfy { $0 > 0 }, op, "non-positive stride is not supported")
        emberCheck(dilation.allSatisfy { $0 > 0 }, op, "dilation should be greater than zero")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (o, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        emberCheck(o % groups == 0, op, "Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(shapeString(weight.shape)) instead")
        emberCheck(c == cg * groups, op, "Given groups=\(groups), weight of size \(shapeString(weight.shape)), expected input\(shapeString(input.shape)) to have \(cg * groups) channels, but got \(c) channels instead")
        if let b = bias {
            emberCheck(b.rank == 1 && b.shape[0] == o, op, "Given weight of size \(shapeString(weight.shape)), expected bias to be 1-dimensional with \(o) elements, but got bias of size \(shapeString(b.shape)) instead")
        }
        // Resolve padding into (top, left) and total per dim; "same" may be asymmetric (extra on the right).
        var padBefore = [0, 0], padTotal = [0, 0]
        let span = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)]
        switch padding {
        case .valid: break
        case .same:
            emberCheck(stride.allSatisfy { $0 == 1 }, op, "padding='same' is not supported for strided convolutions")
            padTotal = span
            padBefore = [span[0] / 2, span[1] / 2]
        case .explicit(let p):
            let pp = expandTuple(p, 2, op: op, name: "padding")
            emberCheck(pp.allSatisfy { $0 >= 0 }, op, "negative padding is not supported")
            padBefore = pp
            padTotal = [2 * pp[0], 2 * pp[1]]
        }
        let paddedH = h + padTotal[0], paddedW = w + padTotal[1]
        emberCheck(paddedH >= span[0] + 1 && paddedW >= span[1] + 1, op, "Calculated padded input size per channel: (\(paddedH) x \(paddedW)). Kernel size: (\(span[0] + 1) x \(span[1] + 1)). Kernel size can't be greater than actual input size")
        let layout = ConvolutionLayout(batch: n, groups: groups, outChannels: o, channelsPerGroup: cg, image: [h, w], kernel: [kh, kw],
                                       stride: stride, padBefore: padBefore, dilation: dilation,
                                       output: [(paddedH - span[0] - 1) / stride[0] + 1, (paddedW - span[1] - 1) / stride[1] + 1])
        let x = input.kernelInput, wt = weight.kernelInput
        let out = x.backend.convolution(x, weight: wt, bias: bias?.kernelInput, layout)
        let padAfter = [padTotal[0] - padBefore[0], padTotal[1] - padBefore[1]]
        return record(out, "ConvolutionBackward0", input: input, weight: weight, bias: bias, saved: [input, weight]) { g, needs in
            differentiableConvolutionGrads(input: input, weight: weight, gradOutput: g, padBefore: padBefore, padAfter: padAfter,
                                           stride: stride, dilation: dilation, groups: groups, needs: needs)
        } fused: { g, needs in
            x.backend.convolutionBackward(input: x, weight: wt, gradOutput: g.kernelInput, layout, needs: needs)
        }
    }
}
