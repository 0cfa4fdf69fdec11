// Finding a program the tests launch (mpirun) on the PATH.
import Foundation

/// The executable `name` in the first `PATH` directory that has it (`/usr/bin:/bin` without a PATH), or nil.
public func executableOnPath(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}
