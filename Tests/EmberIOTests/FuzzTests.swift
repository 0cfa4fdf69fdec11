// Seeded fuzzing of every reader: truncations and bit flips never crash, and never yield tensors from corrupt data
// where the format can tell (zip CRCs); EMBER_IO_FUZZ_ITERATIONS raises the count for long runs.
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO fuzzing")
struct FuzzTests {
    /// `.pt`: every truncation throws; every bit flip either throws or gives back exactly the original tree
    /// (flips in bytes nothing reads, such as timestamps or the alignment padding).
    @Test(arguments: ["dtypes.pt", "tiny_resnet_d2l_residual_io.pt"])
    func torchReaderTruncationsAndFlips(_ name: String) throws {
        let original = try readFileBytes(interop(name))
        let reference = try TorchFormat.read(original, file: name)
        for cut in stride(from: 0, to: original.count, by: Swift.max(1, original.count / fuzzIterations)) {
            #expect(throws: (any Error).self, "truncated at \(cut)") { try TorchFormat.read(Array(original[..<cut]), file: name) }
        }
        var rng = SeededGenerator(seed: 0xE3BE_2001)
        var survived = 0
        for i in 0..<fuzzIterations {
            var bytes = original
            let flips = i % 4 == 3 ? Int.random(in: 2...8, using: &rng) : 1
            for _ in 0..<flips { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng) }
            if let value = try? TorchFormat.read(bytes, file: name) {
                survived += 1
                #expect(treeDifference(value, reference) == nil, "flip set \(i) returned different data")
            }
        }
        #expect(survived < fuzzIterations / 2) // most flips land in checked bytes
    }

    /// `.npz`: same contract as `.pt` (the zip CRC covers each array).
    @Test func npzReaderTruncationsAndFlips() throws {
        let original = Array(Data(base64Encoded: numpyNpzBase64)!)
        let reference = try NpzFormat.read(original, file: nil)
        for cut in 0..<original.count {
            #expect(throws: (any Error).self) { try NpzFormat.read(Array(original[..<cut]), file: nil) }
        }
        var rng = SeededGenerator(seed: 7)
        for i in 0..<fuzzIterations {
            var bytes = original
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            if let sd = try? NpzFormat.read(bytes, file: nil) {
                #expect(treeDifference(.stateDict(sd), .stateDict(reference)) == nil, "flip \(i)")
            }
        }
    }

    /// `.safetensors` has no checksum, so a flipped data byte is undetectable by design (as in the reference
    /// library); header flips must throw or describe a consistent file, and truncations must all throw.
    @Test(arguments: ["tiny_resnet_d2l_residual.safetensors", "lenet_d2l.safetensors"])
    func safetensorsReaderTruncationsAndFlips(_ name: String) throws {
        let original = try readFileBytes(interop(name))
        let headerEnd = 8 + Int(try #require(ByteReader(original).u64(at: 0), "\(name): shorter than a safetensors header size"))
        let reference = try SafetensorsFormat.read(original, file: nil).tensors
        func dataBytes(_ sd: StateDict) -> Int { sd.reduce(0) { $0 + $1.tensor.numel * $1.tensor.dtype.itemSize } }
        let referenceBytes = dataBytes(reference)
        var cuts = Array(stride(from: 0, to: headerEnd + 16, by: headerEnd > 1000 ? 3 : 1))
        cuts += stride(from: headerEnd + 16, to: original.count, by: 997)
        for cut in cuts {
            #expect(throws: (any Error).self) { try SafetensorsFormat.read(Array(original[..<cut]), file: nil) }
        }
        var rng = SeededGenerator(seed: 0x5AFE)
        for i in 0..<fuzzIterations / 2 {
            var bytes = original
            let flips = i % 4 == 3 ? 3 : 1
            for _ in 0..<flips { bytes[Int.random(in: 0..<headerEnd, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng) }
            if let (sd, _) = try? SafetensorsFormat.read(bytes, file: nil) {
                // Whatever was read covers the data exactly: same total byte count as the original.
                let n = dataBytes(sd)
                #expect(n == referenceBytes)
            }
        }
    }

    /// The unpickler alone, on mutated `data.pkl` streams with storages supplied for any key:
    /// flips, overwrites, truncations and splices must only ever throw or return.
    @Test func unpicklerSurvivesMutations() throws {
        let zip = try ZipArchive(bytes: readFileBytes(interop("checkpoint_mlp_sgd.pt")), file: nil)
        // torch.save names the archive's top folder after the file; any name is accepted on read.
        let pickle = try zip.read(try #require(zip.entries.first { $0.name.hasSuffix("/data.pkl") }, "checkpoint_mlp_sgd.pt has no data.pkl"))
        // One zeroed buffer serves every storage request (sizes above it are refused like a short entry).
        let shared = Storage(byteCount: 1 << 20)
        shared.data.initializeMemory(as: UInt8.self, repeating: 0, count: 1 << 20)
        let loader: Unpickler.StorageLoader = { _, dtype, numel, _ in
            guard numel * dtype.itemSize <= 1 << 20 else { throw CheckpointError(.invalidTensor("too big for the fuzz loader")) }
            return PickledStorage(storage: shared, dtype: dtype, numel: numel)
        }
        var original = Unpickler(pickle, loadStorage: loader)
        _ = try original.load()
        var rng = SeededGenerator(seed: 0x9E3)
        var loaded = 0
        for i in 0..<fuzzIterations * 2 {
            var bytes = pickle
            switch i % 5 {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1: for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            case 2: bytes = Array(bytes[..<Int.random(in: 0..<bytes.count, using: &rng)])
            case 3: // splice a random chunk of the stream somewhere else
                let a = Int.random(in: 0..<bytes.count, using: &rng), n = Int.random(in: 1...40, using: &rng)
                let chunk = Array(bytes[a ..< Swift.min(bytes.count, a + n)])
                bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &rng))
            default: bytes = [0x80, 2] + (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            var u = Unpickler(bytes, loadStorage: loader)
            if (try? u.load()) != nil { loaded += 1 }
        }
        #expect(loaded < fuzzIterations * 2)
    }

    /// The header parsers on their own: JSON (safetensors) and the numpy header dict.
    @Test func headerParsersSurviveMutations() throws {
        let header = Array(#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b\u00e9":[1.5e3,-0,true,null]}"#.utf8)
        _ = try JSONParser.parse(header)
        let npy = Array(Data(base64Encoded: numpyFortranNpyBase64)!)
        _ = try Tensor.loadNpy(from: Data(npy))
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<fuzzIterations {
            var j = header
            for _ in 0..<Int.random(in: 1...3, using: &rng) { j[Int.random(in: 0..<j.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? JSONParser.parse(Array(j[..<Int.random(in: 0...j.count, using: &rng)]))
            var n = npy
            n[Int.random(in: 0..<128, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            _ = try? Tensor.loadNpy(from: Data(n))
            _ = try? Tensor.loadNpy(from: Data(Array(npy[..<Int.random(in: 0..<npy.count, using: &rng)])))
        }
    }

    /// Seeds at the edges of size arithmetic — a zero-element tensor with 2^32-sized dimensions, a stride-0 view
    /// of 2^60 elements, a safetensors file of 200 tensors — with their sizes, strides and offsets replaced by
    /// extreme values (0, ±1, 2^31, 2^32, 2^62, Int64.max, -1) and random flips: loading, checksumming and the
    /// large-view check only ever throw or return.
    @Test func extremeShapeSeedsSurviveMutations() throws {
        // The pickles alone (a zip's CRC would refuse a mutated pickle before it is read), with storages of the
        // seeds' sizes supplied by the loader.
        let zeroElement = P.tensorDict(numel: 0, size: [0, 1 << 32, 1 << 32], stride: [1, 1, 1])
        let expanded = P.tensorDict(numel: 4, size: [1 << 29, 1 << 29, 4], stride: [0, 0, 1])
        let sixteen = Storage(byteCount: 16)
        sixteen.data.initializeMemory(as: UInt8.self, repeating: 1, count: 16)
        let loader: Unpickler.StorageLoader = { _, dtype, numel, _ in
            guard let n = ShapeArithmetic.byteCount([numel], itemSize: dtype.itemSize), n <= 16 else { throw CheckpointError(.invalidTensor("storage larger than the seed's")) }
            return PickledStorage(storage: sixteen, dtype: dtype, numel: numel)
        }
        var many: [UInt8] = []
        var header = "{", offset = 0
        for i in 0..<200 { header += (i > 0 ? "," : "") + #""t\#(i)":{"dtype":"F32","shape":[1],"data_offsets":[\#(offset),\#(offset + 4)]}"#; offset += 4 }
        header += "}"
        many.appendLE(UInt64(header.utf8.count))
        many += Array(header.utf8) + [UInt8](repeating: 0, count: offset)
        let extremes: [Int64] = [0, 1, -1, 1 << 31, 1 << 32, 1 << 62, .max, .min]
        var rng = SeededGenerator(seed: 0xE5_7E_E3)
        func exercise(_ value: CheckpointValue) {
            for (name, t) in value.flattenedTensors() {
                _ = t.elementChecksum
                _ = t.isContiguous
                _ = try? checkNotALargeView(t, name: name, file: "fuzz", format: .safetensors)
            }
        }
        // Where the pickled 8-byte ints (LONG1 payloads: sizes, strides, offsets, numel) are in each .pt seed.
        let seeds = [zeroElement, expanded].map { b in (b, (0..<(b.count - 10)).filter { b[$0] == 0x8A && b[$0 + 1] == 8 }) }
        for i in 0..<fuzzIterations / 2 {
            // The two .pt seeds: overwrite one pickled int with an extreme value, or flip a bit.
            for (seed, ints) in seeds {
                var bytes = seed
                if i % 3 != 2, let at = ints.randomElement(using: &rng) {
                    var v = extremes.randomElement(using: &rng)!
                    withUnsafeBytes(of: &v) { for k in 0..<8 { bytes[at + 2 + k] = $0[k] } }
                } else {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
                }
                var u = Unpickler(bytes, loadStorage: loader)
                if let v = try? u.load() { exercise(v) }
            }
            // The many-tensor safetensors seed: digits of the header replaced by other digits.
            var st = many
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 8..<(8 + header.utf8.count), using: &rng)
                if (0x30...0x39).contains(st[at]) { st[at] = UInt8.random(in: 0x30...0x39, using: &rng) }
            }
            if let (sd, _) = try? SafetensorsFormat.read(st, file: "fuzz.safetensors") { exercise(.stateDict(sd)) }
        }
    }
}
