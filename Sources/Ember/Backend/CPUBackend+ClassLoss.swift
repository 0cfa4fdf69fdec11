// The CPU backend's class-index losses: fused log-softmax + NLL (cross-entropy) and NLL, via LossKernels.
import EmberKernels

extension CPUBackend {
    public func classLoss(_ input: Tensor, targets: Tensor, weight: Tensor?, _ options: ClassLossOptions) -> ClassLossResult {
        let loss = input.emptyLike(shape: targets.shape)
        let logSumExp = options.kind == .crossEntropy ? input.emptyLike(shape: targets.shape) : nil
        let (weightSum, bad) = input.dtype.dispatchFloat(options.opName, ClassLossForward(
            input: input, targets: targets, weight: weight, options: options, loss: loss, logSumExp: logSumExp))
        return ClassLossResult(loss: loss, logSumExp: logSumExp, weightSum: weightSum, badTarget: bad)
    }

    public func classLossBackward(_ input: Tensor, targets: Tensor, weight: Tensor?, forward: ClassLossResult,
                                  rowGradient: Tensor, rowGradientStride: Int, _ options: ClassLossOptions) -> Tensor {
        let gx = input.emptyLike(shape: input.shape)
        input.dtype.dispatchFloat(options.opName, ClassLossBackward(
            input: input, targets: targets, weight: weight, logSumExp: forward.logSumExp, rowGradient: rowGradient,
            rowGradientStride: rowGradientStride, options: options, gradInput: gx))
        return gx
    }
}

extension Tensor {
    /// `(n, c, s)` of `[N, C, *]` logits: batch, classes, positions per sample.
    fileprivate var classLayout: (n: Int, c: Int, s: Int) { (shape[0], shape[1], shape.dropFirst(2).reduce(1, *)) }
}

/// Per-row losses; returns the sum of the kept rows' weights and the first out-of-range target.
private struct ClassLossForward: FloatKernelCall {
    let input: Tensor, targets: Tensor, weight: Tensor?, options: ClassLossOptions, loss: Tensor, logSumExp: Tensor?
    func callAsFunction<T: KernelFloat>(_: T.Type) -> (Double, Int64?) {
        let (n, c, s) = input.classLayout
        var bad: Int64? = nil
        let weightSum: Double
        if let logSumExp {
            weightSum = LossKernels.crossEntropyForward(input.readPointer(T.self), n: n, c: c, s: s, targets: targets.readPointer(Int64.self),
                                                        weight: weight?.readPointer(T.self), ignoreIndex: options.ignoreIndex,
                                                        labelSmoothing: options.labelSmoothing, loss: loss.pointer(as: T.self),
                                                        lse: logSumExp.pointer(as: T.self), badTarget: &bad)
        } else {
            weightSum = LossKernels.nllForward(input.readPointer(T.self), n: n, c: c, s: s, targets: targets.readPointer(Int64.self),
                                               weight: weight?.readPointer(T.self), ignoreIndex: options.ignoreIndex,
                                               loss: loss.pointer(as: T.self), badTarget: &bad)
        }
        return (weightSum, bad)
    }
}

/// The input gradient for per-row loss gradients.
private struct ClassLossBackward: FloatKernelCall {
    let input: Tensor, targets: Tensor, weight: Tensor?, logSumExp: Tensor?, rowGradient: Tensor, rowGradientStride: Int
    let options: ClassLossOptions, gradInput: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let (n, c, s) = input.classLayout
        if let logSumExp {
            LossKernels.crossEntropyBackward(input.readPointer(T.self), n: n, c: c, s: s, targets: targets.readPointer(Int64.self),
                                             weight: weight?.readPointer(T.self), ignoreIndex: options.ignoreIndex,
                                             labelSmoothing: options.labelSmoothing, lse: logSumExp.readPointer(T.self),
                                             rowGrad: rowGradient.readPointer(T.self), rowGradStride: rowGradientStride, gradInput.pointer(as: T.self))
        } else {
            LossKernels.nllBackward(n: n, c: c, s: s, targets: targets.readPointer(Int64.self), weight: weight?.readPointer(T.self),
                                    ignoreIndex: options.ignoreIndex, rowGrad: rowGradient.readPointer(T.self),
                                    rowGradStride: rowGradientStride, gradInput.pointer(as: T.self))
        }
    }
}
