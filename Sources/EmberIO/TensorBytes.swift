// Raw-byte views of tensors: the contiguous little-endian element bytes that files hold and checksums cover.
import Ember

extension Tensor {
    /// A contiguous tensor with the same values (self when already contiguous), never recorded by autograd.
    var contiguousDetached: Tensor {
        let d = detach()
        return d.isContiguous ? d : d.contiguous()
    }

    /// Calls `body` with the row-major element bytes (native order, which is little-endian on every
    /// platform Ember runs on).
    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let c = contiguousDetached
        return try body(UnsafeRawBufferPointer(start: c.rawPointer, count: c.numel * c.dtype.itemSize))
    }

    /// A new contiguous tensor holding a copy of `bytes` (exactly shape x itemsize of them).
    static func fromBytes(_ bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        if !bytes.isEmpty { t.rawPointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        return t
    }
}

#if _endian(big)
#error("EmberIO assumes a little-endian host: the file formats store little-endian data")
#endif
