// Helpers for the EmberIO tests: fixture paths, per-test temp folders, exact tensor and tree comparison.
import Foundation
import Ember
@testable import EmberIO
import _EmberTestSupport

/// The committed copy of ../shared/golden/interop (files written by torch.save and safetensors).
var interopDirectory: URL { goldenDirectory.appendingPathComponent("interop") }

func interop(_ name: String) -> URL { interopDirectory.appendingPathComponent(name) }

/// A fresh folder under the system temp directory; removed by `cleanup`.
func makeTempDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-io-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func cleanup(_ dir: URL) { try? FileManager.default.removeItem(at: dir) }

/// The contiguous element bytes of `t`.
func elementBytes(_ t: Tensor) -> [UInt8] { t.withContiguousBytes { [UInt8]($0) } }

/// nil when `a` and `b` have the same dtype, shape and element bytes (NaN payloads included).
func exactDifference(_ a: Tensor, _ b: Tensor, _ label: String = "") -> String? {
    if a.dtype != b.dtype { return "\(label): dtype \(a.dtype) vs \(b.dtype)" }
    if a.shape != b.shape { return "\(label): shape \(a.shape) vs \(b.shape)" }
    if elementBytes(a) != elementBytes(b) { return "\(label): values differ" }
    return nil
}

/// nil when two checkpoint trees are equal (dict order, key types, OrderedDict-ness and tensors exactly).
func treeDifference(_ a: CheckpointValue, _ b: CheckpointValue, _ path: String = "") -> String? {
    switch (a, b) {
    case let (.tensor(x), .tensor(y)): return exactDifference(x, y, path)
    case let (.int(x), .int(y)): return x == y ? nil : "\(path): \(x) vs \(y)"
    case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern ? nil : "\(path): \(x) vs \(y)"
    case let (.bool(x), .bool(y)): return x == y ? nil : "\(path): \(x) vs \(y)"
    case let (.string(x), .string(y)): return x == y ? nil : "\(path): \(x) vs \(y)"
    case (.none, .none): return nil
    case let (.list(x), .list(y)), let (.tuple(x), .tuple(y)):
        if x.count != y.count { return "\(path): \(x.count) vs \(y.count) items" }
        for (i, (u, v)) in zip(x, y).enumerated() { if let d = treeDifference(u, v, "\(path).\(i)") { return d } }
        return nil
    case let (.dict(x), .dict(y)):
        if x.isOrderedDict != y.isOrderedDict { return "\(path): OrderedDict vs dict" }
        if x.keys != y.keys { return "\(path): keys \(x.keys) vs \(y.keys)" }
        for (u, v) in zip(x.entries, y.entries) { if let d = treeDifference(u.value, v.value, "\(path).\(u.key)") { return d } }
        return nil
    default: return "\(path): \(a.kindName) vs \(b.kindName)"
    }
}

/// One small tensor of every dtype, plus a non-contiguous view, a 0-d tensor, an empty tensor and a view
/// with a storage offset: the round-trip corpus.
func everyDTypeStateDict() -> StateDict {
    var sd = StateDict()
    sd["f32"] = Tensor([Float(0), 1.5, -2.25, .infinity, -.infinity, .nan], shape: [2, 3])
    sd["f64"] = Tensor([Double(0), 0.1, -1e300, 5e-324], shape: [4])
    sd["f16"] = Tensor([Float16(0.5), Float16(-1.25), Float16(65504)], shape: [3])
    sd["bf16"] = Tensor([BFloat16(1.5), BFloat16(-2), BFloat16(3.0e38)], shape: [3])
    sd["i64"] = Tensor([Int64.min, -1, 0, Int64.max], shape: [2, 2])
    sd["i32"] = Tensor([Int32.min, 7, Int32.max], shape: [3])
    sd["i16"] = Tensor([Int16.min, -3, Int16.max], shape: [3])
    sd["i8"] = Tensor([Int8.min, 0, Int8.max], shape: [3])
    sd["u8"] = Tensor([UInt8(0), 128, 255], shape: [3])
    sd["bool"] = Tensor([true, false, true, true], shape: [2, 2])
    let base = Tensor((0..<12).map { Float($0) }, shape: [3, 4])
    sd["noncontig_t"] = base.t()
    sd["offset_view"] = base.narrow(0, start: 1, length: 2)
    sd["scalar"] = Tensor(scalar: 3.5, dtype: .float32)
    sd["empty"] = Tensor(empty: [0, 3], dtype: .float64)
    return sd
}

/// Builds a `.pt` zip in memory around a hand-made pickle (through Ember's zip writer and a temp file).
func torchZip(pickle: [UInt8], storages: [(key: String, bytes: [UInt8])] = [], root: String = "archive") throws -> [UInt8] {
    let dir = try makeTempDirectory()
    defer { cleanup(dir) }
    let url = dir.appendingPathComponent("x.pt")
    try atomicWrite(to: url) { sink in
        var zip = ZipWriter(sink: sink, alignment: 64)
        try zip.add(name: root + "/data.pkl", bytes: pickle)
        try zip.add(name: root + "/byteorder", bytes: Array("little".utf8))
        for s in storages { try zip.add(name: root + "/data/" + s.key, bytes: s.bytes) }
        try zip.add(name: root + "/version", bytes: Array("3\n".utf8))
        try zip.finish()
    }
    return try readFileBytes(url)
}

/// Pickle opcodes spelled out for hand-made streams.
enum P {
    static let proto2: [UInt8] = [0x80, 2]
    static let mark: [UInt8] = [0x28]
    static let stop: [UInt8] = [0x2E]
    static let reduce: [UInt8] = [0x52]
    static let emptyTuple: [UInt8] = [0x29]
    static let emptyDict: [UInt8] = [0x7D]
    static let emptyList: [UInt8] = [0x5D]
    static let tuple: [UInt8] = [0x74]
    static let tuple1: [UInt8] = [0x85]
    static let tuple2: [UInt8] = [0x86]
    static let setitem: [UInt8] = [0x73]
    static let append: [UInt8] = [0x61]
    static let binpersid: [UInt8] = [0x51]
    static let newfalse: [UInt8] = [0x89]
    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    static func str(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x58]
        out.appendLE(UInt32(s.utf8.count))
        return out + Array(s.utf8)
    }
    static func int(_ v: Int) -> [UInt8] {
        var out: [UInt8] = [0x8A, 8]
        out.appendLE(Int64(v))
        return out
    }
    static func put(_ i: UInt8) -> [UInt8] { [0x71, i] }
    static func get(_ i: UInt8) -> [UInt8] { [0x68, i] }

    /// `{"t": _rebuild_tensor_v2(('storage', torch.<storage>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}`
    static func tensorDict(storage: String = "FloatStorage", key: String = "0", numel: Int, offset: Int = 0,
                           size: [Int], stride: [Int]) -> [UInt8] {
        var b = proto2 + emptyDict + str("t") + global("torch._utils", "_rebuild_tensor_v2") + mark
        b += mark + str("storage") + global("torch", storage) + str(key) + str("cpu") + int(numel) + tuple + binpersid
        b += int(offset) + mark + size.flatMap(int) + tuple + mark + stride.flatMap(int) + tuple + newfalse
        b += global("collections", "OrderedDict") + emptyTuple + reduce + tuple + reduce + setitem + stop
        return b
    }
}

/// A small deterministic generator for fuzzing (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Fuzz iterations per reader: a few thousand by default, more with EMBER_IO_FUZZ_ITERATIONS.
var fuzzIterations: Int {
    ProcessInfo.processInfo.environment["EMBER_IO_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 2000
}
