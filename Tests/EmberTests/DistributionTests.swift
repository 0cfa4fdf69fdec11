// Distributions: log-probabilities (hand-derived, and PyTorch 2.13's values), gradchecks, sample shapes and frequencies.
import Foundation
import Testing
import Ember
import _EmberTestSupport

@Suite struct DistributionTests {
    func close(_ a: Tensor, _ e: [Double], rtol: Double = 1e-6, atol: Double = 1e-6, _ label: String = "") -> String? {
        closeness(a, Tensor(e, shape: a.shape), rtol: rtol, atol: atol, label: label)
    }

    @Test func normalLogProb() {
        // Hand-derived: -(x - mu)^2 / (2 sigma^2) - log sigma - log sqrt(2 pi).
        let halfLog2Pi = 0.5 * Foundation.log(2 * Double.pi)
        #expect(close(Normal(loc: 0, scale: 1).logProb(tensor(0.0)), [-halfLog2Pi]) == nil)
        let d = Normal(loc: tensor([0.0, 1.0]), scale: tensor([1.0, 2.0]))
        let lp = d.logProb(tensor([0.5, 3.0]))
        #expect(close(lp, [-0.125 - halfLog2Pi, -0.5 - Foundation.log(2.0) - halfLog2Pi]) == nil)
        #expect(close(lp, [-1.0439385175704956, -2.1120858192443848], "PyTorch") == nil)
        // Broadcasting a [3, 1] value against batch [2].
        #expect(d.logProb(tensor([[0.0], [1.0], [2.0]])).shape == [3, 2])
        #expect(gradcheck([tensor([0.3, -1.0]), tensor([0.7, 2.0]), tensor([[0.1, 0.4], [2.0, -3.0]])]) { xs in
            Normal(loc: xs[0], scale: xs[1]).logProb(xs[2])
        } == nil)
        #expect(close(d.entropy(), [0.5 + halfLog2Pi, 0.5 + halfLog2Pi + Foundation.log(2.0)]) == nil)
    }

    @Test func normalSamplesFollowPyTorchAndMoments() {
        let d = Normal(loc: tensor([0.0, 1.0]), scale: tensor([1.0, 2.0]))
        let s = d.sample([2], generator: Generator(seed: 0))
        #expect(s.shape == [2, 2])
        #expect(close(s, [1.5409960746765137, 0.41314220428466797, -2.1787893772125244, 2.1368625164031982], rtol: 0, atol: 0) == nil)
        #expect(Normal(loc: 0, scale: 1).sample().shape == [])
        let big = Normal(loc: 3, scale: 2).sample([100_000], generator: Generator(seed: 1)).to(.float64)
        let m = big.mean().item(), v = ((big - m) * (big - m)).mean().item()
        #expect(Swift.abs(m - 3) < 0.03 && Swift.abs(v - 4) < 0.1)
        // rsample is differentiable with respect to loc and scale.
        let loc = tensor([0.5]).requiresGrad_(), scale = tensor([2.0]).requiresGrad_()
        let r = Normal(loc: loc, scale: scale).rsample([3], generator: Generator(seed: 0))
        r.sum().backward()
        #expect(loc.grad!.scalars == [3])
        #expect(close(scale.grad!, [1.5409960746765137 - 0.293428897857666 - 2.1787893772125244], rtol: 1e-6) == nil)
    }

    @Test func uniform() {
        let d = Uniform(low: 1, high: 3)
        let lp = d.logProb(tensor([0.5, 1.0, 2.9, 3.0]))
        #expect(lp.scalars[0] == -.infinity && lp.scalars[3] == -.infinity)
        #expect(close(lp.slice(0, start: 1, end: 3), [-Foundation.log(2.0), -Foundation.log(2.0)]) == nil)
        #expect(close(d.sample([3], generator: Generator(seed: 0)), [1.9925131797790527, 2.5364437103271484, 1.1769548654556274], rtol: 0, atol: 0) == nil)
        let s = Uniform(low: tensor([-1.0, 10.0]), high: tensor([1.0, 11.0])).sample([1000], generator: Generator(seed: 3))
        #expect(s.shape == [1000, 2])
        let v = s.toArray(as: Float.self)
        #expect(stride(from: 0, to: 2000, by: 2).allSatisfy { v[$0] >= -1 && v[$0] < 1 && v[$0 + 1] >= 10 && v[$0 + 1] < 11 })
        #expect(gradcheck([tensor([0.0]), tensor([2.0])]) { xs in Uniform(low: xs[0], high: xs[1]).logProb(tensor([0.5, 1.5]).double()) } == nil)
    }

    @Test func bernoulli() {
        let d = Bernoulli(probs: tensor([0.3, 0.9]))
        // Hand-derived: log 0.3 and log(1 - 0.9).
        #expect(close(d.logProb(tensor([1.0, 0.0])), [Foundation.log(0.3), Foundation.log(0.1)], rtol: 1e-5) == nil)
        #expect(close(d.logProb(tensor([1.0, 0.0])), [-1.2039728164672852, -2.3025848865509033], rtol: 1e-6, "PyTorch") == nil)
        #expect(close(Bernoulli(logits: tensor([0.0, 3.0])).logProb(tensor([1.0, 0.0])), [-0.6931471824645996, -3.0485873222351074]) == nil)
        #expect(gradcheck([tensor([0.3, 0.9, 0.5])]) { xs in Bernoulli(probs: xs[0]).logProb(tensor([1.0, 0.0, 1.0]).double()) } == nil)
        #expect(gradcheck([tensor([0.0, -2.0, 1.5])]) { xs in Bernoulli(logits: xs[0]).logProb(tensor([1.0, 0.0, 1.0]).double()) } == nil)
        #expect(Bernoulli(probs: 0.3).sample([6], generator: Generator(seed: 0)).scalars == [0, 0, 1, 1, 0, 0])
        let many = Bernoulli(probs: 0.3).sample([100_000], generator: Generator(seed: 4))
        #expect(Swift.abs(many.mean().item() - 0.3) < 0.008)
        #expect(Set(many.scalars) == [0, 1])
    }

    @Test func categorical() {
        let d = Categorical(probs: tensor([1.0, 2.0, 3.0, 4.0]))   // normalized to 0.1 ... 0.4
        #expect(close(d.logProb(tensor([0, 3, 2])), [Foundation.log(0.1), Foundation.log(0.4), Foundation.log(0.3)], rtol: 1e-6) == nil)
        #expect(close(d.logProb(tensor([0, 3, 2])), [-2.3025851249694824, -0.9162907004356384, -1.2039728164672852], "PyTorch") == nil)
        #expect(close(Categorical(logits: tensor([0.5, -1.0, 2.0])).logProb(tensor([0, 1, 2])),
                      [-1.7413113117218018, -3.2413113117218018, -0.24131131172180176]) == nil)
        let value = tensor([[2, 0], [1, 1]])
        #expect(gradcheck([tensor([[0.2, 0.3, 0.5], [1.0, 2.0, 3.0]])]) { xs in Categorical(probs: xs[0]).logProb(value) } == nil)
        #expect(gradcheck([tensor([[0.2, -0.3, 1.5], [1.0, 2.0, 3.0]])]) { xs in Categorical(logits: xs[0]).logProb(value) } == nil)
        // Samples: PyTorch's multinomial stream; shape = sample shape + batch shape.
        #expect(Categorical(probs: tensor([0.2, 0.3, 0.5])).sample([6], generator: Generator(seed: 0)).toArray(as: Int.self) == [2, 2, 1, 2, 2, 2])
        let batched = Categorical(probs: tensor([[0.2, 0.8], [0.9, 0.1]])).sample([3], generator: Generator(seed: 0))
        #expect(batched.shape == [3, 2] && batched.toArray(as: Int.self) == [1, 1, 1, 0, 1, 0])
        let draws = Categorical(probs: tensor([0.1, 0.2, 0.3, 0.4])).sample([100_000], generator: Generator(seed: 5)).toArray(as: Int.self)
        for (k, p) in [0.1, 0.2, 0.3, 0.4].enumerated() {
            let freq = Double(draws.filter { $0 == k }.count) / 1e5
            #expect(Swift.abs(freq - p) < 0.01, "category \(k): \(freq)")
        }
    }

    @Test func multinomial() {
        // Hand-derived: log(3! / (1! 1! 1!) * 0.2 * 0.3 * 0.5) = log 0.18, and log(0.2^3).
        let d = Multinomial(totalCount: 3, probs: tensor([0.2, 0.3, 0.5]))
        let lp = d.logProb(tensor([[1.0, 1.0, 1.0], [3.0, 0.0, 0.0]]))
        #expect(close(lp, [Foundation.log(0.18), 3 * Foundation.log(0.2)], rtol: 1e-6) == nil)
        #expect(close(lp, [-1.7147984504699707, -4.828313827514648], "PyTorch") == nil)
        let counts = tensor([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]).double()
        #expect(gradcheck([tensor([0.2, 0.3, 0.5])]) { xs in Multinomial(totalCount: 3, probs: xs[0]).logProb(counts) } == nil)
        // The notes' die experiment.
        let die = Multinomial(totalCount: 10, probs: Tensor.ones(6) / 6)
        let s = die.sample([500], generator: Generator(seed: 6))
        #expect(s.shape == [500, 6] && s.dtype == .float32)
        #expect(s.sum(dim: 1).scalars.allSatisfy { $0 == 10 })
        #expect(s.scalars.allSatisfy { $0 >= 0 && $0 <= 10 && $0 == $0.rounded() })
        let freq = (s.sum(dim: 0) / 5000).scalars
        #expect(freq.allSatisfy { Swift.abs($0 - 1.0 / 6) < 0.025 }, "\(freq)")
        // PyTorch's stream: torch.manual_seed(0); Multinomial(10, torch.ones(6) / 6).sample((4,)).
        let first = die.sample([4], generator: Generator(seed: 0))
        #expect(first.scalars == [0, 3, 2, 3, 1, 1, 1, 3, 1, 2, 3, 0, 1, 1, 4, 2, 2, 0, 0, 1, 3, 2, 2, 2])
        let batched = Multinomial(totalCount: 4, probs: tensor([[0.2, 0.8], [0.9, 0.1]])).sample([2], generator: Generator(seed: 0))
        #expect(batched.shape == [2, 2, 2] && batched.scalars == [1, 3, 4, 0, 0, 4, 4, 0])
        #expect(close(d.mean, [0.6, 0.9, 1.5]) == nil)
    }
}
