// Training metrics from the notes: accuracy, Accumulator, Timer.
import Foundation
import Ember

/// Number of correct predictions (`d2l.accuracy`): argmax over classes compared with the labels.
///
/// ```swift
/// let correct = accuracy(yHat, y)   // a Double count
/// ```
public func accuracy(_ yHat: Tensor, _ y: Tensor) -> Double {
    let predicted = yHat.rank > 1 && yHat.shape[1] > 1 ? yHat.argmax(dim: 1) : yHat
    return (predicted.to(y.dtype) == y).to(.float64).sum().item()
}

/// Sums several running quantities (`d2l.Accumulator`), e.g. loss sum, correct count, sample count. A class, as
/// d2l's is: `let metric = Accumulator(3)` can be passed around and added to.
public final class Accumulator {
    public private(set) var values: [Double]
    public init(_ n: Int) { values = [Double](repeating: 0, count: n) }
    /// Adds each argument to its slot (with any numbers: `metric.add(l * n, correct, n)`).
    public func add(_ xs: Double...) { for (i, x) in xs.enumerated() { values[i] += x } }
    public func reset() { values = values.map { _ in 0 } }
    public subscript(i: Int) -> Double { values[i] }
}

/// Records wall-clock intervals (`d2l.Timer`).
public struct Timer {
    public private(set) var times: [Double] = []
    private var startTime = DispatchTime.now()
    public init() {}
    public mutating func start() { startTime = DispatchTime.now() }
    /// Stops the current interval, records and returns it in seconds.
    @discardableResult
    public mutating func stop() -> Double {
        let t = Double(DispatchTime.now().uptimeNanoseconds - startTime.uptimeNanoseconds) / 1e9
        times.append(t)
        return t
    }
    public var sum: Double { times.reduce(0, +) }
    public var average: Double { times.isEmpty ? 0 : sum / Double(times.count) }
    /// Running totals of the recorded intervals.
    public var cumsum: [Double] { var acc = 0.0; return times.map { acc += $0; return acc } }
}
