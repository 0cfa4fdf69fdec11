// Max pooling's C passes over float rows, at every ISA level: row maxima and window maxima against a plain loop,
// NaNs included (a NaN anywhere in a window gives NaN).
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite struct PoolRowKernelsTests {
    @Test("rows and windows maxima at every ISA level, NaN propagated")
    func maximaMatchAPlainLoop() {
        var state: UInt64 = 12345
        let n = 301
        var a = (0..<n).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 41) % 2001 - 1000) / 100
        }
        var b = a.reversed().map { $0 * 0.5 }
        a[40] = .nan; b[200] = .nan
        func same(_ x: [Float], _ y: [Float]) -> Bool { zip(x, y).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 } }
        for isa in KernelISA.available {
            var acc = a
            ember_f32_rows_max_level(Int32(isa.rawValue), &acc, b, n)
            let want = zip(a, b).map { x, y in x.isNaN || y.isNaN ? Float.nan : Swift.max(x, y) }
            #expect(same(acc, want), "\(isa): rows")
            for (stride, kw) in [(2, 3), (1, 3), (2, 2), (3, 5)] {
                let outputs = (n - kw) / stride + 1
                var out = [Float](repeating: 7, count: outputs + 4)
                ember_f32_windows_max_level(Int32(isa.rawValue), a, outputs, stride, kw, &out)
                let ref: [Float] = (0..<outputs).map { i in
                    let window = a[(i * stride)..<(i * stride + kw)]
                    return window.contains { $0.isNaN } ? .nan : window.max()!
                }
                #expect(same(Array(out[..<outputs]), ref) && out[outputs...].allSatisfy { $0 == 7 },
                        "\(isa): windows of \(kw) at stride \(stride)")
            }
        }
    }
}
