// VectorMath ops: float32 unary maps, binary ops with scalar broadcast, comparisons, fused activation
// backward, row/column sums, row softmax and dtype casts, each split over the pool when large.
import CEmberKernels

extension VectorMath {
    /// Elementwise float32 maps of `unary(_:_:_:_:)` (and the fused backward of `unaryBackward`).
    public enum Unary: Int32, Sendable {
        /// `x > 0 ? x : 0` (NaN gives 0, like the scalar loop it replaces).
        case relu = 0
        /// `1 / (1 + exp(-x))`, within a few ulp.
        case sigmoid = 1
        /// Within 3 ulp of libm.
        case tanh = 2
        /// Natural log within 2 ulp of libm; 0 gives -inf, negatives NaN, denormals are handled.
        case log = 3
        /// Correctly rounded.
        case sqrt = 4
        /// Within 1 ulp (2 on the portable level, which has no FMA); overflow gives +inf, NaN stays NaN.
        case exp = 5
        /// `-x`.
        case neg = 6
        /// `|x|`.
        case abs = 7
        /// The error function within 1 ulp of the correctly rounded value (evaluated in double, rounded once):
        /// more exact than the scalar `erff`, and vectorized. ±0, ±inf and NaN as `erff`.
        case erf = 8
        /// The exact GELU `x * (1 + erf(x / √2)) / 2`, evaluated in double and rounded once (within 1 ulp for
        /// x > -3; below, the absolute error stays under 1e-8·|x|).
        case gelu = 9
    }

    /// Binary float32 ops of `binary(_:_:aStep:_:bStep:_:_:)`.
    public enum Binary: Int32, Sendable {
        case add = 0, sub, mul, div
        /// NaN if either side is NaN, else `Swift.max(a, b)`.
        case maximum
        /// NaN if either side is NaN, else `Swift.min(a, b)`.
        case minimum
    }

    /// The fused pointwise updates of `fused(_:_:_:aStep:_:bStep:scalar:_:_:)`, each rounded as PyTorch's CPU
    /// kernel rounds it, with an exact fused multiply-add on every ISA level.
    public enum Fused: Int32, Sendable {
        /// `s + c·a` as `fma(a, c, s)` (`torch.add(s, a, alpha=c)`).
        case axpy = 0
        /// `torch.lerp(s, a, c)`: `fma(c, a − s, s)` for |c| < 0.5, else `fma(c − 1, a − s, a)`.
        case lerp
        /// `torch.addcmul(s, a, b, value=c)`: `fma(c·a, b, s)`.
        case addcmul
        /// `torch.addcdiv(s, a, b, value=c)`: `s + (c·a) / b`.
        case addcdiv
    }

    /// Comparisons of `compare(_:_:aStep:_:bStep:_:_:)`; NaN compares like Swift (`!=` true, the rest false).
    public enum Comparison: Int32, Sendable {
        case eq = 0, ne, lt, le, gt, ge
    }

    /// Contiguous work above this many elements is split over `ThreadPool.shared` (the shared threshold).
    public static var opsParallelThreshold: Int { ThreadPool.parallelElementThreshold }
    /// The smallest slice of a split handed to another thread.
    static var opsMinChunk: Int { ThreadPool.minParallelChunk }

    /// `y[i] = op(x[i])` for `i < n`; `y` may alias `x`.
    /// ```swift
    /// VectorMath.unary(.sigmoid, x, y, n)
    /// ```
    ///
    /// - Parameters:
    ///   - op: The operation.
    ///   - x: The input.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func unary(_ op: Unary, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                             isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_f32_unary_level(level, op.rawValue, x + lo, y + lo, len) }
    }

    /// `y[i] = op(a[i * aStep], b[i * bStep])` for `i < n`, where each step is 1 (an array) or 0 (one value
    /// broadcast along the row, as in `x * 0.5` or a bias add); not both 0.
    ///
    /// - Parameters:
    ///   - op: The operation.
    ///   - a: The first operand.
    ///   - aStep: 1 to read `a` as an array, 0 to broadcast `a[0]`.
    ///   - b: The second operand.
    ///   - bStep: 1 to read `b` as an array, 0 to broadcast `b[0]`.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func binary(_ op: Binary, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
                              _ y: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA = .active) {
        kernelCheck((aStep == 0 || aStep == 1) && (bStep == 0 || bStep == 1) && aStep + bStep > 0,
                    "VectorMath.binary: steps must be 0 or 1 and not both 0 (got \(aStep), \(bStep))")
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in
            ember_f32_binary_level(level, op.rawValue, a + lo * aStep, aStep, b + lo * bStep, bStep, y + lo, len)
        }
    }

    /// `y[i] = op(s[i], a[i * aStep], b[i * bStep])` with the scalar `c` (steps as in `binary`, either may be 0;
    /// `lerp` and `axpy` ignore `b`). `y` may be `s`.
    ///
    /// - Parameters:
    ///   - op: The operation.
    ///   - s: The operand the result replaces (`self` of the in-place op).
    ///   - a: The first operand.
    ///   - aStep: 1 to read `a` as an array, 0 to broadcast `a[0]`.
    ///   - b: The second operand.
    ///   - bStep: 1 to read `b` as an array, 0 to broadcast `b[0]`.
    ///   - c: The scalar of the fused op (alpha, weight or value).
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func fused(_ op: Fused, _ s: UnsafePointer<Float>, _ a: UnsafePointer<Float>, aStep: Int,
                             _ b: UnsafePointer<Float>, bStep: Int, scalar c: Float, _ y: UnsafeMutablePointer<Float>,
                             _ n: Int, isa: KernelISA = .active) {
        kernelCheck((aStep == 0 || aStep == 1) && (bStep == 0 || bStep == 1),
                    "VectorMath.fused: steps must be 0 or 1 (got \(aStep), \(bStep))")
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in
            ember_f32_fused_level(level, op.rawValue, s + lo, a + lo * aStep, aStep, b + lo * bStep, bStep, c,
                                  y + lo, len)
        }
    }

    /// One SGD-with-momentum update in a single pass: `buffer = momentum·buffer + gradScale·gradient`, then
    /// `param −= lr·buffer`, rounded exactly as PyTorch's three in-place ops (`buf.mul_(momentum).add_(grad,
    /// alpha=gradScale)`, `param.add_(buf, alpha=-lr)`): a rounded product, then two FMAs.
    ///
    /// - Parameters:
    ///   - param: The parameter, updated in place.
    ///   - buffer: The momentum buffer, updated in place.
    ///   - gradient: The gradient (or the weight-decayed direction).
    ///   - momentum: The factor on the buffer.
    ///   - gradScale: The factor on the gradient (`1 − dampening`).
    ///   - lr: The learning rate.
    ///   - n: The number of elements of each array.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func sgdMomentum(param: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>,
                                   gradient: UnsafePointer<Float>, momentum: Float, gradScale: Float, lr: Float,
                                   _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in
            ember_f32_sgd_momentum_level(level, param + lo, buffer + lo, gradient + lo, momentum, gradScale, lr, len)
        }
    }

    /// The decay an Adam step applies (`AdamStep.decay`).
    public enum AdamDecay: Sendable {
        /// No weight decay.
        case none
        /// Adam's L2 penalty: the gradient becomes `g + weightDecay·p` (one FMA, `grad.add(param, alpha=wd)`).
        case l2(Float)
        /// AdamW's decoupled decay: the parameter is multiplied by `factor` (`1 − lr·wd`, a rounded product).
        case decoupled(factor: Float)
    }

    /// One Adam/AdamW step's constants, each the float32 that its op in PyTorch's `_single_tensor_adam` rounds
    /// its scalar to.
    public struct AdamStep: Sendable {
        /// The weight decay.
        public var decay: AdamDecay
        /// `1 − β1`, the weight of `exp_avg.lerp_(grad, 1 − β1)`.
        public var lerpWeight: Float
        /// `β2`, the factor of `exp_avg_sq.mul_(β2)`.
        public var beta2: Float
        /// `1 − β2`, the value of `exp_avg_sq.addcmul_(grad, grad, value: 1 − β2)`.
        public var oneMinusBeta2: Float
        /// `√(1 − β2ᵗ)`, the divisor of `exp_avg_sq.sqrt()`.
        public var biasCorrection2Sqrt: Float
        /// Added to the denominator.
        public var eps: Float
        /// `−lr / (1 − β1ᵗ)`, the value of `param.addcdiv_(exp_avg, denom, value: −stepSize)`.
        public var negStepSize: Float

        /// Gathers one step's constants.
        ///
        /// - Parameters:
        ///   - decay: The weight decay.
        ///   - lerpWeight: `1 − β1`.
        ///   - beta2: `β2`.
        ///   - oneMinusBeta2: `1 − β2`.
        ///   - biasCorrection2Sqrt: `√(1 − β2ᵗ)`.
        ///   - eps: The denominator's epsilon.
        ///   - negStepSize: `−lr / (1 − β1ᵗ)`.
        public init(decay: AdamDecay, lerpWeight: Float, beta2: Float, oneMinusBeta2: Float, biasCorrection2Sqrt: Float,
                    eps: Float, negStepSize: Float) {
            self.decay = decay; self.lerpWeight = lerpWeight; self.beta2 = beta2; self.oneMinusBeta2 = oneMinusBeta2
            self.biasCorrection2Sqrt = biasCorrection2Sqrt; self.eps = eps; self.negStepSize = negStepSize
        }
    }

    /// One Adam/AdamW update in a single pass over the parameter, both moments and the gradient (28 bytes of memory
    /// traffic per element instead of ~100 for the op-by-op step), rounded exactly as PyTorch's single-tensor ops
    /// (non-AMSGrad, not maximizing): the decay (`AdamDecay`), `m = lerp(m, g, 1 − β1)` (an FMA),
    /// `v = fma((1 − β2)·g, g, v·β2)`, `p = p + (−stepSize·m) / (√v / √(1 − β2ᵗ) + eps)`.
    ///
    /// - Parameters:
    ///   - param: The parameter, updated in place.
    ///   - expAvg: The first moment, updated in place.
    ///   - expAvgSq: The second moment, updated in place.
    ///   - gradient: The gradient (not changed; the L2 term is added on the fly).
    ///   - step: The step's constants.
    ///   - n: The number of elements of each array.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func adam(param: UnsafeMutablePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                            expAvgSq: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, step: AdamStep,
                            _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        let mode: Int32, decay: Float
        switch step.decay {
        case .none: (mode, decay) = (Int32(EMBER_ADAM_DECAY_NONE), 0)
        case .l2(let wd): (mode, decay) = (Int32(EMBER_ADAM_DECAY_L2), wd)
        case .decoupled(let factor): (mode, decay) = (Int32(EMBER_ADAM_DECAY_DECOUPLED), factor)
        }
        let h = ember_adam_step(decay_mode: mode, decay: decay, lerp_weight: step.lerpWeight, beta2: step.beta2,
                                one_minus_beta2: step.oneMinusBeta2, bias_correction2_sqrt: step.biasCorrection2Sqrt,
                                eps: step.eps, neg_step_size: step.negStepSize)
        opsSplit(n) { lo, len in
            ember_f32_adam_level(level, param + lo, expAvg + lo, expAvgSq + lo, gradient + lo, h, len)
        }
    }

    /// `y[i] = op(a[i * aStep], b[i * bStep])` as a Bool (steps as in `binary`).
    ///
    /// - Parameters:
    ///   - op: The operation.
    ///   - a: The first operand.
    ///   - aStep: 1 to read `a` as an array, 0 to broadcast `a[0]`.
    ///   - b: The second operand.
    ///   - bStep: 1 to read `b` as an array, 0 to broadcast `b[0]`.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func compare(_ op: Comparison, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
                               _ y: UnsafeMutablePointer<Bool>, _ n: Int, isa: KernelISA = .active) {
        kernelCheck((aStep == 0 || aStep == 1) && (bStep == 0 || bStep == 1) && aStep + bStep > 0,
                    "VectorMath.compare: steps must be 0 or 1 and not both 0 (got \(aStep), \(bStep))")
        let level = Int32(isa.rawValue)
        let bytes = UnsafeMutableRawPointer(y).assumingMemoryBound(to: UInt8.self)
        opsSplit(n) { lo, len in
            ember_f32_compare_level(level, op.rawValue, a + lo * aStep, aStep, b + lo * bStep, bStep, bytes + lo, len)
        }
    }

    /// The input gradient of an activation from its output `y` and output gradient `g`, in one pass:
    /// `.relu` gives `y > 0 ? g : 0`, `.sigmoid` `g * y * (1 - y)`, `.tanh` `g * (1 - y * y)` (evaluated in
    /// that order, so the results equal the composed Tensor formulas bit for bit). Other ops stop.
    ///
    /// - Parameters:
    ///   - op: The operation.
    ///   - g: The output gradient.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - out: The input gradient (written).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func unaryBackward(_ op: Unary, gradient g: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                                     _ out: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA = .active) {
        kernelCheck(op == .relu || op == .sigmoid || op == .tanh, "VectorMath.unaryBackward: no fused backward for \(op)")
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_f32_unary_backward_level(level, op.rawValue, g + lo, y + lo, out + lo, len) }
    }

    /// The input gradient of the exact GELU from its input `x` and output gradient `g`, in one pass:
    /// `g * (Φ(x) + x * φ(x))`, with Φ from the vectorized erf (double, rounded once) and φ from the float exp.
    ///
    /// - Parameters:
    ///   - g: The output gradient.
    ///   - x: The GELU's input.
    ///   - out: The input gradient (written; may be `g`).
    ///   - n: The number of elements.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func geluBackward(gradient g: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                    _ out: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_f32_unary_backward_level(level, Unary.gelu.rawValue, g + lo, x + lo, out + lo, len) }
    }

    /// `acc[c] += x[r * ld + c]` for `r < rows`, `c < cols`, each column summed in row order in Double (so
    /// the result equals a scalar column loop exactly); columns are split over the pool when large.
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - rows: The number of rows.
    ///   - cols: The number of columns.
    ///   - ld: The step in elements between rows.
    ///   - acc: The column sums, added to.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                                     into acc: UnsafeMutablePointer<Double>, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        if rows * cols <= opsParallelThreshold || cols < 32 {
            ember_f32_colsum_f64_level(level, x, rows, cols, ld, acc)
            return
        }
        // Chunks of 16 columns keep every thread on whole vectors.
        let blocks = (cols + 15) / 16
        ThreadPool.shared.parallelFor(blocks, minChunk: Swift.max(1, opsMinChunk / Swift.max(1, rows * 16))) { range in
            let c0 = range.lowerBound * 16, c1 = Swift.min(cols, range.upperBound * 16)
            ember_f32_colsum_f64_level(level, x + c0, rows, c1 - c0, ld, acc + c0)
        }
    }

    /// `out[r]` = the Double sum of row `r` (`n` contiguous values starting at `x + r * n`).
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - rows: The number of rows.
    ///   - n: The number of elements (per row for the row ops).
    ///   - out: The input gradient (written).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func rowSums(_ x: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Double>,
                               isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        splitRows(rows, n) { r0, r1 in ember_f32_rowsum_f64_level(level, x + r0 * n, r1 - r0, n, out + r0) }
    }

    /// Softmax (or log-softmax when `log`) of each of `rows` contiguous rows of `n` values, max-shifted;
    /// the row sums accumulate in Double. Matches `torch.softmax(x, dim=-1)` within a few ulp.
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - rows: The number of rows.
    ///   - n: The number of elements (per row for the row ops).
    ///   - log: Log-softmax instead of softmax.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                                   log: Bool, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        splitRows(rows, n) { r0, r1 in
            ember_f32_softmax_rows_level(level, x + r0 * n, y + r0 * n, r1 - r0, n, log ? 1 : 0)
        }
    }

    /// The input gradient of row softmax, `y * (g - sum(g * y))`, or of log-softmax, `g - exp(y) * sum(g)`.
    ///
    /// - Parameters:
    ///   - g: The output gradient.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - gx: The input gradient (written).
    ///   - rows: The number of rows.
    ///   - n: The number of elements (per row for the row ops).
    ///   - log: Log-softmax instead of softmax.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func softmaxBackwardRows(gradient g: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                                           _ gx: UnsafeMutablePointer<Float>, rows: Int, n: Int, log: Bool,
                                           isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        splitRows(rows, n) { r0, r1 in
            ember_f32_softmax_backward_rows_level(level, g + r0 * n, y + r0 * n, gx + r0 * n, r1 - r0, n, log ? 1 : 0)
        }
    }

    /// Exact float32 → float64 conversion of `n` values.
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func convert(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Double>, _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_f32_to_f64_level(level, x + lo, y + lo, len) }
    }

    /// float64 → float32 conversion (round to nearest even, like `Float(_: Double)`).
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func convert(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_f64_to_f32_level(level, x + lo, y + lo, len) }
    }

    /// Exact uint8 → float32 conversion (the `ToTensor` path of image batches).
    ///
    /// - Parameters:
    ///   - x: The input.
    ///   - y: The output (may alias an input where the summary says so; the activation's output for the backward ops).
    ///   - n: The number of elements (per row for the row ops).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func convert(_ x: UnsafePointer<UInt8>, _ y: UnsafeMutablePointer<Float>, _ n: Int, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        opsSplit(n) { lo, len in ember_u8_to_f32_level(level, x + lo, y + lo, len) }
    }

    /// Runs `body(start, length)` over `0..<n`, in slices over the pool when `n` exceeds `opsParallelThreshold`.
    @inline(__always)
    static func opsSplit(_ n: Int, _ body: (Int, Int) -> Void) {
        if n <= opsParallelThreshold {
            if n > 0 { body(0, n) }
            return
        }
        ThreadPool.shared.parallelFor(n, minChunk: opsMinChunk) { range in body(range.lowerBound, range.count) }
    }

    /// Runs `body(firstRow, endRow)` over `rows` rows of `n` elements, split over the pool when large.
    @inline(__always)
    static func splitRows(_ rows: Int, _ n: Int, _ body: (Int, Int) -> Void) {
        if rows * n <= opsParallelThreshold || rows < 2 {
            if rows > 0 { body(0, rows) }
            return
        }
        ThreadPool.shared.parallelFor(rows, minChunk: Swift.max(1, opsMinChunk / Swift.max(1, n))) { range in
            body(range.lowerBound, range.upperBound)
        }
    }
}
