// The public save/load entry points for state dicts and general checkpoints, in every format by extension.
import Foundation
import Ember

/// Saves a state dict to `url` in the format its extension names (`.pt`/`.pth`/`.bin`, `.safetensors`,
/// `.npz`, or `.npy` for a single tensor). The write is atomic: a failure leaves any previous file intact.
///
/// Matches `torch.save(model.state_dict(), "m.pt")` (an `OrderedDict` that `torch.load(..., weights_only=True)`
/// reads back) and `safetensors.torch.save_file(sd, "m.safetensors")`.
///
/// ```swift
/// let sd: StateDict = ["weight": w, "bias": b]
/// try save(sd, to: URL(fileURLWithPath: "linear.pt"))
/// ```
/// - Throws: `CheckpointError` (I/O, format), `SafetensorsError` / `NpyError` for values a format cannot hold.
public func save(_ stateDict: StateDict, to url: URL) throws {
    switch try TensorFileFormat(for: url) {
    case .torch: try TorchFormat.write(.stateDict(stateDict), to: url)
    case .safetensors: try SafetensorsFormat.write(stateDict, metadata: [], to: url)
    case .npz: try NpzFormat.write(stateDict, to: url)
    case .npy:
        guard stateDict.count == 1 else {
            throw CheckpointError(.invalidContent(".npy holds exactly one tensor, got \(stateDict.count); use .npz"), file: url.path)
        }
        try NpyFormat.write(stateDict[0].tensor, to: url)
    }
}

/// Loads a state dict (names → tensors, in file order) from a `.pt`, `.safetensors`, `.npz` or `.npy` file.
///
/// A `.pt` file must hold a flat dict of tensors, as `torch.save(model.state_dict(), path)` writes;
/// use `loadCheckpoint(from:)` for anything richer. A `.npy` file gives one tensor named after the file's stem.
///
/// ```swift
/// let sd = try loadStateDict(from: URL(fileURLWithPath: "lenet.safetensors"))
/// for (name, t) in sd { print(name, t.shape) }
/// ```
/// - Throws: `CheckpointError`, `ZipError`, `PickleError`, `SafetensorsError` or `NpyError`; a corrupt
///   or truncated file never yields tensors.
public func loadStateDict(from url: URL) throws -> StateDict {
    let file = url.path
    switch try TensorFileFormat(for: url) {
    case .torch:
        let value = try TorchFormat.read(try readFileBytes(url, preflight: .zip), file: file)
        guard case .dict(let d) = value else {
            throw CheckpointError(.invalidContent("holds a \(value.kindName), not a state dict; use loadCheckpoint(from:)"), file: file)
        }
        var sd = StateDict()
        for (k, v) in d.entries {
            guard case .string(let name) = k, case .tensor(let t) = v else {
                throw CheckpointError(.invalidContent("key '\(k)' holds a \(v.kindName), not a tensor: this is a general checkpoint; use loadCheckpoint(from:)"), file: file)
            }
            sd[name] = t
        }
        return sd
    case .safetensors: return try SafetensorsFormat.read(try readFileBytes(url, preflight: .safetensors), file: file).tensors
    case .npz: return try NpzFormat.read(try readFileBytes(url, preflight: .zip), file: file)
    case .npy: return [url.deletingPathExtension().lastPathComponent: try NpyFormat.read(try readFileBytes(url, preflight: .npy), file: file)]
    }
}

/// Saves a general checkpoint (`{"epoch": 3, "model": ..., "optimizer": ...}`) atomically.
///
/// `.pt` holds any `CheckpointValue` (as `torch.save(obj, path)`); tensors sharing a storage are written
/// once. `.safetensors` and `.npz` hold only tensors: the tree is flattened to dotted names
/// (`model.0.weight`) and any non-tensor leaf is refused.
///
/// ```swift
/// try saveCheckpoint(["epoch": 3, "model": .stateDict(model), "loss": .double(loss)],
///                    to: URL(fileURLWithPath: "ckpt.pt"))
/// ```
public func saveCheckpoint(_ value: CheckpointValue, to url: URL) throws {
    let format = try TensorFileFormat(for: url)
    if format == .torch { return try TorchFormat.write(value, to: url) }
    try save(try tensorsOnly(value, format: format, file: url.path, fallbackName: url.deletingPathExtension().lastPathComponent), to: url)
}

/// Loads a general checkpoint. `.pt` gives back the saved tree (dicts keep their order and their
/// `OrderedDict`-ness; optimizer state keeps its integer keys); `.safetensors`/`.npz` give an `OrderedDict`
/// of tensors; `.npy` gives a tensor.
///
/// Matches `torch.load(path, weights_only=True)`: only the types a checkpoint needs are accepted and
/// nothing in the file can run code. Tensors come back on the CPU whatever device they were saved from.
/// Unlike PyTorch, the `_metadata` attribute torch attaches to state dicts (module versions) is dropped,
/// and `nn.Parameter` comes back as a plain tensor with `requiresGrad` set.
///
/// ```swift
/// let ckpt = try loadCheckpoint(from: URL(fileURLWithPath: "ckpt.pt"))
/// let epoch = ckpt["epoch"]?.int
/// let buf = ckpt["optimizer"]?["state"]?[0]?["momentum_buffer"]?.tensor
/// ```
public func loadCheckpoint(from url: URL) throws -> CheckpointValue {
    let file = url.path
    switch try TensorFileFormat(for: url) {
    case .torch: return try TorchFormat.read(try readFileBytes(url, preflight: .zip), file: file)
    case .safetensors, .npz: return .stateDict(try loadStateDict(from: url))
    case .npy: return .tensor(try NpyFormat.read(try readFileBytes(url, preflight: .npy), file: file))
    }
}

/// Saves tensors and `__metadata__` strings as `.safetensors` (sorted like the reference writer).
///
/// ```swift
/// try saveSafetensors(sd, metadata: [("format", "pt")], to: URL(fileURLWithPath: "m.safetensors"))
/// ```
///
/// - Parameters:
///   - tensors: The tensors by name.
///   - metadata: String pairs stored in the header's `__metadata__`.
///   - url: The file to write.
public func saveSafetensors(_ tensors: StateDict, metadata: [(String, String)] = [], to url: URL) throws {
    try SafetensorsFormat.write(tensors, metadata: metadata, to: url)
}

/// Loads a `.safetensors` file's tensors (in header order) and its `__metadata__` strings.
public func loadSafetensors(from url: URL) throws -> (tensors: StateDict, metadata: [(String, String)]) {
    try SafetensorsFormat.read(try readFileBytes(url, preflight: .safetensors), file: url.path)
}

/// The tensors of `value` with dotted names, refusing non-tensor leaves (for tensor-only formats).
func tensorsOnly(_ value: CheckpointValue, format: TensorFileFormat, file: String, fallbackName: String) throws -> StateDict {
    if let (path, leaf) = value.firstNonTensorLeaf() {
        throw CheckpointError(.invalidContent("'\(path.isEmpty ? "(top level)" : path)' is a \(leaf.kindName): .\(format.rawValue) files hold only tensors (save a .pt to keep other values)"), file: file)
    }
    var sd = StateDict()
    for (name, t) in value.flattenedTensors() {
        let n = name.isEmpty ? fallbackName : name
        guard sd[n] == nil else { throw CheckpointError(.invalidContent("two tensors flatten to the name '\(n)'"), file: file) }
        sd[n] = t
    }
    return sd
}
