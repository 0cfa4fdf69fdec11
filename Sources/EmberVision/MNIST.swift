// MNIST and Fashion-MNIST from the original IDX .gz files (`torchvision.datasets.MNIST` / `FashionMNIST`).
import Foundation
import Ember
import EmberData

/// The images and labels of an IDX pair, verified: magic numbers, dimensions, sizes, counts, label range.
struct IDXImagesAndLabels {
    let images: Tensor   // uint8 [N, H, W]
    let labels: [Int]

    init(root: String, folder: String, train: Bool) throws {
        let prefix = train ? "train" : "t10k"
        let names = ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"]
        let ranks = [names[0]: 3, names[1]: 1]
        // Each file's header says how many bytes follow; a .gz is inflated only up to that size.
        let files = try readDatasetFiles(root: root, subfolders: ["\(folder)/raw", "raw"], names: names, gzipped: true) { data, path, isGzip in
            guard isGzip else { return data }
            let rank = ranks[names.first { path.contains($0) } ?? names[0]] ?? 3
            let head = try gunzipPrefix(data, count: 4 + 4 * rank, name: path)
            let (dims, headerBytes) = try IDXImagesAndLabels.dimensions(head, rank: rank, path: path)
            return try gunzip(data, name: path, maxBytes: headerBytes + (ShapeArithmetic.elementCount(dims) ?? 0))
        }
        let imgPath = (root as NSString).appendingPathComponent(names[0])
        let lblPath = (root as NSString).appendingPathComponent(names[1])
        let (imgDims, imgOffset) = try IDXImagesAndLabels.header(files[0], magic: 0x0803, rank: 3, path: imgPath)
        let (lblDims, lblOffset) = try IDXImagesAndLabels.header(files[1], magic: 0x0801, rank: 1, path: lblPath)
        guard imgDims[0] == lblDims[0] else {
            throw DataError.corruptFile(path: imgPath, reason: "holds \(imgDims[0]) images but \(names[1]) holds \(lblDims[0]) labels")
        }
        let t = Tensor(empty: imgDims, dtype: .uint8)
        files[0].withUnsafeBytes { raw in
            if t.numel > 0 { t.pointer(as: UInt8.self).update(from: raw.bindMemory(to: UInt8.self).baseAddress! + imgOffset, count: t.numel) }
        }
        images = t
        labels = files[1].dropFirst(lblOffset).map { Int($0) }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DataError.corruptFile(path: lblPath, reason: "label \(labels[bad]) of item \(bad) is not in 0...9")
        }
    }

    /// The dimensions an IDX header declares and the header's length, refusing sizes that overflow.
    static func dimensions(_ data: Data, rank: Int, path: String) throws -> ([Int], Int) {
        let bytes = [UInt8](data.prefix(4 + 4 * rank))
        guard bytes.count == 4 + 4 * rank else { throw DataError.corruptFile(path: path, reason: "truncated IDX header") }
        func be32(_ i: Int) -> UInt32 { bytes[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let dims = (0..<rank).map { Int(be32(4 + 4 * $0)) }
        guard let n = ShapeArithmetic.elementCount(dims), n <= Int.max - bytes.count else {
            throw DataError.corruptFile(path: path, reason: "IDX dimensions \(dims) hold more bytes than memory can address")
        }
        return (dims, bytes.count)
    }

    /// Parses an IDX header: big-endian magic (`0x0000_08nn`, 08 = unsigned bytes, nn = rank) and dimensions.
    static func header(_ data: Data, magic: UInt32, rank: Int, path: String) throws -> ([Int], Int) {
        let bytes = [UInt8](data.prefix(4 + 4 * rank))
        func be32(_ i: Int) -> UInt32 { bytes[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        guard bytes.count == 4 + 4 * rank else { throw DataError.corruptFile(path: path, reason: "truncated IDX header") }
        guard be32(0) == magic else {
            throw DataError.corruptFile(path: path, reason: "bad IDX magic number 0x\(String(be32(0), radix: 16)), expected 0x\(String(magic, radix: 16))")
        }
        let (dims, headerBytes) = try dimensions(data, rank: rank, path: path)
        let expected = ShapeArithmetic.elementCount(dims) ?? 0, found = data.count - headerBytes
        guard found == expected else {
            throw DataError.corruptFile(path: path, reason: "IDX dimensions \(dims) need \(expected) bytes of data, found \(found)")
        }
        return (dims, headerBytes)
    }
}

/// Shared behaviour of the two 28x28 digit/clothing datasets.
public protocol IDXImageDataset: Dataset where Sample == (Tensor, Int) {
    /// All images, uint8 `[N, 28, 28]` (torchvision's `.data`).
    var data: Tensor { get }
    /// All labels (torchvision's `.targets` as a Swift array).
    var labels: [Int] { get }
    var transform: (any Transform)? { get }
    var targetTransform: ((Int) -> Int)? { get }
}

extension IDXImageDataset {
    public var count: Int { labels.count }
    /// Labels as an int64 tensor (`.targets`).
    public var targets: Tensor { Tensor(labels.map { Int64($0) }, shape: [labels.count]) }

    /// Image `index` as a gray `Image` (what torchvision hands to the transform).
    public func image(at index: Int) -> Image {
        emberCheck(index >= 0 && index < count, "\(Self.self)", "index \(index) is out of range for dataset of size \(count)")
        let h = data.shape[1], w = data.shape[2]
        return Image(width: w, height: h, channels: 1,
                     pixels: Array(UnsafeBufferPointer(start: data.pointer(as: UInt8.self) + index * h * w, count: h * w)))
    }

    /// `(transform(image), targetTransform(label))`; without a transform the image is a uint8 `[1, 28, 28]` tensor.
    public func sample(at index: Int) throws -> (Tensor, Int) {
        emberCheck(index >= 0 && index < count, "\(Self.self)", "index \(index) is out of range for dataset of size \(count)")
        let h = data.shape[1], w = data.shape[2]
        let x: Tensor
        if transform is ToTensor {
            // Same result as through an Image, without the copy: the loader's hot path.
            x = ToTensor.convert(data.pointer(as: UInt8.self) + index * h * w, height: h, width: w, channels: 1)
        } else {
            x = try transformImage(image(at: index), transform)
        }
        let y = labels[index]
        return (x, targetTransform.map { $0(y) } ?? y)
    }
}

/// Fashion-MNIST (Zalando): 60,000 train and 10,000 test 28x28 gray images of 10 clothing classes.
///
/// Matches `torchvision.datasets.FashionMNIST(root, train, transform, target_transform, download)` except that
/// `root` may be the folder holding the four IDX files itself (`train-images-idx3-ubyte.gz`, ...); torchvision's
/// layout `root/FashionMNIST/raw/` is accepted too. The `.gz` files are read as they are (torchvision unpacks them
/// beside the archives).
///
/// With `download: true` and the split's files in none of those folders, the four files are downloaded into
/// `root/FashionMNIST/raw/` from `mirrors` (torchvision's by default), each checked against torchvision's MD5
/// and written atomically, with a progress bar on standard error. A copy ships with Ember (`BundledData`), so
/// this is rarely needed.
///
/// ```swift
/// let train = try FashionMNIST(root: "data/fashion-mnist", train: true, transform: ToTensor())
/// let (x, y) = try train[0]        // [1, 28, 28] float32, 9
/// FashionMNIST.textLabels([y])     // ["ankle boot"]
/// ```
///
/// - Throws: `DataError.missingFiles` naming `root` and the expected files; `DataError.corruptFile` naming a
///   file whose gzip stream, IDX magic number or size is wrong; with `download`, `DataError.downloadFailed`
///   naming every address tried, why it failed and the folder to put the file in by hand.
public struct FashionMNIST: IDXImageDataset {
    /// torchvision's class names (`.classes`).
    public static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// The text labels of the notes (d2l's `get_fashion_mnist_labels`).
    public static let textLabelNames = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
    /// The notes' text labels for numeric labels (`d2l.get_fashion_mnist_labels`).
    public static func textLabels(_ labels: [Int]) -> [String] { labels.map { textLabelNames[$0] } }
    /// The notes' text labels for a label tensor.
    public static func textLabels(_ labels: Tensor) -> [String] { textLabels(labels.toArray(as: Int64.self).map { Int($0) }) }

    public let data: Tensor
    public let labels: [Int]
    public let transform: (any Transform)?
    public let targetTransform: ((Int) -> Int)?
    /// Whether this is the training split.
    public let train: Bool

    /// Reads Fashion-MNIST's IDX files (`.gz` or not) from `root`.
    ///
    /// - Parameters:
    ///   - root: The directory that holds the dataset's files.
    ///   - train: Read the training split (false: the test split).
    ///   - transform: Applied to each image as it is read (e.g. `ToTensor()`); nil keeps the `Image`.
    ///   - targetTransform: Applied to each label as it is read; nil keeps it.
    ///   - download: Fetch the missing IDX files first (into `root/<folder>/raw`, as torchvision does).
    ///   - mirrors: The base addresses tried in turn for the download.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                download: Bool = false, mirrors: [String] = FashionMNIST.mirrors) throws {
        if download {
            try downloadIDXFiles(root: root, folder: "FashionMNIST", train: train, resources: FashionMNIST.resources, mirrors: mirrors)
        }
        let idx = try IDXImagesAndLabels(root: root, folder: "FashionMNIST", train: train)
        data = idx.images; labels = idx.labels
        self.transform = transform; self.targetTransform = targetTransform; self.train = train
    }
}

/// MNIST handwritten digits: 60,000 train and 10,000 test 28x28 gray images (`torchvision.datasets.MNIST`).
///
/// Same file layout, errors and behaviour as `FashionMNIST`; `download: true` fetches the files into
/// `root/MNIST/raw/` from `MNIST.mirrors` (torchvision's two mirrors) when they are missing.
///
/// ```swift
/// let test = try MNIST(root: "data", train: false, transform: ToTensor(), download: true)
/// ```
public struct MNIST: IDXImageDataset {
    /// torchvision's class names (`.classes`).
    public static let classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    public let data: Tensor
    public let labels: [Int]
    public let transform: (any Transform)?
    public let targetTransform: ((Int) -> Int)?
    public let train: Bool

    /// Reads MNIST's IDX files (`.gz` or not) from `root`.
    ///
    /// - Parameters:
    ///   - root: The directory that holds the dataset's files.
    ///   - train: Read the training split (false: the test split).
    ///   - transform: Applied to each image as it is read (e.g. `ToTensor()`); nil keeps the `Image`.
    ///   - targetTransform: Applied to each label as it is read; nil keeps it.
    ///   - download: Fetch the missing IDX files first (into `root/<folder>/raw`, as torchvision does).
    ///   - mirrors: The base addresses tried in turn for the download.
    public init(root: String, train: Bool = true, transform: (any Transform)? = nil, targetTransform: ((Int) -> Int)? = nil,
                download: Bool = false, mirrors: [String] = MNIST.mirrors) throws {
        if download {
            try downloadIDXFiles(root: root, folder: "MNIST", train: train, resources: MNIST.resources, mirrors: mirrors)
        }
        let idx = try IDXImagesAndLabels(root: root, folder: "MNIST", train: train)
        data = idx.images; labels = idx.labels
        self.transform = transform; self.targetTransform = targetTransform; self.train = train
    }
}
