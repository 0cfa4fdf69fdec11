// Tests of cat/stack/hstack/vstack and split/chunk/unbind (hand-derived values, views, split gradchecks; cat/stack
// gradchecks and errors are in the op registry, _EmberTestSupport/OpInfo).
import Testing
import Ember
import _EmberTestSupport

@Suite struct JoiningTests {
    let x = Tensor.arange(6).reshape(2, 3)
    let y = Tensor.arange(6, 12).reshape(2, 3)

    @Test func catAlongDims() {
        let c0 = Tensor.cat([x, y], dim: 0)
        #expect(c0.shape == [4, 3] && c0.scalars == Array(0..<12).map(Double.init))
        let c1 = Tensor.cat([x, y], dim: -1)
        #expect(c1.shape == [2, 6] && c1.scalars == [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11])
        // non-contiguous input, three parts of different widths
        let c = Tensor.cat([x.t(), Tensor.zeros([3, 1], dtype: .int64)], dim: 1)
        #expect(c.scalars == [0, 3, 0, 1, 4, 0, 2, 5, 0])
    }

    @Test func catPromotesAndSkipsLegacyEmpty() {
        let c = Tensor.cat([tensor([1, 2]), tensor([0.5])])
        #expect(c.dtype == .float32 && c.scalars == [1, 2, 0.5])
        let d = Tensor.cat([tensor([true]), tensor([3], dtype: .int32)])
        #expect(d.dtype == .int32 && d.scalars == [1, 3])
        let e = Tensor.cat([Tensor.zeros([0]), x], dim: 1)
        #expect(e.shape == [2, 3] && e.dtype == .float32)
    }

    @Test func catGradients() {
        let a = Tensor.ones([2, 1]).requiresGrad_(), b = Tensor.ones([2, 2]).requiresGrad_()
        let out = Tensor.cat([a, b], dim: 1)
        #expect(out.gradFn?.name == "CatBackward0")
        out.backward(gradient: tensor([[1.0, 2, 3], [4, 5, 6]]))
        #expect(a.grad!.scalars == [1, 4] && b.grad!.scalars == [2, 3, 5, 6])
    }

    @Test func stackAddsADim() {
        #expect(Tensor.stack([x, y]).shape == [2, 2, 3])
        let s1 = Tensor.stack([x, y], dim: 1)
        #expect(s1.shape == [2, 2, 3] && s1.scalars == [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11])
        let s2 = Tensor.stack([x, y], dim: -1)
        #expect(s2.shape == [2, 3, 2] && s2.scalars == [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11])
        let a = Tensor.ones([2]).requiresGrad_()
        let out = Tensor.stack([a, a * 2], dim: 1)
        #expect(out.gradFn?.name == "StackBackward0")
        out.backward(gradient: tensor([[1.0, 10], [2, 20]]))
        #expect(a.grad!.scalars == [21, 42])
    }

    @Test func hstackVstack() {
        #expect(Tensor.hstack([tensor([1, 2]), tensor([3])]).scalars == [1, 2, 3])
        #expect(Tensor.hstack([x, y]).shape == [2, 6])
        let v = Tensor.vstack([tensor([1, 2]), tensor([3, 4])])
        #expect(v.shape == [2, 2] && v.scalars == [1, 2, 3, 4])
    }

    @Test func splitBySizeAndSizes() {
        let parts = Tensor.arange(5).split(2)
        #expect(parts.map(\.scalars) == [[0, 1], [2, 3], [4]])
        let m = Tensor.arange(10).reshape(2, 5)
        let q = m.split([2, 3], dim: 1)
        #expect(q[0].scalars == [0, 1, 5, 6] && q[1].scalars == [2, 3, 4, 7, 8, 9])
        #expect(m.split([5, 0], dim: -1)[1].shape == [2, 0])
    }

    @Test func splitPartsAreViews() {
        let m = Tensor.zeros([2, 4])
        let halves = m.chunk(2, dim: 1)
        halves[1].fill_(7)
        #expect(m.scalars == [0, 0, 7, 7, 0, 0, 7, 7])
        m.unbind(dim: 0)[0].fill_(1)
        #expect(m.scalars == [1, 1, 1, 1, 0, 0, 7, 7])
        m.split([1, 3], dim: 1)[0].fill_(5)
        #expect(m.scalars == [5, 1, 1, 1, 5, 0, 7, 7])
    }

    @Test func chunkAndUnbind() {
        let m = Tensor.arange(10).reshape(5, 2)
        #expect(m.chunk(2).map(\.shape) == [[3, 2], [2, 2]])
        // like PyTorch: chunk(4) of 6 gives three parts of 2
        #expect(Tensor.arange(6).chunk(4).map(\.scalars) == [[0, 1], [2, 3], [4, 5]])
        let u = m.unbind(dim: 1)
        #expect(u.count == 2 && u[0].scalars == [0, 2, 4, 6, 8] && u[1].scalars == [1, 3, 5, 7, 9])
    }

    @Test func splitGradients() {
        #expect(gradcheck([Tensor.randnStub([4, 5])]) { xs in
            let p = xs[0].split([2, 3], dim: 1)
            return Tensor.cat([p[1] * 2, p[0].exp()], dim: 1)
        } == nil)
        #expect(gradcheck([Tensor.randnStub([5, 2])]) { xs in
            let c = xs[0].chunk(2)
            return c[0].sum(dim: 0) * c[1].sum(dim: 0)
        } == nil)
        #expect(gradcheck([Tensor.randnStub([3, 2])]) { xs in
            let u = xs[0].unbind(dim: 1)
            return u[0] * u[1]
        } == nil)
    }

    // MARK: Errors




    @Test func splitSizesMustSum() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 5]).split([2, 2], dim: 1)
        }
        #expect(indexingExitStderr(r).contains("split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 1), but got split_sizes=[2, 2]"))
    }
}
