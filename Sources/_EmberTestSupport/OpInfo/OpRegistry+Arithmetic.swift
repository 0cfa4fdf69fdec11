// Registry entries of the binary, ternary and comparison-based pointwise ops (Tensor+Arithmetic/Pointwise/Comparison).
import Foundation
import Ember

extension OpRegistry {
    /// The shapes every binary op is called with: equal, broadcast both ways, 0-d, zero-size.
    static func binarySamples(lhs: ClosedRange<Double> = -1...1, rhs: ClosedRange<Double> = -1...1,
                              _ op: @escaping (Tensor, Tensor) -> Tensor, _ ref: @escaping (Double, Double) -> Double) -> [OpSample] {
        let shapes: [(String, [Int], [Int])] = [
            ("same shape", [2, 3], [2, 3]), ("broadcast [2, 1, 3] with [4, 1]", [2, 1, 3], [4, 1]),
            ("0-d with [3]", [], [3]), ("zero-size [0, 3] with [3]", [0, 3], [3]),
        ]
        return shapes.map { label, a, b in
            OpSample(label, [sample(a, seed: 1, in: lhs), sample(b, seed: 2, in: rhs)],
                     reference: { elementwise($0[0], $0[1], ref) }) { op($0[0], $0[1]) }
        }
    }

    static var arithmetic: [OpInfo] {
        [
            OpInfo("add", nodes: ["AddBackward0"], golden: ["broadcast_add", "broadcast_ops"], secondOrder: .registry,
                   samples: binarySamples(+, +) + [
                       OpSample("alpha 2.5", [sample([2, 3]), sample([3], seed: 2)],
                                reference: { elementwise($0[0], $0[1]) { $0 + 2.5 * $1 } }) { $0[0].add($0[1], alpha: 2.5) },
                   ],
                   errors: [OpErrorInput("shapes do not broadcast", "add: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1") {
                       _ = Tensor.ones([2, 3]) + Tensor.ones([2, 4])
                   }]),
            OpInfo("sub", nodes: ["SubBackward0"], golden: ["broadcast_ops"], secondOrder: .registry, samples: binarySamples(-, -)),
            OpInfo("mul", nodes: ["MulBackward0"], golden: ["broadcast_ops"], secondOrder: .registry, samples: binarySamples(*, *)),
            OpInfo("div", nodes: ["DivBackward0"], golden: ["broadcast_ops", "mean_keepdim_div"], secondOrder: .registry,
                   samples: binarySamples(rhs: 0.5...1.5, /, /)),
            OpInfo("neg", nodes: ["NegBackward0"], secondOrder: .registry,
                   samples: [OpSample("[2, 3]", [sample([2, 3])], reference: { elementwise($0[0]) { -$0 } }) { -$0[0] }]),
            OpInfo("rsub (scalar - tensor)", nodes: ["RsubBackward1"], secondOrder: .registry,
                   samples: [OpSample("[2, 3]", [sample([2, 3])], reference: { elementwise($0[0]) { 2 - $0 } }) { 2.0 - $0[0] }]),
            OpInfo("pow (tensor exponent)", nodes: ["PowBackward1"], golden: [], secondOrder: .registry,
                   samples: binarySamples(lhs: 0.5...1.5, { $0.pow($1) }, Foundation.pow)),
            OpInfo("pow (scalar exponent)", nodes: ["PowBackward0"], golden: ["unary_math"], secondOrder: .registry,
                   samples: [
                       OpSample("cube", [sample([2, 3])], reference: { elementwise($0[0]) { $0 * $0 * $0 } }) { $0[0].pow(3) },
                       OpSample("square root of positives", [sample([4], in: 0.5...2)], reference: { elementwise($0[0], Foundation.sqrt) }) { $0[0].pow(0.5) },
                   ],
                   errors: [OpErrorInput("integer to a negative power", "pow: Integers to negative integer powers are not allowed.") {
                       _ = Tensor.arange(3).pow(-1)
                   }]),
            OpInfo("maximum", nodes: ["MaximumBackward0"], golden: ["maximum_minimum"], secondOrder: .registry,
                   samples: binarySamples({ Tensor.maximum($0, $1) }, Swift.max)),
            OpInfo("minimum", nodes: ["MinimumBackward0"], golden: ["maximum_minimum"], secondOrder: .registry,
                   samples: binarySamples({ Tensor.minimum($0, $1) }, Swift.min)),
            OpInfo("lerp", nodes: ["LerpBackward0"], secondOrder: .registry,
                   samples: binarySamples({ $0.lerp($1, weight: 0.3) }, { $0 + 0.3 * ($1 - $0) })),
            OpInfo("addcmul", nodes: ["AddcmulBackward0"], secondOrder: .registry,
                   samples: [OpSample("broadcast [2, 3], [3], [2, 1]", [sample([2, 3]), sample([3], seed: 2), sample([2, 1], seed: 3)],
                                      reference: { i in elementwise(i[0], elementwise(i[1], i[2], *)) { $0 + 0.5 * $1 } }) {
                       $0[0].addcmul($0[1], $0[2], value: 0.5)
                   }]),
            OpInfo("addcdiv", nodes: ["AddcdivBackward0"], secondOrder: .registry,
                   samples: [OpSample("broadcast [2, 3], [3], [2, 1]", [sample([2, 3]), sample([3], seed: 2), sample([2, 1], seed: 3, in: 0.5...1.5)],
                                      reference: { i in elementwise(i[0], elementwise(i[1], i[2], /)) { $0 + 0.5 * $1 } }) {
                       $0[0].addcdiv($0[1], $0[2], value: 0.5)
                   }],
                   errors: [OpErrorInput("integer tensors", "addcdiv: expected floating-point tensors (got Long, Long, Long)") {
                       let t = Tensor.arange(3)
                       _ = t.addcdiv(t, t)
                   }]),
            OpInfo("clamp", nodes: ["ClampBackward1"], golden: ["unary_math"], secondOrder: .registry,
                   samples: [
                       OpSample("min and max", [sample([3, 4])], reference: { elementwise($0[0]) { Swift.min(Swift.max($0, -0.45), 0.55) } }) {
                           $0[0].clamp(min: -0.45, max: 0.55)
                       },
                       OpSample("min only, zero-size", [sample([0, 2])], reference: { elementwise($0[0]) { Swift.max($0, 0.1) } }) { $0[0].clamp(min: 0.1) },
                   ]),
            OpInfo("where", nodes: ["WhereBackward0"], golden: ["masked_fill_where"], secondOrder: .registry,
                   samples: [OpSample("y broadcast over [2, 3]", [sample([2, 3]), sample([3], seed: 2)],
                                      reference: { i in
                                          let x = i[0].scalars, y = i[1].scalars
                                          return Tensor([x[0], y[1], x[2], y[0], x[4], y[2]], shape: [2, 3])
                                      }) { i in
                       Tensor.where(Tensor([true, false, true, false, true, false], shape: [2, 3]), i[0], i[1])
                   }]),
            OpInfo("masked_fill", nodes: ["MaskedFillBackward0"], golden: ["masked_fill_where"], secondOrder: .registry,
                   samples: [OpSample("mask broadcast over rows", [sample([2, 3])],
                                      reference: { i in
                                          let x = i[0].scalars
                                          return Tensor([7, x[1], 7, 7, x[4], 7], shape: [2, 3])
                                      }) { $0[0].maskedFill(Tensor([true, false, true], shape: [3]), 7.0) }]),
        ]
    }
}
