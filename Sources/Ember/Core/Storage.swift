// Storage: a reference-counted block of device memory that tensors (and their views) share.

/// A block of raw memory on a device. Tensors are views into a storage (shape, strides, offset), so
/// `view`, `transpose`, slicing and `detach` share one `Storage`, as in PyTorch.
public final class Storage {
    /// Base address (64-byte aligned).
    public let data: UnsafeMutableRawPointer
    /// Size in bytes.
    public let byteCount: Int
    /// The device the memory lives on.
    public let device: Device
    /// Memory not owned by this storage (wrapping a caller's buffer) is not freed on deinit.
    private let owned: Bool
    private let keepAlive: AnyObject?

    /// Allocates `byteCount` uninitialised bytes on `device`.
    public init(byteCount: Int, device: Device = .cpu) {
        self.byteCount = byteCount
        self.device = device
        self.data = backend(for: device).allocate(byteCount: byteCount)
        self.owned = true
        self.keepAlive = nil
    }

    /// Wraps memory owned elsewhere; `owner` is kept alive as long as this storage.
    ///
    /// - Parameters:
    ///   - data: The memory to use; it is not copied and not freed by the storage.
    ///   - byteCount: The size of the memory in bytes.
    ///   - owner: An object kept alive as long as the storage, which owns the memory.
    public init(borrowing data: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject?) {
        self.data = data
        self.byteCount = byteCount
        self.device = .cpu
        self.owned = false
        self.keepAlive = owner
    }

    deinit {
        if owned { backend(for: device).deallocate(data, byteCount: byteCount) }
    }
}
