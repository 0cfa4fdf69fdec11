// Small synthetic dataset files for the download tests: IDX pairs, CIFAR-10 batches, ustar archives.
import Foundation
import EmberVision

func bigEndian32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }

/// A gzipped IDX pair of `count` 28x28 images and their labels (`(i + seed) % 10`).
func syntheticIDX(count: Int, seed: Int) throws -> (images: Data, labels: Data) {
    var images = [0, 0, 8, 3] + bigEndian32(count) + bigEndian32(28) + bigEndian32(28)
    images += (0..<count * 784).map { UInt8(truncatingIfNeeded: $0 * 7 + seed) }
    let labels = [0, 0, 8, 1] + bigEndian32(count) + (0..<count).map { UInt8(($0 + seed) % 10) }
    return (try gzip(Data(images)), try gzip(Data(labels)))
}

/// A CIFAR-10 binary batch of `count` records labelled `(i + seed) % 10`.
func syntheticCIFARBatch(count: Int, seed: Int) -> Data {
    var bytes: [UInt8] = []
    for i in 0..<count {
        bytes.append(UInt8((i + seed) % 10))
        bytes += (0..<3072).map { UInt8(truncatingIfNeeded: $0 + i + seed) }
    }
    return Data(bytes)
}

/// A ustar archive: each member a path, a type flag (`"0"` file, `"5"` folder, `"2"` symlink, ...) and contents.
func tarArchive(_ members: [(path: String, type: Character, body: Data)]) -> Data {
    var out = Data()
    for member in members {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        put(member.path, 0)
        put("0000644", 100); put("0000000", 108); put("0000000", 116)
        put(String(member.body.count, radix: 8).leftPadded(to: 11), 124)
        put("00000000000", 136)
        header[156] = member.type.asciiValue!
        put("ustar", 257); put("00", 263)
        for i in 148..<156 { header[i] = 32 }
        put(String(header.reduce(0) { $0 + Int($1) }, radix: 8).leftPadded(to: 6), 148)
        header[154] = 0
        out += header + member.body
        out += Data(count: (512 - member.body.count % 512) % 512)
    }
    return out + Data(count: 1024)
}

/// The CIFAR-10 binary archive's layout with two records per batch, gzipped.
func syntheticCIFARArchive(extra: [(path: String, type: Character, body: Data)] = []) throws -> Data {
    var members: [(path: String, type: Character, body: Data)] = [("cifar-10-batches-bin/", "5", Data())]
    for i in 1...5 { members.append(("cifar-10-batches-bin/data_batch_\(i).bin", "0", syntheticCIFARBatch(count: 2, seed: 2 * i))) }
    members.append(("cifar-10-batches-bin/test_batch.bin", "0", syntheticCIFARBatch(count: 3, seed: 5)))
    members.append(("cifar-10-batches-bin/batches.meta.txt", "0", Data("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n".utf8)))
    return try gzip(tarArchive(members + extra))
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The names in `folder` (empty when it does not exist), sorted.
func folderContents(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}
