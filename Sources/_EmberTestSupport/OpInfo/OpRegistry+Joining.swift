// Registry entries of concatenation and matrix products (Tensor+Joining/LinearAlgebra).
import Ember

/// The product of `a` [.., m, k] and `b` [.., k, n] with the same leading dims, by the triple loop.
public func naiveMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (m, k, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1])
    let batch = a.shape.dropLast(2).reduce(1, *)
    let x = a.contiguous().scalars, y = b.contiguous().scalars
    var out = [Double](repeating: 0, count: batch * m * n)
    for p in 0..<batch { for i in 0..<m { for j in 0..<n {
        var acc = 0.0
        for l in 0..<k { acc += x[p * m * k + i * k + l] * y[p * k * n + l * n + j] }
        out[p * m * n + i * n + j] = acc
    } } }
    return Tensor(out, shape: Array(a.shape.dropLast()) + [n])
}

extension OpRegistry {
    static var joining: [OpInfo] {
        [
            OpInfo("cat", nodes: ["CatBackward0"], golden: ["cat_dim0_dim1"], secondOrder: .registry,
                   samples: [
                       OpSample("dim 1, with a zero-width part", [sample([2, 1]), sample([2, 0], seed: 2), sample([2, 2], seed: 3)], reference: { i in
                           let a = i[0].scalars, c = i[2].scalars
                           return Tensor([a[0], c[0], c[1], a[1], c[2], c[3]], shape: [2, 3])
                       }) { Tensor.cat($0, dim: 1) },
                   ],
                   errors: [
                       OpErrorInput("sizes differ off the cat dim", "cat: Sizes of tensors must match except in dimension 1. Expected size 2 but got size 4 for tensor number 1 in the list (shapes [2, 3], [4, 4])") {
                           _ = Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([4, 4])], dim: 1)
                       },
                       OpErrorInput("ranks differ", "cat: Tensors must have same number of dimensions: got 2 and 1") {
                           _ = Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([3])])
                       },
                   ]),
            OpInfo("stack", nodes: ["StackBackward0"], golden: ["stack"], secondOrder: .registry,
                   samples: [OpSample("dim 1", [sample([2]), sample([2], seed: 2)], reference: { i in
                       let a = i[0].scalars, b = i[1].scalars
                       return Tensor([a[0], b[0], a[1], b[1]], shape: [2, 2])
                   }) { Tensor.stack($0, dim: 1) }],
                   errors: [OpErrorInput("shapes differ", "stack: stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [3, 5] at entry 1") {
                       _ = Tensor.stack([Tensor.zeros([3, 4]), Tensor.zeros([3, 5])])
                   }]),
            OpInfo("mm / mv / dot / matmul", nodes: ["MmBackward0"], golden: ["dot_mv_mm", "matmul_vec", "linear_regression_model"], secondOrder: .registry,
                   samples: [
                       OpSample("[3, 4] x [4, 2]", [sample([3, 4]), sample([4, 2], seed: 2)], reference: { naiveMatmul($0[0], $0[1]) }) { $0[0].mm($0[1]) },
                       OpSample("zero inner size", [sample([3, 0]), sample([0, 2], seed: 2)], reference: { naiveMatmul($0[0], $0[1]) }) { $0[0].mm($0[1]) },
                       OpSample("matmul of a vector (mv)", [sample([3, 4]), sample([4], seed: 2)], reference: { naiveMatmul($0[0], $0[1].reshape([4, 1])).reshape([3]) }) {
                           $0[0].matmul($0[1])
                       },
                       OpSample("matmul of a batch by a matrix", [sample([2, 3, 4]), sample([4, 5], seed: 2)],
                                reference: { naiveMatmul($0[0].reshape([6, 4]), $0[1]).reshape([2, 3, 5]) }) { $0[0].matmul($0[1]) },
                       OpSample("matmul of a batch by a vector", [sample([2, 3, 4]), sample([4], seed: 2)],
                                reference: { naiveMatmul($0[0].reshape([6, 4]), $0[1].reshape([4, 1])).reshape([2, 3]) }) { $0[0].matmul($0[1]) },
                       OpSample("matmul of a vector by a matrix", [sample([4]), sample([4, 5], seed: 2)],
                                reference: { naiveMatmul($0[0].reshape([1, 4]), $0[1]).reshape([5]) }) { $0[0].matmul($0[1]) },
                       OpSample("dot", [sample([4]), sample([4], seed: 2)],
                                reference: { naiveMatmul($0[0].reshape([1, 4]), $0[1].reshape([4, 1])).reshape([]) }) { $0[0].dot($0[1]) },
                   ],
                   errors: [
                       OpErrorInput("inner sizes differ", "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)") {
                           _ = Tensor.ones([2, 3]).mm(Tensor.ones([4, 5]))
                       },
                       OpErrorInput("dtypes differ", "mm: expected mat1 and mat2 to have the same dtype") {
                           _ = Tensor.ones([2, 2]).mm(Tensor.ones([2, 2], dtype: .float64))
                       },
                   ]),
            OpInfo("bmm", nodes: ["BmmBackward0"], golden: ["bmm", "matmul_batched_broadcast"], secondOrder: .registry,
                   samples: [
                       OpSample("[2, 3, 4] x [2, 4, 2]", [sample([2, 3, 4]), sample([2, 4, 2], seed: 2)], reference: { naiveMatmul($0[0], $0[1]) }) { $0[0].bmm($0[1]) },
                       OpSample("matmul broadcasting the batch", [sample([2, 1, 2, 3]), sample([3, 3, 2], seed: 2)],
                                reference: { naiveMatmul($0[0].expand([2, 3, 2, 3]), $0[1].expand([2, 3, 3, 2])) }) { $0[0].matmul($0[1]) },
                   ],
                   errors: [OpErrorInput("inner sizes differ", "bmm: batch1 and batch2 shapes cannot be multiplied ([2, 3, 4] and [2, 3, 4])") {
                       _ = Tensor.ones([2, 3, 4]).bmm(Tensor.ones([2, 3, 4]))
                   }]),
        ]
    }
}
