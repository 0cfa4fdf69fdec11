// The fused float32 LSTM step (one vectorized pass) against the same formulas in Tensor ops: equal bit for bit,
// forward and backward, for hidden sizes with and without vector tails.
import Testing
@testable import Ember

@Suite struct LSTMCellMathTests {
    @Test(arguments: [(3, 19), (2, 16), (5, 64), (1, 1)])
    func fusedStepEqualsTensorOps(_ shape: (rows: Int, hidden: Int)) {
        let (rows, hidden) = shape
        withGenerator(Generator(seed: 11)) {
            let pre = Tensor.randn([rows, 4 * hidden]) * 3, c = Tensor.randn([rows, hidden]) * 2
            let fused = LSTMCellMath.forward(pre: pre, c: c, keep: true)
            let plain = LSTMCellMath.composedForward(pre: pre, c: c, keep: true)
            for (a, b) in [(fused.h, plain.h), (fused.c, plain.c), (fused.tanhC, plain.tanhC), (fused.acts!, plain.acts!), (fused.deriv!, plain.deriv!)] {
                #expect(a.toArray(as: Float.self) == b.toArray(as: Float.self))
            }
            let dh = Tensor.randn([rows, hidden]), dc = Tensor.randn([rows, hidden])
            let g1 = LSTMCellMath.backward(dh: dh, dc: dc, acts: fused.acts!, deriv: fused.deriv!, tanhC: fused.tanhC, cPrev: c)
            let g2 = LSTMCellMath.composedBackward(dh: dh, dc: dc, acts: plain.acts!, deriv: plain.deriv!, tanhC: plain.tanhC, cPrev: c)
            #expect(g1.dPre.toArray(as: Float.self) == g2.dPre.toArray(as: Float.self))
            #expect(g1.dcPrev.toArray(as: Float.self) == g2.dcPrev.toArray(as: Float.self))
            // Without keep only the states are written, the same values.
            let light = LSTMCellMath.forward(pre: pre, c: c, keep: false)
            #expect(light.acts == nil && light.h.toArray(as: Float.self) == fused.h.toArray(as: Float.self))
        }
    }
}
