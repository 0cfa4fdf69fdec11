// The one float32/float64 dispatch of the CPU backend: a kernel call generic over the element type.
import EmberKernels

/// A CPU kernel call written once for any element type; `DType.dispatchFloat` runs it with `Float` or `Double`.
/// (Swift closures cannot be generic, so each primitive is a small struct with a generic `callAsFunction`;
/// `dispatchFloat` is specialized per struct, so the kernels inside run fully specialized.)
protocol FloatKernelCall {
    associatedtype Result
    func callAsFunction<T: KernelFloat>(_: T.Type) -> Result
}

extension DType {
    /// Runs `call` with the Swift type of this dtype: `Float` for float32, `Double` for float64. The functional
    /// layer has already rejected other dtypes with the op's own message, so another dtype here is a
    /// programming error. (No fused primitive takes float16/bfloat16 today; they would run in float32 here.)
    @inline(__always)
    func dispatchFloat<Call: FloatKernelCall>(_ op: String, _ call: Call) -> Call.Result {
        switch self {
        case .float32: return call(Float.self)
        case .float64: return call(Double.self)
        default: emberFail(op, "expected a float32 or float64 tensor, but got \(self)")
        }
    }
}

extension Tensor {
    /// The typed pointer a CPU kernel reads (`pointer(as:)` immutable).
    @inline(__always)
    func readPointer<T>(_: T.Type) -> UnsafePointer<T> { UnsafePointer(pointer(as: T.self)) }

    /// A new uninitialised contiguous tensor like this one's dtype and device (the backends' output buffers).
    func emptyLike(shape: [Int], dtype: DType? = nil) -> Tensor {
        Tensor(empty: shape, dtype: dtype ?? self.dtype, device: device)
    }
}
