// embedding, scaled_dot_product_attention and dropout: values by hand or composed ops, gradchecks, masks.
import Testing
import Foundation
import Ember
import EmberNN
import _EmberTestSupport

@Suite("EmbeddingAttentionDropout")
struct EmbeddingAttentionDropoutTests {
    @Test func embeddingLooksUpRowsAndScatterAddsGradients() {
        let w = Tensor.arange(0.0, 12.0, dtype: .float64).view([4, 3]).requiresGrad_()
        let y = F.embedding(tensor([[1, 3], [1, 0]]), w, paddingIdx: 0)
        #expect(y.shape == [2, 2, 3])
        #expect(y.scalars == [3, 4, 5, 9, 10, 11, 3, 4, 5, 0, 1, 2])
        #expect(y.gradFn?.name == "EmbeddingBackward0")
        y.sum().backward()
        // Row 1 is used twice; the padding row 0 gets nothing.
        #expect(w.grad!.scalars == [0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1])
        #expect(gradcheck([sample([5, 2])]) { F.embedding(tensor([4, 0, 4, 2]), $0[0]) } == nil)
    }

    @Test func attentionMatchesComposedFormulaAndMasks() {
        let q = sample([2, 3, 4]), k = sample([2, 5, 4], seed: 2), v = sample([2, 5, 6], seed: 3)
        let ref = F.softmax(q.matmul(k.transpose(1, 2)) / 2.0, dim: -1).matmul(v)
        #expect(closeness(F.scaledDotProductAttention(q, k, v), ref, rtol: 1e-12, atol: 1e-12) == nil)
        // A float mask adds to the scores; a bool mask of all-true changes nothing.
        let bias = sample([3, 5], seed: 4)
        let refBias = F.softmax(q.matmul(k.transpose(1, 2)) * 0.7 + bias, dim: -1).matmul(v)
        #expect(closeness(F.scaledDotProductAttention(q, k, v, attnMask: bias, scale: 0.7), refBias, rtol: 1e-12, atol: 1e-12) == nil)
        let allTrue = Tensor.ones([3, 5], dtype: .bool)
        #expect(closeness(F.scaledDotProductAttention(q, k, v, attnMask: allTrue), ref, rtol: 1e-12, atol: 1e-12) == nil)
        // Causal: the first query sees only the first key, so its output is v[0].
        let c = F.scaledDotProductAttention(q, q, v.narrow(1, start: 0, length: 3), isCausal: true)
        #expect(closeness(c.select(1, 0), v.select(1, 0), rtol: 1e-12, atol: 1e-12) == nil)
        #expect(gradcheck([q, k, v]) { F.scaledDotProductAttention($0[0], $0[1], $0[2]) } == nil)
        #expect(gradcheck([q]) { F.scaledDotProductAttention($0[0], $0[0], $0[0], isCausal: true) } == nil)
    }

    @Test func dropoutScalesSurvivorsAndIsIdentityInEval() {
        let x = Tensor.ones([1000], dtype: .float64).requiresGrad_()
        let y = F.dropout(x, p: 0.25, training: true, generator: Generator(seed: 7))
        let values = Set(y.scalars)
        #expect(values.isSubset(of: [0, 1 / 0.75]))
        let kept = y.scalars.filter { $0 != 0 }.count
        #expect(kept > 650 && kept < 850)  // Binomial(1000, 0.75): mean 750, sd ≈ 14
        #expect(y.gradFn?.name == "NativeDropoutBackward0")
        y.sum().backward()
        #expect(x.grad!.scalars == y.scalars)  // the gradient is the same scaled mask
        #expect(F.dropout(x, p: 0.5, training: false) === x)
        #expect(F.dropout(x, p: 1, training: true).scalars.allSatisfy { $0 == 0 })
        #expect(F.dropout(x, p: 0.5, generator: Generator(seed: 3)).scalars == F.dropout(x, p: 0.5, generator: Generator(seed: 3)).scalars)
    }

    @Test func dropoutMaskMatchesPyTorchStream() {
        // torch.manual_seed(0); F.dropout(torch.ones(2, 6), 0.5) with PyTorch 2.13.
        let y = withGenerator(Generator(seed: 0)) { F.dropout(Tensor.ones([2, 6]), p: 0.5) }
        #expect(y.scalars == [0, 0, 2, 0, 0, 0, 2, 2, 0, 2, 2, 2])
    }
}

@Suite("ActivationsAndLinear")
struct ActivationsAndLinearTests {
    @Test func linearIsMatmulWithTransposedWeightPlusBias() {
        // [[1, 2]] · [[1, 0], [0, 1], [1, 1]]ᵀ + [0, 0, 10] = [[1, 2, 13]]
        let y = F.linear(tensor([[1.0, 2.0]]), tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), bias: tensor([0.0, 0.0, 10.0]))
        #expect(y.scalars == [1, 2, 13])
        #expect(gradcheck([sample([2, 3, 4]), sample([5, 4], seed: 2), sample([5], seed: 3)]) { F.linear($0[0], $0[1], bias: $0[2]) } == nil)
        #expect(F.relu(tensor([-1.0, 2.0])).scalars == [0, 2])
    }
}
