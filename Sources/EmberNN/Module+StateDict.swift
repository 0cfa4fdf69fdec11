// state_dict / load_state_dict for modules, with PyTorch's key names and its error report.
import Ember

/// Why `loadStateDict` refused a state dict: PyTorch's `Error(s) in loading state_dict` report.
public struct StateDictError: Error, CustomStringConvertible {
    public var module: String
    public var missingKeys: [String]
    public var unexpectedKeys: [String]
    public var shapeMismatches: [String]
    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("Missing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        if !unexpectedKeys.isEmpty { parts.append("Unexpected key(s) in state_dict: " + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        parts.append(contentsOf: shapeMismatches)
        return "Error(s) in loading state_dict for \(module):\n\t" + parts.joined(separator: "\n\t")
    }
}

extension Module {
    /// Parameters and persistent buffers by dotted name, in PyTorch's order (`state_dict()`).
    /// The tensors are detached views of the live ones (no copy), as PyTorch returns them.
    public func stateDict() -> StateDict {
        var sd = StateDict()
        for (name, slot) in namedSlots() where !slot.isBuffer || slot.persistent {
            if let t = slot.tensor { sd[name] = t.detach() }
        }
        return sd
    }

    /// Copies tensors from `stateDict` into this module's parameters and buffers (`load_state_dict`).
    ///
    /// With `strict` (the default) every key must match; any missing or unexpected key, or a shape
    /// mismatch, throws `StateDictError` listing all of them and nothing is copied.
    /// - Returns: the missing and unexpected keys (both empty when strict succeeded).
    @discardableResult
    public func loadStateDict(_ stateDict: StateDict, strict: Bool = true) throws -> (missing: [String], unexpected: [String]) {
        // Slots holding nil (a `bias: false` layer) are absent from `stateDict()`, so they are not missing either.
        let slots = namedSlots().filter { ($0.1.isBuffer ? $0.1.persistent : true) && $0.1.tensor != nil }
        let slotNames = Set(slots.map { $0.0 })
        let missing = slots.map { $0.0 }.filter { stateDict[$0] == nil }
        let unexpected = stateDict.keys.filter { !slotNames.contains($0) }
        var mismatches: [String] = []
        for (name, slot) in slots {
            guard let src = stateDict[name], let dst = slot.tensor else { continue }
            if src.shape != dst.shape {
                mismatches.append("size mismatch for \(name): copying a param with shape torch.Size(\(shapeString(src.shape))) from checkpoint, the shape in current model is torch.Size(\(shapeString(dst.shape))).")
            }
        }
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(module: typeName, missingKeys: strict ? missing : [], unexpectedKeys: strict ? unexpected : [],
                                 shapeMismatches: mismatches)
        }
        noGrad {
            for (name, slot) in slots {
                guard let src = stateDict[name], let dst = slot.tensor else { continue }
                dst.copy_(src)
            }
        }
        return (missing, unexpected)
    }
}
