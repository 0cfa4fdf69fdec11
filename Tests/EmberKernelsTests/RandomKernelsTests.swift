// RandomKernels.boxMuller16: every ISA gives the same bits; hand-derived values at the edges of the uniforms.
import Foundation
import Testing
@testable import EmberKernels

@Suite("Box-Muller kernel")
struct RandomKernelsTests {
    /// Uniforms on the float32 grid of PyTorch's `rand` (multiples of 2^-24), spread over [0, 1) with edges.
    func uniforms(_ count: Int) -> [Float] {
        var state: UInt32 = 12345
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            out[i] = Float(state >> 8) * 0x1p-24
        }
        let edges: [Float] = [0, 0x1p-24, 0.5, 0.25, 0.125, 1 - 0x1p-24, 0.75, 0.999]
        for (i, v) in edges.enumerated() {
            out[i] = v; out[count - 1 - i] = v
        }
        return out
    }

    @Test("every ISA rounds the same way")
    func isasAgree() {
        let count = 16 * 4096
        let base = uniforms(count)
        var reference = base
        reference.withUnsafeMutableBufferPointer {
            RandomKernels.boxMuller16($0.baseAddress!, blocks: count / 16, mean: 0.25, std: 1.5, isa: .portable)
        }
        #expect(reference.allSatisfy { $0.isFinite })
        for isa in KernelISA.available where isa != .portable {
            var values = base
            values.withUnsafeMutableBufferPointer {
                RandomKernels.boxMuller16($0.baseAddress!, blocks: count / 16, mean: 0.25, std: 1.5, isa: isa)
            }
            let differing = zip(values, reference).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(isa): \(differing) values differ from the portable kernel")
        }
    }

    @Test("hand-derived values: u1 = 0 gives the mean, u2 = 0 gives angle 0")
    func edges() {
        for isa in KernelISA.available {
            // Pair j: u_j = 0 (radius sqrt(-2 log 1) = 0); pair j = 1: u = 0.5 and angle 0 (cos 1, sin 0).
            var d = [Float](repeating: 0.3, count: 16)
            d[0] = 0; d[1] = 0.5; d[9] = 0
            d.withUnsafeMutableBufferPointer {
                RandomKernels.boxMuller16($0.baseAddress!, blocks: 1, mean: 2, std: 3, isa: isa)
            }
            #expect(d[0] == 2 && d[8] == 2, "\(isa)")
            // mean + std * sqrt(2 ln 2) = 2 + 3 * 1.1774100225154747
            #expect(abs(Double(d[1]) - (2 + 3 * 1.1774100225154747)) < 1e-6, "\(isa): \(d[1])")
            #expect(d[9] == 2, "\(isa)")
            // u1 = 1 - 0.3 and angle 2 pi 0.3: radius sqrt(-2 ln 0.7) = 0.8446004309005916
            let r = 0.8446004309005916, theta = 2 * Double.pi * 0.3
            #expect(abs(Double(d[2]) - (2 + 3 * r * cos(theta))) < 2e-6, "\(isa)")
            #expect(abs(Double(d[10]) - (2 + 3 * r * sin(theta))) < 2e-6, "\(isa)")
        }
    }

    /// The 624-word state of `std::mt19937(seed)`.
    func seededState(_ seed: UInt32) -> [UInt32] {
        var s = [UInt32](repeating: 0, count: 624)
        s[0] = seed
        for j in 1..<624 { s[j] = 1_812_433_253 &* (s[j - 1] ^ (s[j - 1] >> 30)) &+ UInt32(j) }
        return s
    }

    @Test("bulk Mersenne Twister uniforms: the C++ standard's outputs, the same on every ISA")
    func mersenneUniforms() {
        // std::mt19937(5489)'s first output is 3499211612; as a float uniform, 24 bits of it.
        var state = seededState(5489)
        var index = 624
        var first: Float = 0
        RandomKernels.mt19937Uniform(state: &state, index: &index, &first, count: 1, isa: .portable)
        #expect(first == Float(3_499_211_612 & 0xFF_FFFF) * 0x1p-24 && index == 1)
        // Its 10000th output is 4123659995 (also the C++ standard's check): sixteen twists later.
        for isa in KernelISA.available {
            var st = seededState(5489), ix = 624
            var values = [Float](repeating: 0, count: 10_000)
            RandomKernels.mt19937Uniform(state: &st, index: &ix, &values, count: 10_000, isa: isa)
            #expect(values[9_999] == Float(4_123_659_995 & 0xFF_FFFF) * 0x1p-24, "\(isa)")
        }
        // 3000 values cross several twists at odd offsets; every ISA, plain and scaled (one fma), agrees.
        for (from, span) in [(Float(0), Float(1)), (-0.3, 0.6)] {
            var reference = [Float](repeating: 0, count: 3001)
            var refState = seededState(7), refIndex = 624
            RandomKernels.mt19937Uniform(state: &refState, index: &refIndex, &reference, count: 3001,
                                         from: from, span: span, isa: .portable)
            for isa in KernelISA.available {
                var values = [Float](repeating: 0, count: 3001)
                var st = seededState(7), ix = 624
                // In two calls, the second starting mid-state, as consecutive fills do.
                RandomKernels.mt19937Uniform(state: &st, index: &ix, &values, count: 13, from: from, span: span, isa: isa)
                values.withUnsafeMutableBufferPointer {
                    RandomKernels.mt19937Uniform(state: &st, index: &ix, $0.baseAddress! + 13, count: 2988,
                                                 from: from, span: span, isa: isa)
                }
                #expect(values == reference && ix == refIndex && st == refState, "\(isa) from \(from)")
            }
        }
    }
}
