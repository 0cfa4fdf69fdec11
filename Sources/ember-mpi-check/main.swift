// ember-mpi-check: distributed scenarios run by name under `mpirun`; exits non-zero on the first failure.
//
//   mpirun --allow-run-as-root --oversubscribe -np 2 ember-mpi-check <scenario> [arguments]
//
// Scenarios: collectives, equivalence, no-sync, batchnorm-buffers, sampler <zoo.json>, mismatch-allreduce,
// mismatch-model, killed-rank, stalled-rank, bench-allreduce [megabytes] [iterations],
// bench-train <lenet|resnet18> [batch per rank] [steps] [overlap|no-overlap]. EmberDistributedTests runs them.
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
case "bench-train": Scenarios.benchTrain(group, Array(arguments.dropFirst()))
case "bench-allreduce": Scenarios.benchAllReduce(group, megabytes: Double(arguments.dropFirst().first ?? "") ?? 25,
                                                 iterations: Int(arguments.dropFirst(2).first ?? "") ?? 20)
default:
    fail("unknown scenario '\(scenario)'")
}
if group.rank == 0 { print("ok: \(scenario) on \(group.worldSize) ranks") }
