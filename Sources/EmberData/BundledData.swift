// BundledData: the datasets that ship inside the repository (`Data/`), found relative to the package.
import Foundation

/// The folder of datasets that ship with Ember (`Data/` at the package root) and the lookup order for a dataset.
///
/// The package root is found from this source file's compile-time path, so `swift run ember train` finds the
/// data from any working directory. `EMBER_DATA_DIR` (a folder with the same sub-folders, e.g. `fashion-mnist/`)
/// is looked at first when it is set.
public enum BundledData {
    /// `Data/` at the package root, if it exists on this machine.
    public static var directory: URL? {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // EmberData
            .deletingLastPathComponent()   // Sources
            .deletingLastPathComponent()   // package root
        let dir = root.appendingPathComponent("Data")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue ? dir : nil
    }

    /// The folders where the dataset `name` (e.g. `"fashion-mnist"`, `"timemachine"`) is looked for, in order:
    /// `$EMBER_DATA_DIR/name`, then the bundled `Data/name`.
    public static func candidates(for name: String) -> [String] {
        var result: [String] = []
        if let env = ProcessInfo.processInfo.environment["EMBER_DATA_DIR"], !env.isEmpty {
            result.append((env as NSString).appendingPathComponent(name))
        }
        if let dir = directory { result.append(dir.appendingPathComponent(name).path) }
        return result
    }

    /// The first candidate folder for `name` that holds `file`, or nil.
    public static func folder(for name: String, containing file: String) -> String? {
        candidates(for: name).first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent(file)) }
    }
}
