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

    @Test func maxPoolingWithoutGradientMatchesTheDefinition() {
        // Under noGrad (or for an input that needs no gradient) max pooling takes the values-only kernel
        // (row maxima, then column maxima). Checked against the window maximum written out directly, with
        // padding, dilation, ceil mode, float32 and float64, and NaNs (a NaN in a window gives NaN).
        let cases: [(kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceil: Bool)] = [
            ([3, 3], [2, 2], [1, 1], [1, 1], false), ([2, 2], [2, 2], [0, 0], [1, 1], false),
            ([3, 2], [1, 2], [1, 0], [1, 1], true), ([3, 3], [2, 1], [2, 1], [2, 2], false), ([5, 5], [3, 3], [2, 2], [1, 1], true),
        ]
        // 11×9 planes, and 5×150 ones whose rows take the vectorized C loops (float32) well past their vector width.
        for (shape, nans) in [([2, 3, 11, 9], [17, 300]), ([1, 2, 5, 150], [75, 151, 640, 1499])] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        for dtype in [DType.float32, .float64] {
            var values = sample(shape, seed: 64).scalars
            for i in nans { values[i] = .nan }
            let x = Tensor(values, shape: shape).to(dtype)
            for c in cases {
                let y = noGrad { F.maxPool2d(x, kernelSize: c.kernel, stride: c.stride, padding: c.padding,
                                             dilation: c.dilation, ceilMode: c.ceil) }
                let (oh, ow) = (y.shape[2], y.shape[3])
                var ref = [Double]()
                for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
                    var best = -Double.infinity
                    for ky in 0..<c.kernel[0] { for kx in 0..<c.kernel[1] {
                        let iy = oy * c.stride[0] - c.padding[0] + ky * c.dilation[0]
                        let ix = ox * c.stride[1] - c.padding[1] + kx * c.dilation[1]
                        guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                        let raw = values[p * h * w + iy * w + ix], v = dtype == .float32 ? Double(Float(raw)) : raw
                        if v.isNaN || v > best { best = v }
                        if best.isNaN { break }
                    } }
                    ref.append(best)
                } } }
                let got = y.to(.float64).scalars
                let same = got.count == ref.count && zip(got, ref).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 }
                #expect(same, "\(shape) \(dtype) \(c)")
            }
        }
        }
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
