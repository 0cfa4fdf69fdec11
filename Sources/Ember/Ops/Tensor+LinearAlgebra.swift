// Matrix products: dot, mv, mm, bmm and matmul with PyTorch's broadcasting/batching rules, on the GEMM kernel.
import EmberKernels

extension Tensor {
    /// `C = A · B` for 2-d `a` [m, k] and `b` [k, n] (any strides), without autograd.
    static func gemm2d(_ a: Tensor, _ b: Tensor, into c: Tensor, cOffset: Int = 0) {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        switch a.dtype {
        case .float32:
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Float.self), aRowStride: a.strides[0], aColStride: a.strides[1],
                       b: b.pointer(as: Float.self), bRowStride: b.strides[0], bColStride: b.strides[1],
                       beta: 0, c: c.pointer(as: Float.self) + cOffset, ldc: n)
        case .float64:
            Gemm.dgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Double.self), aRowStride: a.strides[0], aColStride: a.strides[1],
                       b: b.pointer(as: Double.self), bRowStride: b.strides[0], bColStride: b.strides[1],
                       beta: 0, c: c.pointer(as: Double.self) + cOffset, ldc: n)
        default:
            // Integer matmul: exact, simple loops (rare in practice).
            for i in 0..<m { for j in 0..<n {
                var acc: Int64 = 0
                for p in 0..<k { acc &+= a.readInt64(atOffset: i * a.strides[0] + p * a.strides[1]) &* b.readInt64(atOffset: p * b.strides[0] + j * b.strides[1]) }
                c.writeScalar(Double(acc), at: cOffset + i * n + j)
            } }
        }
    }

    /// Matrix product of 2-d tensors (`torch.mm`).
    public func mm(_ other: Tensor) -> Tensor {
        emberCheck(rank == 2 && other.rank == 2, "mm", "expected 2-D tensors, got \(shapeString(shape)) and \(shapeString(other.shape))")
        emberCheck(shape[1] == other.shape[0], "mm", "mat1 and mat2 shapes cannot be multiplied (\(shape[0])x\(shape[1]) and \(other.shape[0])x\(other.shape[1]))")
        emberCheck(dtype == other.dtype, "mm", "expected mat1 and mat2 to have the same dtype, but got: \(dtype) != \(other.dtype)")
        let a = self.to(dtype.computeType).detachedIfNeeded, b = other.to(dtype.computeType).detachedIfNeeded
        let out = Tensor(empty: [shape[0], other.shape[1]], dtype: a.dtype)
        Tensor.gemm2d(a, b, into: out)
        let x = self
        return record(out.to(dtype), "MmBackward0", inputs: [self, other], saved: [self, other]) { g in
            [x.requiresGrad ? (x.isTransposedContiguous ? other.mm(g.t()).t() : g.mm(other.t())) : nil,
             other.requiresGrad ? (other.isTransposedContiguous ? g.t().mm(x).t() : x.t().mm(g)) : nil]
        }
    }

    /// Whether this 2-d tensor is the transpose of a contiguous matrix (a Linear weight's `.t()`). `mm`'s backward
    /// then computes that operand's gradient as `(…)ᵀ`, laid out like the operand, so the transpose's own backward
    /// hands the weight a contiguous gradient and accumulating it copies nothing (PyTorch's `mm_mat2_backward`
    /// does the same; the transposing copy was 5% of the MLP training step).
    var isTransposedContiguous: Bool {
        rank == 2 && !isContiguous && shape[0] > 1 && shape[1] > 1 && strides[0] == 1 && strides[1] == shape[0]
    }

    /// Matrix-vector product (`torch.mv`).
    public func mv(_ v: Tensor) -> Tensor {
        emberCheck(rank == 2 && v.rank == 1, "mv", "expected a matrix and a vector, got \(shapeString(shape)) and \(shapeString(v.shape))")
        emberCheck(shape[1] == v.shape[0], "mv", "size mismatch, got input (\(shape[0])), mat (\(shape[0])x\(shape[1])), vec (\(v.shape[0]))")
        return mm(v.unsqueeze(1)).squeeze(1)
    }

    /// Inner product of two vectors (`torch.dot`).
    public func dot(_ other: Tensor) -> Tensor {
        emberCheck(rank == 1 && other.rank == 1, "dot", "1D tensors expected, but got \(rank)D and \(other.rank)D tensors")
        emberCheck(shape[0] == other.shape[0], "dot", "inconsistent tensor size, expected tensor [\(shape[0])] and src [\(other.shape[0])] to have the same number of elements, but got \(shape[0]) and \(other.shape[0]) elements respectively")
        return unsqueeze(0).mm(other.unsqueeze(1)).reshape([])
    }

    /// Batched matrix product of 3-d tensors [b, n, m] · [b, m, p] (`torch.bmm`).
    public func bmm(_ other: Tensor) -> Tensor {
        emberCheck(rank == 3 && other.rank == 3, "bmm", "batch1 and batch2 must be 3D tensors, got \(shapeString(shape)) and \(shapeString(other.shape))")
        emberCheck(shape[0] == other.shape[0] && shape[2] == other.shape[1], "bmm", "batch1 and batch2 shapes cannot be multiplied (\(shapeString(shape)) and \(shapeString(other.shape)))")
        return batchedMatmul(other, opName: "bmm", gradName: "BmmBackward0")
    }

    /// Matrix product with PyTorch's `matmul` rules: vector·vector (dot), matrix·vector, vector·matrix,
    /// and batched products whose batch dimensions broadcast.
    public func matmul(_ other: Tensor) -> Tensor {
        let ra = rank, rb = other.rank
        emberCheck(ra > 0 && rb > 0, "matmul", "both arguments to matmul need to be at least 1D, but they are \(ra)D and \(rb)D")
        if ra == 1 && rb == 1 { return dot(other) }
        if ra == 2 && rb == 1 { return mv(other) }
        if ra == 1 && rb == 2 { return unsqueeze(0).mm(other).squeeze(0) }
        if ra == 2 && rb == 2 { return mm(other) }
        // Batched: promote vectors to matrices, broadcast batch dims, multiply, drop the added dims.
        let a = ra == 1 ? unsqueeze(0) : self
        let b = rb == 1 ? other.unsqueeze(1) : other
        let ka = a.shape[a.rank - 1], kb = b.shape[b.rank - 2]
        emberCheck(ka == kb, "matmul", "shapes \(shapeString(shape)) and \(shapeString(other.shape)) cannot be multiplied (\(ka) != \(kb))")
        let batch = broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        let ae = a.expand(batch + Array(a.shape.suffix(2))).reshape([-1] + Array(a.shape.suffix(2)))
        let be = b.expand(batch + Array(b.shape.suffix(2))).reshape([-1] + Array(b.shape.suffix(2)))
        var out = ae.batchedMatmul(be, opName: "matmul", gradName: "BmmBackward0").view(batch + [a.shape[a.rank - 2], b.shape[b.rank - 1]])
        if ra == 1 { out = out.squeeze(-2) }
        if rb == 1 { out = out.squeeze(-1) }
        return out
    }

    /// `a @ b` is not an operator in Swift; `a.matmul(b)` or `a ⊗ b`... use `matmul`.
    func batchedMatmul(_ other: Tensor, opName: String, gradName: String) -> Tensor {
        emberCheck(dtype == other.dtype, opName, "expected both arguments to have the same dtype, but got: \(dtype) != \(other.dtype)")
        let a = to(dtype.computeType).detachedIfNeeded, b = other.to(dtype.computeType).detachedIfNeeded
        let batches = shape[0], n = shape[1], p = other.shape[2]
        let out = Tensor(empty: [batches, n, p], dtype: a.dtype)
        let k = shape[2], (sa, sb) = (a.strides, b.strides)
        switch a.dtype {
        case .float32:
            Gemm.sgemmBatched(count: batches, m: n, n: p, k: k, alpha: 1,
                              a: a.pointer(as: Float.self), aBatchStride: sa[0], aRowStride: sa[1], aColStride: sa[2],
                              b: b.pointer(as: Float.self), bBatchStride: sb[0], bRowStride: sb[1], bColStride: sb[2],
                              beta: 0, c: out.pointer(as: Float.self), cBatchStride: n * p, ldc: p)
        case .float64:
            Gemm.dgemmBatched(count: batches, m: n, n: p, k: k, alpha: 1,
                              a: a.pointer(as: Double.self), aBatchStride: sa[0], aRowStride: sa[1], aColStride: sa[2],
                              b: b.pointer(as: Double.self), bBatchStride: sb[0], bRowStride: sb[1], bColStride: sb[2],
                              beta: 0, c: out.pointer(as: Double.self), cBatchStride: n * p, ldc: p)
        default:
            for i in 0..<batches {
                Tensor.gemm2d(noGrad { a.select(0, i) }, noGrad { b.select(0, i) }, into: out, cOffset: i * n * p)
            }
        }
        let x = self
        return record(out.to(dtype), gradName, inputs: [self, other], saved: [self, other]) { g in
            [x.requiresGrad ? g.bmm(other.transpose(1, 2)) : nil, other.requiresGrad ? x.transpose(1, 2).bmm(g) : nil]
        }
    }

    /// Outer product of two vectors (`torch.outer`).
    public func outer(_ other: Tensor) -> Tensor { unsqueeze(1) * other.unsqueeze(0) }
}

infix operator .* : MultiplicationPrecedence
