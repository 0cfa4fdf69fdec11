// `ember bench`: the release-mode benchmark suite, printed as a table or as JSON.
import ArgumentParser
import Foundation
import EmberKit
import EmberKernels

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the performance benchmarks (build with -c release).")

    @Flag(help: "Print [{\"name\", \"median_s\", \"runs\"}] JSON instead of a table.") var json = false
    @Option(help: "Only run benchmarks whose name contains this text.") var filter: String?
    @Option(help: "Timed runs per benchmark (after one warm-up).") var runs: Int?

    func run() throws {
        var results: [BenchmarkResult] = []
        for bench in allBenchmarks() where filter.map({ bench.name.contains($0) }) ?? true {
            if let skip = bench.skipReason() {
                FileHandle.standardError.write("skipping \(bench.name): \(skip)\n".data(using: .utf8)!)
                continue
            }
            results.append(bench.measure(runs: runs ?? bench.defaultRuns))
            if !json { print(results.last!.tableLine) }
        }
        if json { print(BenchmarkResult.json(results)) }
    }
}
