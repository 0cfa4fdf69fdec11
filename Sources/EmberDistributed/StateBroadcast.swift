// StateBroadcast: copying a list of tensors from rank 0 to every rank in one coalesced broadcast.
import Ember

extension ProcessGroup {
    /// Copies rank `root`'s values of `tensors` into the same tensors on every rank, packed into one byte buffer
    /// (one broadcast instead of one per tensor, like PyTorch's `_broadcast_coalesced`). The ranks must pass
    /// tensors of the same shapes and dtypes (DistributedDataParallel checks this at construction); the total
    /// byte count is still checked, so a mismatch stops with a message rather than corrupting memory.
    func broadcastCoalesced(_ tensors: [Tensor], from root: Int = 0, op: String) {
        if worldSize == 1 || tensors.isEmpty { return }
        let sizes = tensors.map { $0.numel * $0.dtype.itemSize }
        let total = sizes.reduce(0, +)
        lock.lock()
        checkAgreement(op, Tensor(empty: [total], dtype: .uint8), extra: root)
        lock.unlock()
        if total == 0 { return }
        let packed = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
        defer { packed.deallocate() }
        var offset = 0
        if rank == root {
            for (t, n) in zip(tensors, sizes) {
                let c = t.isContiguous ? t : t.contiguous()
                packed.advanced(by: offset).copyMemory(from: c.rawPointer, byteCount: n)
                offset += n
            }
        }
        broadcastBytes(packed, count: total, from: root, op: op)
        if rank != root {
            offset = 0
            for (t, n) in zip(tensors, sizes) {
                if t.isContiguous {
                    t.rawPointer.copyMemory(from: packed.advanced(by: offset), byteCount: n)
                } else {
                    let c = Tensor(empty: t.shape, dtype: t.dtype)
                    c.rawPointer.copyMemory(from: packed.advanced(by: offset), byteCount: n)
                    noGrad { _ = t.detach().copy_(c) }
                }
                offset += n
            }
        }
    }
}
