// batch_norm (train/eval, running-stat update) and layer_norm, each with a fused backward.
import Ember

extension F {
    /// Batch normalization over dim 1, matching `torch.nn.functional.batch_norm`.
    ///
    /// In training mode the batch mean and *biased* variance normalize the input, and the running
    /// statistics (when given) are updated in place: `running = (1 − momentum) · running + momentum · batch`
    /// with the *unbiased* variance, as PyTorch does. In eval mode the running statistics normalize.
    /// `weight`/`bias` are optional (no affine transform). Backward: `NativeBatchNormBackward0`.
    ///
    /// Shape: `[N, C]`, `[N, C, L]` or `[N, C, H, W]` (any rank ≥ 2); `runningMean`, `runningVar`, `weight`,
    /// `bias`: `[C]`. The output has the input's shape.
    ///
    /// ```swift
    /// let y = F.batchNorm(x, runningMean: rm, runningVar: rv, weight: gamma, bias: beta, training: true)
    /// ```
    public static func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil,
                                 bias: Tensor? = nil, training: Bool = false, momentum: Double = 0.1, eps: Double = 1e-5) -> Tensor {
        let op = "batch_norm"
        emberCheck(input.rank >= 2, op, "Expected 2D or higher input (got \(input.rank)D input of size \(shapeString(input.shape)))")
        checkFloatInputs(op, ("input", input))
        let n = input.shape[0], c = input.shape[1], s = input.numel / Swift.max(n * c, 1)
        for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
            guard let t = t else { continue }
            emberCheck(t.numel == c, op, "\(name) should contain \(c) elements not \(t.numel)")
            if name == "weight" || name == "bias" { checkFloatInputs(op, ("input", input), (name, t)) }
        }
        if training {
            emberCheck(n * s > 1, op, "Expected more than 1 value per channel when training, got input size \(shapeString(input.shape))")
        } else {
            emberCheck(runningMean != nil, op, "running_mean must be defined in evaluation mode")
            emberCheck(runningVar != nil, op, "running_var must be defined in evaluation mode")
        }
        let x = input.kernelInput
        let wt = weight?.kernelInput
        let statistics: NormStatistics
        if training {
            let (mean, variance) = x.backend.batchNormStatistics(x)
            statistics = NormStatistics(mean: mean, invstd: variance.map { 1 / ($0 + eps).squareRoot() })
            let count = Double(n * s)
            noGrad {
                if let rm = runningMean {
                    let batchMean = Tensor(mean, shape: [c]).to(rm.dtype).view(rm.shape)
                    rm.copy_(rm * (1 - momentum) + batchMean * momentum)
                }
                if let rv = runningVar {
                    let unbiased = Tensor(variance.map { $0 * count / (count - 1) }, shape: [c]).to(rv.dtype).view(rv.shape)
                    rv.copy_(rv * (1 - momentum) + unbiased * momentum)
                }
            }
        } else {
            statistics = NormStatistics(mean: runningMean!.detach().to(.float64).contiguous().scalars,
                                        invstd: runningVar!.detach().to(.float64).contiguous().scalars.map { 1 / ($0 + eps).squareRoot() })
        }
        let out = x.backend.batchNorm(x, weight: wt, bias: bias?.kernelInput, statistics)
        return record(out, "NativeBatchNormBackward0", input: input, weight: weight, bias: bias,
                      saved: [input] + (weight.map { [$0] } ?? [])) { g, needs in
            var broadcast = [Int](repeating: 1, count: input.rank)
            broadcast[1] = c
            let dims = [0] + Array(2..<input.rank)
            let fixed = training ? nil : (Tensor(statistics.mean, shape: broadcast).to(input.dtype),
                                          Tensor(statistics.invstd, shape: broadcast).to(input.dtype))
            var r = differentiableNormalizationGrads(input: input, gradOutput: g, weight: weight?.view(broadcast), dims: dims,
                                                     parameterDims: dims, eps: eps, fixed: fixed, needs: needs)
            r.weight = r.weight.map { $0.view(weight!.shape) }
            r.bias = r.bias.map { $0.view(bias!.shape) }
            return r
        } fused: { g, needs in
            var r = x.backend.batchNormBackward(input: x, weight: wt, gradOutput: g.kernelInput, statistics, training: training, needs: needs)
            r.weight = r.weight.map { $0.view(weight!.shape) }
            r.bias = r.bias.map { $0.view(bias!.shape) }
            return r
        }
    }

    /// Layer normalization over the last `normalizedShape.count` dims, matching `torch.nn.functional.layer_norm`.
    ///
    /// Each slice is normalized by its own mean and biased variance, then scaled by `weight` and shifted
    /// by `bias` (both optional, shaped `normalizedShape`). Backward: `NativeLayerNormBackward0`.
    ///
    /// Shape: `[*, normalizedShape...]` → same shape.
    ///
    /// ```swift
    /// let y = F.layerNorm(x, normalizedShape: [512], weight: gamma, bias: beta)
    /// ```
    public static func layerNorm(_ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Double = 1e-5) -> Tensor {
        let op = "layer_norm"
        checkFloatInputs(op, ("input", input))
        let k = normalizedShape.count
        emberCheck(k >= 1, op, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []")
        emberCheck(input.rank >= k && Array(input.shape.suffix(k)) == normalizedShape, op,
                   "Given normalized_shape=\(shapeString(normalizedShape)), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size\(shapeString(input.shape))")
        for (name, t) in [("weight", weight), ("bias", bias)] {
            guard let t = t else { continue }
            emberCheck(t.shape == normalizedShape, op, "Expected \(name) to be of same shape as normalized_shape, but got \(name) of shape \(shapeString(t.shape)) and normalized_shape = \(shapeString(normalizedShape))")
            checkFloatInputs(op, ("input", input), (name, t))
        }
        let d = normalizedShape.reduce(1, *)
        let x = input.kernelInput, wt = weight?.kernelInput
        let (out, statistics) = x.backend.layerNorm(x, normalizedCount: d, weight: wt, bias: bias?.kernelInput, eps: eps)
        return record(out, "NativeLayerNormBackward0", input: input, weight: weight, bias: bias,
                      saved: [input] + (weight.map { [$0] } ?? [])) { g, needs in
            differentiableNormalizationGrads(input: input, gradOutput: g, weight: weight, dims: Array((input.rank - k)..<input.rank),
                                             parameterDims: Array(0..<(input.rank - k)), eps: eps, fixed: nil, needs: needs)
        } fused: { g, needs in
            var r = x.backend.layerNormBackward(input: x, weight: wt, gradOutput: g.kernelInput, statistics, normalizedCount: d, needs: needs)
            r.weight = r.weight.map { $0.view(normalizedShape) }
            r.bias = r.bias.map { $0.view(normalizedShape) }
            return r
        }
    }
}
