// Transformer stacks: TransformerEncoder, TransformerDecoder and the full encoder-decoder Transformer.
import Ember

/// A stack of `numLayers` copies of an encoder layer, with an optional final norm (`nn.TransformerEncoder`).
/// Like PyTorch's `_get_clones`, every layer starts as a copy of `encoderLayer` (same weights); children are
/// `layers.0`, `layers.1`, ..., `norm`.
///
/// Shape: as `TransformerEncoderLayer`.
///
/// ```swift
/// let enc = TransformerEncoder(TransformerEncoderLayer(128, 4, batchFirst: true), numLayers: 2)
/// let y = enc(x, mask: Transformer.generateSquareSubsequentMask(64))
/// ```
public final class TransformerEncoder: Module {
    public let layers: ModuleList
    public let norm: LayerNorm?
    /// A stack of copies of `encoderLayer`.
    ///
    /// - Parameters:
    ///   - encoderLayer: The layer copied `numLayers` times (each copy starts with its weights).
    ///   - numLayers: The number of stacked layers.
    ///   - norm: A final layer norm applied after the last layer (nil: none).
    public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in encoderLayer.copy() })
        self.norm = norm
    }
    /// Runs every layer in turn, then the norm.
    ///
    /// - Parameters:
    ///   - src: The source sequence `[S, B, E]` (`[B, S, E]` with `batchFirst`).
    ///   - mask: An attention mask `[S, S]` (bool: true = not allowed, or float added to the scores); nil: none.
    ///   - srcKeyPaddingMask: `[B, S]` bool, true where a source position is padding.
    ///   - isCausal: Use a causal mask when `mask` (or `srcMask`) is nil.
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        var x = src
        for layer in layers { x = (layer as! TransformerEncoderLayer)(x, srcMask: mask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: isCausal) }
        return norm.map { $0(x) } ?? x
    }
    public override func forward(_ input: Tensor) -> Tensor { self(input) }
}

/// A stack of `numLayers` copies of a decoder layer, with an optional final norm (`nn.TransformerDecoder`).
///
/// Shape: as `TransformerDecoderLayer`.
public final class TransformerDecoder: Module {
    public let layers: ModuleList
    public let norm: LayerNorm?
    /// A stack of copies of `decoderLayer`.
    ///
    /// - Parameters:
    ///   - decoderLayer: The layer copied `numLayers` times (each copy starts with its weights).
    ///   - numLayers: The number of stacked layers.
    ///   - norm: A final layer norm applied after the last layer (nil: none).
    public init(_ decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in decoderLayer.copy() })
        self.norm = norm
    }
    /// Runs every layer over `tgt` attending to `memory`, then the norm.
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
        var x = tgt
        for layer in layers {
            x = (layer as! TransformerDecoderLayer)(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                                                   memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
        }
        return norm.map { $0(x) } ?? x
    }
}

/// The encoder-decoder Transformer of "Attention Is All You Need", matching `nn.Transformer`: an encoder and a
/// decoder stack, each with a final LayerNorm, children `encoder.layers.N...`, `encoder.norm`, `decoder...`.
/// Initialised as PyTorch: layers built (and cloned) in order, then every parameter with more than one dimension
/// re-drawn Xavier-uniform.
///
/// Shape: src `[S, B, E]`, tgt `[T, B, E]` (batch first with `batchFirst`) → `[T, B, E]`.
///
/// ```swift
/// let model = Transformer(dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, batchFirst: true)
/// let y = model(src, tgt, tgtMask: Transformer.generateSquareSubsequentMask(4))
/// ```
public final class Transformer: Module {
    public let encoder: TransformerEncoder
    public let decoder: TransformerDecoder
    public let dModel: Int, nhead: Int, batchFirst: Bool

    /// An encoder-decoder Transformer with PyTorch's defaults and initialisation.
    ///
    /// - Parameters:
    ///   - dModel: The number of expected features in the inputs (embedding size).
    ///   - nhead: The number of attention heads (must divide `dModel`).
    ///   - numEncoderLayers: The number of encoder layers.
    ///   - numDecoderLayers: The number of decoder layers.
    ///   - dimFeedforward: The width of the feed-forward block.
    ///   - dropout: The dropout probability.
    ///   - activation: The feed-forward activation, `.relu` or `.gelu`.
    ///   - layerNormEps: The `eps` of the layer norms.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - normFirst: Pre-norm (`x + block(norm(x))`) instead of post-norm.
    ///   - bias: Whether the linear layers and layer norms have biases.
    ///   - dtype: The element type of the parameters.
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6, dimFeedforward: Int = 2048,
                dropout: Double = 0.1, activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32) {
        let enc = TransformerEncoderLayer(dModel, nhead, dimFeedforward: dimFeedforward, dropout: dropout, activation: activation,
                                          layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst, bias: bias, dtype: dtype)
        encoder = TransformerEncoder(enc, numLayers: numEncoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype))
        let dec = TransformerDecoderLayer(dModel, nhead, dimFeedforward: dimFeedforward, dropout: dropout, activation: activation,
                                          layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst, bias: bias, dtype: dtype)
        decoder = TransformerDecoder(dec, numLayers: numDecoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, bias: bias, dtype: dtype))
        self.dModel = dModel; self.nhead = nhead; self.batchFirst = batchFirst
        super.init()
        for p in parameters() where p.rank > 1 { Init.xavierUniform_(p) }
    }

    /// Encodes `src` and decodes `tgt` against it.
    ///
    /// - Parameters:
    ///   - src: The source sequence `[S, B, E]` (`[B, S, E]` with `batchFirst`).
    ///   - tgt: The target sequence `[T, B, E]` (`[B, T, E]` with `batchFirst`).
    ///   - srcMask: The encoder's self-attention mask `[S, S]` (bool: true = not allowed, or float); nil: none.
    ///   - tgtMask: The decoder's self-attention mask `[T, T]`; nil: none.
    ///   - memoryMask: The mask of the decoder's attention to the memory `[T, S]`; nil: none.
    ///   - srcKeyPaddingMask: `[B, S]` bool, true where a source position is padding.
    ///   - tgtKeyPaddingMask: `[B, T]` bool, true where a target position is padding.
    ///   - memoryKeyPaddingMask: `[B, S]` bool, true where a memory position is padding.
    ///   - srcIsCausal: Use a causal mask for the encoder when `srcMask` is nil.
    ///   - tgtIsCausal: Use a causal mask for the decoder's self-attention when `tgtMask` is nil.
    ///   - memoryIsCausal: Use a causal mask for the attention to the memory when `memoryMask` is nil.
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               srcKeyPaddingMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               srcIsCausal: Bool = false, tgtIsCausal: Bool = false, memoryIsCausal: Bool = false) -> Tensor {
        let bdim = batchFirst ? 0 : 1
        emberCheck(src.rank != 3 || tgt.rank != 3 || src.shape[bdim] == tgt.shape[bdim], "Transformer",
                   "the batch number of src and tgt must be equal (src \(shapeString(src.shape)), tgt \(shapeString(tgt.shape)))")
        emberCheck(src.shape.last == dModel && tgt.shape.last == dModel, "Transformer",
                   "the feature number of src and tgt must be equal to d_model (\(dModel)): src \(shapeString(src.shape)), tgt \(shapeString(tgt.shape))")
        let memory = encoder(src, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: srcIsCausal)
        return decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                       memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal)
    }

    /// The `[size, size]` float mask with −∞ above the diagonal and 0 elsewhere
    /// (`nn.Transformer.generate_square_subsequent_mask`).
    public static func generateSquareSubsequentMask(_ size: Int, dtype: DType = .float32) -> Tensor {
        causalFloatMask(size, size, dtype: dtype)
    }
}
