// Convolution gradients written with differentiable ops, for backward passes that are themselves recorded
// (`createGraph`: gradient penalties, Hessian-vector products). The fast kernels serve every other backward.
import Ember

extension F {
    /// The weight gradient of a convolution, `Σ gradOutput ⋆ input`, as a differentiable expression:
    /// per group, a convolution of the (explicitly padded) input with the output gradient as its kernel,
    /// batch and channel dimensions swapped, stride and dilation exchanged.
    ///
    /// `input` `[N, C, H, W]`, `gradOutput` `[N, O, H_out, W_out]` → `[O, C / groups, kernel[0], kernel[1]]`.
    static func convolutionWeightGradient(input: Tensor, gradOutput: Tensor, kernel: [Int], padBefore: [Int],
                                          padAfter: [Int], stride: [Int], dilation: [Int], groups: Int) -> Tensor {
        let padded = F.pad(input, [padBefore[1], padAfter[1], padBefore[0], padAfter[0]])
        let cg = input.shape[1] / groups, og = gradOutput.shape[1] / groups
        let perGroup = (0..<groups).map { gr -> Tensor in
            let x = padded.narrow(1, start: gr * cg, length: cg).transpose(0, 1)        // [C/g, N, Hp, Wp]
            let g = gradOutput.narrow(1, start: gr * og, length: og).transpose(0, 1)    // [O/g, N, Ho, Wo]
            // out[c, o, i, j] = Σ_n Σ_y,x x[c, n, i·d + y·s, j·d + x·s] · g[o, n, y, x]
            let full = F.conv2d(x, g, stride: dilation, dilation: stride)               // [C/g, O/g, ≥kh, ≥kw]
            return full.narrow(2, start: 0, length: kernel[0]).narrow(3, start: 0, length: kernel[1]).transpose(0, 1)
        }
        return groups == 1 ? perGroup[0] : Tensor.cat(perGroup, dim: 0)
    }

    /// Input, weight and bias gradients of `conv2d` (padding `padBefore`/`padAfter` per dimension) as
    /// differentiable expressions: the input gradient is a transposed convolution of the output gradient,
    /// cropped to the input; the weight gradient is `convolutionWeightGradient`.
    static func differentiableConvolutionGrads(input: Tensor, weight: Tensor, gradOutput g: Tensor, padBefore: [Int],
                                               padAfter: [Int], stride: [Int], dilation: [Int], groups: Int,
                                               needs: GradientNeeds) -> FusedGradients {
        let kernel = [weight.shape[2], weight.shape[3]]
        var gx: Tensor?
        if needs.input {
            let size = [input.shape[2], input.shape[3]], out = [g.shape[2], g.shape[3]]
            // The transposed convolution covers the padded input but for the last (size - 1) mod stride rows.
            var extra = [0, 0]
            for d in 0..<2 {
                let padded = size[d] + padBefore[d] + padAfter[d]
                let covered: Int = (out[d] - 1) * stride[d] + dilation[d] * (kernel[d] - 1) + 1
                extra[d] = padded - covered
            }
            let full = F.convTranspose2d(g, weight, stride: stride, outputPadding: extra, groups: groups, dilation: dilation)
            gx = full.narrow(2, start: padBefore[0], length: size[0]).narrow(3, start: padBefore[1], length: size[1])
        }
        let gw = needs.weight
            ? convolutionWeightGradient(input: input, gradOutput: g, kernel: kernel, padBefore: padBefore, padAfter: padAfter,
                                        stride: stride, dilation: dilation, groups: groups)
            : nil
        return FusedGradients(input: gx, weight: gw, bias: needs.bias ? g.sum(dims: [0, 2, 3]) : nil)
    }
}
