// VectorMath tests: exp accuracy in ulps against libm over the whole float range, sum accuracy.
import Testing
import Foundation
@testable import EmberKernels

/// Distance in representable floats between a and b (0 when both are NaN or equal infinities).
func ulpDistance(_ a: Float, _ b: Float) -> Int {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : Int.max }
    func ordered(_ x: Float) -> Int {
        let bits = Int(x.bitPattern & 0x7FFF_FFFF)
        return x.sign == .minus ? -bits : bits
    }
    return abs(ordered(a) - ordered(b))
}

@Suite("VectorMath")
struct VectorMathTests {
    @Test("exp within 2 ulp of libm, with inf, NaN, overflow and denormal results", arguments: KernelISA.available)
    func expAccuracy(isa: KernelISA) {
        var inputs: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, 100, -100, 88.72, 88.73, -87.3,
                               -103.9, -104.5, -150, 1e-8, -1e-8, .leastNonzeroMagnitude, 1e30, -1e30,
                               logf(Float.greatestFiniteMagnitude), 0.5 * .ulpOfOne]
        var x: Float = -110
        while x < 95 { inputs.append(x); x += 0.0137 }
        var rng = TestRandom(seed: 42)
        for _ in 0..<20_000 { inputs.append(Float(rng.next() * 20)) }
        var output = [Float](repeating: 0, count: inputs.count)
        for n in [inputs.count, 1, 15, 17, 33] {  // odd lengths exercise the vector tails
            VectorMath.unary(.exp, inputs, &output, n, isa: isa)
        }
        VectorMath.unary(.exp, inputs, &output, inputs.count, isa: isa)
        var worst = 0, worstInput: Float = 0
        for (i, v) in inputs.enumerated() {
            let expected = Float(Foundation.exp(Double(v)))
            let distance = ulpDistance(output[i], expected)
            if distance > worst { worst = distance; worstInput = v }
        }
        #expect(worst <= 2, "exp \(isa): \(worst) ulp at x = \(worstInput)")
        #expect(output[4] == .infinity && output[5] == 0 && output[6].isNaN)
        #expect(output[14] == 0 && output[18] == .infinity && output[12].isSubnormal)
    }

    /// 10M mostly positive values (so the total is large and rounding would show) and their exact sum;
    /// made once and shared by every ISA's case, since filling them dominates a debug-build test.
    static let sumData: (x: UnsafeMutablePointer<Float>, n: Int, exact: Double, magnitude: Double) = {
        let n = 10_000_000
        let x = UnsafeMutablePointer<Float>.allocate(capacity: n)
        var rng = TestRandom(seed: 7)
        var exact = 0.0, magnitude = 0.0
        for i in 0..<n {
            let v = Float(rng.next() + 0.3)
            x[i] = v
            exact += Double(v)
            magnitude += abs(Double(v))
        }
        return (x, n, exact, magnitude)
    }()

    @Test("sum of 10M floats matches a Double sum", arguments: KernelISA.available)
    func sumAccuracy(isa: KernelISA) {
        let (x, n, exact, magnitude) = VectorMathTests.sumData
        let total = VectorMath.sum(x, n, isa: isa)
        #expect(abs(Double(total) - exact) <= 2e-7 * magnitude, "sum \(isa): \(total) vs \(exact)")
        for small in [0, 1, 5, 31, 2049, 4097] {
            var expected = 0.0
            for i in 0..<small { expected += Double(x[i]) }
            let got = VectorMath.sum(x, small, isa: isa)
            #expect(abs(Double(got) - expected) <= 1e-6 * max(1, abs(expected)), "sum \(isa) n=\(small)")
        }
    }
}
