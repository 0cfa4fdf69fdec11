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
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params)], lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                  nesterov: nesterov, maximize: maximize)
    }
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        checkHyper(lr >= 0, "learning rate", lr)
        checkHyper(momentum >= 0, "momentum value", momentum)
        checkHyper(weightDecay >= 0, "weight_decay value", weightDecay)
        emberCheck(!nesterov || (momentum > 0 && dampening == 0), "SGD", "Nesterov momentum requires a momentum and zero dampening")
        super.init(groups: groups, defaults: ["lr": .number(lr), "momentum": .number(momentum), "dampening": .number(dampening),
                                              "weight_decay": .number(weightDecay), "nesterov": .flag(nesterov), "maximize": .flag(maximize)])
    }

    public override func update(_ p: Tensor, grad: Tensor, group: ParamGroup, state: ParamState) {
        // PyTorch's `_single_tensor_sgd`, op for op, so each step rounds as PyTorch's does.
        let lr = group.lr, momentum = group["momentum"]!.double, dampening = group["dampening"]!.double
        let wd = group["weight_decay"]!.double
        var d = group["maximize"]!.bool ? -grad : grad
        if wd != 0 { d = d.add(p, alpha: wd) }
        if momentum != 0 {
            let buf: Tensor
            if let b = state.tensors["momentum_buffer"] {
                b.mul_(momentum).add_(d, alpha: 1 - dampening)
                buf = b
            } else {
                buf = d.clone()
                state.tensors["momentum_buffer"] = buf
            }
            d = group["nesterov"]!.bool ? d.add(buf, alpha: momentum) : buf
        }
        p.add_(d, alpha: -lr)
    }
}
