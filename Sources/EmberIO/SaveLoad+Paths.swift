// `torch.save` / `torch.load` as the notes use them: paths as strings, and a tensor, a list of tensors or a
// dictionary of tensors saved and loaded as such (the book's section 5.5).
import Foundation
import Ember

/// Saves one tensor (`torch.save(x, "x-file")`) atomically; `torch.load("x-file", weights_only=True)` reads it.
/// The format follows the name: `.safetensors`, `.npz`, `.npy`, else PyTorch's.
public func save(_ tensor: Tensor, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    switch try TensorFileFormat(for: url) {
    case .torch: try saveCheckpoint(.tensor(tensor), to: url)
    case .npy: try save([url.deletingPathExtension().lastPathComponent: tensor], to: url)
    case .safetensors, .npz: try save(["0": tensor], to: url)
    }
}

/// Saves a list of tensors (`torch.save([x, y], "x-files")`); PyTorch's format only (a Python list).
public func save(_ tensors: [Tensor], to path: String) throws {
    try saveCheckpoint(.list(tensors.map { .tensor($0) }), to: URL(fileURLWithPath: path))
}

/// Saves a dictionary of tensors (`torch.save({"x": x, "y": y}, "mydict")`), keys in sorted order (a Swift
/// dictionary has no order; use a `StateDict` to choose one).
public func save(_ tensors: [String: Tensor], to path: String) throws {
    try save(StateDict(tensors.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }), to: URL(fileURLWithPath: path))
}

/// Saves a state dict (`torch.save(net.state_dict(), "mlp.params")`).
public func save(_ stateDict: StateDict, to path: String) throws { try save(stateDict, to: URL(fileURLWithPath: path)) }

/// Loads a state dict (`net.load_state_dict(torch.load("mlp.params"))`).
public func loadStateDict(from path: String) throws -> StateDict { try loadStateDict(from: URL(fileURLWithPath: path)) }

/// Saves a general checkpoint to a path given as a string.
public func saveCheckpoint(_ value: CheckpointValue, to path: String) throws { try saveCheckpoint(value, to: URL(fileURLWithPath: path)) }

/// Loads a general checkpoint (`torch.load(path, weights_only=True)`) from a path given as a string.
public func loadCheckpoint(from path: String) throws -> CheckpointValue { try loadCheckpoint(from: URL(fileURLWithPath: path)) }

/// Loads the tensor a file holds (`x2 = torch.load("x-file")`): a saved tensor, or the only tensor of a
/// state dict / `.npy` file.
///
/// - Throws: `CheckpointError.invalidContent` when the file holds something else (a list, several tensors).
public func loadTensor(from path: String) throws -> Tensor {
    let value = try loadCheckpoint(from: path)
    if case .tensor(let t) = value { return t }
    let all = value.flattenedTensors()
    if case .dict = value, all.count == 1, value.firstNonTensorLeaf() == nil { return all[0].1 }
    throw CheckpointError(.invalidContent("holds a \(value.kindName), not one tensor; use loadTensors(from:), loadTensorDict(from:) or loadCheckpoint(from:)"), file: path)
}

/// Loads a list of tensors (`x2, y2 = torch.load("x-files")`).
public func loadTensors(from path: String) throws -> [Tensor] {
    let value = try loadCheckpoint(from: path)
    guard let items = value.elements else {
        throw CheckpointError(.invalidContent("holds a \(value.kindName), not a list of tensors"), file: path)
    }
    return try items.enumerated().map { i, v in
        guard case .tensor(let t) = v else { throw CheckpointError(.invalidContent("item \(i) is a \(v.kindName), not a tensor"), file: path) }
        return t
    }
}

/// Loads a dictionary of tensors (`mydict2 = torch.load("mydict")`).
public func loadTensorDict(from path: String) throws -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (name, t) in try loadStateDict(from: path) { out[name] = t }
    return out
}
