// Registry entries of gather/scatter, index_select/index_add, take, masks and advanced indexing (Tensor+Indexing/Subscript).
import Ember

extension OpRegistry {
    static var indexing: [OpInfo] {
        // Positions along dim 1 of a [2, 3] source (a repeated one in row 0).
        let index = Tensor([Int64(2), 0, 2, 1, 1, 0], shape: [2, 3])
        let uniqueIndex = Tensor([Int64(2), 0, 1, 1, 0, 2], shape: [2, 3])
        return [
            OpInfo("gather", nodes: ["GatherBackward0"], golden: ["gather_dim0", "gather_dim1", "gather_labels"], secondOrder: .registry,
                   samples: [OpSample("dim 1, repeated positions", [sample([2, 4])], reference: { i in
                       let v = i[0].scalars, p = index.scalars.map { Int($0) }
                       return Tensor((0..<6).map { v[($0 / 3) * 4 + p[$0]] }, shape: [2, 3])
                   }) { $0[0].gather(dim: 1, index: index) }],
                   errors: [
                       OpErrorInput("position out of range", "gather: index 3 is out of bounds for dimension 1 with size 3") {
                           _ = Tensor.zeros([2, 3]).gather(dim: 1, index: tensor([[0, 3]]))
                       },
                       OpErrorInput("index of another rank", "gather: Index tensor must have the same number of dimensions as input tensor") {
                           _ = Tensor.zeros([2, 3]).gather(dim: 1, index: tensor([0, 1]))
                       },
                   ]),
            OpInfo("scatter (src)", nodes: ["ScatterBackward0"], secondOrder: .registry,
                   samples: [OpSample("dim 1, distinct positions", [sample([2, 3]), sample([2, 3], seed: 2)], reference: { i in
                       var out = i[0].scalars
                       let s = i[1].scalars, p = uniqueIndex.scalars.map { Int($0) }
                       for k in 0..<6 { out[(k / 3) * 3 + p[k]] = s[k] }
                       return Tensor(out, shape: [2, 3])
                   }) { $0[0].scatter(dim: 1, index: uniqueIndex, src: $0[1]) }]),
            OpInfo("scatter (value)", nodes: ["ScatterBackward1"], secondOrder: .registry,
                   samples: [OpSample("dim 1, one column", [sample([2, 3])], reference: { i in
                       var out = i[0].scalars
                       out[1] = 5; out[5] = 5
                       return Tensor(out, shape: [2, 3])
                   }) { $0[0].scatter(dim: 1, index: Tensor([Int64(1), 2], shape: [2, 1]), value: 5.0) }]),
            OpInfo("scatter_add", nodes: ["ScatterAddBackward0"], golden: ["scatter_add"], secondOrder: .registry,
                   samples: [OpSample("dim 1, repeated positions accumulate", [sample([2, 3]), sample([2, 3], seed: 2)], reference: { i in
                       var out = i[0].scalars
                       let s = i[1].scalars, p = index.scalars.map { Int($0) }
                       for k in 0..<6 { out[(k / 3) * 3 + p[k]] += s[k] }
                       return Tensor(out, shape: [2, 3])
                   }) { $0[0].scatterAdd(dim: 1, index: index, src: $0[1]) }],
                   errors: [OpErrorInput("index larger than src", "scatter_add: Expected index [1, 3] to be no larger than self [2, 3] apart from dimension 1 and to be no larger size than src [1, 2]") {
                       _ = Tensor.zeros([2, 3]).scatterAdd(dim: 1, index: tensor([[0, 1, 2]]), src: Tensor.ones([1, 2]))
                   }]),
            OpInfo("index_select", nodes: ["IndexSelectBackward0"], golden: ["index_select"], secondOrder: .registry,
                   samples: [OpSample("dim 0, repeated rows", [sample([3, 2])], reference: { i in
                       let v = i[0].scalars
                       return Tensor([v[4], v[5], v[0], v[1], v[4], v[5]], shape: [3, 2])
                   }) { $0[0].indexSelect(dim: 0, index: Tensor([Int64(2), 0, 2])) }],
                   errors: [
                       OpErrorInput("negative position", "index_select: index -1 is out of bounds for dimension 0 with size 6") {
                           _ = Tensor.zeros([6, 3]).indexSelect(dim: 0, index: tensor([1, -1]))
                       },
                       OpErrorInput("float index", "index_select: Expected dtype int32/int64 for index (got torch.float32)") {
                           _ = Tensor.zeros([6, 3]).indexSelect(dim: 0, index: tensor([1.0]))
                       },
                   ]),
            OpInfo("index_add", nodes: ["IndexAddBackward0"], secondOrder: .registry,
                   samples: [OpSample("dim 0, repeated rows, alpha 2", [sample([3, 2]), sample([3, 2], seed: 2)], reference: { i in
                       var out = i[0].scalars
                       let s = i[1].scalars
                       for (k, r) in [2, 0, 2].enumerated() { for c in 0..<2 { out[r * 2 + c] += 2 * s[k * 2 + c] } }
                       return Tensor(out, shape: [3, 2])
                   }) { $0[0].indexAdd(dim: 0, index: Tensor([Int64(2), 0, 2]), source: $0[1], alpha: 2) }]),
            OpInfo("take", nodes: ["TakeBackward0", "PutBackward0"], secondOrder: .registry,
                   samples: [OpSample("negative and repeated positions", [sample([2, 3])], reference: { i in
                       let v = i[0].scalars
                       return Tensor([v[5], v[0], v[5], v[2]], shape: [2, 2])
                   }) { $0[0].take(Tensor([Int64(-1), 0, 5, 2], shape: [2, 2])) }]),
            OpInfo("masked_select", nodes: ["MaskedSelectBackward0", "MaskedScatterBackward0"], golden: ["boolean_mask"], secondOrder: .registry,
                   samples: [OpSample("mask broadcast over rows", [sample([2, 3])], reference: { i in
                       let v = i[0].scalars
                       return Tensor([v[0], v[2], v[3], v[5]], shape: [4])
                   }) { $0[0].maskedSelect(Tensor([true, false, true], shape: [3])) }],
                   errors: [OpErrorInput("integer mask", "masked_select: expected BoolTensor for mask") {
                       _ = Tensor.zeros([2, 3]).maskedSelect(tensor([1, 0, 1]))
                   }]),
            OpInfo("index (advanced)", nodes: ["IndexBackward0", "IndexPutBackward0"], golden: ["advanced_index_pairs"], secondOrder: .registry,
                   samples: [
                       OpSample("position pairs", [sample([3, 4])], reference: { i in
                           let v = i[0].scalars
                           return Tensor([v[1], v[4 + 3], v[8 + 1]], shape: [3])
                       }) { $0[0][Tensor.arange(3), Tensor([Int64(1), 3, 1])] },
                       OpSample("a bool mask", [sample([3, 2])], reference: { i in
                           let v = i[0].scalars
                           return Tensor([v[2], v[3]], shape: [1, 2])
                       }) { $0[0][Tensor([false, true, false])] },
                   ],
                   errors: [
                       OpErrorInput("position out of range", "index: index 4 is out of bounds for dimension 1 with size 4") {
                           _ = Tensor.zeros([3, 4])[Tensor.arange(3), tensor([0, 4, 1])]
                       },
                       OpErrorInput("index shapes do not broadcast", "index: shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]") {
                           _ = Tensor.zeros([3, 4])[tensor([0, 1]), tensor([0, 1, 2])]
                       },
                   ]),
            OpInfo("index_put", nodes: ["IndexPutBackward0", "IndexBackward0"], secondOrder: .registry,
                   samples: [
                       OpSample("rows replaced by a broadcast value", [sample([3, 2]), sample([2], seed: 2)], reference: { i in
                           var out = i[0].scalars
                           let s = i[1].scalars
                           for r in [0, 2] { out[r * 2] = s[0]; out[r * 2 + 1] = s[1] }
                           return Tensor(out, shape: [3, 2])
                       }) { $0[0].indexPut([Tensor([Int64(0), 2])], $0[1]) },
                       OpSample("accumulate at repeated positions", [sample([3, 2]), sample([3, 2], seed: 2)], reference: { i in
                           var out = i[0].scalars
                           let s = i[1].scalars
                           for (k, r) in [1, 1, 0].enumerated() { out[r * 2] += s[k * 2]; out[r * 2 + 1] += s[k * 2 + 1] }
                           return Tensor(out, shape: [3, 2])
                       }) { $0[0].indexPut([Tensor([Int64(1), 1, 0])], $0[1], accumulate: true) },
                   ]),
        ]
    }
}
