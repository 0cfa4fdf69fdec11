// Average pooling over 2×2 windows at stride 2 (avgpool2_f32.c) at every ISA level: bit-equal to the window sum in
// PyTorch's order, ((a + b) + c) + d, divided in Float, on widths that leave vector tails and odd last rows/columns.
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite struct AvgPool2KernelTests {
    /// (planes, h, w, divisor): outputs floor(h / 2) × floor(w / 2); widths around the 8-output vector.
    static let cases: [(Int, Int, Int, Float)] = [(3, 28, 28, 4), (2, 10, 10, 4), (2, 5, 33, 4), (1, 2, 2, 4),
                                                  (2, 7, 17, 3), (1, 4, 48, 4)]

    static func planes(_ count: Int, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed: seed)
        return (0..<count).map { _ in Float(rng.next()) }
    }

    @Test("forward: ((a + b) + c) + d over each window, divided, at every level", arguments: KernelISA.available)
    func forward(isa: KernelISA) {
        for (planes, h, w, divisor) in Self.cases {
            let oh = h / 2, ow = w / 2
            let x = Self.planes(planes * h * w, seed: UInt64(h * w))
            var y = [Float](repeating: .nan, count: planes * oh * ow + 3)
            ember_f32_avgpool2_forward(Int32(isa.rawValue), x, planes, h, w, oh, ow, divisor, &y)
            var failures: [String] = []
            for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
                let r0 = p * h * w + 2 * oy * w + 2 * ox, r1 = r0 + w
                let want = (((x[r0] + x[r0 + 1]) + x[r1]) + x[r1 + 1]) / divisor
                let got = y[(p * oh + oy) * ow + ox]
                if got != want { failures.append("\(h)×\(w) plane \(p) (\(oy), \(ox)): \(got) vs \(want)") }
            } } }
            #expect(failures.isEmpty, "\(isa): \(failures.prefix(3))")
            #expect(y[(planes * oh * ow)...].allSatisfy { $0.isNaN }, "\(isa) \(h)×\(w): wrote past the output")
        }
    }

    @Test("backward: each window's inputs get gy / divisor, an odd last row and column zero", arguments: KernelISA.available)
    func backward(isa: KernelISA) {
        for (planes, h, w, divisor) in Self.cases {
            let oh = h / 2, ow = w / 2
            let gy = Self.planes(planes * oh * ow, seed: UInt64(oh * ow + 1))
            var gx = [Float](repeating: .nan, count: planes * h * w + 3)
            ember_f32_avgpool2_backward(Int32(isa.rawValue), gy, planes, h, w, oh, ow, divisor, &gx)
            var failures: [String] = []
            for p in 0..<planes { for y in 0..<h { for x in 0..<w {
                let inside = y < 2 * oh && x < 2 * ow
                let want = inside ? gy[(p * oh + y / 2) * ow + x / 2] / divisor : 0
                let got = gx[(p * h + y) * w + x]
                if got != want { failures.append("\(h)×\(w) plane \(p) (\(y), \(x)): \(got) vs \(want)") }
            } } }
            #expect(failures.isEmpty, "\(isa): \(failures.prefix(3))")
            #expect(gx[(planes * h * w)...].allSatisfy { $0.isNaN }, "\(isa) \(h)×\(w): wrote past the gradient")
        }
    }
}
