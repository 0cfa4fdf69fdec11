// Regression and binary losses: mse, l1, smooth_l1, huber, binary_cross_entropy (+ with_logits), each with reduction.
import Ember

extension F {
    /// Mean squared error, matching `torch.nn.functional.mse_loss`.
    ///
    /// Shape: input and target broadcastable (normally equal) → scalar, or the broadcast shape with `.none`.
    ///
    /// ```swift
    /// let loss = F.mseLoss(yHat, y)                     // mean of (yHat - y)²
    /// let total = F.mseLoss(yHat, y, reduction: .sum)
    /// ```
    public static func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        checkFloatInputs("mse_loss", ("input", input), ("target", target))
        let d = input - target
        return reduce(d * d, reduction)
    }

    /// Mean absolute error, matching `torch.nn.functional.l1_loss` (the gradient at 0 is 0, as in PyTorch).
    ///
    /// Shape: input and target broadcastable → scalar, or the broadcast shape with `.none`.
    ///
    /// ```swift
    /// let loss = F.l1Loss(yHat, y)
    /// ```
    public static func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        checkFloatInputs("l1_loss", ("input", input), ("target", target))
        return reduce((input - target).abs(), reduction)
    }

    /// Smooth L1 loss, matching `torch.nn.functional.smooth_l1_loss`: `0.5·d²/β` where `|d| < β`, else `|d| − 0.5·β`.
    ///
    /// `beta == 0` is exactly the L1 loss. Shape: as `l1Loss`.
    ///
    /// ```swift
    /// let loss = F.smoothL1Loss(boxes, targets, beta: 1.0)
    /// ```
    public static func smoothL1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Double = 1.0) -> Tensor {
        let op = "smooth_l1_loss"
        checkFloatInputs(op, ("input", input), ("target", target))
        emberCheck(beta >= 0, op, "smooth_l1_loss does not support negative values for beta.")
        if beta == 0 { return l1Loss(input, target, reduction: reduction) }
        let d = (input - target).abs()
        return reduce(Tensor.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction)
    }

    /// Huber loss, matching `torch.nn.functional.huber_loss`: `0.5·d²` where `|d| < δ`, else `δ·(|d| − 0.5·δ)`.
    ///
    /// Equals `smoothL1Loss` times `δ` (with `β = δ`). Shape: as `l1Loss`.
    ///
    /// ```swift
    /// let loss = F.huberLoss(yHat, y, delta: 1.0)
    /// ```
    public static func huberLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Double = 1.0) -> Tensor {
        let op = "huber_loss"
        checkFloatInputs(op, ("input", input), ("target", target))
        emberCheck(delta > 0, op, "huber_loss does not support non-positive values for delta.")
        let d = (input - target).abs()
        return reduce(Tensor.where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta), reduction)
    }

    /// Binary cross-entropy on probabilities, matching `torch.nn.functional.binary_cross_entropy`.
    ///
    /// `−w·(y·log p + (1 − y)·log(1 − p))` with each log clamped at −100, as PyTorch does, so `p = 0` or
    /// `1` gives a finite loss. The input gradient is PyTorch's `(p − y) / max(p·(1 − p), 1e-12)`.
    ///
    /// Shape: input and target equal, `weight` broadcastable to them → scalar, or the input's shape with `.none`.
    ///
    /// ```swift
    /// let loss = F.binaryCrossEntropy(F.sigmoid(z), y)   // prefer binaryCrossEntropyWithLogits(z, y)
    /// ```
    public static func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
        let op = "binary_cross_entropy"
        checkFloatInputs(op, ("input", input), ("target", target))
        emberCheck(input.shape == target.shape, op, "Using a target size (\(shapeString(target.shape))) that is different to the input size (\(shapeString(input.shape))) is deprecated. Please ensure they have the same size.")
        if let w = weight { checkFloatInputs(op, ("input", input), ("weight", w)) }
        let p = input.detach(), y = target.detach(), wd = weight?.detach()
        let outOfRange = noGrad { ((p < 0) || (p > 1)).to(.int64).sum().item(as: Int.self) }
        emberCheck(outOfRange == 0, op, "all elements of input should be between 0 and 1")
        var elementwise = noGrad { -(y * p.log().clamp(min: -100) + (1 - y) * (1 - p).log().clamp(min: -100)) }
        if let w = wd { elementwise = noGrad { elementwise * w } }
        var inputs = [input, target]
        if let w = weight { inputs.append(w) }
        let out = record(elementwise, "BinaryCrossEntropyBackward0", inputs: inputs, saved: inputs) { g in
            let gw = weight.map { g * $0 } ?? g
            return [input.requiresGrad ? (gw * (input - target) / (input * (1 - input)).clamp(min: 1e-12)).sumTo(input.shape) : nil,
                    target.requiresGrad ? (gw * ((1 - input).log() - input.log())).sumTo(target.shape) : nil,
                    weight.flatMap { w in w.requiresGrad ? (g * -(target * input.log().clamp(min: -100) + (1 - target) * (1 - input).log().clamp(min: -100))).sumTo(w.shape) : nil }]
        }
        return reduce(out, reduction)
    }

    /// Binary cross-entropy on logits, matching `torch.nn.functional.binary_cross_entropy_with_logits`.
    ///
    /// Computed stably as `(1 − y)·x + l·(log(1 + e^{−|x|}) + max(−x, 0))` with `l = 1 + (pos_weight − 1)·y`,
    /// so large logits never overflow. `posWeight` (one value per class, broadcast along the last dim)
    /// weighs positive examples; `weight` weighs elements.
    ///
    /// Shape: input and target equal → scalar, or the input's shape with `.none`.
    ///
    /// ```swift
    /// let loss = F.binaryCrossEntropyWithLogits(logits, labels.float())
    /// ```
    public static func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
                                                    reduction: Reduction = .mean) -> Tensor {
        let op = "binary_cross_entropy_with_logits"
        checkFloatInputs(op, ("input", input), ("target", target))
        emberCheck(input.shape == target.shape, op, "Target size (\(shapeString(target.shape))) must be the same as input size (\(shapeString(input.shape)))")
        if let w = weight { checkFloatInputs(op, ("input", input), ("weight", w)) }
        if let pw = posWeight { checkFloatInputs(op, ("input", input), ("pos_weight", pw)) }
        let elementwise: Tensor = noGrad {
            let x = input.detach(), y = target.detach()
            let softplusNeg = (-x.abs()).exp().log1p() + (-x).relu()
            let lw = posWeight.map { 1 + ($0.detach() - 1) * y }
            var l = (1 - y) * x + (lw.map { $0 * softplusNeg } ?? softplusNeg)
            if let w = weight { l = l * w.detach() }
            return l
        }
        var inputs = [input, target]
        if let w = weight { inputs.append(w) }
        if let pw = posWeight { inputs.append(pw) }
        let out = record(elementwise, "BinaryCrossEntropyWithLogitsBackward0", inputs: inputs, saved: inputs) { g in
            let gw = weight.map { g * $0 } ?? g
            let lw = posWeight.map { 1 + ($0 - 1) * target }
            // d/dx = (1 − y) − l·σ(−x), which is σ(x) − y without pos_weight.
            let dx = lw.map { (1 - target) - $0 * (-input).sigmoid() } ?? (input.sigmoid() - target)
            let sp = (-input).softplus()
            let dy = posWeight.map { -input + ($0 - 1) * sp } ?? -input
            var grads: [Tensor?] = [input.requiresGrad ? (gw * dx).sumTo(input.shape) : nil,
                                    target.requiresGrad ? (gw * dy).sumTo(target.shape) : nil]
            if let w = weight {
                let l = (1 - target) * input + (lw.map { $0 * sp } ?? sp)
                grads.append(w.requiresGrad ? (g * l).sumTo(w.shape) : nil)
            }
            if let pw = posWeight {
                grads.append(pw.requiresGrad ? (gw * target * sp).sumTo(pw.shape) : nil)
            }
            return grads
        }
        return reduce(out, reduction)
    }
}
