// CPUBackend: host memory with a per-size cache; its fused primitives live in CPUBackend+<Family>.swift.
import Foundation

/// The backend of `.cpu`: host memory (64-byte aligned blocks, with a small per-size cache so that the
/// same-sized temporaries of each training step reuse pages instead of faulting in fresh ones) and the fused
/// primitives, which call EmberKernels. The primitives only need host-addressable memory: they allocate their
/// results on the device of their inputs, so a backend over host memory (the tests' checking backend) can
/// reuse them.
public final class CPUBackend: Backend, @unchecked Sendable {
    /// The one CPU backend every CPU tensor uses.
    public static let shared = CPUBackend()
    /// `.cpu`.
    public var device: Device { .cpu }
    private var cache: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()
    /// Upper bound on memory kept for reuse.
    private let cacheLimit = 512 << 20
    /// Blocks below this size go straight to malloc (its own bins are fast for small blocks).
    private let minCached = 1 << 16

    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Swift.max(byteCount, 1)
        if size >= minCached {
            lock.lock()
            if var list = cache[size], let p = list.popLast() {
                cache[size] = list
                cachedBytes -= size
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        var p: UnsafeMutableRawPointer?
        let rc = posix_memalign(&p, 64, (size + 63) & ~63)
        guard rc == 0, let ptr = p else { emberFail("allocate", "out of memory allocating \(byteCount) bytes") }
        return ptr
    }

    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Swift.max(byteCount, 1)
        if size >= minCached {
            lock.lock()
            if cachedBytes + size <= cacheLimit {
                cache[size, default: []].append(pointer)
                cachedBytes += size
                lock.unlock()
                return
            }
            lock.unlock()
        }
        free(pointer)
    }

    public func copyBytes(from source: UnsafeRawPointer, on sourceDevice: Device, to destination: UnsafeMutableRawPointer,
                          on destinationDevice: Device, byteCount: Int) {
        destination.copyMemory(from: source, byteCount: byteCount)
    }
}
