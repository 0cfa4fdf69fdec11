// Tests for Dataset conveniences, TensorDataset, Subset, randomSplit, ConcatDataset and the random source.
import Testing
import Foundation
import Ember
@testable import EmberData
import _EmberTestSupport

/// A dataset of its own indices, for checking orders and batch contents.
struct IndexDataset: Dataset {
    let count: Int
    func sample(at index: Int) throws -> Int { index }
}

@Suite struct DatasetTests {
    @Test func tensorDatasetRowsAreViews() throws {
        let X = Tensor.arange(12).reshape(4, 3).float()
        let y = Tensor.arange(4)
        let ds = TensorDataset(X, y)
        #expect(ds.count == 4)
        let (x2, y2) = try ds[2]
        #expect(x2.scalars == [6, 7, 8])
        #expect(y2.item(as: Int.self) == 2)
        #expect(x2.storage === X.storage)   // a view, as torch's TensorDataset returns

        let list = TensorListDataset(X, y, X * 2)
        #expect(try list[1].map { $0.scalars } == [[3, 4, 5], [1], [6, 8, 10]])
    }

    @Test func tensorDatasetRejectsMismatchedLengths() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TensorDataset(Tensor.zeros([3, 2]), Tensor.zeros([4]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("TensorDataset: Size mismatch between tensors: [3, 2] and [4]"))
    }

    @Test func subsetAndConcat() throws {
        let a = IndexDataset(count: 3), b = IndexDataset(count: 4)
        let sub = Subset(b, indices: [3, 1])
        #expect(sub.count == 2)
        #expect(try sub[0] == 3 && sub[1] == 1)
        let cat = ConcatDataset([a, b])
        #expect(cat.count == 7)
        #expect(cat.cumulativeSizes == [3, 7])
        #expect(try (0..<7).map { try cat[$0] } == [0, 1, 2, 0, 1, 2, 3])
        let mixed = ConcatDataset([AnyDataset(a), AnyDataset(sub)])
        #expect(try (0..<5).map { try mixed[$0] } == [0, 1, 2, 3, 1])
        #expect(try a.map { $0 * 10 }[2] == 20)
    }

    @Test func randomSplitPartitionsAndIsSeeded() throws {
        let ds = IndexDataset(count: 10)
        let parts = randomSplit(ds, lengths: [7, 3], generator: SplitMix64(seed: 1))
        #expect(parts.map(\.count) == [7, 3])
        #expect(Set(parts[0].indices + parts[1].indices) == Set(0..<10))
        let again = randomSplit(ds, lengths: [7, 3], generator: SplitMix64(seed: 1))
        #expect(again[0].indices == parts[0].indices)
        let other = randomSplit(ds, lengths: [7, 3], generator: SplitMix64(seed: 2))
        #expect(other[0].indices != parts[0].indices)
        // Fractions: floor(10 * 0.33) = 3 each, remainder 1 goes to the first (PyTorch's rule).
        let f = randomSplit(ds, fractions: [0.34, 0.33, 0.33], generator: SplitMix64(seed: 3))
        #expect(f.map(\.count) == [4, 3, 3])
    }

    @Test func splitMixMatchesReferenceAndPermutationCoversValues() {
        // Reference outputs of splitmix64.c (Vigna) seeded with 0.
        let g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        // Every position of a 4-permutation sees every value over many draws.
        let h = SplitMix64(seed: 9)
        var seen = Array(repeating: Set<Int>(), count: 4)
        for _ in 0..<200 { for (i, v) in h.permutation(4).enumerated() { seen[i].insert(v) } }
        #expect(seen.allSatisfy { $0 == Set(0..<4) })
        for _ in 0..<100 { let v = h.nextInt(below: 7); #expect(v >= 0 && v < 7) }
    }
}
