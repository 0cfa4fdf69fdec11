// RMSprop (centered, momentum) and Adagrad (`torch.optim.RMSprop`, `torch.optim.Adagrad`).
import Foundation
import Ember

/// RMSprop like PyTorch: `sq = α·sq + (1−α)·g²`; centered subtracts the squared running mean of `g`;
/// `avg = √sq + eps`; with momentum `buf = μ·buf + g/avg`, `p −= lr·buf`, else `p −= lr·g/avg`.
///
/// ```swift
/// let opt = RMSprop(net.parameters(), lr: 1e-2, momentum: 0.9)
/// ```
public final class RMSprop: Optimizer {
    /// RMSprop's options (PyTorch's `lr`, `alpha`, `eps`, `weight_decay`, `momentum`, `centered`).
    public struct Options: OptimizerOptions {
        public var lr: Double
        public var alpha: Double
        public var eps: Double
        public var weightDecay: Double
        public var momentum: Double
        public var centered: Bool

        /// Options with PyTorch's defaults.
        ///
        /// - Parameters:
        ///   - lr: The learning rate, ≥ 0.
        ///   - alpha: Smoothing constant of the squared-gradient average, ≥ 0.
        ///   - eps: Added to the denominator, ≥ 0.
        ///   - weightDecay: L2 penalty added to the gradient, ≥ 0.
        ///   - momentum: The momentum factor, ≥ 0.
        ///   - centered: Normalize by the estimated variance of the gradient.
        public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
                    momentum: Double = 0, centered: Bool = false) {
            self.lr = lr
            self.alpha = alpha
            self.eps = eps
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.centered = centered
        }

        public static var fields: [OptionField<Options>] {
            [.number("lr", \.lr), .number("alpha", \.alpha), .number("eps", \.eps), .number("weight_decay", \.weightDecay),
             .number("momentum", \.momentum), .flag("centered", \.centered)]
        }

        public func validate() {
            checkHyper(lr >= 0, "learning rate", lr)
            checkHyper(eps >= 0, "epsilon value", eps)
            checkHyper(momentum >= 0, "momentum value", momentum)
            checkHyper(alpha >= 0, "alpha value", alpha)
            checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        }
    }

    /// RMSprop over `params` (`torch.optim.RMSprop`).
    ///
    /// - Parameters:
    ///   - params: The tensors to optimize.
    ///   - lr: The learning rate, ≥ 0.
    ///   - alpha: Smoothing constant, ≥ 0.
    ///   - eps: Added to the denominator, ≥ 0.
    ///   - weightDecay: L2 penalty, ≥ 0.
    ///   - momentum: The momentum factor, ≥ 0.
    ///   - centered: Normalize by the estimated variance of the gradient.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered)
    }

    /// RMSprop over parameter groups; each group's keys override these defaults.
    ///
    /// - Parameters:
    ///   - groups: The parameter groups.
    ///   - lr: The default learning rate, ≥ 0.
    ///   - alpha: The default smoothing constant, ≥ 0.
    ///   - eps: The default denominator term, ≥ 0.
    ///   - weightDecay: The default L2 penalty, ≥ 0.
    ///   - momentum: The default momentum factor, ≥ 0.
    ///   - centered: Centered by default.
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init(groups, options: Options(lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered))
    }

    /// RMSprop over `params` with typed options.
    public convenience init(_ params: [Tensor], options: Options) {
        self.init([ParamGroup(params)], options: options)
    }

    /// RMSprop over parameter groups with typed default options.
    public init(_ groups: [ParamGroup], options: Options) {
        super.init(groups: groups, defaults: options)
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let o = group.options(as: Options.self)
        // PyTorch's `_single_tensor_rmsprop`, op for op, so each step rounds as PyTorch's does.
        let g = o.weightDecay != 0 ? grad.add(p, alpha: o.weightDecay) : grad
        let sq = state.tensors["square_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["square_avg"] = t; return t }()
        sq.mul_(o.alpha).addcmul_(g, g, value: 1 - o.alpha)
        let avg: Tensor
        if o.centered {
            let ga = state.tensors["grad_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["grad_avg"] = t; return t }()
            ga.lerp_(g, weight: 1 - o.alpha)
            avg = sq.addcmul(ga, ga, value: -1).sqrt()
        } else {
            avg = sq.sqrt()
        }
        avg += o.eps
        if o.momentum > 0 {
            let buf = state.tensors["momentum_buffer"] ?? { let t = Tensor.zerosLike(p); state.tensors["momentum_buffer"] = t; return t }()
            buf.mul_(o.momentum).addcdiv_(g, avg)
            p.add_(buf, alpha: -o.lr)
        } else {
            p.addcdiv_(g, avg, value: -o.lr)
        }
    }
}

/// Adagrad like PyTorch: `sum += g²`, `p −= clr · g / (√sum + eps)` with `clr = lr / (1 + (t−1)·lrDecay)`.
///
/// ```swift
/// let opt = Adagrad(net.parameters(), lr: 0.1)
/// ```
public final class Adagrad: Optimizer {
    /// Adagrad's options (PyTorch's `lr`, `lr_decay`, `weight_decay`, `initial_accumulator_value`, `eps`).
    public struct Options: OptimizerOptions {
        public var lr: Double
        public var lrDecay: Double
        public var weightDecay: Double
        public var initialAccumulatorValue: Double
        public var eps: Double

        /// Options with PyTorch's defaults.
        ///
        /// - Parameters:
        ///   - lr: The learning rate, ≥ 0.
        ///   - lrDecay: Learning-rate decay per step, ≥ 0.
        ///   - weightDecay: L2 penalty added to the gradient, ≥ 0.
        ///   - initialAccumulatorValue: Starting value of the squared-gradient sums, ≥ 0.
        ///   - eps: Added to the denominator, ≥ 0.
        public init(lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0, initialAccumulatorValue: Double = 0,
                    eps: Double = 1e-10) {
            self.lr = lr
            self.lrDecay = lrDecay
            self.weightDecay = weightDecay
            self.initialAccumulatorValue = initialAccumulatorValue
            self.eps = eps
        }

        public static var fields: [OptionField<Options>] {
            [.number("lr", \.lr), .number("lr_decay", \.lrDecay), .number("weight_decay", \.weightDecay),
             .number("initial_accumulator_value", \.initialAccumulatorValue), .number("eps", \.eps)]
        }

        public func validate() {
            checkHyper(lr >= 0, "learning rate", lr)
            checkHyper(lrDecay >= 0, "lr_decay value", lrDecay)
            checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
            checkHyper(initialAccumulatorValue >= 0, "initial_accumulator_value value", initialAccumulatorValue)
            checkHyper(eps >= 0, "epsilon value", eps)
        }
    }

    /// Adagrad over `params` (`torch.optim.Adagrad`).
    ///
    /// - Parameters:
    ///   - params: The tensors to optimize.
    ///   - lr: The learning rate, ≥ 0.
    ///   - lrDecay: Learning-rate decay per step, ≥ 0.
    ///   - weightDecay: L2 penalty, ≥ 0.
    ///   - initialAccumulatorValue: Starting value of the squared-gradient sums, ≥ 0.
    ///   - eps: Added to the denominator, ≥ 0.
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                            initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init([ParamGroup(params)], lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }

    /// Adagrad over parameter groups; each group's keys override these defaults.
    ///
    /// - Parameters:
    ///   - groups: The parameter groups.
    ///   - lr: The default learning rate, ≥ 0.
    ///   - lrDecay: The default learning-rate decay, ≥ 0.
    ///   - weightDecay: The default L2 penalty, ≥ 0.
    ///   - initialAccumulatorValue: The default starting sums, ≥ 0.
    ///   - eps: The default denominator term, ≥ 0.
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                            initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init(groups, options: Options(lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                                           initialAccumulatorValue: initialAccumulatorValue, eps: eps))
    }

    /// Adagrad over `params` with typed options.
    public convenience init(_ params: [Tensor], options: Options) {
        self.init([ParamGroup(params)], options: options)
    }

    /// Adagrad over parameter groups with typed default options.
    public init(_ groups: [ParamGroup], options: Options) {
        super.init(groups: groups, defaults: options)
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let o = group.options(as: Options.self)
        // PyTorch's `_single_tensor_adagrad`, op for op.
        let g = o.weightDecay != 0 ? grad.add(p, alpha: o.weightDecay) : grad
        let sum = state.tensors["sum"] ?? {
            let t = Tensor.fullLike(p, o.initialAccumulatorValue)
            state.tensors["sum"] = t
            return t
        }()
        let clr = o.lr / (1 + Double(state.step - 1) * o.lrDecay)
        sum.addcmul_(g, g, value: 1)
        let std = sum.sqrt()
        std += o.eps
        p.addcdiv_(g, std, value: -clr)
    }
}
