// Winograd3x3: 3×3 stride-1 float32 convolutions as 16 (or 36) GEMMs between transformed kernels and input tiles.

/// Forward 3×3 convolutions (stride 1, dilation 1, one group, float32) by Winograd's F(2×2, 3×3): each 2×2
/// block of outputs costs 16 multiplies per (input, output) channel pair instead of 36, so the GEMM work is
/// 2.25× smaller than im2col's; or, where `tile(batch:_:)` picks it, F(4×4, 3×3): 36 multiplies per 4×4 block,
/// 4× fewer. `ConvKernels.forward` calls it where it measured faster (`isProfitable`), and
/// `ConvKernels.backward` for input gradients (`backwardInput`, the same convolution over the turned kernels);
/// PyTorch's CPU convolutions (oneDNN) pick Winograd in a similar way for some shapes.
///
/// Error: the transforms only add (and halve), so the result differs from the direct sum by rounding only.
/// Per output, with ε = 2⁻²⁴, |Δ| ≤ (C + 12)·ε·Σ_c Σ_ξ |Aᵀ|·(|G||g||Gᵀ|)·(|Bᵀ||d||B|), which is at most
/// (64/9)·(C + 12)·ε·9C·max|g|·max|d| (the 1-d F(2, 3) grows a sum of absolute values by 8/3 over the direct
/// sum's 3 terms); the direct path's own bound is 9C·ε·9C·max|g|·max|d|. F(4×4, 3×3) (`Tile.f43`, where `tile`
/// picks it) has the same form with 48² = 2,304 in place of 64 (max over output rows k of Σ_i |Aᵀ|ₖᵢ·(Σ|G|ᵢ)·(Σ|Bᵀ|ᵢ)
/// = 48) and (C + 20) for its deeper transforms, and its G holds 1/6 and 1/24, which round: about ten times the
/// error of F(2×2, 3×3) in practice (float64 comparison on 64 to 256 channels, 4e-6 to 8e-6 of the largest output
/// against 3e-7 to 5e-7). Tests check both bounds, and ResNet-18's logits against the direct path within 1e-4.
public enum Winograd3x3 {
    /// Which algorithm `ConvKernels.forward` may use for the convolutions Winograd supports.
    public enum Policy: Sendable {
        /// Winograd where `isProfitable` says it is faster (the default).
        case automatic
        /// Always Winograd where it applies (tests of the path on shapes the heuristic would skip).
        case always
        /// Never Winograd: the im2col + GEMM path (tests comparing the two).
        case never
    }

    /// The policy for convolutions started from this task (a task-local, so one test changing it does not
    /// affect tests running in parallel).
    @TaskLocal public static var policy: Policy = .automatic

    /// The algorithm of a Winograd convolution: m×m outputs per tile from an (m + 2)×(m + 2) input patch.
    public enum Tile: Sendable {
        /// F(2×2, 3×3): 16 multiplies per 4 outputs (2.25× fewer than 36), transforms of adds and halvings only.
        case f23
        /// F(4×4, 3×3) with the points 0, ±1, ±2: 36 multiplies per 16 outputs (4× fewer than 144); its
        /// transforms scale by up to 8 and by 1/24, so its rounding error is larger (see `forward`).
        case f43

        /// Outputs per tile side.
        var size: Int { self == .f23 ? 2 : 4 }
        /// Values of a transformed tile, and so products per call.
        var elements: Int { self == .f23 ? 16 : 36 }
    }

    /// Tests and benchmarks force one tile for the forward convolutions started from this task; nil:
    /// `tile(batch:_:)`.
    @TaskLocal public static var forcedTile: Tile? = nil

    /// The tile `forward` uses for `batch` images of this convolution: `forcedTile`, or F(4×4, 3×3) on maps of 8×8
    /// and up with at least 32 of its tiles, F(2×2, 3×3) otherwise. F(4×4, 3×3) needs 1.78× fewer multiplies but
    /// transforms 36 values per kernel (16 for F(2×2, 3×3)), and its transforms vectorize across a run of tiles
    /// only from 4 tiles on (`winograd_f43.c`). Measured on Zen 4, one thread `--cpu-time` (`conv3x3_*` rows), ms
    /// F(4×4) / F(2×2): one image, 64 channels on 56×56 0.87 / 1.31, 128 on 28×28 0.96 / 1.26, 256 on 14×14 (16
    /// tiles) 2.1 / 1.6–1.9; batch 32, 64 on 56×56 36.0 / 48.3, 128 on 28×28 30.3 / 41.8, 256 on 14×14 36.9 / 39.0,
    /// 512 on 7×7 42.7 / 47.2, 64 on 8×8 0.96 / 0.99, 128 on 4×4 (one tile a row) 1.00 / 0.95.
    public static func tile(batch: Int, _ g: ConvGeometry) -> Tile {
        if let forcedTile { return forcedTile }
        let tiles = batch * ((g.outHeight + 3) / 4) * ((g.outWidth + 3) / 4)
        // Outputs computed, padded to whole tiles: 4×4 tiles on a 10×10 map compute 144 for 100 (2×2 tiles: 100).
        let padded4 = ((g.outHeight + 3) / 4 * 4) * ((g.outWidth + 3) / 4 * 4)
        let padded2 = ((g.outHeight + 1) / 2 * 2) * ((g.outWidth + 1) / 2 * 2)
        return g.outHeight >= 8 && g.outWidth >= 8 && tiles >= 32 && padded4 == padded2 ? .f43 : .f23
    }

    /// Whether the Winograd path computes this convolution (3×3, stride 1, dilation 1, one group).
    public static func applies(groups: Int, _ g: ConvGeometry) -> Bool {
        groups == 1 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.dilationHeight == 1 && g.dilationWidth == 1 && g.outHeight > 0 && g.outWidth > 0 && g.channels > 0
    }

    /// Whether Winograd is faster than im2col + GEMM here. Its GEMMs shrink 2.25×; against that it transforms
    /// every kernel (16·C·O values, once per call, whatever the batch) and every tile ((C + O)·16 values), and a
    /// map smaller than a tile wastes most of it (on a 1×1 map im2col keeps only the centre tap of 9). Measured
    /// on Zen 4 (`ember bench --filter conv3x3`), ms Winograd / im2col, two threads wall clock (one thread
    /// `--cpu-time`): batch 32, 64 channels on 56×56 23.8 / 46.9, 128 on 28×28 20.7 / 42.6, 256 on 14×14 19.4 /
    /// 46.5, 512 on 7×7 23.9 / 41.5, 64 on 8×8 0.50 / 1.10 (1.00 / 1.96), 128 on 4×4 0.50 / 1.04 (0.95 / 1.90), 256
    /// on 2×2 0.56 / 0.84 (1.07 / 1.63), 512 on 1×1 2.7 / 0.25; one image, 56×56 0.65 / 1.42, 28×28 0.65 / 1.30,
    /// 14×14 0.79 / 1.44, 7×7 (16 tiles) 1.39 / 1.48 (2.84–3.26 / 2.90–2.98), but in the network, its 16 MB of
    /// kernels coming from memory, ResNet-18 on one 224×224 image took 18.9–19.0 ms with those three layers by
    /// Winograd and 18.2–18.5 without. So: 64+ channels in and out, maps of 2×2 and up, and at least 32 tiles
    /// sharing the kernels' transform.
    public static func isProfitable(batch: Int, outChannels: Int, _ g: ConvGeometry) -> Bool {
        let tiles = batch * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
        return g.channels >= 64 && outChannels >= 64 && g.outHeight >= 2 && g.outWidth >= 2 && tiles >= minTiles
    }

    /// Fewest tiles for which the kernel transform pays (one 7×7 image has 16: not quite).
    public static let minTiles = 32

    /// Fewest tiles for which the weight gradient by F(3×3, 2×2) pays: its transforms of the input, the gradient
    /// and the 16·O·C sums cost more per tile than the forward's. Measured on Zen 4 (`ember bench --filter wgrad`,
    /// batch 32, ms Winograd / im2col, two threads and one thread `--cpu-time`): 64 channels on 8×8 (512 tiles)
    /// 0.53 / 0.97 and 1.01 / 1.86; 128 on 4×4 (128 tiles) 0.54 / 0.99 and 0.97 / 1.88; 256 on 2×2 (32 tiles) 0.58 /
    /// 0.83 and 1.10 / 1.66. (Before the transforms' planes were spaced off the L1's sets, 4×4 lost to im2col.)
    public static let minWeightGradientTiles = 32

    /// Whether `ConvKernels.backward` computes this convolution's weight gradient by `backwardWeight` under the
    /// current `policy` (automatic: where the forward would take Winograd, from `minWeightGradientTiles` tiles).
    public static func chosenForWeightGradient(batch: Int, groups: Int, outChannels: Int, _ g: ConvGeometry) -> Bool {
        guard applies(groups: groups, g) else { return false }
        switch policy {
        case .never: return false
        case .always: return true
        case .automatic:
            let tiles = batch * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
            return tiles >= minWeightGradientTiles && isProfitable(batch: batch, outChannels: outChannels, g)
        }
    }

    /// Whether `ConvKernels.forward` takes the Winograd path under the current `policy`.
    public static func chosen(batch: Int, groups: Int, outChannels: Int, _ g: ConvGeometry) -> Bool {
        guard applies(groups: groups, g) else { return false }
        switch policy {
        case .never: return false
        case .always: return true
        case .automatic: return isProfitable(batch: batch, outChannels: outChannels, g)
        }
    }

    /// The geometry of a convolution's input gradient as a forward convolution, or nil when that cannot take
    /// the Winograd path. For 3×3 stride 1, `gradInput = conv(gradOutput, w′)` with `w′[c][o]` the kernel `w[o][c]`
    /// turned by 180°, over `gradOutput`'s map padded by 2 − pad, giving the input's map.
    public static func inputGradientGeometry(outChannels: Int, _ g: ConvGeometry) -> ConvGeometry? {
        guard g.padTop <= 2 && g.padLeft <= 2 else { return nil }
        return ConvGeometry(channels: outChannels, height: g.outHeight, width: g.outWidth, kernelHeight: 3, kernelWidth: 3,
                            strideHeight: 1, strideWidth: 1, padTop: 2 - g.padTop, padLeft: 2 - g.padLeft,
                            dilationHeight: 1, dilationWidth: 1, outHeight: g.height, outWidth: g.width)
    }

    /// gradInput = ∂L/∂input of a 3×3 stride-1 convolution (`applies(groups: 1, g)`, padding at most 2), by
    /// `forward` over the turned kernels in `inputGradientGeometry`; `gradInput` `[batch, g.channels, g.height,
    /// g.width]` is overwritten.
    ///
    /// - Parameters:
    ///   - gradOutput: The output gradient `[batch, outChannels, g.outHeight, g.outWidth]`, contiguous.
    ///   - weight: The weight `[outChannels, g.channels, 3, 3]`, contiguous.
    ///   - gradInput: The input gradient (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry.
    public static func backwardInput(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     gradInput: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry) {
        guard applies(groups: 1, g), let transposed = inputGradientGeometry(outChannels: outChannels, g) else {
            fatalError("Winograd3x3.backwardInput: needs a 3×3 kernel, stride 1, dilation 1, padding at most 2, got \(g)")
        }
        forward(input: gradOutput, weight: weight, bias: nil, output: gradInput, batch: batch, outChannels: g.channels,
                transposed, tilesPerChunk: nil, turnedWeights: true)
    }

    /// gradWeight = ∂L/∂weight `[outChannels, g.channels, 3, 3]` (overwritten) of a 3×3 stride-1 convolution
    /// (`applies(groups: 1, g)`) by F(3×3, 2×2): over the forward's tiles, `Gᵀ [(A g Aᵀ) ⊙ (Bᵀ d B)] G` summed, g a
    /// 2×2 tile of `gradOutput` and d the 4×4 input patch under it, with the forward's matrices (the transposition
    /// principle: the weight gradient of a correlation is the adjoint of its product with the kernel). The sums
    /// over tiles are 16 GEMMs `[O, tiles] · [tiles, C]`, 2.25× fewer multiplies than im2col's `[O, 9C]` product.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, g.channels, g.height, g.width]`, contiguous.
    ///   - gradOutput: The output gradient `[batch, outChannels, g.outHeight, g.outWidth]`, contiguous.
    ///   - gradWeight: The weight gradient (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry.
    public static func backwardWeight(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                      gradWeight: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry) {
        backwardWeight(input: input, gradOutput: gradOutput, gradWeight: gradWeight, batch: batch, outChannels: outChannels, g,
                       tilesPerChunk: nil)
    }

    /// `backwardWeight` with the tiles per chunk fixed (tests cross chunk edges); nil: from `chunkBudget`.
    static func backwardWeight(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
                               batch: Int, outChannels: Int, _ g: ConvGeometry, tilesPerChunk: Int?) {
        kernelCheck(applies(groups: 1, g), "Winograd3x3.backwardWeight: needs a 3×3 kernel, stride 1, dilation 1, got \(g)")
        let channels = g.channels, xi = WinogradTransforms.tileElements
        if outChannels == 0 || channels == 0 { return }
        if batch == 0 {
            gradWeight.update(repeating: 0, count: outChannels * channels * 9)
            return
        }
        let (grid, tiles, chunk) = tiling(g, outChannels: outChannels, batch: batch, tilesPerChunk: tilesPerChunk)
        let stride = WinogradTransforms.planeStride
        let vScratch = ScratchBuffer<Float>(xi * stride(channels * chunk))
        let gScratch = ScratchBuffer<Float>(xi * stride(outChannels * chunk))
        let mScratch = ScratchBuffer<Float>(xi * stride(outChannels * channels))
        defer { vScratch.release(); gScratch.release(); mScratch.release() }
        let v = vScratch.pointer, gy = gScratch.pointer, m = mScratch.pointer
        var first = 0
        while first < tiles {
            let count = Swift.min(chunk, tiles - first)
            WinogradTransforms.transformInput(input, grid, first: first, count: count, into: v)
            WinogradTransforms.transformGradient(gradOutput, grid, first: first, count: count, into: gy)
            // m[ξ] (+)= gy[ξ] · v[ξ]ᵀ: [O, count] · [count, C], summing over this chunk's tiles.
            Gemm.sgemmBatched(count: xi, m: outChannels, n: channels, k: count, alpha: 1,
                              a: gy, aBatchStride: stride(outChannels * count), aRowStride: count, aColStride: 1,
                              b: v, bBatchStride: stride(channels * count), bRowStride: 1, bColStride: count,
                              beta: first == 0 ? 0 : 1, c: m, cBatchStride: stride(outChannels * channels), ldc: channels)
            first += count
        }
        WinogradTransforms.weightGradient(m, outChannels: outChannels, channels: channels, into: gradWeight)
    }

    /// The tiles of a convolution, their number over `batch` images, and how many go through the transforms and
    /// products at once: `tilesPerChunk`, or as many as keep a chunk's two transformed operands within
    /// `chunkBudget` floats (at least 64).
    static func tiling(_ g: ConvGeometry, outChannels: Int, batch: Int, tilesPerChunk: Int?, tile: Tile = .f23)
        -> (grid: WinogradTransforms.TileGrid, tiles: Int, chunk: Int) {
        let grid = WinogradTransforms.TileGrid(channels: g.channels, height: g.height, width: g.width, padTop: g.padTop,
                                               padLeft: g.padLeft, outChannels: outChannels, outHeight: g.outHeight,
                                               outWidth: g.outWidth, size: tile.size)
        let tiles = batch * grid.tilesPerImage
        let perChunk = tilesPerChunk
            ?? Swift.max(64, chunkBudget / (tile.elements * (g.channels + outChannels)))
        return (grid, tiles, Swift.max(1, Swift.min(tiles, perChunk)))
    }

    /// Floats of transformed input and products held at once (16 MB): the tiles of a chunk go through all
    /// three steps while the products are still in the last-level cache.
    static let chunkBudget = 1 << 22

    /// output = weight ⊛ input (+ bias) for `batch` images, `weight` `[outChannels, g.channels, 3, 3]`;
    /// `output` `[batch, outChannels, g.outHeight, g.outWidth]` is overwritten. Requires `applies(groups: 1, g)`.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous.
    ///   - weight: The weight, contiguous.
    ///   - bias: The bias `[outChannels]`, or nil.
    ///   - output: The output (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry.
    public static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               output: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry) {
        forward(input: input, weight: weight, bias: bias, output: output, batch: batch, outChannels: outChannels, g,
                tilesPerChunk: nil)
    }

    /// `forward` with the tiles per chunk fixed (tests cross chunk edges on small shapes; nil: from `chunkBudget`);
    /// `turnedWeights`: `weight` is `[g.channels, outChannels, 3, 3]` and each kernel is used transposed and turned
    /// by 180° (`backwardInput`). The 16 GEMMs run the way `tilesAsRows(chunk:)` picks, or `orientation` says.
    static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry,
                        tilesPerChunk: Int?, turnedWeights: Bool = false) {
        kernelCheck(applies(groups: 1, g), "Winograd3x3.forward: needs a 3×3 kernel, stride 1, dilation 1, got \(g)")
        if batch == 0 || outChannels == 0 { return }
        let tile = tile(batch: batch, g), channels = g.channels, xi = tile.elements
        let (grid, tiles, chunk) = tiling(g, outChannels: outChannels, batch: batch, tilesPerChunk: tilesPerChunk, tile: tile)
        // Tiles as rows only for F(2×2, 3×3) (`panelProducts` packs its 16 planes).
        let rowsAreTiles = tile == .f23 && (orientation ?? tilesAsRows(chunk: chunk))
        // Tiles as columns: every kernel transformed once, the GEMMs' left operand. As rows: `panelProducts`
        // transforms them into its own panels, and the products go through mt to be transposed.
        let stride = WinogradTransforms.planeStride
        let uScratch = ScratchBuffer<Float>(rowsAreTiles ? 0 : xi * stride(outChannels * channels))
        let vScratch = ScratchBuffer<Float>(xi * stride(channels * chunk))
        let mScratch = ScratchBuffer<Float>(xi * stride(outChannels * chunk))
        let tScratch = ScratchBuffer<Float>(rowsAreTiles ? xi * outChannels * chunk : 0)
        defer { uScratch.release(); vScratch.release(); mScratch.release(); tScratch.release() }
        let u = uScratch.pointer, v = vScratch.pointer, m = mScratch.pointer
        if !rowsAreTiles {
            WinogradTransforms.transformWeights(weight, outChannels: outChannels, channels: channels, turned: turnedWeights,
                                                tile: tile, into: u)
        }
        var first = 0
        while first < tiles {
            let count = Swift.min(chunk, tiles - first)
            WinogradTransforms.transformInput(input, grid, first: first, count: count, into: v)
            if rowsAreTiles {
                // mᵀ[ξ] = v[ξ]ᵀ · U[ξ]: [count, C] · [C, outChannels], then each mᵀ[ξ] transposed into m[ξ].
                panelProducts(weight: weight, turned: turnedWeights, outChannels: outChannels, channels: channels, v: v,
                              count: count, into: tScratch.pointer)
                transposeProducts(tScratch.pointer, tiles: count, outChannels: outChannels, into: m)
            } else {
                // m[ξ] = u[ξ] · v[ξ]: [outChannels, C] · [C, count], one product per tile position.
                Gemm.sgemmBatched(count: xi, m: outChannels, n: count, k: channels, alpha: 1,
                                  a: u, aBatchStride: stride(outChannels * channels), aRowStride: channels, aColStride: 1,
                                  b: v, bBatchStride: stride(channels * count), bRowStride: count, bColStride: 1,
                                  beta: 0, c: m, cBatchStride: stride(outChannels * count), ldc: count)
            }
            WinogradTransforms.transformOutput(m, grid, first: first, count: count, bias: bias, into: output)
            first += count
        }
    }

    /// Whether the 16 GEMMs of a chunk of `chunk` tiles run with tiles as rows (`[tiles, C] · [C, O]`, `panelProducts`)
    /// rather than columns (`[O, C] · [C, tiles]`). As columns, 16 tiles fill one of the microkernel's four
    /// 16-float vectors (AVX-512), and each step loads as much as it multiplies. Measured on Zen 4, one thread
    /// (`conv3x3_*` rows, ms as rows / as columns): one 7×7 image, 512 channels (16 tiles) 3.04 / 4.0–4.3; one 14×14
    /// image, 256 channels (49) 1.63–1.70 / 1.60–1.68; batch 32 on 2×2, 256 channels (32) 1.30–1.35 / 1.08–1.13.
    /// Under the automatic policy no convolution has so few tiles (`minTiles`); `policy = .always` can. Its kernel
    /// transform is still half of that 7×7 convolution's time: the kernels of a panel row are a weight row apart.
    static func tilesAsRows(chunk: Int) -> Bool { chunk <= 16 }

    /// Tests fix which way round the products run (true: tiles as rows) to check both on every case; nil: by
    /// `tilesAsRows(chunk:)`.
    @TaskLocal static var orientation: Bool? = nil

    /// `m[ξ][o·tiles + t] = mt[ξ][t·outChannels + o]` for the 16 product matrices, `mt`'s `tiles·outChannels` apart
    /// and `m`'s `WinogradTransforms.planeStride` of that.
    static func transposeProducts(_ mt: UnsafePointer<Float>, tiles: Int, outChannels: Int, into m: UnsafeMutablePointer<Float>) {
        let matrix = tiles * outChannels, stride = WinogradTransforms.planeStride(matrix)
        ThreadPool.shared.parallelFor(WinogradTransforms.tileElements) { range in
            for x in range {
                let src = mt + x &* matrix, dst = m + x &* stride
                for t in 0..<tiles {
                    let row = src + t &* outChannels
                    for o in 0..<outChannels { dst[o &* tiles &+ t] = row[o] }
                }
            }
        }
    }
}
