// What torchvision downloads for MNIST, Fashion-MNIST and CIFAR-10 (addresses, file names, MD5s), and when.
import Foundation
import EmberData

extension MNIST {
    /// torchvision's MNIST mirrors, tried in order (the S3 copy first: yann.lecun.com has answered 403 since 2024).
    public static let mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    /// The four IDX files and their MD5s (torchvision's `MNIST.resources`).
    public static let resources = [
        DownloadableFile("train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        DownloadableFile("train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432"),
        DownloadableFile("t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3"),
        DownloadableFile("t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
}

extension FashionMNIST {
    /// torchvision's Fashion-MNIST mirror (Zalando's S3 website).
    public static let mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    /// The four IDX files and their MD5s (torchvision's `FashionMNIST.resources`; the copies in `Data/` match).
    public static let resources = [
        DownloadableFile("train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        DownloadableFile("train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe"),
        DownloadableFile("t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79"),
        DownloadableFile("t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
}

extension CIFAR10 {
    /// The CIFAR-10 authors' page (torchvision downloads the Python version from the same folder).
    public static let mirrors = ["https://www.cs.toronto.edu/~kriz/"]
    /// The binary version (170,052,171 bytes), with the MD5 the authors publish; it unpacks to `cifar-10-batches-bin/`.
    public static let archive = DownloadableFile("cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530")
    /// The largest unpacked archive accepted (the real one unpacks to about 185 MB).
    static let maxArchiveBytes = 256 << 20
}

/// With `download`, fetches the IDX files an MNIST-style dataset lacks into `root/<folder>/raw` (torchvision's
/// layout), unless the split's two files are already in `root`, `root/<folder>/raw` or `root/raw`.
///
/// Like torchvision, all four files are fetched, each unless it is already in the target folder (uncompressed, or
/// as a `.gz` with the right MD5: a damaged `.gz` there is replaced).
func downloadIDXFiles(root: String, folder: String, train: Bool, resources: [DownloadableFile], mirrors: [String]) throws {
    let fm = FileManager.default
    func join(_ a: String, _ b: String) -> String { (a as NSString).appendingPathComponent(b) }
    let target = join(join(root, folder), "raw")
    let prefix = train ? "train" : "t10k"
    let needed = ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"]
    let present = [root, target, join(root, "raw")].contains { dir in
        needed.allSatisfy { fm.fileExists(atPath: join(dir, $0)) || fm.fileExists(atPath: join(dir, $0 + ".gz")) }
    }
    guard !present else { return }
    for file in resources {
        let path = join(target, file.name)
        if fm.fileExists(atPath: (path as NSString).deletingPathExtension) || DatasetDownload.isIntact(path, md5: file.md5) { continue }
        try DatasetDownload.fetch(file, mirrors: mirrors, into: target)
    }
}

/// With `download`, fetches `cifar-10-binary.tar.gz` into `root` (unless it is there with the right MD5) and
/// unpacks it there, unless `root` or `root/cifar-10-batches-bin` already holds every batch file of the split.
func downloadCIFAR10Files(root: String, names: [String], mirrors: [String], archive file: DownloadableFile = CIFAR10.archive) throws {
    let fm = FileManager.default
    func join(_ a: String, _ b: String) -> String { (a as NSString).appendingPathComponent(b) }
    let folder = join(root, "cifar-10-batches-bin")
    guard ![root, folder].contains(where: { dir in names.allSatisfy { fm.fileExists(atPath: join(dir, $0)) } }) else { return }
    let archivePath = join(root, file.name)
    if !DatasetDownload.isIntact(archivePath, md5: file.md5) {
        try DatasetDownload.fetch(file, mirrors: mirrors, into: root)
    }
    guard let archive = fm.contents(atPath: archivePath) else {
        throw DataError.corruptFile(path: archivePath, reason: "cannot read file")
    }
    FileHandle.standardError.write(Data("Extracting \(archivePath) to \(root)\n".utf8))
    let tar = try gunzip(archive, name: archivePath, maxBytes: CIFAR10.maxArchiveBytes)
    try TarArchive.extract(tar, name: archivePath, into: root)
    if let missing = names.first(where: { !fm.fileExists(atPath: join(folder, $0)) }) {
        throw DataError.corruptFile(path: archivePath, reason: "the archive holds no cifar-10-batches-bin/\(missing)")
    }
}
