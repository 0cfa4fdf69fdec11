// The fused recurrent node (hand-written BPTT): finite-difference gradchecks of every input including the recurrent
// weights, and second derivatives (finite differences of the recorded first derivatives).
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

    /// With 40 sequences the GEMM would pack W_hh, so the node multiplies by the prepacked weight (accumulating
    /// into the step's input projection): gradcheck that path too, and compare float32 with the composed form.
    @Test(arguments: modes)
    func prepackedWeightPath(_ mode: RecurrentMode) throws {
        let h = 2, g = mode.gateCount * h, batch = 40
        #expect(PackedGemmOperand(sample([g, h]), rowsOfA: batch) != nil)
        #expect(PackedGemmOperand(sample([h, g]).float(), rowsOfA: batch) != nil)
        let lstm = mode == .lstm
        var inputs = [sample([2, batch, g]), sample([batch, h], seed: 2)]
        if lstm { inputs.append(sample([batch, h], seed: 3)) }
        inputs += [sample([g, h], seed: 4), sample([g], seed: 5)]
        func run(_ x: [Tensor], composed: Bool = false) -> Tensor {
            let f = composed ? composedRecurrentSequence : recurrentSequence
            return f(mode, x[0], x[1], lstm ? x[2] : nil, x[lstm ? 3 : 2], x[lstm ? 4 : 3], false)
        }
        #expect(gradcheck(inputs) { run($0) } == nil)
        let f32 = inputs.map { $0.float().requiresGrad_() }
        let a = run(f32), b = run(f32.map { $0.detach().requiresGrad_() }, composed: true)
        #expect(closeness(a, b, rtol: 1e-5, atol: 1e-6) == nil)
    }

    /// Float32 LSTM runs its own form of the node (`lstmSequence`: whole-sequence buffers, the step's output
    /// gradient added inside the cell kernel). Its outputs and the gradients of every input must match the
    /// recorded per-step Tensor ops, in time order and reversed, with and without `b_hh`, with the prepacked
    /// weight (batch 40) and with plain products (batch 2), with a gradient on the final cell too.
    @Test(arguments: [false, true], [2, 40])
    func float32LSTMMatchesComposedForm(_ reverse: Bool, batch: Int) {
        let h = 3, g = 4 * h, steps = 5
        for withBias in [true, false] {
            let inputs = [sample([steps, batch, g]), sample([batch, h], seed: 2), sample([batch, h], seed: 3),
                          sample([g, h], seed: 4)] + (withBias ? [sample([g], seed: 5)] : [])
            func run(composed: Bool) -> (Tensor, [Tensor]) {
                let x = inputs.map { $0.float().requiresGrad_() }
                let f = composed ? composedRecurrentSequence : recurrentSequence
                let out = f(.lstm, x[0], x[1], x[2], x[3], withBias ? x[4] : nil, reverse)
                // A weight per element, so every position's gradient (the final cell's row included) differs.
                (out * sample(out.shape, seed: 9).float()).sum().backward()
                return (out.detach(), x.map { $0.grad! })
            }
            let (fused, fusedGrads) = run(composed: false), (composed, composedGrads) = run(composed: true)
            #expect(closeness(fused, composed, rtol: 1e-5, atol: 1e-6, label: "output") == nil)
            for (i, (a, b)) in zip(fusedGrads, composedGrads).enumerated() {
                let failure = closeness(a, b, rtol: 1e-4, atol: 1e-5, label: "input \(i), bias \(withBias)")
                #expect(failure == nil, "\(failure ?? "")")
            }
        }
        // As the layers call it: the input projection without b_ih, which the node adds with b_hh in one pass and
        // whose gradient it returns as a tensor of its own.
        let inputs = [sample([steps, batch, g]), sample([batch, h], seed: 2), sample([batch, h], seed: 3), sample([g, h], seed: 4),
                      sample([g], seed: 5), sample([g], seed: 6)].map { $0.float().requiresGrad_() }
        let weights = sample([steps + 1, batch, h], seed: 9).float()
        (lstmSequence(xGates: inputs[0], h0: inputs[1], c0: inputs[2], weightHH: inputs[3], biasHH: inputs[4], biasIH: inputs[5],
                      reverse: reverse) * weights).sum().backward()
        let twins = inputs.map { $0.detach().requiresGrad_() }
        (composedRecurrentSequence(.lstm, xGates: twins[0] + twins[5], h0: twins[1], c0: twins[2], weightHH: twins[3],
                                   biasHH: twins[4], reverse: reverse) * weights).sum().backward()
        for i in inputs.indices {
            let failure = closeness(inputs[i].grad!, twins[i].grad!, rtol: 1e-4, atol: 1e-5, label: "with b_ih, input \(i)")
            #expect(failure == nil, "\(failure ?? "")")
        }
        #expect(inputs[4].grad!.storage !== inputs[5].grad!.storage)
    }

    /// The recurrent weight packed from its transpose in one copy equals the panels packed from `W_hhᵀ` made
    /// contiguous first, and with 4H a whole number of panels the float32 LSTM node uses it (hidden 16: 64 gates).
    @Test func packedFromTransposeEqualsPackedTranspose() {
        for (rows, cols) in [(64, 16), (128, 7), (12, 3)] {
            let w = sample([rows, cols], seed: 7).float()
            let direct = PackedGemmOperand(transposeOf: w, rowsOfA: 40), viaCopy = PackedGemmOperand(w.t().contiguous(), rowsOfA: 40)
            #expect(direct != nil && viaCopy != nil)
            if let direct, let viaCopy {
                #expect(direct.k == viaCopy.k && direct.n == viaCopy.n)
                #expect(direct.packed.toArray(as: Float.self) == viaCopy.packed.toArray(as: Float.self), "\(rows)x\(cols)")
            }
        }
        let h = 16, g = 64, batch = 40
        let x = [sample([3, batch, g]), sample([batch, h], seed: 2), sample([batch, h], seed: 3), sample([g, h], seed: 4),
                 sample([g], seed: 5)].map { $0.float().requiresGrad_() }
        let fused = recurrentSequence(.lstm, xGates: x[0], h0: x[1], c0: x[2], weightHH: x[3], biasHH: x[4], reverse: false)
        let composed = composedRecurrentSequence(.lstm, xGates: x[0], h0: x[1], c0: x[2], weightHH: x[3], biasHH: x[4], reverse: false)
        #expect(closeness(fused, composed, rtol: 1e-5, atol: 1e-6) == nil)
    }

    /// Second derivatives by finite differences of the recorded first derivatives, for the fused node (which
    /// differentiates its per-step form under createGraph) and for multi-head attention.
    @Test(arguments: modes)
    func secondDerivativesByFiniteDifferences(_ mode: RecurrentMode) {
        let h = 2, g = mode.gateCount * h
        let lstm = mode == .lstm
        var inputs = [sample([3, 1, g]), sample([1, h], seed: 2)]
        if lstm { inputs.append(sample([1, h], seed: 3)) }
        inputs.append(sample([g, h], seed: 4))
        let failure = gradgradcheck(inputs) { x in
            recurrentSequence(mode, xGates: x[0], h0: x[1], c0: lstm ? x[2] : nil, weightHH: x[lstm ? 3 : 2], biasHH: nil, reverse: true)
        }
        #expect(failure == nil, "\(mode): \(failure ?? "")")
    }

    @Test func multiheadAttentionSecondDerivatives() {
        let mha = withGenerator(Generator(seed: 8)) { MultiheadAttention(4, 2, batchFirst: true, dtype: .float64) }
        let failure = gradgradcheck([sample([1, 3, 4]), sample([1, 2, 4], seed: 2)]) { x in
            mha(x[0], x[1], x[1], needWeights: false).output
        }
        #expect(failure == nil, "mha: \(failure ?? "")")
    }
}
