// ImageFolder: one class per sub-folder of image files (`torchvision.datasets.ImageFolder`).
import Foundation
import Ember
import EmberData

/// Images arranged as `root/<class>/<file>`, labelled by the index of their folder in sorted order.
///
/// Matches `torchvision.datasets.ImageFolder(root, transform, target_transform)`: classes are the sorted
/// sub-folder names, files are found recursively and sorted, and each image is converted to RGB (Pillow's
/// `convert("RGB")`) before the transform. Only PNG and JPEG files are read (Ember decodes those two formats);
/// other files are skipped, as torchvision skips files with unknown extensions.
///
/// ```swift
/// let ds = try ImageFolder(root: "hymenoptera_data/train", transform: Compose([Resize(256), CenterCrop(224), ToTensor()]))
/// ds.classes          // ["ants", "bees"]
/// ```
///
/// - Throws: `DataError.missingFiles` when `root` has no class folders or a class has no image files;
///   decoding errors name the file (`DataError.corruptFile`), surfacing from `sample(at:)`.
public struct ImageFolder: Dataset {
    /// File extensions read (lower case, without dot).
    public static let defaultExtensions = ["jpg", "jpeg", "png"]

    public let root: String
    /// Sorted class names.
    public let classes: [String]
    /// Class name → index.
    public let classToIndex: [String: Int]
    /// (file path, class index) of every sample, in order.
    public let samples: [(path: String, target: Int)]
    public let transform: (any Transform)?
    public let targetTransform: ((Int) -> Int)?

    /// Indexes the images under `root`, one class per subdirectory in sorted order.
    ///
    /// - Parameters:
    ///   - root: The directory that holds the dataset's files.
    ///   - transform: Applied to each image as it is read (e.g. `ToTensor()`); nil keeps the `Image`.
    ///   - targetTransform: Applied to each label as it is read; nil keeps it.
    ///   - extensions: File extensions (lowercase, without the dot) that count as images.
    public init(root: String, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                extensions: [String] = ImageFolder.defaultExtensions) throws {
        let fm = FileManager.default
        let exts = extensions.map { $0.lowercased() }
        func isDir(_ p: String) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue }
        // Python sorts by code point; compare unicode scalars to match.
        func codePointLess(_ a: String, _ b: String) -> Bool { a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) }
        let entries = (try? fm.contentsOfDirectory(atPath: root)) ?? []
        let classNames = entries.filter { isDir((root as NSString).appendingPathComponent($0)) }.sorted(by: codePointLess)
        guard !classNames.isEmpty else {
            throw DataError.missingFiles(path: root, expected: ["<class>/<image>." + exts.joined(separator: "|")])
        }
        var found: [(String, Int)] = []
        for (k, name) in classNames.enumerated() {
            let dir = (root as NSString).appendingPathComponent(name)
            var files: [(String, String)] = []   // (folder, file name), sorted like sorted(os.walk) + sorted(fnames)
            if let walker = fm.enumerator(atPath: dir) {
                while let rel = walker.nextObject() as? String {
                    let full = (dir as NSString).appendingPathComponent(rel)
                    guard exts.contains((rel as NSString).pathExtension.lowercased()), !isDir(full) else { continue }
                    files.append(((full as NSString).deletingLastPathComponent, (rel as NSString).lastPathComponent))
                }
            }
            files.sort { $0.0 == $1.0 ? codePointLess($0.1, $1.1) : codePointLess($0.0, $1.0) }
            guard !files.isEmpty else {
                throw DataError.missingFiles(path: dir, expected: exts.map { "*." + $0 })
            }
            found += files.map { (($0.0 as NSString).appendingPathComponent($0.1), k) }
        }
        self.root = root
        classes = classNames
        classToIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        samples = found.map { (path: $0.0, target: $0.1) }
        self.transform = transform
        self.targetTransform = targetTransform
    }

    public var count: Int { samples.count }
    /// Class index of every sample (`.targets`).
    public var targets: [Int] { samples.map(\.target) }

    /// Decodes sample `index` as RGB (Pillow's `default_loader`).
    public func image(at index: Int) throws -> Image {
        emberCheck(index >= 0 && index < count, "ImageFolder", "index \(index) is out of range for dataset of size \(count)")
        return try Image(contentsOf: samples[index].path).converted(to: .rgb)
    }

    public func sample(at index: Int) throws -> (Tensor, Int) {
        let x = try transformImage(try image(at: index), transform)
        let y = samples[index].target
        return (x, targetTransform.map { $0(y) } ?? y)
    }
}
