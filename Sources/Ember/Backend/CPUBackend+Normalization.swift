// The CPU backend's normalization: batch norm (per channel) and layer norm (per row), via NormalizationKernels.
import EmberKernels

extension CPUBackend {
    public func batchNormStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double]) {
        input.dtype.dispatchFloat("batch_norm", ChannelStatistics(input: input))
    }

    public func batchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, _ statistics: NormStatistics) -> Tensor {
        let out = input.emptyLike(shape: input.shape)
        input.dtype.dispatchFloat("batch_norm", ChannelTransform(input: input, weight: weight, bias: bias, statistics: statistics, output: out))
        return out
    }

    public func batchNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics,
                                  training: Bool, needs: GradientNeeds) -> FusedGradients {
        let c = input.shape[1]
        let grads = FusedGradients(input: needs.input ? input.emptyLike(shape: input.shape) : nil,
                                   weight: needs.weight ? input.emptyLike(shape: [c]) : nil,
                                   bias: needs.bias ? input.emptyLike(shape: [c]) : nil)
        input.dtype.dispatchFloat("batch_norm", ChannelBackward(input: input, weight: weight, gradOutput: gradOutput, statistics: statistics,
                                                                training: training, grads: grads))
        return grads
    }

    public func layerNorm(_ input: Tensor, normalizedCount: Int, weight: Tensor?, bias: Tensor?, eps: Double)
        -> (output: Tensor, statistics: NormStatistics) {
        let out = input.emptyLike(shape: input.shape)
        let statistics = input.dtype.dispatchFloat("layer_norm", RowForward(input: input, d: normalizedCount, eps: eps, weight: weight,
                                                                            bias: bias, output: out))
        return (out, statistics)
    }

    public func layerNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics,
                                  normalizedCount: Int, needs: GradientNeeds) -> FusedGradients {
        let grads = FusedGradients(input: needs.input ? input.emptyLike(shape: input.shape) : nil,
                                   weight: needs.weight ? input.emptyLike(shape: [normalizedCount]) : nil,
                                   bias: needs.bias ? input.emptyLike(shape: [normalizedCount]) : nil)
        input.dtype.dispatchFloat("layer_norm", RowBackward(input: input, weight: weight, gradOutput: gradOutput, d: normalizedCount,
                                                            statistics: statistics, grads: grads))
        return grads
    }
}

extension Tensor {
    /// `(n, c, s)` of a `[N, C, *]` tensor: batch, channels, elements per channel and sample.
    var channelLayout: (n: Int, c: Int, s: Int) {
        let n = shape[0], c = shape[1]
        return (n, c, numel / Swift.max(n * c, 1))
    }
}

/// Per-channel mean and biased variance.
private struct ChannelStatistics: FloatKernelCall {
    let input: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) -> (mean: [Double], variance: [Double]) {
        let (n, c, s) = input.channelLayout
        var mean = [Double](repeating: 0, count: c), variance = mean
        NormalizationKernels.channelStats(input.readPointer(T.self), n: n, c: c, s: s, mean: &mean, variance: &variance)
        return (mean, variance)
    }
}

/// `(x − mean) · invstd · weight + bias` per channel.
private struct ChannelTransform: FloatKernelCall {
    let input: Tensor, weight: Tensor?, bias: Tensor?, statistics: NormStatistics, output: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let (n, c, s) = input.channelLayout
        NormalizationKernels.channelTransform(input.readPointer(T.self), n: n, c: c, s: s, mean: statistics.mean, invstd: statistics.invstd,
                                              weight: weight?.readPointer(T.self), bias: bias?.readPointer(T.self), output.pointer(as: T.self))
    }
}

/// Batch norm's input, weight and bias gradients.
private struct ChannelBackward: FloatKernelCall {
    let input: Tensor, weight: Tensor?, gradOutput: Tensor, statistics: NormStatistics, training: Bool, grads: FusedGradients
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let (n, c, s) = input.channelLayout
        NormalizationKernels.channelBackward(gradOutput: gradOutput.readPointer(T.self), input: input.readPointer(T.self), n: n, c: c, s: s,
                                             mean: statistics.mean, invstd: statistics.invstd, weight: weight?.readPointer(T.self),
                                             training: training, gradInput: grads.input?.pointer(as: T.self),
                                             gradWeight: grads.weight?.pointer(as: T.self), gradBias: grads.bias?.pointer(as: T.self))
    }
}

/// Layer norm of each `d`-element row, returning each row's mean and inverse standard deviation.
private struct RowForward: FloatKernelCall {
    let input: Tensor, d: Int, eps: Double, weight: Tensor?, bias: Tensor?, output: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) -> NormStatistics {
        let rows = input.numel / Swift.max(d, 1)
        var mean = [Double](repeating: 0, count: rows), rstd = mean
        NormalizationKernels.rowForward(input.readPointer(T.self), rows: rows, d: d, eps: eps, weight: weight?.readPointer(T.self),
                                        bias: bias?.readPointer(T.self), output.pointer(as: T.self), mean: &mean, rstd: &rstd)
        return NormStatistics(mean: mean, invstd: rstd)
    }
}

/// Layer norm's input, weight and bias gradients.
private struct RowBackward: FloatKernelCall {
    let input: Tensor, weight: Tensor?, gradOutput: Tensor, d: Int, statistics: NormStatistics, grads: FusedGradients
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        NormalizationKernels.rowBackward(gradOutput: gradOutput.readPointer(T.self), input: input.readPointer(T.self),
                                         rows: input.numel / Swift.max(d, 1), d: d, mean: statistics.mean, rstd: statistics.invstd,
                                         weight: weight?.readPointer(T.self), gradInput: grads.input?.pointer(as: T.self),
                                         gradWeight: grads.weight?.pointer(as: T.self), gradBias: grads.bias?.pointer(as: T.self))
    }
}
