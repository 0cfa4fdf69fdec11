// Dropout and Embedding layers.
import Ember

/// Zeroes elements with probability `p` in training and scales the rest by `1/(1−p)` (`nn.Dropout`);
/// the identity in eval mode. Masks come from the seedable default generator.
///
/// Shape: any shape `[*]` → the same shape.
public final class Dropout: Module {
    public let p: Double
    public init(_ p: Double = 0.5) {
        emberCheck(p >= 0 && p <= 1, "Dropout", "dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
    }
    public override func forward(_ x: Tensor) -> Tensor { F.dropout(x, p: p, training: training) }
    public override var extraDescription: String { "p=\(p), inplace=False" }
}

/// A lookup table of `numEmbeddings` vectors of size `embeddingDim` (`nn.Embedding`), initialised N(0, 1);
/// the `paddingIdx` row starts at zero and gets no gradient.
///
/// Shape: integer indices `[*]` → `[*, embeddingDim]`.
public final class Embedding: Module {
    public let numEmbeddings: Int, embeddingDim: Int, paddingIdx: Int?
    @Parameter public var weight: Tensor
    /// An embedding table initialised from N(0, 1), as PyTorch's.
    ///
    /// - Parameters:
    ///   - numEmbeddings: The size of the dictionary (the number of rows).
    ///   - embeddingDim: The size of each embedding vector.
    ///   - paddingIdx: A row that starts at zero and gets no gradient (nil: none).
    ///   - dtype: The element type of the weights.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, dtype: DType = .float32) {
        self.numEmbeddings = numEmbeddings; self.embeddingDim = embeddingDim
        self.paddingIdx = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        weight = Tensor.randn([numEmbeddings, embeddingDim], dtype: dtype)
        super.init()
        if let p = self.paddingIdx { noGrad { _ = weight.select(0, p).fill_(0) } }
    }
    public override func forward(_ indices: Tensor) -> Tensor { F.embedding(indices, weight, paddingIdx: paddingIdx) }
    public override var extraDescription: String { "\(numEmbeddings), \(embeddingDim)" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "") }
}
