// ops.json cases for arithmetic, broadcasting, views, linear algebra, unary math and autograd semantics.
import Ember

enum GoldenCoreCases {
    static let all: [String: GoldenEvaluator] = [
        "broadcast_add": { i in try [i["x"] + i["y"]] },
        "broadcast_ops": { i in try [(i["a"] * i["b"] - i["c"]) / (i["d"] + 2)] },
        "permute_transpose": { i in try [i["x"].permute(2, 0, 1).contiguous(), i["x"].transpose(0, 2)] },
        "squeeze_unsqueeze_expand": { i in try [i["x"].unsqueeze(1).expand(3, 4, 5), i["x"].view(3, 1, 5).squeeze(1)] },
        "flatten": { i in try [i["x"].flatten(1)] },
        "dot_mv_mm": { i in try [i["x"].dot(i["y"]), i["A"].mv(i["x"]), i["A"].mm(i["B"])] },
        "matmul_batched_broadcast": { i in try [i["a"].matmul(i["b"])] },
        "matmul_vec": { i in try [i["x"].matmul(i["W"])] },
        "bmm": { i in try [i["a"].bmm(i["b"])] },
        "linear_regression_model": { i in try [i["X"].matmul(i["w"]) + i["b"]] },
        "unary_math": { i in
            let x = try i["x"]
            return [x.exp(), (x.abs() + 0.1).log(), (x.abs() + 0.1).sqrt(), x.pow(2), x.pow(3), x.abs(), x.sin(), x.cos(),
                    x.clamp(min: -0.5, max: 0.5)]
        },
        "activations": { i in
            let x = try i["x"]
            return [x.relu(), x.sigmoid(), x.tanh(), x.leakyRelu(0.1), x.gelu(), x.elu(), x.softplus(), x.silu()]
        },
        "maximum_minimum": { i in
            let x = try i["x"], y = try i["y"]
            return [Tensor.maximum(x, y), Tensor.minimum(x, y), Tensor.max(x, Tensor.zerosLike(x))]
        },
        "autograd_seed_accumulation": { _ in
            let x = Tensor.ones([2, 2], requiresGrad: true)
            let y = x + 2
            let z = y * y * 3
            z.mean().backward()
            let g1 = x.grad!.clone()
            x.sum().backward()
            let g2 = x.grad!.clone()
            x.grad!.zero_()
            x.sum().backward()
            return [g1, g2, x.grad!.clone()]
        },
        "autograd_nonscalar_backward": { _ in
            let x = tensor([1.0, 2, 3, 4], requiresGrad: true)
            let z = (2 * x).view(2, 2)
            z.backward(gradient: tensor([[1.0, 0.1], [0.01, 0.001]]))
            return [x.grad!]
        },
        "autograd_dot": { _ in
            let x = Tensor.arange(0.0, 4.0).requiresGrad_()
            let y = 2 * x.dot(x)
            y.backward()
            return [x.grad!]
        },
        "autograd_detach": { _ in
            let x = Tensor.arange(0.0, 4.0).requiresGrad_()
            let y = x * x
            let u = y.detach()
            let z = u * x
            z.sum().backward()
            return [x.grad!]
        },
        "autograd_second_order": { _ in
            let x = tensor([0.5, -1, 2], requiresGrad: true)
            let y = x.pow(3).sum()
            let dx = grad(of: [y], with: [x], createGraph: true)[0]!
            let ddx = grad(of: [dx.sum()], with: [x])[0]!
            return [dx.detach(), ddx]
        },
    ]
}
