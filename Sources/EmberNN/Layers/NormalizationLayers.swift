// Normalization layers: BatchNorm1d/2d (running statistics, momentum, eval mode) and LayerNorm.
import Ember

/// Batch normalization over the channel dim (`nn.BatchNorm1d` / `nn.BatchNorm2d`): in training it normalizes
/// with the batch statistics and updates `running_mean`/`running_var` (momentum, unbiased variance) and
/// `num_batches_tracked`; in eval mode it uses the running statistics.
///
/// Shape: `[N, C, *]` → the same shape, with `C == numFeatures`.
public class BatchNorm: Module {
    public let numFeatures: Int, eps: Double, momentum: Double?, affine: Bool, trackRunningStats: Bool
    let expectedRanks: Set<Int>
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer public var numBatchesTracked: Tensor?

    init(_ numFeatures: Int, eps: Double, momentum: Double?, affine: Bool, trackRunningStats: Bool, ranks: Set<Int>, dtype: DType) {
        self.numFeatures = numFeatures; self.eps = eps; self.momentum = momentum
        self.affine = affine; self.trackRunningStats = trackRunningStats; self.expectedRanks = ranks
        weight = affine ? Tensor.ones([numFeatures], dtype: dtype) : nil
        bias = affine ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        runningMean = trackRunningStats ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        runningVar = trackRunningStats ? Tensor.ones([numFeatures], dtype: dtype) : nil
        numBatchesTracked = trackRunningStats ? Tensor.zeros([], dtype: .int64) : nil
    }

    public override func forward(_ x: Tensor) -> Tensor {
        emberCheck(expectedRanks.contains(x.rank), typeName, "expected \(expectedRanks.sorted().map { "\($0)D" }.joined(separator: " or ")) input (got \(x.rank)D input)")
        var factor = momentum ?? 0
        if training && trackRunningStats, let n = numBatchesTracked {
            noGrad { n += 1 }
            // momentum=None means a cumulative moving average, as in PyTorch.
            if momentum == nil { factor = 1 / n.item() }
        }
        let useBatchStats = training || runningMean == nil
        return F.batchNorm(x, runningMean: useBatchStats && !trackRunningStats ? nil : runningMean,
                           runningVar: useBatchStats && !trackRunningStats ? nil : runningVar,
                           weight: weight, bias: bias, training: useBatchStats, momentum: factor, eps: eps)
    }
    public override var extraDescription: String {
        "\(numFeatures), eps=\(eps), momentum=\(momentum.map { "\($0)" } ?? "None"), affine=\(affine ? "True" : "False"), bias=\(bias != nil ? "True" : "False"), track_running_stats=\(trackRunningStats ? "True" : "False")"
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs (`nn.BatchNorm1d`).
///
/// Shape: `[N, C]` or `[N, C, L]` → the same shape, with `C == numFeatures`.
public final class BatchNorm1d: BatchNorm {
    /// Batch normalization over `numFeatures` channels (weight 1, bias 0, running mean 0, running variance 1).
    ///
    /// - Parameters:
    ///   - numFeatures: The number of channels `C` of the input.
    ///   - eps: Added to the variance for numerical stability.
    ///   - momentum: The weight of the new batch statistics in the running ones (nil: a cumulative average).
    ///   - affine: Whether the layer has a learnable per-channel scale (`weight`) and shift (`bias`).
    ///   - trackRunningStats: Keep running mean and variance for eval mode (false: always use batch statistics).
    ///   - dtype: The element type of the parameters and buffers.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, ranks: [2, 3], dtype: dtype)
    }
}

/// Batch normalization of `[N, C, H, W]` inputs (`nn.BatchNorm2d`).
///
/// Shape: `[N, C, H, W]` → the same shape, with `C == numFeatures`.
public final class BatchNorm2d: BatchNorm {
    /// Batch normalization over `numFeatures` channels (weight 1, bias 0, running mean 0, running variance 1).
    ///
    /// - Parameters:
    ///   - numFeatures: The number of channels `C` of the input.
    ///   - eps: Added to the variance for numerical stability.
    ///   - momentum: The weight of the new batch statistics in the running ones (nil: a cumulative average).
    ///   - affine: Whether the layer has a learnable per-channel scale (`weight`) and shift (`bias`).
    ///   - trackRunningStats: Keep running mean and variance for eval mode (false: always use batch statistics).
    ///   - dtype: The element type of the parameters and buffers.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, ranks: [4], dtype: dtype)
    }
}

/// Layer normalization over the last dims (`nn.LayerNorm`), with an elementwise affine transform by default.
///
/// Shape: `[*, normalizedShape...]` → the same shape; `weight` and `bias` are `normalizedShape`.
public final class LayerNorm: Module {
    public let normalizedShape: [Int], eps: Double
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    /// Layer normalization over the trailing `normalizedShape` dimensions (weight 1, bias 0).
    ///
    /// - Parameters:
    ///   - normalizedShape: The trailing dimensions to normalize over (one number for the last dimension).
    ///   - eps: Added to the variance for numerical stability.
    ///   - elementwiseAffine: Whether the layer has a learnable per-element scale (`weight`).
    ///   - bias: Whether the layer has a learnable per-element shift (with `elementwiseAffine`).
    ///   - dtype: The element type of the parameters and buffers.
    public init(_ normalizedShape: IntTuple, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true, dtype: DType = .float32) {
        self.normalizedShape = normalizedShape.intValues
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(self.normalizedShape, dtype: dtype) : nil
        self.bias = elementwiseAffine && bias ? Tensor.zeros(self.normalizedShape, dtype: dtype) : nil
    }
    public override func forward(_ x: Tensor) -> Tensor { F.layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps) }
    public override var extraDescription: String { "\(tupleText(normalizedShape)), eps=\(eps), elementwise_affine=\(weight != nil ? "True" : "False"), bias=\(bias != nil ? "True" : "False")" }
}
