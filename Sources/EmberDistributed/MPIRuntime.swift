// MPIRuntime: whether Open MPI can be loaded, MPI error codes as messages, and the watchdog wait every collective uses.
import CMPI
import Ember
import Foundation

/// A failure reaching MPI from outside the program's control: the library is missing, or initialisation failed.
public enum DistributedError: Error, CustomStringConvertible {
    /// Open MPI could not be loaded (the message names the library and what to install).
    case unavailable(String)
    /// `MPI_Init_thread` or another setup call returned an error.
    case initializationFailed(String)

    public var description: String {
        switch self {
        case .unavailable(let m): return m
        case .initializationFailed(let m): return "MPI initialisation failed: \(m)"
        }
    }
}

/// Open MPI as loaded at run time by CMPI (`dlopen("libmpi.so.40")`, or `EMBER_MPI_LIBRARY`).
public enum MPI {
    /// True when the MPI library was found and has every symbol Ember needs.
    public static var isAvailable: Bool { cmpi_load(nil) != 0 }

    /// Why MPI is unavailable (nil when it is available), e.g. "MPI not available: cannot load libmpi.so.40 (...)".
    public static var unavailableReason: String? {
        var why: UnsafePointer<CChar>?
        if cmpi_load(&why) != 0 { return nil }
        return why.map { String(cString: $0) } ?? "MPI not available"
    }

    /// True when this process was started by a launcher (`mpirun`/`mpiexec`, or a PMI/PMIx launcher such as
    /// `srun`): MPI initialised without one runs as a singleton world of one rank, which is rarely what was meant.
    public static var isLaunchedByLauncher: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { env[$0] != nil }
    }

    /// The library's version string (`MPI_Get_library_version`), or nil when MPI is unavailable.
    public static var libraryVersion: String? {
        var buf = [CChar](repeating: 0, count: 512)
        guard cmpi_library_version(&buf, Int32(buf.count)) == 0 else { return nil }
        return String(cString: buf).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of an MPI error code (`MPI_Error_string`).
    static func errorString(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 512)
        cmpi_error_string(code, &buf, Int32(buf.count))
        return String(cString: buf)
    }
}

/// Stops on an MPI error code, naming the operation and the rank.
func failMPI(_ op: String, rank: Int, code: Int32) -> Never {
    distributedAbort("\(op) on rank \(rank) failed: \(MPI.errorString(code))")
}

/// Prints `message` and ends this process at once with status 70, without `MPI_Finalize`: `mpirun` then takes
/// the whole job down. Used where waiting longer could hang (a peer is gone), so no collective cleanup is tried.
func distributedAbort(_ message: String) -> Never {
    FileHandle.standardError.write(Data("EmberDistributed: \(message)\n".utf8))
    _exit(70)
}
