// The distributed scenarios: collectives on every dtype, DDP equivalence with single-process training,
// gradient accumulation, BatchNorm buffers, the sampler golden, and an all-reduce benchmark.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberData
import EmberDistributed

enum Scenarios {
    static func collectives(_ g: ProcessGroup) {
        let n = g.worldSize, r = Double(g.rank)
        let sumOfRanks = Double(n * (n - 1) / 2)
        for dtype in [DType.float32, .float64, .float16, .bfloat16, .int64, .int32, .int16, .int8, .uint8] {
            // sum: rank r contributes (i + r); the sum is n*i + sum(ranks).
            let t = (Tensor.arange(6).to(.float64) + r).to(dtype).reshape(2, 3)
            g.allReduce(t, op: .sum)
            let expected = (Tensor.arange(6).to(.float64) * Double(n) + sumOfRanks).reshape(2, 3)
            check(t.dtype == dtype && t.shape == [2, 3], "allReduce changed dtype or shape")
            check(maxRelativeError(t.to(.float64), expected) == 0, "allReduce sum \(dtype): \(t.scalars) vs \(expected.scalars)")
            let m = (Tensor.arange(6).to(.float64) * (r + 1)).to(dtype)
            g.allReduce(m, op: .max)
            check(maxRelativeError(m.to(.float64), Tensor.arange(6).to(.float64) * Double(n)) == 0, "allReduce max \(dtype): \(m.scalars)")
            if dtype.isFloatingPoint {
                let a = (Tensor.ones([5]).to(.float64) * (r + 1)).to(dtype)
                g.allReduce(a, op: .mean)
                let mean = Double(n + 1) / 2
                check(a.scalars.allSatisfy { $0 == mean }, "allReduce mean \(dtype): \(a.scalars), expected \(mean)")
            }
            // broadcast from the last rank
            let b = (Tensor.arange(4).to(.float64) + r * 10).to(dtype)
            g.broadcast(b, from: n - 1)
            check(b.scalars == (Tensor.arange(4).to(.float64) + Double(n - 1) * 10).scalars, "broadcast \(dtype): \(b.scalars)")
            // allGather: rank k's tensor is filled with k
            let parts = g.allGather((Tensor.ones([3]) * r).to(dtype))
            check(parts.count == n && parts.enumerated().allSatisfy { k, p in p.dtype == dtype && p.scalars == [Double(k), Double(k), Double(k)] },
                  "allGather \(dtype): \(parts.map(\.scalars))")
            // reduceScatter: input rows 0..<2n, rank k contributes (row + k); rank r receives rows 2r, 2r+1 summed.
            let input = (Tensor.arange(2 * n).to(.float64).reshape(2 * n, 1) + r).to(dtype)
            let out = g.reduceScatter(input)
            let want = [Double(2 * g.rank) * Double(n) + sumOfRanks, Double(2 * g.rank + 1) * Double(n) + sumOfRanks]
            check(out.shape == [2, 1] && out.scalars == want, "reduceScatter \(dtype): \(out.scalars) vs \(want)")
        }
        let metrics = g.allReduce([1.5, r], op: .sum)
        check(metrics == [1.5 * Double(n), sumOfRanks], "allReduce of numbers: \(metrics)")
        let flags = Tensor([g.rank == 0, false, true])
        g.allReduce(flags)
        check(flags.dtype == .bool && flags.scalars == [1, 0, 1], "allReduce bool: \(flags.scalars)")
        // A 0-element tensor is a no-op, and a non-contiguous one is refused (checked in tests as a message).
        g.allReduce(Tensor.zeros([0, 3]))
        g.barrier()
    }

    static func mlp() -> Module {
        Sequential { Linear(8, 16); Tanh(); Linear(16, 16); ReLU(); Linear(16, 3) }
    }

    /// 2 ranks with per-rank batch b equal 1 rank with batch 2b after k SGD steps (momentum), and every rank
    /// holds the same parameters.
    static func equivalence(_ g: ProcessGroup) {
        let b = 6, k = 4
        // Every rank builds the model from the same seed, then rank 0's values are broadcast anyway.
        manualSeed(1)
        let reference = mlp()
        manualSeed(Int(100 + g.rank))  // different local init: DDP must overwrite it from rank 0
        let local = mlp()
        if g.rank == 0 { _ = try! local.loadStateDict(reference.stateDict()) }
        let ddp = DistributedDataParallel(local, group: g, bucketCapMB: 0.0005)  // tiny buckets: several all-reduces
        check(ddp.bucketSizes.count > 1, "expected several buckets, got \(ddp.bucketSizes)")
        let opt = SGD(ddp.parameters(), lr: 0.1, momentum: 0.9)
        let refOpt = SGD(reference.parameters(), lr: 0.1, momentum: 0.9)
        let data = Ember.Generator(seed: 7)
        for _ in 0..<k {
            let x = Tensor.randn([b * g.worldSize, 8], generator: data)
            let y = Tensor.randn([b * g.worldSize, 3], generator: data)
            let mine = x.narrow(0, start: g.rank * b, length: b), target = y.narrow(0, start: g.rank * b, length: b)
            opt.zeroGrad()
            F.mseLoss(ddp(mine), target).backward()
            opt.step()
            refOpt.zeroGrad()
            F.mseLoss(reference(x), y).backward()
            refOpt.step()
        }
        var worst = 0.0
        for ((name, p), (_, q)) in zip(local.namedParameters(), reference.namedParameters()) {
            let e = maxRelativeError(p.detach(), q.detach())
            worst = max(worst, e)
            check(e <= 1e-5, "parameter \(name) differs from single-process training by \(e) (relative)")
            let copies = g.allGather(p.detach().contiguous())
            check(copies.allSatisfy { $0.scalars == copies[0].scalars }, "parameter \(name) differs between ranks")
        }
        if g.rank == 0 { print("equivalence: \(k) steps, batch \(b) x \(g.worldSize) ranks, max relative error \(worst)") }
    }

    /// Two backward passes, the first under `noSync`, average the accumulated gradients once.
    static func noSync(_ g: ProcessGroup) {
        manualSeed(3)
        let model = mlp()
        let ddp = DistributedDataParallel(model, group: g)
        let gen = Ember.Generator(seed: 11)
        let xs = (0..<2).map { _ in Tensor.randn([4 * g.worldSize, 8], generator: gen) }
        manualSeed(3)
        let reference = mlp()
        for x in xs { F.mseLoss(reference(x), Tensor.zeros([4 * g.worldSize, 3])).backward() }
        ddp.noSync {
            let x = xs[0].narrow(0, start: g.rank * 4, length: 4)
            F.mseLoss(ddp(x), Tensor.zeros([4, 3])).backward()
        }
        let local = model.parameters().map { $0.grad!.clone() }
        let x = xs[1].narrow(0, start: g.rank * 4, length: 4)
        F.mseLoss(ddp(x), Tensor.zeros([4, 3])).backward()
        for ((name, p), q) in zip(model.namedParameters(), reference.parameters()) {
            let e = maxRelativeError(p.grad!, q.grad!)
            check(e <= 1e-5, "accumulated gradient of \(name) differs by \(e)")
        }
        if g.worldSize > 1 {
            // The gradient after the first (unsynchronised) backward was local: ranks differ there.
            let copies = g.allGather(local[0])
            check(copies[0].scalars != copies[1].scalars, "noSync backward synchronised gradients")
        }
    }

    /// Each training forward first copies rank 0's BatchNorm buffers to every rank. With momentum 0 the forward
    /// leaves the running statistics as broadcast, so afterwards every rank holds rank 0's values.
    static func batchNormBuffers(_ g: ProcessGroup) {
        manualSeed(5)
        let model = Sequential { Linear(4, 6); BatchNorm1d(6, momentum: 0); ReLU(); Linear(6, 2) }
        let ddp = DistributedDataParallel(model, group: g)
        let stats = model.namedBuffers().filter { $0.1.dtype.isFloatingPoint }
        check(!stats.isEmpty, "no floating-point buffers")
        noGrad { for (_, t) in stats { t.fill_(Double(g.rank + 1)) } }   // ranks now disagree
        let x = Tensor.randn([8, 4], generator: Ember.Generator(seed: UInt64(20 + g.rank)))
        F.mseLoss(ddp(x), Tensor.zeros([8, 2])).backward()
        for (name, t) in stats {
            check(t.scalars.allSatisfy { $0 == 1 }, "buffer \(name) on rank \(g.rank) is \(t.scalars), expected rank 0's 1.0")
        }
    }

    /// Each rank checks its own shard of every golden case whose world size is this job's.
    static func sampler(_ g: ProcessGroup, zooPath: String) {
        guard let data = FileManager.default.contents(atPath: zooPath),
              let zoo = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = zoo["distributed_sampler"] as? [[String: Any]] else { fail("cannot read distributed_sampler from '\(zooPath)'") }
        var checked = 0
        for c in cases where (c["num_replicas"] as? Int) == g.worldSize && (c["rank"] as? Int) == g.rank {
            var s = DistributedSampler(datasetCount: c["n"] as! Int, numReplicas: g.worldSize, rank: g.rank,
                                       shuffle: c["shuffle"] as! Bool, seed: UInt64(c["seed"] as! Int), dropLast: c["drop_last"] as! Bool)
            s.setEpoch(c["epoch"] as! Int)
            check(Array(s) == c["indices"] as! [Int], "sampler case \(c) gave \(Array(s))")
            checked += 1
        }
        let total = Tensor([Int64(checked)])
        g.allReduce(total)
        check(total.scalars[0] > 0, "no golden case for a world of \(g.worldSize)")
        if g.rank == 0 { print("sampler: \(Int(total.scalars[0])) golden shards checked") }
    }

    /// Times an in-place float32 all-reduce of `megabytes` MB (median of `iterations`).
    static func benchAllReduce(_ g: ProcessGroup, megabytes: Double, iterations: Int) {
        let t = Tensor.ones([Int(megabytes * 1_000_000 / 4)])
        g.allReduce(t)  // warm-up
        var times: [Double] = []
        for _ in 0..<iterations {
            g.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            g.allReduce(t)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        if g.rank == 0 {
            let median = times[times.count / 2]
            print(String(format: "allreduce %.0f MB float32, %d ranks: median %.2f ms, min %.2f ms (%.2f GB/s algorithm bandwidth)",
                         megabytes, g.worldSize, median, times[0], megabytes / 1000 / (median / 1000)))
            print("median_s \(median / 1000)")
        }
    }
}
