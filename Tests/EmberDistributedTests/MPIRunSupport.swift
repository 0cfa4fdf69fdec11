// Running `ember-mpi-check` scenarios under `mpirun` with a time limit, and skipping where MPI is absent.
import Foundation
import Testing
import EmberDistributed
import _EmberTestSupport

enum MPIRun {
    /// `mpirun` on PATH, or nil.
    static let mpirun = executableOnPath("mpirun")

    /// True when both `mpirun` and a loadable Open MPI library are present; otherwise `skipReason` says which is missing.
    static var available: Bool { skipReason == nil }
    static let skipReason: String? = {
        if mpirun == nil { return "mpirun is not on PATH (apt-get install openmpi-bin libopenmpi-dev)" }
        return MPI.unavailableReason
    }()

    /// The `ember-mpi-check` executable built beside this test bundle.
    static func checkExecutable() throws -> URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()]
        for dir in candidates {
            let url = dir.appendingPathComponent("ember-mpi-check")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        Issue.record("ember-mpi-check was not found beside the test bundle (\(candidates.map(\.path)))")
        throw CocoaError(.fileNoSuchFile)
    }

    /// Runs `mpirun -np ranks ember-mpi-check scenario arguments…`; returns the exit status, the combined output
    /// and the seconds it took. A run longer than `timeout` is terminated (SIGTERM, then SIGKILL) and recorded.
    static func run(_ scenario: String, _ arguments: [String] = [], ranks: Int = 2, timeout: Double = 60,
                    environment extra: [String: String] = [:]) throws -> (status: Int32, output: String, seconds: Double) {
        let process = Process()
        process.executableURL = mpirun
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks),
                             try checkExecutable().path, scenario] + arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let start = Date()
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            Issue.record("mpirun \(scenario) ran longer than \(timeout) s; terminated")
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { kill(pid, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(start))
    }
}
