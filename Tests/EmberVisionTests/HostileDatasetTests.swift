// Damaged and hostile dataset files (issue 11, item 5): a gzip bomb is stopped at the size the IDX header
// declares, dimensions that overflow are refused, and odd image sizes load as what they are.
import Testing
import Foundation
import Ember
import EmberData
@testable import EmberVision
import _EmberTestSupport

@Suite struct HostileDatasetTests {
    /// An IDX header: magic 0x08nn and big-endian dimensions.
    func idxHeader(rank: Int, dims: [UInt32]) -> Data {
        var d = Data([0, 0, 8, UInt8(rank)])
        for v in dims { d += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return d
    }

    func labels(_ n: Int) -> Data { idxHeader(rank: 1, dims: [UInt32(n)]) + Data((0..<n).map { UInt8($0 % 10) }) }

    /// Writes a t10k image/label pair into a new folder and returns it.
    func folder(images: Data, labels: Data, gzipImages: Bool = true) throws -> URL {
        let dir = try temporaryFolder()
        try (gzipImages ? gzip(images) : images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte" + (gzipImages ? ".gz" : "")))
        try gzip(labels).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        return dir
    }

    @Test func gzipBombStopsAtTheDeclaredSize() throws {
        // Ten 28×28 images declared, 64 MiB of zeros behind the header (about 64 KB compressed).
        let header = idxHeader(rank: 3, dims: [10, 28, 28])
        let bomb = header + Data(count: 64 << 20)
        let dir = try folder(images: bomb, labels: labels(10))
        let gzPath = dir.appendingPathComponent("t10k-images-idx3-ubyte.gz").path
        #expect(try Data(contentsOf: URL(fileURLWithPath: gzPath)).count < 1 << 20)
        #expect { try FashionMNIST(root: dir.path, train: false) } throws: { e in
            guard case let DataError.corruptFile(path, reason)? = e as? DataError else { return false }
            return path == gzPath && reason.contains("more than the \(16 + 10 * 28 * 28) bytes expected")
        }
    }

    @Test func gunzipLimitAndPrefix() throws {
        let raw = Data((0..<100_000).map { UInt8($0 % 251) })
        let gz = try gzip(raw)
        #expect(try gunzip(gz) == raw)
        #expect(try gunzip(gz, maxBytes: raw.count) == raw)
        #expect(throws: DataError.self) { try gunzip(gz, maxBytes: raw.count - 1) }
        #expect(try gunzipPrefix(gz, count: 16) == raw.prefix(16))
        #expect(try gunzipPrefix(gz, count: 200_000) == raw)
    }

    @Test(arguments: [true, false])
    func overflowingDimensionsAreRefused(_ gzipped: Bool) throws {
        let huge = idxHeader(rank: 3, dims: [0x7FFF_FFFF, 0x7FFF_FFFF, 0x7FFF_FFFF]) + Data(count: 64)
        let dir = try folder(images: huge, labels: labels(4), gzipImages: gzipped)
        #expect { try FashionMNIST(root: dir.path, train: false) } throws: { e in
            guard case let DataError.corruptFile(path, reason)? = e as? DataError else { return false }
            return path.contains("t10k-images-idx3-ubyte") && reason.contains("[2147483647, 2147483647, 2147483647] hold more bytes than memory can address")
        }
    }

    @Test(arguments: [5, 32])
    func oddImageSizesLoadAsTheyAre(_ side: Int) throws {
        let images = idxHeader(rank: 3, dims: [3, UInt32(side), UInt32(side)]) + Data(count: 3 * side * side)
        let ds = try FashionMNIST(root: try folder(images: images, labels: labels(3)).path, train: false, transform: ToTensor())
        #expect(try ds[0].0.shape == [1, side, side])
    }
}
