// Conversions: dtype casts, contiguous copies, clone, and export to Swift arrays and scalars.

import Foundation

extension Tensor {
    /// Converts to `dtype` (`x.to(torch.float64)`); returns self when the dtype already matches.
    /// Differentiable between floating types (`ToCopyBackward0`).
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(empty: shape, dtype: dtype)
        copyElements(from: self, into: out)
        if dtype.isFloatingPoint && self.dtype.isFloatingPoint {
            let srcType = self.dtype
            return record(out, "ToCopyBackward0", inputs: [self]) { g in [g.to(srcType)] }
        }
        return out
    }
    /// `to(.float32)`.
    public func float() -> Tensor { to(.float32) }
    /// `to(.float64)`.
    public func double() -> Tensor { to(.float64) }
    /// `to(.int64)`.
    public func long() -> Tensor { to(.int64) }
    /// `to(.int32)`.
    public func int() -> Tensor { to(.int32) }
    /// `to(.bool)`.
    public func bool() -> Tensor { to(.bool) }
    /// `to(.float16)`.
    public func half() -> Tensor { to(.float16) }

    /// A contiguous tensor with the same values: self if already contiguous, else a copy (`contiguous()`).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return clone()
    }

    /// A contiguous copy with its own storage (`clone()`); differentiable (`CloneBackward0`).
    public func clone() -> Tensor {
        let out = Tensor(empty: shape, dtype: dtype)
        copyElements(from: self, into: out)
        return record(out, "CloneBackward0", inputs: [self]) { g in [g] }
    }

    /// The single value of a one-element tensor, converted to `T` (`item()`).
    ///
    /// ```swift
    /// let loss: Double = l.item()
    /// let n = count.item(as: Int.self)
    /// ```
    public func item<T: TensorElement>(as type: T.Type = Double.self) -> T {
        emberCheck(numel == 1, "item", "a Tensor with \(numel) elements cannot be converted to Scalar")
        if dtype == .int64 || dtype == .int32 { return T(fromInt64: readInt64(atOffset: 0)) }
        return T(fromDouble: readScalar(atOffset: 0))
    }

    /// All elements in row-major order, converted to `T` (`tolist()` flattened): a copy, so later writes to the
    /// tensor do not show in the array (unlike `numpy()`; see `withUnsafeMutableBufferPointer(as:_:)` and
    /// `Tensor(sharing:shape:)` for memory shared with Swift code).
    public func toArray<T: TensorElement>(as type: T.Type = Float.self) -> [T] {
        let src = T.dtype == dtype ? contiguous() : { () -> Tensor in
            let c = Tensor(empty: shape, dtype: T.dtype)
            copyElements(from: self, into: c)
            return c
        }()
        let n = numel
        return [T](unsafeUninitializedCapacity: n) { buf, count in
            if n > 0 { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: src.rawPointer, byteCount: n * T.dtype.itemSize) }
            count = n
        }
    }

    /// All elements as Doubles, row-major (handy in tests and for printing).
    public var scalars: [Double] { toArray(as: Double.self) }

    // MARK: In-place writes (no autograd: used under noGrad or on tensors that do not require grad)

    /// Fills every element with `value` in place (`fill_`).
    @discardableResult
    public func fill_(_ value: Double) -> Tensor {
        checkInPlaceAllowed("fill_")
        if isContiguous && value == 0 && !(value.sign == .minus && dtype.isFloatingPoint) {
            // All-zero bits are 0 (and +0.0) in every dtype: one memset (zeros for grads and optimizer state).
            memset(rawPointer, 0, numel * dtype.itemSize)
        } else if isContiguous && dtype == .float32 {
            let p = pointer(as: Float.self), v = Float(value)
            for i in 0..<numel { p[i] = v }
        } else {
            copyElements(from: Tensor(scalar: value, dtype: dtype), into: self)
        }
        bumpVersion()
        return self
    }
    /// Fills with zeros in place (`zero_`).
    @discardableResult
    public func zero_() -> Tensor { fill_(0) }

    /// Copies `src` (broadcast, converted) into this tensor's memory (`copy_`).
    @discardableResult
    public func copy_(_ src: Tensor) -> Tensor {
        checkInPlaceAllowed("copy_", source: src)
        copyElements(from: src, into: self)
        bumpVersion()
        return self
    }

    /// Stops when an in-place write would corrupt autograd (a leaf that requires grad, outside noGrad), when
    /// `source` requires grad (Ember does not record in-place ops, so its gradient would be lost silently),
    /// or when several elements of self share one memory location (an `expand`ed tensor), as PyTorch does.
    func checkInPlaceAllowed(_ op: String, source: Tensor) {
        checkInPlaceAllowed(op)
        if GradMode.isEnabled && source.requiresGrad {
            emberFail(op, "writing a tensor that requires grad into another in place is not recorded by Ember's autograd; use the out-of-place form or write under noGrad { }")
        }
        for (size, stride) in zip(shape, strides) where size > 1 && stride == 0 {
            emberFail(op, "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.")
        }
    }

    /// Stops when a result of type `result` cannot be written into self (float into int, number into bool),
    /// with PyTorch's message (`torch.can_cast`).
    func checkCastable(_ result: DType, _ op: String) {
        if result.category > dtype.category {
            emberFail(op, "result type \(result.torchScalarTypeName) can't be cast to the desired output type \(dtype.torchScalarTypeName)")
        }
    }

    /// Stops when an in-place write would corrupt autograd: a leaf that requires grad, outside noGrad.
    func checkInPlaceAllowed(_ op: String) {
        if GradMode.isEnabled && requiresGradFlag && isLeaf {
            emberFail(op, "a leaf Variable that requires grad is being used in an in-place operation.")
        }
        if GradMode.isEnabled && requiresGradFlag && !isLeaf {
            emberFail(op, "in-place operations on tensors that are part of the autograd graph are not supported by Ember; use the out-of-place form")
        }
    }
}
