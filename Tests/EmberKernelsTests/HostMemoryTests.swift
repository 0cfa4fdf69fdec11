// HostMemory's blocks: 64-byte aligned, and from 4 MiB on mapped on 2 MiB (huge page) boundaries; every byte usable;
// a full cache gives up the sizes used longest ago.
import Testing
@testable import EmberKernels

@Suite struct HostMemoryTests {
    /// Sizes below the cached minimum, cached ordinary blocks, and huge-page blocks of whole and partial 2 MiB pages.
    @Test(arguments: [100, (1 << 16) + 12, (4 << 20) - 4, 4 << 20, (4 << 20) + 4, 9_000_004])
    func blocksAreAlignedAndUsableToTheLastByte(bytes: Int) {
        let memory = HostMemory.shared
        let block = memory.allocate(byteCount: bytes)
        let address = UInt(bitPattern: block)
        var aligned = address % 64 == 0
        #if os(Linux)
        if bytes >= 4 << 20 { aligned = aligned && address % (2 << 20) == 0 }
        #endif
        let p = block.bindMemory(to: UInt8.self, capacity: bytes)
        let positions = Array(stride(from: 0, to: bytes, by: 4093)) + [bytes - 1]
        for i in positions { p[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        let kept = positions.allSatisfy { p[$0] == UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        memory.deallocate(block, byteCount: bytes)
        #expect(aligned, "\(bytes) bytes at \(address)")
        #expect(kept, "\(bytes) bytes")
    }

    /// A full cache gives up the sizes used longest ago, so the sizes in use now are still reused: 130 blocks of
    /// 4 MiB fill the 512 MiB (two are released), then a 6 MiB block freed is kept, and two 4 MiB blocks go to
    /// make room.
    /// (Blocks are mapped, never touched: no memory is faulted in.) A private cache, so that other tests'
    /// blocks do not share it.
    @Test func fullCacheEvictsTheLeastRecentlyUsedSize() {
        let memory = HostMemory()
        let small = 4 << 20, large = 6 << 20
        let blocks = (0..<130).map { _ in memory.allocate(byteCount: small) }
        for b in blocks { memory.deallocate(b, byteCount: small) }
        let full = memory.cacheState(size: small)
        #expect(full.bytes == 512 << 20 && full.blocks == 128)
        let b = memory.allocate(byteCount: large)
        memory.deallocate(b, byteCount: large)
        let after = memory.cacheState(size: large), smallAfter = memory.cacheState(size: small)
        #expect(after.blocks == 1)
        #expect(smallAfter.blocks == 126, "\(smallAfter.blocks) blocks of the older size left")
        #expect(after.bytes == 126 * small + large)
        let again = memory.allocate(byteCount: large)
        #expect(again == b)
        memory.deallocate(again, byteCount: large)
    }

    /// Typed scratch comes back from the cache: the block given back is the next one of that size.
    @Test func scratchIsReusedBySize() {
        let memory = HostMemory()
        let count = 100_000
        let first = memory.allocate(Float.self, count: count)
        first[count - 1] = 1
        memory.deallocate(first, count: count)
        let second = memory.allocate(Float.self, count: count)
        #expect(second == first)
        #expect(memory.cacheState(size: count * 4).blocks == 0)
        memory.deallocate(second, count: count)
        #expect(memory.cacheState(size: count * 4).blocks == 1)
    }
}
