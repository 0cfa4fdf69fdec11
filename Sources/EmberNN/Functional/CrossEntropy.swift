// cross_entropy (fused log-softmax + NLL, label smoothing, ignore_index, class weights) and nll_loss.
import Ember

extension F {
    /// Cross-entropy between logits and class targets, matching `torch.nn.functional.cross_entropy`.
    ///
    /// With integer class indices the log-softmax and the negative log-likelihood are fused in one pass
    /// forward and one backward (node `NllLossBackward0`, what PyTorch shows on the output). Supports class
    /// `weight`s, `ignoreIndex` (those targets add nothing, and the mean divides by the kept rows' weights),
    /// and `labelSmoothing`. A floating `target` of the input's shape is taken as class probabilities.
    ///
    /// Shape: input `[N, C]` or `[N, C, d1, ...]` (or `[C]`), target `[N]` / `[N, d1, ...]` (int64) or the
    /// input's shape (probabilities) → scalar, or `[N, d1, ...]` with `.none`.
    ///
    /// ```swift
    /// let loss = F.crossEntropy(logits, labels)                             // mean over the batch
    /// let smoothed = F.crossEntropy(logits, labels, labelSmoothing: 0.1)
    /// ```
    public static func crossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                                    reduction: Reduction = .mean, labelSmoothing: Double = 0) -> Tensor {
        let op = "cross_entropy"
        emberCheck(labelSmoothing >= 0 && labelSmoothing <= 1, op, "label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)")
        checkFloatInputs(op, ("input", input))
        if target.dtype.isFloatingPoint {
            return crossEntropyProbabilities(input, target, weight: weight, reduction: reduction, labelSmoothing: labelSmoothing)
        }
        return classLoss(input, target, weight: weight, reduction: reduction, op: op,
                         ClassLossOptions(kind: .crossEntropy, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing))
    }

    /// The negative log-likelihood of log-probabilities, matching `torch.nn.functional.nll_loss`.
    ///
    /// Picks `−weight[t] · input[n, t]` per row; `ignoreIndex` rows add nothing and the mean divides by the
    /// sum of the kept rows' weights, as PyTorch does. Node: `NllLossBackward0`.
    ///
    /// Shape: input `[N, C]` or `[N, C, d1, ...]`, target `[N]` / `[N, d1, ...]` (int64) → scalar, or the
    /// target's shape with `.none`.
    ///
    /// ```swift
    /// let loss = F.nllLoss(F.logSoftmax(logits, dim: 1), labels)
    /// ```
    public static func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                               reduction: Reduction = .mean) -> Tensor {
        let op = "nll_loss"
        checkFloatInputs(op, ("input", input))
        return classLoss(input, target, weight: weight, reduction: reduction, op: op,
                         ClassLossOptions(kind: .nll, ignoreIndex: ignoreIndex))
    }

    /// Cross-entropy against class probabilities: `−Σ_c w_c · q_c · log_softmax(x)_c`, with smoothing
    /// `q ← q·(1 − ε) + ε / C`; the mean divides by the number of rows (PyTorch's rule for soft targets).
    static func crossEntropyProbabilities(_ input: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction, labelSmoothing: Double) -> Tensor {
        let op = "cross_entropy"
        emberCheck(target.shape == input.shape, op, "Expected target of the input's shape \(shapeString(input.shape)) for class probabilities, but got target of size \(shapeString(target.shape))")
        checkFloatInputs(op, ("input", input), ("target", target))
        let classDim = input.rank == 1 ? 0 : 1
        let c = input.shape[classDim]
        var q = target
        if labelSmoothing > 0 { q = q * (1 - labelSmoothing) + labelSmoothing / Double(c) }
        var terms = F.logSoftmax(input, dim: classDim) * q
        if let w = weight {
            emberCheck(w.rank == 1 && w.shape[0] == c, op, "weight tensor should be defined either for all \(c) classes or no classes but got weight tensor of shape: \(shapeString(w.shape))")
            var shape = [Int](repeating: 1, count: input.rank)
            shape[classDim] = c
            terms = terms * w.view(shape)
        }
        let loss = -terms.sum(dim: classDim)
        switch reduction {
        case .none: return loss
        case .sum: return loss.sum()
        case .mean: return loss.sum() / Double(Swift.max(input.numel / c, 1))
        }
    }

    /// The shared driver of class-index losses: layout checks, the backend's loss, reduction and the backward node.
    static func classLoss(_ input: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction, op: String,
                          _ options: ClassLossOptions) -> Tensor {
        emberCheck(target.dtype == .int64 || target.dtype == .int32 || target.dtype == .uint8, op,
                   "expected scalar type Long but found \(target.dtype)")
        emberCheck(input.rank >= 1, op, "input tensor should be 1D or more, but got \(shapeString(input.shape))")
        let unbatched = input.rank == 1
        let x4 = unbatched ? input.unsqueeze(0) : input
        let t4 = unbatched ? target.unsqueeze(0) : target
        emberCheck(unbatched ? target.rank == 0 : target.rank == input.rank - 1, op,
                   unbatched ? "expected a 0-d target for 1-D input, but got target of size \(shapeString(target.shape))"
                             : "Expected target of size \(shapeString([input.shape[0]] + Array(input.shape.dropFirst(2)))) for input of size \(shapeString(input.shape)), but got target of size \(shapeString(target.shape))")
        let n = x4.shape[0], c = x4.shape[1]
        emberCheck(t4.shape[0] == n, op, "Expected input batch_size (\(n)) to match target batch_size (\(t4.shape[0])).")
        emberCheck(Array(t4.shape.dropFirst()) == Array(x4.shape.dropFirst(2)), op,
                   "size mismatch (got input: \(shapeString(input.shape)), target: \(shapeString(target.shape)))")
        if let w = weight {
            emberCheck(w.rank == 1 && w.shape[0] == c, op, "weight tensor should be defined either for all \(c) classes or no classes but got weight tensor of shape: \(shapeString(w.shape))")
            checkFloatInputs(op, ("input", input), ("weight", w))
        }
        let x = x4.kernelInput, t = t4.to(.int64).contiguous(), w = weight?.kernelInput
        let rowShape = t4.shape
        let forward = x.backend.classLoss(x, targets: t, weight: w, options)
        if let b = forward.badTarget { emberFail(op, "Target \(b) is out of bounds.") }
        let loss = forward.loss, denominator = forward.weightSum
        let out: Tensor
        switch reduction {
        case .none: out = unbatched ? loss.view([]) : loss
        case .sum: out = noGrad { loss.sum() }
        case .mean: out = noGrad { loss.sum() / denominator }
        }
        let xShape = x4.shape
        let result = record(out, "NllLossBackward0", inputs: [x4], saved: [input, target]) { g in
            if GradMode.isEnabled && (g.requiresGrad || x4.requiresGrad) {
                // A recorded backward (createGraph): with q the weighted (smoothed) target distribution of each
                // row, the gradient is g·(Σq · softmax(x) − q) for cross-entropy and −g·q for NLL, differentiable.
                let q = classTargetDistribution(t, weight: w, shape: xShape, ignoreIndex: options.ignoreIndex,
                                                labelSmoothing: options.labelSmoothing).to(x4.dtype)
                let scale: Tensor
                switch reduction {
                case .none: scale = g.reshape(rowShape).unsqueeze(1)
                case .sum: scale = g
                case .mean: scale = g / denominator
                }
                let direction = options.kind == .crossEntropy ? F.softmax(x4, dim: 1) * q.sum(dim: 1, keepDim: true) - q : -q
                return [direction * scale]
            }
            let rowGrad: Tensor, stride: Int
            switch reduction {
            case .none: rowGrad = g.kernelInput; stride = 1
            case .sum: rowGrad = g.kernelInput; stride = 0
            case .mean: rowGrad = noGrad { g.detach() / denominator }.contiguous(); stride = 0
            }
            return [x.backend.classLossBackward(x, targets: t, weight: w, forward: forward, rowGradient: rowGrad,
                                                rowGradientStride: stride, options)]
        }
        return result
    }

    /// Per row of `[N, C, *]`, the class weights a class-index loss puts on each log-probability: `(1 − ε)·w[t]`
    /// on the target class plus `ε/C·w[c]` on every class (label smoothing ε), all zero where the target is
    /// `ignoreIndex`. Float64, shaped like the input.
    static func classTargetDistribution(_ target: Tensor, weight: Tensor?, shape: [Int], ignoreIndex: Int,
                                        labelSmoothing: Double) -> Tensor {
        let n = shape[0], c = shape[1], s = shape.dropFirst(2).reduce(1, *)
        let w = weight.map { $0.to(.float64).contiguous().scalars } ?? [Double](repeating: 1, count: c)
        let tp = target.to(.int64).contiguous().toArray(as: Int64.self)
        var q = [Double](repeating: 0, count: n * c * s)
        for i in 0..<n {
            for j in 0..<s {
                let t = Int(tp[i * s + j])
                if t == ignoreIndex { continue }
                q[(i * c + t) * s + j] += (1 - labelSmoothing) * w[t]
                if labelSmoothing > 0 {
                    for k in 0..<c { q[(i * c + k) * s + j] += labelSmoothing / Double(c) * w[k] }
                }
            }
        }
        return Tensor(q, shape: shape)
    }
}
