// OneCycleLR: warm up to max_lr then anneal, cycling momentum inversely (`torch.optim.lr_scheduler.OneCycleLR`).
import Foundation
import Ember

/// The 1cycle policy, stepped once per batch: the rate rises from `maxLR/divFactor` to `maxLR` over
/// `pctStart` of the steps and anneals to `initial/finalDivFactor`; with `cycleMomentum` the optimizer's
/// momentum (or Adam's β1) moves the opposite way between `baseMomentum` and `maxMomentum`.
public final class OneCycleLR: LRScheduler {
    public enum Anneal { case cos, linear }
    struct Phase { let endStep: Double; let startLR: String; let endLR: String; let startMomentum: String; let endMomentum: String }
    let totalSteps: Int
    let anneal: Anneal
    let cycleMomentum: Bool
    let phases: [Phase]
    let usesBetas: Bool

    /// A 1cycle schedule over `totalSteps` batches; it sets each group's `initial_lr`, `max_lr`, `min_lr` (and momenta).
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer whose parameter groups' learning rates are set.
    ///   - maxLR: The peak learning rate.
    ///   - totalSteps: The number of `step()` calls in the cycle (epochs × batches per epoch).
    ///   - pctStart: The share of the cycle spent raising the rate.
    ///   - anneal: The annealing curve: `.cos` or `.linear`.
    ///   - cycleMomentum: Move the momentum (or Adam's β1) inversely to the rate.
    ///   - baseMomentum: The lowest momentum, reached at the peak rate.
    ///   - maxMomentum: The highest momentum, at the start and end.
    ///   - divFactor: The initial rate is `maxLR / divFactor`.
    ///   - finalDivFactor: The final rate is the initial rate divided by this.
    ///   - threePhase: Use a third phase that anneals below the initial rate (fast.ai's schedule otherwise).
    public init(_ optimizer: Optimizer, maxLR: Double, totalSteps: Int, pctStart: Double = 0.3, anneal: Anneal = .cos,
                cycleMomentum: Bool = true, baseMomentum: Double = 0.85, maxMomentum: Double = 0.95,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false) {
        emberCheck(totalSteps > 0, "OneCycleLR", "Expected positive integer total_steps, but got \(totalSteps)")
        self.totalSteps = totalSteps
        self.anneal = anneal
        self.cycleMomentum = cycleMomentum
        let total = Double(totalSteps)
        if threePhase {
            phases = [Phase(endStep: pctStart * total - 1, startLR: "initial_lr", endLR: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum"),
                      Phase(endStep: 2 * pctStart * total - 2, startLR: "max_lr", endLR: "initial_lr", startMomentum: "base_momentum", endMomentum: "max_momentum"),
                      Phase(endStep: total - 1, startLR: "initial_lr", endLR: "min_lr", startMomentum: "max_momentum", endMomentum: "max_momentum")]
        } else {
            phases = [Phase(endStep: pctStart * total - 1, startLR: "initial_lr", endLR: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum"),
                      Phase(endStep: total - 1, startLR: "max_lr", endLR: "min_lr", startMomentum: "base_momentum", endMomentum: "max_momentum")]
        }
        usesBetas = optimizer.paramGroups.first?["betas"] != nil
        for g in optimizer.paramGroups {
            let initial = maxLR / divFactor
            g["initial_lr"] = .number(initial)
            g["max_lr"] = .number(maxLR)
            g["min_lr"] = .number(initial / finalDivFactor)
            if cycleMomentum {
                emberCheck(g["momentum"] != nil || g["betas"] != nil, "OneCycleLR", "optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
                Self.setMomentum(g, maxMomentum, usesBetas: usesBetas)
                g["max_momentum"] = .number(maxMomentum)
                g["base_momentum"] = .number(baseMomentum)
            }
        }
        super.init(optimizer)
        initialStep()
    }

    /// A rate or momentum this scheduler stored in the group (`initial_lr`, `max_momentum`, ...).
    private func number(_ g: ParamGroup, _ key: String) -> Double {
        guard let v = g[key] else { emberFail("OneCycleLR", "parameter group has no '\(key)'") }
        return v.double
    }

    /// Sets the cycled momentum: Adam's β1 (keeping β2), or `momentum`.
    private static func setMomentum(_ g: ParamGroup, _ m: Double, usesBetas: Bool) {
        if usesBetas, let (_, beta2) = g["betas"].map({ $0.pair }) { g["betas"] = .pair(m, beta2) } else { g["momentum"] = .number(m) }
    }

    private func annealValue(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: return end + (start - end) / 2 * (Foundation.cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    public override func computeLR() -> [Double] {
        let stepNum = Double(lastEpoch)
        emberCheck(lastEpoch <= totalSteps, "OneCycleLR", "Tried to step \(lastEpoch) times. The specified number of total steps is \(totalSteps)")
        return optimizer.paramGroups.map { g in
            var start = 0.0, lr = 0.0
            for (i, phase) in phases.enumerated() {
                if stepNum <= phase.endStep || i == phases.count - 1 {
                    let pct = (stepNum - start) / (phase.endStep - start)
                    lr = annealValue(number(g, phase.startLR), number(g, phase.endLR), pct)
                    if cycleMomentum {
                        let m = annealValue(number(g, phase.startMomentum), number(g, phase.endMomentum), pct)
                        Self.setMomentum(g, m, usesBetas: usesBetas)
                    }
                    break
                }
                start = phase.endStep
            }
            return lr
        }
    }
}

/// Lowers the rate by `factor` when a metric stops improving for `patience` epochs (`ReduceLROnPlateau`).
public final class ReduceLROnPlateau {
    public enum Mode { case min, max }
    public let optimizer: Optimizer
    public let mode: Mode, factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double, eps: Double
    public let relativeThreshold: Bool
    public private(set) var best: Double
    public private(set) var badEpochs = 0
    private var cooldownCounter = 0
    public private(set) var lastLR: [Double]

    /// Watches a metric reported by `step(_:)` and lowers the rates when it plateaus.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer whose parameter groups' learning rates are set.
    ///   - mode: `.min`: lower the rate when the metric stops decreasing; `.max`: when it stops increasing.
    ///   - factor: The factor the rate is multiplied by (< 1).
    ///   - patience: Epochs without improvement tolerated before lowering the rate.
    ///   - threshold: The least change that counts as an improvement.
    ///   - relativeThreshold: Measure `threshold` relative to the best value (PyTorch's `rel`) instead of absolutely (`abs`).
    ///   - cooldown: Epochs to wait after lowering the rate before counting again.
    ///   - minLR: The lowest rate.
    ///   - eps: Changes of the rate smaller than this are skipped.
    public init(_ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                relativeThreshold: Bool = true, cooldown: Int = 0, minLR: Double = 0, eps: Double = 1e-8) {
        emberCheck(factor < 1, "ReduceLROnPlateau", "Factor should be < 1.0.")
        self.optimizer = optimizer; self.mode = mode; self.factor = factor; self.patience = patience
        self.threshold = threshold; self.relativeThreshold = relativeThreshold; self.cooldown = cooldown
        self.minLR = minLR; self.eps = eps
        best = mode == .min ? .infinity : -.infinity
        lastLR = optimizer.paramGroups.map { $0.lr }
    }

    private func isBetter(_ a: Double) -> Bool {
        switch (mode, relativeThreshold) {
        case (.min, true): return a < best * (1 - threshold)
        case (.min, false): return a < best - threshold
        case (.max, true): return a > best * (threshold + 1)
        case (.max, false): return a > best + threshold
        }
    }

    /// Reports this epoch's metric (e.g. validation loss) and lowers the rates if it has plateaued.
    public func step(_ metric: Double) {
        if isBetter(metric) { best = metric; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownCounter > 0 { cooldownCounter -= 1; badEpochs = 0 }
        if badEpochs > patience {
            for g in optimizer.paramGroups {
                let new = Swift.max(g.lr * factor, minLR)
                if g.lr - new > eps { g.lr = new }
            }
            cooldownCounter = cooldown
            badEpochs = 0
        }
        lastLR = optimizer.paramGroups.map { $0.lr }
    }
}
