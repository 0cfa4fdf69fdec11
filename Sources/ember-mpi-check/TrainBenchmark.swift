// bench-train: samples per second of DistributedDataParallel training steps, and the communication not hidden.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberVision
import EmberDistributed

extension Scenarios {
    /// `bench-train <lenet|resnet18> <per-rank batch> <steps> [overlap|no-overlap] [bucket cap MB]`: times `steps` SGD steps
    /// (after 3 warm-up steps) of the model wrapped in DistributedDataParallel on random data, and prints on
    /// rank 0 the samples per second of the whole job and the mean wait for all-reduces after backward.
    static func benchTrain(_ g: ProcessGroup, _ args: [String]) {
        let name = args.first ?? "lenet"
        let batch = args.count > 1 ? Int(args[1]) ?? 64 : 64
        let steps = args.count > 2 ? Int(args[2]) ?? 10 : 10
        let overlap = !(args.count > 3 && args[3] == "no-overlap")
        let capMB = args.count > 4 ? Double(args[4]) ?? 25 : 25
        manualSeed(0)
        let (model, input): (Module, [Int]) = name == "resnet18" ? (ResNet18(numClasses: 10), [batch, 3, 32, 32])
                                                                : (lenet(), [batch, 1, 28, 28])
        let ddp = DistributedDataParallel(model, group: g, bucketCapMB: capMB, overlap: overlap)
        let opt = SGD(ddp.parameters(), lr: 0.01)
        let x = Tensor.randn(input), y = Tensor.randint(low: 0, high: 10, shape: [batch])
        func step() {
            opt.zeroGrad()
            F.crossEntropy(ddp(x), y).backward()
            opt.step()
        }
        for _ in 0..<3 { step() }
        g.barrier()
        var wait = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps {
            step()
            wait += ddp.lastCommunicationWait
        }
        g.barrier()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if g.rank == 0 {
            let mb = Double(ddp.bucketSizes.reduce(0, +)) / 1e6
            print(String(format: "bench-train %@ ranks=%d threads=%@ batch/rank=%d overlap=%@: %.1f samples/s, %.2f ms/step, "
                         + "wait after backward %.2f ms/step, %.1f MB gradients in %d buckets",
                         name, g.worldSize, ProcessInfo.processInfo.environment["EMBER_NUM_THREADS"] ?? "default", batch,
                         overlap ? "yes" : "no", Double(batch * g.worldSize * steps) / seconds, seconds / Double(steps) * 1000,
                         wait / Double(steps) * 1000, mb, ddp.bucketSizes.count))
        }
    }
}
