// NumPy `.npy` files: read (format 1.0/2.0/3.0, both byte orders, C or Fortran order) and atomic write.
import Foundation
import Ember

/// What went wrong reading or writing a `.npy` file, and in which file.
///
/// A corrupt or truncated file always throws one of these: it never yields a tensor and never crashes.
public struct NpyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The specific problem.
    public enum Reason: Equatable, Sendable {
        /// The file does not start with `\x93NUMPY`.
        case badMagic
        /// A format version other than 1.0, 2.0 or 3.0.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The file ends at byte `offset`, inside the preamble or header (which needs `needed` bytes).
        case truncatedHeader(offset: Int, needed: Int)
        /// The header dictionary is not what NumPy writes (bad syntax, keys or shape).
        case malformedHeader(String)
        /// A dtype Ember cannot hold (`<u4`, `<c8`, structured, object, ...), or bfloat16 on save.
        case unsupportedDType(String)
        /// The data section holds `available` bytes but the shape and dtype need `expected`.
        case truncatedData(expected: Int, available: Int)
        /// The operating system refused a read or write.
        case io(String)
    }
    /// The path of the file, or `<memory>` for in-memory data.
    public let file: String
    /// What was wrong.
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .badMagic: what = "not a .npy file (bad magic; expected \\x93NUMPY)"
        case let .unsupportedVersion(major, minor): what = "unsupported .npy format version \(major).\(minor)"
        case let .truncatedHeader(offset, needed): what = "truncated header at offset \(offset) (the header needs \(needed) bytes)"
        case let .malformedHeader(detail): what = "malformed header: \(detail)"
        case let .unsupportedDType(d): what = "unsupported dtype \(d)"
        case let .truncatedData(expected, available): what = "data shorter than the shape needs: \(available) bytes, expected \(expected)"
        case let .io(detail): what = detail
        }
        return "\(file): \(what)"
    }
}

extension Tensor {
    /// Reads a NumPy `.npy` file (`torch.from_numpy(np.load(path))`).
    ///
    /// Supports format versions 1.0, 2.0 and 3.0; dtypes `f2 f4 f8 i1 i2 i4 i8 u1 b1` in either byte order
    /// (big-endian data is byte-swapped); C order, and Fortran order (returned as a contiguous C-order
    /// tensor with the same values). Bytes after the data are ignored, as NumPy does.
    ///
    /// - Throws: `NpyError` naming the file and the problem (bad magic, truncated header, short data,
    ///   unsupported dtype); a damaged file never yields a tensor.
    ///
    /// ```swift
    /// let x = try Tensor.loadNpy(from: URL(fileURLWithPath: "features.npy"))
    /// ```
    public static func loadNpy(from url: URL) throws -> Tensor {
        // A FIFO would block the read for ever and a directory or device is never an array: refuse them first.
        if let type = try? FileManager.default.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType,
           type != .typeRegular {
            throw NpyError(file: url.path, reason: .io("not a regular file (\(type.rawValue))"))
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw NpyError(file: url.path, reason: .io("cannot read: \(error.localizedDescription)"))
        }
        return try loadNpy(from: data, source: url.path)
    }

    /// Reads `.npy` bytes held in memory (e.g. a member of an `.npz` archive); `source` names them in errors.
    public static func loadNpy(from data: Data, source: String = "<memory>") throws -> Tensor {
        try data.withUnsafeBytes { raw in try NpyReader(bytes: raw, source: source).read() }
    }

    /// Writes this tensor as a NumPy `.npy` file (format 1.0, or 2.0 for huge headers), atomically:
    /// the bytes go to a temporary file in the same directory, are flushed with `fsync`, then renamed
    /// over `url`, so a crash never leaves a half-written file. The header is byte-identical to `np.save`'s.
    ///
    /// - Throws: `NpyError` for bfloat16 (NumPy has no such dtype) or when the file cannot be written.
    ///
    /// ```swift
    /// try Tensor.arange(12).reshape(3, 4).saveNpy(to: URL(fileURLWithPath: "x.npy"))
    /// ```
    public func saveNpy(to url: URL) throws {
        let bytes = try npyData(source: url.path)
        // The one atomic writer of EmberIO; its errors are reported as this format's.
        do { try writeAtomically(bytes, to: url) } catch let e as CheckpointError {
            if case .io(let message) = e.kind { throw NpyError(file: url.path, reason: .io(message)) }
            throw NpyError(file: url.path, reason: .io("\(e)"))
        }
    }

    /// The `.npy` encoding of this tensor (what `saveNpy` writes).
    public func npyData() throws -> Data { try npyData(source: "<memory>") }

    /// The `.npy` bytes of this tensor; `source` names the file or archive member in errors.
    public func npyData(source: String) throws -> Data {
        let descr: String
        switch dtype {
        case .bool: descr = "|b1"
        case .uint8: descr = "|u1"
        case .int8: descr = "|i1"
        case .int16: descr = "<i2"
        case .int32: descr = "<i4"
        case .int64: descr = "<i8"
        case .float16: descr = "<f2"
        case .float32: descr = "<f4"
        case .float64: descr = "<f8"
        case .bfloat16:
            throw NpyError(file: source, reason: .unsupportedDType("bfloat16 (NumPy has no bfloat16; convert with .float() first)"))
        }
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // NumPy leaves room to grow the first axis in place (GROWTH_AXIS_MAX_DIGITS = 21).
        if let first = shape.first { header += String(repeating: " ", count: Swift.max(0, 21 - String(first).count)) }
        var version: UInt8 = 1
        var preamble = 10
        var total = preamble + header.utf8.count + 1
        // NumPy pads to a multiple of 64 with 1...64 spaces (64 when already aligned).
        if total + (64 - total % 64) - preamble > 65535 { version = 2; preamble = 12; total += 2 }
        let padLength = 64 - total % 64
        header += String(repeating: " ", count: padLength) + "\n"
        let headerLength = total + padLength - preamble

        var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
        if version == 1 {
            out.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        } else {
            out.append(contentsOf: (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) })
        }
        out.append(contentsOf: Array(header.utf8))
        let c = detach().contiguous()
        out.append(Data(bytes: c.rawPointer, count: c.numel * dtype.itemSize))
        return out
    }
}
