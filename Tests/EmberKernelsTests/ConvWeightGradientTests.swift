// ConvKernels.backward's weight gradient written over a NaN-filled buffer: every element, dead taps' zeros included,
// for direct and transposed products, against the definition in Double.
import Testing
@testable import EmberKernels

@Suite("Convolution weight gradient")
struct ConvWeightGradientTests {
    /// (batch, channels, map size, output channels): 3×3 kernels, stride 1, padding 1.
    static let cases: [(Int, Int, Int, Int)] = [
        (3, 5, 1, 4),   // 1×1 map: 8 of 9 taps only see padding, their columns must come out zero
        (3, 5, 1, 40),  // the same with the direct product
        (2, 3, 4, 6),   // every tap live, few channels: transposed product
        (2, 3, 4, 40),  // every tap live, 40 channels and few columns: direct product
        (4, 8, 8, 32),  // 32 channels over 256 columns of 72 rows: transposed product
    ]

    @Test("every element written, dead taps zero", arguments: cases)
    func weightGradientOverwritesEverything(_ shape: (Int, Int, Int, Int)) {
        let (n, c, size, o) = shape
        let g = ConvGeometry(channels: c, height: size, width: size, kernelHeight: 3, kernelWidth: 3, strideHeight: 1,
                             strideWidth: 1, padTop: 1, padLeft: 1, dilationHeight: 1, dilationWidth: 1,
                             outHeight: size, outWidth: size)
        var rng = TestRandom(seed: UInt64(n * 1000 + c * 100 + o))
        let input = (0..<n * c * size * size).map { _ in rng.next() }
        let gradOutput = (0..<n * o * size * size).map { _ in rng.next() }
        var gradWeight = [Double](repeating: .nan, count: o * c * 9)
        ConvKernels.backwardWeight(input: input, gradOutput: gradOutput, gradWeight: &gradWeight, batch: n, groups: 1,
                                   outChannels: o, g)
        // ∂w[o][c][i][j] = Σ_(n, y, x) gy[n][o][y][x] · x[n][c][y + i − 1][x + j − 1].
        var worst = 0.0
        for oc in 0..<o { for ic in 0..<c { for i in 0..<3 { for j in 0..<3 {
            var exact = 0.0
            for b in 0..<n { for y in 0..<size { for x in 0..<size {
                let yy = y + i - 1, xx = x + j - 1
                guard yy >= 0 && yy < size && xx >= 0 && xx < size else { continue }
                exact += gradOutput[((b * o + oc) * size + y) * size + x] * input[((b * c + ic) * size + yy) * size + xx]
            } } }
            let got = gradWeight[((oc * c + ic) * 3 + i) * 3 + j]
            worst = max(worst, got.isNaN ? .infinity : abs(got - exact))
        } } } }
        #expect(worst < 1e-12, "N\(n) C\(c) \(size)×\(size) O\(o): worst error \(worst)")
    }
}
