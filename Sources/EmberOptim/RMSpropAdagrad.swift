// RMSprop (centered, momentum) and Adagrad (`torch.optim.RMSprop`, `torch.optim.Adagrad`).
import Foundation
import Ember

/// RMSprop like PyTorch: `sq = α·sq + (1−α)·g²`; centered subtracts the squared running mean of `g`;
/// `avg = √sq + eps`; with momentum `buf = μ·buf + g/avg`, `p −= lr·buf`, else `p −= lr·g/avg`.
public final class RMSprop: Optimizer {
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered)
    }
    public init(_ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        checkHyper(lr >= 0, "learning rate", lr)
        checkHyper(eps >= 0, "epsilon value", eps)
        checkHyper(momentum >= 0, "momentum value", momentum)
        checkHyper(alpha >= 0, "alpha value", alpha)
        checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        super.init(groups: groups, defaults: ["lr": .number(lr), "alpha": .number(alpha), "eps": .number(eps),
                                              "weight_decay": .number(weightDecay), "momentum": .number(momentum), "centered": .flag(centered)])
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let lr = group.lr, alpha = group["alpha"]!.double, eps = group["eps"]!.double
        let wd = group["weight_decay"]!.double, momentum = group["momentum"]!.double
        // PyTorch's `_single_tensor_rmsprop`, op for op, so each step rounds as PyTorch's does.
        let g = wd != 0 ? grad.add(p, alpha: wd) : grad
        let sq = state.tensors["square_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["square_avg"] = t; return t }()
        sq.mul_(alpha).addcmul_(g, g, value: 1 - alpha)
        let avg: Tensor
        if group["centered"]!.bool {
            let ga = state.tensors["grad_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["grad_avg"] = t; return t }()
            ga.lerp_(g, weight: 1 - alpha)
            avg = sq.addcmul(ga, ga, value: -1).sqrt()
        } else {
            avg = sq.sqrt()
        }
        avg += eps
        if momentum > 0 {
            let buf = state.tensors["momentum_buffer"] ?? { let t = Tensor.zerosLike(p); state.tensors["momentum_buffer"] = t; return t }()
            buf.mul_(momentum).addcdiv_(g, avg)
            p.add_(buf, alpha: -lr)
        } else {
            p.addcdiv_(g, avg, value: -lr)
        }
    }
}

/// Adagrad like PyTorch: `sum += g²`, `p −= clr · g / (√sum + eps)` with `clr = lr / (1 + (t−1)·lrDecay)`.
public final class Adagrad: Optimizer {
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                            initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        self.init([ParamGroup(params)], lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }
    public init(_ groups: [ParamGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, eps: Double = 1e-10) {
        checkHyper(lr >= 0, "learning rate", lr)
        checkHyper(lrDecay >= 0, "lr_decay value", lrDecay)
        checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        checkHyper(initialAccumulatorValue >= 0, "initial_accumulator_value value", initialAccumulatorValue)
        checkHyper(eps >= 0, "epsilon value", eps)
        super.init(groups: groups, defaults: ["lr": .number(lr), "lr_decay": .number(lrDecay), "weight_decay": .number(weightDecay),
                                              "initial_accumulator_value": .number(initialAccumulatorValue), "eps": .number(eps)])
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let lr = group.lr, decay = group["lr_decay"]!.double, wd = group["weight_decay"]!.double, eps = group["eps"]!.double
        // PyTorch's `_single_tensor_adagrad`, op for op.
        let g = wd != 0 ? grad.add(p, alpha: wd) : grad
        let sum = state.tensors["sum"] ?? {
            let t = Tensor.fullLike(p, group["initial_accumulator_value"]!.double)
            state.tensors["sum"] = t
            return t
        }()
        let clr = lr / (1 + Double(state.step - 1) * decay)
        sum.addcmul_(g, g, value: 1)
        let std = sum.sqrt()
        std += eps
        p.addcdiv_(g, std, value: -clr)
    }
}
