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

    /// A tensor's summary as `inspect` reports it.
    ///
    /// - Parameters:
    ///   - name: The tensor's key in the file.
    ///   - dtype: The tensor's element type.
    ///   - shape: The tensor's shape.
    ///   - checksum: The CRC-32 of the elements in logical order.
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
                      checksum: t.elementChecksum)
    }
}

/// Converts a tensor file to another format, chosen by the extensions, keeping names, dtypes, shapes and
/// values exactly (bytes are copied, never re-rounded).
///
/// `.pt` → `.pt` keeps the whole tree; a `.pt` checkpoint converts to `.safetensors`/`.npz` only when all
/// its leaves are tensors (names become dotted paths); `.npy` takes or gives exactly one tensor.
/// `.safetensors` → `.safetensors` keeps `__metadata__`. bfloat16 cannot go to `.npy`/`.npz` (numpy has none).
///
/// Formats without strides (`.safetensors`, `.npz`, `.npy`) store every element, so a `.pt` view much larger
/// than its storage (an `expand`ed tensor: over 1 GiB and over 64× the bytes it views) is refused unless
/// `allowLargeViews` is true — a 662-byte file could otherwise ask for 16 GB of output.
///
/// ```swift
/// try convert(from: URL(fileURLWithPath: "model.pt"), to: URL(fileURLWithPath: "model.safetensors"))
/// ```
///
/// - Parameters:
///   - source: The file to read (`.pt`, `.safetensors`, `.npz` or `.npy`).
///   - destination: The file to write; its extension picks the format.
///   - allowLargeViews: Copy views that are much larger than their storage or over 1 GiB into formats without strides.
public func convert(from source: URL, to destination: URL, allowLargeViews: Bool = false) throws {
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
        if !allowLargeViews {
            for (name, t) in sd { try checkNotALargeView(t, name: name, file: source.path, format: dst) }
        }
        try save(sd, to: destination)
    }
}

/// Views larger than this many bytes and this many times their storage are not expanded without consent.
let largeViewBytes = 1 << 30, largeViewRatio = 64

/// Throws when writing `t` element by element would expand a stride-0 view far beyond the storage it views.
func checkNotALargeView(_ t: Tensor, name: String, file: String, format: TensorFileFormat) throws {
    guard let bytes = ShapeArithmetic.byteCount(t.shape, itemSize: t.dtype.itemSize) else { return }
    let stored = Swift.max(t.storage.byteCount, 1)
    guard bytes > largeViewBytes, bytes / stored > largeViewRatio else { return }
    throw CheckpointError(.invalidContent("'\(name)' is a view of \(byteText(bytes)) over \(byteText(t.storage.byteCount)) of storage "
        + "(strides \(t.strides)); .\(format.rawValue) stores every element, so converting would write \(byteText(bytes)). "
        + "Keep it as .pt, or pass allowLargeViews: true (ember convert --allow-large-views) to write it anyway"), file: file)
}

/// `16 GiB`, `512 MiB`, `16 bytes`.
func byteText(_ n: Int) -> String {
    for (unit, shift) in [("EiB", 60), ("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where n >= 1 << shift {
        let v = Double(n) / Double(1 << shift)
        return (v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)) + " " + unit
    }
    return "\(n) bytes"
}
