// Shape-only layers: Flatten, Unflatten, Identity.
import Ember

/// Flattens dimensions `startDim...endDim` (`nn.Flatten`, default from dim 1, keeping the batch).
///
/// Shape: `[d0, ..., dn]` → the dims `startDim...endDim` multiplied into one (`[N, C, H, W]` → `[N, C·H·W]` by default).
public final class Flatten: Module {
    public let startDim: Int, endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) { self.startDim = startDim; self.endDim = endDim }
    public override func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: startDim, endDim: endDim) }
    public override var extraDescription: String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
/// Splits dimension `dim` into `sizes` (`nn.Unflatten`).
///
/// Shape: `[*, d, *]` with `d` at `dim` → `[*, sizes..., *]`, where the product of `sizes` is `d`.
public final class Unflatten: Module {
    public let dim: Int, sizes: [Int]
    public init(dim: Int, sizes: [Int]) { self.dim = dim; self.sizes = sizes }
    public override func forward(_ x: Tensor) -> Tensor { x.unflatten(dim, sizes) }
    public override var extraDescription: String { "dim=\(dim), unflattened_size=\(tupleText(sizes))" }
}
/// Returns its input (`nn.Identity`), e.g. to remove a layer from a pretrained model.
///
/// Shape: any shape `[*]` → the same tensor.
public final class Identity: Module {
    public override init() {}
    public override func forward(_ x: Tensor) -> Tensor { x }
}
