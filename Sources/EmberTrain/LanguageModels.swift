// The language models `ember train --dataset timemachine` trains: d2l's RNNModel (one-hot characters →
// RNN/GRU/LSTM → Linear) and a small decoder-only Transformer.
import Ember
import EmberNN

/// The kinds of language model `--model` names for the Time Machine.
public enum LanguageModelKind: String, CaseIterable {
    case rnn, gru, lstm, transformer
}

/// A next-token model: logits for every position of a batch, carrying a state between batches (RNNs).
public protocol LanguageModel: Module {
    var vocabSize: Int { get }
    /// Logits `[T·B, V]` in time-major order (d2l's layout, to be compared with `Y.T.reshape(-1)`) for tokens
    /// `[B, T]`, and the state after the last step (empty for a Transformer).
    func logits(_ tokens: Tensor, state: [Tensor]) -> (logits: Tensor, state: [Tensor])
}

/// d2l's `RNNModel`: tokens as one-hot vectors into a recurrent layer (`rnn`), a linear head (`linear`).
///
/// Shape: tokens `[B, T]` → logits `[T·B, V]`; state `[layers, B, H]` (and the cell state for LSTM).
public final class RNNLanguageModel: Module, LanguageModel {
    public let rnn: RecurrentBase
    public let linear: Linear
    public let vocabSize: Int

    /// d2l's `RNNModel`: a recurrent layer over one-hot tokens and a linear output layer.
    ///
    /// - Parameters:
    ///   - kind: The recurrent layer: RNN, GRU or LSTM.
    ///   - vocabSize: The number of tokens (one-hot input and output size).
    ///   - hiddenSize: The size of the hidden state.
    public init(_ kind: LanguageModelKind, vocabSize: Int, hiddenSize: Int = 256) {
        switch kind {
        case .rnn: rnn = RNN(vocabSize, hiddenSize)
        case .lstm: rnn = LSTM(vocabSize, hiddenSize)
        default: rnn = GRU(vocabSize, hiddenSize)
        }
        linear = Linear(hiddenSize, vocabSize)
        self.vocabSize = vocabSize
    }

    public func logits(_ tokens: Tensor, state: [Tensor]) -> (logits: Tensor, state: [Tensor]) {
        let x = Tensor.oneHot(tokens.t(), numClasses: vocabSize).float()
        let (y, next) = rnn(x, state: state)
        return (linear(y.reshape(-1, y.shape[2])), next)
    }

    public override func forward(_ input: Tensor) -> Tensor { logits(input, state: []).logits }
}

/// A character Transformer: token embedding plus learned positions, pre-norm GELU encoder layers with a causal
/// mask, a linear head (the workload of issue 14's `transformer_lm_train_step` benchmark).
///
/// Shape: tokens `[B, T]` (T ≤ `context`) → logits `[T·B, V]` (time-major, as `RNNLanguageModel`).
public final class TransformerLanguageModel: Module, LanguageModel {
    public let tokenEmbedding: Embedding
    public let positionEmbedding: Embedding
    public let encoder: TransformerEncoder
    public let head: Linear
    public let vocabSize: Int
    public let context: Int

    /// A pre-norm character Transformer with learned position embeddings.
    ///
    /// - Parameters:
    ///   - vocabSize: The number of tokens (one-hot input and output size).
    ///   - context: The longest sequence (positions embedded).
    ///   - dModel: The embedding size.
    ///   - heads: The number of attention heads.
    ///   - layers: The number of encoder layers.
    ///   - feedForward: The width of each layer's feed-forward block.
    public init(vocabSize: Int, context: Int = 64, dModel: Int = 128, heads: Int = 4, layers: Int = 2, feedForward: Int = 512) {
        tokenEmbedding = Embedding(vocabSize, dModel)
        positionEmbedding = Embedding(context, dModel)
        encoder = TransformerEncoder(TransformerEncoderLayer(dModel, heads, dimFeedforward: feedForward, dropout: 0, activation: .gelu,
                                                             batchFirst: true, normFirst: true), numLayers: layers)
        head = Linear(dModel, vocabSize)
        self.vocabSize = vocabSize
        self.context = context
    }

    public func logits(_ tokens: Tensor, state: [Tensor]) -> (logits: Tensor, state: [Tensor]) {
        let t = tokens.shape[1]
        emberCheck(t <= context, "TransformerLanguageModel", "\(t) tokens exceed the context of \(context)")
        let x = tokenEmbedding(tokens) + positionEmbedding(Tensor.arange(t))
        let mask = Transformer.generateSquareSubsequentMask(t)
        let y = head(encoder(x, mask: mask))                       // [B, T, V]
        return (y.transpose(0, 1).reshape(-1, vocabSize), [])      // time-major
    }

    public override func forward(_ input: Tensor) -> Tensor { logits(input, state: []).logits }
}
