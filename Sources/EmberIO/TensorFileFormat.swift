// TensorFileFormat: which on-disk format a path names, chosen by its extension.
import Foundation

/// The file formats EmberIO reads and writes, chosen by extension.
///
/// `.pt`, `.pth`, `.bin` → PyTorch's zip format (`torch.save`); `.safetensors`; `.npz`; `.npy` (one tensor).
public enum TensorFileFormat: String, Sendable, CaseIterable {
    case torch, safetensors, npz, npy

    /// The format `url`'s extension names; throws `CheckpointError.unknownFormat` for any other extension.
    public init(for url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "pt", "pth", "bin": self = .torch
        case "safetensors": self = .safetensors
        case "npz": self = .npz
        case "npy": self = .npy
        default: throw CheckpointError(.unknownFormat(url.pathExtension.isEmpty ? "(none)" : "." + url.pathExtension), file: url.path)
        }
    }

    /// True when the format can hold more than tensors (numbers, strings, nested dicts and lists).
    public var holdsGeneralValues: Bool { self == .torch }
}
