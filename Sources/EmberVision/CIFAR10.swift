// CIFAR-10 from the binary batches (`torchvision.datasets.CIFAR10`, binary version of the files).
import Foundation
import Ember
import EmberData

/// CIFAR-10: 32x32 RGB images of 10 classes, read from the binary batch files.
///
/// Each record is `<label byte><1024 R><1024 G><1024 B>` (3073 bytes). `root` is the folder holding
/// `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin` (or its `cifar-10-batches-bin` subfolder).
/// Unlike torchvision (which reads the Python pickles), a training folder holding only some of the five batches
/// is accepted, so subsets work. Class names come from `batches.meta.txt` when present.
///
/// With `download: true` and neither folder holding every batch file of the split, the authors' binary archive
/// (`cifar-10-binary.tar.gz`, 162 MB; torchvision fetches the Python version instead) is downloaded into `root`
/// from `mirrors`, checked against its published MD5, written atomically with a progress bar on standard error, and
/// unpacked into `root/cifar-10-batches-bin/`. An archive already in `root` with the right MD5 is not fetched again.
///
/// ```swift
/// let test = try CIFAR10(root: "data/cifar-10-batches-bin", train: false, transform: ToTensor())
/// let (x, y) = try test[0]        // [3, 32, 32], 3 ("cat")
/// ```
///
/// - Throws: `DataError.missingFiles` naming `root` and the batch files; `DataError.corruptFile` naming a file
///   whose size is not a whole number of records or that holds a label above 9; with `download`,
///   `DataError.downloadFailed` naming every address tried, why it failed and the folder to put the archive in.
public struct CIFAR10: Dataset {
    /// The record size in bytes.
    public static let recordSize = 3073
    /// The standard class names.
    public static let defaultClasses = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// All images as uint8 `[N, 32, 32, 3]` (HWC, torchvision's `.data`).
    public let data: Tensor
    /// All labels (`.targets`).
    public let targets: [Int]
    /// Class names (`.classes`).
    public let classes: [String]
    public let train: Bool
    public let transform: (any Transform)?
    public let targetTransform: ((Int) -> Int)?

    /// Reads CIFAR-10's binary batches from `root`.
    ///
    /// - Parameters:
    ///   - root: The directory that holds the dataset's files.
    ///   - train: Read the training split (false: the test split).
    ///   - transform: Applied to each image as it is read (e.g. `ToTensor()`); nil keeps the `Image`.
    ///   - targetTransform: Applied to each label as it is read; nil keeps it.
    ///   - download: Fetch and unpack `cifar-10-binary.tar.gz` first when the split's batches are missing.
    ///   - mirrors: The base addresses tried in turn for the download.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                download: Bool = false, mirrors: [String] = CIFAR10.mirrors) throws {
        let names = train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        if download { try downloadCIFAR10Files(root: root, names: names, mirrors: mirrors) }
        let fm = FileManager.default
        let dirs = [root, (root as NSString).appendingPathComponent("cifar-10-batches-bin")]
        func holds(_ d: String, _ name: String) -> Bool { fm.fileExists(atPath: (d as NSString).appendingPathComponent(name)) }
        // A folder with every batch first, then one with some (a subset).
        guard let dir = dirs.first(where: { d in names.allSatisfy { holds(d, $0) } }) ?? dirs.first(where: { d in names.contains { holds(d, $0) } }) else {
            throw DataError.missingFiles(path: root, expected: names)
        }
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for name in names {
            let path = (dir as NSString).appendingPathComponent(name)
            guard let bytes = fm.contents(atPath: path) else { continue }
            guard bytes.count % CIFAR10.recordSize == 0, !bytes.isEmpty else {
                throw DataError.corruptFile(path: path, reason: "size \(bytes.count) is not a whole number of \(CIFAR10.recordSize)-byte records")
            }
            let n = bytes.count / CIFAR10.recordSize
            let start = pixels.count
            pixels += [UInt8](repeating: 0, count: n * 3072)
            try bytes.withUnsafeBytes { raw in
                let b = raw.bindMemory(to: UInt8.self)
                try pixels.withUnsafeMutableBufferPointer { out in
                    for r in 0..<n {
                        let rec = r * CIFAR10.recordSize
                        let label = Int(b[rec])
                        guard label < 10 else {
                            throw DataError.corruptFile(path: path, reason: "record \(r) has label \(label), expected 0...9")
                        }
                        labels.append(label)
                        // Planar RGB in the file, HWC in memory (as torchvision's .data).
                        let o = start + r * 3072
                        for i in 0..<1024 { for c in 0..<3 { out[o + i * 3 + c] = b[rec + 1 + c * 1024 + i] } }
                    }
                }
            }
        }
        data = Tensor(pixels, shape: [labels.count, 32, 32, 3])
        targets = labels
        let meta = (dir as NSString).appendingPathComponent("batches.meta.txt")
        if let text = try? String(contentsOfFile: meta, encoding: .utf8) {
            let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            classes = names.count == 10 ? names : CIFAR10.defaultClasses
        } else {
            classes = CIFAR10.defaultClasses
        }
        self.train = train
        self.transform = transform
        self.targetTransform = targetTransform
    }

    public var count: Int { targets.count }

    /// Image `index` as an RGB `Image`.
    public func image(at index: Int) -> Image {
        emberCheck(index >= 0 && index < count, "CIFAR10", "index \(index) is out of range for dataset of size \(count)")
        return Image(width: 32, height: 32, channels: 3,
                     pixels: Array(UnsafeBufferPointer(start: data.pointer(as: UInt8.self) + index * 3072, count: 3072)))
    }

    /// `(transform(image), targetTransform(label))`; without a transform the image is a uint8 `[3, 32, 32]` tensor.
    public func sample(at index: Int) throws -> (Tensor, Int) {
        let x = try transformImage(image(at: index), transform)
        return (x, targetTransform.map { $0(targets[index]) } ?? targets[index])
    }
}
