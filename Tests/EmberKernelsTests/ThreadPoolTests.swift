// ThreadPool tests: full coverage of indices, chunking limits, nesting and concurrent callers.
import Testing
import Dispatch
@testable import EmberKernels

@Suite("ThreadPool")
struct ThreadPoolTests {
    @Test("every index runs exactly once", arguments: [0, 1, 2, 3, 17, 1000, 100_003])
    func coverage(count: Int) {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        hits.initialize(repeating: 0, count: max(count, 1))
        defer { hits.deallocate() }
        for _ in 0..<20 {
            ThreadPool.shared.parallelFor(count) { range in
                for i in range { hits[i] += 1 }
            }
        }
        #expect((0..<count).allSatisfy { hits[$0] == 20 })
    }

    @Test("chunks are contiguous, at most threadCount of them, and respect minChunk")
    func chunking() {
        let pool = ThreadPool(threadCount: 4)
        #expect(pool.threadCount == 4)
        let ranges = UnsafeMutablePointer<Range<Int>>.allocate(capacity: 8)
        defer { ranges.deallocate() }
        var ok = true
        for (count, minChunk) in [(100, 1), (10, 4), (3, 1), (7, 100)] {
            ranges.initialize(repeating: 0..<0, count: 8)
            pool.parallelFor(count, minChunk: minChunk) { range in
                ranges[range.lowerBound * 8 / count] = range
            }
            let chunks = (0..<8).map { ranges[$0] }.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
            ok = ok && chunks.count <= min(4, max(1, count / minChunk))
            ok = ok && chunks.first?.lowerBound == 0 && chunks.last?.upperBound == count
            ok = ok && zip(chunks, chunks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
        }
        #expect(ok)
    }

    @Test("nested parallelFor runs inline without deadlock")
    func nested() {
        let outer = 64, inner = 50
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
        hits.initialize(repeating: 0, count: outer * inner)
        defer { hits.deallocate() }
        ThreadPool.shared.parallelFor(outer) { range in
            for i in range {
                ThreadPool.shared.parallelFor(inner) { innerRange in
                    for j in innerRange { hits[i * inner + j] += 1 }
                }
            }
        }
        #expect((0..<outer * inner).allSatisfy { hits[$0] == 1 })
    }

    @Test("concurrent callers from many threads all complete")
    func concurrentCallers() {
        let callers = 8, count = 10_000
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: callers * count)
        hits.initialize(repeating: 0, count: callers * count)
        defer { hits.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<50 {
                ThreadPool.shared.parallelFor(count, minChunk: 100) { range in
                    for i in range { hits[caller * count + i] += 1 }
                }
            }
        }
        #expect((0..<callers * count).allSatisfy { hits[$0] == 50 })
    }
}
