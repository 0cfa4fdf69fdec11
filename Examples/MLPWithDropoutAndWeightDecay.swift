// The notes' MLP with dropout (section 5.6) and weight decay on the weights only (section 3.7), through
// optimizer parameter groups; and what train and eval mode change.
import Foundation
import EmberKit

/// What `runMLPWithDropoutAndWeightDecay` printed.
struct MLPDropoutResult {
    /// Names of the parameters in the decayed group (the weights) and in the other group (the biases).
    var decayedNames: [String], undecayedNames: [String]
    /// `weight_decay` of each group, as the optimizer holds them.
    var groupWeightDecays: [Double]
    /// `Dropout(0.5)` on 10,000 ones in train mode: the fraction zeroed and the distinct values kept.
    var dropoutZeroFraction: Double, dropoutKeptValues: [Double]
    /// Two forward passes of the same input: they differ in train mode (fresh masks), agree in eval mode.
    var trainPassesDiffer: Bool, evalPassesAgree: Bool
    /// Mean training loss of each epoch, and the held-out accuracy (eval mode; chance is 0.1).
    var trainLosses: [Double], testAccuracy: Double
}

/// Trains the notes' two-hidden-layer MLP with dropout 0.2 / 0.5 and weight decay on its weights.
func runMLPWithDropoutAndWeightDecay(epochs: Int = 3, lr: Double = 0.1, weightDecay: Double = 1e-3,
                                     seed: Int = 0) throws -> MLPDropoutResult {
    manualSeed(seed)

    // Dropout in train mode: each element is zeroed with probability p, the survivors are scaled by
    // 1 / (1 − p) so the expected value is unchanged.
    let dropout = Dropout(0.5)
    let dropped = dropout(Tensor.ones(10_000))
    let zeroFraction = (dropped == 0).float().mean().item()
    let keptValues = Set(dropped.scalars.filter { $0 != 0 }).sorted()
    print("Dropout(0.5) on ones: \(String(format: "%.3f", zeroFraction)) zeroed, survivors become \(keptValues)")

    // The notes' MLP: dropout after each hidden layer's activation, the stronger one near the output.
    let net = Sequential {
        Flatten()
        Linear(784, 256); ReLU(); Dropout(0.2)
        Linear(256, 256); ReLU(); Dropout(0.5)
        Linear(256, 10)
    }
    print(net)

    // Weight decay (an L2 penalty) on the weights only: two parameter groups, as in PyTorch's
    // `SGD([{"params": weights, "weight_decay": wd}, {"params": biases}], lr=lr)`.
    let named = net.namedParameters()
    let weights = named.filter { $0.0.hasSuffix("weight") }, biases = named.filter { !$0.0.hasSuffix("weight") }
    let trainer = SGD([ParamGroup(weights.map { $0.1 }, ["weight_decay": .number(weightDecay)]),
                       ParamGroup(biases.map { $0.1 })], lr: lr)
    // The groups' keys are read into SGD's typed options when the optimizer is built.
    let groupDecays = trainer.paramGroups.map { $0.options(as: SGD.Options.self).weightDecay }
    print("decayed: \(weights.map { $0.0 }) (weight_decay \(groupDecays[0])); not decayed: \(biases.map { $0.0 })")

    let (train, test) = syntheticImageClasses(trainCount: 768, testCount: 512, seed: seed)
    let loss = CrossEntropyLoss()
    var trainLosses: [Double] = []
    for epoch in 1...epochs {
        // `trainEpoch` puts the net in train mode: dropout is active.
        let (l, acc, _) = try trainEpoch(net, DataLoader(train, batchSize: 64, shuffle: true), optimizer: trainer,
                                     lossFunction: { loss($0, $1) })
        trainLosses.append(l)
        print("epoch \(epoch): train loss \(String(format: "%.3f", l)), train acc \(String(format: "%.3f", acc))")
    }

    // Train mode vs eval mode on the same images: dropout draws new masks in train mode and is the identity in eval.
    let probe = test.features[0..<8]
    net.train()
    let trainPassesDiffer = noGrad { net(probe).scalars != net(probe).scalars }
    net.eval()
    let evalPassesAgree = noGrad { net(probe).scalars == net(probe).scalars }
    print("train mode: two passes differ = \(trainPassesDiffer); eval mode: two passes agree = \(evalPassesAgree)")

    // `evaluateAccuracy` switches to eval mode itself (and restores the previous mode).
    let testAccuracy = try evaluateAccuracy(net, DataLoader(test, batchSize: 256))
    print("test acc \(String(format: "%.3f", testAccuracy))")
    return MLPDropoutResult(decayedNames: weights.map { $0.0 }, undecayedNames: biases.map { $0.0 },
                            groupWeightDecays: groupDecays, dropoutZeroFraction: zeroFraction, dropoutKeptValues: keptValues,
                            trainPassesDiffer: trainPassesDiffer, evalPassesAgree: evalPassesAgree,
                            trainLosses: trainLosses, testAccuracy: testAccuracy)
}
