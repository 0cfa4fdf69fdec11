// softmax / logSoftmax: values against a naive Double loop, stability, any dim and layout, dtypes, float32 gradients
// against float64, hand-derived gradients (gradchecks and errors are in the op registry, _EmberTestSupport/OpInfo).
import Foundation
import Testing
import Ember
import _EmberTestSupport

/// Naive softmax of `x` along `dim` in Double, straight from the definition (shifted by the lane max).
private func naiveSoftmax(_ x: Tensor, dim: Int, log: Bool = false) -> Tensor {
    let shape = x.shape, v = x.contiguous().scalars
    let n = shape[dim], inner = shape[(dim + 1)...].reduce(1, *), outer = shape[..<dim].reduce(1, *)
    var out = [Double](repeating: 0, count: v.count)
    for o in 0..<outer {
        for i in 0..<inner {
            let idx = (0..<n).map { (o * n + $0) * inner + i }
            let m = idx.map { v[$0] }.max()!
            let s = idx.map { Foundation.exp(v[$0] - m) }.reduce(0, +)
            for j in idx { out[j] = log ? v[j] - m - Foundation.log(s) : Foundation.exp(v[j] - m) / s }
        }
    }
    return Tensor(out, shape: shape)
}

@Suite struct SoftmaxTests {
    @Test func matchesDefinitionAlongEveryDim() {
        let x = reductionSample([2, 3, 4]) * 3
        for dim in 0..<3 {
            #expect(closeness(x.softmax(dim: dim), naiveSoftmax(x, dim: dim), rtol: 1e-5, atol: 1e-7) == nil, "dim \(dim)")
            #expect(closeness(x.logSoftmax(dim: dim), naiveSoftmax(x, dim: dim, log: true), rtol: 1e-5, atol: 1e-6) == nil, "dim \(dim)")
        }
        #expect(closeness(x.softmax(dim: -1), naiveSoftmax(x, dim: 2), rtol: 1e-5, atol: 1e-7) == nil)
        // A non-contiguous input.
        let t = x.transpose(0, 2)
        #expect(closeness(t.softmax(dim: 1), naiveSoftmax(t.contiguous(), dim: 1), rtol: 1e-5, atol: 1e-7) == nil)
        #expect(closeness(t.logSoftmax(dim: -1), naiveSoftmax(t.contiguous(), dim: 2, log: true), rtol: 1e-5, atol: 1e-6) == nil)
        #expect(closeness(x.softmax(dim: 1).sum(dim: 1), Tensor.ones([2, 4]), rtol: 1e-6) == nil)
    }

    @Test func handDerivedValues() {
        // softmax([0, ln 2, ln 5]) = [1, 2, 5] / 8.
        let p = tensor([0.0, Foundation.log(2.0), Foundation.log(5.0)]).double().softmax(dim: 0)
        #expect(closeness(p, Tensor([0.125, 0.25, 0.625]), rtol: 1e-12) == nil)
        #expect(Tensor(scalar: 3).softmax(dim: 0).item() == 1)
        #expect(Tensor(scalar: 3).logSoftmax(dim: -1).item() == 0)
    }

    @Test func stabilityWithLargeLogits() {
        // Same as softmax([0, 1, 2]) and softmax([-2000, -1000, 0]): no overflow, no NaN.
        let x = tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
        let e = [1.0, Foundation.exp(1.0), Foundation.exp(2.0)], s = e.reduce(0, +)
        #expect(closeness(x.softmax(dim: 1), Tensor(e.map { $0 / s } + [0, 0, 1], shape: [2, 3]).float(), rtol: 1e-6) == nil)
        let lp = x.logSoftmax(dim: 1).scalars
        #expect(Swift.abs(lp[3] + 2000) < 1e-3 && Swift.abs(lp[4] + 1000) < 1e-3 && lp[5] == 0)
        #expect(!lp.contains { $0.isNaN || $0.isInfinite })
        // A lane of -inf only is NaN in PyTorch as well (0 / 0).
        #expect(tensor([-Double.infinity, -.infinity]).softmax(dim: 0).scalars.allSatisfy { $0.isNaN })
    }

    @Test func dtypes() {
        let x = reductionSample([3, 5])
        #expect(x.double().softmax(dim: 1).dtype == .float64)
        #expect(x.softmax(dim: 1, dtype: .float64).dtype == .float64)
        #expect(closeness(x.half().softmax(dim: 1).float(), x.softmax(dim: 1), rtol: 2e-3, atol: 1e-3) == nil)
        #expect(x.half().logSoftmax(dim: 0).dtype == .float16)
        #expect(Tensor.arange(4).softmax(dim: 0, dtype: .float32).dtype == .float32)
    }

    @Test func float32GradientsMatchFloat64() {
        let x = reductionSample([3, 4, 2])
        // The float32 kernels give the float64 gradient to float32 precision.
        let w = reductionSample([3, 4, 2], seed: 2)
        for dim in [1, 2] {
            let a32 = x.float().clone().requiresGrad_(), a64 = x.double().clone().requiresGrad_()
            (a32.softmax(dim: dim) * w.float()).sum().backward()
            (a64.softmax(dim: dim) * w.double()).sum().backward()
            #expect(closeness(a32.grad!, a64.grad!, rtol: 1e-5, atol: 1e-6) == nil)
            let b32 = x.float().clone().requiresGrad_(), b64 = x.double().clone().requiresGrad_()
            (b32.logSoftmax(dim: dim) * w.float()).sum().backward()
            (b64.logSoftmax(dim: dim) * w.double()).sum().backward()
            #expect(closeness(b32.grad!, b64.grad!, rtol: 1e-5, atol: 1e-6) == nil)
        }
        let y = tensor([[1.0, 2.0]], requiresGrad: true)
        #expect(y.softmax(dim: 1).gradFn?.name == "SoftmaxBackward0")
        #expect(y.logSoftmax(dim: 1).gradFn?.name == "LogSoftmaxBackward0")
    }

    @Test func gradientHandDerived() {
        // For p = softmax(x), d sum(w * p) / dx = p * (w - sum(w * p)); with p = [1/4, 3/4] and w = [1, 0]:
        // sum(w * p) = 1/4, so the gradient is [1/4 * 3/4, 3/4 * -1/4] = [0.1875, -0.1875].
        let x = Tensor([0.0, Foundation.log(3.0)]).requiresGrad_()
        (x.softmax(dim: 0) * Tensor([1.0, 0.0])).sum().backward()
        #expect(closeness(x.grad!, Tensor([0.1875, -0.1875]), rtol: 1e-12, atol: 1e-15) == nil)
        // log-softmax: d sum(w * logp) / dx = w - p * sum(w) = [1 - 1/4, -3/4].
        let z = Tensor([0.0, Foundation.log(3.0)]).requiresGrad_()
        (z.logSoftmax(dim: 0) * Tensor([1.0, 0.0])).sum().backward()
        #expect(closeness(z.grad!, Tensor([0.75, -0.75]), rtol: 1e-12, atol: 1e-15) == nil)
    }

    @Test func doubleBackwardThroughBackwardCreateGraph() {
        // The Hessian-vector route also works through backward(createGraph:).
        let a = reductionSample([2, 3]).double().requiresGrad_()
        let g = grad(of: [(a.logSoftmax(dim: 1) * reductionSample([2, 3], seed: 4).double()).sum()], with: [a], createGraph: true)[0]!
        #expect(g.requiresGrad)
        let gg = grad(of: [(g * g).sum()], with: [a])[0]!
        #expect(gg.shape == [2, 3] && !gg.scalars.contains { $0.isNaN })
    }


}
