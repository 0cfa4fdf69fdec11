// Typed optimizer options: construction checks, per-group keys read into typed fields, the PyTorch-keyed view.
import Foundation
import Testing
import Ember
import EmberOptim
import _EmberTestSupport

@Suite("Optimizer options")
struct OptimizerOptionsTests {
    func param() -> Tensor { Tensor([1.0, -2.0, 3.0] as [Double]).requiresGrad_() }

    @Test func typedOptionsStepLikeKeywordArguments() {
        let a = param(), b = param()
        let byKeyword = SGD([a], lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        let byOptions = SGD([b], options: SGD.Options(lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true))
        for _ in 0..<3 {
            (a * a).sum().backward(); byKeyword.step(); byKeyword.zeroGrad()
            (b * b).sum().backward(); byOptions.step(); byOptions.zeroGrad()
        }
        #expect(a.scalars == b.scalars)
    }

    @Test func groupKeysBecomeTypedFields() {
        let w = param(), bias = param()
        let opt = SGD([ParamGroup([w], ["weight_decay": .number(3), "nesterov": .flag(true)]), ParamGroup([bias])], lr: 0.003, momentum: 0.5)
        let first = opt.paramGroups[0].options(as: SGD.Options.self)
        #expect(first.weightDecay == 3 && first.nesterov && first.momentum == 0.5 && first.lr == 0.003)
        #expect(opt.paramGroups[1].options(as: SGD.Options.self).weightDecay == 0)
        #expect(opt.paramGroups[0].extras.isEmpty)
        // The PyTorch-keyed view reads and writes the typed fields.
        opt.paramGroups[1]["momentum"] = .number(0.25)
        #expect(opt.paramGroups[1].options(as: SGD.Options.self).momentum == 0.25)
        opt.paramGroups[1].modifyOptions(as: SGD.Options.self) { $0.dampening = 0.1 }
        #expect(opt.paramGroups[1]["dampening"] == .number(0.1))
        opt.paramGroups[0].lr = 0.5
        #expect(opt.paramGroups[0]["lr"] == .number(0.5))
        #expect(opt.defaults["momentum"] == .number(0.5))
    }

    @Test func keysThatAreNotOptionsAreKeptLikePyTorch() {
        let opt = Adam([ParamGroup([param()], ["note": .number(7)])], options: Adam.Options(lr: 0.01, betas: (0.8, 0.9)))
        #expect(opt.paramGroups[0].extras == ["note": .number(7)])
        let sd = opt.stateDict()
        #expect(sd.paramGroups[0].options["note"] == .number(7))
        #expect(sd.paramGroups[0].options["betas"] == .pair(0.8, 0.9))
        #expect(Set(sd.paramGroups[0].options.keys) == ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "note"])
    }

    @Test func loadedGroupOptionsReachTheUpdateRule() {
        let a = param(), b = param()
        let source = RMSprop([a], lr: 0.05, momentum: 0.9, centered: true)
        let target = RMSprop([b], lr: 1)
        target.loadStateDict(source.stateDict())
        let o = target.paramGroups[0].options(as: RMSprop.Options.self)
        #expect(o.lr == 0.05 && o.momentum == 0.9 && o.centered)
    }

    @Test func adamWDefaultsToDecoupledDecay() {
        let opt = AdamW([param()])
        #expect(opt.paramGroups[0].options(as: AdamW.Options.self).weightDecay == 0.01)
        #expect(AdamW.defaultOptions.weightDecay == 0.01)
    }

    @Test func groupOptionsAreCheckedAtConstruction() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([ParamGroup([Tensor.ones([1]).requiresGrad_()], ["lr": .number(-2)])], lr: 0.1)
        }
        if let r { #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("Invalid learning rate: -2.0")) }
    }

    @Test func adamBetasAreChecked() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam([Tensor.ones([1]).requiresGrad_()], betas: (0.9, 1.0))
        }
        if let r { #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("Invalid beta parameter at index 1: 1.0")) }
    }

    @Test func readingAnotherOptimizersOptionsStops() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let opt = SGD([Tensor.ones([1]).requiresGrad_()], lr: 0.1)
            _ = opt.paramGroups[0].options(as: Adam.Options.self)
        }
        if let r { #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("EmberOptim.SGD.Options, not EmberOptim.Adam.Options")) }
    }
}
