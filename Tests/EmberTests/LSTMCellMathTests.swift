// The fused float32 LSTM step (one vectorized pass) against the same formulas in Tensor ops: equal bit for bit,
// forward and backward, for hidden sizes with and without vector tails.
import Testing
@testable import Ember
import EmberKernels

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

    /// The recurrent node's form: the forward writes the gates but not their derivatives, and the backward
    /// recomputes the derivatives from the gates and adds the step's output gradient (`dhAdd`) inside the kernel. At
    /// every ISA level it must give the same bits as that level's kernels with stored derivatives and `dh + dhAdd`
    /// summed first (the active level's kernels equal the Tensor ops: `fusedStepEqualsTensorOps`).
    @Test(arguments: KernelISA.available)
    func recomputedDerivativesAndAddedOutputGradientAreExact(isa: KernelISA) {
        for (rows, hidden) in [(3, 19), (2, 16), (5, 64), (1, 1)] {
            withGenerator(Generator(seed: 12)) {
                let pre = Tensor.randn([rows, 4 * hidden]) * 3, c = Tensor.randn([rows, hidden]) * 2
                func empty(_ shape: [Int]) -> Tensor { Tensor(empty: shape, dtype: .float32) }
                func step(keepDerivatives: Bool) -> (h: Tensor, acts: Tensor, deriv: Tensor?, tanhC: Tensor) {
                    let h = empty([rows, hidden]), cNew = empty([rows, hidden]), tanhC = empty([rows, hidden])
                    let acts = empty([rows, 4 * hidden]), deriv = keepDerivatives ? empty([rows, 4 * hidden]) : nil
                    VectorMath.lstmCell(pre: pre.pointer(as: Float.self), c: c.pointer(as: Float.self), rows: rows, hidden: hidden,
                                        acts: acts.pointer(as: Float.self), deriv: deriv?.pointer(as: Float.self),
                                        cNew: cNew.pointer(as: Float.self), tanhC: tanhC.pointer(as: Float.self),
                                        h: h.pointer(as: Float.self), isa: isa)
                    return (h, acts, deriv, tanhC)
                }
                let kept = step(keepDerivatives: true), light = step(keepDerivatives: false)
                #expect(kept.h.toArray(as: Float.self) == light.h.toArray(as: Float.self), "\(isa) \(rows)x\(hidden)")
                #expect(kept.acts.toArray(as: Float.self) == light.acts.toArray(as: Float.self), "\(isa) \(rows)x\(hidden)")
                let dh = Tensor.randn([rows, hidden]), dhAdd = Tensor.randn([rows, hidden]), dc = Tensor.randn([rows, hidden])
                let summed = dh + dhAdd
                func backward(_ dh: Tensor, _ add: Tensor?, _ deriv: Tensor?) -> [Float] {
                    let dPre = empty([rows, 4 * hidden]), dcPrev = empty([rows, hidden])
                    VectorMath.lstmCellBackward(dh: dh.pointer(as: Float.self), dhAdd: add?.pointer(as: Float.self),
                                                dc: dc.pointer(as: Float.self), acts: kept.acts.pointer(as: Float.self),
                                                deriv: deriv?.pointer(as: Float.self), tanhC: kept.tanhC.pointer(as: Float.self),
                                                cPrev: c.pointer(as: Float.self), rows: rows, hidden: hidden,
                                                dPre: dPre.pointer(as: Float.self), dcPrev: dcPrev.pointer(as: Float.self), isa: isa)
                    return dPre.toArray(as: Float.self) + dcPrev.toArray(as: Float.self)
                }
                let stored = backward(summed, nil, kept.deriv), recomputed = backward(dh, dhAdd, nil)
                #expect(stored == recomputed, "\(isa) \(rows)x\(hidden)")
            }
        }
    }
}
