// var/std, cumsum, norms and logsumexp: hand-derived values and keepDim shapes (their gradchecks and errors are in
// the op registry, _EmberTestSupport/OpInfo).
import Foundation
import Testing
import Ember
import _EmberTestSupport

@Suite struct VarStdTests {
    @Test func handDerivedValues() {
        // [1, 2, 3, 4]: mean 2.5, squared deviations sum to 5.
        let x = tensor([1.0, 2.0, 3.0, 4.0])
        #expect(Swift.abs(x.var().item() - 5.0 / 3) < 1e-6)
        #expect(x.var(unbiased: false).item() == 1.25)
        #expect(x.var(correction: 0).item() == 1.25)
        #expect(Swift.abs(x.std().item() - (5.0 / 3).squareRoot()) < 1e-6)
        let m = tensor([[1.0, 2.0], [3.0, 5.0]])
        #expect(m.var(dim: 0).scalars == [2, 4.5])
        #expect(m.var(dim: -1, unbiased: false).scalars == [0.25, 1])
        #expect(m.var(dim: 1, keepDim: true).shape == [2, 1])
        #expect(m.std(dim: 0, correction: 0).scalars == [1, 1.5])
        // All four elements: mean 2.75, squared deviations 3.0625 + 0.5625 + 0.0625 + 5.0625 = 8.75.
        #expect(Swift.abs(m.var(dims: [0, 1]).item() - 8.75 / 3) < 1e-6)
        #expect(m.var(dims: [0, 1], keepDim: true).shape == [1, 1])
        #expect(m.t().var(dim: 1).scalars == [2, 4.5])
        // One element with the default correction: 0 / 0, as in PyTorch.
        #expect(tensor([3.0]).var().item().isNaN)
    }

    @Test func stdOfConstantHasZeroGradient() {
        let x = tensor([2.0, 2.0, 2.0], requiresGrad: true)
        x.std().backward()
        #expect(x.grad!.scalars == [0, 0, 0])
        #expect(x.std().gradFn?.name == "StdBackward0" && x.var().gradFn?.name == "VarBackward0")
    }


}

@Suite struct CumsumTests {
    @Test func values() {
        #expect(tensor([1, 2, 3]).cumsum(dim: 0).toArray(as: Int64.self) == [1, 3, 6])
        let m = tensor([[1.0, 2.0], [3.0, 4.0]])
        #expect(m.cumsum(dim: 0).scalars == [1, 2, 4, 6])
        #expect(m.cumsum(dim: -1).scalars == [1, 3, 3, 7])
        #expect(m.t().cumsum(dim: 1).scalars == [1, 4, 2, 6])
        #expect(Tensor([Int32(1), 1], shape: [2]).cumsum(dim: 0).dtype == .int64)
        #expect(tensor([true, false, true]).cumsum(dim: 0).toArray(as: Int64.self) == [1, 1, 2])
        #expect(Tensor(scalar: 3).cumsum(dim: 0).item() == 3)
    }

    @Test func gradientIsReversedCumsum() {
        // d/dx_i sum_j w_j * cumsum(x)_j = sum_{j >= i} w_j.
        let x = tensor([1.0, 2.0, 3.0], requiresGrad: true)
        (x.cumsum(dim: 0) * tensor([1.0, 10.0, 100.0])).sum().backward()
        #expect(x.grad!.scalars == [111, 110, 100])
        #expect(x.cumsum(dim: 0).gradFn?.name == "CumsumBackward0")
    }
}

@Suite struct NormTests {
    @Test func handDerivedValues() {
        let u = tensor([3.0, -4.0])
        #expect(u.norm().item() == 5)
        #expect(u.norm(p: 1).item() == 7)
        #expect(u.norm(p: .infinity).item() == 4)
        #expect(u.norm(p: -.infinity).item() == 3)
        #expect(u.norm(p: 0).item() == 2)
        #expect(Swift.abs(u.norm(p: 3).item() - Foundation.pow(91.0, 1.0 / 3)) < 1e-5)
        #expect(Tensor.ones([4, 9]).norm().item() == 6)
        let m = tensor([[3.0, 4.0], [-6.0, 8.0]])
        #expect(m.norm(dim: 1).scalars == [5, 10])
        #expect(m.norm(p: 1, dim: 0, keepDim: true).shape == [1, 2])
        #expect(m.norm(p: 1, dim: 0).scalars == [9, 12])
        #expect(m.t().norm(dim: 0).scalars == [5, 10])
        #expect(Swift.abs(m.norm(dims: [0, 1]).item() - 125.0.squareRoot()) < 1e-5)
        #expect(m.double().norm(p: .infinity, dim: -1).scalars == [4, 8])
    }

    @Test func gradientAtZeroIsZero() {
        for p in [2.0, 1.0, .infinity, 3.0, 1.5] {
            let z = Tensor.zeros([3], dtype: .float64).requiresGrad_()
            z.norm(p: p).backward()
            #expect(z.grad!.scalars == [0, 0, 0], "p = \(p)")
        }
        // Ties of |x| in the infinity norm share the gradient (PyTorch: [0, -0.5, 0.5]).
        let w = tensor([1.0, -2.0, 2.0], requiresGrad: true)
        w.norm(p: .infinity).backward()
        #expect(w.grad!.scalars == [0, -0.5, 0.5])
        #expect(w.norm().gradFn?.name == "LinalgVectorNormBackward0")
    }


}

@Suite struct LogsumexpTests {
    @Test func stableValues() {
        #expect(Swift.abs(tensor([0.0, 0.0]).logsumexp(dim: 0).item() - Foundation.log(2.0)) < 1e-6)
        let big = tensor([[1000.0, 1000.0], [-1000.0, -1000.0]]).logsumexp(dim: 1)
        #expect(Swift.abs(big.scalars[0] - (1000 + Foundation.log(2.0))) < 1e-3)
        #expect(Swift.abs(big.scalars[1] - (-1000 + Foundation.log(2.0))) < 1e-3)
        #expect(tensor([-Double.infinity, -.infinity]).logsumexp(dim: 0).item() == -.infinity)
        #expect(tensor([Double.infinity, 1.0]).logsumexp(dim: 0).item() == .infinity)
        let x = tensor([[1.0, 2.0], [3.0, 4.0]])
        #expect(x.logsumexp(dim: 0, keepDim: true).shape == [1, 2])
        let all = x.logsumexp(dims: [0, 1]).item()
        #expect(Swift.abs(all - Foundation.log([1.0, 2, 3, 4].map { Foundation.exp($0) }.reduce(0, +))) < 1e-5)
        #expect(Tensor.arange(3).logsumexp(dim: 0).dtype == .float32)
    }

    @Test func gradients() {
        // d logsumexp / dx = softmax(x).
        let x = tensor([1.0, 2.0, 3.0], requiresGrad: true)
        x.logsumexp(dim: 0).backward()
        let e = [1.0, 2, 3].map { Foundation.exp($0) }, s = e.reduce(0, +)
        #expect(closeness(x.grad!, Tensor(e.map { $0 / s }).float(), rtol: 1e-5) == nil)
        #expect(x.logsumexp(dim: 0).gradFn?.name == "LogsumexpBackward0")
    }
}
