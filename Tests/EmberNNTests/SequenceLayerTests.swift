// Recurrent layers, attention and Transformer layers: finite-difference gradchecks in float64, independent
// references (step-by-step cells, naive loops), state-dict names, clipping.
import Testing
import Foundation
import Ember
import EmberNN
import _EmberTestSupport

@Suite("SequenceLayers")
struct SequenceLayerTests {
    // MARK: Recurrent

    @Test func recurrentLayersGradcheckInputsAndStates() {
        _ = manualSeed(1)
        let gru = GRU(3, 4, numLayers: 2, bidirectional: true, dtype: .float64)
        #expect(gradcheck([sample([4, 2, 3]), sample([4, 2, 4], seed: 2)]) { gru($0[0], $0[1]).output } == nil)
        let lstm = LSTM(3, 4, numLayers: 2, batchFirst: true, dtype: .float64)
        #expect(gradcheck([sample([2, 4, 3]), sample([2, 2, 4], seed: 2), sample([2, 2, 4], seed: 3)]) { x in
            let r = lstm(x[0], (x[1], x[2]))
            return Tensor.cat([r.output.flatten(), r.state.h.flatten(), r.state.c.flatten()])
        } == nil)
        let rnn = RNN(3, 4, nonlinearity: .tanh, bidirectional: true, dtype: .float64)
        #expect(gradcheck([sample([3, 2, 3])]) { x in
            let r = rnn(x[0], nil)
            return Tensor.cat([r.output.flatten(), r.hN.flatten()])
        } == nil)
    }

    @Test func cellsGradcheckInputsStatesAndWeights() {
        _ = manualSeed(2)
        let lstm = LSTMCell(3, 4, dtype: .float64)
        #expect(gradcheck([sample([2, 3]), sample([2, 4], seed: 2), sample([2, 4], seed: 3), lstm.weightIh, lstm.weightHh, lstm.biasHh!]) { x in
            lstm.weightIh = x[3]; lstm.weightHh = x[4]; lstm.biasHh = x[5]
            let r = lstm(x[0], (x[1], x[2]))
            return Tensor.cat([r.h.flatten(), r.c.flatten()])
        } == nil)
        let gru = GRUCell(3, 4, dtype: .float64)
        #expect(gradcheck([sample([2, 3]), sample([2, 4], seed: 2), gru.weightHh, gru.biasHh!]) { x in
            gru.weightHh = x[2]; gru.biasHh = x[3]
            return gru(x[0], x[1])
        } == nil)
        let rnn = RNNCell(3, 4, nonlinearity: .relu, dtype: .float64)
        #expect(gradcheck([sample([2, 3]), sample([2, 4], seed: 2)]) { rnn($0[0], $0[1]) } == nil)
    }

    /// The sequence layer equals its cell applied step by step with the same weights (an independent path: no
    /// whole-sequence projection, no reversal bookkeeping).
    @Test func layerEqualsCellUnrolled() throws {
        _ = manualSeed(3)
        let lstm = LSTM(3, 5, bidirectional: true, dtype: .float64)
        let x = sample([6, 2, 3])
        let r = lstm(x, nil)
        for (dir, reverse) in [(0, false), (1, true)] {
            let cell = LSTMCell(3, 5, dtype: .float64)
            let w = lstm.weights(layer: 0, reverse: reverse)
            try cell.loadStateDict(["weight_ih": w.ih, "weight_hh": w.hh, "bias_ih": w.biasIH!, "bias_hh": w.biasHH!])
            var state: (h: Tensor, c: Tensor)? = nil
            for s in 0..<6 {
                let t = reverse ? 5 - s : s
                state = cell(x.select(0, t), state)
                let out = r.output.select(0, t).narrow(1, start: dir * 5, length: 5)
                #expect(closeness(out, state!.h, rtol: 1e-12, atol: 1e-12) == nil)
            }
            #expect(closeness(r.state.h.select(0, dir), state!.h, rtol: 1e-12, atol: 1e-12) == nil)
            #expect(closeness(r.state.c.select(0, dir), state!.c, rtol: 1e-12, atol: 1e-12) == nil)
        }
    }

    @Test func unbatchedInputAndNames() {
        let gru = GRU(3, 4, numLayers: 2, bidirectional: true)
        #expect(gru.stateDict().keys.prefix(8) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                    "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"])
        #expect(gru.weight_ih_l1.shape == [12, 8])
        let x = Tensor.rand([5, 3])
        let r = gru(x, nil)
        #expect(r.output.shape == [5, 8] && r.hN.shape == [4, 4])
        let batched = gru(x.unsqueeze(1), nil)
        #expect(closeness(r.output, batched.output.squeeze(1), rtol: 0, atol: 0) == nil)
        #expect(gru.description == "GRU(3, 4, num_layers=2, bidirectional=True)")
    }

    @Test func stateListFormTreatsTheThreeAlike() {
        let x = Tensor.rand([4, 2, 3])
        for rnn in [RNN(3, 5), GRU(3, 5), LSTM(3, 5, numLayers: 2)] as [RecurrentBase] {
            let zeros = rnn.initialState(batchSize: 2)
            let a = rnn(x, state: []), b = rnn(x, state: zeros)
            #expect(a.state.count == zeros.count && a.state[0].shape == zeros[0].shape)
            #expect(closeness(a.output, b.output, rtol: 0, atol: 0) == nil)
            #expect(closeness(a.output, rnn(x), rtol: 0, atol: 0) == nil)
            // Inference runs the same loop without keeping anything for backward.
            #expect(closeness(noGrad { rnn(x) }, rnn(x), rtol: 0, atol: 0) == nil)
        }
        let lstm = LSTM(3, 5)
        let s = [Tensor.rand([1, 2, 5]), Tensor.rand([1, 2, 5])]
        #expect(closeness(lstm(x, state: s).output, lstm(x, (s[0], s[1])).output, rtol: 0, atol: 0) == nil)
    }

    @Test func dropoutBetweenLayersOnlyInTraining() {
        let lstm = LSTM(3, 4, numLayers: 2, dropout: 0.5)
        let x = Tensor.rand([5, 2, 3])
        lstm.eval()
        let a = lstm(x), b = lstm(x)
        #expect(a.scalars == b.scalars)
        lstm.train()
        // Each draw from its own generator: tests run in parallel, so the global one may be drawn from in between.
        let c = withGenerator(Generator(seed: 4)) { lstm(x) }
        let d = withGenerator(Generator(seed: 4)) { lstm(x) }
        #expect(c.scalars == d.scalars)
        #expect(c.scalars != a.scalars)
    }

    // MARK: Clipping

    @Test func clipGradNormScalesByTotalNorm() {
        let a = Tensor([3.0, 0.0], shape: [2]).requiresGrad_(), b = Tensor([4.0], shape: [1]).requiresGrad_()
        let unused = Tensor([1.0], shape: [1]).requiresGrad_()
        (a * Tensor([3.0, 0.0], shape: [2])).sum().backward()      // grad a = [3, 0]
        (b * 4.0).sum().backward()                                  // grad b = [4]
        let norm = clipGradNorm_([a, b, unused], maxNorm: 1)
        #expect(Swift.abs(norm.item() - 5) < 1e-12)
        let coef = 1 / (5 + 1e-6)
        #expect(Swift.abs(a.grad!.scalars[0] - 3 * coef) < 1e-12 && Swift.abs(b.grad!.scalars[0] - 4 * coef) < 1e-12)
        #expect(unused.grad == nil)
        // Below the limit nothing changes; the inf-norm is the largest magnitude.
        let n2 = clipGradNorm_([a, b], maxNorm: 10, normType: .infinity)
        #expect(Swift.abs(n2.item() - 4 * coef) < 1e-12)
        #expect(Swift.abs(b.grad!.scalars[0] - 4 * coef) < 1e-12)
    }

    // MARK: Attention

    @Test func multiheadAttentionGradcheckAndWeights() {
        _ = manualSeed(5)
        let mha = MultiheadAttention(4, 2, kdim: 3, vdim: 5, batchFirst: true, dtype: .float64)
        #expect(mha.stateDict().keys == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        let q = sample([2, 3, 4]), k = sample([2, 5, 3], seed: 2), v = sample([2, 5, 5], seed: 3)
        let pad = Tensor([false, false, false, true, true, false, false, false, false, true], shape: [2, 5])
        #expect(gradcheck([q, k, v]) { x in
            let r = mha(x[0], x[1], x[2], keyPaddingMask: pad, averageAttnWeights: false)
            return Tensor.cat([r.output.flatten(), r.weights!.flatten()])
        } == nil)
        // Weights: masked keys get zero weight and rows sum to one; the no-weights path gives the same output.
        let r = mha(q, k, v, keyPaddingMask: pad)
        #expect(r.weights!.shape == [2, 3, 5])
        #expect(r.weights!.select(0, 0).narrow(1, start: 3, length: 2).scalars.allSatisfy { $0 == 0 })
        #expect(closeness(r.weights!.sum(dim: -1), Tensor.ones([2, 3], dtype: .float64), rtol: 1e-12, atol: 1e-12) == nil)
        let fast = mha(q, k, v, keyPaddingMask: pad, needWeights: false)
        #expect(fast.weights == nil)
        #expect(closeness(fast.output, r.output, rtol: 1e-12, atol: 1e-12) == nil)
        // A bool attn mask (true = blocked) equals the float mask with −∞.
        let causal = Transformer.generateSquareSubsequentMask(3, dtype: .float64)
        let blocked = Tensor([false, true, true, false, false, true, false, false, false], shape: [3, 3])
        let selfMHA = MultiheadAttention(4, 2, dtype: .float64)
        let s = sample([3, 2, 4], seed: 6)
        #expect(closeness(selfMHA(s, s, s, attnMask: causal).output, selfMHA(s, s, s, attnMask: blocked).output, rtol: 1e-12, atol: 1e-12) == nil)
        #expect(closeness(selfMHA(s, s, s, isCausal: true).output, selfMHA(s, s, s, attnMask: blocked).output, rtol: 1e-12, atol: 1e-12) == nil)
    }

    @Test func transformerLayersGradcheck() {
        _ = manualSeed(6)
        let enc = TransformerEncoderLayer(4, 2, dimFeedforward: 6, dropout: 0, activation: .gelu, batchFirst: true, normFirst: true, dtype: .float64)
        #expect(gradcheck([sample([2, 3, 4])]) { enc($0[0], srcMask: Transformer.generateSquareSubsequentMask(3, dtype: .float64)) } == nil)
        let dec = TransformerDecoderLayer(4, 2, dimFeedforward: 6, dropout: 0, dtype: .float64)
        #expect(gradcheck([sample([3, 2, 4]), sample([2, 2, 4], seed: 2)]) { dec($0[0], memory: $0[1], tgtIsCausal: true) } == nil)
        let model = Transformer(dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0, dtype: .float64)
        #expect(model.stateDict().keys.contains("encoder.layers.0.self_attn.in_proj_weight"))
        #expect(model.stateDict().keys.contains("decoder.norm.bias"))
        #expect(gradcheck([sample([3, 2, 4]), sample([2, 2, 4], seed: 2)]) { model($0[0], $0[1]) } == nil)
    }

    @Test func encoderClonesStartEqualAndTrainApart() {
        let layer = TransformerEncoderLayer(4, 2, dimFeedforward: 6)
        let enc = TransformerEncoder(layer, numLayers: 2, norm: LayerNorm(4))
        let sd = enc.stateDict()
        #expect(sd["layers.0.linear1.weight"]!.scalars == sd["layers.1.linear1.weight"]!.scalars)
        #expect(sd["layers.0.linear1.weight"]! !== sd["layers.1.linear1.weight"]!)
        #expect(Set(enc.parameters().map { ObjectIdentifier($0) }).count == 2 * 12 + 2)
        // Cloning draws nothing from the default generator (PyTorch deep-copies), so later layers' init matches PyTorch's.
        let expected = withGenerator(Generator(seed: 9)) { Tensor.rand([4]).scalars }
        let after = withGenerator(Generator(seed: 9)) { () -> [Double] in _ = layer.copy(); return Tensor.rand([4]).scalars }
        #expect(after == expected)
    }

    @Test func squareSubsequentMask() {
        let m = Transformer.generateSquareSubsequentMask(3)
        let inf = -Double.infinity
        #expect(m.scalars == [0, inf, inf, 0, 0, inf, 0, 0, 0])
    }

    // MARK: d2l attention

    @Test func maskedSoftmaxMatchesDefinition() {
        let x = sample([2, 2, 4])
        let y = F.maskedSoftmax(x, validLens: tensor([2, 3]))
        for b in 0..<2 { for q in 0..<2 {
            let valid = [2, 3][b]
            let row = x.select(0, b).select(0, q).scalars
            let e = row.prefix(valid).map { Foundation.exp($0) }
            let s = e.reduce(0, +)
            let expected = e.map { $0 / s } + [Double](repeating: 0, count: 4 - valid)
            let got = y.select(0, b).select(0, q).scalars
            for i in 0..<4 { #expect(Swift.abs(got[i] - expected[i]) < 1e-12) }
        } }
        let perQuery = F.maskedSoftmax(x, validLens: tensor([[1, 3], [2, 4]]))
        #expect(perQuery.select(0, 0).select(0, 0).scalars.dropFirst().allSatisfy { $0 == 0 })
        #expect(gradcheck([x]) { F.maskedSoftmax($0[0], validLens: tensor([2, 3])) } == nil)
    }

    @Test func d2lAttentionModules() throws {
        _ = manualSeed(7)
        let q = sample([2, 1, 20]), k = sample([2, 10, 2], seed: 2)
        let v = Tensor.arange(0.0, 40.0, dtype: .float64).reshape([1, 10, 4]).expand([2, 10, 4])
        let lens = tensor([2, 6])
        let additive = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0, dtype: .float64).eval()
        #expect(additive.stateDict().keys == ["W_k.weight", "W_q.weight", "w_v.weight"])
        let y = additive(q, k, v, validLens: lens)
        #expect(y.shape == [2, 1, 4])
        // Naive scores: w_v · tanh(W_q q + W_k k_j).
        let wq = additive.wQ.weight, wk = additive.wK.weight, wv = additive.wV.weight
        for b in 0..<2 {
            let qp = wq.matmul(q.select(0, b).select(0, 0))
            var scores: [Double] = []
            for j in 0..<[2, 6][b] { scores.append(wv.matmul((qp + wk.matmul(k.select(0, b).select(0, j))).tanh()).item()) }
            let m = scores.max()!, e = scores.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
            #expect(closeness(additive.attentionWeights!.select(0, b).select(0, 0).narrow(0, start: 0, length: scores.count),
                              Tensor(e.map { $0 / s }, shape: [scores.count]), rtol: 1e-10, atol: 1e-12) == nil)
        }
        #expect(gradcheck([q, k, v.contiguous()]) { additive($0[0], $0[1], $0[2], validLens: lens) } == nil)
        let dot = DotProductAttention(dropout: 0).eval()
        let qd = sample([2, 1, 2], seed: 3)
        let yd = dot(qd, k, v, validLens: lens)
        let ref = F.maskedSoftmax(qd.matmul(k.transpose(1, 2)) / 2.0.squareRoot(), validLens: lens).matmul(v)
        #expect(closeness(yd, ref, rtol: 1e-12, atol: 1e-12) == nil)
        #expect(gradcheck([qd, k]) { dot($0[0], $0[1], v, validLens: lens) } == nil)
    }

    @Test func positionalEncodingAddsTheTable() {
        let pe = PositionalEncoding(8, dropout: 0, maxLen: 10)
        let x = sample([2, 5, 8], dtype: .float32)
        #expect(closeness(pe(x), x + pe.P.narrow(1, start: 0, length: 5), rtol: 0, atol: 0) == nil)
        // Column 0 is sin(t), column 1 cos(t).
        #expect(Swift.abs(pe.P.select(0, 0).select(0, 3).select(0, 0).item() - Foundation.sin(3.0)) < 1e-6)
        #expect(Swift.abs(pe.P.select(0, 0).select(0, 3).select(0, 1).item() - Foundation.cos(3.0)) < 1e-6)
    }
}
