// Tests of PyTorch-style subscripts: basic indices as views, advanced and mask indexing, setters, gradients, errors.
import Testing
import Ember
import _EmberTestSupport

@Suite struct SubscriptTests {
    /// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    let x = Tensor.arange(12).reshape(3, 4)
    /// arange(24) shaped [2, 3, 4]: y[i, j, k] = 12i + 4j + k
    let y = Tensor.arange(24).reshape(2, 3, 4)

    @Test func integersSelect() {
        #expect(x[1].shape == [4] && x[1].scalars == [4, 5, 6, 7])
        #expect(x[-1].scalars == [8, 9, 10, 11])
        let e = x[1, 2]
        #expect(e.shape == [] && e.item(as: Int.self) == 6)
        #expect(x[.all, 1].scalars == [1, 5, 9])
        #expect(x[.ellipsis, -1].scalars == [3, 7, 11])
        #expect(y[.ellipsis, 1, 2].scalars == [6, 18])
        #expect(y[1, .ellipsis].shape == [3, 4])
        #expect(x[.ellipsis].shape == [3, 4] && x[].shape == [3, 4])
    }

    @Test func rangesSlice() {
        #expect(x[1...].scalars == Array(4..<12).map(Double.init))
        #expect(x[..<1].shape == [1, 4])
        #expect(x[...1].shape == [2, 4])
        #expect(x[0..<2, 1...2].scalars == [1, 2, 5, 6])
        #expect(x[.all, (-2)...].scalars == [2, 3, 6, 7, 10, 11])
        #expect(x[.all, ...(-1)].shape == [3, 4])       // a...(-1) runs to the end, like a:
        #expect(x[.slice(1, -1)].scalars == [4, 5, 6, 7])
        #expect(x[.slice(step: 2)].scalars == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(x[.all, .slice(1, nil, step: 2)].scalars == [1, 3, 5, 7, 9, 11])
        // Python's clamping: out-of-range bounds shrink, empty when start passes end
        #expect(x[1..<10].shape == [2, 4])
        #expect(x[.slice(5, 7)].shape == [0, 4])
    }

    @Test func newAxisInsertsDims() {
        #expect(x[.newAxis].shape == [1, 3, 4])
        #expect(x[.all, .newAxis].shape == [3, 1, 4])
        #expect(x[.ellipsis, .newAxis].shape == [3, 4, 1])
        #expect(x[.newAxis, 1, .newAxis].shape == [1, 1, 4])
    }

    @Test func basicIndicesAreViews() {
        let m = Tensor.zeros([3, 4])
        m[1].fill_(1)
        m[.all, 3].fill_(2)
        m[0, .slice(step: 2)].fill_(3)
        #expect(m.scalars == [3, 0, 3, 2, 1, 1, 1, 2, 0, 0, 0, 2])
        let v = m[1..., 1...]
        #expect(v.storage === m.storage && v.storageOffset == 5 && v.strides == [4, 1])
        // a view of a view of a transpose
        let t = m.t()[1...][0]
        #expect(t.scalars == [0, 1, 0])
    }

    @Test func integerTensorsGather() {
        #expect(x[tensor([0, 2])].scalars == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(x[[2, 0]].shape == [2, 4])
        #expect(x[tensor([-1])].scalars == [8, 9, 10, 11])
        // the notes' y_hat[range(len(y_hat)), y]
        #expect(x[Tensor.arange(3), tensor([1, 0, 3])].scalars == [1, 4, 11])
        // index tensors broadcast together
        let b = x[tensor([[0], [2]]), tensor([1, 3])]
        #expect(b.shape == [2, 2] && b.scalars == [1, 3, 9, 11])
        // int32 indices, a 0-d index
        #expect(x[tensor([1], dtype: .int32), tensor(2)].scalars == [6])
        // an advanced index is a copy
        let c = x[tensor([0])]
        #expect(c.storage !== x.storage)
    }

    @Test func advancedIndexPlacement() {
        // adjacent index tensors replace their dims in place
        let a = y[.all, tensor([0, 2]), tensor([1, 3])]
        #expect(a.shape == [2, 2] && a.scalars == [1, 11, 13, 23])
        let a2 = y[tensor([1, 0]), tensor([2, 2])]
        #expect(a2.shape == [2, 4] && a2.scalars == [20, 21, 22, 23, 8, 9, 10, 11])
        // separated by a slice: the broadcast dims go first
        let s = y[tensor([0, 1]), .all, tensor([1, 2])]
        #expect(s.shape == [2, 3] && s.scalars == [1, 5, 9, 14, 18, 22])
        // an integer with a tensor: PyTorch selects first (unlike NumPy), so y[0, :, idx] is [3, 2]
        let t = y[0, .all, tensor([0, 3])]
        #expect(t.shape == [3, 2] && t.scalars == [0, 3, 4, 7, 8, 11])
        // slices around an index tensor
        let u = y[1..., tensor([2]), .slice(step: 3)]
        #expect(u.shape == [1, 1, 2] && u.scalars == [20, 23])
    }

    @Test func boolMasks() {
        #expect(x[x > 5].scalars == [6, 7, 8, 9, 10, 11])
        #expect(x[tensor([true, false, true])].scalars == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(x[.all, tensor([false, true, true, false])].scalars == [1, 2, 5, 6, 9, 10])
        #expect(y[(y > 3) && (y < 7)].scalars == [4, 5, 6])
        #expect(y[tensor([[true, false, true], [false, false, true]])].scalars == [0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23])
        #expect(x[tensor(true)].shape == [1, 3, 4] && x[tensor(false)].shape == [0, 3, 4])
        #expect(x[x > 100].shape == [0])
    }

    @Test func settersWriteInPlace() {
        let m = Tensor.zeros([3, 4])
        m[0, 1...] = tensor([1.0, 2, 3])
        m[.all, 0] = Tensor(scalar: 9)
        m[2] = tensor([[4.0, 5, 6, 7]])                 // a leading 1 is dropped, as in PyTorch
        #expect(m.scalars == [9, 1, 2, 3, 9, 0, 0, 0, 4, 5, 6, 7])
        m.set(m > 4, to: -1)
        #expect(m.scalars == [-1, 1, 2, 3, -1, 0, 0, 0, 4, -1, -1, -1])
        m.set(Tensor.arange(3), tensor([1, 2, 3]), to: 8)
        #expect(m.scalars == [-1, 8, 2, 3, -1, 0, 8, 0, 4, -1, -1, 8])
        m.set(.ellipsis, 3, to: 2)
        #expect(m[.all, 3].scalars == [2, 2, 2])
        m[tensor([0, 2])] = tensor([0.5, 0.5, 0.5, 0.5])
        #expect(m[0].scalars == [0.5, 0.5, 0.5, 0.5] && m[2].scalars == [0.5, 0.5, 0.5, 0.5])
        // dtype conversion (truncation toward zero) into an int tensor, through a transposed view
        let i = Tensor.zeros([2, 3], dtype: .int64)
        i.t()[1] = tensor([2.7, -3.9])
        #expect(i.scalars == [0, 2, 0, 0, -3, 0])
        // a value aliasing the target
        let a = Tensor.arange(4).float()
        a[1...] = a[..<3]
        #expect(a.scalars == [0, 0, 1, 2])
        // += through a basic index writes into the view
        let z = Tensor.zeros([2, 3])
        z[1, 1...] += 2
        #expect(z.scalars == [0, 0, 0, 0, 2, 2])
        // indexPut_ with accumulation counts repeats
        let h = Tensor.zeros([4]).indexPut_([tensor([1, 3, 1])], Tensor.ones([3]), accumulate: true)
        #expect(h.scalars == [0, 2, 0, 1])
    }

    @Test func setterRespectsAutograd() {
        let w = Tensor.ones([3]).requiresGrad_()
        noGrad { w[0] = Tensor(scalar: 5) }
        #expect(w.scalars == [5, 1, 1])
        // a saved tensor written after use is caught by the version counter: checked by exit test below
    }

    @Test func gradientsThroughSubscripts() {
        #expect(gradcheck([Tensor.randnStub([4, 5, 3])]) { xs in
            let v = xs[0]
            return Tensor.cat([v[1..., .slice(step: 2)].flatten(), v[.all, 1].flatten(), v[.ellipsis, -1].flatten(), v[2, .newAxis, 1...].flatten()])
        } == nil)
        let rows = tensor([0, 0, 2, 1]), cols = tensor([1, 1, 3, 0])
        #expect(gradcheck([Tensor.randnStub([3, 4])]) { $0[0][rows, cols] } == nil)
        #expect(gradcheck([Tensor.randnStub([2, 3, 4])]) { $0[0][tensor([1, 1]), .all, tensor([0, 3])] } == nil)
        #expect(gradcheck([Tensor.randnStub([2, 3, 4])]) { $0[0][.all, tensor([[0], [2]]), .slice(step: 2)] } == nil)
        let mask = tensor([[true, false, true, true], [false, false, true, false], [true, true, false, false]])
        #expect(gradcheck([Tensor.randnStub([3, 4])]) { $0[0][mask] } == nil)
        // duplicate indices accumulate: d/dx of sum(x[[0, 0, 2]])
        let leaf = Tensor.zeros([3]).requiresGrad_()
        let picked = leaf[[0, 0, 2]]
        #expect(picked.gradFn?.name == "IndexBackward0")
        picked.sum().backward()
        #expect(leaf.grad!.scalars == [2, 0, 1])
    }

    @Test func indexPutOutOfPlace() {
        let base = Tensor.zeros([3, 2])
        let out = base.indexPut([tensor([2, 0])], tensor([[1.0, 2], [3, 4]]))
        #expect(out.scalars == [3, 4, 0, 0, 1, 2] && base.scalars == [0, 0, 0, 0, 0, 0])
        let acc = base.indexPut([tensor([1, 1]), nil], Tensor.ones([2]), accumulate: true)
        #expect(acc.scalars == [0, 0, 2, 2, 0, 0])
        let r = tensor([0, 2]), rr = tensor([1, 1])
        #expect(gradcheck([Tensor.randnStub([3, 2]), Tensor.randnStub([2, 2])]) { $0[0].indexPut([r], $0[1]) } == nil)
        #expect(gradcheck([Tensor.randnStub([3, 2]), Tensor.randnStub([2])]) { $0[0].indexPut([rr, nil], $0[1], accumulate: true) } == nil)
    }

    // MARK: Errors



    @Test func maskShapeMismatchStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 4])[tensor([true, false])]
        }
        #expect(indexingExitStderr(r).contains("index: The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0"))
    }

    @Test func tooManyIndicesStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 4])[0, 1, 2]
        }
        #expect(indexingExitStderr(r).contains("index: too many indices for tensor of dimension 2"))
    }


    @Test func setterShapeMismatchStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let m = Tensor.zeros([3, 4])
            m[0] = Tensor.ones([3])
        }
        #expect(indexingExitStderr(r).contains("index_put_: shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [4]"))
    }

    @Test func setterRefusesLeafRequiringGrad() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.ones([3]).requiresGrad_()
            w[0] = Tensor(scalar: 2)
        }
        #expect(indexingExitStderr(r).contains("index_put_: a leaf Variable that requires grad is being used in an in-place operation."))
    }

    @Test func setterBumpsVersion() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.ones([3]).requiresGrad_()
            let c = Tensor.ones([3])
            let out = (w * c).sum()
            c[1] = Tensor(scalar: 3)
            out.backward()
        }
        #expect(indexingExitStderr(r).contains("one of the variables needed for gradient computation has been modified by an inplace operation"))
    }
}
