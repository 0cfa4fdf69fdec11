// Collectives: allReduce, broadcast, allGather, reduceScatter and barrier on tensors, each checked across ranks first.
import CMPI
import Ember
import Foundation

/// How `allReduce` and `reduceScatter` combine the ranks' values (`torch.distributed.ReduceOp`).
public enum ReduceOp: Int, Sendable, CustomStringConvertible {
    /// Elementwise sum (logical OR for bool tensors).
    case sum
    /// Sum divided by the world size (`ReduceOp.AVG`); floating-point dtypes only.
    case mean
    /// Elementwise maximum (logical OR for bool tensors).
    case max

    public var description: String { ["sum", "mean", "max"][rawValue] }
}

/// What every rank passed to one collective, exchanged before the data so that disagreement stops with a
/// message naming the ranks instead of hanging or reducing mismatched buffers.
struct CollectiveDescriptor: Equatable {
    static let length = 12
    var words: [Int64]

    init(op: String, tensor: Tensor?, extra: Int = 0) {
        var w = [Int64](repeating: 0, count: Self.length)
        w[0] = Int64(truncatingIfNeeded: op.hashValueStable)
        if let t = tensor {
            w[1] = Int64(DType.allCases.firstIndex(of: t.dtype)! + 1)
            w[2] = Int64(t.rank)
            w[3] = Int64(t.numel)
            for (i, d) in t.shape.prefix(7).enumerated() { w[5 + i] = Int64(d) }
            // Dimensions past the seventh are folded into the last slot.
            if t.rank > 7 { w[11] = t.shape.dropFirst(6).reduce(Int64(17)) { $0 &* 31 &+ Int64($1) } }
        }
        w[4] = Int64(extra)
        self.words = w
    }
    init(words: ArraySlice<Int64>) { self.words = Array(words) }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: the same on every rank (Swift's `hashValue` is seeded per process).
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

extension ProcessGroup {
    // MARK: Public collectives

    /// Reduces `tensor` across all ranks in place (`dist.all_reduce`): afterwards every rank holds the sum,
    /// mean or maximum. `tensor` must be a contiguous CPU tensor with the same shape and dtype on every rank.
    ///
    /// Every dtype works: float16/bfloat16 are reduced in float32 and rounded back once (NCCL/Gloo reduce in
    /// the narrow type, so sums of many ranks can differ in the last bit); bool sum and max are logical OR;
    /// `.mean` is for floating-point tensors only. The write bypasses autograd, as in PyTorch.
    public func allReduce(_ tensor: Tensor, op: ReduceOp = .sum) {
        let name = "allReduce(\(op))"
        checkLayout(tensor, name)
        if op == .mean, !tensor.dtype.isFloatingPoint {
            emberFail("allReduce", "mean of a \(tensor.dtype) tensor: ReduceOp.mean needs a floating-point dtype")
        }
        lock.lock(); defer { lock.unlock() }
        checkAgreement(name, tensor)
        if tensor.numel == 0 { return }
        let (buffer, writeBack) = wireBuffer(tensor)
        let (type, mpiOp) = wireTypeAndOp(tensor.dtype, op)
        forEachChunk(count: buffer.numel, itemSize: buffer.dtype.itemSize) { offset, count in
            blocking(name) { cmpi_allreduce(nil, buffer.rawPointer + offset, count, type, mpiOp) }
        }
        if op == .mean { divideInPlace(buffer, by: worldSize) }
        writeBack()
    }

    /// Reduces Swift numbers across ranks (a float64 all-reduce of one element per value): for metrics such as a
    /// loss sum and a sample count, `let (loss, n) = group.allReduce([lossSum, count])`.
    public func allReduce(_ values: [Double], op: ReduceOp = .sum) -> [Double] {
        let t = Tensor(values)
        allReduce(t, op: op)
        return t.scalars
    }

    /// Copies rank `root`'s `tensor` into `tensor` on every other rank (`dist.broadcast`).
    public func broadcast(_ tensor: Tensor, from root: Int = 0) {
        emberCheck(root >= 0 && root < worldSize, "broadcast", "root \(root) is not a rank of a world of \(worldSize)")
        let name = "broadcast"
        checkLayout(tensor, name)
        lock.lock(); defer { lock.unlock() }
        checkAgreement(name, tensor, extra: root)
        if tensor.numel == 0 { return }
        let bytes = tensor.numel * tensor.dtype.itemSize
        forEachChunk(count: bytes, itemSize: 1) { offset, count in
            blocking(name) { cmpi_bcast(tensor.rawPointer + offset, count, CMPI_BYTE, Int32(root)) }
        }
    }

    /// Every rank's `tensor`, in rank order (`dist.all_gather`). Shapes and dtypes must agree.
    public func allGather(_ tensor: Tensor) -> [Tensor] {
        let name = "allGather"
        checkLayout(tensor, name)
        lock.lock(); defer { lock.unlock() }
        checkAgreement(name, tensor)
        let bytes = tensor.numel * tensor.dtype.itemSize
        let out = (0..<worldSize).map { _ in Tensor(empty: tensor.shape, dtype: tensor.dtype) }
        if bytes == 0 { return out }
        emberCheck(bytes <= Int(Int32.max), "allGather", "tensors of more than 2 GiB are not supported (\(bytes) bytes)")
        let all = UnsafeMutableRawPointer.allocate(byteCount: bytes * worldSize, alignment: 64)
        defer { all.deallocate() }
        blocking(name) { cmpi_allgather(tensor.rawPointer, Int32(bytes), all, Int32(bytes), CMPI_BYTE) }
        for (i, t) in out.enumerated() { t.rawPointer.copyMemory(from: all + i * bytes, byteCount: bytes) }
        return out
    }

    /// Reduces `input` across ranks and returns this rank's slice of the result along dimension 0
    /// (`dist.reduce_scatter_tensor`): `input.shape[0]` must be a multiple of the world size; rank r gets rows
    /// `r * n / worldSize ..< (r + 1) * n / worldSize`. Dtype rules as `allReduce`.
    public func reduceScatter(_ input: Tensor, op: ReduceOp = .sum) -> Tensor {
        let name = "reduceScatter(\(op))"
        checkLayout(input, name)
        emberCheck(input.rank >= 1 && input.shape[0] % worldSize == 0, "reduceScatter",
                   "input of shape \(input.shape): dimension 0 must be a multiple of the world size \(worldSize)")
        if op == .mean, !input.dtype.isFloatingPoint {
            emberFail("reduceScatter", "mean of a \(input.dtype) tensor: ReduceOp.mean needs a floating-point dtype")
        }
        lock.lock(); defer { lock.unlock() }
        checkAgreement(name, input)
        var outShape = input.shape
        outShape[0] /= worldSize
        let out = Tensor(empty: outShape, dtype: input.dtype)
        if out.numel == 0 { return out }
        let (send, _) = wireBuffer(input)
        let (recv, writeBack) = wireBuffer(out)
        emberCheck(send.numel <= Int(Int32.max), "reduceScatter", "more than 2^31 elements are not supported")
        let (type, mpiOp) = wireTypeAndOp(input.dtype, op)
        blocking(name) { cmpi_reduce_scatter_block(send.rawPointer, recv.rawPointer, Int32(recv.numel), type, mpiOp) }
        if op == .mean { divideInPlace(recv, by: worldSize) }
        writeBack()
        return out
    }

    /// Blocks until every rank has called `barrier` (`dist.barrier`).
    public func barrier() {
        lock.lock(); defer { lock.unlock() }
        checkAgreement("barrier", nil)
        blocking("barrier") { cmpi_barrier() }
    }

    // MARK: Checks

    /// Runs one blocking MPI call under the watchdog; an error code stops with the op's name and this rank.
    func blocking(_ op: String, _ call: () -> Int32) {
        let rc = watchdog.armed(timeout, "\(op) on rank \(rank) did not complete within \(Int(timeout)) s: another rank died, "
                                + "hangs, or is not calling \(op) (EMBER_DISTRIBUTED_TIMEOUT sets the limit)", call)
        if rc != 0 { failMPI(op, rank: rank, code: rc) }
    }

    func checkLayout(_ t: Tensor, _ op: String) {
        emberCheck(t.device == .cpu, op, "tensor is on \(t.device); collectives run on CPU tensors")
        emberCheck(t.isContiguous, op, "tensor of shape \(t.shape) with strides \(t.strides) is not contiguous; call .contiguous() first")
    }

    /// All-gathers the descriptor of this call (op, dtype, shape, extra) and stops, on every rank, when the
    /// ranks disagree — naming each rank that differs from rank 0 and what it passed.
    func checkAgreement(_ op: String, _ tensor: Tensor?, extra: Int = 0) {
        if worldSize == 1 { return }
        let mine = CollectiveDescriptor(op: op, tensor: tensor, extra: extra)
        let n = CollectiveDescriptor.length
        var all = [Int64](repeating: 0, count: n * worldSize)
        blocking(op) {
            mine.words.withUnsafeBufferPointer { src in
                all.withUnsafeMutableBufferPointer { dst in
                    cmpi_allgather(src.baseAddress, Int32(n), dst.baseAddress, Int32(n), CMPI_INT64)
                }
            }
        }
        let descriptors = (0..<worldSize).map { CollectiveDescriptor(words: all[($0 * n)..<($0 * n + n)]) }
        let differing = (1..<worldSize).filter { descriptors[$0] != descriptors[0] }
        if differing.isEmpty { return }
        let summary = ([0] + differing).map { "rank \($0): \(describe(descriptors[$0], mine: mine, myOp: op, myTensor: tensor, myExtra: extra))" }
        let who = differing.count == 1 ? "rank \(differing[0]) disagrees" : "ranks \(differing.map(String.init).joined(separator: ", ")) disagree"
        emberFail(op, "\(who) with rank 0 on \(op) "
                  + "(\(summary.joined(separator: "; ")))")
    }

    private func describe(_ d: CollectiveDescriptor, mine: CollectiveDescriptor, myOp: String, myTensor: Tensor?, myExtra: Int) -> String {
        let w = d.words
        let opText = w[0] == mine.words[0] ? myOp : "a different collective"
        guard w[1] > 0 else { return opText }
        let dtype = DType.allCases[Int(w[1]) - 1]
        let rank = Int(w[2])
        var shape = (0..<Swift.min(rank, 7)).map { String(w[5 + $0]) }
        if rank > 7 { shape.append("…") }
        var text = "\(opText) of [\(shape.joined(separator: ", "))] \(dtype)"
        if w[4] != 0 || myExtra != 0 { text += " (root \(w[4]))" }
        return text
    }

    // MARK: Wire formats

    /// The buffer MPI reads and writes for `t`, and how to copy it back: `t` itself, or a float32 copy for
    /// float16/bfloat16 (rounded back into `t` by the returned closure).
    func wireBuffer(_ t: Tensor) -> (Tensor, () -> Void) {
        guard t.dtype == .float16 || t.dtype == .bfloat16 else { return (t, {}) }
        let wide = noGrad { t.detach().to(.float32).contiguous() }
        return (wide, { noGrad { _ = t.detach().copy_(wide) } })
    }

    func wireTypeAndOp(_ dtype: DType, _ op: ReduceOp) -> (cmpi_dtype, cmpi_op) {
        let type: cmpi_dtype
        switch dtype {
        case .bool: return (CMPI_UINT8, CMPI_LOR)
        case .uint8: type = CMPI_UINT8
        case .int8: type = CMPI_INT8
        case .int16: type = CMPI_INT16
        case .int32: type = CMPI_INT32
        case .int64: type = CMPI_INT64
        case .float16, .bfloat16, .float32: type = CMPI_FLOAT
        case .float64: type = CMPI_DOUBLE
        }
        return (type, op == .max ? CMPI_MAX : CMPI_SUM)
    }

    /// Calls `body(byteOffset, count)` over pieces of at most 2^30 elements (MPI counts are 32-bit).
    func forEachChunk(count: Int, itemSize: Int, _ body: (Int, Int32) -> Void) {
        let step = 1 << 30
        var start = 0
        while start < count {
            let n = Swift.min(step, count - start)
            body(start * itemSize, Int32(n))
            start += n
        }
    }

    func divideInPlace(_ t: Tensor, by n: Int) {
        switch t.dtype {
        case .float32:
            let p = t.pointer(as: Float.self), s = Float(n)
            for i in 0..<t.numel { p[i] /= s }
        case .float64:
            let p = t.pointer(as: Double.self), s = Double(n)
            for i in 0..<t.numel { p[i] /= s }
        default:
            emberFail("allReduce", "mean of \(t.dtype)")
        }
    }
}

extension ProcessGroup {
    /// Starts a sum all-reduce of `buffer` (contiguous float32/float64, at most 2^31 elements) without waiting,
    /// skipping the agreement check: the caller guarantees every rank starts the same buffers in the same order
    /// (DistributedDataParallel checks the model once at construction). Finish it with `finish(_:op:)`.
    func startSumAllReduce(_ buffer: Tensor, op: String) -> cmpi_request? {
        emberCheck(buffer.numel <= Int(Int32.max), op, "buckets of more than 2^31 elements are not supported")
        let type: cmpi_dtype = buffer.dtype == .float64 ? CMPI_DOUBLE : CMPI_FLOAT
        lock.lock(); defer { lock.unlock() }
        var req: cmpi_request?
        let rc = cmpi_iallreduce(nil, buffer.rawPointer, Int32(buffer.numel), type, CMPI_SUM, &req)
        if rc != 0 { failMPI(op, rank: rank, code: rc) }
        return req
    }

    /// Broadcasts raw bytes from `root` without the agreement check (the caller checked sizes already).
    func broadcastBytes(_ pointer: UnsafeMutableRawPointer, count: Int, from root: Int, op: String) {
        lock.lock(); defer { lock.unlock() }
        forEachChunk(count: count, itemSize: 1) { offset, n in
            blocking(op) { cmpi_bcast(pointer + offset, n, CMPI_BYTE, Int32(root)) }
        }
    }
}
