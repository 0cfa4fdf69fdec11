// Tests for DataLoader: batching, collation, shuffling per epoch, workers (order, determinism, errors, early exit).
import Testing
import Foundation
import Ember
@testable import EmberData
import _EmberTestSupport

/// Samples whose values depend on a random draw, to check determinism of random transforms across workers.
struct NoisyDataset: Dataset {
    let count: Int
    func sample(at index: Int) throws -> (Tensor, Int) {
        let noise = DataRandom.resolve(nil).nextDouble()
        return (Tensor([Float(index), Float(noise)], shape: [2]), index)
    }
}

/// Fails at one index.
struct FailingDataset: Dataset {
    let count: Int
    let bad: Int
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
    func sample(at index: Int) throws -> Tensor {
        if index == bad { throw Boom() }
        return Tensor([Float(index)], shape: [1])
    }
}

@Suite struct DataLoaderTests {
    @Test func batchesInOrderWithCountAndDropLast() {
        let X = Tensor.arange(20).reshape(10, 2).float(), y = Tensor.arange(10)
        let loader = DataLoader(TensorDataset(X, y), batchSize: 4)
        #expect(loader.count == 3)
        var shapes: [[Int]] = [], labels: [Double] = []
        for (x, yb) in loader { shapes.append(x.shape); labels += yb.scalars }
        #expect(shapes == [[4, 2], [4, 2], [2, 2]])
        #expect(labels == (0..<10).map(Double.init))
        let dropped = DataLoader(TensorDataset(X, y), batchSize: 4, dropLast: true)
        #expect(dropped.count == 2)
        #expect(Array(dropped).count == 2)
    }

    @Test func defaultCollationOfNumbersTuplesArraysDictionaries() throws {
        let ints = DataLoader(IndexDataset(count: 5), batchSize: 5)
        let b = Array(ints)[0]
        #expect(b.dtype == .int64 && b.scalars == [0, 1, 2, 3, 4])
        let doubles = DataLoader(IndexDataset(count: 3).map { Double($0) / 2 }, batchSize: 3)
        #expect(Array(doubles)[0].dtype == .float64)
        let triples = DataLoader(IndexDataset(count: 4).map { (Tensor([Float($0)], shape: [1]), $0, Float($0)) }, batchSize: 2)
        let (t, i, f) = Array(triples)[1]
        #expect(t.shape == [2, 1] && i.scalars == [2, 3] && f.dtype == .float32)
        let dicts = DataLoader(IndexDataset(count: 4).map { ["x": Tensor([Float($0), 1], shape: [2]), "y": Tensor([Float(-$0)], shape: [1])] }, batchSize: 4)
        let d = Array(dicts)[0]
        #expect(d["x"]!.shape == [4, 2] && d["y"]!.scalars == [0, -1, -2, -3])
        let lists = DataLoader(TensorListDataset(Tensor.arange(6).reshape(3, 2), Tensor.arange(3)), batchSize: 3)
        #expect(Array(lists)[0].map(\.shape) == [[3, 2], [3]])
        let strings = DataLoader(IndexDataset(count: 2).map { "s\($0)" }, batchSize: 2)
        #expect(Array(strings)[0] == ["s0", "s1"])
        let custom = DataLoader(IndexDataset(count: 6), batchSize: 3, collate: { $0.reduce(0, +) })
        #expect(Array(custom) == [3, 12])
    }

    @Test func stackPromotesAndHandlesNonContiguous() {
        let a = Tensor.arange(6).reshape(2, 3).float().t()          // non-contiguous [3, 2]
        let b = Tensor.arange(6).reshape(3, 2)                       // int64
        let s = stackBatch([a, b])
        #expect(s.dtype == .float32 && s.shape == [2, 3, 2])
        #expect(s.scalars == [0, 3, 1, 4, 2, 5, 0, 1, 2, 3, 4, 5])
    }

    @Test func stackRejectsUnequalShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = stackBatch([Tensor.zeros([1, 28, 28]), Tensor.zeros([1, 27, 28])])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("stack expects each tensor to be equal size, but got [1, 28, 28] at entry 0 and [1, 27, 28] at entry 1"))
    }

    @Test func shuffleDrawsNewPermutationEachEpochAndIsSeeded() {
        let ds = IndexDataset(count: 50)
        let loader = DataLoader(ds, batchSize: 50, shuffle: true, generator: SplitMix64(seed: 7))
        let e1 = Array(loader)[0].scalars, e2 = Array(loader)[0].scalars
        #expect(Set(e1) == Set((0..<50).map(Double.init)))
        #expect(e1 != e2)
        #expect(e1 != (0..<50).map(Double.init))
        let again = DataLoader(ds, batchSize: 50, shuffle: true, generator: SplitMix64(seed: 7))
        #expect(Array(again)[0].scalars == e1)
        #expect(Array(again)[0].scalars == e2)
    }

    @Test(arguments: [1, 2, 3, 5])
    func workersGiveSameBatchesAsSerial(workers: Int) {
        func run(_ w: Int) -> [[Double]] {
            let loader = DataLoader(NoisyDataset(count: 103), batchSize: 8, shuffle: true, numWorkers: w, generator: SplitMix64(seed: 11))
            var out: [[Double]] = []
            for (x, y) in loader { out.append(x.scalars + y.scalars) }
            return out
        }
        let serial = run(0)
        #expect(serial.count == 13)
        #expect(run(workers) == serial)
    }

    @Test func workerErrorSurfacesWithIndexAndLoaderStaysUsable() throws {
        for workers in [0, 2] {
            let loader = DataLoader(FailingDataset(count: 40, bad: 21), batchSize: 4, numWorkers: workers)
            var it = loader.makeIterator()
            var seen = 0
            do {
                while let _ = try it.nextBatch() { seen += 1 }
                Issue.record("expected an error")
            } catch let error as DataError {
                #expect(error == .sampleFailed(index: 21, reason: "boom"))
                #expect("\(error)".contains("sample 21"))
            }
            #expect(seen == 5)                       // batches 0...4 arrived before the failing batch 5
            #expect(try it.nextBatch() == nil)       // the epoch is over, nothing hangs
        }
    }

    @Test func sequenceIterationStopsWithSampleIndex() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            for _ in DataLoader(FailingDataset(count: 10, bad: 7), batchSize: 2, numWorkers: 2) {}
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("DataLoader: loading sample 7 failed: boom"))
    }

    @Test func breakingOutEarlyReleasesWorkers() {
        let loader = DataLoader(IndexDataset(count: 1000), batchSize: 2, numWorkers: 3, prefetchFactor: 1)
        for _ in 0..<20 {
            for b in loader { if b.scalars[0] >= 10 { break } }
        }
        #expect(Array(loader).count == 500)
    }
}
