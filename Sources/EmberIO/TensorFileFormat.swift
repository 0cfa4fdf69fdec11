// TensorFileFormat: which on-disk format a path names, chosen by its extension.
import Foundation

/// The file formats EmberIO reads and writes, chosen by extension.
///
/// `.safetensors`, `.npz` and `.npy` (one tensor) by their extension; every other name (`.pt`, `.pth`, `.bin`,
/// `mlp.params`, `x-file`) is PyTorch's zip format, as `torch.save` writes whatever the name.
public enum TensorFileFormat: String, Sendable, CaseIterable {
    case torch, safetensors, npz, npy

    /// The format `url`'s extension names: `.safetensors`, `.npz`, `.npy`, else PyTorch's (`torch.save`'s) format.
    public init(for url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "safetensors": self = .safetensors
        case "npz": self = .npz
        case "npy": self = .npy
        default: self = .torch
        }
    }

    /// True when the format can hold more than tensors (numbers, strings, nested dicts and lists).
    public var holdsGeneralValues: Bool { self == .torch }
}
