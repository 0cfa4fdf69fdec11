// MD5 against RFC 1321's test suite (appendix A.5), fed whole and in pieces across block boundaries.
import Testing
import Foundation
import EmberData
import EmberVision

@Suite struct ChecksumTests {
    static let vectors: [(String, String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    @Test func rfc1321Vectors() {
        for (text, digest) in Self.vectors {
            #expect(MD5.hex(Array(text.utf8)) == digest, "MD5(\"\(text)\")")
        }
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = MD5.hex(bytes)
        for cuts in [[1], [55, 56], [63, 64, 65], [64, 128], [0, 0, 999], [3, 200, 201, 700]] {
            var md5 = MD5()
            var start = 0
            for cut in cuts + [bytes.count] {
                md5.update(bytes[start..<cut])
                start = cut
            }
            #expect(md5.hexDigest() == whole, "cuts \(cuts)")
        }
        // The digest does not consume the state: more bytes may follow.
        var md5 = MD5()
        md5.update(Array("message ".utf8))
        _ = md5.hexDigest()
        md5.update(Array("digest".utf8))
        #expect(md5.hexDigest() == "f96b697d7cb7938d525a2f31aaf161d0")
    }

    @Test func intactFileCheck() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("abc").path
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(DatasetDownload.isIntact(path, md5: "900150983CD24FB0D6963F7D28E17F72"))
        #expect(!DatasetDownload.isIntact(path, md5: "d41d8cd98f00b204e9800998ecf8427e"))
        #expect(!DatasetDownload.isIntact(folder.path, md5: "d41d8cd98f00b204e9800998ecf8427e"))
        #expect(!DatasetDownload.isIntact(path + ".missing", md5: "d41d8cd98f00b204e9800998ecf8427e"))
    }

    /// The Fashion-MNIST copy in `Data/` is byte for byte what torchvision downloads (its published MD5s).
    @Test func bundledFashionMNISTHasTorchvisionChecksums() throws {
        let folder = try #require(BundledData.directory).appendingPathComponent("fashion-mnist")
        for file in FashionMNIST.resources {
            #expect(DatasetDownload.isIntact(folder.appendingPathComponent(file.name).path, md5: file.md5), "\(file.name)")
        }
    }
}
