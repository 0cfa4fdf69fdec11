// Random tensors: rand, randn, randint, normal, randperm, multinomial, bernoulli and the in-place fills.
import Foundation
import EmberKernels

// Which streams match PyTorch 2.x (CPU, x86-64) bit for bit, checked against torch 2.13 (RandomTests, zoo.json):
// - rand / uniform_ (float32, float64), randint, randperm, bernoulli(probs) (float32/float64 probs),
//   bernoulli_(p:), multinomial with replacement.
// - randn / normal / normal_ of any size, float32 and float64. Fewer than 16 elements (or a non-contiguous
//   target): PyTorch's scalar `normal_distribution<double>` with its cached second value. 16 or more contiguous
//   elements: PyTorch's `normal_fill` (all uniforms first, Box-Muller on blocks of 16 pairing j with j + 8, the
//   last 16 redrawn when the size is not a multiple of 16). float64 blocks use libm log/cos/sin and one fma, as
//   PyTorch's scalar template does. float32 blocks go through `RandomKernels.boxMuller16`, which reproduces the
//   kernel PyTorch runs on every x86 CPU with AVX2 (AVX-512 CPUs run the same one: `normal_stub` has no AVX-512
//   variant): Cephes-style log/sincos from `avx_mathfun.h` with the multiply-adds its GCC build fuses (not SLEEF,
//   and not libm). PyTorch on a CPU without AVX2 or on ARM uses libm there and differs in the last bits.
// - float16/bfloat16 normals: float32 normals rounded, drawn in PyTorch's order for them (uniforms block by block).
// - multinomial without replacement (PyTorch draws exponentials there, through MKL when available): same
//   distribution only.

extension Tensor {
    // MARK: Uniform

    /// Uniform samples in [0, 1) (`torch.rand`).
    ///
    /// Matches PyTorch's stream: after `manualSeed(0)`, `Tensor.rand(3)` is
    /// `tensor([0.4963, 0.7682, 0.0885])`. float32 uses 24 random bits per value, float64 53.
    ///
    /// ```swift
    /// manualSeed(0)
    /// let x = Tensor.rand(2, 3)
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func rand(_ shape: Int..., dtype: DType = .float32, generator: Generator? = nil,
                            requiresGrad: Bool = false) -> Tensor {
        rand(shape, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }
    /// Uniform samples in [0, 1) (`torch.rand`); see `rand(_:dtype:generator:requiresGrad:)`.
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil,
                            requiresGrad: Bool = false) -> Tensor {
        emberCheck(dtype.isFloatingPoint, "rand", "\"check_uniform_bounds\" not implemented for '\(dtype)'")
        let t = Tensor(empty: shape, dtype: dtype)
        t.fillUniform(from: 0, to: 1, generator: generator ?? .current)
        if requiresGrad { t.requiresGrad = true }
        return t
    }

    /// Fills self with uniform samples in [from, to) in place (`uniform_`), PyTorch's stream.
    ///
    /// - Parameters:
    ///   - from: The lower bound of the interval.
    ///   - to: The upper bound of the interval.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public func uniform_(from: Double = 0, to: Double = 1, generator: Generator? = nil) -> Tensor {
        checkInPlaceAllowed("uniform_")
        emberCheck(dtype.isFloatingPoint, "uniform_", "\"check_uniform_bounds\" not implemented for '\(dtype)'")
        emberCheck(from <= to, "uniform_", "uniform_ expects to return a [from, to) range, but found from=\(from) > to=\(to)")
        fillUniform(from: from, to: to, generator: generator ?? .current)
        bumpVersion()
        return self
    }

    /// Writes `x * (to - from) + from` for uniform `x`, in the element type, in PyTorch's visiting order.
    func fillUniform(from: Double, to: Double, generator: Generator) {
        let target = iteratorOrderView()
        let dst = target.isContiguous ? target : Tensor(empty: target.shape, dtype: dtype)
        let n = numel
        generator.withLockedEngine { e in
            // PyTorch's kernel is compiled with FMA contraction: `x * span + from` rounds once.
            switch dtype {
            case .float64:
                let p = dst.pointer(as: Double.self)
                let span = to - from
                e.fillUniform(p, count: n, from: from, span: span)
            default:
                // float16/bfloat16 draw float32 values (24 bits) and round, as PyTorch does.
                let dst32 = dtype == .float32 ? dst : Tensor(empty: target.shape, dtype: .float32)
                let p = dst32.pointer(as: Float.self)
                let f = Float(from), span = Float(to) - Float(from)
                e.fillUniform(p, count: n, from: f, span: span)
                if dst32 !== dst { copyElements(from: dst32, into: dst) }
            }
        }
        if dst !== target { copyElements(from: dst, into: target) }
    }

    // MARK: Normal

    /// Standard normal samples (`torch.randn`).
    ///
    /// Same Box-Muller stream as PyTorch: after `manualSeed(0)`, `Tensor.randn(3)` is
    /// `tensor([ 1.5410, -0.2934, -2.1788])`; every size and dtype matches PyTorch bit for bit on x86-64 (file header).
    ///
    /// ```swift
    /// let w = Tensor.randn(784, 256) * 0.01
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func randn(_ shape: Int..., dtype: DType = .float32, generator: Generator? = nil,
                             requiresGrad: Bool = false) -> Tensor {
        randn(shape, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }
    /// Standard normal samples (`torch.randn`); see `randn(_:dtype:generator:requiresGrad:)`.
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil,
                             requiresGrad: Bool = false) -> Tensor {
        normal(mean: 0, std: 1, shape: shape, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// Normal samples with the given mean and standard deviation (`torch.normal(mean, std, size)`).
    ///
    /// - Parameters:
    ///   - mean: The mean of the distribution (per element for the tensor form).
    ///   - std: The standard deviation of the distribution (per element for the tensor form).
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func normal(mean: Double = 0, std: Double = 1, shape: [Int], dtype: DType = .float32,
                              generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        emberCheck(dtype.isFloatingPoint, "normal", "\"normal_kernel_cpu\" not implemented for '\(dtype)'")
        emberCheck(std >= 0, "normal", "normal expects std >= 0.0, but found std \(std)")
        let t = Tensor(empty: shape, dtype: dtype)
        t.fillNormal(mean: mean, std: std, generator: generator ?? .current)
        if requiresGrad { t.requiresGrad = true }
        return t
    }

    /// Normal samples with elementwise (broadcast) `mean` and `std` tensors (`torch.normal(mean, std)`).
    ///
    /// Like PyTorch, draws standard normals of the broadcast shape, then scales and shifts them.
    /// Not differentiable (use `mean + std * Tensor.randn(...)` for a reparameterized sample).
    ///
    /// - Parameters:
    ///   - mean: The mean of the distribution (per element for the tensor form).
    ///   - std: The standard deviation of the distribution (per element for the tensor form).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    public static func normal(mean: Tensor, std: Tensor, generator: Generator? = nil) -> Tensor {
        checkNoGradNeeded("normal", mean, std)
        let shape = broadcastShapes(mean.shape, std.shape, op: "normal")
        let dtype = DType.promote(mean.dtype, std.dtype)
        let z = randn(shape, dtype: dtype.isFloatingPoint ? dtype : .float32, generator: generator)
        return noGrad { z * std + mean }
    }

    /// Fills self with normal samples in place (`normal_`).
    ///
    /// - Parameters:
    ///   - mean: The mean of the distribution (per element for the tensor form).
    ///   - std: The standard deviation of the distribution (per element for the tensor form).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public func normal_(mean: Double = 0, std: Double = 1, generator: Generator? = nil) -> Tensor {
        checkInPlaceAllowed("normal_")
        emberCheck(dtype.isFloatingPoint, "normal_", "\"normal_kernel_cpu\" not implemented for '\(dtype)'")
        emberCheck(std >= 0, "normal_", "normal expects std >= 0.0, but found std \(std)")
        fillNormal(mean: mean, std: std, generator: generator ?? .current)
        bumpVersion()
        return self
    }

    /// PyTorch's `normal_kernel`: a vectorized Box-Muller over blocks of 16 for contiguous tensors of
    /// 16+ elements, else the scalar `normal_distribution<double>` with its cached second value.
    func fillNormal(mean: Double, std: Double, generator: Generator) {
        let n = numel
        generator.withLockedEngine { e in
            if n >= 16 && isContiguous && dtype == .float32 {
                fillNormal16(pointer(as: Float.self), n, Float(mean), Float(std), &e)
            } else if n >= 16 && isContiguous && dtype == .float64 {
                fillNormal16(pointer(as: Double.self), n, mean, std, &e)
            } else if n >= 16 && isContiguous {
                let tmp = Tensor(empty: shape, dtype: .float32)
                // float16/bfloat16: PyTorch draws each block's 16 uniforms just before its transform, so the tail
                // block's uniforms follow the full blocks' (not all n values first, as for float32).
                fillNormal16(tmp.pointer(as: Float.self), n, Float(mean), Float(std), &e, uniformsPerBlock: true)
                copyElements(from: tmp, into: self)
            } else {
                let target = iteratorOrderView()
                let dst = target.isContiguous ? target : Tensor(empty: target.shape, dtype: dtype)
                for i in 0..<n { dst.writeScalar(mean.addingProduct(e.nextNormal(), std), at: i) }
                if dst !== target { copyElements(from: dst, into: target) }
            }
        }
    }

    // MARK: Integers and permutations

    /// Integers uniform in `low..<high` (`torch.randint(low, high, size)`), int64 by default.
    ///
    /// PyTorch's stream: `low + (bits % (high - low))` with 32 random bits (64 when the range needs them).
    ///
    /// ```swift
    /// let labels = Tensor.randint(low: 0, high: 10, shape: [64])
    /// ```
    ///
    /// - Parameters:
    ///   - low: The smallest value drawn.
    ///   - high: One more than the largest value drawn.
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    public static func randint(low: Int = 0, high: Int, shape: [Int], dtype: DType = .int64,
                               generator: Generator? = nil) -> Tensor {
        emberCheck(low < high, "randint", "random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
        let range = UInt64(bitPattern: Int64(high) &- Int64(low))
        let t = Tensor(empty: shape, dtype: dtype)
        let n = t.numel
        (generator ?? .current).withLockedEngine { e in
            let wide = range >= (1 << 32) && (dtype == .int64 || dtype == .float64 || dtype == .float32 || dtype == .bfloat16)
            for i in 0..<n {
                let bits = wide ? e.next64() : UInt64(e.next32())
                let v = Int64(low) &+ Int64(bitPattern: bits % range)
                if dtype == .int64 { t.pointer(as: Int64.self)[i] = v } else { t.writeScalar(Double(v), at: i) }
            }
        }
        return t
    }

    /// A random permutation of `0..<n` (`torch.randperm`), PyTorch's Fisher-Yates stream.
    ///
    /// - Parameters:
    ///   - n: The number of values to permute (0..<n).
    ///   - dtype: The element type of the result.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    public static func randperm(_ n: Int, dtype: DType = .int64, generator: Generator? = nil) -> Tensor {
        emberCheck(n >= 0, "randperm", "n must be non-negative, got\(n)")
        var r = [Int64](repeating: 0, count: n)
        (generator ?? .current).withLockedEngine { e in
            if n < Int(UInt32.max / 20) {
                for i in 0..<n { r[i] = Int64(i) }
                if n > 1 {
                    for i in 0..<(n - 1) {
                        let z = Int(UInt64(e.next32()) % UInt64(n - i))
                        r.swapAt(i, z + i)
                    }
                }
            } else {
                // PyTorch's "inside-out" variant with 64-bit draws for very large n.
                for i in 0..<n {
                    let z = Int(e.next64() % UInt64(i + 1))
                    r[i] = r[z]
                    r[z] = Int64(i)
                }
            }
        }
        return Tensor(r, shape: [n]).to(dtype)
    }

    // MARK: Bernoulli and multinomial

    /// Fills self with 1 (probability `p`) or 0 in place (`bernoulli_(p)`); 53-bit uniforms as in PyTorch.
    @discardableResult
    public func bernoulli_(p: Double = 0.5, generator: Generator? = nil) -> Tensor {
        checkInPlaceAllowed("bernoulli_")
        emberCheck(p >= 0 && p <= 1, "bernoulli_", "bernoulli_ expects p to be in [0, 1], but got p=\(p)")
        let target = iteratorOrderView()
        let dst = target.isContiguous ? target : Tensor(empty: target.shape, dtype: dtype)
        let n = numel
        (generator ?? .current).withLockedEngine { e in
            for i in 0..<n { dst.writeScalar(e.nextDouble() < p ? 1 : 0, at: i) }
        }
        if dst !== target { copyElements(from: dst, into: target) }
        bumpVersion()
        return self
    }

    /// 1 with probability `probs[i]`, else 0, elementwise (`torch.bernoulli(probs)`), with `probs`' dtype.
    ///
    /// Matches PyTorch's stream: one uniform of `probs`' precision (24 bits for float32) per element.
    /// Not differentiable.
    public static func bernoulli(_ probs: Tensor, generator: Generator? = nil) -> Tensor {
        checkNoGradNeeded("bernoulli", probs)
        emberCheck(probs.dtype.isFloatingPoint, "bernoulli", "expected a floating point probs tensor, got \(probs.dtype)")
        let p = probs.contiguous().to(.float64).scalars
        for v in p where !(v >= 0 && v <= 1) {
            emberFail("bernoulli", "Expected p_in >= 0 && p_in <= 1 to be true, but got false (found \(v))")
        }
        let out = Tensor(empty: probs.shape, dtype: probs.dtype)
        let double = probs.dtype == .float64
        (generator ?? .current).withLockedEngine { e in
            for i in 0..<p.count {
                let u = double ? e.nextDouble() : Double(e.nextFloat())
                out.writeScalar(u < p[i] ? 1 : 0, at: i)
            }
        }
        return out
    }

    /// Samples category indices from each row of non-negative weights (`torch.multinomial`), int64.
    ///
    /// Input `[C]` gives `[numSamples]`; input `[N, C]` gives `[N, numSamples]`. With replacement this is
    /// PyTorch's stream (inverse CDF with 53-bit uniforms); without replacement it matches only in distribution.
    ///
    /// - Parameters:
    ///   - numSamples: The number of indices drawn per row.
    ///   - replacement: Draw with replacement (an index can repeat).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    public func multinomial(_ numSamples: Int, replacement: Bool = false, generator: Generator? = nil) -> Tensor {
        emberCheck(rank == 1 || rank == 2, "multinomial", "prob_dist must be 1 or 2 dim, got shape \(shapeString(shape))")
        emberCheck(dtype.isFloatingPoint, "multinomial", "multinomial only supports floating-point dtypes for input, got: \(dtype)")
        emberCheck(numSamples > 0, "multinomial", "cannot sample n_sample <= 0 samples")
        let rows = rank == 1 ? 1 : shape[0], cats = shape[rank - 1]
        emberCheck(cats > 0, "multinomial", "number of categories cannot be zero")
        emberCheck(replacement || numSamples <= cats, "multinomial", "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        let w = detach().contiguous().to(.float64).scalars
        var result = [Int64](repeating: 0, count: rows * numSamples)
        let single = dtype != .float64
        (generator ?? .current).withLockedEngine { e in
            for r in 0..<rows {
                let row = Array(w[(r * cats)..<((r + 1) * cats)])
                var total = 0.0
                for v in row {
                    emberCheck(v >= 0 && v.isFinite, "multinomial", "probability tensor contains either `inf`, `nan` or element < 0")
                    total += v
                }
                emberCheck(total > 0, "multinomial", "invalid multinomial distribution (sum of probabilities <= 0)")
                if replacement {
                    // PyTorch accumulates the CDF in the input's precision, then normalizes it.
                    var cdf = [Double](repeating: 0, count: cats)
                    if single {
                        var s: Float = 0
                        for j in 0..<cats { s += Float(row[j]); cdf[j] = Double(s) }
                        for j in 0..<cats { cdf[j] = Double(Float(cdf[j]) / s) }
                    } else {
                        var s = 0.0
                        for j in 0..<cats { s += row[j]; cdf[j] = s }
                        for j in 0..<cats { cdf[j] /= s }
                    }
                    cdf[cats - 1] = 1
                    for j in 0..<numSamples {
                        let u = e.nextDouble()
                        var lo = 0, hi = cats
                        while hi > lo {
                            let mid = lo + (hi - lo) / 2
                            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
                        }
                        result[r * numSamples + j] = Int64(lo)
                    }
                } else {
                    // Exponential race (as PyTorch's `p / Exp(1)` top-k): larger keys win.
                    var keys = [(Double, Int)]()
                    for j in 0..<cats {
                        let q = -Foundation.log1p(-e.nextDouble())
                        keys.append((row[j] > 0 ? row[j] / q : -1, j))
                    }
                    keys.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                    for j in 0..<numSamples { result[r * numSamples + j] = Int64(keys[j].1) }
                }
            }
        }
        return Tensor(result, shape: rank == 1 ? [numSamples] : [rows, numSamples])
    }
}

extension Tensor {
    /// Self, or a permuted view of it, whose row-major order is the order in which PyTorch's TensorIterator visits
    /// the elements of a one-tensor op such as `normal_`: dimensions sorted by decreasing stride (memory order), so
    /// `x.t().normal_()` fills `x`'s memory front to back, as PyTorch does.
    func iteratorOrderView() -> Tensor {
        if isContiguous || rank < 2 { return self }
        let order = (0..<rank).sorted { (strides[$0], -$0) > (strides[$1], -$1) }
        return order == Array(0..<rank) ? self : detach().permute(order)
    }
}

/// Fills `n` values with PyTorch's `normal_fill`: uniforms for all, Box-Muller on blocks of 16 (pairing
/// element j with j+8), and a tail handled by redrawing the last 16 values. `uniformsPerBlock` is its
/// float16/bfloat16 order: uniforms for the full blocks only, so the tail's 16 come right after them.
private func fillNormal16<T: BinaryFloatingPoint>(_ data: UnsafeMutablePointer<T>, _ n: Int, _ mean: T, _ std: T,
                                                  _ e: inout MT19937, uniformsPerBlock: Bool = false) {
    let isFloat = T.self == Float.self
    func uniforms(_ d: UnsafeMutablePointer<T>, _ count: Int) {
        if isFloat { d.withMemoryRebound(to: Float.self, capacity: count) { e.fillUniform($0, count: count) } }
        else { d.withMemoryRebound(to: Double.self, capacity: count) { e.fillUniform($0, count: count) } }
    }
    func blocks(_ d: UnsafeMutablePointer<T>, _ count: Int) {
        if isFloat {
            d.withMemoryRebound(to: Float.self, capacity: count * 16) {
                RandomKernels.boxMuller16($0, blocks: count, mean: Float(mean), std: Float(std))
            }
            return
        }
        // PyTorch's scalar template for double: libm log/cos/sin, then one fused multiply-add.
        for b in 0..<count {
            let d = d + 16 * b
            for j in 0..<8 {
                let u1 = 1 - Double(d[j]), u2 = Double(d[j + 8])
                let radius = (-2 * Foundation.log(u1)).squareRoot()
                let theta = 2.0 * Double.pi * u2
                d[j] = T(Double(mean).addingProduct(radius * Foundation.cos(theta), Double(std)))
                d[j + 8] = T(Double(mean).addingProduct(radius * Foundation.sin(theta), Double(std)))
            }
        }
    }
    uniforms(data, uniformsPerBlock ? n / 16 * 16 : n)
    blocks(data, n / 16)
    if n % 16 != 0 {
        let tail = data + (n - 16)
        uniforms(tail, 16)
        blocks(tail, 1)
    }
}
