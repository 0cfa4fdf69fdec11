// registerPostAccumulateGradHook: runs once per backward after the leaf's .grad is updated.
import Testing
import Ember

@Suite struct GradHookTests {
    @Test func hookSeesAccumulatedGradOncePerBackward() {
        let w = Tensor([1.0, 2.0, 3.0] as [Float])
        w.requiresGrad = true
        var seen: [[Double]] = []
        let handle = w.registerPostAccumulateGradHook { t in seen.append(t.grad!.scalars) }
        ((w * w).sum() + w.sum()).backward()   // w used twice: one call with the summed gradient
        #expect(seen == [[3, 5, 7]])
        (w * 2).sum().backward()
        #expect(seen == [[3, 5, 7], [5, 7, 9]])
        handle.remove()
        (w * 2).sum().backward()
        #expect(seen.count == 2)
        // autograd.grad does not accumulate, so it does not run the hook either.
        _ = w.registerPostAccumulateGradHook { _ in seen.append([]) }
        _ = grad(of: [(w * w).sum()], with: [w])
        #expect(seen.count == 2)
    }
}
