// LanguageModelGenerator: `ember generate` — text from a language-model checkpoint of `ember train --dataset timemachine`.
import Foundation
import Ember
import EmberNN
import EmberIO

/// Text from a trained language model: the prefix warms the state up, then tokens are predicted one at a time
/// (d2l's `predict_ch8`: greedy argmax; with `temperature` > 0, sampled from softmax(logits / temperature),
/// optionally among the `topK` most likely, from the current generator — deterministic for a seed).
public struct LanguageModelGenerator {
    /// The trained model.
    public let model: any LanguageModel
    /// Its tokenizer and vocabulary.
    public let tokens: TextTokens

    /// A generator over `model`, which reads and writes `tokens`' ids.
    public init(model: any LanguageModel, tokens: TextTokens) {
        self.model = model
        self.tokens = tokens
    }

    /// Reads a checkpoint written by `ember train --dataset timemachine`.
    public init(checkpoint url: URL) throws {
        let file = url.path
        let value = try loadCheckpoint(from: url)
        guard let root = value.dict, case .string(let k)? = root["lm_kind"], let kind = LanguageModelKind(rawValue: k) else {
            throw TrainingError.invalidCheckpoint(file: file, field: "lm_kind", problem: "is missing: not a language-model checkpoint of ember train")
        }
        let tokens = try TextTokens(checkpoint: root, file: file)
        let hidden = root["hidden"]?.int ?? 256, steps = root["num_steps"]?.int ?? 64
        guard (1...8192).contains(hidden) else {
            throw TrainingError.invalidCheckpoint(file: file, field: "hidden", problem: "is \(hidden), out of range 1...8192")
        }
        guard (1...4096).contains(steps) else {
            throw TrainingError.invalidCheckpoint(file: file, field: "num_steps", problem: "is \(steps), out of range 1...4096")
        }
        let model: any LanguageModel = kind == .transformer ? TransformerLanguageModel(vocabSize: tokens.vocabSize, context: steps)
                                                            : RNNLanguageModel(kind, vocabSize: tokens.vocabSize, hiddenSize: hidden)
        _ = try loadTrainingCheckpoint(from: url, model: model, optimizer: nil)
        self.init(model: model, tokens: tokens)
    }

    /// `count` tokens following `prefix`, as text.
    ///
    /// - Parameters:
    ///   - prefix: The text to continue.
    ///   - count: The number of tokens to generate.
    ///   - temperature: 0 picks the most likely token; above 0 samples from the softmax of logits / temperature.
    ///   - topK: Sample only among the `topK` most likely tokens (nil: all).
    public func generate(prefix: String, count: Int, temperature: Double = 0, topK: Int? = nil) throws -> String {
        var ids = tokens.encode(prefix)
        if ids.isEmpty { ids = [0] }
        let context = (model as? TransformerLanguageModel)?.context
        model.eval()
        defer { model.train() }
        var out: [Int] = []
        noGrad {
            var state: [Tensor] = []
            // Warm-up: the prefix through the model (RNNs keep the state; a Transformer sees its last `context` tokens).
            let warm = context.map { Array(ids.suffix($0)) } ?? ids
            var (logits, next) = model.logits(Tensor(warm.map { Int64($0) }, shape: [1, warm.count]), state: state)
            state = next
            for _ in 0..<count {
                let last = logits[logits.shape[0] - 1]
                let id = pick(last, temperature: temperature, topK: topK)
                out.append(id)
                ids.append(id)
                if let c = context {
                    let window = Array(ids.suffix(c))
                    (logits, _) = model.logits(Tensor(window.map { Int64($0) }, shape: [1, window.count]), state: [])
                } else {
                    (logits, next) = model.logits(Tensor([Int64(id)], shape: [1, 1]), state: state)
                    state = next
                }
            }
        }
        return tokens.decode(out)
    }

    func pick(_ logits: Tensor, temperature: Double, topK: Int?) -> Int {
        let values = logits.toArray(as: Double.self)
        guard temperature > 0, !values.isEmpty else { return Int(logits.argmax().item(as: Int64.self)) }
        var scaled = values.map { $0 / temperature }
        if let k = topK, k > 0, k < scaled.count {
            let kth = scaled.sorted(by: >)[k - 1]
            scaled = scaled.map { $0 < kth ? -Double.infinity : $0 }
        }
        let top = scaled.max()!
        let weights = scaled.map { Foundation.exp($0 - top) }
        // One uniform draw from the current generator (the run's, or the one `ember generate --seed` binds).
        var u = Tensor.rand(1, dtype: .float64).item() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}
