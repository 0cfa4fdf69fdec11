// In-place ops (`+=`, `add_`, `fill_`): writes through views, and the writes PyTorch refuses; values from PyTorch 2.x.
import Testing
import Ember
import _EmberTestSupport

@Suite("In-place ops")
struct InPlaceTests {
    @Test func inPlaceThroughViewWritesBase() {
        let base = Tensor.zeros([2, 3])
        let row = base[0]
        row += tensor([1.0, 2.0, 3.0])
        let col = base.t()[1]     // column 1, strided view
        col *= 0
        col += 5
        #expect(base.scalars == [1, 5, 3, 0, 5, 0])
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
