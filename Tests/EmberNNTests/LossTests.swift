// Losses: hand-computed values, PyTorch's ignore_index/weight/label-smoothing rules, gradchecks.
import Testing
import Foundation
import Ember
import EmberNN
import _EmberTestSupport

@Suite("Losses")
struct LossTests {
    @Test func crossEntropyByHand() {
        // Logits [0, ln 3] → p = [1/4, 3/4]; target 1 → −ln(3/4); target 0 → −ln(1/4).
        let logits = tensor([[0.0, Foundation.log(3.0)], [0.0, Foundation.log(3.0)]], dtype: .float64)
        let target = tensor([1, 0])
        let none = F.crossEntropy(logits, target, reduction: .none)
        #expect(closeness(none, tensor([-Foundation.log(0.75), -Foundation.log(0.25)], dtype: .float64), rtol: 1e-12) == nil)
        // Class weights [1, 3]: mean = (3·(−ln .75) + 1·(−ln .25)) / (3 + 1).
        let weighted = F.crossEntropy(logits, target, weight: tensor([1.0, 3.0], dtype: .float64))
        #expect(closeness(weighted, Tensor(scalar: (3 * -Foundation.log(0.75) - Foundation.log(0.25)) / 4, dtype: .float64), rtol: 1e-12) == nil)
        // ignore_index drops the row from the sum and from the mean's denominator.
        let ignored = F.crossEntropy(logits, tensor([1, -100]))
        #expect(closeness(ignored, Tensor(scalar: -Foundation.log(0.75), dtype: .float64), rtol: 1e-12) == nil)
        #expect(F.crossEntropy(logits.requiresGrad_(), target).gradFn?.name == "NllLossBackward0")
    }

    @Test func crossEntropyMatchesComposedLogSoftmaxAndNll() {
        let x = sample([4, 5, 3]), t = Tensor([Int64](arrayLiteral: 0, 4, 2, 1, 3, 3, 4, 0, 1, 2, 2, 0), shape: [4, 3])
        let w = sample([5], seed: 3).abs() + 0.1
        for red in [F.Reduction.none, .mean, .sum] {
            let fused = F.crossEntropy(x, t, weight: w, ignoreIndex: 3, reduction: red)
            let composed = F.nllLoss(F.logSoftmax(x, dim: 1), t, weight: w, ignoreIndex: 3, reduction: red)
            #expect(closeness(fused, composed, rtol: 1e-12, atol: 1e-12) == nil, "\(red)")
        }
        // Label smoothing ε: (1 − ε)·nll + ε/C · Σ_c w_c·(−log p_c), both normalized by Σ w[t] (PyTorch's rule).
        let eps = 0.2
        let logp = F.logSoftmax(x, dim: 1)
        let keep = (t != 3).to(.float64)
        let smooth = (-(logp * w.view([1, 5, 1])).sum(dim: 1) * keep).sum()
        let denom = (Tensor.where(t == 3, Tensor.zeros([4, 3], dtype: .float64), F.embedding(t.clamp(max: 4), w.view([5, 1])).squeeze(-1))).sum()
        let expected = (1 - eps) * F.nllLoss(logp, t, weight: w, ignoreIndex: 3) + smooth / denom * (eps / 5)
        #expect(closeness(F.crossEntropy(x, t, weight: w, ignoreIndex: 3, labelSmoothing: eps), expected, rtol: 1e-12, atol: 1e-12) == nil)
    }

    @Test func crossEntropyAndNllGradchecks() {
        let t = tensor([2, 0, 1, 2])
        let w = tensor([0.5, 2.0, 1.5], dtype: .float64)
        for red in [F.Reduction.none, .mean, .sum] {
            #expect(gradcheck([sample([4, 3])]) { F.crossEntropy($0[0], t, weight: w, ignoreIndex: 0, reduction: red, labelSmoothing: 0.1) } == nil)
            #expect(gradcheck([sample([4, 3])]) { F.nllLoss($0[0], t, weight: w, reduction: red) } == nil)
        }
        #expect(gradcheck([sample([2, 3, 2, 2])]) { F.crossEntropy($0[0], tensor([[[0, 1], [2, 1]], [[2, 2], [0, 1]]])) } == nil)
        // Probability targets (and the unbatched form).
        let q = F.softmax(sample([4, 3], seed: 5), dim: 1)
        #expect(gradcheck([sample([4, 3]), q]) { F.crossEntropy($0[0], $0[1], labelSmoothing: 0.1) } == nil)
        #expect(gradcheck([sample([3])]) { F.crossEntropy($0[0], Tensor(scalar: 1, dtype: .int64)) } == nil)
    }

    @Test func softmaxFamily() {
        let x = sample([3, 4, 2])
        let p = F.softmax(x, dim: 1)
        #expect(closeness(p.sum(dim: 1), Tensor.ones([3, 2], dtype: .float64), rtol: 1e-12) == nil)
        #expect(closeness(F.logSoftmax(x, dim: 1), p.log(), rtol: 1e-12, atol: 1e-12) == nil)
        // Stability: huge logits do not overflow.
        #expect(closeness(F.softmax(tensor([1000.0, 1000.0]), dim: 0), tensor([0.5, 0.5])) == nil)
        #expect(gradcheck([x]) { F.softmax($0[0], dim: -1) } == nil)
        #expect(gradcheck([x]) { F.logSoftmax($0[0], dim: 0) } == nil)
    }

    @Test func regressionLossesByHand() {
        let a = tensor([0.0, 2.0, 5.0], dtype: .float64), b = tensor([0.5, 0.0, 5.0], dtype: .float64)
        // d = [-0.5, 2, 0]
        #expect(F.mseLoss(a, b).item() == (0.25 + 4) / 3)
        #expect(F.l1Loss(a, b, reduction: .sum).item() == 2.5)
        #expect(F.smoothL1Loss(a, b, reduction: .none).scalars == [0.125, 1.5, 0])
        #expect(F.huberLoss(a, b, reduction: .none, delta: 0.5).scalars == [0.125, 0.875, 0])
        #expect(F.smoothL1Loss(a, b, beta: 0).item() == F.l1Loss(a, b).item())
        let x = sample([3, 4]), y = sample([3, 4], seed: 2)
        #expect(gradcheck([x, y]) { F.mseLoss($0[0], $0[1]) } == nil)
        #expect(gradcheck([x, y]) { F.l1Loss($0[0], $0[1], reduction: .sum) } == nil)
        #expect(gradcheck([x, y]) { F.smoothL1Loss($0[0], $0[1], reduction: .none, beta: 0.5) } == nil)
        #expect(gradcheck([x, y]) { F.huberLoss($0[0], $0[1], delta: 0.3) } == nil)
    }

    @Test func binaryCrossEntropy() {
        // −(y log p + (1 − y) log(1 − p)); log clamps at −100, so p = 0 with y = 1 costs exactly 100.
        let p = tensor([0.25, 0.0], dtype: .float64), y = tensor([1.0, 1.0], dtype: .float64)
        #expect(closeness(F.binaryCrossEntropy(p, y, reduction: .none), tensor([-Foundation.log(0.25), 100], dtype: .float64), rtol: 1e-12) == nil)
        let probs = sample([3, 2]).sigmoid(), targets = sample([3, 2], seed: 2).sigmoid(), w = sample([3, 2], seed: 3).abs()
        #expect(gradcheck([probs, targets, w]) { F.binaryCrossEntropy($0[0], $0[1], weight: $0[2]) } == nil)
        // With logits: equals BCE of the sigmoid, and stays finite for huge logits.
        let z = sample([3, 2], seed: 4) * 4
        #expect(closeness(F.binaryCrossEntropyWithLogits(z, targets), F.binaryCrossEntropy(z.sigmoid(), targets), rtol: 1e-10) == nil)
        #expect(closeness(F.binaryCrossEntropyWithLogits(tensor([1000.0, -1000.0]), tensor([0.0, 1.0]), reduction: .none), tensor([1000.0, 1000.0])) == nil)
        let pw = tensor([2.0, 0.5], dtype: .float64)
        let manual = -(pw * targets * z.sigmoid().log() + (1 - targets) * (1 - z.sigmoid()).log()).mean()
        #expect(closeness(F.binaryCrossEntropyWithLogits(z, targets, posWeight: pw), manual, rtol: 1e-10) == nil)
        #expect(gradcheck([z, targets, w, pw]) { F.binaryCrossEntropyWithLogits($0[0], $0[1], weight: $0[2], posWeight: $0[3], reduction: .sum) } == nil)
    }
}
