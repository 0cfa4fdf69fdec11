// `ember bench`: the release-mode benchmark suite, printed as a table or as JSON.
import ArgumentParser
import Foundation
import EmberKit
import EmberKernels

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the performance benchmarks (build with -c release).",
        discussion: """
            GEMM rows also print GFLOP/s as a fraction of fma_peak (a register-only FMA loop on all threads), \
            memory-bound rows GB/s as a fraction of stream_copy (STREAM's copy of 10M floats); both limit rows \
            run first whenever a selected row needs them.
            """)

    @Flag(help: "Print [{\"name\", \"median_s\", \"runs\", \"gflops\"|\"gbps\", \"fraction_of_limit\"}] JSON instead of a table.")
    var json = false
    @Option(help: "Only run benchmarks whose name contains this text.") var filter: String?
    @Option(help: "Timed runs per benchmark (after one warm-up).") var runs: Int?
    @Flag(help: ArgumentHelp("Time runs by the process's CPU time, not the wall clock.",
                             discussion: "With EMBER_NUM_THREADS=1 this is each run's compute time without what a shared machine's other processes take from it; with more threads it adds up every thread (spin-waits included), so use it single-threaded."))
    var cpuTime = false
    @Flag(help: ArgumentHelp("Time each row as pairs of runs with ExperimentSwitch.isOn off (A) and on (B); print B/A.",
                             discussion: "For trying a change guarded by `ExperimentSwitch.isOn` against the code it replaces, in one process: each pair runs both variants back to back, so a slow spell of the machine slows both alike. Prints the median and quartiles of the pairs' ratios."))
    var paired = false

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1, got \(runs)") }
        if paired && json { throw ValidationError("--paired prints ratio lines, not JSON: use one of --paired and --json") }
    }

    func run() throws {
        let all = allBenchmarks()
        var selected = all.filter { bench in filter.map { bench.name.contains($0) } ?? true }
        if paired {
            for bench in selected where bench.skipReason() == nil {
                if let timing = bench.measurePaired(runs: runs ?? bench.defaultRuns, cpuTime: cpuTime) { print(timing.line) }
            }
            return
        }
        // A rate is only read against the limit measured in the same run.
        let limits = [(BenchmarkResult.streamCopyName, selected.contains { $0.bytes != nil }),
                      (BenchmarkResult.fmaPeakName, selected.contains { $0.flops != nil })]
        for (name, needed) in limits where needed && !selected.contains(where: { $0.name == name }) {
            selected.insert(contentsOf: all.filter { $0.name == name }, at: 0)
        }
        var results: [BenchmarkResult] = []
        var peak: BenchmarkResult?, stream: BenchmarkResult?
        for bench in selected {
            if let skip = bench.skipReason() {
                FileHandle.standardError.write("skipping \(bench.name): \(skip)\n".data(using: .utf8)!)
                continue
            }
            var result = bench.measure(runs: runs ?? bench.defaultRuns, cpuTime: cpuTime)
            if bench.name == BenchmarkResult.fmaPeakName { peak = result }
            if bench.name == BenchmarkResult.streamCopyName { stream = result }
            result.relate(toPeak: peak, stream: stream)
            results.append(result)
            if !json { print(result.tableLine) }
        }
        if json { print(BenchmarkResult.json(results)) }
    }
}
