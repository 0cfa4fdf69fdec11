// Shapes at the edges of arithmetic: zero-element tensors with huge dimensions, stride-0 views far larger
// than their storage, impossible sizes, and files with 100,000 tensors (issue 11, items 1–3).
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO extreme shapes")
struct ExtremeShapeTests {
    static let huge = 1 << 32

    /// `.npy` bytes with the given header dictionary text and payload.
    func npy(_ dict: String, payload: [UInt8] = []) -> [UInt8] {
        var header = Array(dict.utf8)
        let unpadded = 10 + header.count + 1
        header += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64) + [0x0A]
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.appendLE(UInt16(header.count))
        return out + header + payload
    }

    func safetensors(_ header: String, data: Int = 0) -> [UInt8] {
        var b: [UInt8] = []
        b.appendLE(UInt64(header.utf8.count))
        return b + Array(header.utf8) + [UInt8](repeating: 0, count: data)
    }

    func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// The four 93-byte-class files of the issue: shape [0, 2^32, 2^32] in every format.
    func zeroElementFiles(in dir: URL) throws -> [URL] {
        let shape = "(0, \(Self.huge), \(Self.huge))"
        let npyBytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }")
        let npzURL = dir.appendingPathComponent("z.npz")
        try atomicWrite(to: npzURL) { sink in
            var zip = ZipWriter(sink: sink, alignment: nil)
            try zip.add(name: "t.npy", bytes: npyBytes)
            try zip.finish()
        }
        let pt = try torchZip(pickle: P.tensorDict(numel: 0, size: [0, Self.huge, Self.huge], stride: [1, 1, 1]),
                              storages: [("0", [])])
        return [try write(pt, "z.pt", in: dir),
                try write(safetensors(#"{"t":{"dtype":"F32","shape":[0,\#(Self.huge),\#(Self.huge)],"data_offsets":[0,0]}}"#), "z.safetensors", in: dir),
                try write(npyBytes, "z.npy", in: dir), npzURL]
    }

    @Test func zeroElementTensorsWithHugeDimensionsLoadInEveryFormat() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        for url in try zeroElementFiles(in: dir) {
            let sd = try loadStateDict(from: url)
            let t = try #require(sd.entries.first?.tensor, "\(url.lastPathComponent)")
            #expect(t.shape == [0, Self.huge, Self.huge], "\(url.lastPathComponent)")
            #expect(t.numel == 0)
            #expect(t.isContiguous)
            // What inspect prints: CRC-32 of no bytes is 0.
            #expect(try inspect(url).map(\.checksum) == [0])
            // Every format takes it back, and it reads back the same.
            for ext in ["pt", "safetensors", "npz", "npy"] {
                let out = dir.appendingPathComponent("back-\(url.pathExtension).\(ext)")
                try convert(from: url, to: out)
                #expect(try loadCheckpoint(from: out).flattenedTensors().first?.1.shape == [0, Self.huge, Self.huge], "\(url.lastPathComponent) → .\(ext)")
            }
        }
    }

    @Test func zeroDimensionLastStillCountsZero() {
        #expect(ShapeArithmetic.elementCount([Self.huge, Self.huge, 0]) == 0)
        #expect(ShapeArithmetic.elementCount([Self.huge, Self.huge]) == nil)
        #expect(ShapeArithmetic.elementCount([2, -1]) == nil)
        #expect(ShapeArithmetic.byteCount([1 << 62], itemSize: 4) == nil)
        #expect(ShapeArithmetic.contiguousStrides([0, Self.huge, Self.huge]) == [Int.max, Self.huge, 1])
        #expect(Tensor(empty: [Self.huge, Self.huge, 0]).numel == 0)
    }

    @Test func impossibleSizesAreRefusedNamingFileAndTensor() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let st = try write(safetensors(#"{"big":{"dtype":"F32","shape":[\#(Self.huge),\#(Self.huge)],"data_offsets":[0,4]}}"#, data: 4), "big.safetensors", in: dir)
        #expect { try loadStateDict(from: st) } throws: { e in
            let text = "\(e)"
            return text.contains("big.safetensors") && text.contains("big") && text.contains("more bytes than memory can address")
        }
        let np = try write(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (\(Self.huge), \(Self.huge)), }", payload: [0, 0, 0, 0]), "big.npy", in: dir)
        #expect { try loadStateDict(from: np) } throws: { e in "\(e)".contains("big.npy") && "\(e)".contains("more elements than memory can address") }
    }

    // MARK: Stride-0 views

    /// A `.pt` whose tensor is a stride-0 view of `viewElements` elements over a 4-element storage.
    func expandedViewFile(size: [Int], stride: [Int], in dir: URL) throws -> URL {
        let values: [Float] = [1, 2, 3, 4]
        let bytes = values.withUnsafeBytes { [UInt8]($0) }
        return try write(try torchZip(pickle: P.tensorDict(numel: 4, size: size, stride: stride), storages: [("0", bytes)]), "view.pt", in: dir)
    }

    @Test func inspectWalksExpandedViewsWithoutCopying() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        // 2^60 elements (2^62 bytes): only a walk that folds stride-0 dimensions can finish.
        let url = try expandedViewFile(size: [1 << 29, 1 << 29, 4], stride: [0, 0, 1], in: dir)
        let rows = try inspect(url)
        #expect(rows.count == 1 && rows[0].shape == [1 << 29, 1 << 29, 4])
        // 2^64 bytes cannot be addressed: refused when read.
        let tooBig = try expandedViewFile(size: [1 << 30, 1 << 30, 4], stride: [0, 0, 1], in: dir)
        #expect(throws: PickleError.self) { try inspect(tooBig) }
        // Independent check on a small view: the CRC of its materialised bytes equals the folded walk.
        for (size, stride) in [([5, 4], [0, 1]), ([4, 3], [1, 0]), ([3, 2, 2], [0, 2, 1]), ([2, 3, 2], [1, 0, 2]), ([7, 1, 4], [0, 9, 1])] {
            let small = try expandedViewFile(size: size, stride: stride, in: dir)
            let t = try #require(loadStateDict(from: small)["t"])
            #expect(try inspect(small)[0].checksum == CRC32.checksum(elementBytes(t)), "size \(size) stride \(stride)")
        }
    }

    @Test func crcCombinationMatchesDirectChecksum() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let a = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            let b = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            #expect(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), lengthB: b.count) == CRC32.checksum(a + b))
            let n = Int.random(in: 0..<9, using: &rng)
            #expect(CRC32.repeated(CRC32.checksum(a), length: a.count, count: n)
                    == CRC32.checksum(Array([[UInt8]](repeating: a, count: n).joined())))
        }
    }

    @Test func convertRefusesHugeExpandedViewsUnlessAsked() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        // 2^32 floats = 16 GiB from 16 bytes of storage.
        let url = try expandedViewFile(size: [1 << 30, 4], stride: [0, 1], in: dir)
        for ext in ["safetensors", "npz", "npy"] {
            #expect { try convert(from: url, to: dir.appendingPathComponent("out.\(ext)")) } throws: { e in
                let text = "\(e)"
                return text.contains("view.pt") && text.contains("'t'") && text.contains("16 GiB") && text.contains("allowLargeViews")
            }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.\(ext)").path))
        }
        // .pt keeps strides, so the view stays 16 bytes of storage.
        try convert(from: url, to: dir.appendingPathComponent("out.pt"))
        #expect(try loadStateDict(from: dir.appendingPathComponent("out.pt"))["t"]?.shape == [1 << 30, 4])
        // A small expanded view converts without the flag.
        let small = try expandedViewFile(size: [8, 4], stride: [0, 1], in: dir)
        try convert(from: small, to: dir.appendingPathComponent("small.safetensors"))
        #expect(try loadStateDict(from: dir.appendingPathComponent("small.safetensors"))["t"]?.shape == [8, 4])
    }

    // MARK: Many tensors

    /// Seconds to load a safetensors file of `n` one-element tensors, checking what comes back.
    func loadTime(tensors n: Int, in dir: URL) throws -> Double {
        var sd = StateDict()
        for i in 0..<n { sd["layer\(i).weight"] = Tensor([Float(i)]) }
        let url = dir.appendingPathComponent("many-\(n).safetensors")
        try save(sd, to: url)
        let clock = ContinuousClock()
        let start = clock.now
        let back = try loadCheckpoint(from: url)
        let elapsed = clock.now - start
        #expect(back.dict?.count == n)
        #expect(back[.string("layer\(n / 2 + 1).weight")]?.tensor?.item() == Double(n / 2 + 1))
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    @Test func manySmallTensorsLoadInLinearTime() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        // Quadratic key search took 35 s for 100,000 tensors. Linear loading takes ~0.1 s in release and ~2 s in
        // a debug build; ten times the tensors must cost about ten times the time, not a hundred.
        let small = try loadTime(tensors: 10_000, in: dir), large = try loadTime(tensors: 100_000, in: dir)
        #expect(large < 30 * small + 0.5, "10k tensors: \(small) s, 100k tensors: \(large) s")
        #expect(large < 20)
    }
}
