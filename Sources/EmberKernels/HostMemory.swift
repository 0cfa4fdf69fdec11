// HostMemory: 64-byte aligned host blocks with a per-size cache, for tensors (CPUBackend) and kernels' scratch alike.
import Foundation

/// Host memory that keeps freed blocks for reuse, so that the same-sized buffers of every training step reuse
/// pages instead of faulting in fresh ones (the caching role of PyTorch's CUDA allocator, on the host).
///
/// Blocks are 64-byte aligned. Blocks of 4 MiB and more are mapped on 2 MiB boundaries, rounded up to whole
/// 2 MiB pages and advised to use transparent huge pages. Freed blocks of 64 KiB and more are cached by exact
/// size up to 512 MB; when full, the sizes used longest ago are given back to the system first.
///
/// `shared` serves both the CPU backend's tensors and the kernels' temporary buffers (column matrices,
/// Winograd tiles, packed weights): a kernel's scratch freed at the end of one call is the next call's, and
/// memory a step freed as tensors can come back as scratch. Before the kernels took their scratch here
/// (from malloc, which unmaps large blocks on free), a ResNet-18 training step faulted in ~1,000 fresh pages.
public final class HostMemory: @unchecked Sendable {
    /// The cache every CPU tensor and kernel scratch buffer shares.
    public static let shared = HostMemory()

    private var cache: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0
    /// When each cached size was last allocated or freed (a counter), so that a full cache gives up the sizes the
    /// program stopped using, not the ones it is using now.
    private var lastUse: [Int: Int] = [:]
    private var tick = 0
    private let lock = NSLock()
    /// Upper bound on memory kept for reuse.
    let cacheLimit = 512 << 20
    /// Blocks below this size go straight to malloc (its own bins are fast for small blocks).
    let minCached = 1 << 16
    /// Blocks of this size and more are mapped directly, 2 MiB-aligned and rounded up to whole 2 MiB pages, and
    /// advised to use transparent huge pages (`MADV_HUGEPAGE`; PyTorch's `THP_MEM_ALLOC_ENABLE` does the same from
    /// 2 MiB). A stream over 4 KiB pages misses the TLB every 1,024 floats and the hardware prefetchers stop at
    /// each page: on Zen 4 a two-thread float32 sum of 40 MB (`VectorMath.sum`'s loop in C) took 0.46 ms over 4 KiB
    /// pages and 0.31 ms over 2 MiB ones. From 4 MiB so that rounding up leaves at most a third of a mapping unused.
    public static let hugeMin = 4 << 20
    /// The huge page size of x86-64 and arm64 Linux.
    public static let hugePage = 2 << 20

    /// An empty cache of its own (tests); the program's one is `shared`.
    public init() {}

    /// A block of at least `byteCount` bytes (a cached one of exactly that size when there is one). Stops the
    /// process when the system has no memory left.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Swift.max(byteCount, 1)
        if size >= minCached {
            lock.lock()
            if var list = cache[size], let p = list.popLast() {
                cache[size] = list
                cachedBytes -= size
                tick += 1
                lastUse[size] = tick
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        #if os(Linux)
        if size >= HostMemory.hugeMin { return HostMemory.mapHuge(size) }
        #endif
        var p: UnsafeMutableRawPointer?
        let rc = posix_memalign(&p, 64, (size + 63) & ~63)
        kernelCheck(rc == 0 && p != nil, "allocate: out of memory allocating \(byteCount) bytes")
        return p!
    }

    /// Gives back a block that `allocate(byteCount:)` returned for the same `byteCount`.
    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Swift.max(byteCount, 1)
        if size >= minCached && size <= cacheLimit {
            lock.lock()
            tick += 1
            lastUse[size] = tick
            let evicted = cachedBytes + size > cacheLimit ? evictLeastRecentlyUsed(toFit: size) : []
            cache[size, default: []].append(pointer)
            cachedBytes += size
            lock.unlock()
            for (p, n) in evicted { release(p, size: n) }
            return
        }
        release(pointer, size: size)
    }

    /// Scratch for `count` elements of `T` (uninitialized); give it back with `deallocate(_:count:)`.
    @inlinable
    public func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(byteCount: count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }

    /// Gives back scratch from `allocate(_:count:)` with the same `count`.
    @inlinable
    public func deallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
        deallocate(UnsafeMutableRawPointer(pointer), byteCount: count * MemoryLayout<T>.stride)
    }

    /// Takes blocks out of the cache, from the sizes used longest ago, until `size` more bytes fit (the lock is
    /// held), and returns them to be released. Measured: with a cache that refused blocks once full, the LSTM
    /// language-model step run after the other `ember bench` rows (whose sizes filled the 512 MB) took 47–48 ms
    /// instead of 14–15: each of its 4.6 MB buffers was mapped, faulted in as fresh huge pages and unmapped again
    /// every step.
    private func evictLeastRecentlyUsed(toFit size: Int) -> [(UnsafeMutableRawPointer, Int)] {
        var evicted: [(UnsafeMutableRawPointer, Int)] = []
        while cachedBytes + size > cacheLimit {
            guard let oldest = cache.filter({ !$0.value.isEmpty && $0.key != size })
                .min(by: { lastUse[$0.key, default: 0] < lastUse[$1.key, default: 0] })?.key else { break }
            var list = cache[oldest]!
            while cachedBytes + size > cacheLimit, let p = list.popLast() {
                evicted.append((p, oldest))
                cachedBytes -= oldest
            }
            cache[oldest] = list.isEmpty ? nil : list
            if list.isEmpty { lastUse[oldest] = nil }
        }
        // Blocks of `size` itself: drop the surplus beyond what fits.
        while cachedBytes + size > cacheLimit, var list = cache[size], let p = list.popLast() {
            cache[size] = list
            cachedBytes -= size
            evicted.append((p, size))
        }
        return evicted
    }

    /// Bytes held for reuse, and the blocks of `size` among them (for tests).
    public func cacheState(size: Int) -> (bytes: Int, blocks: Int) {
        lock.lock(); defer { lock.unlock() }
        return (cachedBytes, cache[size]?.count ?? 0)
    }

    /// Gives a block back to the system (unmapped when it was mapped directly, else freed).
    private func release(_ pointer: UnsafeMutableRawPointer, size: Int) {
        #if os(Linux)
        if size >= HostMemory.hugeMin {
            munmap(pointer, HostMemory.hugeLength(size))
            return
        }
        #endif
        free(pointer)
    }

    #if os(Linux)
    /// `size` rounded up to whole huge pages.
    public static func hugeLength(_ size: Int) -> Int { (size + hugePage - 1) / hugePage * hugePage }

    /// A fresh mapping of `hugeLength(size)` bytes starting on a huge-page boundary, advised to use huge pages
    /// (zero-filled, faulted in on first touch). Over-maps by one huge page and unmaps the misaligned ends.
    static func mapHuge(_ size: Int) -> UnsafeMutableRawPointer {
        let length = hugeLength(size), mapped = length + hugePage
        let raw = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        kernelCheck(raw != nil && raw != MAP_FAILED, "allocate: out of memory allocating \(size) bytes")
        let address = UInt(bitPattern: raw!)
        let start = (address + UInt(hugePage) - 1) / UInt(hugePage) * UInt(hugePage)
        let head = Int(start - address), tail = mapped - head - length
        if head > 0 { munmap(raw!, head) }
        if tail > 0 { munmap(raw! + head + length, tail) }
        let p = raw! + head
        // Advice only: where transparent huge pages are off, the block is ordinary memory.
        _ = madvise(p, length, Int32(MADV_HUGEPAGE))
        return p
    }
    #endif
}

/// `count` uninitialized elements of scratch from `HostMemory.shared`, for the length of one kernel call: give it
/// back with `release()` (a `defer` right after taking it).
public struct ScratchBuffer<T> {
    /// The first element.
    public let pointer: UnsafeMutablePointer<T>
    /// The number of elements.
    public let count: Int

    /// Takes `count` elements (a cached block of that size when there is one).
    @inlinable
    public init(_ count: Int) {
        self.count = count
        pointer = HostMemory.shared.allocate(T.self, count: count)
    }

    /// Takes over `count` elements that `HostMemory.shared` allocated (a buffer kept past one call, as
    /// `LiveWeightsCache` keeps them).
    @inlinable
    public init(adopting pointer: UnsafeMutablePointer<T>, count: Int) {
        self.pointer = pointer
        self.count = count
    }

    /// Gives the buffer back to `HostMemory.shared`.
    @inlinable
    public func release() { HostMemory.shared.deallocate(pointer, count: count) }
}
