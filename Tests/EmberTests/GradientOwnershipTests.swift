// Leaf gradients that the engine hands over without copying must never alias another tensor.
import Testing
import Ember

@Suite("Gradient ownership")
struct GradientOwnershipTests {
    @Test func gradientsOfTwoLeavesFedByOneAddAreIndependent() {
        // AddBackward passes the same gradient tensor to both inputs.
        let x = Tensor([1.0, 2, 3], shape: [3]).requiresGrad_(), y = Tensor([4.0, 5, 6], shape: [3]).requiresGrad_()
        let seed = Tensor([1.0, 2, 3], shape: [3])
        (x * 2 + y).backward(gradient: seed)
        #expect(x.grad!.scalars == [2, 4, 6])
        #expect(y.grad!.scalars == [1, 2, 3])
        noGrad { x.grad!.add_(Tensor.full([3], 10.0)) }
        noGrad { y.grad!.add_(Tensor.full([3], 100.0)) }
        #expect(x.grad!.scalars == [12, 14, 16])
        #expect(y.grad!.scalars == [101, 102, 103])
        #expect(seed.scalars == [1, 2, 3])
    }

    @Test func aLeafGradientDoesNotAliasTheSeedOrARetainedGradient() {
        let x = Tensor([1.0, 2], shape: [2]).requiresGrad_()
        let seed = Tensor([3.0, 4], shape: [2])
        x.backward(gradient: seed)
        noGrad { x.grad!.add_(Tensor.full([2], 1.0)) }
        #expect(seed.scalars == [3, 4])

        let w = Tensor([1.0, 2], shape: [2]).requiresGrad_()
        let h = w * 3
        h.retainGrad()
        (h * 1).sum().backward()
        noGrad { w.grad!.add_(Tensor.full([2], 1.0)) }
        #expect(h.grad!.scalars == [1, 1])
        #expect(w.grad!.scalars == [4, 4])
    }

    @Test func fusedGradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor([1.0, -1], shape: [2]).requiresGrad_()
        for _ in 0..<3 { (w * w).sum().backward() }
        #expect(w.grad!.scalars == [6, -6])
    }
}
