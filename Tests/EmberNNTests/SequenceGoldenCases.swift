// The text.json `modules[]` cases: how to build each module (PyTorch's constructor) and call it on the golden inputs.
import Ember
import EmberNN

/// One text.json module case: the module (nil for a functional case) and how it maps inputs to outputs,
/// in PyTorch's return order (output, h_n, c_n; attn output, weights).
struct SequenceGoldenCase {
    let build: () -> Module?
    let run: (Module?, [String: Tensor]) -> [Tensor]
}

enum SequenceGoldenCases {
    static let all: [String: SequenceGoldenCase] = [
        "rnn_tanh_2layer": .init(build: { RNN(4, 6, numLayers: 2) }) { m, x in
            let r = (m as! RNN)(x["input"]!, x["h0"]); return [r.output, r.hN]
        },
        "rnn_relu_batch_first": .init(build: { RNN(4, 6, nonlinearity: .relu, batchFirst: true) }) { m, x in
            let r = (m as! RNN)(x["input"]!, nil); return [r.output, r.hN]
        },
        "gru_1layer": .init(build: { GRU(4, 6) }) { m, x in
            let r = (m as! GRU)(x["input"]!, x["h0"]); return [r.output, r.hN]
        },
        "gru_2layer_bidirectional": .init(build: { GRU(4, 6, numLayers: 2, bidirectional: true) }) { m, x in
            let r = (m as! GRU)(x["input"]!, nil); return [r.output, r.hN]
        },
        "lstm_1layer": .init(build: { LSTM(4, 6) }) { m, x in
            let r = (m as! LSTM)(x["input"]!, nil); return [r.output, r.state.h, r.state.c]
        },
        "lstm_2layer_batch_first_state": .init(build: { LSTM(4, 6, numLayers: 2, batchFirst: true) }) { m, x in
            let r = (m as! LSTM)(x["input"]!, (x["h0"]!, x["c0"]!)); return [r.output, r.state.h, r.state.c]
        },
        "lstm_bidirectional": .init(build: { LSTM(4, 6, bidirectional: true) }) { m, x in
            let r = (m as! LSTM)(x["input"]!, nil); return [r.output, r.state.h, r.state.c]
        },
        "rnn_cell": .init(build: { RNNCell(4, 6) }) { m, x in [(m as! RNNCell)(x["input"]!, x["hx"])] },
        "gru_cell": .init(build: { GRUCell(4, 6) }) { m, x in [(m as! GRUCell)(x["input"]!, x["hx"])] },
        "lstm_cell": .init(build: { LSTMCell(4, 6) }) { m, x in
            let r = (m as! LSTMCell)(x["input"]!, (x["hx"]!, x["cx"]!)); return [r.h, r.c]
        },
        "embedding_padding_idx": .init(build: { Embedding(10, 5, paddingIdx: 0) }) { m, x in [m!(x["indices"]!)] },
        "mha_self_key_padding_mask": .init(build: { MultiheadAttention(8, 2, batchFirst: true) }) { m, x in
            let xx = x["x"]!
            let r = (m as! MultiheadAttention)(xx, xx, xx, keyPaddingMask: x["key_padding_mask"]!)
            return [r.output, r.weights!]
        },
        "mha_cross_kdim_vdim_causal": .init(build: { MultiheadAttention(8, 2, kdim: 6, vdim: 7, batchFirst: true) }) { m, x in
            let r = (m as! MultiheadAttention)(x["query"]!, x["key"]!, x["value"]!, attnMask: x["attn_mask"]!, averageAttnWeights: false)
            return [r.output, r.weights!]
        },
        "sdpa_causal": .init(build: { nil }) { _, x in [F.scaledDotProductAttention(x["q"]!, x["k"]!, x["v"]!, isCausal: true)] },
        "transformer_encoder_layer_post_norm": .init(build: { TransformerEncoderLayer(8, 2, dimFeedforward: 16, dropout: 0, batchFirst: true) }) { m, x in
            [(m as! TransformerEncoderLayer)(x["src"]!, srcKeyPaddingMask: x["src_key_padding_mask"]!)]
        },
        "transformer_encoder_layer_pre_norm_gelu_causal": .init(build: {
            TransformerEncoderLayer(8, 2, dimFeedforward: 16, dropout: 0, activation: .gelu, batchFirst: true, normFirst: true)
        }) { m, x in
            [(m as! TransformerEncoderLayer)(x["src"]!, srcMask: Transformer.generateSquareSubsequentMask(5))]
        },
        "transformer_decoder_layer": .init(build: { TransformerDecoderLayer(8, 2, dimFeedforward: 16, dropout: 0, batchFirst: true) }) { m, x in
            [(m as! TransformerDecoderLayer)(x["tgt"]!, memory: x["memory"]!, tgtMask: Transformer.generateSquareSubsequentMask(4))]
        },
        "transformer_full": .init(build: {
            Transformer(dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0, batchFirst: true)
        }) { m, x in
            [(m as! Transformer)(x["src"]!, x["tgt"]!, tgtMask: Transformer.generateSquareSubsequentMask(4))]
        },
    ]
}
