// JobAbort: stopping every rank at once when one rank fails where the others cannot learn of it.
import CMPI
import Foundation

extension ProcessGroup {
    /// Stops every rank of the job at once (`MPI_Abort`), after printing `message` with this rank's number on
    /// standard error: `EmberDistributed: rank 1 of 2 failed, stopping every rank: <message>`.
    ///
    /// For a failure only this rank sees while the others are already inside a collective it will never join (a
    /// sample that does not load, an exception thrown in its training step). Ending this process normally would
    /// not help: its `MPI_Finalize` waits for ranks that wait for it, until the watchdog fires
    /// (`EMBER_DISTRIBUTED_TIMEOUT`, 300 s by default). `mpirun` ends the others within about a second and
    /// prints its own "MPI_ABORT was invoked on rank …" notice after this message; the job's status is
    /// `exitCode`. Failures every rank knows of together (a check all ranks agree on) should be thrown instead.
    /// PyTorch's MPI backend has no such call (`torchrun` tears the job down when a worker exits).
    public func abort(_ message: String, exitCode: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("EmberDistributed: rank \(rank) of \(worldSize) failed, stopping every rank: \(message)\n".utf8))
        fflush(stdout)
        // No lock: another thread of this rank may hold it inside a collective that will never end.
        _ = cmpi_abort(exitCode)
        _exit(exitCode)   // MPI_Abort does not return; without a launcher it may.
    }

    /// Runs `body`; an error it throws stops every rank with `abort`, its message prefixed by `context`.
    /// For code between collectives that only this rank runs, e.g. a training step: `group.abortingOnError("step 3") { try step() }`.
    public func abortingOnError<R>(_ context: String, _ body: () throws -> R) -> R {
        do { return try body() } catch { abort("\(context): \(error)") }
    }
}
