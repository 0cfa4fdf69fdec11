// Pooling fast paths: 2×2/stride-2 average pooling on odd sizes, and gradients that overwrite (not add to) memory.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

@Suite("Pooling fast paths")
struct PoolingFastPathTests {
    @Test func pairAveragePoolingOnOddSizesMatchesTheDefinition() {
        // 7×5 → 3×2: the last row and column are outside every window and get a zero gradient.
        let x = sample([3, 2, 7, 5], seed: 61).requiresGrad_()
        let y = F.avgPool2d(x, kernelSize: 2, stride: 2)
        #expect(y.shape == [3, 2, 3, 2])
        let xs = x.detach().scalars, r = sample(y.shape, seed: 62), rs = r.scalars
        var ref = [Double](), grad = [Double](repeating: 0, count: xs.count)
        for p in 0..<6 { for oy in 0..<3 { for ox in 0..<2 {
            let at = { (dy: Int, dx: Int) in p * 35 + (2 * oy + dy) * 5 + 2 * ox + dx }
            ref.append((xs[at(0, 0)] + xs[at(0, 1)] + xs[at(1, 0)] + xs[at(1, 1)]) / 4)
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] { grad[at(dy, dx)] = rs[(p * 3 + oy) * 2 + ox] / 4 }
        } } }
        #expect(closeness(y, Tensor(ref, shape: y.shape), rtol: 1e-12, atol: 1e-12) == nil)
        (y * r).sum().backward()
        #expect(closeness(x.grad!, Tensor(grad, shape: x.shape), rtol: 1e-12, atol: 1e-12) == nil)
    }

    @Test func poolingGradientsIgnoreStaleMemory() {
        // Backward buffers are allocated uninitialized and overwritten by the kernels: run twice on fresh
        // leaves and compare, after filling the allocator with garbage-looking tensors in between.
        for run in 0..<2 {
            let x = sample([2, 3, 9, 8], seed: 63).requiresGrad_()
            let loss = F.maxPool2d(x, kernelSize: 3, stride: 2, padding: 1).sum() + F.avgPool2d(x, kernelSize: 3, stride: 2, padding: 1).sum()
                + F.adaptiveAvgPool2d(x, outputSize: [2, 3]).sum()
            loss.backward()
            let expected = naivePoolGradient(x.detach())
            #expect(closeness(x.grad!, expected, rtol: 1e-6, atol: 1e-6, label: "run \(run)") == nil)
            _ = Tensor.full([2, 3, 9, 8], 1e30)
        }
    }

    /// The gradient of the loss above, by finite differences of each term (all three are piecewise linear).
    func naivePoolGradient(_ x: Tensor) -> Tensor {
        gradcheckGradient(x) { t in
            F.maxPool2d(t, kernelSize: 3, stride: 2, padding: 1).sum() + F.avgPool2d(t, kernelSize: 3, stride: 2, padding: 1).sum()
                + F.adaptiveAvgPool2d(t, outputSize: [2, 3]).sum()
        }
    }

    /// Central differences of a scalar function, element by element (float64).
    func gradcheckGradient(_ x: Tensor, _ f: (Tensor) -> Tensor) -> Tensor {
        var values = x.scalars, out = [Double](repeating: 0, count: values.count)
        let h = 1e-6
        for i in 0..<values.count {
            let v = values[i]
            values[i] = v + h; let up = f(Tensor(values, shape: x.shape)).item()
            values[i] = v - h; let down = f(Tensor(values, shape: x.shape)).item()
            values[i] = v
            out[i] = (up - down) / (2 * h)
        }
        return Tensor(out, shape: x.shape)
    }
}
