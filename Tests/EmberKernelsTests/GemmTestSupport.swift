// Helpers for the GEMM tests: strided matrices in flat buffers and a naive reference computed in Double.
@testable import EmberKernels

/// Deterministic pseudo-random values in [-1, 1) (SplitMix64), so failures reproduce.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 2 - 1
    }
}

/// How a matrix operand is laid out in memory.
enum Layout: CaseIterable, CustomStringConvertible {
    case rowMajor, transposed, strided
    var description: String {
        switch self {
        case .rowMajor: return "rowMajor"
        case .transposed: return "transposed"
        case .strided: return "strided"
        }
    }

    /// (rowStride, colStride, storage size) for a rows×cols operand.
    func strides(rows: Int, cols: Int) -> (Int, Int, Int) {
        switch self {
        case .rowMajor: return (cols, 1, rows * cols)
        case .transposed: return (1, rows, rows * cols)
        case .strided: return (2 * cols + 3, 2, (rows - 1) * (2 * cols + 3) + (cols - 1) * 2 + 1)
        }
    }
}

/// One GEMM problem with random operands, runnable in Float or Double and checkable against Double loops.
struct GemmCase {
    let m: Int, n: Int, k: Int
    let alpha: Double, beta: Double
    let aLayout: Layout, bLayout: Layout
    let ldc: Int
    let ars: Int, acs: Int, brs: Int, bcs: Int
    var a: [Double], b: [Double], c: [Double]
    /// The exact-ish result (Double loops) and, per element, the sum of the magnitudes that went into it.
    var expected: [Double] = [], magnitude: [Double] = []

    init(m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, a aLayout: Layout = .rowMajor,
         b bLayout: Layout = .rowMajor, ldcPad: Int = 0, nanC: Bool = false, seed: UInt64 = 1) {
        self.m = m; self.n = n; self.k = k; self.alpha = alpha; self.beta = beta
        self.aLayout = aLayout; self.bLayout = bLayout
        ldc = n + ldcPad
        var rng = TestRandom(seed: seed &* 7919 &+ UInt64(m * 1_000_003 + n * 1009 + k))
        let (ars, acs, aSize) = aLayout.strides(rows: m, cols: k)
        let (brs, bcs, bSize) = bLayout.strides(rows: k, cols: n)
        self.ars = ars; self.acs = acs; self.brs = brs; self.bcs = bcs
        a = (0..<max(aSize, 1)).map { _ in rng.next() }
        b = (0..<max(bSize, 1)).map { _ in rng.next() }
        c = (0..<max(m * ldc, 1)).map { _ in nanC ? .nan : rng.next() }
        (expected, magnitude) = reference()
    }

    /// Expected C (padding columns keep their old values) and per-element error scale, computed once.
    private func reference() -> (value: [Double], magnitude: [Double]) {
        var value = c, magnitude = [Double](repeating: 0, count: c.count)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, size = 0.0
                for p in 0..<k {
                    let term = a[i * ars + p * acs] * b[p * brs + j * bcs]
                    sum += term
                    size += abs(term)
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                value[i * ldc + j] = alpha * sum + old
                magnitude[i * ldc + j] = abs(alpha) * size + abs(old)
            }
        }
        return (value, magnitude)
    }

    /// Runs sgemm and returns the largest error / tolerance ratio (<= 1 passes; NaN fails).
    func checkFloat(isa: KernelISA) -> Double {
        let af = a.map(Float.init), bf = b.map(Float.init)
        var cf = c.map(Float.init)
        af.withUnsafeBufferPointer { ap in
            bf.withUnsafeBufferPointer { bp in
                cf.withUnsafeMutableBufferPointer { cp in
                    Gemm.sgemm(m: m, n: n, k: k, alpha: Float(alpha), a: ap.baseAddress!, aRowStride: ars,
                               aColStride: acs, b: bp.baseAddress!, bRowStride: brs, bColStride: bcs,
                               beta: Float(beta), c: cp.baseAddress!, ldc: ldc, isa: isa)
                }
            }
        }
        return worstRatio(cf.map(Double.init), epsilon: Double(Float.ulpOfOne))
    }

    /// Runs dgemm and returns the largest error / tolerance ratio.
    func checkDouble(isa: KernelISA) -> Double {
        var cd = c
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                cd.withUnsafeMutableBufferPointer { cp in
                    Gemm.dgemm(m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress!, aRowStride: ars,
                               aColStride: acs, b: bp.baseAddress!, bRowStride: brs, bColStride: bcs,
                               beta: beta, c: cp.baseAddress!, ldc: ldc, isa: isa)
                }
            }
        }
        return worstRatio(cd, epsilon: Double.ulpOfOne)
    }

    /// Largest |got - expected| / tolerance over C, where the tolerance is (k + 4) roundings of the
    /// magnitudes involved; padding columns must be untouched (infinity otherwise).
    func worstRatio(_ got: [Double], epsilon: Double) -> Double {
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                if j >= n {
                    if !(got[index].bitPattern == Double(Float(c[index])).bitPattern
                         || got[index].bitPattern == c[index].bitPattern) { return .infinity }
                    continue
                }
                let tolerance = epsilon * Double(k + 4) * magnitude[index] + 1e-300
                let ratio = abs(got[index] - expected[index]) / tolerance
                if !(ratio <= worst) { worst = ratio.isNaN ? .infinity : ratio }
            }
        }
        return worst
    }
}
