// Registry entries of the elementwise math and activation ops (Tensor+Unary), each against Foundation's scalar math.
import Foundation
import Ember

extension OpRegistry {
    /// A unary op called on a matrix, a 0-d tensor and a zero-size tensor, compared with `ref` per element.
    static func unaryOp(_ name: String, _ node: String, golden: [String] = [], in range: ClosedRange<Double> = -1...1,
                        secondOrder: GradcheckLevel = .registry, errors: [OpErrorInput] = [],
                        _ op: @escaping (Tensor) -> Tensor, _ ref: @escaping (Double) -> Double) -> OpInfo {
        let shapes: [(String, [Int])] = [("[3, 4]", [3, 4]), ("0-d", []), ("zero-size [2, 0]", [2, 0])]
        return OpInfo(name, nodes: [node], golden: golden, secondOrder: secondOrder,
                      samples: shapes.map { label, shape in
                          OpSample(label, [sample(shape, seed: 3, in: range)], reference: { elementwise($0[0], ref) }) { op($0[0]) }
                      }, errors: errors)
    }

    static func sigmoidRef(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    static var unary: [OpInfo] {
        [
            unaryOp("exp", "ExpBackward0", golden: ["unary_math"], { $0.exp() }, Foundation.exp),
            unaryOp("log", "LogBackward0", golden: ["unary_math"], in: 0.2...2, { $0.log() }, Foundation.log),
            unaryOp("log1p", "Log1PBackward0", in: -0.5...2, { $0.log1p() }, Foundation.log1p),
            unaryOp("sqrt", "SqrtBackward0", golden: ["unary_math"], in: 0.2...2, { $0.sqrt() }, Foundation.sqrt),
            unaryOp("rsqrt", "RsqrtBackward0", in: 0.2...2, { $0.rsqrt() }, { 1 / Foundation.sqrt($0) }),
            unaryOp("sin", "SinBackward0", golden: ["unary_math"], in: -3...3, { $0.sin() }, Foundation.sin),
            unaryOp("cos", "CosBackward0", golden: ["unary_math"], in: -3...3, { $0.cos() }, Foundation.cos),
            unaryOp("tanh", "TanhBackward0", golden: ["activations"], in: -2...2, { $0.tanh() }, Foundation.tanh),
            unaryOp("sigmoid", "SigmoidBackward0", golden: ["activations"], in: -3...3, { $0.sigmoid() }, sigmoidRef),
            unaryOp("abs", "AbsBackward0", golden: ["unary_math"], { $0.abs() }, Swift.abs),
            unaryOp("sign", "SignBackward0", { $0.sign() }) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) },
            unaryOp("erf", "ErfBackward0", in: -2...2, { $0.erf() }, Foundation.erf),
            unaryOp("floor", "FloorBackward0", in: -3...3, { $0.floor() }, Foundation.floor),
            unaryOp("ceil", "CeilBackward0", in: -3...3, { $0.ceil() }, Foundation.ceil),
            unaryOp("round", "RoundBackward0", in: -3...3, { $0.round() }) { $0.rounded(.toNearestOrEven) },
        ]
    }

    static var activations: [OpInfo] {
        [
            unaryOp("relu", "ReluBackward0", golden: ["activations"], { $0.relu() }) { Swift.max($0, 0) },
            unaryOp("leaky_relu", "LeakyReluBackward0", golden: ["activations"], { $0.leakyRelu(0.1) }) { $0 > 0 ? $0 : 0.1 * $0 },
            unaryOp("elu", "EluBackward0", golden: ["activations"], in: -2...2, { $0.elu(alpha: 1.5) }) {
                $0 > 0 ? $0 : 1.5 * (Foundation.exp($0) - 1)
            },
            // beta 2 and threshold 1: inputs above 0.5 take the linear branch, as in PyTorch.
            unaryOp("softplus", "SoftplusBackward0", golden: ["activations"], in: -2...2, { $0.softplus(beta: 2, threshold: 1) }) {
                2 * $0 > 1 ? $0 : Foundation.log1p(Foundation.exp(2 * $0)) / 2
            },
            unaryOp("silu", "SiluBackward0", golden: ["activations"], in: -3...3, { $0.silu() }) { $0 * sigmoidRef($0) },
            unaryOp("gelu", "GeluBackward0", golden: ["activations"], in: -3...3, { $0.gelu() }) {
                0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot()))
            },
            unaryOp("gelu (tanh approximation)", "GeluBackward0", in: -3...3, { $0.gelu(approximate: true) }) {
                0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
            },
        ]
    }
}
