// The notes' (d2l's) attention building blocks: PositionalEncoding, DotProductAttention and AdditiveAttention.
import Foundation
import Ember

/// d2l's sinusoidal positional encoding: adds `P[t, 2i] = sin(t / 10000^(2i/d))`, `P[t, 2i+1] = cos(...)` to the
/// input and applies dropout. `P` is the `[1, maxLen, numHiddens]` table (computed in float32 as d2l does).
///
/// Shape: x `[B, T, numHiddens]` with `T ≤ maxLen` → same.
///
/// ```swift
/// let pe = PositionalEncoding(32, dropout: 0)
/// let y = pe(Tensor.zeros([1, 60, 32]))       // the table itself
/// ```
public final class PositionalEncoding: Module {
    public let numHiddens: Int, maxLen: Int
    public let dropout: Dropout
    /// The table `[1, maxLen, numHiddens]` (a plain tensor, not a parameter or buffer, as in d2l).
    public let P: Tensor

    /// The notes' sinusoidal encoding table, with dropout.
    ///
    /// - Parameters:
    ///   - numHiddens: The size of each position's encoding (positive and even).
    ///   - dropout: The dropout probability.
    ///   - maxLen: The longest sequence the table covers.
    ///   - dtype: The element type of the table or the weights.
    public init(_ numHiddens: Int, dropout: Double, maxLen: Int = 1000, dtype: DType = .float32) {
        emberCheck(numHiddens > 0 && numHiddens % 2 == 0, "PositionalEncoding", "num_hiddens must be positive and even, but got \(numHiddens)")
        self.numHiddens = numHiddens; self.maxLen = maxLen
        self.dropout = Dropout(dropout)
        let pos = Tensor.arange(0, maxLen, dtype: .float32).reshape([-1, 1])
        let freq = (Tensor.arange(0, numHiddens, 2, dtype: .float32) / Double(numHiddens))
        let angles = (pos / Tensor.full(freq.shape, 10000.0, dtype: .float32).pow(freq)).to(dtype)   // [maxLen, numHiddens / 2]
        // Interleave: even columns sin, odd columns cos.
        P = Tensor.stack([angles.sin(), angles.cos()], dim: 2).reshape([1, maxLen, numHiddens])
    }
    public override func forward(_ x: Tensor) -> Tensor {
        emberCheck(x.rank == 3 && x.shape[2] == numHiddens && x.shape[1] <= maxLen, "PositionalEncoding",
                   "expected input [batch, steps ≤ \(maxLen), \(numHiddens)], but got \(shapeString(x.shape))")
        return dropout(x + P.narrow(1, start: 0, length: x.shape[1]).to(x.dtype))
    }
    public override var extraDescription: String { "" }
}

/// d2l's scaled dot-product attention: `softmax(Q Kᵀ/√d)` with the d2l masked softmax over `validLens`, dropout on
/// the weights, times `V`. The last weights are kept in `attentionWeights` (for the notes' heat maps).
///
/// Shape: queries `[B, Q, d]`, keys `[B, K, d]`, values `[B, K, v]`, validLens `[B]` or `[B, Q]` → `[B, Q, v]`.
///
/// ```swift
/// let attention = DotProductAttention(dropout: 0.5)
/// let y = attention(queries, keys, values, validLens: tensor([2, 6]))
/// ```
public final class DotProductAttention: Module {
    public let dropout: Dropout
    /// The weights of the last call, `[B, Q, K]`.
    public private(set) var attentionWeights: Tensor?
    public init(dropout: Double) { self.dropout = Dropout(dropout) }
    /// Attends from `queries` to `keys`/`values`, masking keys past `validLens`; keeps the weights in `attentionWeights`.
    ///
    /// - Parameters:
    ///   - queries: The queries `[B, Q, d]`.
    ///   - keys: The keys `[B, K, d]`.
    ///   - values: The values `[B, K, v]`.
    ///   - validLens: The number of valid keys per batch row (`[B]`) or per query (`[B, Q]`); nil: all keys.
    public func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: Tensor? = nil) -> Tensor {
        let op = "DotProductAttention"
        emberCheck(queries.rank == 3 && keys.rank == 3 && values.rank == 3, op, "expected 3-D queries, keys and values, but got \(shapeString(queries.shape)), \(shapeString(keys.shape)), \(shapeString(values.shape))")
        emberCheck(queries.shape[2] == keys.shape[2] && keys.shape[1] == values.shape[1] && queries.shape[0] == keys.shape[0] && keys.shape[0] == values.shape[0], op,
                   "shapes do not match: queries \(shapeString(queries.shape)), keys \(shapeString(keys.shape)), values \(shapeString(values.shape))")
        let d = queries.shape[2]
        let scores = queries.matmul(keys.transpose(1, 2)) / Double(d).squareRoot()
        let w = F.maskedSoftmax(scores, validLens: validLens)
        attentionWeights = w
        return dropout(w).matmul(values)
    }
}

/// d2l's additive (Bahdanau) attention: scores `w_vᵀ tanh(W_q q + W_k k)`, d2l masked softmax, dropout, times `V`.
/// Children `W_k`, `W_q`, `w_v` are bias-free `Linear`s as in the notes (sizes given up front instead of lazily).
///
/// Shape: queries `[B, Q, querySize]`, keys `[B, K, keySize]`, values `[B, K, v]`, validLens `[B]` or `[B, Q]` → `[B, Q, v]`.
///
/// ```swift
/// let attention = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0.1)
/// let y = attention(queries, keys, values, validLens: tensor([2, 6]))
/// ```
public final class AdditiveAttention: Module {
    public let wK: Linear, wQ: Linear, wV: Linear
    public let dropout: Dropout
    /// The weights of the last call, `[B, Q, K]`.
    public private(set) var attentionWeights: Tensor?
    /// Additive attention with bias-free projections of the given sizes.
    ///
    /// - Parameters:
    ///   - keySize: The number of features of each key.
    ///   - querySize: The number of features of each query.
    ///   - numHiddens: The size of each position's encoding (positive and even).
    ///   - dropout: The dropout probability.
    ///   - dtype: The element type of the table or the weights.
    public init(keySize: Int, querySize: Int, numHiddens: Int, dropout: Double, dtype: DType = .float32) {
        wK = Linear(keySize, numHiddens, bias: false, dtype: dtype)
        wQ = Linear(querySize, numHiddens, bias: false, dtype: dtype)
        wV = Linear(numHiddens, 1, bias: false, dtype: dtype)
        self.dropout = Dropout(dropout)
    }
    public override func namedChildren() -> [(String, Module)] { [("W_k", wK), ("W_q", wQ), ("w_v", wV), ("dropout", dropout)] }
    /// Attends from `queries` to `keys`/`values`, masking keys past `validLens`; keeps the weights in `attentionWeights`.
    ///
    /// - Parameters:
    ///   - queries: The queries `[B, Q, d]`.
    ///   - keys: The keys `[B, K, d]`.
    ///   - values: The values `[B, K, v]`.
    ///   - validLens: The number of valid keys per batch row (`[B]`) or per query (`[B, Q]`); nil: all keys.
    public func callAsFunction(_ queries: Tensor, _ keys: Tensor, _ values: Tensor, validLens: Tensor? = nil) -> Tensor {
        let op = "AdditiveAttention"
        emberCheck(queries.rank == 3 && keys.rank == 3 && values.rank == 3 && keys.shape[1] == values.shape[1], op,
                   "expected queries [B, Q, \(wQ.inFeatures)], keys [B, K, \(wK.inFeatures)], values [B, K, v], but got \(shapeString(queries.shape)), \(shapeString(keys.shape)), \(shapeString(values.shape))")
        let q = wQ(queries), k = wK(keys)
        let features = (q.unsqueeze(2) + k.unsqueeze(1)).tanh()      // [B, Q, K, h]
        let scores = wV(features).squeeze(-1)
        let w = F.maskedSoftmax(scores, validLens: validLens)
        attentionWeights = w
        return dropout(w).matmul(values)
    }
}
