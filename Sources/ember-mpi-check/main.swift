// ember-mpi-check: distributed scenarios run by name under `mpirun`; exits non-zero on the first failure.
//
//   mpirun --allow-run-as-root --oversubscribe -np 2 ember-mpi-check <scenario> [arguments]
//
// Scenarios: collectives, equivalence, no-sync, batchnorm-buffers, sampler <zoo.json>, mismatch-allreduce,
// mismatch-model, mismatch-dtype, unused-parameter, find-unused, killed-rank, stalled-rank, rank-fails-in-step,
// bench-allreduce [megabytes] [iterations],
// bench-train <lenet|resnet18> [batch per rank] [steps] [overlap|no-overlap|local] [bucket MB] [image size]. EmberDistributedTests
// runs the scenarios.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberData
import EmberDistributed

let arguments = Array(CommandLine.arguments.dropFirst())
guard let scenario = arguments.first else {
    FileHandle.standardError.write(Data("usage: ember-mpi-check <scenario> [arguments]\n".utf8))
    exit(64)
}
let group: ProcessGroup
do { group = try ProcessGroup.world() } catch {
    print("ember-mpi-check: \(error)")
    exit(77)  // "skipped"
}

switch scenario {
case "collectives": Scenarios.collectives(group)
case "equivalence": Scenarios.equivalence(group)
case "no-sync": Scenarios.noSync(group)
case "batchnorm-buffers": Scenarios.batchNormBuffers(group)
case "sampler": Scenarios.sampler(group, zooPath: arguments.count > 1 ? arguments[1] : "")
case "mismatch-allreduce":
    // Rank r passes r + 2 elements: every rank must stop naming the ranks that differ.
    group.allReduce(Tensor.ones([group.rank + 2]))
    fail("a mismatched allReduce returned")
case "mismatch-model":
    let width = group.rank == 0 ? 5 : 6
    _ = DistributedDataParallel(Sequential { Linear(4, 8); ReLU(); Linear(8, width) }, group: group)
    fail("mismatched models were accepted")
case "mismatch-dtype":
    // Same shape, different dtypes: the message names both.
    group.broadcast(Tensor.ones([3], dtype: group.rank == 0 ? .float32 : .float64))
    fail("a mismatched broadcast returned")
case "unused-parameter":
    // A parameter outside the loss leaves its bucket unreduced: the next forward stops naming it.
    let model = PartlyUsed()
    let ddp = DistributedDataParallel(model, group: group)
    for _ in 0..<2 { ddp(Tensor.ones([2, 4])).sum().backward() }
    fail("an unused parameter was not reported")
case "find-unused":
    // Rank 0 uses only `used`, rank 1 uses both layers: findUnusedParameters keeps the reduction in step, and
    // `unused` ends with rank 1's gradient halved (zero from rank 0), `used` with the average.
    let model = PartlyUsed()
    model.useBoth = group.rank == 1
    let ddp = DistributedDataParallel(model, group: group, findUnusedParameters: true)
    for _ in 0..<3 {
        ddp.zeroGrad()
        ddp(Tensor.ones([2, 4])).sum().backward()
    }
    let expectedUnused = group.worldSize == 2 ? 1.0 : 0.0   // d(sum)/d(bias) = 2 rows, averaged with 0 over 2 ranks
    check(model.unused.bias!.grad!.scalars.allSatisfy { $0 == expectedUnused }, "unused bias grad \(model.unused.bias!.grad!.scalars)")
    check(model.used.bias!.grad!.scalars.allSatisfy { $0 == 2 }, "used bias grad \(model.used.bias!.grad!.scalars)")
case "killed-rank":
    group.barrier()
    if group.rank == 1 { kill(getpid(), SIGKILL) }
    // Rank 0 waits for a peer that is gone: mpirun or the watchdog must end it.
    group.allReduce(Tensor.ones([4]))
    fail("allReduce with a dead rank returned")
case "stalled-rank":
    // Rank 1 stays away from the collective: rank 0's watchdog (EMBER_DISTRIBUTED_TIMEOUT) must stop it.
    group.barrier()
    if group.rank == 1 { sleep(60); exit(0) }
    group.allReduce(Tensor.ones([4]))
    fail("allReduce without its peer returned")
case "rank-fails-in-step":
    // Rank 1 throws in its third training step (as a sample that does not load would) while rank 0 goes on into
    // backward's all-reduce: `abortingOnError` must stop both at once with rank 1's message, not after the watchdog.
    manualSeed(2)
    let ddp = DistributedDataParallel(Scenarios.mlp(), group: group)
    let opt = SGD(ddp.parameters(), lr: 0.1)
    for step in 1...5 {
        group.abortingOnError("training step \(step)") {
            if group.rank == 1 && step == 3 { throw UnreadableSample() }
            opt.zeroGrad()
            F.mseLoss(ddp(Tensor.ones([4, 8])), Tensor.zeros([4, 3])).backward()
            opt.step()
        }
    }
    fail("a rank that failed in its step did not stop the job")
case "bench-train": Scenarios.benchTrain(group, Array(arguments.dropFirst()))
case "bench-allreduce": Scenarios.benchAllReduce(group, megabytes: Double(arguments.dropFirst().first ?? "") ?? 25,
                                                 iterations: Int(arguments.dropFirst(2).first ?? "") ?? 20)
default:
    fail("unknown scenario '\(scenario)'")
}
if group.rank == 0 { print("ok: \(scenario) on \(group.worldSize) ranks") }

/// A model whose `unused` layer takes no part in the output.
final class PartlyUsed: Module {
    let used = Linear(4, 2), unused = Linear(4, 2)
    var useBoth = false
    override func forward(_ x: Tensor) -> Tensor { useBoth ? used(x) + unused(x) : used(x) }
}

/// The error `rank-fails-in-step` throws on rank 1, as a dataset does for a file it cannot read.
struct UnreadableSample: Error, CustomStringConvertible {
    var description: String { "sample 17 (shard of rank 1) could not be read: /data/broken.png is not a PNG file" }
}
