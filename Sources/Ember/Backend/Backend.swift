// Backend: the one seam between the front API and a device — memory, copies and the fused NN primitives.

/// What a device must provide: memory, copies, and the fused neural-network primitives (forward and
/// backward) that EmberNN calls through core. `CPUBackend` implements them with EmberKernels; a CUDA backend
/// implements the same methods with device kernels (see docs/ARCHITECTURE.md, "How a CUDA backend slots in").
///
/// Contract for every primitive: tensor arguments live on this backend's device, share one floating dtype
/// (float32 or float64; integer index tensors are int64), are contiguous and cut from the autograd graph (the
/// functional layer passes `kernelInput`s); shapes have been checked by the caller. Results are new contiguous
/// tensors on the device of the inputs, never recorded in the graph (the functional layer records the node).
/// Implementations must be thread-safe (DataLoader workers allocate concurrently).
public protocol Backend: AnyObject, Sendable {
    /// The device whose memory this backend manages.
    var device: Device { get }

    // MARK: Memory

    /// Returns at least `byteCount` bytes, 64-byte aligned.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer
    /// Gives back memory obtained from `allocate` with the same `byteCount`.
    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int)
    /// Copies `byteCount` bytes from `source` (on `sourceDevice`) to `destination` (on `destinationDevice`);
    /// one of the two devices is this backend's, the other is this one or `.cpu`.
    func copyBytes(from source: UnsafeRawPointer, on sourceDevice: Device, to destination: UnsafeMutableRawPointer,
                   on destinationDevice: Device, byteCount: Int)

    // MARK: Convolution (NCHW, im2col + GEMM on the CPU)

    /// `conv2d` forward: `input` `[N, C, H, W]`, `weight` `[O, C/groups, kH, kW]`, `bias` `[O]` → `[N, O, oH, oW]`.
    func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor
    /// The gradients of `convolution` that `needs` asks for.
    func convolutionBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout,
                             needs: GradientNeeds) -> FusedGradients
    /// `conv_transpose2d` forward: `layout` describes the convolution this op is the adjoint of (its image is
    /// this op's output, its output grid this op's input, its `outChannels` this op's input channels).
    func convolutionTransposed(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor
    /// The gradients of `convolutionTransposed` that `needs` asks for.
    func convolutionTransposedBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout,
                                       needs: GradientNeeds) -> FusedGradients

    // MARK: Pooling

    /// Max pooling of `[N, C, H, W]`; the per-plane flat argmax indices (int64) only when `withIndices`.
    func maxPool2d(_ input: Tensor, _ layout: PoolLayout, withIndices: Bool) -> (output: Tensor, indices: Tensor?)
    /// Scatters `gradOutput` into zeros of `inputShape` at `indices` (flat per plane): the backward of max pooling.
    func maxPool2dBackward(_ gradOutput: Tensor, indices: Tensor, inputShape: [Int]) -> Tensor
    /// Gathers `source[n, c].flat[indices[n, c, i]]` into `outputShape`: the adjoint of `maxPool2dBackward`.
    func maxPool2dDoubleBackward(_ source: Tensor, indices: Tensor, outputShape: [Int]) -> Tensor
    /// Average pooling of `[N, C, H, W]`.
    func avgPool2d(_ input: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor
    /// The input gradient of `avgPool2d`, shaped `[N, C, layout.height, layout.width]`.
    func avgPool2dBackward(_ gradOutput: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor
    /// Adaptive average pooling of `[N, C, H, W]` to `[N, C, outputSize[0], outputSize[1]]`.
    func adaptiveAvgPool2d(_ input: Tensor, outputSize: [Int]) -> Tensor
    /// The input gradient of `adaptiveAvgPool2d`, shaped `inputShape`.
    func adaptiveAvgPool2dBackward(_ gradOutput: Tensor, inputShape: [Int]) -> Tensor
    /// Adaptive max pooling with the per-plane flat argmax indices (its backward is `maxPool2dBackward`).
    func adaptiveMaxPool2d(_ input: Tensor, outputSize: [Int]) -> (output: Tensor, indices: Tensor)

    // MARK: Normalization

    /// Per-channel mean and biased variance of `[N, C, *]` (batch norm in training mode).
    func batchNormStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double])
    /// `(x − mean[c]) · invstd[c] · weight[c] + bias[c]` over `[N, C, *]`.
    func batchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, _ statistics: NormStatistics) -> Tensor
    /// The gradients of `batchNorm` that `needs` asks for; `training` says whether the statistics came from
    /// this batch (then they depend on the input).
    func batchNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics,
                           training: Bool, needs: GradientNeeds) -> FusedGradients
    /// Layer norm over the last `normalizedCount` elements of each row; returns the per-row statistics too.
    func layerNorm(_ input: Tensor, normalizedCount: Int, weight: Tensor?, bias: Tensor?, eps: Double)
        -> (output: Tensor, statistics: NormStatistics)
    /// The gradients of `layerNorm` that `needs` asks for (weight and bias gradients shaped like `weight`).
    func layerNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics,
                           normalizedCount: Int, needs: GradientNeeds) -> FusedGradients

    // MARK: Class-index losses

    /// Per-row losses of cross-entropy (fused log-softmax + NLL) or NLL over `[N, C, S]` logits and `[N, S]`
    /// int64 targets, with the sum of the kept rows' weights and the first out-of-range target, if any.
    func classLoss(_ input: Tensor, targets: Tensor, weight: Tensor?, _ options: ClassLossOptions) -> ClassLossResult
    /// The input gradient of `classLoss` for per-row gradients `rowGradient` (`rowGradientStride` 0 broadcasts one).
    func classLossBackward(_ input: Tensor, targets: Tensor, weight: Tensor?, forward: ClassLossResult,
                           rowGradient: Tensor, rowGradientStride: Int, _ options: ClassLossOptions) -> Tensor

    // MARK: Interpolation

    /// Resamples `[N, C, H, W]` to `[N, C, layout.outHeight, layout.outWidth]`.
    func interpolate2d(_ input: Tensor, _ layout: InterpolationLayout) -> Tensor
    /// The input gradient of `interpolate2d`, shaped `inputShape`.
    func interpolate2dBackward(_ gradOutput: Tensor, inputShape: [Int], _ layout: InterpolationLayout) -> Tensor

    // MARK: Embedding

    /// Rows of `weight` `[V, D]` at int64 `indices` → `indices.shape + [D]`; stops with PyTorch's message
    /// (op `embedding`) for an index outside `0..<V`.
    func embedding(weight: Tensor, indices: Tensor) -> Tensor
    /// Scatter-adds `gradOutput` `[*, D]` into zeros `[rows, D]` at `indices`, skipping `paddingIndex`.
    func embeddingBackward(_ gradOutput: Tensor, indices: Tensor, rows: Int, paddingIndex: Int?) -> Tensor

    // MARK: GEMM with a packed operand (the recurrent node)

    /// The panel width the GEMM would pack a row-major `B` of `dtype` into for `rowsOfA`-row products, or nil
    /// when it would read `B` in place (then packing once buys nothing) or cannot multiply `dtype`.
    func gemmPackedPanelWidth(_ dtype: DType, rowsOfA: Int) -> Int?
    /// `c = a · B + beta · c` in place, `B` packed by `PackedGemmOperand`; `a` `[m, k]`, `c` `[m, n]`, contiguous.
    func gemm(_ a: Tensor, packed: PackedGemmOperand, into c: Tensor, beta: Double)
}

extension Tensor {
    /// The backend of this tensor's device: where its fused primitives run.
    public var backend: Backend { Ember.backend(for: device) }
}
