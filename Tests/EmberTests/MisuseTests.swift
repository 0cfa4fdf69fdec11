// Autograd misuse stops with a message (checked in a child process); the ops' own argument errors are error inputs
// of the op registry (_EmberTestSupport/OpInfo).
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
}
