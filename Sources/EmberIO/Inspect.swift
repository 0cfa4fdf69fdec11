// inspect and convert: list the tensors of any supported file, and translate between formats exactly.
import Foundation
import Ember

/// One tensor as `ember inspect` lists it.
public struct TensorSummary: Sendable, CustomStringConvertible {
    /// Dotted name (`model.0.weight`); a `.npy` file's single tensor is named after the file's stem.
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// CRC-32 (zlib's) of the tensor's elements as contiguous row-major little-endian bytes: equal values
    /// give equal checksums whatever the file format or the tensor's strides. Python's equivalent:
    /// `zlib.crc32(t.contiguous().numpy().tobytes())` (bfloat16: `t.view(torch.int16)`).
    public var checksum: UInt32

    public init(name: String, dtype: DType, shape: [Int], checksum: UInt32) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.checksum = checksum
    }

    /// `0.weight  float32  [6, 1, 5, 5]  crc32 1a2b3c4d`.
    public var description: String {
        let hex = String(checksum, radix: 16)
        return "\(name)  \(dtype.rawValue)  \(shapeString(shape))  crc32 \(String(repeating: "0", count: 8 - hex.count) + hex)"
    }
}

/// Lists every tensor in a `.pt`, `.safetensors`, `.npz` or `.npy` file: name, dtype, shape, checksum.
///
/// For a `.pt` checkpoint the names are dotted paths through the saved tree
/// (`optimizer.state.0.momentum_buffer`); non-tensor values (epoch, lr, ...) are not listed.
///
/// ```swift
/// for s in try inspect(URL(fileURLWithPath: "lenet.pt")) { print(s) }
/// ```
public func inspect(_ url: URL) throws -> [TensorSummary] {
    let value = try loadCheckpoint(from: url)
    let stem = url.deletingPathExtension().lastPathComponent
    return value.flattenedTensors().map { name, t in
        TensorSummary(name: name.isEmpty ? stem : name, dtype: t.dtype, shape: t.shape,
                      checksum: t.withContiguousBytes { b in b.baseAddress.map { CRC32.checksum($0, count: b.count) } ?? 0 })
    }
}

/// Converts a tensor file to another format, chosen by the extensions, keeping names, dtypes, shapes and
/// values exactly (bytes are copied, never re-rounded).
///
/// `.pt` → `.pt` keeps the whole tree; a `.pt` checkpoint converts to `.safetensors`/`.npz` only when all
/// its leaves are tensors (names become dotted paths); `.npy` takes or gives exactly one tensor.
/// `.safetensors` → `.safetensors` keeps `__metadata__`. bfloat16 cannot go to `.npy`/`.npz` (numpy has none).
///
/// ```swift
/// try convert(from: URL(fileURLWithPath: "model.pt"), to: URL(fileURLWithPath: "model.safetensors"))
/// ```
public func convert(from source: URL, to destination: URL) throws {
    let src = try TensorFileFormat(for: source), dst = try TensorFileFormat(for: destination)
    if src == .safetensors && dst == .safetensors {
        let (tensors, metadata) = try loadSafetensors(from: source)
        return try saveSafetensors(tensors, metadata: metadata, to: destination)
    }
    let value = try loadCheckpoint(from: source)
    switch dst {
    case .torch: try saveCheckpoint(value, to: destination)
    case .safetensors, .npz, .npy:
        let sd = try tensorsOnly(value, format: dst, file: source.path, fallbackName: source.deletingPathExtension().lastPathComponent)
        try save(sd, to: destination)
    }
}
