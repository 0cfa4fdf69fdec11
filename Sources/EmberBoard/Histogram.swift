// Histogram: the bucket layout of PyTorch's add_histogram (numpy.histogram, then trimmed for TensorBoard).

import Ember

/// How `addHistogram` chooses its bins, like the `bins` argument of PyTorch's `add_histogram`.
public enum HistogramBins {
    /// PyTorch's default `"tensorflow"` bins: edges ±1e-12·1.1^k up to 1e20, and 0.
    case tensorflow
    /// `count` equal-width bins between the data's min and max (numpy's `bins=int`).
    case count(Int)
    /// Explicit increasing bin edges (numpy's `bins=sequence`); values outside are not counted.
    case edges([Double])
}

/// PyTorch's `SummaryWriter.default_bins`: exponentially growing edges mirrored around 0 (1,547 edges).
let tensorflowBinEdges: [Double] = {
    var v = 1e-12
    var positive: [Double] = []
    while v < 1e20 {
        positive.append(v)
        v *= 1.1
    }
    return positive.reversed().map { -$0 } + [0] + positive
}()

/// numpy.histogram's counts: bin i holds edges[i] <= x < edges[i+1]; the last bin also holds x == its
/// right edge; values outside [edges.first, edges.last] (and NaN) are not counted.
func histogramCounts(_ values: [Double], edges: [Double]) -> [Double] {
    let nBins = edges.count - 1
    var counts = [Double](repeating: 0, count: nBins)
    guard nBins > 0, let first = edges.first, let last = edges.last else { return counts }
    for x in values where x >= first && x <= last {
        // First edge > x (numpy's searchsorted side='right'), minus one.
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        counts[Swift.min(lo - 1, nBins - 1)] += 1
    }
    return counts
}

/// numpy's `linspace(lo, hi, n + 1)` edges for `bins=n` (a degenerate range widens to lo-0.5...hi+0.5).
func uniformEdges(min lo0: Double, max hi0: Double, count n: Int) -> [Double] {
    var lo = lo0, hi = hi0
    if lo == hi { lo -= 0.5; hi += 0.5 }
    let step = (hi - lo) / Double(n)
    var edges = (0...n).map { Double($0) * step + lo }
    edges[n] = hi
    return edges
}

/// Builds the HistogramProto PyTorch's `make_histogram` writes for `values` (as float64).
///
/// TensorBoard stores only right bucket limits, so PyTorch keeps the bins from the first to the last
/// non-empty one and prepends the empty bin to their left (or a zero count when the first bin is
/// already non-empty), so that the leftmost limit is still shown.
func makeHistogram(_ values: [Double], bins: HistogramBins, op: String = "add_histogram") -> HistogramProto {
    guard let h = histogramIfAnyInRange(values, bins: bins, op: op) else { emberFail(op, "The histogram is empty, please file a bug report.") }
    return h
}

/// `makeHistogram`, or nil when no value falls inside the bin edges (finite values beyond ±1e20 with the
/// TensorFlow bins), where PyTorch raises "The histogram is empty".
func histogramIfAnyInRange(_ values: [Double], bins: HistogramBins, op: String = "add_histogram") -> HistogramProto? {
    emberCheck(!values.isEmpty, op, "The input has no element.")
    let vmin = values.min()!, vmax = values.max()!
    let edges: [Double]
    switch bins {
    case .tensorflow: edges = tensorflowBinEdges
    case let .count(n):
        emberCheck(n > 0, op, "`bins` must be positive, when an integer")
        edges = uniformEdges(min: vmin, max: vmax, count: n)
    case let .edges(e):
        emberCheck(e.count >= 2 && zip(e, e.dropFirst()).allSatisfy({ $0 <= $1 }), op,
                   "`bins` must increase monotonically, when an array")
        edges = e
    }
    let counts = histogramCounts(values, edges: edges)
    guard let firstNonEmpty = counts.firstIndex(where: { $0 > 0 }),
          let lastNonEmpty = counts.lastIndex(where: { $0 > 0 }) else { return nil }
    let end = lastNonEmpty + 1
    let bucket = firstNonEmpty > 0 ? Array(counts[(firstNonEmpty - 1)..<end]) : [0] + counts[..<end]
    let limits = Array(edges[firstNonEmpty...end])
    var sum = 0.0, sumSquares = 0.0
    for v in values {
        sum += v
        sumSquares += v * v
    }
    return HistogramProto(min: vmin, max: vmax, num: Double(values.count), sum: sum, sumSquares: sumSquares,
                          bucketLimit: limits, bucket: bucket)
}
