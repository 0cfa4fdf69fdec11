// batch_norm (train/eval, running-stat update) and layer_norm, each with a fused backward.
import Ember
import EmberKernels

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
        let wt = weight?.kernelInput, bs = bias?.kernelInput
        var mean = [Double](repeating: 0, count: c), invstd = mean
        if training {
            var variance = mean
            if x.dtype == .float32 {
                NormalizationKernels.channelStats(x.pointer(as: Float.self), n: n, c: c, s: s, mean: &mean, variance: &variance)
            } else {
                NormalizationKernels.channelStats(x.pointer(as: Double.self), n: n, c: c, s: s, mean: &mean, variance: &variance)
            }
            for i in 0..<c { invstd[i] = 1 / (variance[i] + eps).squareRoot() }
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
            mean = runningMean!.detach().to(.float64).contiguous().scalars
            invstd = runningVar!.detach().to(.float64).contiguous().scalars.map { 1 / ($0 + eps).squareRoot() }
        }
        let out = Tensor(empty: input.shape, dtype: x.dtype)
        func forward<T: BinaryFloatingPoint>(_: T.Type) {
            NormalizationKernels.channelTransform(x.pointer(as: T.self), n: n, c: c, s: s, mean: mean, invstd: invstd,
                                                  weight: wt.map { UnsafePointer($0.pointer(as: T.self)) },
                                                  bias: bs.map { UnsafePointer($0.pointer(as: T.self)) }, out.pointer(as: T.self))
        }
        if x.dtype == .float32 { forward(Float.self) } else { forward(Double.self) }

        var inputs = [input]
        if let w = weight { inputs.append(w) }
        if let b = bias { inputs.append(b) }
        let needs = inputs.map { $0.requiresGrad }
        let hasWeight = weight != nil, hasBias = bias != nil
        let meanSaved = mean, invstdSaved = invstd
        return record(out, "NativeBatchNormBackward0", inputs: inputs, saved: [input] + (weight.map { [$0] } ?? [])) { g in
            if GradMode.isEnabled && ([g] + inputs).contains(where: { $0.requiresGrad }) {
                // A recorded backward (createGraph): differentiable expressions, so second derivatives flow.
                var broadcast = [Int](repeating: 1, count: input.rank)
                broadcast[1] = c
                let dims = [0] + Array(2..<input.rank)
                let fixed = training ? nil : (Tensor(meanSaved, shape: broadcast).to(input.dtype),
                                              Tensor(invstdSaved, shape: broadcast).to(input.dtype))
                let r = differentiableNormalizationGrads(
                    input: input, gradOutput: g, weight: weight?.view(broadcast), dims: dims, parameterDims: dims, eps: eps,
                    fixed: fixed, needInput: needs[0], needWeight: hasWeight && needs[1],
                    needBias: hasBias && needs[hasWeight ? 2 : 1])
                var grads: [Tensor?] = [r.input]
                if hasWeight { grads.append(r.weight.map { $0.view(weight!.shape) }) }
                if hasBias { grads.append(r.bias.map { $0.view(bias!.shape) }) }
                return grads
            }
            let gy = g.kernelInput
            let gx = needs[0] ? Tensor(empty: x.shape, dtype: x.dtype) : nil
            let gw = hasWeight && needs[1] ? Tensor(empty: [c], dtype: x.dtype) : nil
            let gb = hasBias && needs[hasWeight ? 2 : 1] ? Tensor(empty: [c], dtype: x.dtype) : nil
            func backward<T: BinaryFloatingPoint>(_: T.Type) {
                NormalizationKernels.channelBackward(gradOutput: gy.pointer(as: T.self), input: x.pointer(as: T.self), n: n, c: c, s: s,
                                                     mean: meanSaved, invstd: invstdSaved, weight: wt.map { UnsafePointer($0.pointer(as: T.self)) },
                                                     training: training, gradInput: gx?.pointer(as: T.self),
                                                     gradWeight: gw?.pointer(as: T.self), gradBias: gb?.pointer(as: T.self))
            }
            if x.dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
            var grads: [Tensor?] = [gx]
            if hasWeight { grads.append(gw.map { $0.view(weight!.shape) }) }
            if hasBias { grads.append(gb.map { $0.view(bias!.shape) }) }
            return grads
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
        let d = normalizedShape.reduce(1, *), rows = input.numel / Swift.max(d, 1)
        let x = input.kernelInput, wt = weight?.kernelInput, bs = bias?.kernelInput
        var mean = [Double](repeating: 0, count: rows), rstd = mean
        let out = Tensor(empty: input.shape, dtype: x.dtype)
        func forward<T: BinaryFloatingPoint>(_: T.Type) {
            NormalizationKernels.rowForward(x.pointer(as: T.self), rows: rows, d: d, eps: eps,
                                            weight: wt.map { UnsafePointer($0.pointer(as: T.self)) },
                                            bias: bs.map { UnsafePointer($0.pointer(as: T.self)) }, out.pointer(as: T.self),
                                            mean: &mean, rstd: &rstd)
        }
        if x.dtype == .float32 { forward(Float.self) } else { forward(Double.self) }

        var inputs = [input]
        if let w = weight { inputs.append(w) }
        if let b = bias { inputs.append(b) }
        let needs = inputs.map { $0.requiresGrad }
        let hasWeight = weight != nil, hasBias = bias != nil
        let meanSaved = mean, rstdSaved = rstd
        return record(out, "NativeLayerNormBackward0", inputs: inputs, saved: [input] + (weight.map { [$0] } ?? [])) { g in
            if GradMode.isEnabled && ([g] + inputs).contains(where: { $0.requiresGrad }) {
                // A recorded backward (createGraph): differentiable expressions, so second derivatives flow.
                let r = differentiableNormalizationGrads(
                    input: input, gradOutput: g, weight: weight, dims: Array((input.rank - k)..<input.rank),
                    parameterDims: Array(0..<(input.rank - k)), eps: eps, fixed: nil, needInput: needs[0],
                    needWeight: hasWeight && needs[1], needBias: hasBias && needs[hasWeight ? 2 : 1])
                var grads: [Tensor?] = [r.input]
                if hasWeight { grads.append(r.weight) }
                if hasBias { grads.append(r.bias) }
                return grads
            }
            let gy = g.kernelInput
            let gx = needs[0] ? Tensor(empty: x.shape, dtype: x.dtype) : nil
            let gw = hasWeight && needs[1] ? Tensor(empty: normalizedShape, dtype: x.dtype) : nil
            let gb = hasBias && needs[hasWeight ? 2 : 1] ? Tensor(empty: normalizedShape, dtype: x.dtype) : nil
            func backward<T: BinaryFloatingPoint>(_: T.Type) {
                NormalizationKernels.rowBackward(gradOutput: gy.pointer(as: T.self), input: x.pointer(as: T.self), rows: rows, d: d,
                                                 mean: meanSaved, rstd: rstdSaved, weight: wt.map { UnsafePointer($0.pointer(as: T.self)) },
                                                 gradInput: gx?.pointer(as: T.self), gradWeight: gw?.pointer(as: T.self), gradBias: gb?.pointer(as: T.self))
            }
            if x.dtype == .float32 { backward(Float.self) } else { backward(Double.self) }
            var grads: [Tensor?] = [gx]
            if hasWeight { grads.append(gw) }
            if hasBias { grads.append(gb) }
            return grads
        }
    }
}
