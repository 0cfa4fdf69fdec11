// sgemmBatched/dgemmBatched: C matrices that would overlap, negative sizes (checked in a child process),
// and the overlap rule itself.
import Testing
@testable import EmberKernels

/// Checks that a child process stopped with `fragment` on standard error.
private func expectMessage(_ result: ExitTest.Result?, _ fragment: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else { return }
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(text.contains(fragment), "stderr was: \(text)", sourceLocation: sourceLocation)
}

@Suite("Batched GEMM misuse")
struct GemmBatchedMisuseTests {
    @Test("C matrices overlap unless each dimension steps past what the smaller ones span")
    func overlapRule() {
        // Stacked 3×4 matrices, ldc 4: 12 elements each.
        #expect(!GemmDriver.cMatricesOverlap(count: 5, m: 3, n: 4, cBatchStride: 12, ldc: 4))
        #expect(GemmDriver.cMatricesOverlap(count: 5, m: 3, n: 4, cBatchStride: 11, ldc: 4))
        #expect(GemmDriver.cMatricesOverlap(count: 2, m: 3, n: 4, cBatchStride: 0, ldc: 4))
        // With ldc 6 a matrix spans (3 − 1)·6 + 4 = 16 elements.
        #expect(!GemmDriver.cMatricesOverlap(count: 2, m: 3, n: 4, cBatchStride: 16, ldc: 6))
        #expect(GemmDriver.cMatricesOverlap(count: 2, m: 3, n: 4, cBatchStride: 15, ldc: 6))
        // Interleaved: C[i] is columns 4i ..< 4i + 4 of one 3×20 matrix.
        #expect(!GemmDriver.cMatricesOverlap(count: 5, m: 3, n: 4, cBatchStride: 4, ldc: 20))
        #expect(GemmDriver.cMatricesOverlap(count: 5, m: 3, n: 4, cBatchStride: 3, ldc: 20))
        // One product, or empty matrices, cannot overlap; neither can one-row matrices n apart.
        #expect(!GemmDriver.cMatricesOverlap(count: 1, m: 3, n: 4, cBatchStride: 0, ldc: 4))
        #expect(!GemmDriver.cMatricesOverlap(count: 3, m: 0, n: 4, cBatchStride: 0, ldc: 4))
        #expect(!GemmDriver.cMatricesOverlap(count: 3, m: 1, n: 4, cBatchStride: 4, ldc: 1))
        #expect(GemmDriver.cMatricesOverlap(count: 3, m: 1, n: 4, cBatchStride: 3, ldc: 1))
    }

    @Test("count 0 does nothing, whatever the pointers hold")
    func emptyBatch() {
        let a: [Float] = [1], b: [Float] = [1]
        var c: [Float] = [42]
        Gemm.sgemmBatched(count: 0, m: 1, n: 1, k: 1, alpha: 1, a: a, aBatchStride: 0, aRowStride: 1, aColStride: 1,
                          b: b, bBatchStride: 0, bRowStride: 1, bColStride: 1, beta: 0, c: &c, cBatchStride: 0, ldc: 1)
        #expect(c == [42])
    }

    @Test func batchStrideZeroForCStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = [Float](repeating: 1, count: 6), b = [Float](repeating: 1, count: 6)
            var c = [Float](repeating: 0, count: 4)
            Gemm.sgemmBatched(count: 2, m: 2, n: 2, k: 3, alpha: 1, a: a, aBatchStride: 0, aRowStride: 3, aColStride: 1,
                              b: b, bBatchStride: 0, bRowStride: 2, bColStride: 1, beta: 0, c: &c, cBatchStride: 0, ldc: 2)
        }, "sgemmBatched: the 2 C matrices (2×2, ldc=2) overlap at cBatchStride=0")
    }

    @Test func overlappingCStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = [Double](repeating: 1, count: 6), b = [Double](repeating: 1, count: 6)
            var c = [Double](repeating: 0, count: 16)
            Gemm.dgemmBatched(count: 3, m: 2, n: 2, k: 3, alpha: 1, a: a, aBatchStride: 0, aRowStride: 3, aColStride: 1,
                              b: b, bBatchStride: 0, bRowStride: 2, bColStride: 1, beta: 0, c: &c, cBatchStride: 3, ldc: 2)
        }, "dgemmBatched: the 3 C matrices (2×2, ldc=2) overlap at cBatchStride=3")
    }

    @Test func negativeSizeStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a: [Float] = [1], b: [Float] = [1]
            var c: [Float] = [0]
            Gemm.sgemmBatched(count: -1, m: 1, n: 1, k: 1, alpha: 1, a: a, aBatchStride: 0, aRowStride: 1, aColStride: 1,
                              b: b, bBatchStride: 0, bRowStride: 1, bColStride: 1, beta: 0, c: &c, cBatchStride: 1, ldc: 1)
        }, "sgemmBatched: negative size count=-1 m=1 n=1 k=1")
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a: [Double] = [1], b: [Double] = [1]
            var c: [Double] = [0]
            Gemm.dgemmBatched(count: 1, m: 1, n: 1, k: -2, alpha: 1, a: a, aBatchStride: 0, aRowStride: 1, aColStride: 1,
                              b: b, bBatchStride: 0, bRowStride: 1, bColStride: 1, beta: 0, c: &c, cBatchStride: 1, ldc: 1)
        }, "dgemmBatched: negative size count=1 m=1 n=1 k=-2")
    }
}
