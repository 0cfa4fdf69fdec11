// The safetensors format: an 8-byte header length, a JSON header of names/dtypes/shapes/offsets, then raw data.
import Foundation
import Ember

/// Reads and writes `.safetensors` files with the reference implementation's rules.
enum SafetensorsFormat {
    /// The reference implementation refuses headers above 100 MB.
    static let maxHeaderSize: UInt64 = 100_000_000

    static func dtypeName(_ d: DType) -> String {
        switch d {
        case .bool: return "BOOL"
        case .uint8: return "U8"
        case .int8: return "I8"
        case .int16: return "I16"
        case .int32: return "I32"
        case .int64: return "I64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        }
    }

    static func dtype(named s: String) -> DType? { DType.allCases.first { dtypeName($0) == s } }

    /// The rank of each dtype in the reference `Dtype` enum's declaration order; the writer sorts by it.
    static func rank(_ d: DType) -> Int {
        switch d {
        case .bool: return 0
        case .uint8: return 1
        case .int8: return 2
        case .int16: return 5
        case .float16: return 7
        case .bfloat16: return 8
        case .int32: return 9
        case .float32: return 11
        case .float64: return 12
        case .int64: return 13
        }
    }

    /// Parses a file's bytes into tensors (in header order) and the `__metadata__` strings.
    static func read(_ bytes: [UInt8], file: String?) throws -> (tensors: StateDict, metadata: [(String, String)]) {
        func fail(_ k: SafetensorsError.Kind, _ tensor: String? = nil) -> SafetensorsError { SafetensorsError(k, file: file, tensor: tensor) }
        let r = ByteReader(bytes)
        guard let n = r.u64(at: 0) else { throw fail(.invalidHeaderLength(0)) }
        guard n <= maxHeaderSize else { throw fail(.headerTooLarge(n)) }
        guard n <= UInt64(bytes.count - 8) else { throw fail(.invalidHeaderLength(n)) }
        let headerEnd = 8 + Int(n)
        let json: JSONValue
        do { json = try JSONParser.parse(Array(bytes[8 ..< headerEnd])) } catch let e as JSONParser.Failure {
            throw fail(.invalidHeader("\(e.message) at header byte \(e.offset)"))
        }
        guard case .object(let members) = json else { throw fail(.invalidHeader("not a JSON object")) }

        struct Info { let name: String; let dtype: DType; let shape: [Int]; let begin: Int; let end: Int }
        var infos: [Info] = []
        var metadata: [(String, String)] = []
        var seen = Set<String>()
        for (name, v) in members {
            guard seen.insert(name).inserted else { throw fail(.invalidHeader("name listed twice"), name) }
            if name == "__metadata__" {
                guard case .object(let kv) = v else { throw fail(.invalidHeader("__metadata__ is not an object")) }
                for (k, x) in kv {
                    guard case .string(let s) = x else { throw fail(.invalidHeader("__metadata__ value for '\(k)' is not a string")) }
                    metadata.append((k, s))
                }
                continue
            }
            guard case .object(let fields) = v else { throw fail(.invalidHeader("entry is not an object"), name) }
            func field(_ k: String) -> JSONValue? { fields.first { $0.0 == k }?.1 }
            guard case .string(let dt)? = field("dtype") else { throw fail(.invalidHeader("missing dtype"), name) }
            guard let dtype = dtype(named: dt) else { throw fail(.unsupportedDtype(dt), name) }
            guard case .array(let dims)? = field("shape") else { throw fail(.invalidHeader("missing shape"), name) }
            let shape: [Int] = try dims.map {
                guard case .int(let d) = $0, d >= 0 else { throw fail(.invalidHeader("shape entries must be non-negative integers"), name) }
                return d
            }
            guard case .array(let offs)? = field("data_offsets"), offs.count == 2,
                  case .int(let begin) = offs[0], case .int(let end) = offs[1], begin >= 0, end >= begin else {
                throw fail(.invalidOffsets("must be [begin, end] with 0 <= begin <= end"), name)
            }
            guard let nbytes = ShapeArithmetic.byteCount(shape, itemSize: dtype.itemSize) else {
                throw fail(.invalidOffsets("shape \(shape) of \(dt) has more bytes than memory can address"), name)
            }
            guard end - begin == nbytes else {
                throw fail(.invalidOffsets("[\(begin), \(end)] holds \(end - begin) bytes but shape \(shape) of \(dt) needs \(nbytes)"), name)
            }
            infos.append(Info(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        // The data must be tiled exactly: sorted by begin, each tensor starts where the previous ended,
        // and the last ends at the end of the file (no overlap, no hole, nothing trailing).
        let dataLength = bytes.count - headerEnd
        var cursor = 0
        for info in infos.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard info.begin == cursor else {
                throw fail(.invalidOffsets(info.begin < cursor ? "[\(info.begin), \(info.end)] overlaps the previous tensor (ending at \(cursor))"
                                                               : "hole before [\(info.begin), \(info.end)] (previous tensor ends at \(cursor))"), info.name)
            }
            cursor = info.end
        }
        guard cursor == dataLength else {
            throw fail(.invalidOffsets("tensors cover \(cursor) bytes but the file holds \(dataLength) bytes of data"))
        }
        var out = StateDict()
        try bytes.withUnsafeBytes { all in
            for info in infos {
                let t = Tensor.fromBytes(UnsafeRawBufferPointer(rebasing: all[headerEnd + info.begin ..< headerEnd + info.end]),
                                         shape: info.shape, dtype: info.dtype)
                try validateBoolBytes(t.storage, dtype: t.dtype, count: t.numel, file: file, entry: info.name)
                out[info.name] = t
            }
        }
        return (out, metadata)
    }

    /// Writes `tensors` (sorted like the reference writer: dtype rank descending, then name) atomically.
    static func write(_ tensors: StateDict, metadata: [(String, String)], to url: URL) throws {
        let file = url.path
        var names = Set<String>()
        for (n, t) in tensors {
            guard names.insert(n).inserted else { throw SafetensorsError(.invalidInput("name used twice"), file: file, tensor: n) }
            guard n != "__metadata__" else { throw SafetensorsError(.invalidInput("'__metadata__' is reserved"), file: file, tensor: n) }
            guard t.device == .cpu else { throw SafetensorsError(.invalidInput("tensor on \(t.device)"), file: file, tensor: n) }
        }
        let sorted = tensors.entries.sorted { a, b in
            let ra = rank(a.tensor.dtype), rb = rank(b.tensor.dtype)
            return ra != rb ? ra > rb : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var members: [(String, JSONValue)] = []
        if !metadata.isEmpty { members.append(("__metadata__", .object(metadata.map { ($0.0, .string($0.1)) }))) }
        var offset = 0
        for (n, t) in sorted {
            let nbytes = t.numel * t.dtype.itemSize
            members.append((n, .object([("dtype", .string(dtypeName(t.dtype))), ("shape", .array(t.shape.map { .int($0) })),
                                        ("data_offsets", .array([.int(offset), .int(offset + nbytes)]))])))
            offset += nbytes
        }
        var header = ""
        JSONWriter.write(.object(members), into: &header)
        var headerBytes = Array(header.utf8)
        // The reference writer pads the header with spaces so the data starts 8-byte aligned.
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        try atomicWrite(to: url) { sink in
            var prefix: [UInt8] = []
            prefix.appendLE(UInt64(headerBytes.count))
            try sink.write(prefix)
            try sink.write(headerBytes)
            for (_, t) in sorted { try t.withContiguousBytes { try sink.write($0) } }
        }
    }
}
