// EventMessages: the TensorBoard protobuf messages Ember writes (Event, Summary and their payloads).

/// `tensorboard.Event`: one record of an event file.
///
/// Fields (`event.proto`): wall_time=1 double, step=2 int64, file_version=3 string, graph_def=4 bytes,
/// summary=5, session_log=7, tagged_run_metadata=8, source_metadata=10.
struct Event {
    enum Content {
        /// The first record of every file: `brain.Event:2` plus the writer's name, as PyTorch writes it.
        case fileVersion(String, writer: String)
        case summary([SummaryValue])
        /// A serialized `GraphDef`.
        case graphDef([UInt8])
        /// `TaggedRunMetadata{tag=1, run_metadata=2 bytes}`.
        case taggedRunMetadata(tag: String, runMetadata: [UInt8])
        /// `SessionLog{status=1: START}`: tells TensorBoard's reader to drop earlier events at or after this
        /// event's step (what PyTorch writes for `SummaryWriter(purge_step=)`).
        case sessionStart
    }

    var wallTime: Double
    var step: Int64 = 0
    var content: Content

    func serialized() -> [UInt8] {
        var w = ProtobufWriter()
        if wallTime.bitPattern != 0 { w.double(1, wallTime) }
        if step != 0 { w.int(2, step) }
        switch content {
        case let .fileVersion(version, writer):
            w.string(3, version)
            w.message(10) { $0.string(1, writer) }
        case let .graphDef(bytes):
            w.bytes(4, bytes)
        case let .summary(values):
            w.message(5) { s in
                for v in values { s.message(1) { v.encode(into: &$0) } }
            }
        case let .taggedRunMetadata(tag, runMetadata):
            w.message(8) { m in
                m.string(1, tag)
                m.bytes(2, runMetadata)
            }
        case .sessionStart:
            w.message(7) { $0.int(1, 1) }
        }
        return w.bytes
    }
}

/// `tensorboard.Summary.Value`: tag=1, simple_value=2, image=4, histo=5, tensor=8, metadata=9.
struct SummaryValue {
    enum Payload {
        case simpleValue(Float)
        case image(SummaryImage)
        case histogram(HistogramProto)
        case tensor(TensorProto)
        /// No payload: the hparams plugin puts everything in the metadata.
        case none
    }

    var tag: String
    var payload: Payload
    /// `SummaryMetadata.plugin_data{plugin_name=1, content=2}`; nil writes no metadata.
    var plugin: (name: String, content: [UInt8])? = nil

    func encode(into w: inout ProtobufWriter) {
        if !tag.isEmpty { w.string(1, tag) }
        switch payload {
        case let .simpleValue(v): w.float(2, v)   // a oneof member: written even when 0
        case let .image(image): w.message(4) { image.encode(into: &$0) }
        case let .histogram(h): w.message(5) { h.encode(into: &$0) }
        case let .tensor(t): w.message(8) { t.encode(into: &$0) }
        case .none: break
        }
        if let plugin {
            w.message(9) { md in
                md.message(1) { pd in
                    if !plugin.name.isEmpty { pd.string(1, plugin.name) }
                    if !plugin.content.isEmpty { pd.bytes(2, plugin.content) }
                }
            }
        }
    }
}

/// `tensorboard.Summary.Image`: height=1, width=2, colorspace=3 (channels), encoded_image_string=4 (PNG).
struct SummaryImage {
    var height: Int
    var width: Int
    var colorspace: Int
    var png: [UInt8]

    func encode(into w: inout ProtobufWriter) {
        if height != 0 { w.int(1, Int64(height)) }
        if width != 0 { w.int(2, Int64(width)) }
        if colorspace != 0 { w.int(3, Int64(colorspace)) }
        if !png.isEmpty { w.bytes(4, png) }
    }
}

/// `tensorboard.HistogramProto`: min=1, max=2, num=3, sum=4, sum_squares=5 (doubles),
/// bucket_limit=6 and bucket=7 (packed doubles; a bucket counts values up to its limit).
struct HistogramProto: Equatable {
    var min: Double
    var max: Double
    var num: Double
    var sum: Double
    var sumSquares: Double
    var bucketLimit: [Double]
    var bucket: [Double]

    func encode(into w: inout ProtobufWriter) {
        for (field, v) in [(1, min), (2, max), (3, num), (4, sum), (5, sumSquares)] where v.bitPattern != 0 {
            w.double(field, v)
        }
        w.packedDoubles(6, bucketLimit)
        w.packedDoubles(7, bucket)
    }
}

/// `tensorboard.TensorProto` holding strings: dtype=1 (DT_STRING = 7), tensor_shape=2, string_val=8.
struct TensorProto {
    var strings: [String]
    var shape: [Int]

    func encode(into w: inout ProtobufWriter) {
        w.int(1, 7)
        w.message(2) { encodeShape(shape, into: &$0) }
        for s in strings { w.string(8, s) }
    }
}

/// `TensorShapeProto{dim=2 repeated Dim{size=1}}`.
func encodeShape(_ shape: [Int], into w: inout ProtobufWriter) {
    for d in shape {
        w.message(2) { if d != 0 { $0.int(1, Int64(d)) } }
    }
}
