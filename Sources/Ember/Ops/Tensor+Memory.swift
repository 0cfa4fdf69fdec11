// Sharing memory with Swift code: scoped access to a tensor's elements and tensors over memory the caller owns
// (the notes' `b = a.numpy(); a += 1` changes `b`).

extension Tensor {
    /// Calls `body` with the elements of this contiguous tensor as a buffer of `T`, without copying: writes
    /// through the buffer change the tensor (and every view of its storage), like writing into `a.numpy()`.
    ///
    /// `T` must be the Swift type of `dtype` (`Float` for float32, `Int64` for int64, ...). A non-contiguous
    /// tensor stops with a message: call `.contiguous()` first (which copies). Writes are not seen by autograd;
    /// as in PyTorch, do not modify tensors that are part of a graph this way.
    ///
    /// ```swift
    /// let a = Tensor.zeros([3])
    /// a.withUnsafeMutableBufferPointer(as: Float.self) { p in p[1] = 5 }
    /// print(a)   // tensor([0., 5., 0.])
    /// ```
    public func withUnsafeMutableBufferPointer<T: TensorElement, R>(as type: T.Type,
                                                                  _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        checkMemoryAccess(T.self, "withUnsafeMutableBufferPointer")
        bumpVersion()
        return try body(UnsafeMutableBufferPointer(start: pointer(as: T.self), count: numel))
    }

    /// Calls `body` with the elements of this contiguous tensor as a read-only buffer of `T`, without copying.
    /// Same rules as `withUnsafeMutableBufferPointer(as:_:)`.
    public func withUnsafeBufferPointer<T: TensorElement, R>(as type: T.Type,
                                                           _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        checkMemoryAccess(T.self, "withUnsafeBufferPointer")
        return try body(UnsafeBufferPointer(start: pointer(as: T.self), count: numel))
    }

    private func checkMemoryAccess<T: TensorElement>(_ type: T.Type, _ op: String) {
        emberCheck(device == .cpu, op, "the tensor is on \(device); only CPU memory can be seen from Swift")
        emberCheck(T.dtype == dtype, op,
                   "the tensor is \(dtype), not \(T.dtype): pass the matching element type")
        emberCheck(isContiguous, op,
                   "the tensor of shape \(shapeString(shape)) with strides \(strides) is not contiguous; call .contiguous() first (it copies)")
    }

    /// A tensor over `buffer`'s memory, without copying (`torch.from_numpy`): writes to either side are seen by
    /// the other. The caller keeps the memory alive and valid as long as the tensor (and any view of it) is used;
    /// `owner`, when given, is retained by the tensor for that purpose.
    ///
    /// ```swift
    /// var values: [Float] = [1, 2, 3, 4]
    /// values.withUnsafeMutableBufferPointer { p in
    ///     let t = Tensor(sharing: p, shape: [2, 2])
    ///     t += 1          // values is now [2, 3, 4, 5]
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - buffer: The elements to share; they are not copied.
    ///   - shape: The sizes of the result's dimensions.
    ///   - owner: An object kept alive as long as the tensor, which owns the buffer.
    public convenience init<T: TensorElement>(sharing buffer: UnsafeMutableBufferPointer<T>, shape: [Int], owner: AnyObject? = nil) {
        guard let n = ShapeArithmetic.elementCount(shape) else { emberFail("from_buffer", "shape \(shapeString(shape)) is invalid") }
        emberCheck(n == buffer.count, "from_buffer", "a buffer of \(buffer.count) elements cannot be viewed as shape \(shapeString(shape))")
        // An empty buffer may have no address; nothing is ever read through it.
        let raw = buffer.baseAddress.map { UnsafeMutableRawPointer($0) } ?? UnsafeMutableRawPointer(bitPattern: 64)!
        self.init(storage: Storage(borrowing: raw, byteCount: n * MemoryLayout<T>.stride, owner: owner),
                  shape: shape, strides: Tensor.contiguousStrides(shape), dtype: T.dtype)
    }
}
