// Winograd F(2×2, 3×3) transforms: the kernel (G g Gᵀ), input tiles (Bᵀ d B) and output tiles (Aᵀ m A).
import CEmberKernels

/// The three transforms of Winograd's minimal filtering algorithm F(2×2, 3×3) (Lavin & Gray 2015), over raw
/// float32 buffers. A 4×4 input tile d and a 3×3 kernel g give the 2×2 output tile Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A
/// with
/// ```
/// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]   Aᵀ = [1 1 1 0; 0 1 −1 −1]
/// ```
/// The transformed values are stored as 16 matrices (one per position ξ of the 4×4 tile), so the sums over
/// channels become 16 GEMMs. Bᵀ and Aᵀ have entries ±1 and 0 only: the input and output transforms are adds.
/// `x[ξ][i]` below means element i of plane ξ, the planes of n elements lying `planeStride(n)` apart.
enum WinogradTransforms {
    /// Positions of a transformed tile.
    static let tileElements = 16

    /// Floats between consecutive ones of 16 planes of `size` floats: `size` plus one cache line. The transforms
    /// read or write all 16 planes at once; planes a power of two apart (64·64 kernels, 512 tiles of 64 channels)
    /// all fall in the same set of the L1 cache, which holds 8 of them, and every access missed.
    static func planeStride(_ size: Int) -> Int { size + 16 }

    /// `u[ξ][o·channels + c] = (G g Gᵀ)[ξ]` for every (o, c), g the kernel `weight[o][c]` of `weight`
    /// `[outChannels, channels, 3, 3]`, or, `turned`, the kernel `weight[c][o]` of `weight` `[channels, outChannels,
    /// 3, 3]` turned by 180° (the kernels of that convolution's input gradient, `Winograd3x3.backwardInput`).
    static func transformWeights(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int, turned: Bool = false,
                                 tile: Winograd3x3.Tile = .f23, into u: UnsafeMutablePointer<Float>) {
        let kernels = outChannels * channels, plane = planeStride(kernels)
        let level = Int32(KernelISA.active.rawValue)
        forEachBlockRange(kernels) { first, count in
            // Turned: the [channels][outChannels] array of kernels read transposed, each kernel flipped.
            if tile == .f43 {
                ember_winograd_f43_weights(level, weight, first, count, turned ? channels : 0, turned ? outChannels : 0,
                                           turned ? 1 : 0, u, plane)
            } else {
                ember_winograd_f23_weights(level, weight, first, count, turned ? channels : 0, turned ? outChannels : 0,
                                           turned ? 1 : 0, u, plane)
            }
        }
    }

    /// Splits `0..<count` (kernels, or channel pairs) over the pool in whole blocks of 64, so each task writes whole
    /// cache lines of every plane: `body(first, count)` per task.
    static func forEachBlockRange(_ count: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        let blocks = (count + 63) / 64
        ThreadPool.shared.parallelFor(blocks, minChunk: Swift.max(1, ThreadPool.minTaskWork / (16 * 64))) { range in
            let first = range.lowerBound * 64, end = Swift.min(count, range.upperBound * 64)
            body(first, end - first)
        }
    }

    /// Where the tiles of one convolution lie: tile `p` is image `p / (tilesHigh · tilesWide)`, tile row and
    /// column within it; with tiles of m×m outputs (`size`, 2 for F(2×2, 3×3) and 4 for F(4×4, 3×3)) its
    /// (m + 2)×(m + 2) input patch starts at (m·row − padTop, m·column − padLeft).
    struct TileGrid {
        let channels: Int, height: Int, width: Int, padTop: Int, padLeft: Int
        let outChannels: Int, outHeight: Int, outWidth: Int
        var size = 2
        var tilesHigh: Int { (outHeight + size - 1) / size }
        var tilesWide: Int { (outWidth + size - 1) / size }
        var tilesPerImage: Int { tilesHigh * tilesWide }
        /// Rows and columns of a channel's plane zero-padded so that every tile's patch lies inside it: tile
        /// (row, column) reads rows m·row ..< m·row + m + 2 and columns m·column ..< m·column + m + 2, input pixel
        /// (y, x) sits at (y + padTop, x + padLeft).
        var paddedHeight: Int { size * tilesHigh + 2 }
        var paddedWidth: Int { size * tilesWide + 2 }

        /// (image, tile row, tile column) of tile `p`.
        @inline(__always)
        func locate(_ p: Int) -> (image: Int, row: Int, column: Int) {
            let image = p / tilesPerImage, rest = p - image * tilesPerImage
            let row = rest / tilesWide
            return (image, row, rest - row * tilesWide)
        }

        /// Walks tiles `first..<first + count` a tile row at a time: `enterImage(image)` before the first tile of
        /// each image, then `run(row, column, tiles, q)` for each stretch of `tiles` tiles of a tile row starting at
        /// `column`, `q` being the stretch's first tile counted from `first`.
        @inline(__always)
        func forEachRun(first: Int, count: Int, enterImage: (Int) -> Void,
                        run: (_ row: Int, _ column: Int, _ tiles: Int, _ q: Int) -> Void) {
            var (image, row, column) = locate(first)
            var enteredImage = -1
            var q = 0
            while q < count {
                if image != enteredImage { enterImage(image); enteredImage = image }
                let tiles = Swift.min(tilesWide &- column, count &- q)
                run(row, column, tiles, q)
                q &+= tiles
                column &+= tiles
                if column == tilesWide { column = 0; row &+= 1; if row == tilesHigh { row = 0; image &+= 1 } }
            }
        }
    }

    /// Over the pool, for each plane `p` of `source` `[N, planes, height, width]`: copies the plane of each image that
    /// tiles `first..<first + count` cover into a zero-padded plane of the task's own (`paddedHeight` ×
    /// `paddedWidth`, pixel (y, x) at (y + top, x + left), what falls outside dropped), then calls
    /// `run(patch, p, tiles, q)` for each stretch of a tile row (`TileGrid.forEachRun`), `patch` the stretch's first
    /// tile in the padded plane (tile t of the stretch at `patch + 2t`, rows `paddedWidth` apart). Every tile then
    /// lies inside the padded plane and goes through the vectorized C runs; edge tiles had taken a scalar path that
    /// cost more than all interior ones together (ResNet-18 on one 224×224 image: a 14×14 map has half its tiles on
    /// the edge).
    static func forEachPaddedRun(_ source: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
                                 paddedHeight hp: Int, paddedWidth wp: Int, top: Int, left: Int,
                                 _ grid: TileGrid, first: Int, count: Int,
                                 run: (_ patch: UnsafePointer<Float>, _ p: Int, _ tiles: Int, _ q: Int) -> Void) {
        let plane = height * width
        let rows = 0..<Swift.max(0, Swift.min(height, hp - top)), columns = Swift.max(0, Swift.min(width, wp - left))
        ThreadPool.shared.parallelFor(planes, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, 16 * count))) { range in
            let scratch = ScratchBuffer<Float>(hp * wp), padded = scratch.pointer
            defer { scratch.release() }
            // The border stays zero: every image writes the same interior positions.
            padded.update(repeating: 0, count: hp * wp)
            for p in range {
                grid.forEachRun(first: first, count: count, enterImage: { image in
                    let src = source + (image &* planes &+ p) &* plane
                    for y in rows { (padded + ((y &+ top) &* wp &+ left)).update(from: src + y &* width, count: columns) }
                }, run: { row, column, tiles, q in
                    run(padded + (grid.size &* (row &* wp &+ column)), p, tiles, q)
                })
            }
        }
    }

    /// `v[ξ][c·count + (p − first)] = (Bᵀ d B)[ξ]` for tiles `first..<first + count` and every channel, d the
    /// tile's 4×4 input patch (zeros outside the image), read from zero-padded planes (`forEachPaddedRun`).
    static func transformInput(_ input: UnsafePointer<Float>, _ grid: TileGrid, first: Int, count: Int,
                               into v: UnsafeMutablePointer<Float>) {
        let matrix = planeStride(grid.channels * count), wp = grid.paddedWidth
        let level = Int32(KernelISA.active.rawValue)
        let f43 = grid.size == 4
        forEachPaddedRun(input, planes: grid.channels, height: grid.height, width: grid.width, paddedHeight: grid.paddedHeight,
                         paddedWidth: wp, top: grid.padTop, left: grid.padLeft, grid, first: first, count: count) { patch, c, tiles, q in
            if f43 {
                ember_winograd_f43_input_run(level, patch, wp, tiles, v + (c &* count &+ q), matrix)
            } else {
                ember_winograd_f23_input_run(level, patch, wp, tiles, v + (c &* count &+ q), matrix)
            }
        }
    }

    /// `v[ξ][o·count + (p − first)] = (A g Aᵀ)[ξ]` for tiles `first..<first + count` and every output channel, g
    /// the tile's 2×2 block of `gradOutput` `[N, outChannels, outH, outW]` (zeros past the output's edge): the
    /// gradient side of the weight gradient by F(3×3, 2×2), read from planes padded to whole tiles.
    static func transformGradient(_ gradOutput: UnsafePointer<Float>, _ grid: TileGrid, first: Int, count: Int,
                                  into v: UnsafeMutablePointer<Float>) {
        let matrix = planeStride(grid.outChannels * count), wq = 2 * grid.tilesWide
        let level = Int32(KernelISA.active.rawValue)
        forEachPaddedRun(gradOutput, planes: grid.outChannels, height: grid.outHeight, width: grid.outWidth,
                         paddedHeight: 2 * grid.tilesHigh, paddedWidth: wq, top: 0, left: 0, grid, first: first,
                         count: count) { patch, o, tiles, q in
            ember_winograd_f23_grad_run(level, patch, wq, tiles, v + (o &* count &+ q), matrix)
        }
    }

    /// `gradWeight[o][c]` (3×3, overwritten) = `Gᵀ M G` with `M[ξ] = products[ξ][o·channels + c]`: the weight
    /// gradient from the 16 sums over tiles of the F(3×3, 2×2) products.
    static func weightGradient(_ products: UnsafePointer<Float>, outChannels: Int, channels: Int,
                               into gradWeight: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * channels, plane = planeStride(pairs)
        let level = Int32(KernelISA.active.rawValue)
        forEachBlockRange(pairs) { first, count in
            ember_winograd_f23_weight_gradient(level, products, plane, first, count, gradWeight)
        }
    }

    /// Writes the output tiles `Aᵀ m A` (+ bias; 2×2 or, `grid.size` 4, 4×4) of tiles `first..<first + count` into `output`
    /// `[N, outChannels, outH, outW]`, m[ξ] = `products[ξ][o·count + (p − first)]`; rows and columns past
    /// the output's edge are dropped.
    static func transformOutput(_ products: UnsafePointer<Float>, _ grid: TileGrid, first: Int, count: Int,
                                bias: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
        let outChannels = grid.outChannels, oh = grid.outHeight, ow = grid.outWidth, plane = oh * ow
        let matrix = planeStride(outChannels * count)
        let size = grid.size, fullColumns = ow / size  // tile columns with all their output columns inside
        let level = Int32(KernelISA.active.rawValue)
        ThreadPool.shared.parallelFor(outChannels, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, 16 * count))) { range in
            for o in range {
                let b = bias?[o] ?? 0
                var (image, row, column) = grid.locate(first)
                var q = 0
                while q < count {
                    if size &* row &+ size <= oh && column < fullColumns {
                        // A run of tiles whose outputs all lie inside the output: the vectorized C loop.
                        let run = Swift.min(fullColumns &- column, count &- q)
                        let dst = output + ((image &* outChannels &+ o) &* plane &+ size &* (row &* ow &+ column))
                        if size == 4 {
                            ember_winograd_f43_output_run(level, products + (o &* count &+ q), matrix, run, b, dst, ow)
                        } else {
                            ember_winograd_f23_output_run(level, products + (o &* count &+ q), matrix, run, b, dst, ow)
                        }
                        q &+= run
                        column &+= run
                        if column == grid.tilesWide { column = 0; row &+= 1; if row == grid.tilesHigh { row = 0; image &+= 1 } }
                        continue
                    }
                    let m = products + (o &* count &+ q)
                    if size == 4 {
                        // An edge tile of F(4×4, 3×3): the C loop's 4×4 into a local tile, then what lies inside.
                        var tile = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                                    Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
                        withUnsafeMutableBytes(of: &tile) { raw in
                            let t = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                            ember_winograd_f43_output_run(level, m, matrix, 1, b, t, 4)
                            let y = 4 &* row, x = 4 &* column
                            let dst = output + ((image &* outChannels &+ o) &* plane &+ y &* ow &+ x)
                            for k in 0..<Swift.min(4, oh &- y) { for l in 0..<Swift.min(4, ow &- x) { dst[k &* ow &+ l] = t[4 &* k &+ l] } }
                        }
                        q &+= 1
                        column &+= 1
                        if column == grid.tilesWide { column = 0; row &+= 1; if row == grid.tilesHigh { row = 0; image &+= 1 } }
                        continue
                    }
                    // q = Aᵀ m (2×4), column by column.
                    let m0 = m[0], m1 = m[matrix], m2 = m[2 &* matrix], m3 = m[3 &* matrix]
                    let m4 = m[4 &* matrix], m5 = m[5 &* matrix], m6 = m[6 &* matrix], m7 = m[7 &* matrix]
                    let m8 = m[8 &* matrix], m9 = m[9 &* matrix], m10 = m[10 &* matrix], m11 = m[11 &* matrix]
                    let m12 = m[12 &* matrix], m13 = m[13 &* matrix], m14 = m[14 &* matrix], m15 = m[15 &* matrix]
                    let a0 = (m0 + m4) + m8, a1 = (m1 + m5) + m9, a2 = (m2 + m6) + m10, a3 = (m3 + m7) + m11
                    let c0 = (m4 - m8) - m12, c1 = (m5 - m9) - m13, c2 = (m6 - m10) - m14, c3 = (m7 - m11) - m15
                    // y = q A.
                    let y00 = ((a0 + a1) + a2) + b, y01 = ((a1 - a2) - a3) + b
                    let y10 = ((c0 + c1) + c2) + b, y11 = ((c1 - c2) - c3) + b
                    let y = 2 &* row, x = 2 &* column
                    let dst = output + ((image &* outChannels &+ o) &* plane &+ y &* ow &+ x)
                    let right = x &+ 1 < ow, below = y &+ 1 < oh
                    dst[0] = y00
                    if right { dst[1] = y01 }
                    if below { dst[ow] = y10; if right { dst[ow &+ 1] = y11 } }
                    q &+= 1
                    column &+= 1
                    if column == grid.tilesWide { column = 0; row &+= 1; if row == grid.tilesHigh { row = 0; image &+= 1 } }
                }
            }
        }
    }
}
