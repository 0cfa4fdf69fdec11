// Layer norm's row kernels over many rows (several blocks of the backward's weight and bias sums, split over the
// pool) against a plain Double evaluation of the same formulas, row by row.
import Testing
@testable import EmberKernels

@Suite struct RowNormalizationTests {
    @Test(arguments: [(300, 33), (1000, 128), (3, 5)])
    func rowKernelsMatchDoubleFormulas(_ shape: (rows: Int, d: Int)) {
        let (rows, d) = shape
        var rng = TestRandom(seed: UInt64(rows * 7 + d))
        let x = (0..<rows * d).map { _ in Float(rng.next() * 4 - 1) }
        let gy = (0..<rows * d).map { _ in Float(rng.next() * 2 - 1) }
        let w = (0..<d).map { _ in Float(rng.next() + 0.5) }, b = (0..<d).map { _ in Float(rng.next()) }
        var y = [Float](repeating: 0, count: rows * d), mean = [Double](repeating: 0, count: rows), rstd = mean
        var gx = y, gw = [Float](repeating: 0, count: d), gb = gw
        NormalizationKernels.rowForward(x, rows: rows, d: d, eps: 1e-5, weight: w, bias: b, &y, mean: &mean, rstd: &rstd)
        NormalizationKernels.rowBackward(gradOutput: gy, input: x, rows: rows, d: d, mean: mean, rstd: rstd, weight: w,
                                         gradInput: &gx, gradWeight: &gw, gradBias: &gb)
        var worst = 0.0
        var refW = [Double](repeating: 0, count: d), refB = refW
        for r in 0..<rows {
            let row = (0..<d).map { Double(x[r * d + $0]) }, g = (0..<d).map { Double(gy[r * d + $0]) }
            let m = row.reduce(0, +) / Double(d)
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(d)
            let rs = 1 / (v + 1e-5).squareRoot()
            let xhat = row.map { ($0 - m) * rs }
            let gwv = (0..<d).map { g[$0] * Double(w[$0]) }
            let a = gwv.reduce(0, +) / Double(d), c = zip(gwv, xhat).map(*).reduce(0, +) / Double(d)
            for j in 0..<d {
                worst = max(worst, abs(Double(y[r * d + j]) - (xhat[j] * Double(w[j]) + Double(b[j]))))
                worst = max(worst, abs(Double(gx[r * d + j]) - rs * (gwv[j] - a - xhat[j] * c)))
                refW[j] += g[j] * xhat[j]; refB[j] += g[j]
            }
        }
        #expect(worst < 1e-5, "\(rows)x\(d): worst difference \(worst)")
        for j in 0..<d {
            #expect(abs(Double(gw[j]) - refW[j]) <= 1e-6 * max(1, abs(refW[j])), "weight \(j)")
            #expect(abs(Double(gb[j]) - refB[j]) <= 1e-6 * max(1, abs(refB[j])), "bias \(j)")
        }
    }
}
