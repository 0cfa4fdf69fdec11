// Arithmetic with broadcasting and type promotion: + - * / pow maximum minimum, with their backward formulas.

import EmberKernels

extension Tensor {
    /// Shared front of every binary arithmetic op: promotion, broadcasting, compute in the promoted type.
    static func arithmetic(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, name: String, intDivToFloat: Bool = false) -> Tensor {
        var dtype = resultType(a, b)
        if intDivToFloat && !dtype.isFloatingPoint { dtype = .float32 }
        if dtype == .bool && op == .sub {
            emberFail(name, "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        emberCheck(dtype != .bool || op == .add || op == .mul || op == .maximum || op == .minimum, name,
                   "not supported for bool tensors; convert with .int() or .float() first")
        // PyTorch's bool add is a logical or and bool mul a logical and: compute in uint8, cast back to bool.
        let ct = dtype == .bool ? DType.uint8 : dtype.computeType
        let shape = broadcastShapes(a.shape, b.shape, op: name)
        let out = binaryKernel(op, a.to(ct).detachedIfNeeded, b.to(ct).detachedIfNeeded, shape: shape, opName: name)
        return ct == dtype ? out : out.to(dtype)
    }

    /// A view without autograd history for kernel inputs (cheap: shares storage).
    var detachedIfNeeded: Tensor { requiresGradFlag ? detach() : self }

    /// Reduces a broadcast gradient back to `shape` by summing the expanded dimensions.
    public func sumTo(_ shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let lead = rank - shape.count
        var dims = Array(0..<lead)
        for (i, s) in shape.enumerated() where s == 1 && self.shape[lead + i] != 1 { dims.append(lead + i) }
        var r = dims.isEmpty ? self : sum(dims: dims, keepDim: true)
        if lead > 0 { r = r.reshape(shape) }
        return r
    }

    // MARK: Operators

    /// Elementwise sum with broadcasting (`torch.add`).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmetic(.add, a, b, name: "add")
        let sa = a.shape, sb = b.shape
        return record(out, "AddBackward0", inputs: [a, b]) { g in [g.sumTo(sa), g.sumTo(sb)] }
    }
    /// Elementwise difference with broadcasting (`torch.sub`).
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmetic(.sub, a, b, name: "sub")
        let sa = a.shape, sb = b.shape
        return record(out, "SubBackward0", inputs: [a, b]) { g in [g.sumTo(sa), (-g).sumTo(sb)] }
    }
    /// Elementwise product with broadcasting (`torch.mul`).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmetic(.mul, a, b, name: "mul")
        return record(out, "MulBackward0", inputs: [a, b], saved: [a, b]) { g in
            [a.requiresGrad ? (g * b).sumTo(a.shape) : nil, b.requiresGrad ? (g * a).sumTo(b.shape) : nil]
        }
    }
    /// Elementwise true division with broadcasting (`torch.div`; integers divide to float32).
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmetic(.div, a, b, name: "div", intDivToFloat: true)
        return record(out, "DivBackward0", inputs: [a, b], saved: [a, b]) { g in
            [a.requiresGrad ? (g / b).sumTo(a.shape) : nil,
             b.requiresGrad ? (-g * a / (b * b)).sumTo(b.shape) : nil]
        }
    }
    /// Negation (`torch.neg`).
    public static prefix func - (x: Tensor) -> Tensor {
        emberCheck(x.dtype != .bool, "neg", "Negation, the `-` operator, on a bool tensor is not supported.")
        let out = arithmetic(.sub, Tensor(scalar: 0, dtype: x.dtype), x, name: "neg")
        return record(out, "NegBackward0", inputs: [x]) { g in [-g] }
    }

    /// Elementwise power with broadcasting (`torch.pow`).
    public func pow(_ exponent: Tensor) -> Tensor {
        let out = Tensor.arithmetic(.pow, self, exponent, name: "pow")
        let base = self
        return record(out, "PowBackward1", inputs: [self, exponent], saved: [self, exponent]) { g in
            let gBase: Tensor? = base.requiresGrad ? (g * exponent * base.pow(exponent - 1)).sumTo(base.shape) : nil
            var gExp: Tensor? = nil
            if exponent.requiresGrad {
                let outv = base.pow(exponent)
                gExp = (g * outv * Tensor.where(base.eq(0) , Tensor.zerosLike(base), base.log())).sumTo(exponent.shape)
            }
            return [gBase, gExp]
        }
    }
    /// Power with a number exponent (`x.pow(3)`, `x ** 2`).
    public func pow<S: TensorScalar>(_ exponent: S) -> Tensor {
        let e = exponent.doubleValue
        emberCheck(dtype.isFloatingPoint || S.scalarCategory == 2 || e >= 0, "pow", "Integers to negative integer powers are not allowed.")
        let ex = wrapScalar(exponent)
        let out = Tensor.arithmetic(.pow, self, ex, name: "pow")
        let base = self
        return record(out, "PowBackward0", inputs: [self], saved: [self]) { g in
            if e == 0 { return [Tensor.zerosLike(g)] }
            return [g * e * base.pow(e - 1)]
        }
    }

    /// Elementwise maximum (`torch.maximum`); the gradient goes to the larger input, split evenly on ties.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { extremum(.maximum, a, b) }
    /// Elementwise minimum (`torch.minimum`); the gradient goes to the smaller input, split evenly on ties.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { extremum(.minimum, a, b) }

    /// maximum/minimum with their shared backward: the gradient flows to the winning input, halved on ties.
    private static func extremum(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let isMax = op == .maximum
        let out = arithmetic(op, a, b, name: isMax ? "maximum" : "minimum")
        return record(out, isMax ? "MaximumBackward0" : "MinimumBackward0", inputs: [a, b], saved: [a, b]) { g in
            let tie = Tensor.where(a.eq(b), g * 0.5, Tensor.zerosLike(g))
            let ga = Tensor.where(isMax ? a.gt(b) : a.lt(b), g, tie)
            let gb = Tensor.where(isMax ? b.gt(a) : b.lt(a), g, tie)
            return [ga.sumTo(a.shape), gb.sumTo(b.shape)]
        }
    }
    /// `torch.max(a, b)`: same as `maximum`.
    public static func max(_ a: Tensor, _ b: Tensor) -> Tensor { maximum(a, b) }
    /// `torch.min(a, b)`: same as `minimum`.
    public static func min(_ a: Tensor, _ b: Tensor) -> Tensor { minimum(a, b) }

    // MARK: Scalars on either side

    public static func + <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a + a.wrapScalar(b) }
    public static func + <S: TensorScalar>(a: S, b: Tensor) -> Tensor { b.wrapScalar(a) + b }
    public static func - <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a - a.wrapScalar(b) }
    /// `scalar - tensor` (`torch.rsub`), recorded as PyTorch records it (`RsubBackward1`).
    public static func - <S: TensorScalar>(a: S, b: Tensor) -> Tensor {
        let out = arithmetic(.sub, b.wrapScalar(a), b, name: "rsub")
        let sb = b.shape
        return record(out, "RsubBackward1", inputs: [b]) { g in [(-g).sumTo(sb)] }
    }
    public static func * <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a * a.wrapScalar(b) }
    public static func * <S: TensorScalar>(a: S, b: Tensor) -> Tensor { b.wrapScalar(a) * b }
    public static func / <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a / a.wrapScalar(b) }
    public static func / <S: TensorScalar>(a: S, b: Tensor) -> Tensor { b.wrapScalar(a) / b }

    // MARK: In place (write into existing storage, as `x += y` does in PyTorch)

    /// Adds `alpha · other` (broadcast to self's shape) into self's storage; floating tensors round once, as
    /// PyTorch's `fma(other, alpha, self)` (see `add(_:alpha:)`).
    @discardableResult
    public func addInPlace(_ other: Tensor, alpha: Double = 1) -> Tensor {
        checkInPlaceAllowed("add_", source: other)
        if alpha != 1 && dtype.isFloatingPoint {
            updateFused(.axpy, other, other, scalar: alpha, name: "add_")
            return self
        }
        emberCheck(alpha.rounded() == alpha || dtype.isFloatingPoint, "add_",
                   "For integral input tensors, argument alpha must not be a floating point number.")
        updateInPlace(.add, alpha == 1 ? other : noGrad { other * Int(alpha) }, name: "add_")
        return self
    }
    /// In-place `self = op(self, other)`: vectorized straight into self's storage when both are contiguous float32,
    /// otherwise through a temporary written back into self's storage.
    func updateInPlace(_ op: BinaryOp, _ other: Tensor, name: String) {
        checkInPlaceAllowed(name, source: other)
        if op == .div && !dtype.isFloatingPoint {
            emberFail(name, "result type Float can't be cast to the desired output type \(dtype.torchScalarTypeName)")
        }
        // Fast path: contiguous float32 updated by a same-shape contiguous float32 tensor or a scalar — written
        // straight into self's storage, with no temporary (optimizer updates and `.grad` accumulation).
        if dtype == .float32 && other.dtype == .float32 && isContiguous && other.isContiguous
            && (other.shape == shape || (other.numel == 1 && other.rank <= rank))
            && (other.storage !== storage || other.storageOffset == storageOffset), let vop = Tensor.vectorOp(op) {
            let n = numel
            if n > 0 {
                VectorMath.binary(vop, pointer(as: Float.self), aStep: 1, other.pointer(as: Float.self),
                                  bStep: other.shape == shape ? 1 : 0, pointer(as: Float.self), n)
            }
            bumpVersion()
            return
        }
        let r = noGrad { Tensor.arithmetic(op, self, other, name: name, intDivToFloat: false) }
        emberCheck(r.shape == shape || broadcastShapes(r.shape, shape, op: name) == shape, name,
                   "output with shape \(shapeString(shape)) doesn't match the broadcast shape \(shapeString(r.shape))")
        checkCastable(r.dtype, name)
        copyElements(from: r, into: self)
        bumpVersion()
    }
    /// The vectorized kernel for an arithmetic op, when there is one.
    static func vectorOp(_ op: BinaryOp) -> VectorMath.Binary? {
        switch op {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .maximum: return .maximum
        case .minimum: return .minimum
        case .pow: return nil
        }
    }
    public static func += (a: Tensor, b: Tensor) { a.updateInPlace(.add, b, name: "add_") }
    public static func -= (a: Tensor, b: Tensor) { a.updateInPlace(.sub, b, name: "sub_") }
    public static func *= (a: Tensor, b: Tensor) { a.updateInPlace(.mul, b, name: "mul_") }
    public static func /= (a: Tensor, b: Tensor) { a.updateInPlace(.div, b, name: "div_") }
    public static func += <S: TensorScalar>(a: Tensor, b: S) { a.updateInPlace(.add, a.wrapScalar(b), name: "add_") }
    public static func -= <S: TensorScalar>(a: Tensor, b: S) { a.updateInPlace(.sub, a.wrapScalar(b), name: "sub_") }
    public static func *= <S: TensorScalar>(a: Tensor, b: S) { a.updateInPlace(.mul, a.wrapScalar(b), name: "mul_") }
    public static func /= <S: TensorScalar>(a: Tensor, b: S) { a.updateInPlace(.div, a.wrapScalar(b), name: "div_") }
    /// In-place multiply (`mul_`), returning self.
    @discardableResult public func mul_<S: TensorScalar>(_ s: S) -> Tensor { self *= s; return self }
    /// In-place add (`add_`), returning self.
    @discardableResult public func add_(_ t: Tensor, alpha: Double = 1) -> Tensor { addInPlace(t, alpha: alpha) }
    /// In-place subtract (`sub_`), returning self.
    @discardableResult public func sub_(_ t: Tensor, alpha: Double = 1) -> Tensor { addInPlace(t, alpha: -alpha) }
}
