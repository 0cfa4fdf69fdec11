// Registry entries of the view ops, copies and dtype conversion (Tensor+Views/Subscript/Conversion).
import Ember

/// `x.permute(perm)` by index arithmetic over the flat values: the reference for the view ops.
public func permuted(_ x: Tensor, _ perm: [Int]) -> Tensor {
    let shape = x.shape, v = x.contiguous().scalars
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    let outShape = perm.map { shape[$0] }
    var out = [Double](repeating: 0, count: v.count)
    for i in 0..<v.count {
        var rest = i, offset = 0
        for d in stride(from: outShape.count - 1, through: 0, by: -1) {
            offset += (rest % outShape[d]) * strides[perm[d]]
            rest /= outShape[d]
        }
        out[i] = v[offset]
    }
    return Tensor(out, shape: outShape)
}

/// The same values in another shape (row-major order), without any view op.
public func reshaped(_ x: Tensor, _ shape: [Int]) -> Tensor { Tensor(x.contiguous().scalars, shape: shape) }

extension OpRegistry {
    static var views: [OpInfo] {
        [
            OpInfo("view", nodes: ["ViewBackward0"], golden: ["squeeze_unsqueeze_expand", "flatten"], secondOrder: .registry,
                   samples: [
                       OpSample("[3, 4] as [2, 6]", [sample([3, 4])], reference: { reshaped($0[0], [2, 6]) }) { $0[0].contiguous().view([2, 6]) },
                       OpSample("reshape, inferred size", [sample([3, 4])], reference: { reshaped($0[0], [4, 3]) }) { $0[0].contiguous().reshape([4, -1]) },
                       OpSample("zero-size", [sample([0, 4])], reference: { reshaped($0[0], [2, 0, 2]) }) { $0[0].contiguous().view([2, 0, 2]) },
                   ],
                   errors: [
                       OpErrorInput("view of a transposed tensor", "view: view size is not compatible with input tensor's size and stride") {
                           _ = Tensor.ones([2, 3]).t().view(6)
                       },
                       OpErrorInput("reshape to a size that does not fit", "reshape: shape '[4, -1]' is invalid for input of size 6") {
                           _ = Tensor.ones([2, 3]).reshape(4, -1)
                       },
                   ]),
            OpInfo("permute", nodes: ["PermuteBackward0"], golden: ["permute_transpose"], secondOrder: .registry,
                   samples: [OpSample("[2, 3, 4] by (2, 0, 1)", [sample([2, 3, 4])], reference: { permuted($0[0], [2, 0, 1]) }) { $0[0].permute(2, 0, 1) }]),
            OpInfo("transpose", nodes: ["TransposeBackward0"], golden: ["permute_transpose"], secondOrder: .registry,
                   samples: [
                       OpSample("dims 0 and 2", [sample([2, 3, 4])], reference: { permuted($0[0], [2, 1, 0]) }) { $0[0].transpose(0, 2) },
                       OpSample("t() of a matrix", [sample([3, 4])], reference: { permuted($0[0], [1, 0]) }) { $0[0].t() },
                   ]),
            OpInfo("squeeze (all)", nodes: ["SqueezeBackward0"], golden: ["squeeze_unsqueeze_expand"], secondOrder: .registry,
                   samples: [OpSample("[3, 1, 2, 1]", [sample([3, 1, 2, 1])], reference: { reshaped($0[0], [3, 2]) }) { $0[0].squeeze() }]),
            OpInfo("squeeze (dim)", nodes: ["SqueezeBackward1"], golden: ["squeeze_unsqueeze_expand"], secondOrder: .registry,
                   samples: [OpSample("dim 1 of [3, 1, 2]", [sample([3, 1, 2])], reference: { reshaped($0[0], [3, 2]) }) { $0[0].squeeze(1) }]),
            OpInfo("unsqueeze", nodes: ["UnsqueezeBackward0"], golden: ["squeeze_unsqueeze_expand"], secondOrder: .registry,
                   samples: [OpSample("dim -1", [sample([3, 2])], reference: { reshaped($0[0], [3, 2, 1]) }) { $0[0].unsqueeze(-1) }]),
            OpInfo("expand", nodes: ["ExpandBackward0"], golden: ["squeeze_unsqueeze_expand"], secondOrder: .registry,
                   samples: [
                       OpSample("[3, 1] to [2, 3, 4]", [sample([3, 1])], reference: { i in
                           let v = i[0].scalars
                           let values: [Double] = (0..<24).map { (k: Int) -> Double in v[(k / 4) % 3] }
                           return Tensor(values, shape: [2, 3, 4])
                       }) { $0[0].expand([2, 3, 4]) },
                       OpSample("[1, 3] to [0, 3]", [sample([1, 3])], reference: { _ in Tensor.zeros([0, 3], dtype: .float64) }) { $0[0].expand([0, 3]) },
                   ]),
            OpInfo("slice", nodes: ["SliceBackward0", "SliceBackwardBackward0"], golden: ["slicing", "split_chunk"], secondOrder: .registry,
                   samples: [
                       OpSample("dim 1, step 2", [sample([3, 5])], reference: { i in
                           let v = i[0].scalars
                           let values: [Double] = (0..<3).flatMap { (r: Int) -> [Double] in [v[r * 5 + 1], v[r * 5 + 3]] }
                           return Tensor(values, shape: [3, 2])
                       }) { $0[0].slice(1, start: 1, end: 5, step: 2) },
                       OpSample("narrow to zero length", [sample([3, 5])], reference: { _ in Tensor.zeros([3, 0], dtype: .float64) }) {
                           $0[0].narrow(1, start: 2, length: 0)
                       },
                       OpSample("chunk (two slices joined)", [sample([4, 3])], reference: { $0[0] }) { i in
                           let parts = i[0].chunk(2, dim: 0)
                           return Tensor.cat(parts, dim: 0)
                       },
                   ]),
            OpInfo("select", nodes: ["SelectBackward0", "SliceBackwardBackward0"], golden: ["slicing"], secondOrder: .registry,
                   samples: [OpSample("dim 1, index -1", [sample([3, 4])], reference: { i in
                       let v = i[0].scalars
                       return Tensor([v[3], v[7], v[11]], shape: [3])
                   }) { $0[0].select(1, -1) }],
                   errors: [OpErrorInput("index out of range", "index: index 4 is out of bounds for dimension 1 with size 4") {
                       _ = Tensor.zeros([3, 4])[.all, 4]
                   }]),
            OpInfo("alias (x[...])", nodes: ["AliasBackward0"], secondOrder: .registry,
                   samples: [OpSample("ellipsis only", [sample([2, 3])], reference: { reshaped($0[0], [2, 3]) }) { $0[0][.ellipsis] }]),
            OpInfo("clone", nodes: ["CloneBackward0"], secondOrder: .registry,
                   samples: [OpSample("[2, 3]", [sample([2, 3])], reference: { reshaped($0[0], [2, 3]) }) { $0[0].clone() }]),
            // Exact in float32 (multiples of 1/8 and a power-of-two step), so finite differences through the cast are exact.
            OpInfo("to (dtype)", nodes: ["ToCopyBackward0"], secondOrder: .no("the derivative of a cast is a cast back, linear"), eps: 1.0 / 1024,
                   samples: [OpSample("float64 to float32", [Tensor([0.5, -1.25, 2, 0.125], shape: [2, 2])], reference: { $0[0].contiguous() }) {
                       $0[0].to(.float32)
                   }]),
        ]
    }
}
