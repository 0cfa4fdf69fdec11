// CPUBackend: host memory (HostMemory) and the fused primitives, which live in CPUBackend+<Family>.swift.
import EmberKernels

/// The backend of `.cpu`: host memory from `HostMemory` (64-byte aligned blocks, cached by size so that the same-sized
/// temporaries of each training step reuse pages instead of faulting in fresh ones; blocks of 4 MiB and more on
/// transparent huge pages) and the fused primitives, which call EmberKernels. The primitives only need
/// host-addressable memory: they allocate their results on the device of their inputs, so a backend over host
/// memory (the tests' checking backend) can reuse them.
public final class CPUBackend: Backend, @unchecked Sendable {
    /// The one CPU backend every CPU tensor uses; its blocks come from `HostMemory.shared`, where the kernels
    /// also take their scratch.
    public static let shared = CPUBackend(memory: .shared)
    /// `.cpu`.
    public var device: Device { .cpu }
    /// Where the blocks come from and are cached.
    let memory: HostMemory

    /// A backend over `memory` (tests give one a cache of its own).
    init(memory: HostMemory) { self.memory = memory }

    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer { memory.allocate(byteCount: byteCount) }

    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        memory.deallocate(pointer, byteCount: byteCount)
    }

    public func copyBytes(from source: UnsafeRawPointer, on sourceDevice: Device, to destination: UnsafeMutableRawPointer,
                          on destinationDevice: Device, byteCount: Int) {
        destination.copyMemory(from: source, byteCount: byteCount)
    }
}
