// Batch norm's channel kernels ([N, C, S]) on planes small enough for the channel-vectorized loops (S ≤
// `smallPlane`) and larger ones, against a plain Double evaluation of the formulas, channel by channel.
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite struct ChannelNormalizationTests {
    /// (n, c, s): planes of 1, 4 and 16 elements (the small-plane loops), 17, 40 and 67 (the per-plane ones, their
    /// float rows in C: vectors of 16 and 32 lanes and a tail); 70 channels so that the pool splits them.
    @Test(arguments: [(3, 5, 1), (2, 70, 4), (4, 3, 16), (3, 5, 17), (2, 70, 40), (2, 3, 67)])
    func channelKernelsMatchDoubleFormulas(_ shape: (n: Int, c: Int, s: Int)) {
        let (n, c, s) = shape, count = n * c * s
        var rng = TestRandom(seed: UInt64(n * 1000 + c * 10 + s))
        let x = (0..<count).map { _ in Float(rng.next() * 4 - 1) }
        let gy = (0..<count).map { _ in Float(rng.next() * 2 - 1) }
        let w = (0..<c).map { _ in Float(rng.next() + 0.5) }, b = (0..<c).map { _ in Float(rng.next()) }
        var mean = [Double](repeating: .nan, count: c), variance = mean
        NormalizationKernels.channelStats(x, n: n, c: c, s: s, mean: &mean, variance: &variance)
        let invstd = variance.map { 1 / ($0 + 1e-5).squareRoot() }
        var y = [Float](repeating: .nan, count: count)
        NormalizationKernels.channelTransform(x, n: n, c: c, s: s, mean: mean, invstd: invstd, weight: w, bias: b, &y)
        for training in [true, false] {
            var gx = [Float](repeating: .nan, count: count), gw = [Float](repeating: .nan, count: c), gb = gw
            NormalizationKernels.channelBackward(gradOutput: gy, input: x, n: n, c: c, s: s, mean: mean, invstd: invstd,
                                                 weight: w, training: training, gradInput: &gx, gradWeight: &gw, gradBias: &gb)
            var worst = 0.0, worstStats = 0.0, worstSums = 0.0
            for ch in 0..<c {
                let at = (0..<n).flatMap { i in (0..<s).map { (i * c + ch) * s + $0 } }
                let xs = at.map { Double(x[$0]) }, gs = at.map { Double(gy[$0]) }, m = Double(at.count)
                let mu = xs.reduce(0, +) / m, v = xs.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / m
                worstStats = max(worstStats, abs(mean[ch] - mu), abs(variance[ch] - v))
                let rs = 1 / (v + 1e-5).squareRoot(), xhat = xs.map { ($0 - mu) * rs }, wc = Double(w[ch])
                let sumG = gs.reduce(0, +), sumGXhat = zip(gs, xhat).map(*).reduce(0, +)
                worstSums = max(worstSums, abs(Double(gb[ch]) - sumG) / max(1, abs(sumG)),
                                abs(Double(gw[ch]) - sumGXhat) / max(1, abs(sumGXhat)))
                for (k, e) in at.enumerated() {
                    worst = max(worst, abs(Double(y[e]) - (xhat[k] * wc + Double(b[ch]))))
                    // ∂L/∂x = w·rs·(g − mean(g) − x̂·mean(g·x̂)) with the batch's statistics, w·rs·g without.
                    let want = training ? wc * rs * (gs[k] - sumG / m - xhat[k] * sumGXhat / m) : wc * rs * gs[k]
                    worst = max(worst, abs(Double(gx[e]) - want))
                }
            }
            // Every output written (Swift.max passes over a NaN left in an unwritten element).
            #expect(gx.allSatisfy(\.isFinite) && gw.allSatisfy(\.isFinite) && gb.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite),
                    "\(shape), training \(training): an output left unwritten")
            #expect(worstStats < 1e-12, "\(shape): statistics off by \(worstStats)")
            #expect(worst < 1e-5, "\(shape), training \(training): worst difference \(worst)")
            #expect(worstSums < 1e-6, "\(shape): weight/bias gradients off by \(worstSums)")
        }
    }

    /// The per-plane path's C loops at every ISA level: the sums against Double, the input gradient against the
    /// same float expression evaluated in Swift (the C loop must give the same bits: no fused multiply-add).
    @Test func channelBackwardRowsAtEveryLevel() {
        let rows = 3, n = 53, stride = 61
        var rng = TestRandom(seed: 99)
        let g = (0..<(rows * stride)).map { _ in Float(rng.next() * 2 - 1) }
        let x = (0..<(rows * stride)).map { _ in Float(rng.next() * 4 - 1) }
        let m = 0.37, meanG: Float = 0.11, mt: Float = 0.37, proj: Float = -0.23, k: Float = 1.7
        var sumG = 0.0, sumGX = 0.0
        for r in 0..<rows {
            for j in 0..<n { sumG += Double(g[r * stride + j]); sumGX += Double(g[r * stride + j]) * (Double(x[r * stride + j]) - m) }
        }
        for isa in KernelISA.available {
            var sums = [Double](repeating: .nan, count: 2)
            ember_f32_bn_grad_sums_level(Int32(isa.rawValue), g, x, rows, stride, n, m, &sums)
            #expect(abs(sums[0] - sumG) < 1e-12 && abs(sums[1] - sumGX) < 1e-12, "\(isa): sums \(sums) vs \(sumG), \(sumGX)")
            var d = [Float](repeating: 7, count: rows * stride)
            ember_f32_bn_grad_input_level(Int32(isa.rawValue), g, x, rows, stride, n, meanG, mt, proj, k, &d)
            for r in 0..<rows {
                for j in 0..<stride {
                    let e = r * stride + j
                    let want: Float = j < n ? ((g[e] - meanG) - (x[e] - mt) * proj) * k : 7
                    if d[e] != want { Issue.record("\(isa): d[\(r), \(j)] = \(d[e]), expected \(want)"); return }
                }
            }
        }
    }
}
