// ThreadPool: the library's one pool of persistent worker threads, with low wake-up latency.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CEmberKernels

/// One pool of worker threads for the whole library; big kernels split their work over it.
///
/// It plays the role of PyTorch's intra-op thread pool (`torch.set_num_threads`). The pool has
/// `threadCount - 1` persistent workers; the calling thread runs chunks too. Workers spin briefly after
/// each job before sleeping on a condition variable, so the thousands of small parallel loops of a
/// training step do not each pay a full thread wake-up. Chunks go to whichever thread is free first, so a
/// worker the OS is slow to schedule (other processes on the same cores) cannot stall the caller.
///
/// The thread count is the number of cores this process may run on; the environment variable
/// `EMBER_NUM_THREADS` overrides it (read once, at first use).
/// ```swift
/// ThreadPool.shared.parallelFor(rows, minChunk: 64) { range in
///     for i in range { process(row: i) }
/// }
/// ```
public final class ThreadPool: @unchecked Sendable {
    /// The process-wide pool, created at first use.
    public static let shared = ThreadPool(threadCount: ThreadPool.defaultThreadCount())

    /// The one threading threshold for elementwise work (core's strided loops and reductions, `VectorMath`'s
    /// contiguous ops): above this many elements the work is split over `shared`, below it stays on the
    /// caller's thread, where a wake-up (a few µs) would cost more than it saves.
    ///
    /// Two thresholds count other things and stay separate: the GEMM driver's `parallelLimit` counts
    /// multiply-adds (m·n·k), and `VectorMath.sum` keeps its own split (above 100,000 elements, slices of at
    /// least 50,000) because the number of slices changes how a float32 sum rounds.
    /// (Computed and `@inlinable` so callers in other modules fold them as constants.)
    @inlinable public static var parallelElementThreshold: Int { 1 << 16 }
    /// The smallest slice of elementwise work handed to another thread.
    @inlinable public static var minParallelChunk: Int { 1 << 15 }
    /// The least work (elements touched, or multiply-adds for a task's inner loops) worth one task in the NN
    /// kernels' splits (im2col, convolution, pooling, normalization): their `minChunk` is this over the work per item.
    @inlinable public static var minTaskWork: Int { 1 << 14 }

    /// A pool without workers: `parallelFor` runs the whole range inline on the caller. For kernels that
    /// take a pool and are too small to be worth splitting.
    static let serial = ThreadPool(threadCount: 1)

    /// Number of threads that run chunks of a `parallelFor`, counting the caller's thread.
    public var threadCount: Int { count }

    private let count: Int
    // Shared words, read and written with the C atomics:
    //   [0] job word  = generation << 16 | chunk count (a new value announces a job),
    //   [1] chunks not yet finished, [2] items in the job, [3] address of the job's body,
    //   [4] claim word = generation << 16 | next unclaimed chunk.
    // Chunks are claimed, not assigned: whoever is free (the caller included) takes the next one, so a
    // worker that the OS has not scheduled yet (2 cores shared with other processes) delays nothing —
    // the caller runs its chunks too. The generation in the claim word stops a late worker from
    // claiming a chunk of a newer job with an older job's chunk count.
    private let words: UnsafeMutablePointer<Int>
    private let wakeMutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeCond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let doneMutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let doneCond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Held by whoever is submitting a job; a failed trylock means "nested or concurrent call: run inline".
    private let submitMutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// Spin iterations (each a CPU `pause`) before a waiting thread goes to sleep; about 50–100 µs.
    private static let spinLimit = 4000

    private typealias Body = (Range<Int>) -> Void

    /// Creates a pool that runs chunks on `threadCount` threads (the caller plus `threadCount - 1` workers).
    /// Use `ThreadPool.shared` rather than making more pools: pools compete for the same cores, and a
    /// pool's workers live (mostly asleep) until the process ends.
    public init(threadCount: Int) {
        count = max(1, threadCount)
        words = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        words.initialize(repeating: 0, count: 8)
        for m in [wakeMutex, doneMutex, submitMutex] { pthread_mutex_init(m, nil) }
        for c in [wakeCond, doneCond] { pthread_cond_init(c, nil) }
        for _ in 1..<count { startWorker() }
    }

    /// Splits `0..<count` into at most `threadCount` contiguous chunks of at least `minChunk` items and
    /// runs `body` on each, the caller's thread taking one (or more, if workers are late); returns when
    /// every chunk is done.
    ///
    /// Runs `body(0..<count)` inline when there is only one chunk's worth of work, when called from inside
    /// a pool task (no nested parallelism, so no deadlock), or while another thread is using the pool.
    /// - Parameters:
    ///   - count: Number of items; chunks are ranges of item indices.
    ///   - minChunk: Smallest number of items worth handing to another thread.
    ///   - body: Work for one chunk. It runs concurrently on several threads and must not throw.
    public func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = min(self.count, count / max(1, minChunk))
        if chunks <= 1 || pthread_mutex_trylock(submitMutex) != 0 {
            body(0..<count)
            return
        }
        defer { pthread_mutex_unlock(submitMutex) }
        withoutActuallyEscaping(body) { escapable in
            var job: Body = escapable
            withUnsafeMutablePointer(to: &job) { jobPointer in
                run(jobPointer, count: count, chunks: chunks)
            }
        }
    }

    private func run(_ job: UnsafeMutablePointer<Body>, count: Int, chunks: Int) {
        let generation = (ember_atomic_load(words) >> 16) + 1
        words[2] = count
        words[3] = Int(bitPattern: UnsafeMutableRawPointer(job))
        ember_atomic_store(words + 1, chunks)
        ember_atomic_store(words + 4, generation << 16)
        pthread_mutex_lock(wakeMutex)
        ember_atomic_store(words, generation << 16 | chunks)
        pthread_cond_broadcast(wakeCond)
        pthread_mutex_unlock(wakeMutex)

        runChunks(generation: generation, chunks: chunks)

        var spins = 0
        while ember_atomic_load(words + 1) != 0 && spins < ThreadPool.spinLimit {
            ember_cpu_relax()
            spins += 1
        }
        if ember_atomic_load(words + 1) != 0 {
            pthread_mutex_lock(doneMutex)
            while ember_atomic_load(words + 1) != 0 { pthread_cond_wait(doneCond, doneMutex) }
            pthread_mutex_unlock(doneMutex)
        }
    }

    /// Claims and runs chunks of job `generation` until none is left.
    private func runChunks(generation: Int, chunks: Int) {
        while true {
            let claim = ember_atomic_load(words + 4)
            let index = claim & 0xFFFF
            guard claim >> 16 == generation, index < chunks else { return }
            guard ember_atomic_cas(words + 4, claim, claim + 1) != 0 else { continue }
            // A claimed, unfinished chunk keeps the job alive, so its fields are stable here.
            let count = words[2]
            let job = UnsafeMutableRawPointer(bitPattern: words[3])!.assumingMemoryBound(to: Body.self)
            ThreadPool.invoke(job, ThreadPool.chunk(index, of: chunks, count: count))
            if ember_atomic_add(words + 1, -1) == 0 {
                pthread_mutex_lock(doneMutex)
                pthread_cond_signal(doneCond)
                pthread_mutex_unlock(doneMutex)
            }
        }
    }

    // Not inlined so that any retain/release of the closure context finishes before the chunk is reported
    // done: `withoutActuallyEscaping` traps if the caller's closure is still referenced when it returns.
    @inline(never)
    private static func invoke(_ job: UnsafeMutablePointer<Body>, _ range: Range<Int>) {
        job.pointee(range)
    }

    @inline(__always)
    private static func chunk(_ index: Int, of chunks: Int, count: Int) -> Range<Int> {
        (index * count / chunks)..<((index + 1) * count / chunks)
    }

    /// Body of a worker: wait (spinning, then sleeping) for a new job word, then help claim its chunks.
    private func workerLoop() {
        var seen = 0
        while true {
            var word = ember_atomic_load(words)
            var spins = 0
            while word == seen && spins < ThreadPool.spinLimit {
                ember_cpu_relax()
                spins += 1
                word = ember_atomic_load(words)
            }
            if word == seen {
                pthread_mutex_lock(wakeMutex)
                while true {
                    word = ember_atomic_load(words)
                    if word != seen { break }
                    pthread_cond_wait(wakeCond, wakeMutex)
                }
                pthread_mutex_unlock(wakeMutex)
            }
            seen = word
            runChunks(generation: word >> 16, chunks: word & 0xFFFF)
        }
    }

    private func startWorker() {
        // The worker keeps its pool alive: pools are meant to live for the whole process.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        #if canImport(Darwin)
        let entry: @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = { raw in
            Unmanaged<ThreadPool>.fromOpaque(raw).takeUnretainedValue().workerLoop()
            return nil
        }
        #else
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
            Unmanaged<ThreadPool>.fromOpaque(raw!).takeUnretainedValue().workerLoop()
            return nil
        }
        #endif
        let status = pthread_create(&thread, nil, entry, context)
        kernelCheck(status == 0, "ThreadPool: pthread_create failed with error \(status)")
        pthread_detach(thread)
    }

    /// `EMBER_NUM_THREADS` if set to a positive integer, else the number of cores this process may use.
    static func defaultThreadCount() -> Int {
        if let raw = getenv("EMBER_NUM_THREADS"), let n = Int(String(cString: raw)), n > 0 {
            return min(n, 0xFFFF)
        }
        return max(1, Int(ember_active_cores()))
    }
}
