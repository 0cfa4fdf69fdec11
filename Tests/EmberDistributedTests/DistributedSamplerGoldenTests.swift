// DistributedSampler against PyTorch's index lists (zoo.json, `distributed_sampler`).
import Testing
import Foundation
import EmberDistributed
import _EmberTestSupport

@Suite struct DistributedSamplerGoldenTests {
    /// Every case of `distributed_sampler`; a case with a key this test does not know fails (the golden grew a
    /// parameter that the sampler must learn).
    @Test func matchesPyTorch() throws {
        let zoo = try loadGoldenJSON("zoo.json")
        let cases = try #require(zoo["distributed_sampler"] as? [[String: Any]], "zoo.json has no distributed_sampler list")
        #expect(!cases.isEmpty)
        let known: Set<String> = ["n", "num_replicas", "rank", "shuffle", "seed", "drop_last", "epoch", "indices"]
        for (i, c) in cases.enumerated() {
            let unknown = Set(c.keys).subtracting(known)
            #expect(unknown.isEmpty, "case \(i): unknown keys \(unknown.sorted())")
            guard let n = c["n"] as? Int, let replicas = c["num_replicas"] as? Int, let rank = c["rank"] as? Int,
                  let shuffle = c["shuffle"] as? Bool, let seed = c["seed"] as? Int, let dropLast = c["drop_last"] as? Bool,
                  let epoch = c["epoch"] as? Int, let expected = c["indices"] as? [Int] else {
                Issue.record("case \(i): malformed \(c)"); continue
            }
            var sampler = DistributedSampler(datasetCount: n, numReplicas: replicas, rank: rank, shuffle: shuffle,
                                             seed: UInt64(seed), dropLast: dropLast)
            sampler.setEpoch(epoch)
            #expect(Array(sampler) == expected, "case \(i): \(c.filter { $0.key != "indices" })")
            #expect(sampler.count == expected.count, "case \(i): count")
        }
    }

    /// The ranks' shards together cover the padded epoch exactly once.
    @Test func shardsPartitionThePaddedOrder() {
        for dropLast in [false, true] {
            let shards = (0..<3).map { DistributedSampler(datasetCount: 10, numReplicas: 3, rank: $0, shuffle: true, dropLast: dropLast).indices() }
            #expect(Set(shards.map(\.count)).count == 1)
            let all = shards.flatMap { $0 }
            #expect(all.count == (dropLast ? 9 : 12))
            #expect(Set(all).count == (dropLast ? 9 : 10))
        }
    }
}
