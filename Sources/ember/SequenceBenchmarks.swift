// Sequence-model benchmarks of issue 14: recurrent and Transformer language-model train steps, attention inference.
import Foundation
import EmberKit

/// One d2l character-LM train step: one-hot 28 symbols → GRU/LSTM 256 → Linear 28, cross-entropy, backward,
/// `clipGradNorm_(1)`, SGD lr 1; batch 32, 35 steps, state starting at zeros.
func recurrentLMBenchmark(_ name: String, lstm: Bool) -> Benchmark {
    Benchmark(name, runs: 10) {
        _ = manualSeed(0)
        let rnn: RecurrentBase = lstm ? LSTM(28, 256) : GRU(28, 256)
        let head = Linear(256, 28)
        let params = rnn.parameters() + head.parameters()
        let tokens = Tensor.randint(low: 0, high: 28, shape: [32, 35])
        let x = Tensor.oneHot(tokens.t(), numClasses: 28).float()     // [35, 32, 28]
        let y = Tensor.randint(low: 0, high: 28, shape: [35 * 32])
        let opt = SGD(params, lr: 1)
        return {
            opt.zeroGrad()
            let out = lstm ? (rnn as! LSTM)(x, nil).output : (rnn as! GRU)(x, nil).output
            let loss = F.crossEntropy(head(out.reshape([-1, 256])), y)
            loss.backward()
            clipGradNorm_(params, maxNorm: 1)
            opt.step()
        }
    }
}

/// A small causal character Transformer: token embedding (96 symbols) + learned positions (64), two pre-norm GELU
/// encoder layers (d 128, 4 heads, FFN 512, dropout 0), Linear head to 96; AdamW lr 1e-3; batch 32 × 64 tokens.
final class TinyTransformerLM: Module {
    let tokenEmbedding = Embedding(96, 128), positionEmbedding = Embedding(64, 128)
    let encoder = TransformerEncoder(TransformerEncoderLayer(128, 4, dimFeedforward: 512, dropout: 0, activation: .gelu,
                                                             batchFirst: true, normFirst: true), numLayers: 2)
    let head = Linear(128, 96)
    let mask = Transformer.generateSquareSubsequentMask(64)
    override func forward(_ tokens: Tensor) -> Tensor {
        let x = tokenEmbedding(tokens) + positionEmbedding(Tensor.arange(tokens.shape[1]))
        return head(encoder(x, mask: mask))
    }
}

func sequenceBenchmarks() -> [Benchmark] {
    [
        recurrentLMBenchmark("gru_lm_train_step_b32_s35_h256", lstm: false),
        recurrentLMBenchmark("lstm_lm_train_step_b32_s35_h256", lstm: true),
        Benchmark("transformer_lm_train_step_b32_s64_d128", runs: 10) {
            _ = manualSeed(0)
            let model = TinyTransformerLM()
            let x = Tensor.randint(low: 0, high: 96, shape: [32, 64]), y = Tensor.randint(low: 0, high: 96, shape: [32 * 64])
            let opt = AdamW(model.parameters(), lr: 1e-3)
            return {
                opt.zeroGrad()
                let loss = F.crossEntropy(model(x).reshape([-1, 96]), y)
                loss.backward()
                opt.step()
            }
        },
        Benchmark("mha_infer_b32_s128_d256", runs: 20) {
            _ = manualSeed(0)
            let mha = MultiheadAttention(256, 8, batchFirst: true).eval()
            let x = Tensor.randn([32, 128, 256])
            return { noGrad { _ = mha(x, x, x, needWeights: false) } }
        },
    ]
}
