// CPUBackend: host memory with a per-size cache; its fused primitives live in CPUBackend+<Family>.swift.
import Foundation

/// The backend of `.cpu`: host memory (64-byte aligned blocks, with a small per-size cache so that the
/// same-sized temporaries of each training step reuse pages instead of faulting in fresh ones; blocks of 4 MiB and
/// more mapped on 2 MiB boundaries and advised to use transparent huge pages) and the fused
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
    /// When each cached size was last allocated or freed (a counter), so that a full cache gives up the sizes the
    /// program stopped using, not the ones it is using now.
    private var lastUse: [Int: Int] = [:]
    private var tick = 0
    private let lock = NSLock()
    /// Upper bound on memory kept for reuse.
    private let cacheLimit = 512 << 20
    /// Blocks below this size go straight to malloc (its own bins are fast for small blocks).
    private let minCached = 1 << 16
    /// Blocks of this size and more are mapped directly, 2 MiB-aligned and rounded up to whole 2 MiB pages, and
    /// advised to use transparent huge pages (`MADV_HUGEPAGE`; PyTorch's `THP_MEM_ALLOC_ENABLE` does the same from
    /// 2 MiB). A stream over 4 KiB pages misses the TLB every 1,024 floats and the hardware prefetchers stop at
    /// each page: on Zen 4 a two-thread float32 sum of 40 MB (`VectorMath.sum`'s loop in C) took 0.46 ms over 4 KiB
    /// pages and 0.31 ms over 2 MiB ones. From 4 MiB so that rounding up leaves at most a third of a mapping unused.
    static let hugeMin = 4 << 20
    /// The huge page size of x86-64 and arm64 Linux.
    static let hugePage = 2 << 20

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
        if size >= CPUBackend.hugeMin { return CPUBackend.mapHuge(size) }
        #endif
        var p: UnsafeMutableRawPointer?
        let rc = posix_memalign(&p, 64, (size + 63) & ~63)
        guard rc == 0, let ptr = p else { emberFail("allocate", "out of memory allocating \(byteCount) bytes") }
        return ptr
    }

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
    func cacheState(size: Int) -> (bytes: Int, blocks: Int) {
        lock.lock(); defer { lock.unlock() }
        return (cachedBytes, cache[size]?.count ?? 0)
    }

    /// Gives a block back to the system (unmapped when it was mapped directly, else freed).
    private func release(_ pointer: UnsafeMutableRawPointer, size: Int) {
        #if os(Linux)
        if size >= CPUBackend.hugeMin {
            munmap(pointer, CPUBackend.hugeLength(size))
            return
        }
        #endif
        free(pointer)
    }

    #if os(Linux)
    /// `size` rounded up to whole huge pages.
    static func hugeLength(_ size: Int) -> Int { (size + hugePage - 1) / hugePage * hugePage }

    /// A fresh mapping of `hugeLength(size)` bytes starting on a huge-page boundary, advised to use huge pages
    /// (zero-filled, faulted in on first touch). Over-maps by one huge page and unmaps the misaligned ends.
    static func mapHuge(_ size: Int) -> UnsafeMutableRawPointer {
        let length = hugeLength(size), mapped = length + hugePage
        guard let raw = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { emberFail("allocate", "out of memory allocating \(size) bytes") }
        let address = UInt(bitPattern: raw)
        let start = (address + UInt(hugePage) - 1) / UInt(hugePage) * UInt(hugePage)
        let head = Int(start - address), tail = mapped - head - length
        if head > 0 { munmap(raw, head) }
        if tail > 0 { munmap(raw + head + length, tail) }
        let p = raw + head
        // Advice only: where transparent huge pages are off, the block is ordinary memory.
        _ = madvise(p, length, Int32(MADV_HUGEPAGE))
        return p
    }
    #endif

    public func copyBytes(from source: UnsafeRawPointer, on sourceDevice: Device, to destination: UnsafeMutableRawPointer,
                          on destinationDevice: Device, byteCount: Int) {
        destination.copyMemory(from: source, byteCount: byteCount)
    }
}
