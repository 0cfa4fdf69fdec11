// Optimizer and scheduler trajectories against PyTorch (training.json): losses, rates used, final weights.
import Foundation
import Testing
import Ember
import EmberNN
import EmberOptim
import _EmberTestSupport

/// training.json, or the reason it cannot be read (reported by `everyTrajectoryIsKnown`).
private let trainingLoad: Result<[String: Any], Error> = Result { try loadGoldenJSON("training.json") }
private let training: [String: Any] = (try? trainingLoad.get()) ?? [:]
private let trajectoryNames: [String] = ((training["trajectories"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }

/// Cross-entropy of logits [N, C] against class indices, composed from primitives (independent of F.crossEntropy).
func referenceCrossEntropy(_ logits: Tensor, _ y: Tensor) -> Tensor {
    let classes = logits.shape[1]
    let oneHot = (Tensor.arange(classes).unsqueeze(0) == y.unsqueeze(1)).float()
    let logSumExp = logits.exp().sum(dim: 1).log()
    return (logSumExp - (logits * oneHot).sum(dim: 1)).mean()
}

/// Builds the optimizer (and scheduler) a trajectory name describes.
func makeOptimizer(_ name: String, weight: Tensor, bias: Tensor) -> (Optimizer, LRScheduler?)? {
    let params = [weight, bias]
    switch name {
    case "SGD(lr=0.1)": return (SGD(params, lr: 0.1), nil)
    case "SGD(lr=0.1, momentum=0.9)": return (SGD(params, lr: 0.1, momentum: 0.9), nil)
    case "SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)":
        return (SGD(params, lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true), nil)
    case "SGD(lr=0.1, momentum=0.9, dampening=0.5)": return (SGD(params, lr: 0.1, momentum: 0.9, dampening: 0.5), nil)
    case "SGD param groups: [{weight, weight_decay=3}, {bias}], lr=0.003 (seed: weight decay concise)":
        return (SGD([ParamGroup([weight], ["weight_decay": .number(3)]), ParamGroup([bias])], lr: 0.003), nil)
    case "Adam(lr=0.01)": return (Adam(params, lr: 0.01), nil)
    case "Adam(lr=0.01, betas=(0.8,0.99), weight_decay=0.1, amsgrad=True)":
        return (Adam(params, lr: 0.01, betas: (0.8, 0.99), weightDecay: 0.1, amsgrad: true), nil)
    case "AdamW(lr=0.01, weight_decay=0.1)": return (AdamW(params, lr: 0.01, weightDecay: 0.1), nil)
    case "RMSprop(lr=0.01)": return (RMSprop(params, lr: 0.01), nil)
    case "RMSprop(lr=0.01, momentum=0.5, centered=True)": return (RMSprop(params, lr: 0.01, momentum: 0.5, centered: true), nil)
    case "Adagrad(lr=0.1)": return (Adagrad(params, lr: 0.1), nil)
    case "SGD(lr=0.1) + StepLR(step_size=4, gamma=0.5), scheduler.step() after each optimizer step":
        let o = SGD(params, lr: 0.1); return (o, StepLR(o, stepSize: 4, gamma: 0.5))
    case "SGD(lr=0.1) + CosineAnnealingLR(T_max=12)":
        let o = SGD(params, lr: 0.1); return (o, CosineAnnealingLR(o, tMax: 12))
    case "SGD(lr=0.1, momentum=0.9) + OneCycleLR(max_lr=0.5, total_steps=12)":
        let o = SGD(params, lr: 0.1, momentum: 0.9); return (o, OneCycleLR(o, maxLR: 0.5, totalSteps: 12))
    case "SGD(lr=0.1) + MultiStepLR(milestones=[3,7], gamma=0.1)":
        let o = SGD(params, lr: 0.1); return (o, MultiStepLR(o, milestones: [3, 7], gamma: 0.1))
    default: return nil
    }
}

@Suite("OptimGolden: training.json trajectories")
struct OptimGoldenTests {
    /// The file is present and every trajectory in it (whatever the directory) is run by `trajectory(name:)`.
    @Test func everyTrajectoryIsKnown() throws {
        let all = try #require(try trainingLoad.get()["trajectories"] as? [[String: Any]], "training.json has no 'trajectories' list")
        try #require(!all.isEmpty, "training.json in \(goldenDirectory.path) has no trajectories")
        #expect(trajectoryNames.count == all.count, "training.json has trajectories without a name")
        for name in trajectoryNames {
            #expect(makeOptimizer(name, weight: Tensor.zeros([3, 6]).requiresGrad_(), bias: Tensor.zeros([3]).requiresGrad_()) != nil,
                    "training.json trajectory '\(name)' is not known to the tests")
        }
    }

    @Test(arguments: trajectoryNames)
    func trajectory(name: String) throws {
        let tr = try #require((training["trajectories"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let X = try goldenTensor(training["X"], "training.json X"), y = try goldenTensor(training["y"], "training.json y")
        let weight = try goldenTensor(training["initial_weight"], "training.json initial_weight").requiresGrad_()
        let bias = try goldenTensor(training["initial_bias"], "training.json initial_bias").requiresGrad_()
        let (opt, scheduler) = try #require(makeOptimizer(name, weight: weight, bias: bias), "unknown trajectory \(name)")
        let expectedLosses = try #require(tr["losses"] as? [Double], "\(name): no 'losses' list")
        let expectedLRs = try #require(tr["lrs_used"] as? [Double], "\(name): no 'lrs_used' list")
        try #require(expectedLRs.count == expectedLosses.count, "\(name): \(expectedLosses.count) losses but \(expectedLRs.count) rates")
        let finalWeight = try goldenTensor(tr["final_weight"], "\(name) final_weight")
        let finalBias = try goldenTensor(tr["final_bias"], "\(name) final_bias")
        // The format fixes the batches (training.json's `model`: rows [0..9], [10..19], [20..29], [30..39], repeated).
        try #require((X.shape.first ?? 0) >= 40 && (y.shape.first ?? 0) >= 40, "training.json X/y have fewer than 40 rows")
        for step in 0..<expectedLosses.count {
            let rows = (step % 4) * 10
            let xb = X.narrow(0, start: rows, length: 10), yb = y.narrow(0, start: rows, length: 10)
            #expect(Swift.abs(opt.paramGroups[0].lr - expectedLRs[step]) <= 1e-12 * expectedLRs[step] + 1e-15, "step \(step) lr")
            opt.zeroGrad()
            let loss = referenceCrossEntropy(xb.matmul(weight.t()) + bias, yb)
            loss.backward()
            opt.step()
            scheduler?.step()
            let l = loss.item()
            #expect(Swift.abs(l - expectedLosses[step]) <= 1e-5 * Swift.abs(expectedLosses[step]), "step \(step) loss \(l) vs \(expectedLosses[step])")
        }
        #expect(closeness(weight, finalWeight, rtol: 1e-5, atol: 1e-6, label: "final weight") == nil)
        #expect(closeness(bias, finalBias, rtol: 1e-5, atol: 1e-6, label: "final bias") == nil)
    }
}
