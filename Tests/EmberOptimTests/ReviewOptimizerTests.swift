// Review findings: parameter groups added after construction (with a scheduler running), checked against PyTorch 2.x.
import Foundation
import Testing
import Ember
import EmberOptim
import _EmberTestSupport

@Suite("Review: optimizer groups")
struct ReviewOptimizerTests {
    @Test func groupAddedLaterIsStepped() {
        // PyTorch: a = 0.9, b = 0.6; get_last_lr() == [0.05, 0.2] after one StepLR(step_size=1, gamma=0.5) step.
        let a = Tensor.ones([2], dtype: .float64).requiresGrad_(), b = Tensor.ones([2], dtype: .float64).requiresGrad_()
        let opt = SGD([a], lr: 0.1)
        let sched = StepLR(opt, stepSize: 1, gamma: 0.5)
        opt.addParamGroup(ParamGroup([b], ["lr": .number(0.4)]))
        (a.sum() + b.sum()).backward()
        opt.step()
        sched.step()
        #expect(a.scalars == [0.9, 0.9] && b.scalars == [0.6, 0.6])
        #expect(sched.lastLR == [0.05, 0.2])
        #expect(opt.paramGroups[1]["momentum"] == .number(0))
    }
    @Test func addingAParameterTwiceStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor.ones([2]).requiresGrad_()
            let opt = SGD([a], lr: 0.1)
            opt.addParamGroup(ParamGroup([a]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("some parameters appear in more than one parameter group"))
    }
}
