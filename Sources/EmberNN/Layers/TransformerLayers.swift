// Transformer encoder and decoder layers (`nn.TransformerEncoderLayer`, `nn.TransformerDecoderLayer`).
import Ember

/// The position-wise feed-forward activation of a Transformer layer.
public enum TransformerActivation: Sendable {
    case relu, gelu
    func apply(_ x: Tensor) -> Tensor { self == .relu ? x.relu() : x.gelu() }
    var text: String { self == .relu ? "relu" : "gelu" }
}

/// One Transformer encoder layer: self-attention and a feed-forward block, each with a residual connection and
/// LayerNorm, matching `nn.TransformerEncoderLayer`. Post-norm (`x = norm(x + block(x))`) by default; `normFirst`
/// gives pre-norm (`x = x + block(norm(x))`). Children are named as PyTorch's (`self_attn`, `linear1`, `linear2`,
/// `norm1`, `norm2`), so state dicts match. Unlike PyTorch there is no fused "fast path"; the math is the same.
///
/// Shape: src `[S, B, E]` (`[B, S, E]` with `batchFirst`) → same; `srcMask` `[S, S]` (bool: true = not allowed,
/// or float), `srcKeyPaddingMask` `[B, S]` bool (true = padding).
///
/// ```swift
/// let layer = TransformerEncoderLayer(128, 4, dimFeedforward: 512, activation: .gelu, batchFirst: true, normFirst: true)
/// let y = layer(x, srcMask: Transformer.generateSquareSubsequentMask(64))
/// ```
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropout: Double, activation: TransformerActivation, normFirst: Bool
    let config: (d: Int, h: Int, ff: Int, eps: Double, batchFirst: Bool, bias: Bool, dtype: DType)

    /// An encoder layer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - dModel: The number of expected features in the inputs (embedding size).
    ///   - nhead: The number of attention heads (must divide `dModel`).
    ///   - dimFeedforward: The width of the feed-forward block.
    ///   - dropout: The dropout probability.
    ///   - activation: The feed-forward activation, `.relu` or `.gelu`.
    ///   - layerNormEps: The `eps` of the layer norms.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - normFirst: Pre-norm (`x + block(norm(x))`) instead of post-norm.
    ///   - bias: Whether the linear layers and layer norms have biases.
    ///   - dtype: The element type of the parameters.
    public init(_ dModel: Int, _ nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32) {
        selfAttn = MultiheadAttention(dModel, nhead, dropout: dropout, bias: bias, batchFirst: batchFirst, dtype: dtype)
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype)
        norm1 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        self.dropout = dropout; self.activation = activation; self.normFirst = normFirst
        config = (dModel, nhead, dimFeedforward, layerNormEps, batchFirst, bias, dtype)
    }

    /// A new layer with the same configuration and a copy of this layer's weights (what PyTorch's `_get_clones` makes).
    public func copy() -> TransformerEncoderLayer {
        // A scratch generator: copying must not advance the default stream (PyTorch deep-copies without drawing).
        let c = withGenerator(Generator(seed: 0)) { TransformerEncoderLayer(config.d, config.h, dimFeedforward: config.ff, dropout: dropout, activation: activation,
                                        layerNormEps: config.eps, batchFirst: config.batchFirst, normFirst: normFirst, bias: config.bias, dtype: config.dtype) }
        try! c.loadStateDict(stateDict())
        if !training { c.eval() }
        return c
    }

    /// Runs the layer; `isCausal` asks for a causal mask when `srcMask` is nil.
    ///
    /// - Parameters:
    ///   - src: The input sequence `[S, B, E]` (`[B, S, E]` with `batchFirst`).
    ///   - srcMask: The encoder's self-attention mask `[S, S]` (bool: true = not allowed, or float); nil: none.
    ///   - srcKeyPaddingMask: `[B, S]` bool, true where a source position is padding.
    ///   - isCausal: Use a causal mask when `mask` (or `srcMask`) is nil.
    public func callAsFunction(_ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        let p = training ? dropout : 0
        func sa(_ x: Tensor) -> Tensor {
            F.dropout(selfAttn(x, x, x, keyPaddingMask: srcKeyPaddingMask, needWeights: false, attnMask: srcMask, isCausal: isCausal).output, p: p, training: p > 0)
        }
        func ff(_ x: Tensor) -> Tensor {
            F.dropout(linear2(F.dropout(activation.apply(linear1(x)), p: p, training: p > 0)), p: p, training: p > 0)
        }
        if normFirst {
            let x = src + sa(norm1(src))
            return x + ff(norm2(x))
        }
        let x = norm1(src + sa(src))
        return norm2(x + ff(x))
    }
    public override func forward(_ input: Tensor) -> Tensor { self(input) }
}

/// One Transformer decoder layer: masked self-attention, cross-attention over `memory` and a feed-forward block,
/// each with a residual connection and LayerNorm, matching `nn.TransformerDecoderLayer` (children `self_attn`,
/// `multihead_attn`, `linear1`, `linear2`, `norm1`–`norm3`).
///
/// Shape: tgt `[T, B, E]`, memory `[S, B, E]` (batch first with `batchFirst`) → like tgt; `tgtMask` `[T, T]`,
/// `memoryMask` `[T, S]`, key padding masks `[B, T]` / `[B, S]`.
///
/// ```swift
/// let layer = TransformerDecoderLayer(8, 2, dimFeedforward: 16, batchFirst: true)
/// let y = layer(tgt, memory: mem, tgtMask: Transformer.generateSquareSubsequentMask(4))
/// ```
public final class TransformerDecoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let multiheadAttn: MultiheadAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let norm3: LayerNorm
    public let dropout: Double, activation: TransformerActivation, normFirst: Bool
    let config: (d: Int, h: Int, ff: Int, eps: Double, batchFirst: Bool, bias: Bool, dtype: DType)

    /// A decoder layer with PyTorch's defaults.
    ///
    /// - Parameters:
    ///   - dModel: The number of expected features in the inputs (embedding size).
    ///   - nhead: The number of attention heads (must divide `dModel`).
    ///   - dimFeedforward: The width of the feed-forward block.
    ///   - dropout: The dropout probability.
    ///   - activation: The feed-forward activation, `.relu` or `.gelu`.
    ///   - layerNormEps: The `eps` of the layer norms.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - normFirst: Pre-norm (`x + block(norm(x))`) instead of post-norm.
    ///   - bias: Whether the linear layers and layer norms have biases.
    ///   - dtype: The element type of the parameters.
    public init(_ dModel: Int, _ nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32) {
        selfAttn = MultiheadAttention(dModel, nhead, dropout: dropout, bias: bias, batchFirst: batchFirst, dtype: dtype)
        multiheadAttn = MultiheadAttention(dModel, nhead, dropout: dropout, bias: bias, batchFirst: batchFirst, dtype: dtype)
        linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype)
        linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype)
        norm1 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        norm3 = LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype)
        self.dropout = dropout; self.activation = activation; self.normFirst = normFirst
        config = (dModel, nhead, dimFeedforward, layerNormEps, batchFirst, bias, dtype)
    }

    /// A new layer with the same configuration and a copy of this layer's weights.
    public func copy() -> TransformerDecoderLayer {
        // A scratch generator: copying must not advance the default stream (PyTorch deep-copies without drawing).
        let c = withGenerator(Generator(seed: 0)) { TransformerDecoderLayer(config.d, config.h, dimFeedforward: config.ff, dropout: dropout, activation: activation,
                                        layerNormEps: config.eps, batchFirst: config.batchFirst, normFirst: normFirst, bias: config.bias, dtype: config.dtype) }
        try! c.loadStateDict(stateDict())
        if !training { c.eval() }
        return c
    }

    /// Runs the layer over `tgt` attending to `memory`.
    ///
    /// - Parameters:
    ///   - tgt: The target sequence `[T, B, E]` (`[B, T, E]` with `batchFirst`).
    ///   - memory: The encoder's output the target attends to.
    ///   - tgtMask: The decoder's self-attention mask `[T, T]`; nil: none.
    ///   - memoryMask: The mask of the decoder's attention to the memory `[T, S]`; nil: none.
    ///   - tgtKeyPaddingMask: `[B, T]` bool, true where a target position is padding.
    ///   - memoryKeyPaddingMask: `[B, S]` bool, true where a memory position is padding.
    ///   - tgtIsCausal: Use a causal mask for the decoder's self-attention when `tgtMask` is nil.
    ///   - memoryIsCausal: Use a causal mask for the attention to the memory when `memoryMask` is nil.
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) -> Tensor {
        let p = training ? dropout : 0
        func drop(_ x: Tensor) -> Tensor { F.dropout(x, p: p, training: p > 0) }
        func sa(_ x: Tensor) -> Tensor {
            drop(selfAttn(x, x, x, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, attnMask: tgtMask, isCausal: tgtIsCausal).output)
        }
        func mha(_ x: Tensor) -> Tensor {
            drop(multiheadAttn(x, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, attnMask: memoryMask,
                               isCausal: memoryIsCausal).output)
        }
        func ff(_ x: Tensor) -> Tensor { drop(linear2(drop(activation.apply(linear1(x))))) }
        if normFirst {
            var x = tgt + sa(norm1(tgt))
            x = x + mha(norm2(x))
            return x + ff(norm3(x))
        }
        var x = norm1(tgt + sa(tgt))
        x = norm2(x + mha(x))
        return norm3(x + ff(x))
    }
}
