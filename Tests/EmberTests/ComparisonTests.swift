// `where`, `maskedFill` and `clamp` (Tensor+Comparison) beyond the op registry: broadcasting and dtypes; values from PyTorch 2.x.
import Testing
import Ember
import _EmberTestSupport

@Suite("Comparison ops")
struct ComparisonTests {
    @Test func whereAndMaskedFillBroadcast() {
        let c = tensor([[true], [false]])                 // [2, 1]
        let x = tensor([[1.0, 2.0, 3.0]]).requiresGrad_()  // [1, 3]
        let w = Tensor.where(c, x, 0.5)
        #expect(w.shape == [2, 3] && w.scalars == [1, 2, 3, 0.5, 0.5, 0.5])
        w.sum().backward()
        #expect(x.grad!.scalars == [1, 1, 1])
        let m = Tensor.zeros([2, 3]).maskedFill(tensor([true, false, true]), 7)
        #expect(m.scalars == [7, 0, 7, 7, 0, 7])
        #expect(Tensor.where(tensor([true, false]), tensor([1, 2]), 0.5).dtype == .float32)
    }
    @Test func clampMinMax() {
        let x = tensor([-1.0, 0.5, 2.0], dtype: .float64, requiresGrad: true)
        #expect(x.clampMin(0).scalars == [0, 0.5, 2])
        #expect(x.clampMax(1).scalars == [-1, 0.5, 1])
    }
}
