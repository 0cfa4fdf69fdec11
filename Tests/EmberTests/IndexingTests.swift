// Tests of gather/scatter, index_select/index_add, take, masked_select, nonzero and one_hot (hand-derived values; gradchecks and
// errors are in the op registry, _EmberTestSupport/OpInfo).
import Testing
import Ember
import _EmberTestSupport

/// The captured standard error of an exit test, as text.
func indexingExitStderr(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite struct IndexingTests {
    let b = tensor([[1.0, 2, 3], [4, 5, 6]])

    @Test func gatherAlongEachDim() {
        #expect(b.gather(dim: 1, index: tensor([[0, 1], [2, 0]])).scalars == [1, 2, 6, 4])
        #expect(b.gather(dim: 0, index: tensor([[0, 1, 1], [0, 0, 0]])).scalars == [1, 5, 6, 1, 2, 3])
        // index smaller than self outside dim, int32 index, negative dim
        let g = b.gather(dim: -1, index: tensor([[2]], dtype: .int32))
        #expect(g.shape == [1, 1] && g.scalars == [3])
        // a transposed (non-contiguous) input: b.t() is [[1, 4], [2, 5], [3, 6]]
        #expect(b.t().gather(dim: 0, index: tensor([[1, 0]])).scalars == [2, 4])
        // the notes' label pick
        let yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        #expect(closeness(yHat.gather(dim: 1, index: tensor([0, 2]).view(-1, 1)), tensor([[0.1], [0.5]])) == nil)
    }

    @Test func gatherBackwardAccumulatesDuplicates() {
        let x = b.clone().requiresGrad_()
        let out = x.gather(dim: 1, index: tensor([[0, 0], [2, 2]]))
        #expect(out.gradFn?.name == "GatherBackward0")
        out.sum().backward()
        #expect(x.grad!.scalars == [2, 0, 0, 0, 0, 2])
    }

    @Test func secondOrderThroughGather() {
        // f = sum(x[idx]^2) with idx = [0, 0, 2]: df/dx = [4 x0, 0, 2 x2]; d(sum df)/dx = [4, 0, 2]
        let x = tensor([1.0, 2, 3]).requiresGrad_()
        let f = x.gather(dim: 0, index: tensor([0, 0, 2])).pow(2).sum()
        let df = grad(of: [f], with: [x], createGraph: true)[0]!
        #expect(df.scalars == [4, 0, 6])
        #expect(df.gradFn?.name == "ScatterAddBackward0")
        df.sum().backward()
        #expect(x.grad!.scalars == [4, 0, 2])
    }

    @Test func scatterAddAccumulates() {
        let counts = Tensor.zeros([3]).scatterAdd(dim: 0, index: tensor([0, 2, 2]), src: tensor([1.0, 2, 3]))
        #expect(counts.scalars == [1, 0, 5])
        let m = Tensor.zeros([2, 3]).scatterAdd(dim: 1, index: tensor([[1, 1], [0, 2]]), src: tensor([[1.0, 2], [3, 4]]))
        #expect(m.scalars == [0, 3, 0, 3, 0, 4])
        // int dtype, src larger than index: only the leading block is used
        let i = Tensor.zeros([4], dtype: .int64).scatterAdd(dim: 0, index: tensor([3, 3]), src: tensor([5, 6, 100]))
        #expect(i.scalars == [0, 0, 0, 11])
    }

    @Test func scatterAddGradients() {
        let self0 = Tensor.randnStub([3, 4]).requiresGrad_()
        let src = Tensor.randnStub([2, 3]).requiresGrad_()
        let out = self0.scatterAdd(dim: 1, index: tensor([[0, 0], [3, 1]]), src: src)
        #expect(out.gradFn?.name == "ScatterAddBackward0")
        out.backward(gradient: Tensor(Array(1...12).map(Float.init), shape: [3, 4]))
        #expect(self0.grad!.scalars == Array(1...12).map(Double.init))
        // src[i][j] receives g[i][index[i][j]]; src[:, 2] is outside the index block.
        #expect(src.grad!.scalars == [1, 1, 0, 8, 6, 0])
    }

    @Test func scatterWritesSrcAndValue() {
        let s = Tensor.zeros([2, 3]).scatter(dim: 1, index: tensor([[2], [0]]), src: tensor([[7.0], [8]]))
        #expect(s.scalars == [0, 0, 7, 8, 0, 0])
        let v = Tensor.zeros([2, 3]).scatter(dim: 1, index: tensor([[2], [0]]), value: 1)
        #expect(v.scalars == [0, 0, 1, 1, 0, 0])
        let idx = tensor([[2, 0], [1, 2]])
        let x = Tensor.ones([2, 3]).requiresGrad_()
        let y = x.scatter(dim: 1, index: idx, value: 0)
        #expect(y.gradFn?.name == "ScatterBackward1")
        y.sum().backward()
        #expect(x.grad!.scalars == [0, 1, 0, 1, 0, 0])
    }

    @Test func indexSelectAndBackward() {
        let x = Tensor.arange(18).reshape(6, 3).float()
        #expect(x.indexSelect(dim: 0, index: tensor([4, 0, 4, 2])).scalars == [12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8])
        #expect(x.indexSelect(dim: 1, index: tensor([2, 0], dtype: .int32)).scalars == [2, 0, 5, 3, 8, 6, 11, 9, 14, 12, 17, 15])
        // a view input: the transposed layout is read correctly
        #expect(x.t().indexSelect(dim: 0, index: tensor([1])).scalars == [1, 4, 7, 10, 13, 16])
        let leaf = x.clone().requiresGrad_()
        let out = leaf.indexSelect(dim: 0, index: tensor([4, 0, 4, 2]))
        #expect(out.gradFn?.name == "IndexSelectBackward0")
        out.sum().backward()
        #expect(leaf.grad!.sum(dim: 1).scalars == [3, 0, 3, 0, 6, 0])
    }

    @Test func indexAddAccumulates() {
        let out = Tensor.zeros([3, 2]).indexAdd(dim: 0, index: tensor([0, 2, 0]), source: tensor([[1.0, 1], [2, 2], [3, 3]]), alpha: 2)
        #expect(out.scalars == [8, 8, 0, 0, 4, 4])
    }

    @Test func takeReadsFlat() {
        let x = Tensor.arange(6).reshape(2, 3)
        #expect(x.take(tensor([[0, -1], [4, 4]])).scalars == [0, 5, 4, 4])
    }

    @Test func maskedSelectBroadcasts() {
        let x = Tensor.arange(6).reshape(2, 3).float()
        #expect(x.maskedSelect(tensor([true, false, true])).scalars == [0, 2, 3, 5])
        #expect(x.maskedSelect(x > 2).scalars == [3, 4, 5])
    }

    @Test func nonzeroCoordinates() {
        #expect(tensor([[0, 1], [2, 0]]).nonzero().scalars == [0, 1, 1, 0])
        let f = tensor([0.0, -1.5, 0, 2]).nonzero()
        #expect(f.shape == [2, 1] && f.dtype == .int64 && f.scalars == [1, 3])
        #expect(Tensor.zeros([2, 2]).nonzero().shape == [0, 2])
        #expect(tensor([[true, false], [true, true]]).nonzero().scalars == [0, 0, 1, 0, 1, 1])
    }

    @Test func oneHotEncodes() {
        let h = Tensor.oneHot(tensor([0, 3, 1]), numClasses: 4)
        #expect(h.dtype == .int64 && h.shape == [3, 4])
        #expect(h.scalars == [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0])
        #expect(Tensor.oneHot(tensor([[2], [0]], dtype: .int32)).shape == [2, 1, 3])
    }

    // MARK: Errors







    @Test func oneHotRejectsOutOfRangeClasses() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.oneHot(tensor([0, 5]), numClasses: 5)
        }
        #expect(indexingExitStderr(r).contains("one_hot: Class values must be smaller than num_classes"))
        let n = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.oneHot(tensor([-1]), numClasses: 5)
        }
        #expect(indexingExitStderr(n).contains("one_hot: Class values must be non-negative"))
    }
}
