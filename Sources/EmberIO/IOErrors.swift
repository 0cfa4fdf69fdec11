// Typed errors of the checkpoint readers and writers: each names the file, the entry and the offset it can.

/// Formats "file: entry 'e' at offset n: message", leaving out the parts that are unknown.
func describeLocation(file: String?, entry: String?, offset: Int?, _ message: String) -> String {
    var parts: [String] = []
    if let file = file { parts.append(file) }
    if let entry = entry { parts.append(entry) }
    if let offset = offset { parts.append("at offset \(offset)") }
    return parts.isEmpty ? message : parts.joined(separator: " ") + ": " + message
}

/// An error of the checkpoint layer itself: file access, format choice, and the meaning of what was read.
///
/// Lower layers throw their own types (`ZipError`, `PickleError`, `SafetensorsError`, `NpyError`);
/// a caller that only wants a message can print any of them (all are `CustomStringConvertible`).
public struct CheckpointError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The file could not be opened, read, written, synced or renamed (`errno`'s text in the message).
        case io(String)
        /// The extension does not name a format Ember reads or writes.
        case unknownFormat(String)
        /// The file is in a format Ember recognises but does not support (legacy `torch.save`, big-endian, ...).
        case unsupported(String)
        /// The content is well formed but does not describe what was asked for (e.g. a flat state dict).
        case invalidContent(String)
        /// A tensor's declared geometry does not fit its storage, or its sizes overflow.
        case invalidTensor(String)
    }
    /// What went wrong.
    public var kind: Kind
    /// The file involved.
    public var file: String?
    /// The archive entry or key involved.
    public var entry: String?

    /// An error of `kind` about `file` (and `entry`, a zip member or dict key).
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - file: The file involved, if known.
    ///   - entry: The archive member or dictionary key involved, if known.
    public init(_ kind: Kind, file: String? = nil, entry: String? = nil) {
        self.kind = kind
        self.file = file
        self.entry = entry
    }

    /// "file entry 'e': message".
    public var description: String {
        let message: String
        switch kind {
        case .io(let m): message = m
        case .unknownFormat(let ext):
            message = "unknown tensor file format '\(ext)' (expected .pt, .pth, .bin, .safetensors, .npz or .npy)"
        case .unsupported(let m), .invalidContent(let m), .invalidTensor(let m): message = m
        }
        return describeLocation(file: file, entry: entry.map { "entry '\($0)'" }, offset: nil, message)
    }
}

/// An error reading or writing a zip container (the outer layer of `.pt` and `.npz` files).
public struct ZipError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The file ends before a structure that must be there.
        case truncated(String)
        /// No end-of-central-directory record: not a zip file.
        case notAZip
        /// A record does not start with its signature.
        case badSignature(String)
        /// An entry uses a compression method other than stored (0); deflate (8) is refused.
        case unsupportedCompression(Int)
        /// An entry is encrypted.
        case encrypted
        /// The payload's CRC-32 differs from the one recorded in the central directory.
        case crcMismatch(expected: UInt32, actual: UInt32)
        /// A size or offset points outside the file, or structures disagree.
        case malformed(String)
        /// A required entry is missing.
        case missingEntry
    }
    /// What went wrong.
    public var kind: Kind
    /// The zip file.
    public var file: String?
    /// The entry name, when one is involved.
    public var entry: String?
    /// The byte offset in the file, when known.
    public var offset: Int?

    /// An error of `kind`, located as precisely as the reader knows.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - file: The file involved, if known.
    ///   - entry: The archive member or dictionary key involved, if known.
    ///   - offset: The byte offset of the problem, if known.
    public init(_ kind: Kind, file: String?, entry: String? = nil, offset: Int? = nil) {
        self.kind = kind
        self.file = file
        self.entry = entry
        self.offset = offset
    }

    /// The location (file, entry, offset) followed by what went wrong.
    public var description: String {
        let message: String
        switch kind {
        case .truncated(let what): message = "truncated zip: \(what)"
        case .notAZip: message = "not a zip archive (no end-of-central-directory record)"
        case .badSignature(let what): message = "bad signature for \(what)"
        case .unsupportedCompression(let m):
            message = "compression method \(m)\(m == 8 ? " (deflate)" : "") is not supported; Ember reads stored (uncompressed) entries, which is what torch.save and numpy.savez write"
        case .encrypted: message = "encrypted entries are not supported"
        case .crcMismatch(let e, let a):
            message = "CRC-32 mismatch (recorded \(hex32(e)), computed \(hex32(a))): the data is corrupt"
        case .malformed(let m): message = m
        case .missingEntry: message = "missing from the archive"
        }
        return describeLocation(file: file, entry: entry.map { "entry '\($0)'" }, offset: offset, message)
    }
}

/// An error of the restricted unpickler, or of the pickler.
///
/// `forbiddenGlobal` is thrown as soon as the pickle *names* a global outside the allow-list,
/// before anything could call it: loading a file never executes code.
public struct PickleError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The pickle refers to a global (module, name) that a state dict does not need.
        case forbiddenGlobal(String, String)
        /// An opcode outside the subset a state dict needs.
        case unsupportedOpcode(UInt8)
        /// A protocol number outside 2...5.
        case unsupportedProtocol(Int)
        /// The stream ends before STOP or inside an argument.
        case truncated
        /// Well-formed opcodes used in a way a state dict never uses them (stack underflow, wrong types, ...).
        case malformed(String)
        /// A value cannot be written in a torch-loadable pickle.
        case unpicklable(String)
        /// A tensor of a PyTorch dtype Ember does not hold (complex64, uint16, float8_e4m3fn, ...).
        case unsupportedDtype(String)
    }
    /// What went wrong.
    public var kind: Kind
    /// Byte offset in the pickle stream, when known.
    public var offset: Int?
    /// The file, filled in by the `.pt` reader.
    public var file: String?
    /// The archive entry (`archive/data.pkl`), filled in by the `.pt` reader.
    public var entry: String?

    /// An error of `kind`, located as precisely as the reader knows.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - offset: The byte offset of the problem, if known.
    ///   - file: The file involved, if known.
    ///   - entry: The archive member or dictionary key involved, if known.
    public init(_ kind: Kind, offset: Int? = nil, file: String? = nil, entry: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.file = file
        self.entry = entry
    }

    /// The location (file, entry, offset) followed by what went wrong.
    public var description: String {
        let message: String
        switch kind {
        case .forbiddenGlobal(let m, let n):
            message = "forbidden global \(m).\(n): Ember's loader only accepts the globals a state dict needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.Size, torch.*Storage)"
        case .unsupportedOpcode(let op):
            let printable = op >= 0x20 && op < 0x7f ? " ('\(Character(Unicode.Scalar(op)))')" : ""
            message = "unsupported pickle opcode 0x\(String(op, radix: 16))\(printable)"
        case .unsupportedProtocol(let p): message = "unsupported pickle protocol \(p)"
        case .truncated: message = "pickle stream ends early"
        case .malformed(let m): message = "malformed pickle: \(m)"
        case .unpicklable(let m): message = "cannot pickle: \(m)"
        case .unsupportedDtype(let d):
            message = "unsupported dtype \(d): Ember holds bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32 and float64"
        }
        return describeLocation(file: file, entry: entry.map { "entry '\($0)'" }, offset: offset, message)
    }
}

/// An error reading or writing a `.safetensors` file.
public struct SafetensorsError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// Fewer than 8 bytes, or the declared header runs past the end of the file.
        case invalidHeaderLength(UInt64)
        /// The declared header is larger than the reference implementation's 100 MB limit.
        case headerTooLarge(UInt64)
        /// The header is not the JSON object the format describes.
        case invalidHeader(String)
        /// A dtype string Ember does not hold (F8_*, U16, U32, U64, ...).
        case unsupportedDtype(String)
        /// data_offsets out of range, overlapping, leaving holes, or disagreeing with shape x dtype.
        case invalidOffsets(String)
        /// Values that cannot be written (e.g. a name used twice).
        case invalidInput(String)
    }
    /// What went wrong.
    public var kind: Kind
    /// The file.
    public var file: String?
    /// The tensor name involved.
    public var tensor: String?

    /// An error of `kind`, located as precisely as the reader knows.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - file: The file involved, if known.
    ///   - tensor: The tensor involved, if known.
    public init(_ kind: Kind, file: String?, tensor: String? = nil) {
        self.kind = kind
        self.file = file
        self.tensor = tensor
    }

    /// The location (file, entry, offset) followed by what went wrong.
    public var description: String {
        let message: String
        switch kind {
        case .invalidHeaderLength(let n): message = "invalid header length \(n) for the file's size"
        case .headerTooLarge(let n): message = "header of \(n) bytes exceeds the 100000000-byte limit"
        case .invalidHeader(let m): message = "invalid header: \(m)"
        case .unsupportedDtype(let d): message = "unsupported dtype \(d)"
        case .invalidOffsets(let m): message = "invalid data_offsets: \(m)"
        case .invalidInput(let m): message = m
        }
        return describeLocation(file: file, entry: tensor.map { "tensor '\($0)'" }, offset: nil, message)
    }
}


/// `0x1234abcd` with 8 digits.
func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
