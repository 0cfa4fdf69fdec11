// Adam and AdamW (`torch.optim.Adam`, `torch.optim.AdamW`), including AMSGrad.
import Ember

/// Adam, computed like PyTorch's single-tensor CPU path: `m.lerp(g, 1−β1)`, `v = β2·v + (1−β2)·g²`,
/// `p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)`; AMSGrad uses the running max of `v`. Weight decay is
/// L2 (added to the gradient); `AdamW` decays the weights directly instead.
///
/// ```swift
/// let opt = Adam(net.parameters(), lr: 1e-3)
/// ```
public class Adam: Optimizer {
    /// Adam's options (PyTorch's `lr`, `betas`, `eps`, `weight_decay`, `amsgrad`, `maximize`); AdamW uses the
    /// same fields with a default weight decay of 0.01.
    public struct Options: OptimizerOptions {
        public var lr: Double
        public var betas: (Double, Double)
        public var eps: Double
        public var weightDecay: Double
        public var amsgrad: Bool
        public var maximize: Bool

        /// Options with PyTorch's defaults for `Adam`.
        ///
        /// - Parameters:
        ///   - lr: The learning rate, ≥ 0.
        ///   - betas: Decay rates of the first and second moment estimates, each in [0, 1).
        ///   - eps: Added to the denominator, ≥ 0.
        ///   - weightDecay: L2 penalty (Adam) or decoupled decay (AdamW), ≥ 0.
        ///   - amsgrad: Use the running maximum of the second moment (AMSGrad).
        ///   - maximize: Ascend the objective instead of descending it.
        public init(lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                    weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
            self.lr = lr
            self.betas = betas
            self.eps = eps
            self.weightDecay = weightDecay
            self.amsgrad = amsgrad
            self.maximize = maximize
        }

        public static var fields: [OptionField<Options>] {
            [.number("lr", \.lr), .pair("betas", \.betas), .number("eps", \.eps), .number("weight_decay", \.weightDecay),
             .flag("amsgrad", \.amsgrad), .flag("maximize", \.maximize)]
        }

        public func validate() {
            checkHyper(lr >= 0, "learning rate", lr)
            checkHyper(eps >= 0, "epsilon value", eps)
            checkHyper(betas.0 >= 0 && betas.0 < 1, "beta parameter at index 0", betas.0)
            checkHyper(betas.1 >= 0 && betas.1 < 1, "beta parameter at index 1", betas.1)
            checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        }
    }

    /// True for AdamW's decoupled weight decay.
    let decoupled: Bool

    /// Adam over `params` (`torch.optim.Adam`).
    ///
    /// - Parameters:
    ///   - params: The tensors to optimize.
    ///   - lr: The learning rate, ≥ 0.
    ///   - betas: Decay rates of the moment estimates, each in [0, 1).
    ///   - eps: Added to the denominator, ≥ 0.
    ///   - weightDecay: L2 penalty added to the gradient, ≥ 0.
    ///   - amsgrad: Use AMSGrad.
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], options: Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                                                         amsgrad: amsgrad, maximize: maximize))
    }

    /// Adam over parameter groups; each group's keys override these defaults.
    ///
    /// - Parameters:
    ///   - groups: The parameter groups.
    ///   - lr: The default learning rate, ≥ 0.
    ///   - betas: The default moment decay rates, each in [0, 1).
    ///   - eps: The default denominator term, ≥ 0.
    ///   - weightDecay: The default L2 penalty, ≥ 0.
    ///   - amsgrad: Use AMSGrad by default.
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(groups, options: Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize))
    }

    /// Adam over `params` with typed options.
    public convenience init(_ params: [Tensor], options: Options) {
        self.init([ParamGroup(params)], options: options)
    }

    /// Adam over parameter groups with typed default options.
    public convenience init(_ groups: [ParamGroup], options: Options) {
        self.init(groups, options: options, decoupled: false)
    }

    init(_ groups: [ParamGroup], options: Options, decoupled: Bool) {
        self.decoupled = decoupled
        super.init(groups: groups, defaults: options)
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let o = group.options(as: Options.self)
        let lr = o.lr, (beta1, beta2) = o.betas
        // PyTorch's `_single_tensor_adam`, op for op, so each step rounds as PyTorch's does (its float32 sqrt
        // is MKL's, which can differ from a correctly rounded one in the last bit).
        let m = state.tensors["exp_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["exp_avg"] = t; return t }()
        let v = state.tensors["exp_avg_sq"] ?? { let t = Tensor.zerosLike(p); state.tensors["exp_avg_sq"] = t; return t }()
        let t = Double(state.step)
        let bc1 = 1 - Foundation_pow(beta1, t), bc2 = 1 - Foundation_pow(beta2, t)
        let stepSize = lr / bc1
        let bc2Sqrt = bc2.squareRoot()
        // The common case (float32, no AMSGrad, not maximizing) in one pass with the same rounding as the ops below.
        if !o.amsgrad && !o.maximize,
           p.adamUpdate_(expAvg: m, expAvgSq: v, gradient: grad, beta1: beta1, beta2: beta2, eps: o.eps, stepSize: stepSize,
                         biasCorrection2Sqrt: bc2Sqrt, l2Penalty: decoupled ? 0 : o.weightDecay,
                         decayFactor: decoupled && o.weightDecay != 0 ? 1 - lr * o.weightDecay : 1) { return }
        var g = o.maximize ? -grad : grad
        if o.weightDecay != 0 {
            if decoupled { p.mul_(1 - lr * o.weightDecay) } else { g = g.add(p, alpha: o.weightDecay) }
        }
        m.lerp_(g, weight: 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value: 1 - beta2)
        var second = v
        if o.amsgrad {
            let vmax = state.tensors["max_exp_avg_sq"] ?? { let t = Tensor.zerosLike(p); state.tensors["max_exp_avg_sq"] = t; return t }()
            vmax.copy_(Tensor.maximum(vmax, v))
            second = vmax
        }
        let denom = second.sqrt() / bc2Sqrt
        denom += o.eps
        p.addcdiv_(m, denom, value: -stepSize)
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`): `p *= 1 − lr·wd` before the Adam step. Default `weightDecay` 0.01.
/// Its options are `Adam.Options` (`AdamW.Options` names the same type).
public final class AdamW: Adam {
    /// AdamW over `params` (`torch.optim.AdamW`).
    ///
    /// - Parameters:
    ///   - params: The tensors to optimize.
    ///   - lr: The learning rate, ≥ 0.
    ///   - betas: Decay rates of the moment estimates, each in [0, 1).
    ///   - eps: Added to the denominator, ≥ 0.
    ///   - weightDecay: Decoupled weight decay, ≥ 0 (default 0.01).
    ///   - amsgrad: Use AMSGrad.
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }

    /// AdamW over parameter groups; each group's keys override these defaults.
    ///
    /// - Parameters:
    ///   - groups: The parameter groups.
    ///   - lr: The default learning rate, ≥ 0.
    ///   - betas: The default moment decay rates, each in [0, 1).
    ///   - eps: The default denominator term, ≥ 0.
    ///   - weightDecay: The default decoupled weight decay, ≥ 0 (0.01).
    ///   - amsgrad: Use AMSGrad by default.
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(groups, options: Options(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize))
    }

    /// AdamW over `params` with typed options (build them with `AdamW.defaultOptions` to start from weight decay 0.01).
    public convenience init(_ params: [Tensor], options: Options) {
        self.init([ParamGroup(params)], options: options)
    }

    /// AdamW over parameter groups with typed default options.
    public init(_ groups: [ParamGroup], options: Options) {
        super.init(groups, options: options, decoupled: true)
    }

    /// PyTorch's AdamW defaults (`weightDecay` 0.01).
    public static var defaultOptions: Options { Options(weightDecay: 1e-2) }
}
