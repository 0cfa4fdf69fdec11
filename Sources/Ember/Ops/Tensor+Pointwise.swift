// Fused pointwise ops rounded as PyTorch rounds them: add/sub with alpha, lerp, addcmul, addcdiv (and in place).
//
// PyTorch's CPU kernels compute these with one fused multiply-add where a plain composition of `+` and `*`
// would round twice (`p.add_(g, alpha=-lr)` is `fma(g, -lr, p)`), so the composition differs from PyTorch
// in the last bit for ~10% of elements. These ops reproduce PyTorch's exact formulas (checked element by
// element against torch 2.13), so an optimizer written with them takes PyTorch's steps bit for bit.

import EmberKernels

extension Tensor {
    // MARK: Out of place (recorded by autograd)

    /// `self + alpha · other` with broadcasting (`torch.add(input, other, alpha=)`). Floating results are
    /// rounded once, as PyTorch's `fma(other, alpha, self)`; integer tensors compute `self + other * alpha`.
    public func add(_ other: Tensor, alpha: Double) -> Tensor {
        if alpha == 1 { return self + other }
        let dtype = resultType(self, other)
        guard dtype.isFloatingPoint else {
            emberCheck(alpha.rounded() == alpha, "add", "For integral input tensors, argument alpha must not be a floating point number.")
            return self + other * Int(alpha)
        }
        let out = fusedResult(.axpy, other, other, scalar: alpha, dtype: dtype, name: "add")
        let sa = shape, sb = other.shape
        return record(out, "AddBackward0", inputs: [self, other]) { g in [g.sumTo(sa), (g * alpha).sumTo(sb)] }
    }

    /// `self − alpha · other` (`torch.sub(input, other, alpha=)`), rounded as `add(other, alpha: -alpha)`.
    public func sub(_ other: Tensor, alpha: Double) -> Tensor { add(other, alpha: -alpha) }

    /// Linear interpolation `self + weight · (end − self)` (`torch.lerp(start, end, weight)`), with PyTorch's
    /// rounding: `fma(w, end − self, self)` for |w| < 0.5, else `fma(w − 1, end − self, end)`. Floating only.
    public func lerp(_ end: Tensor, weight: Double) -> Tensor {
        let dtype = pointwiseFloatType([end], name: "lerp")
        let out = fusedResult(.lerp, end, end, scalar: weight, dtype: dtype, name: "lerp")
        let sa = shape, sb = end.shape
        return record(out, "LerpBackward0", inputs: [self, end]) { g in
            [(g * (1 - weight)).sumTo(sa), (g * weight).sumTo(sb)]
        }
    }

    /// `self + value · tensor1 · tensor2` with broadcasting (`torch.addcmul`), rounded as PyTorch's
    /// `fma(value · tensor1, tensor2, self)`. Floating only.
    ///
    /// - Parameters:
    ///   - tensor1: The first factor (numerator for `addcdiv`).
    ///   - tensor2: The second factor (denominator for `addcdiv`).
    ///   - value: The scale of the product or quotient.
    public func addcmul(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) -> Tensor {
        let dtype = pointwiseFloatType([tensor1, tensor2], name: "addcmul")
        let out = fusedResult(.addcmul, tensor1, tensor2, scalar: value, dtype: dtype, name: "addcmul")
        let s0 = shape, s1 = tensor1.shape, s2 = tensor2.shape
        return record(out, "AddcmulBackward0", inputs: [self, tensor1, tensor2], saved: [tensor1, tensor2]) { g in
            [g.sumTo(s0),
             tensor1.requiresGrad ? (g * tensor2 * value).sumTo(s1) : nil,
             tensor2.requiresGrad ? (g * tensor1 * value).sumTo(s2) : nil]
        }
    }

    /// `self + value · tensor1 / tensor2` with broadcasting (`torch.addcdiv`), rounded as PyTorch's
    /// `self + (value · tensor1) / tensor2`. Floating only (PyTorch refuses integer addcdiv too).
    ///
    /// - Parameters:
    ///   - tensor1: The first factor (numerator for `addcdiv`).
    ///   - tensor2: The second factor (denominator for `addcdiv`).
    ///   - value: The scale of the product or quotient.
    public func addcdiv(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) -> Tensor {
        let dtype = pointwiseFloatType([tensor1, tensor2], name: "addcdiv")
        let out = fusedResult(.addcdiv, tensor1, tensor2, scalar: value, dtype: dtype, name: "addcdiv")
        let s0 = shape, s1 = tensor1.shape, s2 = tensor2.shape
        return record(out, "AddcdivBackward0", inputs: [self, tensor1, tensor2], saved: [tensor1, tensor2]) { g in
            [g.sumTo(s0),
             tensor1.requiresGrad ? (g * value / tensor2).sumTo(s1) : nil,
             tensor2.requiresGrad ? (-g * value * tensor1 / (tensor2 * tensor2)).sumTo(s2) : nil]
        }
    }

    // MARK: In place (written into self's storage, not recorded)

    /// `lerp` in place (`start.lerp_(end, weight)`), e.g. an exponential moving average.
    @discardableResult
    public func lerp_(_ end: Tensor, weight: Double) -> Tensor {
        _ = pointwiseFloatType([end], name: "lerp_")
        updateFused(.lerp, end, end, scalar: weight, name: "lerp_")
        return self
    }

    /// `addcmul` in place (`x.addcmul_(t1, t2, value=)`).
    ///
    /// - Parameters:
    ///   - tensor1: The first factor (numerator for `addcdiv`).
    ///   - tensor2: The second factor (denominator for `addcdiv`).
    ///   - value: The scale of the product or quotient.
    @discardableResult
    public func addcmul_(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) -> Tensor {
        _ = pointwiseFloatType([tensor1, tensor2], name: "addcmul_")
        updateFused(.addcmul, tensor1, tensor2, scalar: value, name: "addcmul_")
        return self
    }

    /// `addcdiv` in place (`x.addcdiv_(t1, t2, value=)`).
    ///
    /// - Parameters:
    ///   - tensor1: The first factor (numerator for `addcdiv`).
    ///   - tensor2: The second factor (denominator for `addcdiv`).
    ///   - value: The scale of the product or quotient.
    @discardableResult
    public func addcdiv_(_ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1) -> Tensor {
        _ = pointwiseFloatType([tensor1, tensor2], name: "addcdiv_")
        updateFused(.addcdiv, tensor1, tensor2, scalar: value, name: "addcdiv_")
        return self
    }

    // MARK: Shared machinery

    /// The floating result type of self with `others`, stopping with PyTorch-style messages otherwise.
    private func pointwiseFloatType(_ others: [Tensor], name: String) -> DType {
        let dtype = resultType([self] + others)
        emberCheck(dtype.isFloatingPoint, name,
                   "expected floating-point tensors (got \(([self] + others).map { $0.dtype.torchScalarTypeName }.joined(separator: ", ")))")
        return dtype
    }

    /// A new tensor of the broadcast shape holding `op(self, a, b)` (nothing recorded).
    private func fusedResult(_ op: VectorMath.Fused, _ a: Tensor, _ b: Tensor, scalar: Double, dtype: DType,
                             name: String) -> Tensor {
        let shape = broadcastShapes(broadcastShapes(self.shape, a.shape, op: name), b.shape, op: name)
        let out = Tensor(empty: shape, dtype: dtype)
        noGrad {
            copyElements(from: detachedIfNeeded, into: out)
            out.updateFused(op, a.detachedIfNeeded, b.detachedIfNeeded, scalar: scalar, name: name)
        }
        return out
    }

    /// `self = op(self, a, b)` in self's storage; `a` and `b` broadcast to self's shape.
    ///
    /// As PyTorch's TensorIterator: operands are converted to the common type of self, `a` and `b`
    /// (`resultType`), the formula runs in that type (float16/bfloat16 in float32), and only the result is
    /// rounded into self — `p32.add_(g64, alpha:)` computes in float64 and rounds once. An operand that shares
    /// self's memory through a different view (`x[1...].add_(x[..<(n-1)], alpha:)`, `x.lerp_(x.t(), ...)`) is
    /// copied first, so the result is as if every operand were read before anything was written, whatever the
    /// order or the threads that write (PyTorch stops on partial overlaps of dense tensors instead; where it
    /// computes, the results agree). Contiguous float32 goes to the vectorized kernel; everything else runs
    /// the same formulas per element in Swift.
    func updateFused(_ op: VectorMath.Fused, _ a: Tensor, _ b: Tensor, scalar: Double, name: String) {
        checkInPlaceAllowed(name, source: a)
        checkInPlaceAllowed(name, source: b)
        let common = resultType([self, a, b])
        checkCastable(common, name)
        emberCheck(dtype.isFloatingPoint, name, "expected a floating-point tensor to update, got \(dtype.torchScalarTypeName)")
        let sa = broadcastStrides(of: a, to: shape, op: name), sb = broadcastStrides(of: b, to: shape, op: name)
        defer { bumpVersion() }
        if numel == 0 { return }
        // Operands in the common type (PyTorch's inputs), the formula in its compute type (PyTorch's opmath).
        let compute: DType = common == .float16 || common == .bfloat16 ? .float32 : common
        let (a, b) = noGrad { (a.to(common).to(compute), b.to(common).to(compute)) }
        if compute != dtype {
            // A wider copy of self takes the update; the result is rounded into self once.
            let wide = noGrad { to(compute) }
            wide.fusedSameType(op, a, b, scalar: scalar, name: name)
            copyElements(from: wide, into: self)
            return
        }
        fusedSameType(op, unaliased(a, sa), unaliased(b, sb), scalar: scalar, name: name)
    }

    /// `t` itself when it does not share self's memory or is read at exactly the positions self is written
    /// (same offset and, over self's non-trivial dimensions, the same broadcast strides `s`); otherwise a copy,
    /// so that writing self cannot change values not yet read.
    private func unaliased(_ t: Tensor, _ s: [Int]) -> Tensor {
        guard t.storage === storage else { return t }
        let identical = t.storageOffset == storageOffset
            && zip(shape.indices, shape).allSatisfy { d, size in size <= 1 || s[d] == strides[d] }
        return identical ? t : noGrad { t.clone() }
    }

    /// `self = op(self, a, b)` where self, `a` and `b` all have self's dtype, float32 or float64, and neither
    /// operand partially overlaps self.
    private func fusedSameType(_ op: VectorMath.Fused, _ a: Tensor, _ b: Tensor, scalar: Double, name: String) {
        let sa = broadcastStrides(of: a, to: shape, op: name), sb = broadcastStrides(of: b, to: shape, op: name)
        if dtype == .float32 && isContiguous, let aStep = Tensor.unitOrZeroStep(a, sa, shape),
           let bStep = Tensor.unitOrZeroStep(b, sb, shape) {
            let s = pointer(as: Float.self)
            VectorMath.fused(op, s, a.pointer(as: Float.self), aStep: aStep, b.pointer(as: Float.self), bStep: bStep,
                             scalar: Float(scalar), s, numel)
            return
        }
        switch dtype {
        case .float32: fusedLoop(op, Float.self, a, sa, b, sb, scalar: scalar)
        case .float64: fusedLoop(op, Double.self, a, sa, b, sb, scalar: scalar)
        default: emberFail(name, "internal: fused loop on \(dtype.torchScalarTypeName)")
        }
    }

    /// 1 when `t` (with broadcast strides `s`) is laid out like a contiguous tensor of `shape`, 0 when it is
    /// one value repeated, nil otherwise.
    private static func unitOrZeroStep(_ t: Tensor, _ s: [Int], _ shape: [Int]) -> Int? {
        if s.allSatisfy({ $0 == 0 }) { return 0 }
        return t.isContiguous && t.shape == shape ? 1 : nil
    }

    private func fusedLoop<T: BinaryFloatingPoint>(_ op: VectorMath.Fused, _: T.Type, _ a: Tensor, _ sa: [Int],
                                                   _ b: Tensor, _ sb: [Int], scalar: Double) {
        let ps = pointer(as: T.self), pa = a.pointer(as: T.self), pb = b.pointer(as: T.self)
        let c = T(scalar)
        forEachRow3(shape, strides, sa, sb) { os, oa, ob, n, ss, ia, ib in
            for i in 0..<n {
                let s = ps[os + i * ss], x = pa[oa + i * ia], y = pb[ob + i * ib]
                let r: T
                switch op {
                case .axpy: r = s.addingProduct(x, c)
                case .lerp: r = Swift.abs(c) < 0.5 ? s.addingProduct(c, x - s) : x.addingProduct(c - 1, x - s)
                case .addcmul: r = s.addingProduct(c * x, y)
                case .addcdiv: r = s + (c * x) / y
                }
                ps[os + i * ss] = r
            }
        }
    }
}
