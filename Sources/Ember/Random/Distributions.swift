// Probability distributions (torch.distributions): Normal, Uniform, Bernoulli, Categorical, Multinomial.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A family of probability distributions with PyTorch's `torch.distributions` surface.
///
/// `sample(shape)` returns `shape + batchShape + eventShape` values drawn without recording the graph;
/// `logProb(value)` broadcasts `value` against the batch and is written with Tensor ops, so it is
/// differentiable with respect to the parameters wherever PyTorch's is.
public protocol Distribution {
    /// The shape of independent parameter sets (`batch_shape`).
    var batchShape: [Int] { get }
    /// The shape of one sample of one distribution (`event_shape`): `[]` except `[K]` for Multinomial.
    var eventShape: [Int] { get }
    /// Draws `shape + batchShape + eventShape` samples (not differentiable), from `generator` or the default.
    func sample(_ shape: [Int], generator: Generator?) -> Tensor
    /// Log of the probability (density or mass) of `value` (`log_prob`).
    func logProb(_ value: Tensor) -> Tensor
}

extension Distribution {
    /// Draws `shape + batchShape + eventShape` samples from the default generator.
    ///
    /// ```swift
    /// let counts = Multinomial(totalCount: 10, probs: Tensor.ones(6) / 6).sample([500])   // [500, 6]
    /// ```
    public func sample(_ shape: [Int] = []) -> Tensor { sample(shape, generator: nil) }
}

/// `torch.distributions.utils.clamp_probs`: keeps probabilities inside [eps, 1 - eps] so logs stay finite.
func clampProbs(_ p: Tensor) -> Tensor {
    let eps = p.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne)
    return p.clamp(min: eps, max: 1 - eps)
}

/// Log of the sum of exponentials along the last dim, keeping it (a detached row maximum keeps it stable).
func logSumExpLastDim(_ x: Tensor) -> Tensor {
    let k = x.shape.last ?? 1
    let flat = x.detach().contiguous().to(.float64).scalars
    var maxes: [Double] = []
    for r in 0..<(flat.count / Swift.max(k, 1)) {
        let m = flat[(r * k)..<((r + 1) * k)].max() ?? 0
        maxes.append(m.isFinite ? m : 0)
    }
    let m = Tensor(maxes, shape: Array(x.shape.dropLast()) + [1]).to(x.dtype)
    return (x - m).exp().sum(dim: -1, keepDim: true).log() + m
}

/// Converts a Swift number parameter to a 0-d float32 tensor, as `broadcast_all` does.
func scalarParameter(_ v: Double) -> Tensor { Tensor(scalar: v, dtype: .float32) }

// MARK: - Normal

/// The normal (Gaussian) distribution with mean `loc` and standard deviation `scale` (`torch.distributions.Normal`).
///
/// `sample` uses the same stream as PyTorch (`normal_(0, 1)` of the broadcast shape, then scale and shift);
/// `rsample` is the differentiable reparameterized sample `loc + eps * scale`.
///
/// ```swift
/// let d = Normal(loc: 0, scale: 1)
/// d.logProb(tensor(0.0))   // tensor(-0.9189)
/// ```
public final class Normal: Distribution {
    public let loc: Tensor
    public let scale: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }

    public init(loc: Tensor, scale: Tensor) {
        self.loc = loc
        self.scale = scale
        batchShape = broadcastShapes(loc.shape, scale.shape, op: "Normal")
    }
    public convenience init(loc: Double, scale: Double) { self.init(loc: scalarParameter(loc), scale: scalarParameter(scale)) }

    public func sample(_ shape: [Int], generator: Generator?) -> Tensor {
        noGrad { Tensor.normal(mean: loc.expand(shape + batchShape), std: scale.expand(shape + batchShape), generator: generator) }
    }
    /// A reparameterized sample, differentiable with respect to `loc` and `scale`.
    public func rsample(_ shape: [Int] = [], generator: Generator? = nil) -> Tensor {
        let eps = Tensor.randn(shape + batchShape, dtype: DType.promote(loc.dtype, scale.dtype), generator: generator)
        return loc + eps * scale
    }
    public func logProb(_ value: Tensor) -> Tensor {
        let variance = scale * scale
        return -((value - loc) * (value - loc)) / (2 * variance) - scale.log() - Foundation.log((2 * Double.pi).squareRoot())
    }
    public var mean: Tensor { loc.expand(batchShape) }
    public var stddev: Tensor { scale.expand(batchShape) }
    public var variance: Tensor { (scale * scale).expand(batchShape) }
    /// Differential entropy `0.5 + 0.5 log(2 pi) + log(scale)`.
    public func entropy() -> Tensor { (0.5 + 0.5 * Foundation.log(2 * Double.pi) + scale.log()).expand(batchShape) }
}

// MARK: - Uniform

/// The continuous uniform distribution on `[low, high)` (`torch.distributions.Uniform`).
///
/// `logProb` is `-log(high - low)` inside the support and `-inf` outside, as in PyTorch.
public final class Uniform: Distribution {
    public let low: Tensor
    public let high: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }

    public init(low: Tensor, high: Tensor) {
        self.low = low
        self.high = high
        batchShape = broadcastShapes(low.shape, high.shape, op: "Uniform")
    }
    public convenience init(low: Double, high: Double) { self.init(low: scalarParameter(low), high: scalarParameter(high)) }

    public func sample(_ shape: [Int], generator: Generator?) -> Tensor { noGrad { rsample(shape, generator: generator) } }
    /// A reparameterized sample `low + u * (high - low)`, differentiable with respect to both bounds.
    public func rsample(_ shape: [Int] = [], generator: Generator? = nil) -> Tensor {
        let u = Tensor.rand(shape + batchShape, dtype: low.dtype.isFloatingPoint ? low.dtype : .float32, generator: generator)
        return low + u * (high - low)
    }
    public func logProb(_ value: Tensor) -> Tensor {
        let dt = low.dtype.isFloatingPoint ? low.dtype : .float32
        let inside = low.le(value).to(dt) * high.gt(value).to(dt)
        return inside.log() - (high - low).log()
    }
    public var mean: Tensor { ((high + low) / 2).expand(batchShape) }
    public var variance: Tensor { ((high - low) * (high - low) / 12).expand(batchShape) }
    public func entropy() -> Tensor { (high - low).log().expand(batchShape) }
}

// MARK: - Bernoulli

/// The Bernoulli distribution: 1 with probability `probs`, else 0 (`torch.distributions.Bernoulli`).
///
/// `logProb` is PyTorch's `-binary_cross_entropy_with_logits(logits, value)` with
/// `logits = log(p) - log1p(-p)` on probabilities clamped to [eps, 1 - eps].
public final class Bernoulli: Distribution {
    public let probs: Tensor
    public let logits: Tensor
    public var batchShape: [Int] { probs.shape }
    public var eventShape: [Int] { [] }

    public init(probs: Tensor) {
        self.probs = probs
        let p = clampProbs(probs)
        logits = p.log() - (-p).log1p()
    }
    public init(logits: Tensor) {
        self.logits = logits
        probs = logits.sigmoid()
    }
    public convenience init(probs: Double) { self.init(probs: scalarParameter(probs)) }

    public func sample(_ shape: [Int], generator: Generator?) -> Tensor {
        noGrad { Tensor.bernoulli(probs.expand(shape + batchShape), generator: generator) }
    }
    public func logProb(_ value: Tensor) -> Tensor {
        // log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)); loss = (1 - value) * x - log_sigmoid(x).
        let x = logits
        let logSigmoid = Tensor.minimum(x, Tensor.zerosLike(x)) - (-x.abs()).exp().log1p()
        return -((1 - value) * x - logSigmoid)
    }
    public var mean: Tensor { probs }
    public var variance: Tensor { probs * (1 - probs) }
    public func entropy() -> Tensor { -logProb(probs) }
}

// MARK: - Categorical

/// A distribution over `0..<K` given by the last dimension of `probs` (normalized) or `logits`
/// (`torch.distributions.Categorical`).
///
/// `sample` follows PyTorch's `multinomial(probs, n, replacement: true)` stream (for a single draw
/// PyTorch switches to another algorithm, so `sample([])` matches only in distribution).
public final class Categorical: Distribution {
    /// Normalized probabilities, shape `batchShape + [K]`.
    public let probs: Tensor
    /// Normalized log-probabilities, shape `batchShape + [K]`.
    public let logits: Tensor
    public var batchShape: [Int] { Array(probs.shape.dropLast()) }
    public var eventShape: [Int] { [] }
    /// The number of categories K.
    public var numCategories: Int { probs.shape.last ?? 0 }

    public init(probs: Tensor) {
        emberCheck(probs.rank >= 1, "Categorical", "probs must be at least one-dimensional, got shape \(shapeString(probs.shape))")
        self.probs = probs / probs.sum(dim: -1, keepDim: true)
        logits = clampProbs(self.probs).log()
    }
    public init(logits: Tensor) {
        emberCheck(logits.rank >= 1, "Categorical", "logits must be at least one-dimensional, got shape \(shapeString(logits.shape))")
        self.logits = logits - logSumExpLastDim(logits)
        probs = self.logits.exp()
    }

    public func sample(_ shape: [Int], generator: Generator?) -> Tensor {
        let k = numCategories
        let n = shape.reduce(1, *)
        if n == 0 { return Tensor.zeros(shape + batchShape, dtype: .int64) }
        let probs2d = probs.detach().reshape([-1, k])
        return probs2d.multinomial(n, replacement: true, generator: generator).t().contiguous().reshape(shape + batchShape)
    }
    /// `log(probs[value])`, broadcasting `value` (integer categories) against the batch.
    public func logProb(_ value: Tensor) -> Tensor {
        let k = numCategories
        let v = value.detach().long()
        for c in v.toArray(as: Int64.self) where c < 0 || c >= k {
            emberFail("Categorical.logProb", "value \(c) is outside the support 0..<\(k)")
        }
        let oneHot = v.unsqueeze(-1).eq(Tensor.arange(k)).to(logits.dtype)
        return (oneHot * logits).sum(dim: -1)
    }
    public func entropy() -> Tensor { -(probs * logits).sum(dim: -1) }
}

// MARK: - Multinomial

/// Counts of `totalCount` independent draws from `probs` over K categories (`torch.distributions.Multinomial`).
///
/// Samples have shape `shape + batchShape + [K]`, each row summing to `totalCount`, in `probs`' dtype.
/// The draws are PyTorch's (a Categorical sample of shape `[totalCount] + shape`, then counted) whenever that
/// Categorical sample holds two or more values per distribution. With exactly one (`totalCount: 1` and no sample
/// shape), PyTorch's `multinomial` switches to its one-sample path — an exponential race, `argmax(p / Exp(1))`,
/// drawn through MKL's exponential generator on x86 — so Ember's samples follow the same distribution but are
/// not PyTorch's values for the same seed there.
///
/// ```swift
/// let counts = Multinomial(totalCount: 10, probs: Tensor.ones(6) / 6).sample([500])   // [500, 6]
/// ```
public final class Multinomial: Distribution {
    public let totalCount: Int
    let categorical: Categorical
    /// Normalized probabilities, shape `batchShape + [K]`.
    public var probs: Tensor { categorical.probs }
    /// Normalized log-probabilities.
    public var logits: Tensor { categorical.logits }
    public var batchShape: [Int] { categorical.batchShape }
    public var eventShape: [Int] { [categorical.numCategories] }

    public init(totalCount: Int = 1, probs: Tensor) {
        emberCheck(totalCount >= 0, "Multinomial", "totalCount must be non-negative, got \(totalCount)")
        self.totalCount = totalCount
        categorical = Categorical(probs: probs)
    }
    public init(totalCount: Int = 1, logits: Tensor) {
        emberCheck(totalCount >= 0, "Multinomial", "totalCount must be non-negative, got \(totalCount)")
        self.totalCount = totalCount
        categorical = Categorical(logits: logits)
    }

    public func sample(_ shape: [Int], generator: Generator?) -> Tensor {
        let k = categorical.numCategories
        let outShape = shape + batchShape + [k]
        let counts = Tensor.zeros(outShape, dtype: .float64)
        let rows = (shape + batchShape).reduce(1, *)
        if totalCount > 0 && rows > 0 {
            // Draws have shape [totalCount, rows]: draw t of row r is at t * rows + r.
            let draws = categorical.sample([totalCount] + shape, generator: generator).toArray(as: Int64.self)
            let c = counts.pointer(as: Double.self)
            for t in 0..<totalCount { for r in 0..<rows { c[r * k + Int(draws[t * rows + r])] += 1 } }
        }
        return counts.to(probs.dtype)
    }
    /// `log(n! / prod(x_i!)) + sum(x_i log p_i)` for count vectors `value` (last dim K).
    public func logProb(_ value: Tensor) -> Tensor {
        checkNoGradNeeded("Multinomial.logProb (gradient with respect to the counts)", value)
        let x = value.detach().to(logits.dtype)
        let logFactorialN = lgammaConstant(x.sum(dim: -1) + 1)
        let logFactorialXs = lgammaConstant(x + 1).sum(dim: -1)
        return logFactorialN - logFactorialXs + (logits * x).sum(dim: -1)
    }
    public var mean: Tensor { probs * Double(totalCount) }
    public var variance: Tensor { probs * (1 - probs) * Double(totalCount) }
}

/// `lgamma` of a tensor that needs no gradient (counts), elementwise.
private func lgammaConstant(_ x: Tensor) -> Tensor {
    let v = x.contiguous().to(.float64).scalars.map { (d: Double) -> Double in logGamma(d) }
    return Tensor(v, shape: x.shape).to(x.dtype)
}

#if canImport(Glibc)
private func logGamma(_ x: Double) -> Double { Glibc.lgamma(x) }
#else
private func logGamma(_ x: Double) -> Double { Darwin.lgamma(x) }
#endif
