// `ember bench --paired`: one row's A/B pairs (ExperimentSwitch off, on) and their summary line.
import Foundation

/// The times of one row's pairs of runs, A with `ExperimentSwitch.isOn` off and B with it on, and the quartiles of
/// the per-pair ratio B/A (below 1: the variant under experiment is faster).
struct PairedTiming {
    let name: String
    private(set) var a: [Double] = [], b: [Double] = []

    init(name: String) { self.name = name }

    mutating func add(a: Double, b: Double) {
        self.a.append(a)
        self.b.append(b)
    }

    /// The q-quantile (0…1) of the pairs' B/A ratios, nearest rank.
    func ratioQuantile(_ q: Double) -> Double {
        let ratios = zip(b, a).map { $0 / $1 }.sorted()
        guard !ratios.isEmpty else { return .nan }
        return ratios[min(ratios.count - 1, Int((q * Double(ratios.count - 1)).rounded()))]
    }

    var line: String {
        let name = name.padding(toLength: Swift.max(32, name.count + 1), withPad: " ", startingAt: 0)
        return name + String(format: "B/A %.3f (quartiles %.3f–%.3f, %d pairs)  A min %.3f ms  B min %.3f ms",
                             ratioQuantile(0.5), ratioQuantile(0.25), ratioQuantile(0.75), a.count,
                             (a.min() ?? .nan) * 1000, (b.min() ?? .nan) * 1000)
    }
}
