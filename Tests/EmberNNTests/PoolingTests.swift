// Pooling, adaptive pooling and interpolation: hand-derived values, naive references, gradchecks.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

@Suite("Pooling")
struct PoolingTests {
    @Test func maxPoolCeilModeByHand() {
        // 5×5 arange, kernel 3: floor mode sees one window (max 12), ceil mode a 2×2 grid whose last windows
        // hang over the edge: maxima 12, 14, 22, 24.
        let x = Tensor.arange(25, dtype: .float32).view([1, 1, 5, 5])
        #expect(F.maxPool2d(x, kernelSize: 3).scalars == [12])
        #expect(F.maxPool2d(x, kernelSize: 3, ceilMode: true).scalars == [12, 14, 22, 24])
        let (_, idx) = F.maxPool2dWithIndices(x, kernelSize: 3, ceilMode: true)
        #expect(idx.scalars == [12, 14, 22, 24])
        #expect(idx.dtype == .int64)
    }

    @Test func maxPoolGradientGoesToTheWinner() {
        let x = tensor([[[[1.0, 5.0], [3.0, 2.0]]]], dtype: .float64).requiresGrad_()
        let y = F.maxPool2d(x, kernelSize: 2)
        #expect(y.gradFn?.name == "MaxPool2DWithIndicesBackward0")
        y.sum().backward()
        #expect(x.grad!.scalars == [0, 1, 0, 0])
    }

    @Test func maxPoolGradchecks() {
        // Distinct values keep the argmax away from ties (finite differences need a unique winner).
        let values: [Double] = (0..<168).map { (i: Int) -> Double in Double((i * 37) % 101) / 10 }
        let x = Tensor(values, shape: [2, 2, 7, 6])
        for (k, s, p, d, ceil) in [(2, 2, 0, 1, false), (3, 2, 1, 1, true), (3, 1, 1, 2, false), (2, 3, 1, 1, true)] {
            #expect(gradcheck([x]) { F.maxPool2d($0[0], kernelSize: k, stride: s, padding: p, dilation: d, ceilMode: ceil) } == nil,
                    "k\(k) s\(s) p\(p) d\(d) ceil \(ceil)")
        }
        #expect(gradcheck([x]) { F.adaptiveMaxPool2d($0[0], outputSize: [3, 4]) } == nil)
    }

    @Test func maxPoolPropagatesNaNLikePyTorch() {
        // PyTorch: a NaN in the window wins (the output is NaN and the index points at it).
        let x = tensor([[[[1.0, Double.nan, 3.0, 4.0], [0.0, 2.0, 7.0, 5.0]]]], dtype: .float64)
        let (y, idx) = F.maxPool2dWithIndices(x, kernelSize: 2)
        #expect(y.scalarAt(0).isNaN && y.scalarAt(1) == 7)
        #expect(idx.scalars == [1, 6])
        #expect(F.adaptiveMaxPool2d(x, outputSize: [1, 2]).scalarAt(0).isNaN)
    }

    @Test func avgPoolCountIncludePadByHand() {
        // 2×2 ones, kernel 3, stride 1, padding 1: each window covers 4 real cells out of 9.
        let x = Tensor.ones([1, 1, 2, 2])
        #expect(closeness(F.avgPool2d(x, kernelSize: 3, stride: 1, padding: 1), Tensor.full([1, 1, 2, 2], 4.0 / 9)) == nil)
        #expect(F.avgPool2d(x, kernelSize: 3, stride: 1, padding: 1, countIncludePad: false).scalars == [1, 1, 1, 1])
        #expect(F.avgPool2d(x, kernelSize: 2, divisorOverride: 1).scalars == [4])
    }

    @Test func avgPoolGradchecks() {
        let x = sample([2, 2, 7, 6])
        for (k, s, p, ceil, cip) in [(2, 2, 0, false, true), (3, 2, 1, true, true), (3, 2, 1, true, false), (3, 1, 1, false, false)] {
            #expect(gradcheck([x]) { F.avgPool2d($0[0], kernelSize: k, stride: s, padding: p, ceilMode: ceil, countIncludePad: cip) } == nil,
                    "k\(k) s\(s) p\(p) ceil \(ceil) cip \(cip)")
        }
    }

    @Test func adaptiveAvgPoolMatchesWindowFormula() {
        // Non-divisible: H = 7 → 3 rows uses windows [0,3), [2,5), [4,7) (floor/ceil formulas).
        let x = sample([1, 2, 7, 5])
        let y = F.adaptiveAvgPool2d(x, outputSize: [3, 2])
        let rows = [(0, 3), (2, 5), (4, 7)], cols = [(0, 3), (2, 5)]
        var ref: [Double] = []
        for c in 0..<2 { for r in rows { for q in cols {
            ref.append(x.select(1, c).select(0, 0).narrow(0, start: r.0, length: r.1 - r.0).narrow(1, start: q.0, length: q.1 - q.0).mean().item())
        } } }
        #expect(closeness(y, Tensor(ref, shape: [1, 2, 3, 2]), rtol: 1e-12, atol: 1e-12) == nil)
        #expect(closeness(F.adaptiveAvgPool2d(x, outputSize: 1), x.mean(dims: [2, 3], keepDim: true), rtol: 1e-12, atol: 1e-12) == nil)
        #expect(gradcheck([sample([2, 2, 7, 5])]) { F.adaptiveAvgPool2d($0[0], outputSize: [3, 2]) } == nil)
        #expect(gradcheck([sample([2, 2, 4, 3])]) { F.adaptiveAvgPool2d($0[0], outputSize: [1, 1]) } == nil)
        #expect(gradcheck([sample([1, 2, 3, 4])]) { F.adaptiveAvgPool2d($0[0], outputSize: [5, 6]) } == nil)
    }

    @Test func interpolateByHand() {
        // align_corners=True on [0, 3] → 4 points: 0, 1, 2, 3. Nearest ×2 repeats each pixel.
        let x = tensor([[[[0.0, 3.0]]]], dtype: .float64)
        #expect(closeness(F.interpolate(x, size: [1, 4], mode: .bilinear, alignCorners: true), tensor([[[[0.0, 1, 2, 3]]]], dtype: .float64)) == nil)
        // align_corners=False: src = (o + 0.5)/2 − 0.5 → clamped 0, 0.25, 0.75, 1 → 0, 0.75, 2.25, 3.
        #expect(closeness(F.interpolate(x, size: [1, 4], mode: .bilinear, alignCorners: false), tensor([[[[0.0, 0.75, 2.25, 3]]]], dtype: .float64)) == nil)
        #expect(F.interpolate(x, scaleFactor: 2, mode: .nearest).scalars == [0, 0, 3, 3, 0, 0, 3, 3])
        // Legacy nearest 3 → 2: floor(o · 1.5) = 0, 1.
        #expect(F.interpolate(tensor([[[[1.0, 2, 3]]]]), size: [1, 2]).scalars == [1, 2])
    }

    @Test func interpolateGradchecks() {
        let x = sample([1, 2, 4, 3])
        #expect(gradcheck([x]) { F.interpolate($0[0], size: [7, 5], mode: .bilinear) } == nil)
        #expect(gradcheck([x]) { F.interpolate($0[0], size: [3, 2], mode: .bilinear, alignCorners: true) } == nil)
        #expect(gradcheck([x]) { F.interpolate($0[0], scaleFactor: [1.5, 2.5], mode: .bilinear) } == nil)
        #expect(gradcheck([x]) { F.interpolate($0[0], size: [5, 7], mode: .nearest) } == nil)
    }
}
