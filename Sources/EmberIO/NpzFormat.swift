// NumPy's .npz: a zip of `<name>.npy` members (numpy.savez writes them stored, which is what Ember reads).
import Foundation
import Ember

enum NpzFormat {
    /// Reads every `<name>.npy` member in archive order; compressed (savez_compressed) members are refused.
    static func read(_ bytes: [UInt8], file: String?) throws -> StateDict {
        let zip = try ZipArchive(bytes: bytes, file: file)
        var out = StateDict()
        for entry in zip.entries {
            guard entry.name.hasSuffix(".npy") else {
                throw CheckpointError(.invalidContent("member is not a .npy array"), file: file, entry: entry.name)
            }
            out[String(entry.name.dropLast(4))] = try Tensor.loadNpy(from: Data(try zip.read(entry)), source: "\(file ?? "<memory>")[\(entry.name)]")
        }
        return out
    }

    /// Writes one stored `<name>.npy` member per tensor, in order (atomically).
    static func write(_ tensors: StateDict, to url: URL) throws {
        let members = try tensors.map { (name: $0.name + ".npy", bytes: [UInt8](try $0.tensor.npyData(source: "\(url.path)[\($0.name).npy]"))) }
        try atomicWrite(to: url) { sink in
            var zip = ZipWriter(sink: sink, alignment: nil)
            for m in members { try zip.add(name: m.name, bytes: m.bytes) }
            try zip.finish()
        }
    }
}

enum NpyFormat {
    static func read(_ bytes: [UInt8], file: String?) throws -> Tensor { try Tensor.loadNpy(from: Data(bytes), source: file ?? "<memory>") }

    static func write(_ tensor: Tensor, to url: URL) throws {
        let bytes = [UInt8](try tensor.npyData(source: url.path))
        try atomicWrite(to: url) { try $0.write(bytes) }
    }
}
