// Linear (fully connected) layer: y = x Wᵀ + b.
import Ember

/// Applies `y = x·Wᵀ + b` (`nn.Linear`), initialised like PyTorch: Kaiming-uniform weights with `a = √5`
/// (bound `1/√inFeatures`) and a bias uniform in the same bound, drawn weight first, then bias.
///
/// Shape: input `[*, inFeatures]` → output `[*, outFeatures]`; `weight` is `[outFeatures, inFeatures]`.
///
/// ```swift
/// let fc = Linear(784, 256)
/// let y = fc(x.flatten(1))      // [batch, 256]
/// ```
public final class Linear: Module {
    public let inFeatures: Int, outFeatures: Int
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    /// A linear layer initialised like PyTorch's.
    ///
    /// - Parameters:
    ///   - inFeatures: The size of each input sample (the last dimension).
    ///   - outFeatures: The size of each output sample.
    ///   - bias: Whether the layer adds a learnable bias.
    ///   - dtype: The element type of the weights.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Tensor.empty([outFeatures, inFeatures], dtype: dtype)
        self.bias = bias ? Tensor.empty([outFeatures], dtype: dtype) : nil
        super.init()
        Init.defaultLayerInit(weight: weight, bias: self.bias)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        emberCheck(input.shape.last == inFeatures, "linear", "mat1 and mat2 shapes cannot be multiplied (\(input.shape.dropLast().reduce(1, *))x\(input.shape.last ?? 0) and \(inFeatures)x\(outFeatures))")
        return F.linear(input, weight, bias: bias)
    }
    public override var extraDescription: String { "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias != nil ? "True" : "False")" }
}
