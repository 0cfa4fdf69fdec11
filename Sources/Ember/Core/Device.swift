// Device: where a tensor's memory lives, and the backend seam every allocation goes through.
import Foundation

/// Where a tensor's storage lives. Only `.cpu` has a backend today; the case exists so that a CUDA
/// backend can arrive without changing the front API (`x.to(.cuda(0))` will stop with a clear message until then).
public enum Device: Equatable, Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)
    public var description: String {
        switch self { case .cpu: return "cpu"; case .cuda(let i): return "cuda:\(i)" }
    }
}

/// The seam between the front API and a device: memory management for now; device kernels join it with
/// a second backend. Implementations must be thread-safe (DataLoader workers allocate concurrently).
public protocol Backend: AnyObject, Sendable {
    var device: Device { get }
    /// Returns at least `byteCount` bytes, 64-byte aligned.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer
    /// Gives back memory obtained from `allocate` with the same `byteCount`.
    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int)
}

/// The backend for a device; stops with a message for devices without one.
public func backend(for device: Device) -> Backend {
    switch device {
    case .cpu: return CPUBackend.shared
    case .cuda: emberFail("to", "device \(device) is not available: this build of Ember has only the CPU backend")
    }
}

/// Host memory: 64-byte aligned blocks, with a small per-size cache so that the same-sized temporaries of
/// each training step reuse pages instead of faulting in fresh ones.
public final class CPUBackend: Backend, @unchecked Sendable {
    public static let shared = CPUBackend()
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
}
