// conv_transpose2d: the adjoint of conv2d (the backend's GEMM + col2im), with output_padding, groups and dilation.
import Ember

extension F {
    /// 2-d transposed convolution ("deconvolution"), matching `torch.nn.functional.conv_transpose2d`.
    ///
    /// It is the gradient of `conv2d` with respect to its input: each input pixel scatters a weighted
    /// kernel into the output. Argument order follows PyTorch (`outputPadding` before `groups`, `dilation` last).
    ///
    /// Shape: input `[N, Cin, H, W]` (or unbatched), weight `[Cin, Cout / groups, kH, kW]`, bias `[Cout]` →
    /// `[N, Cout, (H − 1)·sH − 2·pH + dH·(kH − 1) + opH + 1, …]`.
    ///
    /// ```swift
    /// let up = F.convTranspose2d(x, w, stride: 2, padding: 1)   // x [1, 3, 4, 4], w [3, 2, 3, 3] -> [1, 2, 7, 7]
    /// ```
    public static func convTranspose2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: IntTuple = 1,
                                       padding: IntTuple = 0, outputPadding: IntTuple = 0, groups: Int = 1,
                                       dilation: IntTuple = 1) -> Tensor {
        let op = "conv_transpose2d"
        emberCheck(input.rank == 3 || input.rank == 4, op, "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: \(shapeString(input.shape))")
        if input.rank == 3 {
            return convTranspose2d(input.unsqueeze(0), weight, bias: bias, stride: stride, padding: padding,
                                   outputPadding: outputPadding, groups: groups, dilation: dilation).squeeze(0)
        }
        emberCheck(weight.rank == 4, op, "Expected 4-dimensional weight for 4-dimensional input \(shapeString(input.shape)), but got \(weight.rank)-dimensional weight of size \(shapeString(weight.shape)) instead")
        checkFloatInputs(op, ("input", input), ("weight", weight))
        if let b = bias { checkFloatInputs(op, ("input", input), ("bias", b)) }
        let s = expandTuple(stride, 2, op: op, name: "stride"), p = expandTuple(padding, 2, op: op, name: "padding")
        let op2 = expandTuple(outputPadding, 2, op: op, name: "output_padding"), d = expandTuple(dilation, 2, op: op, name: "dilation")
        emberCheck(groups > 0, op, "non-positive groups is not supported")
        emberCheck(s.allSatisfy { $0 > 0 }, op, "non-positive stride is not supported")
        emberCheck(d.allSatisfy { $0 > 0 }, op, "dilation should be greater than zero")
        emberCheck(p.allSatisfy { $0 >= 0 }, op, "negative padding is not supported")
        emberCheck(op2[0] >= 0 && op2[1] >= 0 && op2[0] < Swift.max(s[0], d[0]) && op2[1] < Swift.max(s[1], d[1]), op,
                   "output padding must be smaller than either stride or dilation, but got output_padding_height: \(op2[0]) output_padding_width: \(op2[1]) stride_height: \(s[0]) stride_width: \(s[1]) dilation_height: \(d[0]) dilation_width: \(d[1])")
        let (n, cin, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (wcin, coutg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        emberCheck(wcin % groups == 0, op, "Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(shapeString(weight.shape)) instead")
        emberCheck(cin == wcin, op, "Given transposed=1, weight of size \(shapeString(weight.shape)), expected input\(shapeString(input.shape)) to have \(wcin) channels, but got \(cin) channels instead")
        let cout = coutg * groups
        if let b = bias {
            emberCheck(b.rank == 1 && b.shape[0] == cout, op, "Given transposed=1, weight of size \(shapeString(weight.shape)), expected bias to be 1-dimensional with \(cout) elements, but got bias of size \(shapeString(b.shape)) instead")
        }
        let oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op2[0] + 1
        let ow = (w - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op2[1] + 1
        emberCheck(oh > 0 && ow > 0, op, "Given input size per channel: (\(h) x \(w)). Calculated output size per channel: (\(oh) x \(ow)). Output size is too small")
        // The convolution this one is the adjoint of: from the [Cout, oh, ow] output image back to the [Cin, h, w] grid.
        let layout = ConvolutionLayout(batch: n, groups: groups, outChannels: cin, channelsPerGroup: coutg, image: [oh, ow],
                                       kernel: [kh, kw], stride: s, padBefore: p, dilation: d, output: [h, w])
        let x = input.kernelInput, wt = weight.kernelInput
        let out = x.backend.convolutionTransposed(x, weight: wt, bias: bias?.kernelInput, layout)
        return record(out, "ConvolutionBackward0", input: input, weight: weight, bias: bias, saved: [input, weight]) { g, needs in
            // Differentiable expressions: the input gradient is the forward convolution of g; the weight gradient
            // is a convolution's, with g as its input (padded by p before and p - output_padding after) and this
            // input as its gradient.
            let gx = needs.input ? F.conv2d(g, weight, stride: s, padding: p, dilation: d, groups: groups)
                .narrow(2, start: 0, length: h).narrow(3, start: 0, length: w) : nil
            let gw = needs.weight
                ? convolutionWeightGradient(input: g, gradOutput: input, kernel: [kh, kw], padBefore: p,
                                            padAfter: [p[0] - op2[0], p[1] - op2[1]], stride: s, dilation: d, groups: groups)
                : nil
            return FusedGradients(input: gx, weight: gw, bias: needs.bias ? g.sum(dims: [0, 2, 3]) : nil)
        } fused: { g, needs in
            x.backend.convolutionTransposedBackward(input: x, weight: wt, gradOutput: g.kernelInput, layout, needs: needs)
        }
    }
}
