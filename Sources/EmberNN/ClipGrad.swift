// Gradient clipping (`torch.nn.utils.clip_grad_norm_`, `clip_grad_value_`).
import Ember

/// Rescales the gradients of `parameters` in place so that their joint norm is at most `maxNorm`, matching
/// `torch.nn.utils.clip_grad_norm_`: the total norm is the `normType`-norm of the per-tensor norms, every
/// gradient is multiplied by `min(1, maxNorm / (total + 1e-6))`. Parameters without a gradient are skipped.
///
/// - Returns: the total norm before clipping (a 0-d tensor, 0 when no parameter has a gradient).
///
/// ```swift
/// loss.backward()
/// let norm = clipGradNorm_(model.parameters(), maxNorm: 1)
/// optimizer.step()
/// ```
///
/// - Parameters:
///   - parameters: The tensors whose gradients are rescaled.
///   - maxNorm: The largest total norm allowed.
///   - normType: The order of the norm (2: Euclidean, `.infinity`: largest absolute value).
///   - errorIfNonfinite: Stop when the total norm is NaN or infinite instead of scaling by it.
@discardableResult
public func clipGradNorm_(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2, errorIfNonfinite: Bool = false) -> Tensor {
    let grads = parameters.compactMap { $0.grad }
    guard !grads.isEmpty else { return Tensor(scalar: 0, dtype: parameters.first?.dtype ?? .float32) }
    return noGrad {
        let perTensor = Tensor.stack(grads.map { $0.norm(p: normType) }, dim: 0)
        let total = perTensor.norm(p: normType)
        let value = total.item()
        if errorIfNonfinite && !value.isFinite {
            emberFail("clip_grad_norm_", "The total norm of order \(normType) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        }
        // PyTorch computes the coefficient as a tensor in the gradients' dtype and always multiplies.
        let coef = (Tensor(scalar: maxNorm, dtype: total.dtype) / (total + 1e-6)).clampMax(1.0)
        for g in grads { g *= coef.to(g.dtype) }
        return total
    }
}

/// Clamps every gradient of `parameters` to `[−clipValue, clipValue]` in place (`clip_grad_value_`).
public func clipGradValue_(_ parameters: [Tensor], clipValue: Double) {
    noGrad {
        for p in parameters { if let g = p.grad { _ = g.clamp_(min: -clipValue, max: clipValue) } }
    }
}
