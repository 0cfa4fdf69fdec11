// Programming errors stop with a message naming the op and the shapes (checked in a child process).
import Foundation
import Testing
import Ember

/// Checks that a child process stopped with `fragment` on standard error.
func expectMessage(_ result: ExitTest.Result?, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else { return }
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(text.contains(fragment), "stderr was: \(text)", sourceLocation: sourceLocation)
}

@Suite("Misuse stops with a message")
struct MisuseTests {
    @Test func broadcastMismatch() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]) + Tensor.ones([2, 4])
        }, "add: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")
    }
    @Test func matmulMismatch() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).mm(Tensor.ones([4, 5]))
        }, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
    }
    @Test func dimOutOfRange() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).sum(dim: 2)
        }, "sum: Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    }
    @Test func viewOfNonContiguous() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).t().view(6)
        }, "view: view size is not compatible with input tensor's size and stride")
    }
    @Test func invalidReshape() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).reshape(4, -1)
        }, "reshape: shape '[4, -1]' is invalid for input of size 6")
    }
    @Test func backwardTwice() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([2], requiresGrad: true)
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }, "Trying to backward through the graph a second time")
    }
    @Test func backwardOnNonScalar() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([2], requiresGrad: true)
            (x * 2).backward()
        }, "grad can be implicitly created only for scalar outputs")
    }
    @Test func backwardWithoutGrad() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.ones([2]).sum().backward()
        }, "element 0 of tensors does not require grad and does not have a grad_fn")
    }
    @Test func inPlaceOnLeaf() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.ones([2], requiresGrad: true)
            w -= 1.0
        }, "a leaf Variable that requires grad is being used in an in-place operation")
    }
    @Test func mixedDtypeMatmul() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 2]).mm(Tensor.ones([2, 2], dtype: .float64))
        }, "mm: expected mat1 and mat2 to have the same dtype")
    }
    @Test func intRequiresGrad() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.arange(3).requiresGrad = true
        }, "only Tensors of floating point dtype can require gradients")
    }
    @Test func modifiedSavedTensor() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([2], requiresGrad: true)
            let y = x * 2
            let z = y * y
            noGrad { y += 1.0 }
            z.sum().backward()
        }, "modified by an inplace operation")
    }
    @Test func meanOfIntegers() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { _ = Tensor.arange(4).mean() }, "mean: could not infer output dtype")
    }
}

@Suite("Misuse stops with a message (review findings)")
struct MisuseReviewTests {
    @Test func duplicateReductionDims() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2, 3]).sum(dims: [0, 0])
        }, "sum: dim 0 appears multiple times in the list of dims")
    }
    @Test func integerNegativePower() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.arange(3).pow(-1)
        }, "pow: Integers to negative integer powers are not allowed.")
    }
}
