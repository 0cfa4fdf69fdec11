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
    /// True for AdamW's decoupled weight decay.
    let decoupled: Bool

    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false, decoupled: Bool = false) {
        checkHyper(lr >= 0, "learning rate", lr)
        checkHyper(eps >= 0, "epsilon value", eps)
        checkHyper(betas.0 >= 0 && betas.0 < 1, "beta parameter at index 0", betas.0)
        checkHyper(betas.1 >= 0 && betas.1 < 1, "beta parameter at index 1", betas.1)
        checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        self.decoupled = decoupled
        super.init(groups: groups, defaults: ["lr": .number(lr), "betas": .pair(betas.0, betas.1), "eps": .number(eps),
                                              "weight_decay": .number(weightDecay), "amsgrad": .flag(amsgrad), "maximize": .flag(maximize)])
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        let lr = group.lr, (beta1, beta2) = group["betas"]!.pair, eps = group["eps"]!.double
        let wd = group["weight_decay"]!.double
        // PyTorch's `_single_tensor_adam`, op for op, so each step rounds as PyTorch's does (its float32 sqrt
        // is MKL's, which can differ from a correctly rounded one in the last bit).
        var g = group["maximize"]!.bool ? -grad : grad
        if wd != 0 {
            if decoupled { p.mul_(1 - lr * wd) } else { g = g.add(p, alpha: wd) }
        }
        let m = state.tensors["exp_avg"] ?? { let t = Tensor.zerosLike(p); state.tensors["exp_avg"] = t; return t }()
        let v = state.tensors["exp_avg_sq"] ?? { let t = Tensor.zerosLike(p); state.tensors["exp_avg_sq"] = t; return t }()
        m.lerp_(g, weight: 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value: 1 - beta2)
        let t = Double(state.step)
        let bc1 = 1 - Foundation_pow(beta1, t), bc2 = 1 - Foundation_pow(beta2, t)
        let stepSize = lr / bc1
        let bc2Sqrt = bc2.squareRoot()
        var second = v
        if group["amsgrad"]!.bool {
            let vmax = state.tensors["max_exp_avg_sq"] ?? { let t = Tensor.zerosLike(p); state.tensors["max_exp_avg_sq"] = t; return t }()
            vmax.copy_(Tensor.maximum(vmax, v))
            second = vmax
        }
        let denom = second.sqrt() / bc2Sqrt
        denom += eps
        p.addcdiv_(m, denom, value: -stepSize)
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`): `p *= 1 − lr·wd` before the Adam step. Default `weightDecay` 0.01.
public final class AdamW: Adam {
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
    }
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize, decoupled: true)
    }
}
