// The `*_like` random factories: samples with another tensor's shape and dtype.

extension Tensor {
    /// Uniform samples in [0, 1) with `t`'s shape and (by default) dtype (`torch.rand_like`).
    ///
    /// Draws the same stream as `Tensor.rand(t.shape)`.
    /// ```swift
    /// let noise = Tensor.randLike(x)
    /// ```
    ///
    /// - Parameters:
    ///   - t: The tensor whose shape (and, by default, dtype) is used.
    ///   - dtype: The element type of the result (nil: `t`'s).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func randLike(_ t: Tensor, dtype: DType? = nil, generator: Generator? = nil,
                                requiresGrad: Bool = false) -> Tensor {
        rand(t.shape, dtype: dtype ?? t.dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// Standard normal samples with `t`'s shape and (by default) dtype (`torch.randn_like`).
    ///
    /// Draws the same stream as `Tensor.randn(t.shape)`.
    /// ```swift
    /// let eps = Tensor.randnLike(mu)   // reparameterisation: mu + sigma * eps
    /// ```
    ///
    /// - Parameters:
    ///   - t: The tensor whose shape (and, by default, dtype) is used.
    ///   - dtype: The element type of the result (nil: `t`'s).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func randnLike(_ t: Tensor, dtype: DType? = nil, generator: Generator? = nil,
                                 requiresGrad: Bool = false) -> Tensor {
        randn(t.shape, dtype: dtype ?? t.dtype, generator: generator, requiresGrad: requiresGrad)
    }
}
