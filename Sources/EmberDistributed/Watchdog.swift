// Watchdog: bounds the time any blocking MPI call may take, from a thread of its own.
import Foundation

/// A thread that wakes every 100 ms and, when the blocking collective armed by the calling thread has run
/// longer than its limit, prints which collective on which rank and ends the process (status 70; `mpirun` then
/// stops the other ranks). Blocking MPI calls cannot time out by themselves, and the non-blocking forms that can
/// be polled are slower for a lone collective (Open MPI's libnbc schedules vs. its tuned algorithms), so
/// collectives call the blocking forms under `armed(...)`.
final class Watchdog: @unchecked Sendable {
    private let condition = NSCondition()
    private var deadline: UInt64 = 0        // 0: disarmed
    private var message = ""
    private var thread: Thread?

    /// Runs `body` with the watchdog armed for `seconds`.
    func armed<R>(_ seconds: Double, _ message: @autoclosure () -> String, _ body: () -> R) -> R {
        condition.lock()
        self.message = message()
        deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        if thread == nil {
            let t = Thread { [unowned self] in self.loop() }
            t.name = "ember-mpi-watchdog"
            thread = t
            t.start()
        }
        condition.unlock()
        defer { condition.lock(); deadline = 0; condition.unlock() }
        return body()
    }

    private func loop() {
        while true {
            usleep(100_000)
            condition.lock()
            let expired = deadline != 0 && DispatchTime.now().uptimeNanoseconds > deadline
            let text = message
            condition.unlock()
            if expired { distributedAbort(text) }
        }
    }
}
