// Winograd F(2×2, 3×3), forward and input gradient, against the im2col path and a float64 direct sum, within the
// bound its doc derives.
import Testing
@testable import EmberKernels
import CEmberKernels

/// One convolution case: batch, channels, input size, output channels, padding (top, left) and output size.
struct WinogradCase: CustomStringConvertible, Sendable {
    let batch: Int, channels: Int, height: Int, width: Int, outChannels: Int
    let padTop: Int, padLeft: Int, outHeight: Int, outWidth: Int
    var tilesPerChunk: Int? = nil
    var bias = false

    /// Symmetric padding `pad`: the output PyTorch's Conv2d(kernel 3, padding pad) gives.
    init(_ batch: Int, _ channels: Int, _ height: Int, _ width: Int, _ outChannels: Int, pad: Int,
         tilesPerChunk: Int? = nil, bias: Bool = false) {
        self.init(batch, channels, height, width, outChannels, padTop: pad, padLeft: pad,
                  outHeight: height + 2 * pad - 2, outWidth: width + 2 * pad - 2, tilesPerChunk: tilesPerChunk, bias: bias)
    }

    init(_ batch: Int, _ channels: Int, _ height: Int, _ width: Int, _ outChannels: Int, padTop: Int, padLeft: Int,
         outHeight: Int, outWidth: Int, tilesPerChunk: Int? = nil, bias: Bool = false) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.outChannels = outChannels; self.padTop = padTop; self.padLeft = padLeft
        self.outHeight = outHeight; self.outWidth = outWidth; self.tilesPerChunk = tilesPerChunk; self.bias = bias
    }

    var geometry: ConvGeometry {
        ConvGeometry(channels: channels, height: height, width: width, kernelHeight: 3, kernelWidth: 3,
                     strideHeight: 1, strideWidth: 1, padTop: padTop, padLeft: padLeft, dilationHeight: 1,
                     dilationWidth: 1, outHeight: outHeight, outWidth: outWidth)
    }

    var description: String {
        "N\(batch) C\(channels) \(height)×\(width) → O\(outChannels) \(outHeight)×\(outWidth) pad (\(padTop), \(padLeft))"
            + (tilesPerChunk.map { " chunk \($0)" } ?? "") + (bias ? " bias" : "")
    }
}

/// One way through `Winograd3x3.forward`: the tile, and for F(2×2, 3×3) which way round the products run.
struct Variant: CustomStringConvertible, Sendable {
    let tile: Winograd3x3.Tile, tilesAsRows: Bool

    /// Runs `body` with this variant forced.
    func run(_ body: () -> Void) {
        Winograd3x3.$forcedTile.withValue(tile) { Winograd3x3.$orientation.withValue(tilesAsRows) { body() } }
    }

    var description: String { tile == .f23 ? "F(2×2, 3×3), tiles as \(tilesAsRows ? "rows" : "columns")" : "F(4×4, 3×3)" }
}

@Suite("Winograd3x3")
struct WinogradTests {
    static let cases: [WinogradCase] = [
        WinogradCase(1, 1, 5, 5, 1, pad: 0),                       // one channel, 3×3 output: odd tile edge
        WinogradCase(2, 3, 7, 9, 4, pad: 1, bias: true),           // odd sizes, padding, bias
        WinogradCase(1, 16, 8, 8, 16, pad: 1),                     // batch 1, even sizes
        WinogradCase(3, 5, 6, 11, 7, pad: 0, tilesPerChunk: 5),    // chunks that cut rows and images
        WinogradCase(1, 300, 6, 5, 9, pad: 1, bias: true),         // many channels
        WinogradCase(2, 64, 10, 10, 70, pad: 1, tilesPerChunk: 13),
        WinogradCase(2, 4, 6, 7, 3, padTop: 1, padLeft: 0, outHeight: 6, outWidth: 5),  // asymmetric padding
        WinogradCase(1, 2, 3, 3, 2, pad: 1),                       // 3×3 map, every tile on an edge
        WinogradCase(2, 3, 3, 4, 2, pad: 0),                       // 1×2 output: no interior tile at all
        WinogradCase(2, 8, 12, 17, 5, padTop: 2, padLeft: 3, outHeight: 13, outWidth: 18),  // wide padding, runs
        WinogradCase(1, 3, 5, 140, 2, pad: 1, bias: true),        // 70 tiles a row: blocked output runs past 64
    ]

    /// The bound of `Winograd3x3`'s doc, for the largest |weight| and |input| of a case:
    /// Winograd vs the exact sum ≤ (C + 12)·ε·64C·max|g|·max|d|; im2col vs the exact sum ≤ 9C·ε·9C·max|g|·max|d|.
    /// F(4×4, 3×3): (C + 20)·ε·2304C·max|g|·max|d| (`Winograd3x3`'s doc).
    static func bounds(channels c: Int, maxWeight: Float, maxInput: Float, tile: Winograd3x3.Tile = .f23)
        -> (winograd: Double, direct: Double) {
        let eps = 0x1p-24, scale = Double(maxWeight) * Double(maxInput), cd = Double(c)
        let winograd = tile == .f23 ? (cd + 12) * eps * 64 * cd * scale : (cd + 20) * eps * 2304 * cd * scale
        return (winograd, 9 * cd * eps * 9 * cd * scale)
    }

    /// The algorithms each case runs through: F(2×2, 3×3) with tiles as the products' columns and as their rows,
    /// and F(4×4, 3×3) (columns only).
    static let variants: [Variant] = [Variant(tile: .f23, tilesAsRows: false), Variant(tile: .f23, tilesAsRows: true),
                                      Variant(tile: .f43, tilesAsRows: false)]

    @Test("matches the im2col path and a float64 sum: F(2×2) with tiles as columns and as rows, F(4×4)",
          arguments: cases, variants)
    func matchesDirect(_ t: WinogradCase, _ variant: Variant) {
        var rng = TestRandom(seed: UInt64(t.channels * 1000 + t.height * 10 + t.outChannels))
        let g = t.geometry
        let input = (0..<t.batch * t.channels * t.height * t.width).map { _ in Float(rng.next()) }
        let weight = (0..<t.outChannels * t.channels * 9).map { _ in Float(rng.next()) * 0.5 }
        let bias = t.bias ? (0..<t.outChannels).map { _ in Float(rng.next()) } : nil
        let outCount = t.batch * t.outChannels * t.outHeight * t.outWidth
        var winograd = [Float](repeating: .nan, count: outCount), direct = winograd
        variant.run {
            Winograd3x3.forward(input: input, weight: weight, bias: bias, output: &winograd, batch: t.batch,
                                outChannels: t.outChannels, g, tilesPerChunk: t.tilesPerChunk)
        }
        Winograd3x3.$policy.withValue(.never) {
            ConvKernels.forward(input: input, weight: weight, bias: bias, output: &direct, batch: t.batch, groups: 1,
                                outChannels: t.outChannels, g)
        }
        Self.expectClose(t, winograd, exact: directSum(t, input, weight, bias), direct: direct, channels: t.channels,
                         maxWeight: weight.map(abs).max()!, maxInput: input.map(abs).max()!, tile: variant.tile)
    }

    /// Winograd's result against the float64 sum within the bound of `Winograd3x3`'s doc and within 1e-4 of the
    /// largest output, against im2col within both paths' bounds, and every element written (finite: the buffers
    /// start as NaN, which `max` would pass over).
    static func expectClose(_ t: WinogradCase, _ winograd: [Float], exact: [Double], direct: [Float], channels: Int,
                            maxWeight: Float, maxInput: Float, tile: Winograd3x3.Tile) {
        let (wBound, dBound) = bounds(channels: channels, maxWeight: maxWeight, maxInput: maxInput, tile: tile)
        var worstExact = 0.0, worstDirect = 0.0
        for i in winograd.indices {
            worstExact = max(worstExact, abs(Double(winograd[i]) - exact[i]))
            worstDirect = max(worstDirect, abs(Double(winograd[i]) - Double(direct[i])))
        }
        #expect(winograd.allSatisfy { $0.isFinite }, "\(t): an element was not written")
        #expect(worstExact <= wBound, "\(t): |Winograd − exact| = \(worstExact), bound \(wBound)")
        // The worst-case bound grows with C² and is loose for many channels; a dropped tap or channel moves an output
        // by up to max|g|·max|d| (≥ 5% of the largest output here), far above float32 rounding, which this catches.
        let largest = exact.map(abs).max() ?? 0
        #expect(worstExact <= 1e-4 * largest, "\(t): |Winograd − exact| = \(worstExact), largest \(largest)")
        #expect(worstDirect <= wBound + dBound, "\(t): |Winograd − im2col| = \(worstDirect), bound \(wBound + dBound)")
    }

    @Test("the input gradient through the turned kernels matches a float64 sum and the im2col path, every variant",
          arguments: cases, variants)
    func inputGradient(_ t: WinogradCase, _ variant: Variant) {
        let g = t.geometry
        guard Winograd3x3.inputGradientGeometry(outChannels: t.outChannels, g) != nil else {
            #expect(t.padTop > 2 || t.padLeft > 2, "\(t): refused with padding of at most 2")
            return
        }
        var rng = TestRandom(seed: UInt64(t.outChannels * 1000 + t.width * 10 + t.channels))
        let gradOutput = (0..<t.batch * t.outChannels * t.outHeight * t.outWidth).map { _ in Float(rng.next()) }
        let weight = (0..<t.outChannels * t.channels * 9).map { _ in Float(rng.next()) * 0.5 }
        let inCount = t.batch * t.channels * t.height * t.width
        var winograd = [Float](repeating: .nan, count: inCount), direct = winograd
        Winograd3x3.$policy.withValue(.always) {
            variant.run {
                ConvKernels.backwardInput(gradOutput: gradOutput, weight: weight, gradInput: &winograd, batch: t.batch,
                                          groups: 1, outChannels: t.outChannels, g)
            }
        }
        Winograd3x3.$policy.withValue(.never) {
            ConvKernels.backwardInput(gradOutput: gradOutput, weight: weight, gradInput: &direct, batch: t.batch, groups: 1,
                                      outChannels: t.outChannels, g)
        }
        // ∂L/∂x[n][c][y][x] = Σ_o Σ_(i,j) gy[n][o][y + padTop − i][x + padLeft − j] · w[o][c][i][j], in float64.
        var exact = [Double](repeating: 0, count: inCount)
        for n in 0..<t.batch { for c in 0..<t.channels { for y in 0..<t.height { for x in 0..<t.width {
            var s = 0.0
            for o in 0..<t.outChannels { for i in 0..<3 { for j in 0..<3 {
                let oy = y + t.padTop - i, ox = x + t.padLeft - j
                if oy < 0 || oy >= t.outHeight || ox < 0 || ox >= t.outWidth { continue }
                s += Double(gradOutput[((n * t.outChannels + o) * t.outHeight + oy) * t.outWidth + ox])
                    * Double(weight[((o * t.channels + c) * 3 + i) * 3 + j])
            } } }
            exact[((n * t.channels + c) * t.height + y) * t.width + x] = s
        } } } }
        Self.expectClose(t, winograd, exact: exact, direct: direct, channels: t.outChannels,
                         maxWeight: weight.map(abs).max()!, maxInput: gradOutput.map(abs).max()!, tile: variant.tile)
    }

    @Test("the weight gradient by F(3×3, 2×2) matches a float64 sum and the im2col path", arguments: cases)
    func weightGradient(_ t: WinogradCase) {
        let g = t.geometry
        var rng = TestRandom(seed: UInt64(t.outChannels * 7919 + t.height * 31 + t.channels))
        let input = (0..<t.batch * t.channels * t.height * t.width).map { _ in Float(rng.next()) }
        let gradOutput = (0..<t.batch * t.outChannels * t.outHeight * t.outWidth).map { _ in Float(rng.next()) }
        let count = t.outChannels * t.channels * 9
        var winograd = [Float](repeating: .nan, count: count), direct = winograd
        Winograd3x3.backwardWeight(input: input, gradOutput: gradOutput, gradWeight: &winograd, batch: t.batch,
                                   outChannels: t.outChannels, g, tilesPerChunk: t.tilesPerChunk)
        Winograd3x3.$policy.withValue(.never) {
            ConvKernels.backwardWeight(input: input, gradOutput: gradOutput, gradWeight: &direct, batch: t.batch, groups: 1,
                                       outChannels: t.outChannels, g)
        }
        // ∂w[o][c][i][j] = Σ_(n, y, x) gy[n][o][y][x] · x[n][c][y + i − padTop][x + j − padLeft], in float64.
        var exact = [Double](repeating: 0, count: count)
        var magnitude = [Double](repeating: 0, count: count)  // Σ |terms|, the scale of each sum's rounding
        for o in 0..<t.outChannels { for c in 0..<t.channels { for i in 0..<3 { for j in 0..<3 {
            var sum = 0.0, size = 0.0
            for n in 0..<t.batch { for y in 0..<t.outHeight { for x in 0..<t.outWidth {
                let yy = y + i - t.padTop, xx = x + j - t.padLeft
                if yy < 0 || yy >= t.height || xx < 0 || xx >= t.width { continue }
                let term = Double(gradOutput[((n * t.outChannels + o) * t.outHeight + y) * t.outWidth + x])
                    * Double(input[((n * t.channels + c) * t.height + yy) * t.width + xx])
                sum += term; size += abs(term)
            } } }
            exact[((o * t.channels + c) * 3 + i) * 3 + j] = sum
            magnitude[((o * t.channels + c) * 3 + i) * 3 + j] = size
        } } } }
        // Each gradient sums products over tiles: rounding grows with their count and the transforms' 2.25 to 4
        // growth of absolute values; 1e-5 of the largest sum of |terms| is far below a dropped or doubled term.
        let scale = magnitude.max() ?? 0
        var worstExact = 0.0, worstDirect = 0.0
        for e in 0..<count {
            worstExact = max(worstExact, winograd[e].isNaN ? .infinity : abs(Double(winograd[e]) - exact[e]))
            worstDirect = max(worstDirect, abs(Double(winograd[e]) - Double(direct[e])))
        }
        #expect(worstExact <= 1e-5 * scale, "\(t): |Winograd − exact| = \(worstExact), scale \(scale)")
        #expect(worstDirect <= 2e-5 * scale, "\(t): |Winograd − im2col| = \(worstDirect), scale \(scale)")
    }

    /// The kernel transform at every ISA level: G g Gᵀ by its definition in Double, for a count of kernels that
    /// is not a whole number of the C loop's 64-kernel blocks, done in two calls (a `first` that is not 0), for the
    /// kernels in order and transposed, each as they are and turned by 180° (the input gradient's kernels); the
    /// same bits at every level.
    @Test("the kernel transforms G g Gᵀ of F(2×2) and F(4×4) at every ISA level, in order and transposed, plain and turned")
    func kernelTransform() {
        let (outs, ins) = (10, 15), count = outs * ins, plane = count + 7  // planes further apart than they hold
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let weight: [Float] = (0..<(9 * count)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) - (1 << 23)) / Float(1 << 22)
        }
        let g2: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        let g4: [[Double]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                              [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        for tile in [Winograd3x3.Tile.f23, .f43] { for transposed in [false, true] { for turned in [false, true] {
            let g = tile == .f23 ? g2 : g4, side = g.count
            // Kernel t as a 3×3 array: weight[t], or (t = c·outs + o) weight[o][c] of [outs, ins]; turned 180° or not.
            func tap(_ t: Int, _ a: Int, _ b: Int) -> Double {
                let k = transposed ? (t % outs) * ins + t / outs : t
                return turned ? Double(weight[9 * k + 3 * (2 - a) + (2 - b)]) : Double(weight[9 * k + 3 * a + b])
            }
            var results: [[Float]] = []
            for isa in KernelISA.available {
                var u = [Float](repeating: .nan, count: side * side * plane)
                u.withUnsafeMutableBufferPointer { out in
                    for (first, n) in [(0, 64), (64, count - 64)] {
                        let (rows, cols, flip) = (transposed ? outs : 0, transposed ? ins : 0, Int32(turned ? 1 : 0))
                        if tile == .f23 {
                            ember_winograd_f23_weights(Int32(isa.rawValue), weight, first, n, rows, cols, flip, out.baseAddress, plane)
                        } else {
                            ember_winograd_f43_weights(Int32(isa.rawValue), weight, first, n, rows, cols, flip, out.baseAddress, plane)
                        }
                    }
                }
                var worst = 0.0
                for t in 0..<count {
                    for i in 0..<side { for j in 0..<side {
                        var exact = 0.0
                        for a in 0..<3 { for b in 0..<3 { exact += g[i][a] * tap(t, a, b) * g[j][b] } }
                        worst = Swift.max(worst, Swift.abs(Double(u[(side * i + j) * plane + t]) - exact))
                    } }
                }
                // Each value is two rounded sums of three terms of |g| ≤ 2 (F(2×2)'s halvings exact, F(4×4)'s sixths
                // and 24ths rounded once each): well under 1e-6.
                #expect(worst < 1e-6, "\(tile) \(isa), transposed \(transposed), turned \(turned): worst error \(worst)")
                results.append(u)
            }
            #expect(results.dropFirst().allSatisfy { zip($0, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern } })
        } } }
    }

    /// The kernel transform into packed GEMM panels (`panelProducts`): at every ISA level, for kernels read with
    /// either stride pattern and turned or not, a block of input channels by output channels that is neither a whole
    /// 64-column block (70 = 64 + 6) nor the panel's width, against the checked transform above; the columns past
    /// the block zeroed.
    @Test("the kernel transform into packed panels")
    func kernelPanels() {
        let (outs, ins) = (70, 5), ldp = 80, pstride = ins * ldp + 3
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let weight: [Float] = (0..<(9 * outs * ins)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) - (1 << 23)) / Float(1 << 22)
        }
        for isa in KernelISA.available { for turned in [false, true] {
            // Reference: the plain transform of the same kernels in [ins][outs] order (transposed, flipped if turned).
            let rows = turned ? ins : outs, cols = turned ? outs : ins
            var u = [Float](repeating: .nan, count: 16 * outs * ins)
            // Kernel (c, o) is weight[o][c] of [outs, ins], or turned weight[c][o] of [ins, outs].
            if turned {
                ember_winograd_f23_weights(Int32(isa.rawValue), weight, 0, outs * ins, 0, 0, 1, &u, outs * ins)
            } else {
                ember_winograd_f23_weights(Int32(isa.rawValue), weight, 0, outs * ins, rows, cols, 0, &u, outs * ins)
            }
            var panel = [Float](repeating: .nan, count: 16 * pstride)
            let (cStride, oStride) = turned ? (outs, 1) : (1, ins)
            ember_winograd_f23_weights_panel(Int32(isa.rawValue), weight, cStride, oStride, turned ? 1 : 0, ins, outs,
                                             &panel, pstride, ldp)
            var mismatches = 0
            for x in 0..<16 { for c in 0..<ins { for j in 0..<ldp {
                let got = panel[x * pstride + c * ldp + j]
                let want = j < outs ? u[x * outs * ins + c * outs + j] : 0
                if got.bitPattern != want.bitPattern { mismatches += 1 }
            } } }
            #expect(mismatches == 0, "\(isa), turned \(turned): \(mismatches) values differ")
        } }
    }

    @Test("ConvKernels.forward takes the path only where it applies and the policy allows")
    func dispatch() {
        // Chosen where it measured faster: 64+ channels in and out, maps of 2×2 and up, 32+ tiles (ResNet-18's 3×3
        // layers on one 224×224 image down to 14×14, and at batch 32 all but those on 1×1 maps).
        let square = WinogradCase(32, 256, 14, 14, 256, pad: 1).geometry
        #expect(Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 256, square))
        #expect(Winograd3x3.chosen(batch: 1, groups: 1, outChannels: 256, square))
        #expect(Winograd3x3.chosen(batch: 1, groups: 1, outChannels: 64, WinogradCase(1, 64, 56, 56, 64, pad: 1).geometry))
        #expect(Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 128, WinogradCase(32, 128, 4, 4, 128, pad: 1).geometry))
        #expect(Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 512, WinogradCase(32, 512, 7, 7, 512, pad: 1).geometry))
        #expect(Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 64, WinogradCase(32, 64, 8, 8, 64, pad: 1).geometry))
        #expect(Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 256, WinogradCase(32, 256, 2, 2, 256, pad: 1).geometry))
        #expect(!Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 512, WinogradCase(32, 512, 1, 1, 512, pad: 1).geometry))
        #expect(!Winograd3x3.chosen(batch: 1, groups: 1, outChannels: 512, WinogradCase(1, 512, 7, 7, 512, pad: 1).geometry))
        #expect(!Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 32, WinogradCase(32, 32, 56, 56, 32, pad: 1).geometry))
        #expect(!Winograd3x3.chosen(batch: 32, groups: 2, outChannels: 256, square))
        // The weight gradient from 32 tiles: batch 32 on 2×2 (32 tiles) yes, one 7×7 image (16) no.
        #expect(Winograd3x3.chosenForWeightGradient(batch: 32, groups: 1, outChannels: 256, WinogradCase(32, 256, 2, 2, 256, pad: 1).geometry))
        #expect(!Winograd3x3.chosenForWeightGradient(batch: 1, groups: 1, outChannels: 512, WinogradCase(1, 512, 7, 7, 512, pad: 1).geometry))
        Winograd3x3.$policy.withValue(.always) {
            #expect(Winograd3x3.chosenForWeightGradient(batch: 1, groups: 1, outChannels: 1, WinogradCase(1, 1, 5, 5, 1, pad: 0).geometry))
        }
        // F(4×4, 3×3) from 8×8 maps with 32 of its tiles: batch 32 on 8×8, one 56×56 or 28×28 image; F(2×2) on 4×4
        // and 2×2 maps, for one 14×14 image (16 tiles of 4×4), and where 4×4 tiles would pad more (10×10).
        for (batch, side) in [(32, 8), (1, 56), (1, 28)] {
            #expect(Winograd3x3.tile(batch: batch, WinogradCase(batch, 64, side, side, 64, pad: 1).geometry) == .f43, "\(batch)×\(side)²")
        }
        for (batch, side) in [(32, 4), (32, 2), (1, 14), (1, 7), (32, 10)] {
            #expect(Winograd3x3.tile(batch: batch, WinogradCase(batch, 64, side, side, 64, pad: 1).geometry) == .f23, "\(batch)×\(side)²")
        }
        Winograd3x3.$forcedTile.withValue(.f23) {
            #expect(Winograd3x3.tile(batch: 32, WinogradCase(32, 64, 8, 8, 64, pad: 1).geometry) == .f23)
        }
        var strided = square; strided.strideHeight = 2
        var dilated = square; dilated.dilationWidth = 2
        var wide = square; wide.kernelWidth = 5
        for g in [strided, dilated, wide] { #expect(!Winograd3x3.applies(groups: 1, g)) }
        Winograd3x3.$policy.withValue(.never) { #expect(!Winograd3x3.chosen(batch: 32, groups: 1, outChannels: 256, square)) }
        let tiny = WinogradCase(1, 1, 5, 5, 1, pad: 0).geometry
        #expect(!Winograd3x3.chosen(batch: 1, groups: 1, outChannels: 1, tiny))
        Winograd3x3.$policy.withValue(.always) { #expect(Winograd3x3.chosen(batch: 1, groups: 1, outChannels: 1, tiny)) }
    }

    /// The convolution as its definition: Σ over channels and taps in float64.
    func directSum(_ t: WinogradCase, _ x: [Float], _ w: [Float], _ bias: [Float]?) -> [Double] {
        var out = [Double](repeating: 0, count: t.batch * t.outChannels * t.outHeight * t.outWidth)
        for n in 0..<t.batch {
            for o in 0..<t.outChannels {
                for oy in 0..<t.outHeight {
                    for ox in 0..<t.outWidth {
                        var s = Double(bias?[o] ?? 0)
                        for c in 0..<t.channels {
                            for i in 0..<3 {
                                let y = oy + i - t.padTop
                                if y < 0 || y >= t.height { continue }
                                for j in 0..<3 {
                                    let xx = ox + j - t.padLeft
                                    if xx < 0 || xx >= t.width { continue }
                                    s += Double(w[((o * t.channels + c) * 3 + i) * 3 + j])
                                        * Double(x[((n * t.channels + c) * t.height + y) * t.width + xx])
                                }
                            }
                        }
                        out[((n * t.outChannels + o) * t.outHeight + oy) * t.outWidth + ox] = s
                    }
                }
            }
        }
        return out
    }
}
