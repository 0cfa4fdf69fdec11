// The F(4×4, 3×3) input and output transforms over runs of tiles, called directly at every ISA level: the AVX2 and
// AVX-512 levels vectorize 8 tiles at a time with masked last groups, which whole-convolution tests reach only on
// the machine's own level and for the run lengths their shapes happen to give.
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite("Winograd F(4×4) runs")
struct WinogradF43RunTests {
    static let bt: [[Double]] = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                                 [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
    static let at: [[Double]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
    /// Run lengths: shorter than a vector, a vector with and without a following tile, and several with tails.
    static let runs = [1, 3, 4, 5, 7, 8, 9, 14, 16, 17, 23]

    @Test("input run: Bᵀ d B of every tile, nothing written past the run", arguments: KernelISA.available)
    func inputRun(isa: KernelISA) {
        var failures: [String] = []
        for tiles in Self.runs {
            var rng = TestRandom(seed: UInt64(tiles))
            let w = 4 * tiles + 5  // patch rows (4·tiles + 2 used) with slack, filled too
            let src = (0..<(6 * w)).map { _ in Float(rng.next()) }
            let matrix = tiles + 3  // three guard values after each plane's tiles
            var v = [Float](repeating: .nan, count: 36 * matrix)
            ember_winograd_f43_input_run(Int32(isa.rawValue), src, w, tiles, &v, matrix)
            for t in 0..<tiles {
                for i in 0..<6 { for j in 0..<6 {
                    var exact = 0.0, size = 0.0
                    for a in 0..<6 { for b in 0..<6 {
                        let term = Self.bt[i][a] * Double(src[a * w + 4 * t + b]) * Self.bt[j][b]
                        exact += term
                        size += abs(term)
                    } }
                    let got = v[(6 * i + j) * matrix + t]
                    // Two transforms of 6 terms each, in float: at most ~12 roundings of the magnitudes.
                    if !(abs(Double(got) - exact) <= 16 * Double(Float.ulpOfOne) * size) {
                        failures.append("\(isa) run \(tiles): v[\(6 * i + j)][\(t)] = \(got), expected \(exact)")
                    }
                } }
            }
            for xi in 0..<36 { for t in tiles..<matrix where !v[xi * matrix + t].isNaN {
                failures.append("\(isa) run \(tiles): v[\(xi)][\(t)] written past the run")
            } }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }

    @Test("output run: Aᵀ m A + bias of every tile, nothing written past the run", arguments: KernelISA.available)
    func outputRun(isa: KernelISA) {
        var failures: [String] = []
        for tiles in Self.runs {
            var rng = TestRandom(seed: UInt64(100 + tiles))
            let matrix = tiles + 3
            let m = (0..<(36 * matrix)).map { _ in Float(rng.next()) }
            let ow = 4 * tiles + 3, bias: Float = 0.375
            var dst = [Float](repeating: .nan, count: 4 * ow)
            ember_winograd_f43_output_run(Int32(isa.rawValue), m, matrix, tiles, bias, &dst, ow)
            for t in 0..<tiles {
                for k in 0..<4 { for l in 0..<4 {
                    var exact = Double(bias), size = abs(Double(bias))
                    for i in 0..<6 { for j in 0..<6 {
                        let term = Self.at[k][i] * Double(m[(6 * i + j) * matrix + t]) * Self.at[l][j]
                        exact += term
                        size += abs(term)
                    } }
                    let got = dst[k * ow + 4 * t + l]
                    if !(abs(Double(got) - exact) <= 16 * Double(Float.ulpOfOne) * size) {
                        failures.append("\(isa) run \(tiles): y[\(k)][\(4 * t + l)] = \(got), expected \(exact)")
                    }
                } }
            }
            for k in 0..<4 { for x in (4 * tiles)..<ow where !dst[k * ow + x].isNaN {
                failures.append("\(isa) run \(tiles): row \(k) column \(x) written past the run")
            } }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }
}
