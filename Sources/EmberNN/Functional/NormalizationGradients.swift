// Batch- and layer-norm gradients written with differentiable ops, for backward passes that are themselves
// recorded (`createGraph`). The fused kernels serve every other backward.
import Ember

extension F {
    /// Gradients of `y = x̂ · w + b` with `x̂ = (x − mean) · invstd` over `dims`, as differentiable expressions.
    ///
    /// With `fixed == nil` the mean and biased variance are `x`'s own over `dims` (training batch norm, layer
    /// norm) and are differentiated too; otherwise they are the given constants (eval-mode batch norm).
    /// `weight` must already broadcast against `x`; the weight and bias gradients sum over `parameterDims`.
    static func differentiableNormalizationGrads(input x: Tensor, gradOutput g: Tensor, weight: Tensor?, dims: [Int],
                                                 parameterDims: [Int], eps: Double, fixed: (mean: Tensor, invstd: Tensor)?,
                                                 needs: GradientNeeds) -> FusedGradients {
        let mean: Tensor, invstd: Tensor
        if let fixed {
            (mean, invstd) = fixed
        } else {
            mean = x.mean(dims: dims, keepDim: true)
            let centered = x - mean
            invstd = ((centered * centered).mean(dims: dims, keepDim: true) + eps).rsqrt()
        }
        let xhat = (x - mean) * invstd
        let gxhat = weight.map { g * $0 } ?? g
        var gx: Tensor?
        if needs.input {
            if fixed != nil {
                gx = gxhat * invstd
            } else {
                let projection = xhat * (gxhat * xhat).mean(dims: dims, keepDim: true)
                gx = (gxhat - gxhat.mean(dims: dims, keepDim: true) - projection) * invstd
            }
        }
        func overParameters(_ t: Tensor) -> Tensor { parameterDims.isEmpty ? t : t.sum(dims: parameterDims) }
        return FusedGradients(input: gx, weight: needs.weight ? overParameters(g * xhat) : nil, bias: needs.bias ? overParameters(g) : nil)
    }
}
