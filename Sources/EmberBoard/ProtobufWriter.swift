// ProtobufWriter: a minimal protocol-buffers wire encoder, enough for TensorBoard's event messages.

/// Appends protocol-buffers wire-format fields to a byte buffer.
///
/// Ember writes TensorBoard's few messages (Event, Summary, HistogramProto, GraphDef, ...) by hand with
/// this encoder instead of depending on swift-protobuf: the library plus its `protoc` plugin cost about
/// 9.5 minutes of extra build time for roughly ten small messages, and we only ever write, never parse.
/// Field numbers follow TensorBoard's `.proto` files (`tensorboard/compat/proto`). The message builders
/// write fields in field-number order, omit proto3 defaults and pack repeated doubles — byte for byte
/// what Python's `SerializeToString()` produces for the same message.
///
/// ```swift
/// var w = ProtobufWriter()
/// w.string(1, "y=4x")
/// w.float(2, 4)        // 0a 04 79 3d 34 78 15 00 00 80 40
/// ```
public struct ProtobufWriter {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Wire types of the protobuf encoding.
    enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    /// Appends a base-128 varint (negative int64 values take ten bytes, as in protobuf).
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ type: WireType) {
        appendVarint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// An `int32`/`int64`/`enum` field (varint; negative numbers sign-extended to 64 bits).
    public mutating func int(_ field: Int, _ value: Int64) {
        key(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `bool` field.
    public mutating func bool(_ field: Int, _ value: Bool) {
        key(field, .varint)
        appendVarint(value ? 1 : 0)
    }

    /// A `double` field (fixed64, little endian).
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        appendFixed64(value.bitPattern)
    }

    /// A `float` field (fixed32, little endian).
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        appendFixed32(value.bitPattern)
    }

    /// A `bytes` field.
    public mutating func bytes<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        key(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// An embedded message field, built by `body` into its own writer.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed `repeated double` field (omitted when empty, as protobuf does).
    public mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        key(field, .lengthDelimited)
        appendVarint(UInt64(values.count * 8))
        for v in values { appendFixed64(v.bitPattern) }
    }

    mutating func appendFixed32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    mutating func appendFixed64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
