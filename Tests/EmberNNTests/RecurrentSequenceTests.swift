// The fused recurrent node (hand-written BPTT): finite-difference gradchecks of every input including the recurrent
// weights, and double backward against the recorded per-step form.
import Testing
import Foundation
import Ember
@testable import EmberNN
import _EmberTestSupport

@Suite("RecurrentSequence")
struct RecurrentSequenceTests {
    static let modes: [RecurrentMode] = [.rnnTanh, .rnnRelu, .gru, .lstm]

    @Test(arguments: modes, [false, true])
    func fusedNodeGradcheck(_ mode: RecurrentMode, reverse: Bool) {
        let h = 3, g = mode.gateCount * h
        var inputs = [sample([4, 2, g]), sample([2, h], seed: 2)]
        if mode == .lstm { inputs.append(sample([2, h], seed: 3)) }
        inputs += [sample([g, h], seed: 4), sample([g], seed: 5)]
        let lstm = mode == .lstm
        #expect(gradcheck(inputs) { x in
            recurrentSequence(mode, xGates: x[0], h0: x[1], c0: lstm ? x[2] : nil, weightHH: x[lstm ? 3 : 2], biasHH: x[lstm ? 4 : 3], reverse: reverse)
        } == nil)
    }

    /// Second derivatives: under createGraph the node differentiates the recorded per-step form, so
    /// grad-of-grad equals that of the composed recurrence.
    @Test(arguments: modes)
    func doubleBackwardMatchesComposedForm(_ mode: RecurrentMode) throws {
        let h = 3, g = mode.gateCount * h
        let x = sample([3, 2, g]).requiresGrad_(), h0 = sample([2, h], seed: 2)
        let c0 = mode == .lstm ? sample([2, h], seed: 3) : nil
        let w = sample([g, h], seed: 4).requiresGrad_()
        func secondOrder(_ f: (Tensor, Tensor) -> Tensor) -> [Tensor] {
            let y = f(x, w)
            let gx = grad(of: [(y * y).sum()], with: [x], createGraph: true)[0]!
            return grad(of: [(gx * gx).sum()], with: [x, w]).map { $0! }
        }
        let fused = secondOrder { recurrentSequence(mode, xGates: $0, h0: h0, c0: c0, weightHH: $1, biasHH: nil, reverse: false) }
        let composed = secondOrder { composedRecurrentSequence(mode, xGates: $0, h0: h0, c0: c0, weightHH: $1, biasHH: nil, reverse: false) }
        for (a, b) in zip(fused, composed) { #expect(closeness(a, b, rtol: 1e-12, atol: 1e-12) == nil) }
    }
}
