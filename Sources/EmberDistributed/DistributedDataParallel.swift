// DistributedDataParallel: a module wrapper that keeps replicas in step by averaging gradients across ranks.
import Ember
import EmberNN

/// Data-parallel training over the ranks of a `ProcessGroup` (`torch.nn.parallel.DistributedDataParallel`).
///
/// At construction every rank checks that all ranks built the same model (names, shapes and dtypes of
/// parameters and buffers; otherwise every rank stops naming the first differing parameter), then copies rank 0's
/// parameters and buffers to every rank. During `backward()`, gradients are averaged across ranks in buckets of
/// about `bucketCapMB` megabytes (reverse parameter order); each bucket's all-reduce starts as soon as its
/// gradients are ready, and `backward()` returns with averaged `.grad`s. In training mode, each forward first
/// broadcasts rank 0's buffers (BatchNorm running statistics; `broadcastBuffers: true`, PyTorch's default).
///
/// ```swift
/// let group = try ProcessGroup.world()
/// let model = DistributedDataParallel(makeModel(), group: group)
/// let opt = SGD(model.parameters(), lr: 0.1)
/// loss(model(x), y).backward(); opt.step()      // same parameters on every rank
/// ```
///
/// Differences from PyTorch: without `findUnusedParameters`, a parameter that got no gradient stops the next forward
/// with its name (PyTorch's check); with it, a parameter no rank used ends with a zero `.grad` (PyTorch leaves it
/// `nil`); a forward with several outputs must be summed into one tensor before backward; after each synchronised
/// backward every float32/float64 `.grad` is a view of its slot in the bucket the all-reduce wrote (PyTorch's
/// `gradient_as_bucket_view=True`, not its default copy back), so a `.grad` kept past the next backward changes with
/// it; the all-reduces are MPI's (`MPI_Iallreduce`, driven by a progress thread), not a hand-written ring.
public final class DistributedDataParallel: Module {
    /// The wrapped model (`ddp.module`); parameter names carry PyTorch's `module.` prefix.
    public let module: Module
    /// The process group gradients are averaged over.
    public let group: ProcessGroup
    /// Broadcast rank 0's buffers before each training-mode forward.
    public let broadcastBuffers: Bool
    /// Search each forward's graph for parameters it does not use and reduce them as zeros.
    public let findUnusedParameters: Bool
    let reducer: GradientReducer

    /// Wraps `module`; every rank must call this with the same architecture. `bucketCapMB` (default 25, as
    /// PyTorch) bounds each gradient bucket. `overlap: false` leaves started all-reduces to progress only at the
    /// end of backward (for measuring what the overlap hides). `findUnusedParameters: true` walks each training
    /// forward's graph and marks the parameters it does not reach as ready (their gradient counts as zero on this
    /// rank), so models whose forward skips parameters do not stall the reduction.
    ///
    /// - Parameters:
    ///   - module: The model to replicate; every rank passes the same architecture.
    ///   - group: The processes that train together.
    ///   - bucketCapMB: The largest gradient bucket in MB (25, as PyTorch).
    ///   - broadcastBuffers: Broadcast rank 0's buffers (batch-norm statistics) before each forward.
    ///   - findUnusedParameters: Find the parameters a forward did not use, so their buckets are not waited for.
    ///   - overlap: Let all-reduces progress during backward (false: only at its end).
    public init(_ module: Module, group: ProcessGroup, bucketCapMB: Double = 25, broadcastBuffers: Bool = true,
                findUnusedParameters: Bool = false, overlap: Bool = true) {
        self.module = module
        self.findUnusedParameters = findUnusedParameters
        self.group = group
        self.broadcastBuffers = broadcastBuffers
        let params = module.namedParameters(), buffers = module.namedBuffers()
        group.checkSameTensors(params, what: "parameters")
        group.checkSameTensors(buffers, what: "buffers")
        group.broadcastCoalesced(params.map(\.1) + buffers.map(\.1), from: 0, op: "DistributedDataParallel parameter broadcast")
        reducer = GradientReducer(group: group, named: params, bucketCapBytes: Int(bucketCapMB * 1_048_576), overlap: overlap)
        super.init()
    }

    /// Runs the wrapped module, after broadcasting rank 0's buffers in training mode.
    public override func forward(_ input: Tensor) -> Tensor {
        reducer.checkPreviousIterationFinished()
        if training && broadcastBuffers && group.worldSize > 1 {
            let buffers = module.namedBuffers().map(\.1)
            if !buffers.isEmpty { group.broadcastCoalesced(buffers, from: 0, op: "DistributedDataParallel buffer broadcast") }
        }
        let output = module(input)
        if findUnusedParameters && training && GradMode.isEnabled { reducer.markUnreached(from: output) }
        return output
    }

    /// Runs `body` with gradient synchronisation off (`ddp.no_sync()`): backward passes inside accumulate
    /// local gradients only; the first backward after it averages everything accumulated.
    public func noSync<R>(_ body: () throws -> R) rethrows -> R {
        let previous = reducer.syncEnabled
        reducer.syncEnabled = false
        defer { reducer.syncEnabled = previous }
        return try body()
    }

    /// The byte size of each gradient bucket, in the order they are all-reduced.
    public var bucketSizes: [Int] { reducer.bucketBytes }

    /// Seconds the last synchronised backward waited for all-reduces after its last bucket started: the
    /// communication that computation did not hide.
    public var lastCommunicationWait: Double { reducer.lastWaitSeconds }
}
