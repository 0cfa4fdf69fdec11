// CPUBackend's blocks: 64-byte aligned, and from 4 MiB on mapped on 2 MiB (huge page) boundaries; every byte usable.
import Testing
@testable import Ember

@Suite struct CPUBackendTests {
    /// Sizes below the cached minimum, cached ordinary blocks, and huge-page blocks of whole and partial 2 MiB pages.
    @Test(arguments: [100, (1 << 16) + 12, (4 << 20) - 4, 4 << 20, (4 << 20) + 4, 9_000_004])
    func blocksAreAlignedAndUsableToTheLastByte(bytes: Int) {
        let backend = CPUBackend.shared
        let block = backend.allocate(byteCount: bytes)
        let address = UInt(bitPattern: block)
        var aligned = address % 64 == 0
        #if os(Linux)
        if bytes >= 4 << 20 { aligned = aligned && address % (2 << 20) == 0 }
        #endif
        let p = block.bindMemory(to: UInt8.self, capacity: bytes)
        let positions = Array(stride(from: 0, to: bytes, by: 4093)) + [bytes - 1]
        for i in positions { p[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
        let kept = positions.allSatisfy { p[$0] == UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        backend.deallocate(block, byteCount: bytes)
        #expect(aligned, "\(bytes) bytes at \(address)")
        #expect(kept, "\(bytes) bytes")
    }

    @Test func largeTensorsComputeOverHugePageBlocks() {
        // 4,500,001 floats: 18 MB, not a whole number of 2 MiB pages.
        let n = 4_500_001
        let x = Tensor.ones([n]) * 0.5
        let total = x.sum().item(as: Double.self)
        #expect(total == Double(n) * 0.5)
    }

    /// A full cache gives up the sizes used longest ago, so the sizes in use now are still reused: 130 blocks of
    /// 4 MiB fill the 512 MiB (two are released), then a 6 MiB block freed is kept, and two 4 MiB blocks go to
    /// make room.
    /// (Blocks are mapped, never touched: no memory is faulted in.) A private backend, so that other tests'
    /// blocks do not share its cache.
    @Test func fullCacheEvictsTheLeastRecentlyUsedSize() {
        let backend = CPUBackend()
        let small = 4 << 20, large = 6 << 20
        let blocks = (0..<130).map { _ in backend.allocate(byteCount: small) }
        for b in blocks { backend.deallocate(b, byteCount: small) }
        let full = backend.cacheState(size: small)
        #expect(full.bytes == 512 << 20 && full.blocks == 128)
        let b = backend.allocate(byteCount: large)
        backend.deallocate(b, byteCount: large)
        let after = backend.cacheState(size: large), smallAfter = backend.cacheState(size: small)
        #expect(after.blocks == 1)
        #expect(smallAfter.blocks == 126, "\(smallAfter.blocks) blocks of the older size left")
        #expect(after.bytes == 126 * small + large)
        let again = backend.allocate(byteCount: large)
        #expect(again == b)
        backend.deallocate(again, byteCount: large)
    }
}

