// `ember bench` as a user runs it: bad option values are usage errors, and `--paired` prints one ratio line per row.
import Foundation
import Testing

@Suite("ember bench", .serialized)
struct BenchCommandTests {
    @Test(arguments: [
        (["--runs", "0"], "--runs must be at least 1"),
        (["--paired", "--json"], "use one of --paired and --json"),
    ])
    func badOptionsAreUsageErrors(_ c: ([String], String)) throws {
        let r = try runEmber(["bench"] + c.0)
        #expect(r.status == 64 && r.stderr.contains(c.1), "\(c.0): exit \(r.status), \(r.stderr)")
    }

    /// Nothing reads `ExperimentSwitch` in committed code, so both halves of a pair run the same code; the line
    /// names the row, the number of pairs and a ratio.
    @Test func pairedPrintsOneRatioLinePerRow() throws {
        let r = try runEmber(["bench", "--paired", "--filter", "thread_pool_round_trip", "--runs", "3"])
        #expect(r.status == 0, "exit \(r.status), \(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("thread_pool_round_trip") && lines[0].contains("B/A ")
                && lines[0].contains("3 pairs"), "\(r.stdout)")
    }
}
