// SGD with momentum, dampening, Nesterov and weight decay (`torch.optim.SGD`).
import Ember

/// Stochastic gradient descent, step for step like `torch.optim.SGD`:
/// `d = g + wd·p`; with momentum `buf = momentum·buf + (1 − dampening)·d` (the first step copies `d`),
/// Nesterov uses `d + momentum·buf`; then `p −= lr·d`.
///
/// ```swift
/// let opt = SGD(net.parameters(), lr: 0.1, momentum: 0.9)
/// opt.zeroGrad(); loss.backward(); opt.step()
/// ```
public final class SGD: Optimizer {
    /// SGD's options (PyTorch's `lr`, `momentum`, `dampening`, `weight_decay`, `nesterov`, `maximize`).
    public struct Options: OptimizerOptions {
        public var lr: Double
        public var momentum: Double
        public var dampening: Double
        public var weightDecay: Double
        public var nesterov: Bool
        public var maximize: Bool

        /// Options with PyTorch's defaults (except `lr`, which PyTorch requires and Ember defaults to 1e-3).
        ///
        /// - Parameters:
        ///   - lr: The learning rate, ≥ 0.
        ///   - momentum: The momentum factor, ≥ 0 (0: plain SGD).
        ///   - dampening: Dampening of the momentum buffer's update.
        ///   - weightDecay: L2 penalty added to the gradient, ≥ 0.
        ///   - nesterov: Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
        ///   - maximize: Ascend the objective instead of descending it.
        public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                    nesterov: Bool = false, maximize: Bool = false) {
            self.lr = lr
            self.momentum = momentum
            self.dampening = dampening
            self.weightDecay = weightDecay
            self.nesterov = nesterov
            self.maximize = maximize
        }

        public static var fields: [OptionField<Options>] {
            [.number("lr", \.lr), .number("momentum", \.momentum), .number("dampening", \.dampening),
             .number("weight_decay", \.weightDecay), .flag("nesterov", \.nesterov), .flag("maximize", \.maximize)]
        }

        public func validate() {
            checkHyper(lr >= 0, "learning rate", lr)
            checkHyper(momentum >= 0, "momentum value", momentum)
            checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
            emberCheck(!nesterov || (momentum > 0 && dampening == 0), "SGD", "Nesterov momentum requires a momentum and zero dampening")
        }
    }

    /// SGD over `params` (`torch.optim.SGD(params, lr=..., momentum=...)`).
    ///
    /// - Parameters:
    ///   - params: The tensors to optimize (leaves, usually `model.parameters()`).
    ///   - lr: The learning rate, ≥ 0.
    ///   - momentum: The momentum factor, ≥ 0.
    ///   - dampening: Dampening of the momentum buffer's update.
    ///   - weightDecay: L2 penalty added to the gradient, ≥ 0.
    ///   - nesterov: Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], options: Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                                                         nesterov: nesterov, maximize: maximize))
    }

    /// SGD over parameter groups; each group's keys override these defaults.
    ///
    /// - Parameters:
    ///   - groups: The parameter groups (`ParamGroup([w], ["weight_decay": .number(1e-4)])`).
    ///   - lr: The default learning rate, ≥ 0.
    ///   - momentum: The default momentum factor, ≥ 0.
    ///   - dampening: The default dampening.
    ///   - weightDecay: The default L2 penalty, ≥ 0.
    ///   - nesterov: Nesterov momentum by default.
    ///   - maximize: Ascend the objective instead of descending it.
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init(groups, options: Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                                           nesterov: nesterov, maximize: maximize))
    }

    /// SGD over `params` with typed options.
    public convenience init(_ params: [Tensor], options: Options) {
        self.init([ParamGroup(params)], options: options)
    }

    /// SGD over parameter groups with typed default options.
    public init(_ groups: [ParamGroup], options: Options) {
        super.init(groups: groups, defaults: options)
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let o = group.options(as: Options.self)
        // PyTorch's `_single_tensor_sgd`, op for op, so each step rounds as PyTorch's does.
        var d = o.maximize ? -grad : grad
        if o.weightDecay != 0 { d = d.add(p, alpha: o.weightDecay) }
        if o.momentum != 0 {
            let buf: Tensor
            if let b = state.tensors["momentum_buffer"] {
                // The common case (float32, no Nesterov) in one pass with the same rounding as the ops below.
                if !o.nesterov, p.sgdMomentumUpdate_(buffer: b, gradient: d, momentum: o.momentum,
                                                     gradScale: 1 - o.dampening, lr: o.lr) { return }
                b.mul_(o.momentum).add_(d, alpha: 1 - o.dampening)
                buf = b
            } else {
                buf = d.clone()
                state.tensors["momentum_buffer"] = buf
            }
            d = o.nesterov ? d.add(buf, alpha: o.momentum) : buf
        }
        p.add_(d, alpha: -o.lr)
    }
}
