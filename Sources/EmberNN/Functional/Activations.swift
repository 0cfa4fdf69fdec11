// Thin F.* forms of the activations (which live on Tensor in core) and F.linear, so PyTorch-style code reads the same.
import Ember

extension F {
    /// `max(x, 0)`, as `torch.nn.functional.relu` (forwards to `Tensor.relu()`).
    ///
    /// Shape: any → same shape.
    ///
    /// ```swift
    /// let y = F.relu(F.batchNorm(F.conv2d(x, w, padding: 1), runningMean: rm, runningVar: rv, training: true))
    /// ```
    public static func relu(_ input: Tensor) -> Tensor { input.relu() }
    /// Logistic sigmoid, as `torch.nn.functional.sigmoid` (`Tensor.sigmoid()`).
    public static func sigmoid(_ input: Tensor) -> Tensor { input.sigmoid() }
    /// Hyperbolic tangent, as `torch.nn.functional.tanh` (`Tensor.tanh()`).
    public static func tanh(_ input: Tensor) -> Tensor { input.tanh() }
    /// Leaky ReLU, as `torch.nn.functional.leaky_relu` (`Tensor.leakyRelu(_:)`).
    public static func leakyRelu(_ input: Tensor, negativeSlope: Double = 0.01) -> Tensor { input.leakyRelu(negativeSlope) }
    /// ELU, as `torch.nn.functional.elu` (`Tensor.elu(alpha:)`).
    public static func elu(_ input: Tensor, alpha: Double = 1) -> Tensor { input.elu(alpha: alpha) }
    /// Softplus, as `torch.nn.functional.softplus` (`Tensor.softplus(beta:threshold:)`).
    public static func softplus(_ input: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
        input.softplus(beta: beta, threshold: threshold)
    }
    /// SiLU (swish), as `torch.nn.functional.silu` (`Tensor.silu()`).
    public static func silu(_ input: Tensor) -> Tensor { input.silu() }
    /// GELU, as `torch.nn.functional.gelu`; `approximate: true` is PyTorch's `approximate='tanh'`.
    public static func gelu(_ input: Tensor, approximate: Bool = false) -> Tensor { input.gelu(approximate: approximate) }

    /// Affine map `x · Wᵀ + b`, matching `torch.nn.functional.linear`.
    ///
    /// Shape: input `[*, in]`, weight `[out, in]`, bias `[out]` → `[*, out]`.
    ///
    /// ```swift
    /// let logits = F.linear(features, w, bias: b)   // features [N, 84], w [10, 84] -> [N, 10]
    /// ```
    public static func linear(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil) -> Tensor {
        emberCheck(weight.rank == 2 || weight.rank == 1, "linear", "expected weight to be 1-D or 2-D, but got weight of size \(shapeString(weight.shape))")
        emberCheck(input.rank >= 1 && input.shape[input.rank - 1] == weight.shape[weight.rank - 1], "linear",
                   "mat1 and mat2 shapes cannot be multiplied (\(input.numel / Swift.max(input.shape.last ?? 1, 1))x\(input.shape.last ?? 0) and \(weight.shape.reversed().map(String.init).joined(separator: "x")))")
        if input.rank > 2 && weight.rank == 2 {
            // Fold the leading dims into one GEMM, as PyTorch does: a batched product against the same weight
            // would multiply (and pack the weight) once per leading index.
            let lead = Array(input.shape.dropLast())
            let y = F.linear(input.reshape([-1, input.shape[input.rank - 1]]), weight, bias: bias)
            return y.view(lead + [weight.shape[0]])
        }
        let y = input.matmul(weight.rank == 2 ? weight.t() : weight)
        return bias.map { y + $0 } ?? y
    }
}
