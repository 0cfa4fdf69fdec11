// Comparisons giving bool tensors, `where`, `clamp`, and masked fill.

extension Tensor {
    static func compare(_ op: CompareOp, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        var ct = resultType(a, b).computeType
        if ct == .bool { ct = .uint8 }
        let shape = broadcastShapes(a.shape, b.shape, op: name)
        return compareKernel(op, a.to(ct).detachedIfNeeded, b.to(ct).detachedIfNeeded, shape: shape, opName: name)
    }
    /// Elementwise `==` (`torch.eq`), a bool tensor.
    public func eq(_ other: Tensor) -> Tensor { Tensor.compare(.eq, self, other, name: "eq") }
    /// Elementwise `!=` (`torch.ne`).
    public func ne(_ other: Tensor) -> Tensor { Tensor.compare(.ne, self, other, name: "ne") }
    /// Elementwise `<` (`torch.lt`).
    public func lt(_ other: Tensor) -> Tensor { Tensor.compare(.lt, self, other, name: "lt") }
    /// Elementwise `<=` (`torch.le`).
    public func le(_ other: Tensor) -> Tensor { Tensor.compare(.le, self, other, name: "le") }
    /// Elementwise `>` (`torch.gt`).
    public func gt(_ other: Tensor) -> Tensor { Tensor.compare(.gt, self, other, name: "gt") }
    /// Elementwise `>=` (`torch.ge`).
    public func ge(_ other: Tensor) -> Tensor { Tensor.compare(.ge, self, other, name: "ge") }

    /// Scalar forms: `x.gt(0)` and friends.
    public func eq<S: TensorScalar>(_ s: S) -> Tensor { eq(wrapScalar(s)) }
    public func ne<S: TensorScalar>(_ s: S) -> Tensor { ne(wrapScalar(s)) }
    public func lt<S: TensorScalar>(_ s: S) -> Tensor { lt(wrapScalar(s)) }
    public func le<S: TensorScalar>(_ s: S) -> Tensor { le(wrapScalar(s)) }
    public func gt<S: TensorScalar>(_ s: S) -> Tensor { gt(wrapScalar(s)) }
    public func ge<S: TensorScalar>(_ s: S) -> Tensor { ge(wrapScalar(s)) }

    public static func == (a: Tensor, b: Tensor) -> Tensor { a.eq(b) }
    public static func != (a: Tensor, b: Tensor) -> Tensor { a.ne(b) }
    public static func < (a: Tensor, b: Tensor) -> Tensor { a.lt(b) }
    public static func <= (a: Tensor, b: Tensor) -> Tensor { a.le(b) }
    public static func > (a: Tensor, b: Tensor) -> Tensor { a.gt(b) }
    public static func >= (a: Tensor, b: Tensor) -> Tensor { a.ge(b) }
    public static func == <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.eq(a.wrapScalar(b)) }
    public static func != <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.ne(a.wrapScalar(b)) }
    public static func < <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.lt(a.wrapScalar(b)) }
    public static func <= <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.le(a.wrapScalar(b)) }
    public static func > <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.gt(a.wrapScalar(b)) }
    public static func >= <S: TensorScalar>(a: Tensor, b: S) -> Tensor { a.ge(a.wrapScalar(b)) }

    /// Elementwise logical and of bool tensors.
    public static func && (a: Tensor, b: Tensor) -> Tensor { (a.to(.uint8) * b.to(.uint8)).to(.bool) }
    /// Elementwise logical or of bool tensors.
    public static func || (a: Tensor, b: Tensor) -> Tensor { Tensor.maximum(a.to(.uint8), b.to(.uint8)).to(.bool) }
    /// Elementwise logical not of a bool tensor (`~mask`).
    public static prefix func ! (a: Tensor) -> Tensor { a.to(.bool).eq(Tensor(scalar: 0, dtype: .bool)) }

    /// Picks `x` where `condition` is true and `y` elsewhere, broadcasting all three (`torch.where`).
    ///
    /// - Parameters:
    ///   - condition: A bool tensor choosing, per element, `x` (true) or `y` (false).
    ///   - x: The values where `condition` is true.
    ///   - y: The values where `condition` is false.
    public static func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
        emberCheck(condition.dtype == .bool, "where", "expected condition to be a boolean tensor, but got a tensor with dtype \(condition.dtype)")
        let dtype = resultType(x, y)
        let shape = broadcastShapes(broadcastShapes(condition.shape, x.shape, op: "where"), y.shape, op: "where")
        let out = Tensor(empty: shape, dtype: dtype)
        copyElements(from: y.to(dtype).detachedIfNeeded, into: out)
        let c = condition.detachedIfNeeded, xv = x.to(dtype).detachedIfNeeded
        let sc = broadcastStrides(of: c, to: shape, op: "where"), sx = broadcastStrides(of: xv, to: shape, op: "where")
        switch dtype.itemSize {
        case 1: selectWhere(UInt8.self, c, sc, xv, sx, out)
        case 2: selectWhere(UInt16.self, c, sc, xv, sx, out)
        case 4: selectWhere(UInt32.self, c, sc, xv, sx, out)
        default: selectWhere(UInt64.self, c, sc, xv, sx, out)
        }
        let xs = x.shape, ys = y.shape
        return record(out, "WhereBackward0", inputs: [x, y], saved: [condition]) { g in
            let z = Tensor.zerosLike(g)
            return [x.requiresGrad ? Tensor.where(condition, g, z).sumTo(xs) : nil,
                    y.requiresGrad ? Tensor.where(condition, z, g).sumTo(ys) : nil]
        }
    }
    /// `torch.where(condition, x, scalar)`.
    ///
    /// - Parameters:
    ///   - condition: A bool tensor choosing, per element, `x` (true) or `y` (false).
    ///   - x: The values where `condition` is true.
    ///   - y: The values where `condition` is false.
    public static func `where`<S: TensorScalar>(_ condition: Tensor, _ x: Tensor, _ y: S) -> Tensor {
        Tensor.where(condition, x, x.wrapScalar(y))
    }

    /// Replaces elements where `mask` is true by `value` (`masked_fill`); differentiable in self.
    public func maskedFill<S: TensorScalar>(_ mask: Tensor, _ value: S) -> Tensor {
        emberCheck(mask.dtype == .bool, "masked_fill", "only supports boolean masks, but got mask with dtype \(mask.dtype)")
        let fill = Tensor(scalar: value.doubleValue, dtype: dtype)
        let out = noGrad { Tensor.where(mask, fill, self) }
        emberCheck(out.shape == shape, "masked_fill", "mask of shape \(shapeString(mask.shape)) cannot broadcast to \(shapeString(shape))")
        return record(out, "MaskedFillBackward0", inputs: [self], saved: [mask]) { g in
            [Tensor.where(mask, Tensor.zerosLike(g), g)]
        }
    }

    /// Clamps every element into `[min, max]` (`torch.clamp`); the gradient passes where the input was inside.
    public func clamp(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        emberCheck(lo != nil || hi != nil, "clamp", "At least one of 'min' or 'max' must not be None")
        var out: Tensor = self.detachedIfNeeded
        noGrad {
            if let lo = lo { out = Tensor.maximum(out, Tensor(scalar: lo, dtype: dtype)) }
            if let hi = hi { out = Tensor.minimum(out, Tensor(scalar: hi, dtype: dtype)) }
        }
        if out === self { out = clone() }
        let x = self
        return record(out, "ClampBackward1", inputs: [self], saved: [self]) { g in
            var keep = Tensor.onesLike(x, dtype: .bool)
            if let lo = lo { keep = keep && x.ge(Tensor(scalar: lo, dtype: x.dtype)) }
            if let hi = hi { keep = keep && x.le(Tensor(scalar: hi, dtype: x.dtype)) }
            return [Tensor.where(keep, g, Tensor.zerosLike(g))]
        }
    }
    /// Clamps from below only (`torch.clamp_min`, `x.clamp(min=lo)`).
    public func clampMin(_ lo: Double) -> Tensor { clamp(min: lo) }
    /// Clamps from above only (`torch.clamp_max`, `x.clamp(max=hi)`).
    public func clampMax(_ hi: Double) -> Tensor { clamp(max: hi) }
    /// `clamp(min:max:)` in place, for parameter constraints under `noGrad`.
    @discardableResult
    public func clamp_(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        let r = noGrad { clamp(min: lo, max: hi) }
        return copy_(r)
    }
}

/// Copies `x`'s elements into `out` where `condition` is true (all broadcast to `out`'s shape); `T` is a
/// bit-pattern type of the element size, so one typed loop serves every dtype.
private func selectWhere<T>(_: T.Type, _ condition: Tensor, _ sc: [Int], _ x: Tensor, _ sx: [Int], _ out: Tensor) {
    let pc = condition.pointer(as: Bool.self), px = x.pointer(as: T.self), po = out.pointer(as: T.self)
    forEachRow3(out.shape, out.strides, sc, sx) { oo, oc, ox, n, so, ic, ix in
        for i in 0..<n where pc[oc + i * ic] { po[oo + i * so] = px[ox + i * ix] }
    }
}
