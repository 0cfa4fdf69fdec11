// Devices of tensors: moving values between devices, and the scoped default device of new tensors.

extension Device {
    /// The device new tensors are allocated on when none is given: `.cpu`, or the device of the innermost
    /// enclosing `withDevice` on this task.
    @TaskLocal public static var current: Device = .cpu
}

/// Runs `body` with `device` as the device of every tensor it creates without naming one — the factories and
/// every op's result — like PyTorch's `with torch.device("cuda"):`. Scoped to the current task (and its child
/// tasks), so tests running in parallel do not see each other's device. Stops with a message when `device`
/// has no backend.
///
/// ```swift
/// let y = withDevice(.cuda(0)) { model(x.to(.cuda(0))) }
/// ```
public func withDevice<R>(_ device: Device, _ body: () throws -> R) rethrows -> R {
    _ = backend(for: device)
    return try Device.$current.withValue(device) { try body() }
}

extension Tensor {
    /// A copy on `device` (`x.to("cuda:0")`); self when already there. Differentiable (`ToCopyBackward0`: the
    /// gradient moves back). Stops with a message for a device without a backend, so `x.to(.cuda(0))` fails
    /// clearly in a build without CUDA.
    public func to(_ device: Device) -> Tensor {
        if device == self.device { return self }
        emberCheck(device == .cpu || self.device == .cpu, "to",
                   "copying from \(self.device) to \(device) directly is not supported; copy through the CPU: x.to(.cpu).to(\(device))")
        let target = Ember.backend(for: device)
        let source = contiguous()
        let out = Tensor(empty: shape, dtype: dtype, device: device)
        // The device that is not the CPU does the copy (it knows both its memory and the host's).
        let copier = device == .cpu ? Ember.backend(for: self.device) : target
        copier.copyBytes(from: source.rawPointer, on: self.device, to: out.rawPointer, on: device, byteCount: numel * dtype.itemSize)
        let sourceDevice = self.device
        return record(out, "ToCopyBackward0", inputs: [self]) { g in [g.to(sourceDevice)] }
    }

    /// Moves this tensor's values (and its `.grad`) to `device` in place, keeping the tensor's identity and
    /// `requiresGrad` — PyTorch's `param.data = param.data.to(device)`, which `Module.to(_:)` does for every
    /// parameter and buffer so that optimizers holding them keep working.
    public func move_(to device: Device) {
        if device == self.device { return }
        let moved = noGrad { detach().to(device) }
        storage = moved.storage
        shape = moved.shape
        strides = moved.strides
        storageOffset = moved.storageOffset
        bumpVersion()
        grad?.move_(to: device)
    }
}
