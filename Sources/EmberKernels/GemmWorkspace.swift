// GemmWorkspace: reusable 64-byte-aligned packing buffers, so GEMM calls do not allocate (or page-fault).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Two packing buffers (one for A blocks, one for B blocks) that grow on demand and are kept for reuse.
final class GemmWorkspace {
    private(set) var a: UnsafeMutableRawPointer?
    private(set) var b: UnsafeMutableRawPointer?
    private var aBytes = 0
    private var bBytes = 0

    /// Makes the buffers at least `aBytes` and `bBytes` long (old contents are not kept).
    func reserve(aBytes: Int, bBytes: Int) {
        if aBytes > self.aBytes {
            free(a)
            a = GemmWorkspace.alignedAlloc(aBytes)
            self.aBytes = aBytes
        }
        if bBytes > self.bBytes {
            free(b)
            b = GemmWorkspace.alignedAlloc(bBytes)
            self.bBytes = bBytes
        }
    }

    deinit {
        free(a)
        free(b)
    }

    private static func alignedAlloc(_ bytes: Int) -> UnsafeMutableRawPointer {
        var pointer: UnsafeMutableRawPointer?
        let status = posix_memalign(&pointer, 64, bytes)
        kernelCheck(status == 0 && pointer != nil, "gemm: cannot allocate \(bytes) bytes of packing buffer")
        return pointer!
    }

    // A free list shared by all threads: a GEMM task takes a workspace, uses it, and gives it back. A lock
    // costs far less than one packed block, and unlike thread-local buffers this also serves callers'
    // own threads (data-loader workers) without leaking per thread.
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    nonisolated(unsafe) private static var pool: [GemmWorkspace] = []

    /// Takes a workspace from the free list (or makes one).
    static func take() -> GemmWorkspace {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return pool.popLast() ?? GemmWorkspace()
    }

    /// Returns a workspace to the free list.
    static func give(_ workspace: GemmWorkspace) {
        pthread_mutex_lock(lock)
        pool.append(workspace)
        pthread_mutex_unlock(lock)
    }
}
