// Shuffling with a core Generator visits the samples in PyTorch's order: DataLoader over two epochs (with a
// generator, and with the default one after a manual seed) and randomSplit, against the orders torch 2.13 itself produced (Tests/Fixtures/torch/loader_order.json).
import Testing
import Foundation
import Ember
import EmberData
import _EmberTestSupport

private struct OrderCase: Decodable {
    struct Split: Decodable { let lengths: [Int]; let indices: [[Int]] }
    let seed: UInt64, n: Int, batch_size: Int
    let epochs: [[Int]]
    let default_generator_epochs: [[Int]]
    let random_split: Split
}

private struct OrderFile: Decodable { let cases: [OrderCase] }

private func torchOrders() throws -> [OrderCase] {
    let url = packageRoot.appendingPathComponent("Tests/Fixtures/torch/loader_order.json")
    return try JSONDecoder().decode(OrderFile.self, from: Data(contentsOf: url)).cases
}

@Suite struct TorchOrderTests {
    @Test func dataLoaderShufflesInPyTorchsOrderForTheSameSeed() throws {
        let cases = try torchOrders()
        #expect(cases.count == 20)
        for c in cases {
            let samples = TensorDataset(Tensor.arange(c.n), Tensor.arange(c.n))
            let loader = DataLoader(samples, batchSize: c.batch_size, shuffle: true, generator: Generator(seed: c.seed))
            for (epoch, expected) in c.epochs.enumerated() {
                let seen = loader.flatMap { $0.0.toArray(as: Int.self) }
                let same = seen == expected
                #expect(same, "seed \(c.seed), n \(c.n), epoch \(epoch + 1): first \(seen.prefix(4)), PyTorch's \(expected.prefix(4))")
            }
        }
    }

    @Test func dataLoaderWithoutAGeneratorFollowsManualSeedAsPyTorch() throws {
        for c in try torchOrders() {
            let samples = TensorDataset(Tensor.arange(c.n), Tensor.arange(c.n))
            withGenerator(Generator(seed: c.seed)) {
                let loader = DataLoader(samples, batchSize: c.batch_size, shuffle: true)
                for (epoch, expected) in c.default_generator_epochs.enumerated() {
                    let seen = loader.flatMap { $0.0.toArray(as: Int.self) }
                    let same = seen == expected
                    #expect(same, "seed \(c.seed), n \(c.n), epoch \(epoch + 1): first \(seen.prefix(4)), PyTorch's \(expected.prefix(4))")
                }
            }
        }
    }

    @Test func randomSplitMatchesPyTorchForTheSameSeed() throws {
        for c in try torchOrders() {
            let parts = randomSplit(TensorDataset(Tensor.arange(c.n), Tensor.arange(c.n)), lengths: c.random_split.lengths,
                                    generator: Generator(seed: c.seed))
            let same = parts.map(\.indices) == c.random_split.indices
            #expect(same, "seed \(c.seed), n \(c.n)")
        }
    }
}
