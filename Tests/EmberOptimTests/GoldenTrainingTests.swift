// Optimizer and scheduler trajectories against PyTorch (training.json): losses, rates used, final weights.
import Foundation
import Testing
import Ember
import EmberNN
import EmberOptim
import _EmberTestSupport

private let training: [String: Any] = (try? loadGoldenJSON("training.json")) ?? [:]
private let trajectoryNames: [String] = ((training["trajectories"] as? [[String: Any]]) ?? []).map { $0["name"] as! String }

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
    @Test func everyTrajectoryIsKnown() {
        #expect(!trajectoryNames.isEmpty, "training.json not found in \(goldenDirectory.path)")
        for name in trajectoryNames {
            #expect(makeOptimizer(name, weight: Tensor.zeros([3, 6]).requiresGrad_(), bias: Tensor.zeros([3]).requiresGrad_()) != nil,
                    "training.json trajectory '\(name)' is not known to the tests")
        }
    }

    @Test(arguments: trajectoryNames)
    func trajectory(name: String) throws {
        let tr = try #require((training["trajectories"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let X = goldenTensor(training["X"]), y = goldenTensor(training["y"])
        let weight = goldenTensor(training["initial_weight"]).requiresGrad_()
        let bias = goldenTensor(training["initial_bias"]).requiresGrad_()
        let (opt, scheduler) = try #require(makeOptimizer(name, weight: weight, bias: bias), "unknown trajectory \(name)")
        let expectedLosses = tr["losses"] as! [Double], expectedLRs = tr["lrs_used"] as! [Double]
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
        #expect(closeness(weight, goldenTensor(tr["final_weight"]), rtol: 1e-5, atol: 1e-6, label: "final weight") == nil)
        #expect(closeness(bias, goldenTensor(tr["final_bias"]), rtol: 1e-5, atol: 1e-6, label: "final bias") == nil)
    }
}
