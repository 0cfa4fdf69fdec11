// ops.json cases of the Reduction family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenReductionCases {
    static let all: [String: GoldenEvaluator] = [
        // A.sum(), A.sum(0), A.sum([0, 1]), A.sum(1, keepdim=True)
        "sum_dims": { t in
            let a = try t["A"]
            return [a.sum(), a.sum(dim: 0), a.sum(dims: [0, 1]), a.sum(dim: 1, keepDim: true)]
        },
        // A / A.sum(1, keepdim=True), A.mean(dim=2)
        "mean_keepdim_div": { t in
            let a = try t["A"]
            return [a / a.sum(dim: 1, keepDim: true), a.mean(dim: 2)]
        },
        // A.cumsum(0), A.cumsum(2)
        "cumsum": { t in try [t["A"].cumsum(dim: 0), t["A"].cumsum(dim: 2)] },
        // A.prod(1)
        "prod": { t in try [t["A"].prod(dim: 1)] },
        // x.max(dim=1) values/indices, x.min(dim=0) values
        "max_min_dim": { t in
            let x = try t["x"]
            let (values, indices) = x.max(dim: 1)
            return [values, indices, x.min(dim: 0).values]
        },
        // y_hat.argmax(dim=1)
        "argmax": { t in try [t["y_hat"].argmax(dim: 1)] },
        // (y_hat.argmax(dim=1) == y).float().mean()
        "accuracy": { t in try [(t["y_hat"].argmax(dim: 1) == t["y"]).float().mean()] },
        // x.var(dim=0), x.std(), x.var(dim=1, unbiased=False)
        "var_std": { t in
            let x = try t["x"]
            return [x.var(dim: 0), x.std(), x.var(dim: 1, unbiased: false)]
        },
        // torch.norm(u), u.abs().sum(), torch.norm(torch.ones(4, 9)), x.norm(dim=1)
        "norms": { t in
            let u = try t["u"], x = try t["x"]
            return [u.norm(), u.abs().sum(), Tensor.ones([4, 9]).norm(), x.norm(dim: 1)]
        },
        // F.softmax(x, dim=1), F.log_softmax(x, dim=1), F.softmax(x, dim=0)
        "softmax_logsoftmax": { t in
            let x = try t["x"]
            return [x.softmax(dim: 1), x.logSoftmax(dim: 1), x.softmax(dim: 0)]
        },
        // F.softmax(x, dim=1) with large logits
        "softmax_stability": { t in try [t["x"].softmax(dim: 1)] },
    ]
}
