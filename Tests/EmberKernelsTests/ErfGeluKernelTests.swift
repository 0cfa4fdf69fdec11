// The vectorized erf and exact GELU (forward and fused backward) against Double references from libm: a dense sweep of
// float bit patterns, the special values, and the far negative tail where 1 + erf cancels.
import Testing
import Foundation
@testable import EmberKernels

/// Every `stride`-th float bit pattern from `from` up to `to` (both non-negative), and their negatives.
private func sweep(from: Float, to: Float, stride: UInt32) -> [Float] {
    var v: [Float] = []
    var bits = from.bitPattern
    while bits <= to.bitPattern {
        let x = Float(bitPattern: bits)
        v.append(x)
        v.append(-x)
        bits += stride
    }
    return v
}

/// GELU in Double through erfc, which does not cancel for negative x.
private func geluReference(_ x: Float) -> Double {
    let d = Double(x)
    return 0.5 * d * Foundation.erfc(-d / 2.0.squareRoot())
}

@Suite("Erf and GELU kernels")
struct ErfGeluKernelTests {
    @Test("erf within 1 ulp of the correctly rounded value over a dense sweep of [0, 5]", arguments: KernelISA.available)
    func erfSweep(isa: KernelISA) {
        // Stride 997 visits ~1.1M patterns per sign, every binade from the denormals to 5.
        let x = sweep(from: 0, to: 5, stride: 997)
        var y = [Float](repeating: 0, count: x.count)
        VectorMath.unary(.erf, x, &y, x.count, isa: isa)
        var worst = 0, at: Float = 0
        for i in x.indices {
            let d = ulpDistance(y[i], Float(Foundation.erf(Double(x[i]))))
            if d > worst { worst = d; at = x[i] }
        }
        #expect(worst <= 1, "\(isa): \(worst) ulp at x = \(at)")
    }

    @Test("erf and GELU special values", arguments: KernelISA.available)
    func specials(isa: KernelISA) {
        let x: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 4, -4, 1e30, -1e30, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        var y = [Float](repeating: 7, count: x.count)
        VectorMath.unary(.erf, x, &y, x.count, isa: isa)
        #expect(y[0] == 0 && y[0].sign == .plus && y[1] == 0 && y[1].sign == .minus)
        #expect(y[2] == 1 && y[3] == -1 && y[4].isNaN && y[5] == 1 && y[6] == -1 && y[7] == 1 && y[8] == -1 && y[10] == -1)
        // erf(x) ≈ 2x/√π for the smallest denormal: 1.128 × 2^-149 rounds to 2^-149.
        #expect(y[9] == .leastNonzeroMagnitude)
        VectorMath.unary(.gelu, x, &y, x.count, isa: isa)
        // PyTorch 2.13: gelu(-0.) = -0., gelu(0.) = 0., gelu(-inf) = nan (−inf · 0), gelu(nan) = nan.
        #expect(y[0] == 0 && y[0].sign == .plus && y[1] == 0 && y[1].sign == .minus)
        #expect(y[2] == .infinity && y[3].isNaN && y[4].isNaN && y[7] == 1e30 && y[8] == 0)
    }

    @Test("GELU within 1 ulp above -3, absolute error under 1e-8·|x| below", arguments: KernelISA.available)
    func geluSweep(isa: KernelISA) {
        let x = sweep(from: 0, to: 12, stride: 1031) + sweep(from: 3, to: 40, stride: 1031).map { -$0 }
        var y = [Float](repeating: 0, count: x.count)
        VectorMath.unary(.gelu, x, &y, x.count, isa: isa)
        var worstUlp = 0, worstTail = 0.0
        for i in x.indices {
            let r = geluReference(x[i])
            if x[i] > -3 {
                worstUlp = max(worstUlp, ulpDistance(y[i], Float(r)))
            } else {
                worstTail = max(worstTail, abs(Double(y[i]) - r) / Double(abs(x[i])))
            }
        }
        #expect(worstUlp <= 1, "\(isa): \(worstUlp) ulp")
        #expect(worstTail < 1e-8, "\(isa): tail error \(worstTail)·|x|")
    }

    @Test("fused GELU backward against the Double derivative", arguments: KernelISA.available)
    func geluBackward(isa: KernelISA) {
        let x = (0..<20_001).map { Float($0 - 10_000) * 0.0012 }     // [-12, 12]
        let g = x.indices.map { Float(($0 % 7) - 3) * 0.75 + 0.1 }
        var out = [Float](repeating: 0, count: x.count)
        VectorMath.geluBackward(gradient: g, input: x, &out, x.count, isa: isa)
        for i in x.indices {
            let d = Double(x[i])
            let cdf = 0.5 * Foundation.erfc(-d / 2.0.squareRoot()), xpdf = d * Foundation.exp(-d * d / 2) / (2 * Double.pi).squareRoot()
            let reference = Double(g[i]) * (cdf + xpdf)
            // A few float roundings of the two terms (Φ and x·φ nearly cancel near x = -1), plus Φ's absolute error
            // (under 1e-8: erf is ±1 from |x|/√2 = 4 on), which is all that is left far out in the negative tail.
            let bound = abs(Double(g[i])) * (4e-7 * (abs(cdf) + abs(xpdf)) + 1e-8)
            if abs(Double(out[i]) - reference) > bound {
                Issue.record("\(isa): x = \(x[i]), g = \(g[i]): \(out[i]) vs \(reference)")
                return
            }
        }
    }
}
