// Learning-rate schedulers (`torch.optim.lr_scheduler`): the base class and the epoch-indexed schedules.
import Foundation
import Ember

/// The base of learning-rate schedulers. Construction records each group's initial lr (`initial_lr`) and
/// applies epoch 0; each `step()` advances `lastEpoch` and writes the new rates into the optimizer's groups.
/// Subclasses compute rates with PyTorch's (recursive, "chainable") formulas so the numbers match.
open class LRScheduler {
    public let optimizer: Optimizer
    /// The initial learning rate of each group.
    public let baseLRs: [Double]
    /// Number of `step()` calls so far (PyTorch's `last_epoch`, 0 after construction).
    public private(set) var lastEpoch: Int
    /// The rates set by the last step (`get_last_lr()`).
    public private(set) var lastLR: [Double]

    public init(_ optimizer: Optimizer) {
        self.optimizer = optimizer
        for g in optimizer.paramGroups where g["initial_lr"] == nil { g["initial_lr"] = .number(g.lr) }
        baseLRs = optimizer.paramGroups.map { $0["initial_lr"]?.double ?? $0.lr }
        lastEpoch = -1
        lastLR = baseLRs
    }

    /// Call at the end of the subclass initialiser: applies epoch 0 (PyTorch's `_initial_step`).
    public func initialStep() { step() }

    /// Advances one epoch (or one batch, for per-batch schedules) and updates the optimizer's learning rates.
    open func step() {
        lastEpoch += 1
        let rates = computeLR()
        for (g, lr) in zip(optimizer.paramGroups, rates) { g.lr = lr }
        lastLR = rates
    }

    /// The rates for `lastEpoch`, given the groups' current rates (`get_lr()`).
    open func computeLR() -> [Double] { optimizer.paramGroups.map { $0.lr } }

    var currentLRs: [Double] { optimizer.paramGroups.map { $0.lr } }
}

/// Multiplies the rate by `gamma` every `stepSize` epochs (`StepLR`).
public final class StepLR: LRScheduler {
    public let stepSize: Int, gamma: Double
    /// A step decay, applied from the optimizer's current rates.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer whose parameter groups' learning rates are set.
    ///   - stepSize: The number of epochs between decays.
    ///   - gamma: The factor the rate is multiplied by.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
        self.stepSize = stepSize; self.gamma = gamma
        super.init(optimizer)
        initialStep()
    }
    public override func computeLR() -> [Double] {
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return currentLRs }
        return currentLRs.map { $0 * gamma }
    }
}

/// Multiplies the rate by `gamma` at each milestone epoch (`MultiStepLR`).
public final class MultiStepLR: LRScheduler {
    public let milestones: [Int], gamma: Double
    /// A decay at milestones, applied from the optimizer's current rates.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer whose parameter groups' learning rates are set.
    ///   - milestones: The epochs at which the rate decays.
    ///   - gamma: The factor the rate is multiplied by.
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) {
        self.milestones = milestones; self.gamma = gamma
        super.init(optimizer)
        initialStep()
    }
    public override func computeLR() -> [Double] {
        let hits = milestones.filter { $0 == lastEpoch }.count
        if hits == 0 { return currentLRs }
        return currentLRs.map { $0 * Foundation.pow(gamma, Double(hits)) }
    }
}

/// Multiplies the rate by `gamma` every epoch (`ExponentialLR`).
public final class ExponentialLR: LRScheduler {
    public let gamma: Double
    public init(_ optimizer: Optimizer, gamma: Double) {
        self.gamma = gamma
        super.init(optimizer)
        initialStep()
    }
    public override func computeLR() -> [Double] { lastEpoch == 0 ? currentLRs : currentLRs.map { $0 * gamma } }
}

/// Cosine annealing from the base rate to `etaMin` over `tMax` epochs (`CosineAnnealingLR`, PyTorch's recursive form).
public final class CosineAnnealingLR: LRScheduler {
    public let tMax: Int, etaMin: Double
    /// Cosine annealing from the optimizer's current rates.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer whose parameter groups' learning rates are set.
    ///   - tMax: The number of epochs of a half cosine period.
    ///   - etaMin: The smallest rate reached.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) {
        self.tMax = tMax; self.etaMin = etaMin
        super.init(optimizer)
        initialStep()
    }
    public override func computeLR() -> [Double] {
        let e = Double(lastEpoch), t = Double(tMax)
        if lastEpoch == 0 { return currentLRs }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return zip(currentLRs, baseLRs).map { lr, base in lr + (base - etaMin) * (1 - Foundation.cos(Double.pi / t)) / 2 }
        }
        return currentLRs.map { lr in
            (1 + Foundation.cos(Double.pi * e / t)) / (1 + Foundation.cos(Double.pi * (e - 1) / t)) * (lr - etaMin) + etaMin
        }
    }
}

/// A rate `base · lambda(epoch)` from a closure (`LambdaLR`).
public final class LambdaLR: LRScheduler {
    public let lambda: (Int) -> Double
    public init(_ optimizer: Optimizer, lambda: @escaping (Int) -> Double) {
        self.lambda = lambda
        super.init(optimizer)
        initialStep()
    }
    public override func computeLR() -> [Double] { baseLRs.map { $0 * lambda(lastEpoch) } }
}
