// GradientReducer: DistributedDataParallel's gradient buckets, all-reduced as soon as each is ready in backward.
import CMPI
import Ember
import Foundation

/// Groups parameters into buckets of about `bucketCapBytes` (reverse parameter order, one dtype per bucket, the
/// first bucket at most 1 MB, as PyTorch's `Reducer`), and averages their gradients across ranks during backward.
///
/// A post-accumulate-grad hook on every parameter marks it ready; when every parameter of the next bucket in
/// order is ready, its gradients are copied into the bucket's flat buffer (divided by the world size) and an
/// `MPI_Iallreduce` starts. Buckets start strictly in index order on every rank, so the ranks' collectives
/// always match. When the last bucket has started, the reducer waits for all of them and points each `.grad` at
/// its averaged slot — before `backward()` returns.
final class GradientReducer {
    struct Bucket {
        var parameters: [Int]       // indices into `parameters`
        var offsets: [Int]          // element offset of each parameter in `flat`
        var flat: Tensor            // float32 (float16/bfloat16/float32 gradients) or float64
        var pending = 0             // parameters not yet ready in this backward
        var request: PendingRequest? = nil
    }

    let group: ProcessGroup
    let parameters: [Tensor]
    let names: [String]
    var buckets: [Bucket]
    var bucketOf: [Int]             // parameter index -> bucket index
    var ready: [Bool]
    /// Parameters the current forward did not reach (findUnusedParameters): reduced as zeros.
    var unused: [Bool]
    var nextToStart = 0
    var started = false             // some hook fired in the current backward
    var syncEnabled = true
    var hooks: [RemovableHandle] = []
    /// Drives started all-reduces during backward (nil: they progress only at the final wait).
    let progress: ProgressThread?
    /// Seconds spent waiting for all-reduces after the last bucket started (communication not hidden).
    private(set) var lastWaitSeconds = 0.0

    init(group: ProcessGroup, named: [(String, Tensor)], bucketCapBytes: Int, overlap: Bool) {
        self.group = group
        self.progress = overlap && group.worldSize > 1 ? group.progressThread : nil
        let trainable = named.filter { $0.1.requiresGrad }
        self.parameters = trainable.map(\.1)
        self.names = trainable.map(\.0)
        for (n, p) in trainable {
            emberCheck(p.dtype.isFloatingPoint, "DistributedDataParallel", "parameter '\(n)' is \(p.dtype); only floating-point parameters can be trained")
        }
        // Reverse order: gradients of the last layers arrive first in backward.
        var buckets: [Bucket] = []
        var current: [Int] = [], currentBytes = 0, currentType: DType? = nil
        func close() {
            guard let type = currentType, !current.isEmpty else { return }
            var offsets: [Int] = [], total = 0
            for i in current { offsets.append(total); total += trainable[i].1.numel }
            buckets.append(Bucket(parameters: current, offsets: offsets, flat: Tensor.zeros([total], dtype: type)))
            current = []; currentBytes = 0
        }
        for i in stride(from: trainable.count - 1, through: 0, by: -1) {
            let p = trainable[i].1
            let wire: DType = p.dtype == .float64 ? .float64 : .float32
            // The first bucket is capped at 1 MB (PyTorch's `_DEFAULT_FIRST_BUCKET_BYTES`), so communication starts
            // after the last layers' backward instead of waiting for 25 MB of gradients.
            let cap = buckets.isEmpty ? Swift.min(bucketCapBytes, 1_048_576) : bucketCapBytes
            if currentType != wire || currentBytes >= cap { close(); currentType = wire }
            current.append(i)
            currentBytes += p.numel * wire.itemSize
        }
        close()
        self.buckets = buckets
        var bucketOf = [Int](repeating: 0, count: trainable.count)
        for (b, bucket) in buckets.enumerated() { for i in bucket.parameters { bucketOf[i] = b } }
        self.bucketOf = bucketOf
        self.ready = [Bool](repeating: false, count: trainable.count)
        self.unused = [Bool](repeating: false, count: trainable.count)
        reset()
        for (i, p) in parameters.enumerated() {
            hooks.append(p.registerPostAccumulateGradHook { [weak self] _ in self?.markReady(i) })
        }
    }

    deinit { for h in hooks { h.remove() } }

    /// Bucket sizes in bytes, in launch order (for `DistributedDataParallel.bucketSizes`).
    var bucketBytes: [Int] { buckets.map { $0.flat.numel * $0.flat.dtype.itemSize } }

    func reset() {
        for b in buckets.indices { buckets[b].pending = buckets[b].parameters.count; buckets[b].request = nil }
        for i in ready.indices { ready[i] = false; unused[i] = false }
        nextToStart = 0
        started = false
    }

    /// Called before each forward: a backward that started reducing but did not finish means some parameters
    /// got no gradient (unused in the forward), which would leave the ranks' collectives out of step.
    func checkPreviousIterationFinished() {
        guard started else { return }
        let missing = ready.indices.filter { !ready[$0] }.map { names[$0] }
        emberFail("DistributedDataParallel", "Expected to have finished reduction in the prior iteration before starting a new one: "
                  + "parameters that did not receive a gradient: \(missing.prefix(10).joined(separator: ", "))"
                  + (missing.count > 10 ? " and \(missing.count - 10) more" : "")
                  + ". Every parameter must take part in the loss on every rank: pass findUnusedParameters: true to "
                  + "DistributedDataParallel, or freeze unused parameters with requiresGrad = false")
    }

    /// findUnusedParameters: walks the graph of `output` and marks every parameter it does not reach as ready
    /// (its bucket slot is reduced as zeros, so the ranks' collectives stay in step), as PyTorch's
    /// `prepare_for_backward` does.
    func markUnreached(from output: Tensor) {
        guard syncEnabled else { return }
        var reached = Set<ObjectIdentifier>()
        var seen = Set<ObjectIdentifier>()
        var stack: [GradFn] = output.gradFn.map { [$0] } ?? []
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            if let acc = node as? AccumulateGrad { reached.insert(ObjectIdentifier(acc.variable)) }
            for case let next? in node.nextFunctions { stack.append(next) }
        }
        for (i, p) in parameters.enumerated() where !reached.contains(ObjectIdentifier(p)) {
            unused[i] = true
            markReady(i)
        }
    }

    private func markReady(_ i: Int) {
        guard syncEnabled else { return }
        if ready[i] { return }
        ready[i] = true
        started = true
        let b = bucketOf[i]
        buckets[b].pending -= 1
        while nextToStart < buckets.count && buckets[nextToStart].pending == 0 {
            start(nextToStart)
            nextToStart += 1
        }
        if nextToStart == buckets.count { finishAll() }
    }

    private func start(_ b: Int) {
        let bucket = buckets[b]
        let scale = 1.0 / Double(group.worldSize)
        // One parameter at a time, the division right after the copy (while its gradient is in cache), instead of
        // a second pass over the whole bucket: the all-reduce's own memory traffic is most of what a step on shared
        // memory pays for communication.
        noGrad {
            for (i, offset) in zip(bucket.parameters, bucket.offsets) {
                let view = slot(i, offset, in: bucket)
                if let g = parameters[i].grad, !unused[i] {
                    if !isSameMemory(g, view) { _ = view.copy_(g) }
                    if group.worldSize > 1 { view *= scale }
                } else {
                    _ = view.zero_()
                }
            }
        }
        if group.worldSize > 1 {
            let op = "DistributedDataParallel gradient all-reduce (bucket \(b))"
            let p = PendingRequest(group.startSumAllReduce(bucket.flat, op: op), op: op)
            buckets[b].request = p
            progress?.submit(p)
        }
    }

    /// Parameter `i`'s slot in `bucket`'s flat buffer, shaped like the parameter.
    private func slot(_ i: Int, _ offset: Int, in bucket: Bucket) -> Tensor {
        let shape = parameters[i].shape
        return Tensor(storage: bucket.flat.storage, shape: shape, strides: Tensor.contiguousStrides(shape),
                      storageOffset: offset, dtype: bucket.flat.dtype)
    }

    /// True when `g` is exactly `view` (a `.grad` left as a bucket view and accumulated into in place).
    private func isSameMemory(_ g: Tensor, _ view: Tensor) -> Bool {
        g.storage === view.storage && g.storageOffset == view.storageOffset && g.dtype == view.dtype && g.isContiguous
    }

    private func finishAll() {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let waiter = progress ?? ProgressThread(group: group)
        for b in buckets.indices { if let p = buckets[b].request { waiter.wait(p) } }
        lastWaitSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        // The averages stay where the all-reduce wrote them: each `.grad` becomes a view of its bucket slot
        // (PyTorch's `gradient_as_bucket_view=True`), so nothing is copied back. float16/bfloat16 parameters,
        // reduced in float32, get their gradient rounded back into a tensor of their own dtype.
        noGrad {
            for bucket in buckets {
                for (i, offset) in zip(bucket.parameters, bucket.offsets) {
                    let p = parameters[i], view = slot(i, offset, in: bucket)
                    if p.dtype == view.dtype {
                        if let g = p.grad, isSameMemory(g, view) { continue }
                        p.grad = view
                    } else if let g = p.grad {
                        _ = g.copy_(view)
                    } else {
                        p.grad = view.to(p.dtype)
                    }
                }
            }
        }
        reset()
    }
}
