// Finding and reading dataset files: candidate folders, optional .gz, and errors naming what is missing.
import Foundation
import Ember
import EmberData

/// Locates `names` under `root` or one of its `subfolders` (each name as is or with `.gz`), and reads them;
/// `decode(bytes, path, isGzip)` turns each file's bytes into its contents (the default inflates `.gz` files).
///
/// - Throws: `DataError.missingFiles(path: root, expected: names)` when any is missing in every candidate folder.
func readDatasetFiles(root: String, subfolders: [String], names: [String], gzipped: Bool,
                      decode: (Data, String, Bool) throws -> Data = { data, path, isGzip in isGzip ? try gunzip(data, name: path) : data }) throws -> [Data] {
    let fm = FileManager.default
    let dirs = [root] + subfolders.map { (root as NSString).appendingPathComponent($0) }
    for dir in dirs {
        var paths: [String] = []
        for name in names {
            let plain = (dir as NSString).appendingPathComponent(name)
            if gzipped, fm.fileExists(atPath: plain + ".gz") { paths.append(plain + ".gz") }
            else if fm.fileExists(atPath: plain) { paths.append(plain) }
            else { break }
        }
        guard paths.count == names.count else { continue }
        return try paths.map { path in
            guard let type = try? fm.attributesOfItem(atPath: path)[.type] as? FileAttributeType, type == .typeRegular else {
                throw DataError.corruptFile(path: path, reason: "not a regular file")
            }
            guard let data = fm.contents(atPath: path) else { throw DataError.corruptFile(path: path, reason: "cannot read file") }
            return try decode(data, path, path.hasSuffix(".gz"))
        }
    }
    throw DataError.missingFiles(path: root, expected: names.map { gzipped ? $0 + ".gz" : $0 })
}

/// Applies an optional transform to a decoded image and returns the sample tensor (uint8 CHW without one).
@inline(__always)
func transformImage(_ image: Image, _ transform: (any Transform)?) throws -> Tensor {
    guard let t = transform else { return image.chwTensor() }
    if t is ToTensor { return ToTensor()(image) }
    return try t.apply(.image(image)).asTensor()
}
