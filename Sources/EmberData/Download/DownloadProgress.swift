// A byte-count progress bar for downloads, in the style of EmberTrain's ProgressBar (which sits above this layer).
import Foundation

/// Draws `train-images-idx3-ubyte.gz [=========>      ] 4.2/9.9 MB 1.3s` on standard error.
///
/// On a terminal the line is redrawn in place (at most ten times a second); otherwise (logs, pipes, tests) only
/// the final line is printed, so logs stay readable.
final class DownloadProgress {
    private let label: String
    private var total: Int64?
    private let width = 30
    private let interactive = isatty(fileno(stderr)) != 0
    private var lastDraw: UInt64 = 0
    private let start = DispatchTime.now().uptimeNanoseconds

    init(label: String) { self.label = label }

    /// Sets the expected size once the server has announced it (nil when it did not).
    func expect(_ bytes: Int64?) { total = bytes }

    /// Redraws the bar at `done` bytes.
    func update(_ done: Int64) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard interactive, now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        FileHandle.standardError.write(Data(("\r" + line(done)).utf8))
    }

    /// Ends the bar with a final line (`failed` notes that this address did not deliver the file).
    func finish(_ done: Int64, failed: Bool = false) {
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line(done) + (failed ? " failed" : "") + "\n").utf8))
    }

    func line(_ done: Int64) -> String {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (scale, unit) = max(total ?? 0, done) >= 1_000_000 ? (1e6, "MB") : (1e3, "kB")
        func amount(_ n: Int64) -> String { String(format: "%.1f", Double(n) / scale) }
        guard let total, total > 0 else { return "\(label) \(amount(done)) \(unit) " + String(format: "%.1fs", seconds) }
        let filled = Int(min(1, Double(done) / Double(total)) * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        return "\(label) [\(bar)] \(amount(done))/\(amount(total)) \(unit) " + String(format: "%.1fs", seconds)
    }
}
