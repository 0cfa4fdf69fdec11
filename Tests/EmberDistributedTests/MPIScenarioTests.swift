// Two-rank scenarios under mpirun: collectives, DDP equivalence, gradient accumulation, buffers, the sampler
// golden, and the failures that must stop every rank with a message (mismatches, a killed or stalled rank).
import Foundation
import Testing
import EmberDistributed
import _EmberTestSupport

@Suite(.serialized, .enabled(if: MPIRun.available, "Open MPI or mpirun is missing: the distributed scenarios are skipped"))
struct MPIScenarioTests {
    func expectSuccess(_ scenario: String, _ arguments: [String] = []) throws {
        let r = try MPIRun.run(scenario, arguments)
        #expect(r.status == 0, "\(scenario) failed (status \(r.status)):\n\(r.output)")
        #expect(r.output.contains("ok: \(scenario) on 2 ranks"), "\(r.output)")
    }

    @Test func collectivesOnEveryDType() throws { try expectSuccess("collectives") }

    /// 2 ranks × batch b = 1 rank × batch 2b after k SGD steps (1e-5 relative), identical on every rank.
    @Test func ddpMatchesSingleProcessTraining() throws { try expectSuccess("equivalence") }

    @Test func noSyncAccumulatesLocally() throws { try expectSuccess("no-sync") }

    @Test func batchNormBuffersFollowRankZero() throws { try expectSuccess("batchnorm-buffers") }

    @Test func samplerGoldenOnEachRank() throws {
        try expectSuccess("sampler", [goldenDirectory.appendingPathComponent("zoo.json").path])
    }

    @Test func mismatchedAllReduceNamesTheRanks() throws {
        let r = try MPIRun.run("mismatch-allreduce")
        #expect(r.status != 0)
        #expect(r.output.contains("rank 1 disagrees with rank 0 on allReduce(sum)"), "\(r.output)")
        #expect(r.output.contains("rank 0: allReduce(sum) of [2] torch.float32; rank 1: allReduce(sum) of [3] torch.float32"), "\(r.output)")
    }

    @Test func mismatchedModelsFailAtConstruction() throws {
        let r = try MPIRun.run("mismatch-model")
        #expect(r.status != 0)
        #expect(r.output.contains("ranks built different models"), "\(r.output)")
        #expect(r.output.contains("first differing parameter #2 '2.weight': rank 1 has [6, 8] torch.float32, rank 0 has [5, 8] torch.float32"), "\(r.output)")
    }

    @Test func mismatchedDTypesAreNamed() throws {
        let r = try MPIRun.run("mismatch-dtype")
        #expect(r.status != 0)
        #expect(r.output.contains("rank 0: broadcast of [3] torch.float32; rank 1: broadcast of [3] torch.float64"), "\(r.output)")
    }

    @Test func unusedParameterIsNamed() throws {
        let r = try MPIRun.run("unused-parameter")
        #expect(r.status != 0)
        #expect(r.output.contains("parameters that did not receive a gradient: unused.weight, unused.bias"), "\(r.output)")
    }

    @Test func findUnusedParametersKeepsRanksInStep() throws { try expectSuccess("find-unused") }

    @Test func killedRankStopsTheJob() throws {
        let r = try MPIRun.run("killed-rank", timeout: 60, environment: ["EMBER_DISTRIBUTED_TIMEOUT": "5"])
        #expect(r.status != 0)
        #expect(r.seconds < 30, "took \(r.seconds) s")
        #expect(r.output.contains("rank 1") && (r.output.contains("Killed") || r.output.contains("did not complete")), "\(r.output)")
    }

    /// A rank that fails in its own training step (the others already wait in backward's all-reduce) stops the
    /// whole job at once with its message; the watchdog's limit (120 s here) is far off.
    @Test func failureOnOneRankInAStepStopsEveryRank() throws {
        let r = try MPIRun.run("rank-fails-in-step", timeout: 100, environment: ["EMBER_DISTRIBUTED_TIMEOUT": "120"])
        #expect(r.status != 0)
        #expect(r.seconds < 30, "took \(r.seconds) s")
        #expect(r.output.contains("EmberDistributed: rank 1 of 2 failed, stopping every rank: training step 3: sample 17 (shard of rank 1) "
                                  + "could not be read: /data/broken.png is not a PNG file"), "\(r.output)")
        #expect(!r.output.contains("did not complete within"), "\(r.output)")
        #expect(!r.output.contains("a rank that failed in its step did not stop the job"), "\(r.output)")
    }

    /// A rank that never joins a collective: the watchdog stops the waiting rank after EMBER_DISTRIBUTED_TIMEOUT.
    @Test func stalledRankTripsTheWatchdog() throws {
        let r = try MPIRun.run("stalled-rank", timeout: 60, environment: ["EMBER_DISTRIBUTED_TIMEOUT": "3"])
        #expect(r.status != 0)
        #expect(r.seconds < 30, "took \(r.seconds) s")
        #expect(r.output.contains("allReduce(sum) on rank 0 did not complete within 3 s"), "\(r.output)")
    }
}

/// Where Open MPI cannot be loaded, the distributed code reports it instead of failing to build or crashing.
@Suite struct MPIAbsenceTests {
    @Test func missingLibraryIsReportedNotFatal() throws {
        let process = Process()
        process.executableURL = try MPIRun.checkExecutable()
        process.arguments = ["collectives"]
        var env = ProcessInfo.processInfo.environment
        env["EMBER_MPI_LIBRARY"] = "libmpi-that-does-not-exist.so.40"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 77, "\(out)")
        #expect(out.contains("MPI not available: cannot load libmpi-that-does-not-exist.so.40"), "\(out)")
    }
}

/// Prints why the two-rank scenarios are skipped, when they are.
@Suite struct MPIAvailabilityNote {
    @Test func reportWhyScenariosAreSkipped() {
        if let why = MPIRun.skipReason { print("note: distributed scenarios skipped: \(why)") }
    }
}
