// Review findings in core semantics: promotion corners, in-place through views, where/maskedFill broadcasting,
// sumTo, and the engine on shared nodes; expected values from PyTorch 2.x.
import Testing
import Ember
import _EmberTestSupport

@Suite("Review: core semantics")
struct ReviewCoreTests {
    @Test func inPlaceThroughViewWritesBase() {
        let base = Tensor.zeros([2, 3])
        let row = base[0]
        row += tensor([1.0, 2.0, 3.0])
        let col = base.t()[1]     // column 1, strided view
        col *= 0
        col += 5
        #expect(base.scalars == [1, 5, 3, 0, 5, 0])
    }
    @Test func promotionCorners() {
        let i32 = tensor([1, 2], dtype: .int32)
        #expect((i32 / tensor([2, 2], dtype: .int32)).dtype == .float32)
        #expect((i32 / tensor([2, 2], dtype: .int32)).scalars == [0.5, 1])
        #expect((tensor([1, 2], dtype: .uint8) + tensor([1, 2], dtype: .int8)).dtype == .int16)
        #expect((i32 + Tensor(scalar: 1.5, dtype: .float64)).dtype == .float64)
        #expect((i32 + Tensor(scalar: 3, dtype: .int64)).dtype == .int32)
        #expect((Tensor(scalar: 3, dtype: .int32) + Tensor(scalar: 3, dtype: .int64)).dtype == .int64)
        #expect((i32 * 2.5).dtype == .float32)
        #expect((i32 * 2.5).scalars == [2.5, 5])
        #expect((tensor([true]) + 1).dtype == .int64)
        #expect((tensor([true]) + 1.5).scalars == [2.5])
        #expect((tensor([1.0, 2.0], dtype: .float16) + Tensor(scalar: 3, dtype: .float32)).dtype == .float16)
        #expect((tensor([1, 2], dtype: .uint8) - 3).scalars == [254, 255])
        #expect((-tensor([1, 2], dtype: .uint8)).scalars == [255, 254])
    }
    @Test func boolArithmetic() {
        let a = tensor([true, false]), b = tensor([true, true])
        let s = a + b, p = a * b
        #expect(s.dtype == .bool && s.scalars == [1, 1])
        #expect(p.dtype == .bool && p.scalars == [1, 0])
        #expect((a / b).dtype == .float32 && (a / b).scalars == [1, 0])
    }
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
    @Test func sumToShapes() {
        let g = Tensor.ones([2, 3, 4])
        #expect(g.sumTo([3, 1]).shape == [3, 1] && g.sumTo([3, 1]).scalars == [8, 8, 8])
        #expect(g.sumTo([]).shape == [] && g.sumTo([]).item() == 24)
        #expect(g.sumTo([1, 4]).scalars == [6, 6, 6, 6])
        #expect(g.sumTo([1, 1, 1]).shape == [1, 1, 1])
    }
    @Test func engineSharedNodeAndNonLeafGrad() {
        let x = tensor([1.0, 2.0], dtype: .float64, requiresGrad: true)
        let y = x * x
        let z = (y + y).sum()
        z.backward(retainGraph: true)
        #expect(x.grad!.scalars == [4, 8])
        z.backward()
        #expect(x.grad!.scalars == [8, 16])
        x.grad = nil
        let u = x * 2
        let v = (u * u).sum()
        let gu = grad(of: [v], with: [u])[0]!
        #expect(gu.scalars == [4, 8])
        #expect(x.grad == nil)
    }
    @Test func inPlaceFloatIntoIntStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = tensor([1, 2])
            x += 1.5
        }, "add_: result type Float can't be cast to the desired output type Long")
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            tensor([1, 2], dtype: .int32).add_(Tensor.ones([2]))
        }, "add_: result type Float can't be cast to the desired output type Int")
    }
    @Test func inPlaceIntoExpandedStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let e = Tensor.zeros([4]).expand(3, 4)
            e += 1
        }, "add_: unsupported operation: more than one element of the written-to tensor refers to a single memory location")
    }
    @Test func inPlaceFromGradSourceStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.ones([2], requiresGrad: true)
            let acc = Tensor.zeros([2])
            acc += w
        }, "add_: writing a tensor that requires grad into another in place is not recorded")
    }
    @Test func inPlaceAllowedCases() {
        let x = tensor([1, 2])
        x += 2                       // int into int
        x *= tensor([true, false])   // bool promotes to int
        #expect(x.scalars == [3, 0])
        let f = Tensor.zeros([4]).expand(3, 4)
        f.fill_(1)                   // PyTorch allows fill_ on an expanded tensor
        #expect(f.scalars.allSatisfy { $0 == 1 })
        let w = Tensor.ones([2], requiresGrad: true)
        let acc = Tensor.zeros([2])
        noGrad { acc += w }
        #expect(acc.scalars == [1, 1])
    }
}

@Suite("Review: small PyTorch conveniences")
struct ReviewConvenienceTests {
    @Test func randLikeFollowsPyTorchStreams() {
        // PyTorch: manual_seed(0); randn_like(zeros(2, 3, float64)); then rand_like of the same.
        let g = Generator(seed: 0)   // a private generator: tests run in parallel
        let x = Tensor.zeros([2, 3], dtype: .float64)
        let n = Tensor.randnLike(x, generator: g)
        let u = Tensor.randLike(x, generator: g)
        #expect(n.dtype == .float64 && n.shape == [2, 3])
        #expect(closeness(n, tensor([[1.5409961082440433, -0.2934289057609464, -2.1787893820745574],
                                     [0.5684312772806678, -1.084522342424021, -1.3985953953708767]], dtype: .float64), rtol: 1e-12) == nil)
        #expect(closeness(u, tensor([[0.17860617520075095, 0.3511076243939284, 0.5813409198075745],
                                     [0.2882358921361502, 0.4528688488811142, 0.17679952620371409]], dtype: .float64), rtol: 1e-12) == nil)
    }
    @Test func clampMinMax() {
        let x = tensor([-1.0, 0.5, 2.0], dtype: .float64, requiresGrad: true)
        #expect(x.clampMin(0).scalars == [0, 0.5, 2])
        #expect(x.clampMax(1).scalars == [-1, 0.5, 1])
        #expect(gradcheck([tensor([-1.0, 0.5, 2.0], dtype: .float64, requiresGrad: true)]) { $0[0].clampMin(0).clampMax(1) } == nil)
    }
}
