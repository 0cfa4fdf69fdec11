// Assertions for the scenarios: a failed check prints the rank and the message, then exits with status 1.
import Foundation
import Ember

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ember-mpi-check: FAILED: \(message)\n".utf8))
    exit(1)
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// Largest |a - b| / max(|b|, 1e-12) over the elements, or infinity on a shape mismatch.
func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    let x = a.scalars, y = b.scalars
    var worst = 0.0
    for (u, v) in zip(x, y) { worst = max(worst, abs(u - v) / max(abs(v), 1e-6)) }
    return worst
}
