// Misuse of the sequence layers stops the process with a message naming the op and the shapes.
import Testing
import Foundation
import Ember
import EmberNN

@Suite("SequenceErrors")
struct SequenceErrorTests {
    func stderrText(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }


    @Test func lstmWrongStateShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LSTM(4, 6, numLayers: 2)(Tensor.zeros([5, 3, 4]), (Tensor.zeros([1, 3, 6]), Tensor.zeros([2, 3, 6])))
        }
        #expect(stderrText(r).contains("LSTM: Expected hidden size [2, 3, 6], got [1, 3, 6]"))
    }

    @Test func cellWrongInputSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LSTMCell(4, 6)(Tensor.zeros([3, 5]), nil)
        }
        #expect(stderrText(r).contains("LSTMCell: input has inconsistent input_size: got 5 expected 4 (input [3, 5])"))
    }

    @Test func headsMustDivideEmbedDim() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MultiheadAttention(10, 3)
        }
        #expect(stderrText(r).contains("MultiheadAttention: embed_dim must be divisible by num_heads (embed_dim=10, num_heads=3)"))
    }

    @Test func attentionMaskShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.zeros([2, 5, 8])
            _ = MultiheadAttention(8, 2, batchFirst: true)(x, x, x, attnMask: Tensor.zeros([4, 5]))
        }
        #expect(stderrText(r).contains("multi_head_attention_forward: The shape of the attn_mask should be [5, 5] or [4, 5, 5], but got [4, 5]"))
    }

    @Test func keyPaddingMaskShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.zeros([2, 5, 8])
            _ = MultiheadAttention(8, 2, batchFirst: true)(x, x, x, keyPaddingMask: Tensor.zeros([2, 4], dtype: .bool))
        }
        #expect(stderrText(r).contains("multi_head_attention_forward: expected key_padding_mask of shape [2, 5], but got [2, 4]"))
    }

    @Test func attentionEmbeddingSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.zeros([2, 5, 6])
            _ = MultiheadAttention(8, 2, batchFirst: true)(x, x, x)
        }
        #expect(stderrText(r).contains("multi_head_attention_forward: was expecting embedding dimension of 8, but got 6 (query [2, 5, 6])"))
    }

    @Test func maskedSoftmaxValidLensShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.maskedSoftmax(Tensor.zeros([2, 3, 4]), validLens: tensor([1, 2, 3]))
        }
        #expect(stderrText(r).contains("masked_softmax: valid_lens must be [2] or [2, 3] for input [2, 3, 4], but got [3]"))
    }
}
