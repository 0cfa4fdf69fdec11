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
