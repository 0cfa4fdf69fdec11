// The vectorized/threaded core paths (float32 broadcast ops, compares, activations, fused backward, block
// sums, row softmax, tiled copies, casts) against independent references: the float64 scalar path (exact
// for + - * / max min after rounding), index arithmetic, and the composed Tensor formulas.
import Foundation
import Testing
import Ember
import _EmberTestSupport

/// Values as float32 with a few NaNs, infinities and signed zeros sprinkled in.
private func pathSample(_ shape: [Int], seed: UInt64, specials: Bool = true) -> Tensor {
    var v = reductionSample(shape, seed: seed).scalars.map { $0 * 4 }
    if specials && v.count > 20 {
        v[3] = .nan; v[7] = .infinity; v[11] = -.infinity; v[13] = 0; v[17] = -0.0
    }
    return Tensor(v.map { Float($0) }, shape: shape)
}

/// Same values bit for bit (NaN equals NaN, signed zeros differ), as Double lists.
private func identical(_ a: Tensor, _ b: Tensor) -> Bool {
    let x = a.scalars, y = b.scalars
    return a.shape == b.shape && x.count == y.count && zip(x, y).allSatisfy { ($0.isNaN && $1.isNaN) || $0.bitPattern == $1.bitPattern }
}

@Suite struct CorePerfPathTests {
    /// 300 x 257 = 77 100 elements: above the threading threshold, odd row length (vector tails).
    static let big = [300, 257]

    @Test func float32BroadcastArithmeticEqualsRoundedFloat64() {
        let x = pathSample(Self.big, seed: 1), y = pathSample(Self.big, seed: 2)
        let bias = pathSample([257], seed: 3, specials: false), column = pathSample([300, 1], seed: 4)
        let pairs: [(String, Tensor, Tensor)] = [
            ("same shape", x, y), ("bias row", x, bias), ("row first", bias, x), ("column", x, column),
            ("transposed", x, pathSample([257, 300], seed: 5).t()), ("expanded", x, bias.unsqueeze(0).expand(300, 257)),
            ("scalar", x, Tensor(scalar: 0.7)), ("scalar first", Tensor(scalar: -2.5), x), ("small", pathSample([3, 1, 5], seed: 6), pathSample([4, 1], seed: 7)),
        ]
        let ops: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("+", { $0 + $1 }), ("-", { $0 - $1 }), ("*", { $0 * $1 }), ("/", { $0 / $1 }),
            ("maximum", { Tensor.maximum($0, $1) }), ("minimum", { Tensor.minimum($0, $1) }),
        ]
        for (label, a, b) in pairs {
            for (name, f) in ops {
                let got = f(a, b), expected = f(a.double(), b.double()).float()
                #expect(got.dtype == .float32 && identical(got, expected), "\(name) \(label)")
            }
        }
        #expect(identical(x * 0.5, (x.double() * 0.5).float()))
        #expect(identical(-x, (-x.double()).float()))
    }

    @Test func float32ComparisonsEqualFloat64() {
        let x = pathSample(Self.big, seed: 8)
        let y = Tensor.where(pathSample(Self.big, seed: 9).gt(0), x, pathSample(Self.big, seed: 10))  // many ties
        for (a, b) in [(x, y), (x, pathSample([257], seed: 11)), (x, Tensor(scalar: 0.25)), (x.t(), y.t())] {
            let ops: [(Tensor, Tensor) -> Tensor] = [{ $0.eq($1) }, { $0.ne($1) }, { $0.lt($1) }, { $0.le($1) }, { $0.gt($1) }, { $0.ge($1) }]
            for f in ops { #expect(identical(f(a, b), f(a.double(), b.double()))) }
        }
    }

    @Test func activationsDoNotDependOnLayoutAndMatchFloat64() {
        let x = pathSample([257, 300], seed: 12)
        let strided = x.t()                               // [300, 257], inner stride 300
        let sliced = x.slice(1, start: 1, end: 300, step: 2)
        for (name, f) in [("relu", { (t: Tensor) in t.relu() }), ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() }),
                          ("exp", { $0.exp() }), ("abs", { $0.abs() })] as [(String, (Tensor) -> Tensor)] {
            #expect(identical(f(strided), f(strided.contiguous())), "\(name) transposed")
            #expect(identical(f(sliced), f(sliced.contiguous())), "\(name) sliced")
            #expect(closeness(f(x), f(x.double()).float(), rtol: 1e-6, atol: 1e-30) == nil, "\(name)")
        }
        let positive = x.abs() + 1e-3
        #expect(identical(positive.t().log(), positive.t().contiguous().log()))
        #expect(closeness(positive.log(), positive.double().log().float(), rtol: 1e-6, atol: 1e-7) == nil)
        #expect(identical(positive.sqrt(), positive.double().sqrt().float()))
        // As PyTorch 2.13 (`torch.relu(torch.tensor([nan, -0., -1., 2.]))` → [nan, -0., 0., 2.]): NaN propagates, -0 stays -0.
        for r in [Tensor([Float.nan, -0.0, -1, 2] as [Float]).relu(), Tensor([Float](repeating: .nan, count: 70_000) + [-0.0, -1, 2]).relu().narrow(0, start: 69_999, length: 4)] {
            let v = r.scalars
            #expect(v[0].isNaN && v[1] == 0 && v[1].sign == .minus && v[2] == 0 && v[2].sign == .plus && v[3] == 2)
        }
    }

    @Test func fusedActivationBackwardEqualsComposedFormula() {
        let g = pathSample(Self.big, seed: 13, specials: false)
        for name in ["relu", "sigmoid", "tanh"] {
            let x = pathSample(Self.big, seed: 14, specials: false).requiresGrad_()
            let f: (Tensor) -> Tensor = name == "relu" ? { $0.relu() } : name == "sigmoid" ? { $0.sigmoid() } : { $0.tanh() }
            let y = f(x)
            y.backward(gradient: g)
            let yd = y.detach()
            let composed: Tensor
            switch name {
            case "relu": composed = Tensor.where(yd.gt(0), g, Tensor.zerosLike(g))
            case "sigmoid": composed = g * yd * (1 - yd)
            default: composed = g * (1 - yd * yd)
            }
            #expect(identical(x.grad!, composed), "\(name) backward")
            // createGraph keeps the composed (differentiable) formula: same numbers, and a graph.
            let x2 = x.detach().requiresGrad_()
            let gx = grad(of: [f(x2)], with: [x2], gradOutputs: [g], createGraph: true)[0]!
            #expect(identical(gx.detach(), composed), "\(name) createGraph")
            #expect(name == "relu" || gx.requiresGrad, "\(name) createGraph builds a graph")
        }
    }

    @Test func blockSumsMatchFloat64() {
        let x = pathSample([8, 64, 16, 16], seed: 15, specials: false)   // 131 072 elements
        let cases: [[Int]] = [[0], [3], [0, 2, 3], [2, 3], [0, 1], [1], [1, 2], [0, 1, 2, 3]]
        for dims in cases {
            for keep in [false, true] {
                let got = x.sum(dims: dims, keepDim: keep), expected = x.double().sum(dims: dims, keepDim: keep).float()
                #expect(closeness(got, expected, rtol: 2e-7, atol: 1e-3) == nil, "sum \(dims) keepDim \(keep)")
            }
        }
        let m = pathSample(Self.big, seed: 16, specials: false)
        #expect(identical(m.sum(dim: 0), m.double().sum(dim: 0).float()))            // column order: exact
        #expect(closeness(m.mean(dim: -1), m.double().mean(dim: -1).float(), rtol: 2e-7, atol: 1e-7) == nil)
        #expect(identical(m.amax(dim: -1), m.double().amax(dim: -1).float()))
        #expect(identical(m.max(dim: 0).indices, m.double().max(dim: 0).indices))
        #expect(closeness(m.sumTo([257]), m.double().sum(dim: 0).float(), rtol: 2e-7) == nil)
        #expect(closeness(x.sumTo([64, 1, 1]), x.double().sum(dims: [0, 2, 3], keepDim: true).squeeze(0).float(), rtol: 2e-7, atol: 1e-6) == nil)
        #expect(closeness(m.var(dim: 1), m.double().var(dim: 1).float(), rtol: 1e-6) == nil)
    }

    @Test func rowSoftmaxMatchesFloat64ForwardAndBackward() {
        for shape in [[256, 10], Self.big, [3, 1]] {
            let x = pathSample(shape, seed: 17, specials: false) * 3
            let g = pathSample(shape, seed: 18, specials: false)
            for log in [false, true] {
                let f: (Tensor) -> Tensor = log ? { $0.logSoftmax(dim: -1) } : { $0.softmax(dim: 1) }
                #expect(closeness(f(x), f(x.double()).float(), rtol: 1e-5, atol: 1e-7) == nil, "\(shape) log \(log)")
                let leaf = x.requiresGrad_(false).detach().requiresGrad_(), leaf64 = x.double().requiresGrad_()
                f(leaf).backward(gradient: g)
                f(leaf64).backward(gradient: g.double())
                #expect(closeness(leaf.grad!, leaf64.grad!.float(), rtol: 1e-4, atol: 1e-6) == nil, "\(shape) log \(log) backward")
            }
        }
    }

    @Test func tiledCopiesMatchIndexArithmetic() {
        let m = pathSample([300, 257], seed: 19, specials: false)
        let views: [Tensor] = [
            m.t(), m.reshape(3, 100, 257).permute(0, 2, 1), m.reshape(300, 257, 1).permute(2, 1, 0),
            pathSample([2, 64, 16, 16], seed: 20).permute(0, 2, 3, 1), pathSample([2, 16, 16, 64], seed: 21).permute(0, 3, 1, 2),
            m.double().t(), (m * 100).to(.int8).t(), m.gt(0).t(), m.to(.float16).t(), m.slice(1, start: 0, end: 257, step: 3).t(),
        ]
        for v in views {
            let c = v.contiguous()
            #expect(c.isContiguous && c.dtype == v.dtype)
            let expected = (0..<v.numel).map { v.scalarAt($0) }
            #expect(zip(c.scalars, expected).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == $1 }, "\(v.shape) \(v.dtype)")
        }
    }

    @Test func contiguousCastsAreExact() {
        let x = pathSample(Self.big, seed: 22)
        let d = x.to(.float64)
        #expect(zip(x.toArray(as: Float.self), d.toArray(as: Double.self)).allSatisfy { ($0.isNaN && $1.isNaN) || Double($0) == $1 })
        let wide = d * 1.0000001
        #expect(zip(wide.to(.float32).toArray(as: Float.self), wide.toArray(as: Double.self)).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == Float($1) })
        let bytes = Tensor((0..<77_100).map { UInt8(truncatingIfNeeded: $0 &* 131) }, shape: Self.big)
        #expect(bytes.to(.float32).toArray(as: Float.self) == bytes.toArray(as: UInt8.self).map { Float($0) })
    }
}
