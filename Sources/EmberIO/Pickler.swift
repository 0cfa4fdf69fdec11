// A protocol-2 pickler that writes checkpoints the way torch.save does, so torch.load(weights_only=True) reads them.
import Ember

/// Serialises a `CheckpointValue` as torch.save's `data.pkl`.
///
/// Tensors become `torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, requires_grad,
/// OrderedDict())` with the storage as a persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)`;
/// the caller (`TorchWriter`) assigns keys so tensors sharing a storage reference it once, as PyTorch does.
struct Pickler {
    /// Returns the key and element count of the storage `tensor` views.
    typealias StorageKeyer = (_ tensor: Tensor) throws -> (key: String, numel: Int)

    private(set) var out: [UInt8] = [0x80, 2] // PROTO 2
    private var globalMemo: [String: Int] = [:]
    private let storageKey: StorageKeyer

    init(storageKey: @escaping StorageKeyer) {
        self.storageKey = storageKey
    }

    /// Appends `value` and STOP; `out` then holds the complete pickle.
    mutating func finish(_ value: CheckpointValue) throws {
        try write(value, depth: 0)
        out.append(0x2E) // STOP
    }

    private mutating func write(_ value: CheckpointValue, depth: Int) throws {
        guard depth < 1000 else { throw PickleError(.unpicklable("values nested deeper than 1000 levels")) }
        switch value {
        case .none: out.append(0x4E)
        case .bool(let b): out.append(b ? 0x88 : 0x89)
        case .int(let i): writeInt(i)
        case .double(let d):
            out.append(0x47)
            out.appendBE(d.bitPattern)
        case .string(let s): writeString(s)
        case .tensor(let t): try writeTensor(t)
        case .list(let items):
            out.append(0x5D) // EMPTY_LIST
            try writeBatched(items.map { [$0] }, closer: 0x65, depth: depth) // APPENDS
        case .tuple(let items):
            switch items.count {
            case 0: out.append(0x29)
            case 1...3:
                for x in items { try write(x, depth: depth + 1) }
                out.append([0x85, 0x86, 0x87][items.count - 1])
            default:
                out.append(0x28) // MARK
                for x in items { try write(x, depth: depth + 1) }
                out.append(0x74) // TUPLE
            }
        case .dict(let d):
            if d.isOrderedDict {
                writeGlobal("collections", "OrderedDict")
                out.append(0x29); out.append(0x52) // EMPTY_TUPLE, REDUCE
            } else {
                out.append(0x7D) // EMPTY_DICT
            }
            try writeBatched(d.entries.map { [key($0.key), $0.value] }, closer: 0x75, depth: depth) // SETITEMS
        }
    }

    private func key(_ k: CheckpointKey) -> CheckpointValue {
        switch k {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        }
    }

    /// MARK, up to 1000 groups, closer — Python's batching for APPENDS/SETITEMS.
    private mutating func writeBatched(_ groups: [[CheckpointValue]], closer: UInt8, depth: Int) throws {
        var i = 0
        while i < groups.count {
            out.append(0x28)
            for g in groups[i ..< Swift.min(i + 1000, groups.count)] { for v in g { try write(v, depth: depth + 1) } }
            out.append(closer)
            i += 1000
        }
    }

    private mutating func writeInt(_ i: Int) {
        if i >= 0 && i < 256 {
            out.append(0x4B); out.append(UInt8(i))
        } else if i >= 0 && i < 65536 {
            out.append(0x4D); out.appendLE(UInt16(i))
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            out.append(0x4A); out.appendLE(Int32(i))
        } else {
            // LONG1: the shortest little-endian two's complement that keeps the sign.
            var bytes: [UInt8] = []
            bytes.appendLE(Int64(i))
            while bytes.count > 1 {
                let last = bytes[bytes.count - 1], prev = bytes[bytes.count - 2]
                if (last == 0 && prev & 0x80 == 0) || (last == 0xFF && prev & 0x80 != 0) { bytes.removeLast() } else { break }
            }
            out.append(0x8A); out.append(UInt8(bytes.count)); out += bytes
        }
    }

    private mutating func writeString(_ s: String) {
        let b = Array(s.utf8)
        out.append(0x58) // BINUNICODE
        out.appendLE(UInt32(b.count))
        out += b
    }

    /// GLOBAL once, BINGET afterwards (torch's pickler memoizes globals the same way).
    private mutating func writeGlobal(_ module: String, _ name: String) {
        let id = module + "\n" + name
        if let m = globalMemo[id] {
            if m < 256 { out.append(0x68); out.append(UInt8(m)) } else { out.append(0x6A); out.appendLE(UInt32(m)) }
            return
        }
        out.append(0x63)
        out += Array((id + "\n").utf8)
        let m = globalMemo.count
        globalMemo[id] = m
        if m < 256 { out.append(0x71); out.append(UInt8(m)) } else { out.append(0x72); out.appendLE(UInt32(m)) }
    }

    private mutating func writeTensor(_ t: Tensor) throws {
        let (key, numel) = try storageKey(t)
        writeGlobal("torch._utils", "_rebuild_tensor_v2")
        out.append(0x28) // MARK (arguments)
        out.append(0x28) // MARK (persistent id)
        writeString("storage")
        writeGlobal("torch", AllowedGlobal.storageName(t.dtype))
        writeString(key)
        writeString("cpu")
        writeInt(numel)
        out.append(0x74) // TUPLE
        out.append(0x51) // BINPERSID
        writeInt(t.storageOffset)
        try write(.tuple(t.shape.map { .int($0) }), depth: 0)
        try write(.tuple(t.strides.map { .int($0) }), depth: 0)
        out.append(t.requiresGrad ? 0x88 : 0x89)
        writeGlobal("collections", "OrderedDict")
        out.append(0x29); out.append(0x52) // EMPTY_TUPLE, REDUCE: the empty backward-hooks dict
        out.append(0x74) // TUPLE
        out.append(0x52) // REDUCE
    }
}
