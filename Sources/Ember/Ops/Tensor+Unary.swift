// Unary math and activations, each with its backward formula written in Tensor ops (so it is differentiable again).
import Foundation
import EmberKernels

extension Tensor {
    /// Applies a float map, promoting integer inputs to float32 and computing half types in float32.
    /// With `kernel`, float32 runs the vectorized kernel (`f32` is then unused: the kernel computes the
    /// same function to within a few ulp, and runs on strided inputs too, so a result never depends on layout).
    func unaryFloat(_ name: String, kernel: VectorMath.Unary? = nil, _ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
        let target: DType = dtype.isFloatingPoint ? dtype : .float32
        let src = to(target.computeType).detachedIfNeeded
        let out = kernel != nil && src.dtype == .float32 ? mapFloat32(src, kernel!) : mapFloat(src, name, f32, f64)
        return target == out.dtype ? out : out.to(target)
    }

    /// The fused float32 backward of relu/sigmoid/tanh when no graph is being built (`createGraph` keeps
    /// the composed Tensor formula, which is differentiable again); nil otherwise.
    static func fusedActivationBackward(_ op: VectorMath.Unary, _ g: Tensor, _ y: Tensor) -> Tensor? {
        if GradMode.isEnabled { return nil }
        return activationBackwardFloat32(op, g, y)
    }

    /// `e^x` (`torch.exp`).
    public func exp() -> Tensor {
        let out = unaryFloat("exp", kernel: .exp, { Foundation.expf($0) }, { Foundation.exp($0) })
        return record(out, "ExpBackward0", inputs: [self]) { g, y in [g * y] }
    }
    /// Natural logarithm (`torch.log`).
    public func log() -> Tensor {
        let out = unaryFloat("log", kernel: .log, { Foundation.logf($0) }, { Foundation.log($0) })
        let x = self
        return record(out, "LogBackward0", inputs: [self], saved: [self]) { g in [g / x] }
    }
    /// `log(1 + x)` (`torch.log1p`).
    public func log1p() -> Tensor {
        let out = unaryFloat("log1p", { Foundation.log1pf($0) }, { Foundation.log1p($0) })
        let x = self
        return record(out, "Log1PBackward0", inputs: [self], saved: [self]) { g in [g / (x + 1)] }
    }
    /// Square root (`torch.sqrt`).
    public func sqrt() -> Tensor {
        let out = unaryFloat("sqrt", kernel: .sqrt, { $0.squareRoot() }, { $0.squareRoot() })
        return record(out, "SqrtBackward0", inputs: [self]) { g, y in [g / (y * 2)] }
    }
    /// `1 / sqrt(x)` (`torch.rsqrt`).
    public func rsqrt() -> Tensor {
        let out = unaryFloat("rsqrt", { 1 / $0.squareRoot() }, { 1 / $0.squareRoot() })
        return record(out, "RsqrtBackward0", inputs: [self]) { g, y in [g * y * y * y * -0.5] }
    }
    /// Sine (`torch.sin`).
    public func sin() -> Tensor {
        let out = unaryFloat("sin", { Foundation.sinf($0) }, { Foundation.sin($0) })
        let x = self
        return record(out, "SinBackward0", inputs: [self], saved: [self]) { g in [g * x.cos()] }
    }
    /// Cosine (`torch.cos`).
    public func cos() -> Tensor {
        let out = unaryFloat("cos", { Foundation.cosf($0) }, { Foundation.cos($0) })
        let x = self
        return record(out, "CosBackward0", inputs: [self], saved: [self]) { g in [-g * x.sin()] }
    }
    /// Hyperbolic tangent (`torch.tanh`).
    public func tanh() -> Tensor {
        let out = unaryFloat("tanh", kernel: .tanh, { Foundation.tanhf($0) }, { Foundation.tanh($0) })
        return record(out, "TanhBackward0", inputs: [self]) { g, y in
            [Tensor.fusedActivationBackward(.tanh, g, y) ?? g * (1 - y * y)]
        }
    }
    /// Logistic sigmoid `1 / (1 + e^-x)` (`torch.sigmoid`).
    public func sigmoid() -> Tensor {
        let out = unaryFloat("sigmoid", kernel: .sigmoid, { 1 / (1 + Foundation.expf(-$0)) }, { 1 / (1 + Foundation.exp(-$0)) })
        return record(out, "SigmoidBackward0", inputs: [self]) { g, y in
            [Tensor.fusedActivationBackward(.sigmoid, g, y) ?? g * y * (1 - y)]
        }
    }
    /// Absolute value (`torch.abs`); integer dtypes stay integer.
    public func abs() -> Tensor {
        if !dtype.isFloatingPoint {
            checkNoGradNeeded("abs", self)
            return Tensor.maximum(self, -self)
        }
        let out = unaryFloat("abs", kernel: .abs, { Swift.abs($0) }, { Swift.abs($0) })
        let x = self
        return record(out, "AbsBackward0", inputs: [self], saved: [self]) { g in [g * x.sign()] }
    }
    /// -1, 0 or 1 by sign (`torch.sign`); its gradient is zero.
    public func sign() -> Tensor {
        let out = noGrad { (self.gt(Tensor(scalar: 0, dtype: dtype))).to(dtype) - (self.lt(Tensor(scalar: 0, dtype: dtype))).to(dtype) }
        return record(out, "SignBackward0", inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// `x * x` (`torch.square`).
    public func square() -> Tensor { self * self }
    /// `1 / x` (`torch.reciprocal`).
    public func reciprocal() -> Tensor { 1.0 / self }

    /// Rectified linear unit `Swift.max(x, 0)` (`torch.relu`); gradient 0 at 0 as in PyTorch.
    public func relu() -> Tensor {
        let out: Tensor
        if dtype.isFloatingPoint { out = unaryFloat("relu", kernel: .relu, { $0 < 0 ? 0 : $0 }, { $0 < 0 ? 0 : $0 }) }
        else { out = noGrad { Tensor.maximum(self, Tensor(scalar: 0, dtype: dtype)) } }
        return record(out, "ReluBackward0", inputs: [self]) { g, y in
            [Tensor.fusedActivationBackward(.relu, g, y)
                ?? Tensor.where(y.gt(Tensor(scalar: 0, dtype: y.dtype)), g, Tensor.zerosLike(g))]
        }
    }
    /// Leaky ReLU: `x` if positive, else `slope * x` (`F.leaky_relu`).
    public func leakyRelu(_ negativeSlope: Double = 0.01) -> Tensor {
        let s32 = Float(negativeSlope)
        let out = unaryFloat("leaky_relu", { $0 > 0 ? $0 : $0 * s32 }, { $0 > 0 ? $0 : $0 * negativeSlope })
        let x = self
        return record(out, "LeakyReluBackward0", inputs: [self], saved: [self]) { g in
            [Tensor.where(x.gt(0), g, g * negativeSlope)]
        }
    }
    /// Exponential linear unit: `x` if positive, else `alpha * (e^x - 1)` (`F.elu`).
    public func elu(alpha: Double = 1) -> Tensor {
        let a32 = Float(alpha)
        let out = unaryFloat("elu", { $0 > 0 ? $0 : a32 * Foundation.expm1f($0) }, { $0 > 0 ? $0 : alpha * Foundation.expm1($0) })
        let x = self
        return record(out, "EluBackward0", inputs: [self], saved: [self]) { g in
            [Tensor.where(x.gt(0), g, g * x.exp() * alpha)]
        }
    }
    /// `log(1 + e^(beta x)) / beta`, linear above `threshold` (`F.softplus`).
    public func softplus(beta: Double = 1, threshold: Double = 20) -> Tensor {
        let b32 = Float(beta), t32 = Float(threshold)
        let out = unaryFloat("softplus",
                             { $0 * b32 > t32 ? $0 : Foundation.log1pf(Foundation.expf($0 * b32)) / b32 },
                             { $0 * beta > threshold ? $0 : Foundation.log1p(Foundation.exp($0 * beta)) / beta })
        let x = self
        return record(out, "SoftplusBackward0", inputs: [self], saved: [self]) { g in
            [Tensor.where((x * beta).gt(threshold), g, g * (x * beta).sigmoid())]
        }
    }
    /// Sigmoid-weighted linear unit `x * sigmoid(x)` (`F.silu`).
    public func silu() -> Tensor {
        let out = unaryFloat("silu", { $0 / (1 + Foundation.expf(-$0)) }, { $0 / (1 + Foundation.exp(-$0)) })
        let x = self
        return record(out, "SiluBackward0", inputs: [self], saved: [self]) { g in
            let s = x.sigmoid()
            return [g * s * (1 + x * (1 - s))]
        }
    }
    /// Gaussian error linear unit, exact (erf) form by default or the tanh approximation (`F.gelu`).
    public func gelu(approximate: Bool = false) -> Tensor {
        let k: Double = 0.7978845608028654 // sqrt(2/pi)
        let out: Tensor
        if approximate {
            out = unaryFloat("gelu",
                             { 0.5 * $0 * (1 + Foundation.tanhf(Float(k) * ($0 + 0.044715 * $0 * $0 * $0))) },
                             { 0.5 * $0 * (1 + Foundation.tanh(k * ($0 + 0.044715 * $0 * $0 * $0))) })
        } else {
            out = unaryFloat("gelu", kernel: .gelu,
                             { 0.5 * $0 * (1 + Foundation.erff($0 * 0.70710678118654752)) },
                             { 0.5 * $0 * (1 + Foundation.erf($0 * 0.70710678118654752)) })
        }
        let x = self
        return record(out, "GeluBackward0", inputs: [self], saved: [self]) { g in
            if approximate {
                let inner = (x + x * x * x * 0.044715) * k
                let t = inner.tanh()
                let dinner = (1 + x * x * 0.134145) * k
                return [g * (0.5 * (1 + t) + x * 0.5 * (1 - t * t) * dinner)]
            }
            // One vectorized pass when no graph is built (the composed formula stays differentiable again).
            if !GradMode.isEnabled, let fused = geluBackwardFloat32(g, x) { return [fused] }
            let cdf = 0.5 * (1 + (x * 0.70710678118654752).erf())
            let pdf = (x * x * -0.5).exp() * 0.3989422804014327
            return [g * (cdf + x * pdf)]
        }
    }
    /// Gauss error function (`torch.erf`).
    public func erf() -> Tensor {
        let out = unaryFloat("erf", kernel: .erf, { Foundation.erff($0) }, { Foundation.erf($0) })
        let x = self
        return record(out, "ErfBackward0", inputs: [self], saved: [self]) { g in [g * (x * x * -1).exp() * 1.1283791670955126] }
    }

    /// Rounds down (`torch.floor`); not differentiable beyond a zero gradient.
    public func floor() -> Tensor {
        if !dtype.isFloatingPoint { return self }
        let out = unaryFloat("floor", { $0.rounded(.down) }, { $0.rounded(.down) })
        return record(out, "FloorBackward0", inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// Rounds up (`torch.ceil`).
    public func ceil() -> Tensor {
        if !dtype.isFloatingPoint { return self }
        let out = unaryFloat("ceil", { $0.rounded(.up) }, { $0.rounded(.up) })
        return record(out, "CeilBackward0", inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// Rounds half to even (`torch.round`).
    public func round() -> Tensor {
        if !dtype.isFloatingPoint { return self }
        let out = unaryFloat("round", { $0.rounded(.toNearestOrEven) }, { $0.rounded(.toNearestOrEven) })
        return record(out, "RoundBackward0", inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// True where the value is NaN (`torch.isnan`).
    public func isnan() -> Tensor { ne(self) }
}
