// Hostile and malformed files: forbidden globals, lying sizes, overlapping offsets — each a typed error.
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO hostile inputs")
struct HostileInputTests {
    func loadPT(_ bytes: [UInt8]) throws -> CheckpointValue { try TorchFormat.read(bytes, file: "hostile.pt") }

    func kind(_ e: any Error) -> PickleError.Kind? { (e as? PickleError)?.kind }

    /// The classic exploit: `os.system("touch <marker>")` via GLOBAL + REDUCE. Refused at GLOBAL; nothing runs.
    @Test func osSystemIsRefusedBeforeAnythingRuns() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("ember-pwned-\(UUID().uuidString)")
        let pickle = P.proto2 + P.global("os", "system") + P.str("touch " + marker.path) + P.tuple1 + P.reduce + P.stop
        let file = try torchZip(pickle: pickle)
        #expect { try loadPT(file) } throws: { e in
            let p = e as? PickleError
            return p?.kind == .forbiddenGlobal("os", "system") && p?.offset == 2 && p?.entry == "archive/data.pkl"
                && p?.description.contains("hostile.pt") == true
        }
        #expect(!FileManager.default.fileExists(atPath: marker.path))
    }

    @Test(arguments: [("builtins", "eval"), ("posix", "system"), ("subprocess", "Popen"), ("torch", "load"),
                      ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("collections", "defaultdict"),
                      ("__builtin__", "getattr")])
    func otherGlobalsAreRefused(_ global: (String, String)) throws {
        // Through GLOBAL (protocol 2) and through STACK_GLOBAL (protocol 4).
        let viaGlobal = P.proto2 + P.global(global.0, global.1) + P.emptyTuple + P.reduce + P.stop
        let viaStack: [UInt8] = [0x80, 4] + P.str(global.0) + P.str(global.1) + [0x93] + P.emptyTuple + P.reduce + P.stop
        for pickle in [viaGlobal, viaStack] {
            #expect { try loadPT(try torchZip(pickle: pickle)) } throws: { self.kind($0) == .forbiddenGlobal(global.0, global.1) }
        }
    }

    @Test func unsupportedOpcodesAndProtocols() throws {
        // INST ('i') and OBJ ('o') build arbitrary classes in protocol 0/1; STRING ('S') is protocol 0 text.
        for (op, bytes) in [(UInt8(ascii: "i"), P.proto2 + [UInt8(ascii: "i")] + Array("os\nsystem\n".utf8) + P.stop),
                            (UInt8(ascii: "o"), P.proto2 + P.mark + [UInt8(ascii: "o")] + P.stop),
                            (UInt8(ascii: "S"), P.proto2 + [UInt8(ascii: "S")] + Array("'x'\n".utf8) + P.stop)] {
            #expect { try loadPT(try torchZip(pickle: bytes)) } throws: { self.kind($0) == .unsupportedOpcode(op) }
        }
        #expect { try loadPT(try torchZip(pickle: [0x80, 9, 0x4E, 0x2E])) } throws: { self.kind($0) == .unsupportedProtocol(9) }
    }

    @Test func hugeDeclaredSizesThrow() throws {
        // A string claiming 4 GB.
        let longString = P.proto2 + [0x58, 0xFF, 0xFF, 0xFF, 0xFF] + Array("abc".utf8)
        #expect { try loadPT(try torchZip(pickle: longString)) } throws: { self.kind($0) == .truncated }
        // A storage claiming 2^62 floats, a 12-byte entry behind it.
        let bigStorage = P.tensorDict(numel: 1 << 62, size: [3], stride: [1])
        #expect { try loadPT(try torchZip(pickle: bigStorage, storages: [("0", [UInt8](repeating: 0, count: 12))])) } throws: { e in
            (e as? CheckpointError)?.kind == .invalidTensor("storage declares 4611686018427387904 x torch.float32 but the entry holds 12 bytes")
        }
        // Sizes whose product overflows, and a view reaching past its storage.
        for (size, stride, offset) in [([1 << 40, 1 << 40], [1, 1], 0), ([4], [1], 0), ([2], [5], 0), ([1], [1], 3)] {
            let p = P.tensorDict(numel: 3, offset: offset, size: size, stride: stride)
            #expect(throws: PickleError.self) { try loadPT(try torchZip(pickle: p, storages: [("0", [UInt8](repeating: 0, count: 12))])) }
        }
        // The valid twin of the above loads.
        let ok = try loadPT(try torchZip(pickle: P.tensorDict(numel: 3, size: [3], stride: [1]), storages: [("0", [UInt8](repeating: 0, count: 12))]))
        #expect(ok["t"]?.tensor?.shape == [3])
        // A central directory entry claiming 4 GB.
        var zip = try torchZip(pickle: P.tensorDict(numel: 3, size: [3], stride: [1]), storages: [("0", [UInt8](repeating: 0, count: 12))])
        let cd = try centralEntryOffset(zip, named: "archive/data/0")
        zip.replaceSubrange(cd + 20 ..< cd + 28, with: [0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF])
        #expect { try loadPT(zip) } throws: { e in
            if case .malformed(let m)? = (e as? ZipError)?.kind { return m.contains("exceeds") }
            return false
        }
    }

    @Test func safetensorsLiesThrow() throws {
        func file(_ header: String, data: Int) -> [UInt8] {
            var b: [UInt8] = []
            b.appendLE(UInt64(header.utf8.count))
            return b + Array(header.utf8) + [UInt8](repeating: 0, count: data)
        }
        func kind(_ bytes: [UInt8]) -> SafetensorsError.Kind? {
            do { _ = try SafetensorsFormat.read(bytes, file: "x.safetensors"); return nil } catch { return (error as? SafetensorsError)?.kind }
        }
        let ok = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        #expect(kind(file(ok, data: 12)) == nil)
        // Overlapping, holes, trailing bytes, out-of-range, size disagreeing with shape.
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(kind(file(overlap, data: 12)) == .invalidOffsets("[4, 12] overlaps the previous tensor (ending at 8)"))
        let same = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        #expect(kind(file(same, data: 8)) != nil)
        let hole = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(kind(file(hole, data: 8)) == .invalidOffsets("hole before [4, 8] (previous tensor ends at 0)"))
        #expect(kind(file(ok, data: 13)) == .invalidOffsets("tensors cover 12 bytes but the file holds 13 bytes of data"))
        #expect(kind(file(ok, data: 11)) != nil)
        let wrongSize = #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#
        #expect(kind(file(wrongSize, data: 8)) == .invalidOffsets("[0, 8] holds 8 bytes but shape [2] of F64 needs 16"))
        let huge = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        #expect(kind(file(huge, data: 8)) == .invalidOffsets("shape [4294967296, 4294967296] of F32 has more bytes than memory can address"))
        let hugeOffset = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}}"#
        #expect(kind(file(hugeOffset, data: 1)) != nil)
        // Header length beyond the file, beyond the 100 MB cap; a file too short to hold the length.
        var lying = file(ok, data: 12)
        lying.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
        #expect(kind(lying) == .invalidHeaderLength(65535))
        lying.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x80])
        #expect(kind(lying) == .headerTooLarge(1 << 63))
        #expect(kind([1, 2, 3]) == .invalidHeaderLength(0))
        #expect(kind(file(#"{"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}"#, data: 2)) == .unsupportedDtype("U16"))
        #expect(kind(file(String(repeating: "[", count: 100_000), data: 0)) != nil) // deep nesting: refused, no stack overflow
    }

    /// Swift's Bool must be 0 or 1: a bool tensor holding byte 7 is refused in every format.
    @Test func invalidBoolBytesAreRefused() throws {
        var st: [UInt8] = []
        let h = #"{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}"#
        st.appendLE(UInt64(h.utf8.count))
        st += Array(h.utf8) + [7]
        #expect(throws: CheckpointError.self) { try SafetensorsFormat.read(st, file: nil) }
        let pt = try torchZip(pickle: P.tensorDict(storage: "BoolStorage", numel: 1, size: [1], stride: [1]), storages: [("0", [7])])
        #expect(throws: CheckpointError.self) { try loadPT(pt) }
    }

    @Test func cyclesAndExponentialSharingAreRefused() throws {
        // l = []; l.append(l)
        let cycle = P.proto2 + P.emptyList + P.put(0) + P.get(0) + P.append + P.stop
        #expect { try loadPT(try torchZip(pickle: cycle)) } throws: { e in
            if case .malformed(let m)? = self.kind(e) { return m.contains("deeper") }
            return false
        }
        // t = (); repeat 80 times: t = (t, t) — 2^80 leaves if expanded naively.
        var doubling = P.proto2 + P.emptyTuple
        for _ in 0..<80 { doubling += P.put(0) + P.get(0) + P.tuple2 }
        doubling += P.stop
        #expect { try loadPT(try torchZip(pickle: doubling)) } throws: { e in
            if case .malformed? = self.kind(e) { return true }
            return false
        }
    }

    /// 300,000 nested tuples (one TUPLE1 byte per level): refused, and freed without a recursive teardown.
    @Test func deepNestingDoesNotOverflowTheStack() throws {
        let deep = P.proto2 + P.emptyTuple + [UInt8](repeating: 0x85, count: 300_000) + P.stop
        #expect { try loadPT(try torchZip(pickle: deep)) } throws: { e in
            if case .malformed(let m)? = self.kind(e) { return m.contains("deeper") }
            return false
        }
        // Lists nested through the memo: l0 = []; l1 = [l0]; ... each appended before it is filled.
        var lists = P.proto2 + P.emptyList + [0x94] // MEMOIZE as 0
        for k in 1..<50_000 {
            lists += P.emptyList + [0x94] + [0x6A] + withUnsafeBytes(of: UInt32(k - 1).littleEndian, Array.init)
            lists += [0x6A] + withUnsafeBytes(of: UInt32(k).littleEndian, Array.init) + P.append + [0x30, 0x30] // POP POP
        }
        lists += [0x6A, 0, 0, 0, 0] + P.stop
        #expect(throws: PickleError.self) { try loadPT(try torchZip(pickle: lists)) }
    }

    @Test func containerProblems() throws {
        #expect { try loadPT([0x80, 2, 0x7D, 0x2E]) } throws: { e in
            if case .unsupported? = (e as? CheckpointError)?.kind { return true }
            return false
        }
        #expect { try loadPT(Array("not a zip at all".utf8)) } throws: { ($0 as? ZipError)?.kind == .notAZip }
        // A deflated entry (method 8) is refused with a clear error.
        var zip = try torchZip(pickle: P.proto2 + P.emptyDict + P.stop)
        let cd = try centralEntryOffset(zip, named: "archive/data.pkl")
        zip[cd + 10] = 8
        #expect { try loadPT(zip) } throws: { ($0 as? ZipError)?.kind == .unsupportedCompression(8) }
        // A storage referenced by the pickle but absent from the archive.
        let missing = try torchZip(pickle: P.tensorDict(numel: 3, size: [3], stride: [1]))
        #expect { try loadPT(missing) } throws: { ($0 as? ZipError)?.kind == .missingEntry }
        // The top folder's name is arbitrary on read.
        let renamed = try torchZip(pickle: P.tensorDict(numel: 1, size: [], stride: []), storages: [("0", [0, 0, 0x60, 0x40])], root: "whatever")
        #expect(try loadPT(renamed)["t"]?.tensor?.item() == 3.5)
    }

    @Test func payloadBitFlipFailsTheCRC() throws {
        var bytes = try readFileBytes(interop("dtypes.pt"))
        let zip = try ZipArchive(bytes: bytes, file: nil)
        let range = try zip.payloadRange(of: try #require(zip.entry(named: "dtypes/data/0"), "dtypes.pt has no dtypes/data/0"))
        try #require(range.count > 5, "dtypes.pt: dtypes/data/0 holds \(range.count) bytes")
        bytes[range.lowerBound + 5] ^= 0x10
        #expect { try loadPT(bytes) } throws: { e in
            if case .crcMismatch? = (e as? ZipError)?.kind { return (e as? ZipError)?.entry == "dtypes/data/0" }
            return false
        }
    }

    /// ZIP64 fields (forced on small files) are written and read back.
    @Test func zip64RoundTrip() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("z64.pt")
        let sd = everyDTypeStateDict()
        try TorchFormat.write(.stateDict(sd), to: url, zip64Threshold: 0)
        let back = try loadStateDict(from: url)
        for (n, t) in sd { #expect(exactDifference(try #require(back[n]), t, n) == nil) }
    }
}

/// The offset of the central-directory record for `name`.
func centralEntryOffset(_ bytes: [UInt8], named name: String) throws -> Int {
    let sig: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
    let target = Array(name.utf8)
    for i in 0 ..< bytes.count - 46 where Array(bytes[i ..< i + 4]) == sig {
        let n = Int(bytes[i + 28]) | Int(bytes[i + 29]) << 8
        if Array(bytes[i + 46 ..< i + 46 + n]) == target { return i }
    }
    throw ZipError(.missingEntry, file: nil, entry: name)
}
