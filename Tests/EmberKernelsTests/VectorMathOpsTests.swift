// VectorMath op kernels against straightforward references: unary maps (ulps vs libm in Double), binary
// and compare with scalar broadcast, fused activation backward, row/column sums, row softmax, casts.
import Testing
import Foundation
@testable import EmberKernels
import CEmberKernels

/// Odd lengths: vector tails, one element, and a length that takes the threaded path.
private let lengths = [1, 7, 33, 257, 100_003]

/// Floats spanning the whole range: specials, denormals, tiny/huge magnitudes, both signs, plus dense samples.
private func wideInputs(count: Int, seed: UInt64) -> [Float] {
    var v: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                      .leastNormalMagnitude, Float.leastNormalMagnitude / 1000, -Float.leastNormalMagnitude / 4, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                      88.7, -88.7, 100, -104, 0.625, -0.625, 0.62499994, 9, -9, 1e-8, 0.5, 2, 1e30]
    var rng = TestRandom(seed: seed)
    while v.count < count {
        let r = rng.next()
        switch v.count % 4 {
        case 0: v.append(Float(r * 12))                                   // the common range
        case 1: v.append(Float(r * 100))
        case 2: v.append(Float(r) * Float(Foundation.pow(2.0, rng.next() * 140)))  // magnitudes 2^-140...2^140
        default: v.append(Float(r * 0.7))
        }
    }
    return Array(v.prefix(count))
}

@Suite("VectorMathOps")
struct VectorMathOpsTests {
    @Test("unary maps against libm in Double, every length and ISA", arguments: KernelISA.available)
    func unaryAccuracy(isa: KernelISA) {
        typealias Case = (VectorMath.Unary, Int, (Float) -> Float)
        let cases: [Case] = [
            (.relu, 0, { $0 < 0 ? 0 : $0 }),   // PyTorch's relu: NaN propagates, -0 stays -0
            // The formula the scalar path used (and PyTorch's CPU kernel): e^-x overflows below -88.7, giving 0.
            (.sigmoid, 4, { 1 / (1 + Foundation.expf(-$0)) }),
            (.tanh, 4, { Float(Foundation.tanh(Double($0))) }),
            (.log, 2, { Float(Foundation.log(Double($0))) }),
            (.sqrt, 0, { Float(Double($0).squareRoot()) }),
            (.exp, 2, { Float(Foundation.exp(Double($0))) }),
            (.neg, 0, { -$0 }),
            (.abs, 0, { Swift.abs($0) }),
            (.erf, 1, { Float(Foundation.erf(Double($0))) }),
        ]
        for n in lengths {
            let x = wideInputs(count: n, seed: UInt64(n))
            var y = [Float](repeating: 42, count: n)
            for (op, tolerance, reference) in cases {
                VectorMath.unary(op, x, &y, n, isa: isa)
                var worst = 0, at: Float = 0
                for i in 0..<n {
                    let d = ulpDistance(y[i], reference(x[i]))
                    if d > worst { worst = d; at = x[i] }
                }
                #expect(worst <= tolerance, "\(op) \(isa) n=\(n): \(worst) ulp at x = \(at)")
            }
        }
    }

    @Test("unary special values", arguments: KernelISA.available)
    func unarySpecials(isa: KernelISA) {
        let x: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -1, .leastNonzeroMagnitude]
        var y = [Float](repeating: 0, count: x.count)
        VectorMath.unary(.log, x, &y, x.count, isa: isa)
        #expect(y[0] == -.infinity && y[1] == -.infinity && y[2] == .infinity && y[3].isNaN && y[4].isNaN && y[5].isNaN)
        #expect(abs(y[6] - Float(Foundation.log(Double(Float.leastNonzeroMagnitude)))) < 1e-4)
        VectorMath.unary(.tanh, x, &y, x.count, isa: isa)
        #expect(y[0] == 0 && y[1] == 0 && y[1].sign == .minus && y[2] == 1 && y[3] == -1 && y[4].isNaN)
        VectorMath.unary(.sigmoid, x, &y, x.count, isa: isa)
        #expect(y[0] == 0.5 && y[2] == 1 && y[3] == 0 && y[4].isNaN)
        VectorMath.unary(.relu, x, &y, x.count, isa: isa)
        // PyTorch 2.13: torch.relu([nan, -inf, inf, -0.]) → [nan, 0., inf, -0.]
        #expect(y[4].isNaN && y[3] == 0 && y[2] == .infinity && y[1] == 0 && y[1].sign == .minus)
    }

    @Test("outputs of 4M floats or more (streaming stores when aligned) equal the scalar loop",
          arguments: KernelISA.available)
    func streamingStores(isa: KernelISA) {
        // One C call of at least 2^22 floats: VectorMath would split it over the pool into smaller calls.
        let n = (1 << 22) + 21, level = Int32(isa.rawValue)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 4 * (n + 1), alignment: 64)
        let y = raw.bindMemory(to: Float.self, capacity: n + 1)
        defer { a.deallocate(); raw.deallocate() }
        for i in 0..<n { a[i] = Float(i % 977) * 0.25 - 100 }
        var two: Float = 2
        for out in [y, y + 1] {  // 64-byte aligned (streams) and not (plain stores)
            ember_f32_binary_level(level, VectorMath.Binary.add.rawValue, a, 1, a, 1, out, n)
            var bad = -1
            for i in 0..<n where out[i] != a[i] + a[i] { bad = i; break }
            #expect(bad < 0, "add \(isa) at \(bad)")
            ember_f32_binary_level(level, VectorMath.Binary.mul.rawValue, a, 1, &two, 0, out, n)
            for i in 0..<n where out[i] != a[i] * 2 { bad = i; break }
            #expect(bad < 0, "mul by broadcast \(isa) at \(bad)")
            ember_f32_unary_level(level, VectorMath.Unary.neg.rawValue, a, out, n)
            for i in 0..<n where out[i] != -a[i] { bad = i; break }
            #expect(bad < 0, "neg \(isa) at \(bad)")
        }
    }

    @Test("binary ops with array and broadcast operands equal the scalar loop", arguments: KernelISA.available)
    func binaryExact(isa: KernelISA) {
        let ops: [(VectorMath.Binary, (Float, Float) -> Float)] = [
            (.add, { $0 + $1 }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 }), (.div, { $0 / $1 }),
            (.maximum, { ($0.isNaN || $1.isNaN) ? .nan : Swift.max($0, $1) }),
            (.minimum, { ($0.isNaN || $1.isNaN) ? .nan : Swift.min($0, $1) }),
        ]
        for n in lengths {
            let a = wideInputs(count: n, seed: 3), b = wideInputs(count: n, seed: 4).reversed().map { $0 }
            var y = [Float](repeating: 0, count: n)
            for (op, f) in ops {
                for (sa, sb) in [(1, 1), (1, 0), (0, 1)] {
                    VectorMath.binary(op, a, aStep: sa, b, bStep: sb, &y, n, isa: isa)
                    var bad = -1
                    for i in 0..<n where !sameFloat(y[i], f(a[i * sa], b[i * sb])) { bad = i; break }
                    #expect(bad < 0, "\(op) \(isa) n=\(n) steps (\(sa), \(sb)) at \(bad)")
                }
            }
        }
        // Signed zeros pick the operand Swift.max/min would.
        var y: [Float] = [0, 0]
        VectorMath.binary(.maximum, [-0.0, 0], aStep: 1, [0, -0.0], bStep: 1, &y, 2, isa: isa)
        #expect(y[0].sign == .plus && y[1].sign == .minus)
        VectorMath.binary(.minimum, [-0.0, 0], aStep: 1, [0, -0.0], bStep: 1, &y, 2, isa: isa)
        #expect(y[0].sign == .minus && y[1].sign == .plus)
    }

    @Test("comparisons, NaN included", arguments: KernelISA.available)
    func compareExact(isa: KernelISA) {
        let ops: [(VectorMath.Comparison, (Float, Float) -> Bool)] = [
            (.eq, { $0 == $1 }), (.ne, { $0 != $1 }), (.lt, { $0 < $1 }), (.le, { $0 <= $1 }), (.gt, { $0 > $1 }), (.ge, { $0 >= $1 }),
        ]
        for n in lengths {
            let a = wideInputs(count: n, seed: 5)
            var b = [Float](repeating: 0, count: n)
            for i in 0..<n { b[i] = i % 3 == 0 ? a[i] : Float(i % 5 - 2) }
            var y = [Bool](repeating: false, count: n)
            for (op, f) in ops {
                for (sa, sb) in [(1, 1), (1, 0), (0, 1)] {
                    VectorMath.compare(op, a, aStep: sa, b, bStep: sb, &y, n, isa: isa)
                    var bad = -1
                    for i in 0..<n where y[i] != f(a[i * sa], b[i * sb]) { bad = i; break }
                    #expect(bad < 0, "\(op) \(isa) n=\(n) steps (\(sa), \(sb)) at \(bad)")
                }
            }
        }
    }

    @Test("fused activation backward equals the composed formulas bit for bit", arguments: KernelISA.available)
    func activationBackward(isa: KernelISA) {
        for n in lengths {
            let g = wideInputs(count: n, seed: 6)
            var rng = TestRandom(seed: UInt64(n))
            var y = [Float](repeating: 0, count: n)
            for i in 0..<n where i % 11 != 0 { y[i] = Float(rng.next()) }
            var out = [Float](repeating: 0, count: n)
            let cases: [(VectorMath.Unary, (Float, Float) -> Float)] = [
                (.relu, { g, y in y > 0 ? g : 0 }), (.sigmoid, { g, y in g * y * (1 - y) }), (.tanh, { g, y in g * (1 - y * y) }),
            ]
            for (op, f) in cases {
                VectorMath.unaryBackward(op, gradient: g, output: y, &out, n, isa: isa)
                var bad = -1
                for i in 0..<n where !sameFloat(out[i], f(g[i], y[i])) { bad = i; break }
                #expect(bad < 0, "\(op) backward \(isa) n=\(n) at \(bad)")
            }
        }
    }

    @Test("column sums equal a Double column loop exactly; row sums match a Double sum", arguments: KernelISA.available)
    func rowAndColumnSums(isa: KernelISA) {
        for (rows, cols, ld) in [(1, 1, 1), (7, 33, 40), (257, 7, 7), (3, 100_003, 100_003), (1000, 257, 300)] {
            var rng = TestRandom(seed: UInt64(rows * cols))
            let x = (0..<rows * ld).map { _ in Float(rng.next() * 10) }
            var acc = (0..<cols).map { Double($0) }
            var expected = acc
            for r in 0..<rows { for c in 0..<cols { expected[c] += Double(x[r * ld + c]) } }
            VectorMath.addColumnSums(x, rows: rows, cols: cols, ld: ld, into: &acc, isa: isa)
            #expect(acc == expected, "colsum \(isa) \(rows)x\(cols)")
        }
        for (rows, n) in [(1, 1), (7, 33), (257, 7), (3, 100_003), (1000, 257)] {
            var rng = TestRandom(seed: UInt64(rows + n))
            let x = (0..<rows * n).map { _ in Float(rng.next() * 10) }
            var out = [Double](repeating: .nan, count: rows)
            VectorMath.rowSums(x, rows: rows, n: n, into: &out, isa: isa)
            for r in 0..<rows {
                var s = 0.0, m = 0.0
                for k in 0..<n { s += Double(x[r * n + k]); m += abs(Double(x[r * n + k])) }
                #expect(abs(out[r] - s) <= 1e-13 * m, "rowsum \(isa) \(rows)x\(n) row \(r)")
            }
        }
    }

    @Test("row softmax and log-softmax, forward and backward, against Double", arguments: KernelISA.available)
    func softmaxRows(isa: KernelISA) {
        for (rows, n) in [(1, 1), (3, 7), (5, 33), (2, 257), (300, 10), (2, 100_003)] {
            var rng = TestRandom(seed: UInt64(rows * 31 + n))
            var x = (0..<rows * n).map { _ in Float(rng.next() * 8) }
            x[0] += 1000  // a huge logit: the max shift must keep it finite
            if n > 1 { x[1] = -.infinity }
            let g = (0..<rows * n).map { _ in Float(rng.next()) }
            for log in [false, true] {
                var y = [Float](repeating: 0, count: rows * n), gx = y
                VectorMath.softmaxRows(x, &y, rows: rows, n: n, log: log, isa: isa)
                VectorMath.softmaxBackwardRows(gradient: g, output: y, &gx, rows: rows, n: n, log: log, isa: isa)
                for r in 0..<rows {
                    let lane = (0..<n).map { Double(x[r * n + $0]) }
                    let m = lane.max()!
                    let s = lane.map { Foundation.exp($0 - m) }.reduce(0, +)
                    let p = lane.map { Foundation.exp($0 - m) / s }
                    var worst = 0.0
                    for k in 0..<n {
                        let expected = log ? (lane[k] - m) - Foundation.log(s) : p[k]
                        let got = Double(y[r * n + k])
                        if expected.isInfinite { #expect(got == expected); continue }
                        worst = max(worst, abs(got - expected) / max(abs(expected), log ? 1 : 1e-30))
                    }
                    #expect(worst <= 2e-6, "\(log ? "log" : "")softmax \(isa) \(rows)x\(n) row \(r): rel \(worst)")
                    // Backward in Double from the float outputs.
                    let yr = (0..<n).map { Double(y[r * n + $0]) }, gr = (0..<n).map { Double(g[r * n + $0]) }
                    let dot = log ? gr.reduce(0, +) : zip(gr, yr).map { $0 * $1 }.reduce(0, +)
                    var worstB = 0.0
                    for k in 0..<n {
                        let expected = log ? gr[k] - Foundation.exp(yr[k]) * dot : yr[k] * (gr[k] - dot)
                        worstB = max(worstB, abs(Double(gx[r * n + k]) - expected))
                    }
                    #expect(worstB <= 1e-5 * max(1, abs(dot)), "\(log ? "log" : "")softmax backward \(isa) \(rows)x\(n): \(worstB)")
                }
            }
        }
    }

    @Test("casts float32 <-> float64 and uint8 -> float32 are exact", arguments: KernelISA.available)
    func casts(isa: KernelISA) {
        for n in lengths {
            let x = wideInputs(count: n, seed: 9)
            var d = [Double](repeating: 0, count: n)
            VectorMath.convert(x, &d, n, isa: isa)
            #expect(zip(x, d).allSatisfy { sameFloat(Float($1), $0) && ($0.isNaN || Double($0) == $1) })
            var wide = [Double](repeating: 0, count: n)
            for i in 0..<n { wide[i] = Double(x[i]) * (1 + 1e-9) + (i % 2 == 0 ? 1e-300 : 0) }
            var f = [Float](repeating: 0, count: n)
            VectorMath.convert(wide, &f, n, isa: isa)
            #expect(zip(wide, f).allSatisfy { sameFloat(Float($0), $1) })
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            VectorMath.convert(bytes, &f, n, isa: isa)
            #expect(zip(bytes, f).allSatisfy { Float($0) == $1 })
        }
    }

    @Test("float32 -> float64 casts of 16 MB+ outputs (streaming stores) are exact, from any alignment", arguments: KernelISA.available)
    func largeCastToDouble(isa: KernelISA) {
        // Large enough that every thread's slice streams; the output starts 1 and 3 doubles into the array, so the
        // slices begin at different alignments and peel elements before their aligned streaming part.
        let n = 4_200_007
        let x: [Float] = (0..<n).map { (i: Int) -> Float in
            if i % 1001 == 0 { return .nan }
            let a = Float(i % 7919) * 1.37e-3
            return a - Float(i % 13) * 1e30
        }
        for shift in [1, 3] {
            var d = [Double](repeating: -1, count: n + shift)
            d.withUnsafeMutableBufferPointer { VectorMath.convert(x, $0.baseAddress! + shift, n, isa: isa) }
            var bad = -1
            for i in 0..<n where !(x[i].isNaN ? d[i + shift].isNaN : Double(x[i]) == d[i + shift]) { bad = i; break }
            #expect(bad < 0 && d[..<shift].allSatisfy { $0 == -1 }, "\(isa) shift \(shift) at \(bad)")
        }
    }

    @Test("SGD momentum in one pass rounds as mul, FMA, FMA (PyTorch's three in-place ops)", arguments: KernelISA.available)
    func sgdMomentumExact(isa: KernelISA) {
        for n in lengths {
            let g = wideInputs(count: n, seed: 5), buf0 = wideInputs(count: n, seed: 6), p0 = wideInputs(count: n, seed: 7)
            for (m, c, lr) in [(Float(0.9), Float(1), Float(0.01)), (Float(0.5), Float(0.9), Float(0.3))] {
                var p = p0, buf = buf0
                VectorMath.sgdMomentum(param: &p, buffer: &buf, gradient: g, momentum: m, gradScale: c, lr: lr, n, isa: isa)
                var bad = -1
                for i in 0..<n {
                    // The scalar definition: a rounded product, then exact fused multiply-adds.
                    let b = (buf0[i] * m).addingProduct(g[i], c)
                    let q = p0[i].addingProduct(b, -lr)
                    if !sameFloat(buf[i], b) || !sameFloat(p[i], q) { bad = i; break }
                }
                #expect(bad < 0, "\(isa) n=\(n) m=\(m) c=\(c) at \(bad)")
            }
        }
    }

    /// Adam steps covering both lerp branches (1 − β1 below and above 0.5), every decay mode and a bias correction
    /// away from 1.
    private static let adamSteps: [VectorMath.AdamStep] = [
        VectorMath.AdamStep(decay: .none, lerpWeight: Float(1 - 0.9), beta2: 0.999, oneMinusBeta2: Float(1 - 0.999),
                            biasCorrection2Sqrt: Float((1 - 0.999).squareRoot()), eps: 1e-8, negStepSize: Float(-1e-3 / (1 - 0.9))),
        VectorMath.AdamStep(decay: .l2(0.01), lerpWeight: Float(1 - 0.3), beta2: 0.9, oneMinusBeta2: Float(1 - 0.9),
                            biasCorrection2Sqrt: 0.6, eps: 1e-3, negStepSize: -0.05),
        VectorMath.AdamStep(decay: .decoupled(factor: Float(1 - 0.1 * 0.3)), lerpWeight: 0.5, beta2: 0.99,
                            oneMinusBeta2: Float(1 - 0.99), biasCorrection2Sqrt: 0.2, eps: 0, negStepSize: -0.1),
    ]

    @Test("Adam in one pass rounds as the scalar definition of PyTorch's single-tensor ops", arguments: KernelISA.available)
    func adamExact(isa: KernelISA) {
        for n in lengths {
            let g = wideInputs(count: n, seed: 8), p0 = wideInputs(count: n, seed: 9), m0 = wideInputs(count: n, seed: 10)
            // The second moment is never negative in Adam; NaN and infinity stay in.
            let v0 = wideInputs(count: n, seed: 11).map { Swift.abs($0) }
            for h in Self.adamSteps {
                var p = p0, m = m0, v = v0
                VectorMath.adam(param: &p, expAvg: &m, expAvgSq: &v, gradient: g, step: h, n, isa: isa)
                var bad = -1
                for i in 0..<n {
                    // Each op rounded once: FMAs are exact fused multiply-adds, the rest IEEE operations.
                    var gi = g[i], pi = p0[i]
                    switch h.decay {
                    case .none: break
                    case .l2(let wd): gi = gi.addingProduct(pi, wd)
                    case .decoupled(let factor): pi = pi * factor
                    }
                    let w = h.lerpWeight, d = gi - m0[i]
                    let mi = Swift.abs(w) < 0.5 ? m0[i].addingProduct(w, d) : gi.addingProduct(w - 1, d)
                    let vi = (v0[i] * h.beta2).addingProduct(h.oneMinusBeta2 * gi, gi)
                    let denom = vi.squareRoot() / h.biasCorrection2Sqrt + h.eps
                    let q = pi + (h.negStepSize * mi) / denom
                    if !sameFloat(m[i], mi) || !sameFloat(v[i], vi) || !sameFloat(p[i], q) { bad = i; break }
                }
                #expect(bad < 0, "\(isa) n=\(n) \(h.decay) at \(bad)")
            }
        }
    }

    @Test("Adam in one pass equals the op kernels it replaces, run one after another", arguments: KernelISA.available)
    func adamEqualsOpKernels(isa: KernelISA) {
        for n in lengths {
            var rng = TestRandom(seed: UInt64(n) + 40)
            // Typical training values: gradients and moments around 1e-3..1, parameters around 1.
            let g = (0..<n).map { _ in Float(rng.next() * 1e-2) }, p0 = (0..<n).map { _ in Float(rng.next()) }
            let m0 = (0..<n).map { _ in Float(rng.next() * 1e-2) }, v0 = (0..<n).map { _ in Float(Swift.abs(rng.next()) * 1e-4) }
            for h in Self.adamSteps {
                var p = p0, m = m0, v = v0
                VectorMath.adam(param: &p, expAvg: &m, expAvgSq: &v, gradient: g, step: h, n, isa: isa)
                // The same step as the kernels of the in-place ops (Adam.swift's op path).
                var rp = p0, rm = m0, rv = v0, rg = g, denom = [Float](repeating: 0, count: n)
                switch h.decay {
                case .none: break
                case .l2(let wd): VectorMath.fused(.axpy, g, p0, aStep: 1, p0, bStep: 1, scalar: wd, &rg, n, isa: isa)
                case .decoupled(let factor): VectorMath.binary(.mul, rp, aStep: 1, [factor], bStep: 0, &rp, n, isa: isa)
                }
                VectorMath.fused(.lerp, rm, rg, aStep: 1, rg, bStep: 1, scalar: h.lerpWeight, &rm, n, isa: isa)
                VectorMath.binary(.mul, rv, aStep: 1, [h.beta2], bStep: 0, &rv, n, isa: isa)
                VectorMath.fused(.addcmul, rv, rg, aStep: 1, rg, bStep: 1, scalar: h.oneMinusBeta2, &rv, n, isa: isa)
                VectorMath.unary(.sqrt, rv, &denom, n, isa: isa)
                VectorMath.binary(.div, denom, aStep: 1, [h.biasCorrection2Sqrt], bStep: 0, &denom, n, isa: isa)
                VectorMath.binary(.add, denom, aStep: 1, [h.eps], bStep: 0, &denom, n, isa: isa)
                VectorMath.fused(.addcdiv, rp, rm, aStep: 1, denom, bStep: 1, scalar: h.negStepSize, &rp, n, isa: isa)
                let same = zip(p, rp).allSatisfy(sameFloat) && zip(m, rm).allSatisfy(sameFloat) && zip(v, rv).allSatisfy(sameFloat)
                #expect(same, "\(isa) n=\(n) \(h.decay)")
            }
        }
    }
}

/// Equal, or both NaN; distinguishes signed zeros.
private func sameFloat(_ a: Float, _ b: Float) -> Bool {
    (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
}
