// A terminal progress bar for training loops (redrawn in place when the output is a terminal).
import Foundation

/// Draws `epoch 1/10 [=========>      ] 120/235 loss 0.512 acc 0.81 1.2k img/s` on standard error.
///
/// On a terminal the line is redrawn in place; otherwise (CI logs, pipes) it prints one line per epoch
/// so logs stay readable.
public final class ProgressBar {
    public let total: Int
    public let label: String
    private let width: Int
    private let interactive: Bool
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private let start = DispatchTime.now()

    /// A bar for a task of `total` steps, drawn on standard error.
    ///
    /// - Parameters:
    ///   - total: The number of steps in the task.
    ///   - label: Printed before the bar.
    ///   - width: The bar's width in characters.
    public init(total: Int, label: String, width: Int = 30) {
        self.total = total
        self.label = label
        self.width = width
        self.interactive = isatty(fileno(stderr)) != 0
    }

    /// Updates the bar to `done` of `total`, with metrics shown after it (drawn at most ~10 times a second).
    ///
    /// - Parameters:
    ///   - done: The number of steps done.
    ///   - metrics: Values shown after the bar, in order (`loss 0.431`).
    ///   - samplesPerSecond: The throughput to show (nil: not shown).
    public func update(_ done: Int, metrics: [(String, Double)] = [], samplesPerSecond: Double? = nil) {
        let now = DispatchTime.now()
        guard interactive, done == total || now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        FileHandle.standardError.write(("\r" + line(done, metrics, samplesPerSecond)).data(using: .utf8)!)
    }

    /// Ends the bar with a final line.
    public func finish(metrics: [(String, Double)] = [], samplesPerSecond: Double? = nil) {
        let text = line(total, metrics, samplesPerSecond)
        FileHandle.standardError.write(((interactive ? "\r" : "") + text + "\n").data(using: .utf8)!)
    }

    /// Seconds since the bar was created.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

    func line(_ done: Int, _ metrics: [(String, Double)], _ rate: Double?) -> String {
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: Swift.max(0, width - filled - 1))
        var s = "\(label) [\(bar)] \(done)/\(total)"
        for (k, v) in metrics { s += String(format: " %@ %.4f", k, v) }
        if let r = rate { s += String(format: " %.0f samples/s", r) }
        s += String(format: " %.1fs", elapsed)
        return s
    }
}
