// Registry entries of the reductions, statistics, extrema and softmax (Tensor+Reduction/Statistics/MinMax/Softmax).
import Foundation
import Ember

/// Reduces each row of a 2-d tensor with `f` (a plain loop): the reference for reductions along dim 1
/// (pass `x.t()` for dim 0). A [m, 0] tensor gives f([]) per row.
public func rowwise(_ x: Tensor, keepDim: Bool = false, _ f: ([Double]) -> Double) -> Tensor {
    let (m, n) = (x.shape[0], x.shape[1])
    let v = x.contiguous().scalars
    let rows = (0..<m).map { f(Array(v[($0 * n)..<($0 * n + n)])) }
    return Tensor(rows, shape: keepDim ? [m, 1] : [m])
}

/// The whole tensor reduced by `f` to a 0-d tensor.
public func whole(_ x: Tensor, _ f: ([Double]) -> Double) -> Tensor {
    Tensor([f(x.contiguous().scalars)], shape: [])
}

private func total(_ v: [Double]) -> Double { v.reduce(0, +) }
private func variance(_ v: [Double], _ correction: Double) -> Double {
    let m = total(v) / Double(v.count)
    return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (Double(v.count) - correction)
}
private func logSumExp(_ v: [Double]) -> Double {
    let m = v.max() ?? 0
    return m + Foundation.log(v.map { Foundation.exp($0 - m) }.reduce(0, +))
}

extension OpRegistry {
    static var reductions: [OpInfo] {
        [
            OpInfo("sum", nodes: ["SumBackward0", "SumBackward1"], golden: ["sum_dims"], secondOrder: .registry,
                   samples: [
                       OpSample("all", [sample([3, 4])], reference: { whole($0[0], total) }) { $0[0].sum() },
                       OpSample("dim 1, keepDim", [sample([3, 4])], reference: { rowwise($0[0], keepDim: true, total) }) { $0[0].sum(dim: 1, keepDim: true) },
                       OpSample("dim 0 of zero-size [0, 3]", [sample([0, 3])], reference: { rowwise($0[0].t(), total) }) { $0[0].sum(dim: 0) },
                   ],
                   errors: [
                       OpErrorInput("dim out of range", "sum: Dimension out of range (expected to be in range of [-2, 1], but got 2)") {
                           _ = Tensor.ones([2, 3]).sum(dim: 2)
                       },
                       OpErrorInput("repeated dim", "sum: dim 0 appears multiple times in the list of dims") {
                           _ = Tensor.ones([2, 3]).sum(dims: [0, 0])
                       },
                   ]),
            OpInfo("mean", nodes: ["MeanBackward0", "MeanBackward1"], golden: ["mean_keepdim_div"], secondOrder: .registry,
                   samples: [
                       OpSample("all", [sample([3, 4])], reference: { whole($0[0]) { total($0) / Double($0.count) } }) { $0[0].mean() },
                       OpSample("dim 0", [sample([3, 4])], reference: { rowwise($0[0].t()) { total($0) / Double($0.count) } }) { $0[0].mean(dim: 0) },
                   ],
                   errors: [OpErrorInput("integer input", "mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long") {
                       _ = Tensor.arange(4).mean()
                   }]),
            OpInfo("prod", nodes: ["ProdBackward0", "ProdBackward1"], golden: ["prod"], secondOrder: .registry,
                   samples: [
                       OpSample("all", [sample([2, 3], in: 0.5...1.5)], reference: { whole($0[0]) { $0.reduce(1, *) } }) { $0[0].prod() },
                       OpSample("dim 1", [sample([2, 3])], reference: { rowwise($0[0]) { $0.reduce(1, *) } }) { $0[0].prod(dim: 1) },
                       OpSample("dim 1 with one zero", [Tensor([0.5, 0, -0.7, 1.2, 0.3, -0.4], shape: [2, 3])],
                                reference: { rowwise($0[0]) { $0.reduce(1, *) } }) { $0[0].prod(dim: 1) },
                       OpSample("all with one zero", [Tensor([0.5, 0, -0.7, 1.2], shape: [2, 2])],
                                reference: { whole($0[0]) { $0.reduce(1, *) } }) { $0[0].prod() },
                       OpSample("dim 1 with two zeros in a row", [Tensor([0.5, 0, 0, 1.2, 0.3, 0], shape: [2, 3])],
                                reference: { rowwise($0[0]) { $0.reduce(1, *) } }) { $0[0].prod(dim: 1) },
                   ]),
            OpInfo("var", nodes: ["VarBackward0"], golden: ["var_std"], secondOrder: .registry,
                   samples: [
                       OpSample("all, unbiased", [sample([3, 4])], reference: { whole($0[0]) { variance($0, 1) } }) { $0[0].var() },
                       OpSample("dim 1, biased", [sample([3, 4])], reference: { rowwise($0[0]) { variance($0, 0) } }) { $0[0].var(dim: 1, unbiased: false) },
                   ],
                   errors: [OpErrorInput("integer input", "std and var only support floating point and complex dtypes") {
                       _ = Tensor.arange(6).var()
                   }]),
            OpInfo("std", nodes: ["StdBackward0"], golden: ["var_std"], secondOrder: .registry,
                   samples: [
                       OpSample("all", [sample([3, 4])], reference: { whole($0[0]) { variance($0, 1).squareRoot() } }) { $0[0].std() },
                       OpSample("dim 0, correction 0.5", [sample([3, 4])], reference: { rowwise($0[0].t()) { variance($0, 0.5).squareRoot() } }) {
                           $0[0].std(dim: 0, correction: 0.5)
                       },
                   ]),
            OpInfo("cumsum", nodes: ["CumsumBackward0"], golden: ["cumsum"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([2, 4])], reference: { i in
                       let v = i[0].scalars
                       return Tensor((0..<8).map { k in (k / 4 * 4...k).map { v[$0] }.reduce(0, +) }, shape: [2, 4])
                   }) { $0[0].cumsum(dim: 1) }]),
            OpInfo("norm", nodes: ["LinalgVectorNormBackward0"], golden: ["norms"], secondOrder: .registry,
                   samples: [
                       OpSample("2-norm of all", [sample([3, 4])], reference: { whole($0[0]) { $0.map { $0 * $0 }.reduce(0, +).squareRoot() } }) { $0[0].norm() },
                       OpSample("1-norm of dim 1", [sample([3, 4])], reference: { rowwise($0[0]) { $0.map(Swift.abs).reduce(0, +) } }) { $0[0].norm(p: 1, dim: 1) },
                       OpSample("3-norm of dim 0", [sample([3, 4])], reference: { rowwise($0[0].t()) { Foundation.pow($0.map { Swift.abs($0 * $0 * $0) }.reduce(0, +), 1.0 / 3) } }) {
                           $0[0].norm(p: 3, dim: 0)
                       },
                       OpSample("0.5-norm of all", [sample([3, 4])], reference: { whole($0[0]) { Foundation.pow($0.map { Swift.abs($0).squareRoot() }.reduce(0, +), 2) } }) {
                           $0[0].norm(p: 0.5)
                       },
                       OpSample("1.5-norm of dims [0, 1], keepDim", [sample([3, 4])], reference: { whole($0[0]) { Foundation.pow($0.map { Foundation.pow(Swift.abs($0), 1.5) }.reduce(0, +), 1 / 1.5) }.reshape([1, 1]) }) {
                           $0[0].norm(p: 1.5, dims: [0, 1], keepDim: true)
                       },
                       OpSample("inf-norm of dim 1", [sample([3, 4])], reference: { rowwise($0[0]) { $0.map(Swift.abs).max()! } }) { $0[0].norm(p: .infinity, dim: 1) },
                       OpSample("-inf-norm of all", [sample([3, 4])], reference: { whole($0[0]) { $0.map(Swift.abs).min()! } }) { $0[0].norm(p: -.infinity) },
                   ],
                   errors: [OpErrorInput("integer input", "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long") {
                       _ = Tensor.arange(6).norm()
                   }]),
            OpInfo("logsumexp", nodes: ["LogsumexpBackward0"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([3, 4], in: -3...3)], reference: { rowwise($0[0], logSumExp) }) { $0[0].logsumexp(dim: 1) }]),
            OpInfo("max (all)", nodes: ["MaxBackward1"], secondOrder: .registry,
                   samples: [OpSample("[3, 4]", [sample([3, 4])], reference: { whole($0[0]) { $0.max()! } }) { $0[0].max() }],
                   errors: [OpErrorInput("empty input", "Expected reduction dim to be specified for input.numel() == 0") {
                       _ = Tensor.zeros([0]).max()
                   }]),
            OpInfo("min (all)", nodes: ["MinBackward1"], secondOrder: .registry,
                   samples: [OpSample("[3, 4]", [sample([3, 4])], reference: { whole($0[0]) { $0.min()! } }) { $0[0].min() }]),
            OpInfo("max (dim)", nodes: ["MaxBackward0"], golden: ["max_min_dim"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([3, 4])], reference: { rowwise($0[0]) { $0.max()! } }) { $0[0].max(dim: 1).values }],
                   errors: [OpErrorInput("reduced dim of size 0", "Expected reduction dim 1 to have non-zero size") {
                       _ = Tensor.zeros([2, 0]).max(dim: 1)
                   }]),
            OpInfo("min (dim)", nodes: ["MinBackward0"], golden: ["max_min_dim"], secondOrder: .registry,
                   samples: [OpSample("dim 0, keepDim", [sample([3, 4])], reference: { rowwise($0[0].t()) { $0.min()! }.reshape([1, 4]) }) {
                       $0[0].min(dim: 0, keepDim: true).values
                   }]),
            OpInfo("amax", nodes: ["AmaxBackward0"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([3, 4])], reference: { rowwise($0[0]) { $0.max()! } }) { $0[0].amax(dim: 1) }]),
            OpInfo("amin", nodes: ["AminBackward0"], secondOrder: .registry,
                   samples: [OpSample("dims [0, 1]", [sample([3, 4])], reference: { whole($0[0]) { $0.min()! } }) { $0[0].amin(dims: [0, 1]) }]),
            OpInfo("softmax", nodes: ["SoftmaxBackward0"], golden: ["softmax_logsoftmax", "softmax_stability"], secondOrder: .registry,
                   samples: [
                       OpSample("dim 1", [sample([3, 4], in: -3...3)], reference: { softmaxRows($0[0]) }) {
                           $0[0].softmax(dim: 1)
                       },
                       OpSample("dim 0", [sample([3, 4], in: -3...3)], reference: { softmaxRows($0[0].t()).t() }) { $0[0].softmax(dim: 0) },
                   ],
                   errors: [OpErrorInput("integer input", "\"softmax_kernel_impl\" not implemented for 'Long'") {
                       _ = Tensor.arange(4).softmax(dim: 0)
                   }]),
            OpInfo("log_softmax", nodes: ["LogSoftmaxBackward0"], golden: ["softmax_logsoftmax"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([3, 4], in: -3...3)], reference: { softmaxRows($0[0]).log() }) { $0[0].logSoftmax(dim: 1) }],
                   errors: [OpErrorInput("dim out of range", "Dimension out of range (expected to be in range of [-2, 1], but got 2)") {
                       _ = Tensor.zeros([2, 3]).logSoftmax(dim: 2)
                   }]),
        ]
    }

    /// Softmax of each row of a 2-d tensor, by the definition.
    static func softmaxRows(_ x: Tensor) -> Tensor {
        let (m, n) = (x.shape[0], x.shape[1])
        let v = x.contiguous().scalars
        var out = [Double](repeating: 0, count: m * n)
        for r in 0..<m {
            let e = (0..<n).map { Foundation.exp(v[r * n + $0]) }, s = e.reduce(0, +)
            for c in 0..<n { out[r * n + c] = e[c] / s }
        }
        return Tensor(out, shape: [m, n])
    }
}
