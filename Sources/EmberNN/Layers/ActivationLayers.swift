// Activation functions as modules (ReLU, Sigmoid, Tanh, GELU, LeakyReLU, ELU, Softplus, SiLU, Softmax, LogSoftmax).
import Ember

/// `max(x, 0)` (`nn.ReLU`).
///
/// `inplace: true` prints as `ReLU(inplace=True)` (torchvision's models use it); unlike PyTorch, the result is
/// still a new tensor, so the input is never overwritten (same values, autograd-safe).
///
/// Shape: any shape `[*]` → the same shape.
public final class ReLU: Module {
    public let inplace: Bool
    public init(inplace: Bool = false) { self.inplace = inplace }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
    public override var extraDescription: String { inplace ? "inplace=True" : "" }
}
/// `1 / (1 + e^-x)` (`nn.Sigmoid`).
///
/// Shape: any shape `[*]` → the same shape.
public final class Sigmoid: Module {
    public override init() {}
    public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}
/// Hyperbolic tangent (`nn.Tanh`).
///
/// Shape: any shape `[*]` → the same shape.
public final class Tanh: Module {
    public override init() {}
    public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}
/// Gaussian error linear unit (`nn.GELU`); `approximate: true` is PyTorch's `approximate='tanh'`.
///
/// Shape: any shape `[*]` → the same shape.
public final class GELU: Module {
    public let approximate: Bool
    public init(approximate: Bool = false) { self.approximate = approximate }
    public override func forward(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
    public override var extraDescription: String { "approximate='\(approximate ? "tanh" : "none")'" }
}
/// Leaky ReLU (`nn.LeakyReLU`).
///
/// Shape: any shape `[*]` → the same shape.
public final class LeakyReLU: Module {
    public let negativeSlope: Double
    public init(_ negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    public override func forward(_ x: Tensor) -> Tensor { x.leakyRelu(negativeSlope) }
    public override var extraDescription: String { "negative_slope=\(negativeSlope)" }
}
/// Exponential linear unit (`nn.ELU`).
///
/// Shape: any shape `[*]` → the same shape.
public final class ELU: Module {
    public let alpha: Double
    public init(alpha: Double = 1) { self.alpha = alpha }
    public override func forward(_ x: Tensor) -> Tensor { x.elu(alpha: alpha) }
    public override var extraDescription: String { "alpha=\(alpha)" }
}
/// Smooth ReLU `log(1 + e^(βx))/β` (`nn.Softplus`).
///
/// Shape: any shape `[*]` → the same shape.
public final class Softplus: Module {
    public let beta: Double, threshold: Double
    public init(beta: Double = 1, threshold: Double = 20) { self.beta = beta; self.threshold = threshold }
    public override func forward(_ x: Tensor) -> Tensor { x.softplus(beta: beta, threshold: threshold) }
    public override var extraDescription: String { "beta=\(beta), threshold=\(threshold)" }
}
/// `x · sigmoid(x)` (`nn.SiLU`).
///
/// Shape: any shape `[*]` → the same shape.
public final class SiLU: Module {
    public override init() {}
    public override func forward(_ x: Tensor) -> Tensor { x.silu() }
}
/// Softmax along `dim` (`nn.Softmax`).
///
/// Shape: any shape `[*]` → the same shape; each slice along `dim` sums to 1.
public final class Softmax: Module {
    public let dim: Int
    public init(dim: Int) { self.dim = dim }
    public override func forward(_ x: Tensor) -> Tensor { x.softmax(dim: dim) }
    public override var extraDescription: String { "dim=\(dim)" }
}
/// Log-softmax along `dim` (`nn.LogSoftmax`).
///
/// Shape: any shape `[*]` → the same shape.
public final class LogSoftmax: Module {
    public let dim: Int
    public init(dim: Int) { self.dim = dim }
    public override func forward(_ x: Tensor) -> Tensor { x.logSoftmax(dim: dim) }
    public override var extraDescription: String { "dim=\(dim)" }
}
