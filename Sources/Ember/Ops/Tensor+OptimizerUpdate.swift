// Fused optimizer updates: one pass over a parameter and its state where PyTorch's single-tensor path makes several.
import EmberKernels

extension Tensor {
    /// SGD with momentum on this parameter in one pass: `buffer = momentum·buffer + gradScale·gradient`, then
    /// `self −= lr·buffer`, rounded exactly as the three in-place ops PyTorch's `_single_tensor_sgd` runs
    /// (`buffer.mul_(momentum).add_(gradient, alpha: gradScale)`, `self.add_(buffer, alpha: -lr)`), with 20 bytes
    /// of memory traffic per float32 element instead of 32.
    ///
    /// Applies only to contiguous float32 CPU tensors of one shape in separate storages; returns false, changing
    /// nothing, otherwise (the caller then runs the three ops).
    ///
    /// - Parameters:
    ///   - buffer: The momentum buffer, updated in place.
    ///   - gradient: The gradient (or the weight-decayed direction).
    ///   - momentum: The factor on the buffer.
    ///   - gradScale: The factor on the gradient (`1 − dampening`).
    ///   - lr: The learning rate.
    /// - Returns: Whether the fused update ran.
    public func sgdMomentumUpdate_(buffer: Tensor, gradient: Tensor, momentum: Double, gradScale: Double, lr: Double) -> Bool {
        let operands = [self, buffer, gradient]
        guard operands.allSatisfy({ $0.dtype == .float32 && $0.isContiguous && $0.device == .cpu && $0.shape == shape }),
              storage !== buffer.storage, storage !== gradient.storage, buffer.storage !== gradient.storage else { return false }
        checkInPlaceAllowed("add_", source: buffer)
        buffer.checkInPlaceAllowed("mul_", source: gradient)
        if numel > 0 {
            VectorMath.sgdMomentum(param: pointer(as: Float.self), buffer: buffer.pointer(as: Float.self),
                                   gradient: gradient.pointer(as: Float.self), momentum: Float(momentum),
                                   gradScale: Float(gradScale), lr: Float(lr), numel)
        }
        buffer.bumpVersion()
        bumpVersion()
        return true
    }
}

extension Tensor {
    /// Adam (or AdamW) on this parameter in one pass over it, both moments and the gradient, rounded exactly as the
    /// in-place ops of PyTorch's `_single_tensor_adam` (without AMSGrad or maximize): the decay
    /// (`grad.add(param, alpha: l2Penalty)` or `param.mul_(decayFactor)`), `expAvg.lerp_(grad, weight: 1 − β1)`,
    /// `expAvgSq.mul_(β2).addcmul_(grad, grad, value: 1 − β2)`, `denom = expAvgSq.sqrt() / biasCorrection2Sqrt + eps`,
    /// `self.addcdiv_(expAvg, denom, value: −stepSize)`. 28 bytes of memory traffic per float32 element instead of
    /// about 100 for the ops.
    ///
    /// Applies only to contiguous float32 CPU tensors of one shape in separate storages; returns false, changing
    /// nothing, otherwise (the caller then runs the ops).
    ///
    /// - Parameters:
    ///   - expAvg: The first moment estimate, updated in place.
    ///   - expAvgSq: The second moment estimate, updated in place.
    ///   - gradient: The gradient (not changed).
    ///   - beta1: The first moment's decay rate.
    ///   - beta2: The second moment's decay rate.
    ///   - eps: Added to the denominator.
    ///   - stepSize: `lr / (1 − β1ᵗ)`.
    ///   - biasCorrection2Sqrt: `√(1 − β2ᵗ)`.
    ///   - l2Penalty: Adam's weight decay added to the gradient (0: none).
    ///   - decayFactor: AdamW's factor on the parameter, `1 − lr·wd` (1: none).
    /// - Returns: Whether the fused update ran.
    public func adamUpdate_(expAvg: Tensor, expAvgSq: Tensor, gradient: Tensor, beta1: Double, beta2: Double, eps: Double,
                            stepSize: Double, biasCorrection2Sqrt: Double, l2Penalty: Double = 0,
                            decayFactor: Double = 1) -> Bool {
        let operands = [self, expAvg, expAvgSq, gradient]
        guard operands.allSatisfy({ $0.dtype == .float32 && $0.isContiguous && $0.device == .cpu && $0.shape == shape }),
              Set(operands.map { ObjectIdentifier($0.storage) }).count == operands.count else { return false }
        checkInPlaceAllowed("addcdiv_", source: expAvg)
        expAvg.checkInPlaceAllowed("lerp_", source: gradient)
        expAvgSq.checkInPlaceAllowed("addcmul_", source: gradient)
        if numel > 0 {
            let decay: VectorMath.AdamDecay = l2Penalty != 0 ? .l2(Float(l2Penalty))
                : decayFactor != 1 ? .decoupled(factor: Float(decayFactor)) : .none
            let step = VectorMath.AdamStep(decay: decay, lerpWeight: Float(1 - beta1), beta2: Float(beta2),
                                           oneMinusBeta2: Float(1 - beta2), biasCorrection2Sqrt: Float(biasCorrection2Sqrt),
                                           eps: Float(eps), negStepSize: Float(-stepSize))
            VectorMath.adam(param: pointer(as: Float.self), expAvg: expAvg.pointer(as: Float.self),
                            expAvgSq: expAvgSq.pointer(as: Float.self), gradient: gradient.pointer(as: Float.self),
                            step: step, numel)
        }
        expAvg.bumpVersion()
        expAvgSq.bumpVersion()
        bumpVersion()
        return true
    }
}
