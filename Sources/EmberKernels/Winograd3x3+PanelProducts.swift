// Winograd3x3 with few tiles: the 16 products with tiles as rows, the kernels transformed straight into packed panels.
import CEmberKernels

extension Winograd3x3 {
    /// `mt[ξ][t·outChannels + o] = Σ_c v[ξ][c·count + t] · U[ξ][c][o]` for the 16 positions ξ: the products of a chunk of
    /// `count` tiles with tiles as rows, `U[ξ] = (G g Gᵀ)[ξ]` of the kernel joining input channel c to output channel o
    /// (`weight[o][c]`, or with `turned` `weight[c][o]` turned by 180°, as in `forward`).
    ///
    /// The transformed kernels never go to memory as a whole: each task transforms a block of `kBlock` input channels
    /// by one panel of output channels straight into the microkernel's packed layout (16 panels, one per ξ, in its
    /// L2) and multiplies all tiles by them. With few tiles the transformed kernels are the largest operand by far
    /// (one 7×7 image with 512 channels: 16 MB of them against 0.5 MB of tiles); written out and read back they made
    /// the kernel transform, bound by memory, cost more than the products.
    ///
    /// - Parameters:
    ///   - weight: `[outChannels, channels, 3, 3]`, or with `turned` `[channels, outChannels, 3, 3]`.
    ///   - turned: Use the kernels transposed and turned (`backwardInput`).
    ///   - outChannels: Columns of the products.
    ///   - channels: The products' inner dimension.
    ///   - v: The transformed tiles, `v[ξ][c·count + t]`, `WinogradTransforms.planeStride(channels·count)` apart.
    ///   - count: Tiles, the rows of the products.
    ///   - mt: The 16 products `[count, outChannels]`, `count·outChannels` apart (overwritten).
    static func panelProducts(weight: UnsafePointer<Float>, turned: Bool, outChannels: Int, channels: Int,
                              v: UnsafePointer<Float>, count: Int, into mt: UnsafeMutablePointer<Float>) {
        let xi = WinogradTransforms.tileElements, isa = KernelISA.active
        let (kernel, blocking) = Float.microkernel(isa)
        let mr = blocking.mr, nr = blocking.nr
        let level = Int32(isa.rawValue)
        // Vᵀ[ξ] packed once into mr-row panels over all channels: panel r's column c at r·mr·channels + c·mr.
        let rowPanels = (count + mr - 1) / mr, aSize = rowPanels * mr * channels
        let aScratch = ScratchBuffer<Float>(xi * aSize), vStride = WinogradTransforms.planeStride(channels * count)
        defer { aScratch.release() }
        let packedA = aScratch.pointer
        ThreadPool.shared.parallelFor(xi) { range in
            for x in range {
                Float.packA(mc: count, kc: channels, a: v + x &* vStride, rowStride: 1, colStride: count, mr: mr,
                            into: packedA + x &* aSize)
            }
        }
        // Kernel (c, o) at weight + 9·(c·cStride + o·oStride).
        let (cStride, oStride) = turned ? (outChannels, 1) : (1, channels)
        let flip: Int32 = turned ? 1 : 0
        let kBlock = Swift.min(channels, panelProductsKBlock)
        let panelStride = WinogradTransforms.planeStride(kBlock * nr)
        let columnPanels = (outChannels + nr - 1) / nr, matrix = count * outChannels
        ThreadPool.shared.parallelFor(columnPanels) { range in
            let bScratch = ScratchBuffer<Float>(xi * panelStride)
            defer { bScratch.release() }
            let panels = bScratch.pointer
            for q in range {
                let o0 = q &* nr, nc = Swift.min(nr, outChannels &- o0)
                var c0 = 0
                while c0 < channels {
                    let kc = Swift.min(kBlock, channels &- c0)
                    ember_winograd_f23_weights_panel(level, weight + 9 &* (c0 &* cStride &+ o0 &* oStride), cStride, oStride,
                                                     flip, kc, nc, panels, panelStride, nr)
                    let beta: Float = c0 == 0 ? 0 : 1
                    for x in 0..<xi {
                        let b = panels + x &* panelStride, a = packedA + (x &* aSize &+ c0 &* mr)
                        let c = mt + (x &* matrix &+ o0)
                        for r in 0..<rowPanels {
                            Float.call(kernel, kc: kc, a: a + r &* mr &* channels, lda: 0, b: b, ldb: nr,
                                       c: c + r &* mr &* outChannels, ldc: outChannels, alpha: 1, beta: beta,
                                       mr: Swift.min(mr, count &- r &* mr), nr: nc)
                        }
                    }
                    c0 &+= kc
                }
            }
        }
    }

    /// Input channels whose transformed kernels `panelProducts` holds at once: 16 panels of 128 × 64 floats (512 KB)
    /// stay in a Zen 4 core's 1 MB L2.
    static let panelProductsKBlock = 128
}
