// bench-train: samples per second of DistributedDataParallel training steps, and the communication not hidden.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberVision
import EmberDistributed

extension Scenarios {
    /// `bench-train <lenet|resnet18> <per-rank batch> <steps> [overlap|no-overlap|local] [bucket cap MB] [image size]`:
    /// times `steps` SGD steps (after 3 warm-up steps) of the model wrapped in DistributedDataParallel on random
    /// data, and prints on rank 0 the samples per second of the whole job and the mean wait for all-reduces after
    /// backward. `local` trains each rank's model alone (no DistributedDataParallel, no communication): the
    /// ceiling that ranks sharing the machine's cores and memory can reach. ResNet-18 takes `image size`² images
    /// (32 by default; 224 is its ImageNet size). Rank 0's CPU time per step (all its threads, user + system) shows
    /// what communication costs the cores even when a loaded machine makes wall-clock times noisy.
    static func benchTrain(_ g: ProcessGroup, _ args: [String]) {
        let name = args.first ?? "lenet"
        let batch = args.count > 1 ? Int(args[1]) ?? 64 : 64
        let steps = args.count > 2 ? Int(args[2]) ?? 10 : 10
        let mode = args.count > 3 ? args[3] : "overlap"
        guard ["overlap", "no-overlap", "local"].contains(mode) else { fail("bench-train: mode '\(mode)' is not overlap, no-overlap or local") }
        let capMB = args.count > 4 ? Double(args[4]) ?? 25 : 25
        let side = args.count > 5 ? Int(args[5]) ?? 32 : 32
        manualSeed(0)
        let (model, input): (Module, [Int]) = name == "resnet18" ? (ResNet18(numClasses: 10), [batch, 3, side, side])
                                                                : (lenet(), [batch, 1, 28, 28])
        let ddp = mode == "local" ? nil : DistributedDataParallel(model, group: g, bucketCapMB: capMB, overlap: mode == "overlap")
        let net = ddp ?? model
        let opt = SGD(net.parameters(), lr: 0.01)
        let x = Tensor.randn(input), y = Tensor.randint(low: 0, high: 10, shape: [batch])
        func step() {
            opt.zeroGrad()
            F.crossEntropy(net(x), y).backward()
            opt.step()
        }
        for _ in 0..<3 { step() }
        g.barrier()
        var wait = 0.0
        let cpuStart = processCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps {
            step()
            wait += ddp?.lastCommunicationWait ?? 0
        }
        let cpu = processCPUSeconds() - cpuStart
        g.barrier()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if g.rank == 0 {
            let buckets = ddp?.bucketSizes ?? []
            print(String(format: "bench-train %@ %dpx ranks=%d threads=%@ batch/rank=%d mode=%@: %.1f samples/s, %.2f ms/step, "
                         + "wait after backward %.2f ms/step, rank 0 CPU %.2f ms/step, %.1f MB gradients in %d buckets",
                         name, input[2], g.worldSize, ProcessInfo.processInfo.environment["EMBER_NUM_THREADS"] ?? "default", batch,
                         mode, Double(batch * g.worldSize * steps) / seconds, seconds / Double(steps) * 1000,
                         wait / Double(steps) * 1000, cpu / Double(steps) * 1000, Double(buckets.reduce(0, +)) / 1e6, buckets.count))
        }
    }
}

/// User + system CPU seconds of this process so far (every thread).
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
