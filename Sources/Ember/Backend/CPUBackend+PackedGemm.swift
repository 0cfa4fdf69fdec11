// The CPU backend's GEMM with a pre-packed B operand (the recurrent node's repeated products).
import EmberKernels

extension CPUBackend {
    public func gemmPackedPanelWidth(_ dtype: DType, rowsOfA m: Int) -> Int? {
        switch dtype {
        case .float32: return Gemm.sgemmPacksRowMajorB(m: m) ? Gemm.sgemmPanelWidth : nil
        case .float64: return Gemm.dgemmPacksRowMajorB(m: m) ? Gemm.dgemmPanelWidth : nil
        default: return nil
        }
    }

    public func gemm(_ a: Tensor, packed: PackedGemmOperand, into c: Tensor, beta: Double) {
        a.dtype.dispatchFloat("recurrent GEMM", PackedProduct(a: a, packed: packed, c: c, beta: beta))
    }
}

/// `c = a · B + beta · c` with `B` in the microkernel's panel order.
private struct PackedProduct: FloatKernelCall {
    let a: Tensor, packed: PackedGemmOperand, c: Tensor, beta: Double
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        ConvKernels.gemm(m: a.shape[0], n: packed.n, k: packed.k, a: a.readPointer(T.self), aRowStride: packed.k, aColStride: 1,
                         packedB: packed.packed.readPointer(T.self), beta: T(beta), c: c.pointer(as: T.self), ldc: packed.n)
    }
}
