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
    public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in encoderLayer.copy() })
        self.norm = norm
    }
    /// Runs every layer in turn, then the norm.
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
    public init(_ decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in decoderLayer.copy() })
        self.norm = norm
    }
    /// Runs every layer over `tgt` attending to `memory`, then the norm.
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
