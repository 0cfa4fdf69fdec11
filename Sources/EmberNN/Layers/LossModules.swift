// Loss functions as modules (`nn.MSELoss`, `nn.CrossEntropyLoss`, ...), each forwarding to its `F` form.
import Ember

/// The base of loss modules: `loss(prediction, target)`.
///
/// Shape: `input` and `target` as the subclass's `F` form takes them; a 0-d tensor with `.mean`/`.sum` reduction, the elementwise shape with `.none`.
open class Loss: Module {
    public let reduction: F.Reduction
    public init(reduction: F.Reduction = .mean) { self.reduction = reduction }
    /// Computes the loss of `input` against `target`.
    open func loss(_ input: Tensor, _ target: Tensor) -> Tensor { emberFail(typeName, "loss(_:_:) is not implemented") }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { loss(input, target) }
}

/// Mean squared error (`nn.MSELoss`).
///
/// Shape: `input` `[*]`, `target` the same shape → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class MSELoss: Loss {
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.mseLoss(input, target, reduction: reduction) }
}
/// Mean absolute error (`nn.L1Loss`).
///
/// Shape: `input` `[*]`, `target` the same shape → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class L1Loss: Loss {
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.l1Loss(input, target, reduction: reduction) }
}
/// Smooth L1 (`nn.SmoothL1Loss`).
///
/// Shape: `input` `[*]`, `target` the same shape → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class SmoothL1Loss: Loss {
    public let beta: Double
    public init(reduction: F.Reduction = .mean, beta: Double = 1) { self.beta = beta; super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.smoothL1Loss(input, target, reduction: reduction, beta: beta) }
}
/// Huber loss (`nn.HuberLoss`).
///
/// Shape: `input` `[*]`, `target` the same shape → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class HuberLoss: Loss {
    public let delta: Double
    public init(reduction: F.Reduction = .mean, delta: Double = 1) { self.delta = delta; super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.huberLoss(input, target, reduction: reduction, delta: delta) }
}
/// Binary cross-entropy on probabilities (`nn.BCELoss`).
///
/// Shape: `input` `[*]` probabilities, `target` the same shape → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class BCELoss: Loss {
    @Buffer public var weight: Tensor?
    public init(weight: Tensor? = nil, reduction: F.Reduction = .mean) { self.weight = weight; super.init(reduction: reduction) }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.binaryCrossEntropy(input, target, weight: weight, reduction: reduction) }
}
/// Binary cross-entropy on logits, numerically stable (`nn.BCEWithLogitsLoss`).
///
/// Shape: `input` `[*]` logits, `target` the same shape; `posWeight` broadcasts over the last dim (classes) → `[]` (`.mean`, `.sum`) or `[*]` (`.none`).
public final class BCEWithLogitsLoss: Loss {
    /// Binary cross-entropy on logits.
    ///
    /// - Parameters:
    ///   - weight: A manual rescaling weight per class (or element); nil weighs all alike.
    ///   - posWeight: A weight of positive examples per class, broadcast over the last dimension (nil: 1).
    ///   - reduction: How the per-element losses are combined: `.mean`, `.sum` or `.none`.
    @Buffer public var weight: Tensor?
    @Buffer public var posWeight: Tensor?
    public init(weight: Tensor? = nil, posWeight: Tensor? = nil, reduction: F.Reduction = .mean) {
        self.weight = weight; self.posWeight = posWeight; super.init(reduction: reduction)
    }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        F.binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction)
    }
}
/// Cross-entropy of logits against class indices or probabilities (`nn.CrossEntropyLoss`): fused
/// log-softmax + NLL, with class weights, `ignoreIndex` and label smoothing.
///
/// Shape: `input` `[N, C]` or `[N, C, d1, ...]` logits (or `[C]` unbatched); `target` class indices `[N]`/`[N, d1, ...]` or probabilities shaped like `input` → `[]` (`.mean`, `.sum`) or `[N, d1, ...]` (`.none`).
///
/// ```swift
/// let lossFn = CrossEntropyLoss()
/// let l = lossFn(net(X), y)
/// ```
public final class CrossEntropyLoss: Loss {
    /// Class weights, registered as a buffer (in the state dict, as in PyTorch).
    @Buffer public var weight: Tensor?
    public let ignoreIndex: Int, labelSmoothing: Double
    /// Cross-entropy with PyTorch's options.
    ///
    /// - Parameters:
    ///   - weight: A manual rescaling weight per class (or element); nil weighs all alike.
    ///   - ignoreIndex: A target value that is ignored and does not contribute to the gradient.
    ///   - reduction: How the per-element losses are combined: `.mean`, `.sum` or `.none`.
    ///   - labelSmoothing: The share of the target mass spread uniformly over all classes, in [0, 1].
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: F.Reduction = .mean, labelSmoothing: Double = 0) {
        self.weight = weight; self.ignoreIndex = ignoreIndex; self.labelSmoothing = labelSmoothing
        super.init(reduction: reduction)
    }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor {
        F.crossEntropy(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: labelSmoothing)
    }
}
/// Negative log-likelihood of log-probabilities (`nn.NLLLoss`).
///
/// Shape: `input` `[N, C]` or `[N, C, d1, ...]` log-probabilities (or `[C]`); `target` class indices `[N]`/`[N, d1, ...]` → `[]` (`.mean`, `.sum`) or `[N, d1, ...]` (`.none`).
public final class NLLLoss: Loss {
    @Buffer public var weight: Tensor?
    public let ignoreIndex: Int
    /// Negative log-likelihood with PyTorch's options.
    ///
    /// - Parameters:
    ///   - weight: A manual rescaling weight per class (or element); nil weighs all alike.
    ///   - ignoreIndex: A target value that is ignored and does not contribute to the gradient.
    ///   - reduction: How the per-element losses are combined: `.mean`, `.sum` or `.none`.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: F.Reduction = .mean) {
        self.weight = weight; self.ignoreIndex = ignoreIndex; super.init(reduction: reduction)
    }
    public override func loss(_ input: Tensor, _ target: Tensor) -> Tensor { F.nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction) }
}
