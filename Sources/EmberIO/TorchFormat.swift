// PyTorch's `.pt` format (torch.save since 1.6): a zip holding data.pkl, byteorder, version and one entry per storage.
import Foundation
import Ember

/// Reads and writes the zip + pickle + raw-storage layout of `torch.save` / `torch.load`.
///
/// Layout written (as torch 2.x writes it, top folder = the file's stem):
/// `stem/data.pkl`, `stem/.format_version` ("1"), `stem/.storage_alignment` ("64"), `stem/byteorder`
/// ("little"), `stem/data/0`, `stem/data/1`, ..., `stem/version` ("3\n"), `stem/.data/serialization_id`,
/// each payload 64-byte aligned. On read the top folder's name is arbitrary, as in torch.
enum TorchFormat {
    /// Parses a `.pt` file's bytes.
    static func read(_ bytes: [UInt8], file: String?) throws -> CheckpointValue {
        if bytes.first == 0x80 { // a bare pickle: torch.save before 1.6 (or _use_new_zipfile_serialization=False)
            throw CheckpointError(.unsupported("legacy (pre-1.6, non-zip) torch.save format; re-save it with a recent PyTorch"), file: file)
        }
        let zip = try ZipArchive(bytes: bytes, file: file)
        let roots = zip.entries.map(\.name).filter { name in
            name.hasSuffix("/data.pkl") && name.dropLast("/data.pkl".count).firstIndex(of: "/") == nil
        }
        guard let pickleName = roots.first else {
            throw CheckpointError(.invalidContent("no <archive>/data.pkl entry: not a torch.save file"), file: file)
        }
        guard roots.count == 1 else { throw CheckpointError(.invalidContent("several data.pkl entries: \(roots)"), file: file) }
        let prefix = String(pickleName.dropLast("data.pkl".count))

        if let order = zip.entry(named: prefix + "byteorder") {
            let text = String(decoding: try zip.read(order), as: UTF8.self)
            guard text == "little" else {
                throw CheckpointError(.unsupported("byte order '\(text)' (Ember reads little-endian checkpoints)"), file: file, entry: order.name)
            }
        }

        var storages: [String: PickledStorage] = [:]
        let loader: Unpickler.StorageLoader = { key, dtype, numel, _ in
            let name = prefix + "data/" + key
            if let s = storages[key] {
                guard s.dtype == dtype && s.numel == numel else {
                    throw CheckpointError(.invalidContent("storage '\(key)' is used as \(s.numel) x \(s.dtype) and \(numel) x \(dtype)"), file: file, entry: name)
                }
                return s
            }
            guard let entry = zip.entry(named: name) else { throw ZipError(.missingEntry, file: file, entry: name) }
            guard let byteCount = ShapeArithmetic.byteCount([numel], itemSize: dtype.itemSize), byteCount <= entry.size else {
                throw CheckpointError(.invalidTensor("storage declares \(numel) x \(dtype) but the entry holds \(entry.size) bytes"), file: file, entry: name)
            }
            let storage = try zip.withPayload(entry) { payload -> Storage in
                let s = Storage(byteCount: byteCount)
                if byteCount > 0 { s.data.copyMemory(from: payload.baseAddress!, byteCount: byteCount) }
                return s
            }
            try validateBoolBytes(storage, dtype: dtype, count: numel, file: file, entry: name)
            let loaded = PickledStorage(storage: storage, dtype: dtype, numel: numel)
            storages[key] = loaded
            return loaded
        }
        guard let pickleEntry = zip.entry(named: pickleName) else { throw ZipError(.missingEntry, file: file, entry: pickleName) }
        var unpickler = Unpickler(try zip.read(pickleEntry), loadStorage: loader)
        do {
            return try unpickler.load()
        } catch var e as PickleError {
            e.file = file
            e.entry = pickleName
            throw e
        }
    }

    /// Writes `value` as torch.save would (atomically). Tests lower `zip64Threshold` to exercise ZIP64 records.
    static func write(_ value: CheckpointValue, to url: URL, zip64Threshold: Int = 0xFFFF_FFFF) throws {
        // Storages in first-use order; tensors viewing the same storage (and dtype) share one entry.
        struct StorageKey: Hashable { let id: ObjectIdentifier; let dtype: DType }
        var keys: [StorageKey: String] = [:]
        var order: [(storage: Storage, byteCount: Int)] = []
        var pickler = Pickler { t in
            guard t.device == .cpu else { throw PickleError(.unpicklable("tensor on \(t.device)")) }
            let k = StorageKey(id: ObjectIdentifier(t.storage), dtype: t.dtype)
            let numel = t.storage.byteCount / t.dtype.itemSize
            if let key = keys[k] { return (key, numel) }
            let key = String(order.count)
            keys[k] = key
            order.append((t.storage, numel * t.dtype.itemSize))
            return (key, numel)
        }
        try pickler.finish(value)
        let stem = url.deletingPathExtension().lastPathComponent
        let root = stem.isEmpty ? "archive" : stem
        try atomicWrite(to: url) { sink in
            var zip = ZipWriter(sink: sink, alignment: 64, zip64Threshold: zip64Threshold)
            try zip.add(name: root + "/data.pkl", bytes: pickler.out)
            try zip.add(name: root + "/.format_version", bytes: Array("1".utf8))
            try zip.add(name: root + "/.storage_alignment", bytes: Array("64".utf8))
            try zip.add(name: root + "/byteorder", bytes: Array("little".utf8))
            for (i, s) in order.enumerated() {
                try zip.add(name: root + "/data/\(i)", payload: UnsafeRawBufferPointer(start: s.storage.data, count: s.byteCount))
            }
            try zip.add(name: root + "/version", bytes: Array("3\n".utf8))
            try zip.add(name: root + "/.data/serialization_id", bytes: Array(serializationID().utf8))
            try zip.finish()
        }
    }

    /// A 40-digit decimal id, the form torch writes in `.data/serialization_id`.
    private static func serializationID() -> String {
        (0..<40).map { _ in String(Int.random(in: 0...9)) }.joined()
    }
}

/// Swift's `Bool` must be 0 or 1 in memory: any other byte in a bool tensor read from a file is refused.
func validateBoolBytes(_ storage: Storage, dtype: DType, count: Int, file: String?, entry: String?) throws {
    guard dtype == .bool else { return }
    let p = storage.data.assumingMemoryBound(to: UInt8.self)
    for i in 0..<count where p[i] > 1 {
        throw CheckpointError(.invalidTensor("bool element \(i) holds byte \(p[i]) (only 0 and 1 are booleans)"), file: file, entry: entry)
    }
}
