// Batch norm's channel kernels ([N, C, S]) on planes small enough for the channel-vectorized loops (S ≤
// `smallPlane`) and larger ones, against a plain Double evaluation of the formulas, channel by channel.
import Testing
@testable import EmberKernels

@Suite struct ChannelNormalizationTests {
    /// (n, c, s): planes of 1, 4 and 16 elements (the small-plane loops), 17 and 40 (the per-plane ones); 70
    /// channels so that the pool splits them.
    @Test(arguments: [(3, 5, 1), (2, 70, 4), (4, 3, 16), (3, 5, 17), (2, 70, 40)])
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
            #expect(worstStats < 1e-12, "\(shape): statistics off by \(worstStats)")
            #expect(worst < 1e-5, "\(shape), training \(training): worst difference \(worst)")
            #expect(worstSums < 1e-6, "\(shape): weight/bias gradients off by \(worstSums)")
        }
    }
}
