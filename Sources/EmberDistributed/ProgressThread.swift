// ProgressThread: drives outstanding non-blocking collectives while the caller computes.
import CMPI
import Foundation

/// One outstanding MPI request (the handle is only touched under the group's lock).
final class PendingRequest: @unchecked Sendable {
    var request: cmpi_request?
    var done = false
    let op: String
    init(_ request: cmpi_request?, op: String) {
        self.request = request
        self.op = op
        self.done = request == nil
    }
}

/// Open MPI advances a non-blocking collective (libnbc's schedule: send, receive, reduce, next round) only
/// inside MPI calls. Started by `MPI_Iallreduce` from a backward hook and left alone, a bucket's all-reduce would
/// mostly run at the final wait, hiding nothing. This thread calls `MPI_Test` on the outstanding requests every
/// `EMBER_DDP_PROGRESS_US` microseconds (default 50; under the group's lock: MPI runs with
/// `MPI_THREAD_SERIALIZED`) and sleeps when there are none, so the all-reduces progress while backward computes
/// the next buckets' gradients.
///
/// Measured on 2 ranks × 1 thread (ResNet-18, 3 buckets; see docs/ARCHITECTURE.md): the 50 µs thread costs no more
/// CPU per step than leaving the all-reduces to the final wait, and hides most of them; testing only from the
/// backward hooks (every ~1–3 ms, between parameters) or every 500 µs left 5–7× more wait after backward.
final class ProgressThread: @unchecked Sendable {
    private let group: ProcessGroup
    private let condition = NSCondition()
    private var pending: [PendingRequest] = []
    private var thread: Thread?
    /// Microseconds between the thread's rounds of `MPI_Test` (0: no thread; the all-reduces progress only in `wait`).
    private let interval: UInt32

    init(group: ProcessGroup) {
        self.group = group
        let setting = ProcessInfo.processInfo.environment["EMBER_DDP_PROGRESS_US"]
        interval = setting.map { UInt32($0) ?? 50 } ?? 50
        if let setting, UInt32(setting) == nil {
            FileHandle.standardError.write(Data("EmberDistributed: EMBER_DDP_PROGRESS_US=\(setting) is not a number of microseconds (0 or more); using 50\n".utf8))
        }
    }

    /// Tests every outstanding request once, and forgets the finished ones.
    private func poll() {
        condition.lock()
        let snapshot = pending
        condition.unlock()
        var finished = false
        for p in snapshot {
            group.lock.lock()
            if !p.done {
                var flag: Int32 = 0
                let rc = cmpi_test(&p.request, &flag)
                if rc != 0 { failMPI(p.op, rank: group.rank, code: rc) }
                if flag != 0 { p.done = true; finished = true }
            } else {
                finished = true
            }
            group.lock.unlock()
        }
        if finished {
            condition.lock()
            pending.removeAll { $0.done }
            condition.unlock()
        }
    }

    /// Hands `request` to the thread (with `EMBER_DDP_PROGRESS_US=0`, leaves it to `wait`).
    func submit(_ p: PendingRequest) {
        guard interval > 0 else { return }
        condition.lock()
        pending.append(p)
        if thread == nil {
            let t = Thread { [unowned self] in self.loop() }
            t.name = "ember-mpi-progress"
            thread = t
            t.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            condition.unlock()
            poll()
            usleep(interval)
        }
    }

    /// Waits for `p` on the calling thread (testing it too, so the wait does not depend on the thread's
    /// polling interval), stopping the process when it takes longer than the group's timeout.
    func wait(_ p: PendingRequest) {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0, sleeping = false
        while true {
            group.lock.lock()
            if !p.done {
                var flag: Int32 = 0
                let rc = cmpi_test(&p.request, &flag)
                if rc != 0 { failMPI(p.op, rank: group.rank, code: rc) }
                if flag != 0 { p.done = true }
            }
            let done = p.done
            group.lock.unlock()
            if done { return }
            spins += 1
            if spins & 255 == 0,
               Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 > group.timeout {
                distributedAbort("\(p.op) on rank \(group.rank) did not complete within \(Int(group.timeout)) s: another rank died, "
                                 + "hangs, or stopped training (EMBER_DISTRIBUTED_TIMEOUT sets the limit)")
            }
            // Spin for the first few milliseconds (the waits of a small model's step end there), then sleep between
            // tests: a long spinning wait takes the core from the progress thread and, when ranks share cores, from
            // the peer rank. Measured at load average 14–16, 2 ranks × 1 thread, three alternating rounds: rank 0
            // used 167–413 ms of CPU per ResNet-18 step spinning, 151–161 ms sleeping after 1000 tests (the step
            // alone: 111–131 ms), and the job trained 90–94 vs 94–115 samples/s; but sleeping that early made
            // LeNet's steps 15–25% slower at load 7–9, where each wake-up waits for a core. Spinning 5 ms first, at
            // load 12 (three rounds against the session's starting code): LeNet 4,365–5,511 vs 4,032–5,203
            // samples/s, ResNet-18 103–119 vs 35–86.
            if spins & 63 == 0, DispatchTime.now().uptimeNanoseconds - start > 5_000_000 { sleeping = true }
            if sleeping { usleep(20) }
        }
    }
}
