// Max pooling with argmax over float planes (pool_argmax_f32.c) at every ISA level, against PyTorch's CPU loop
// written out: taps in row-major order from -infinity, a larger value or any NaN replaces the maximum. The values
// come from a small set (ties everywhere, -0.0 against 0.0, -infinity) so that the choice among equal maxima is tested.
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite struct PoolArgmaxKernelTests {
    /// PyTorch's `max_pool2d_with_indices` CPU loop for one plane.
    func reference(_ x: [Float], _ g: PoolGeometry) -> ([Float], [Int64]) {
        var values: [Float] = [], indices: [Int64] = []
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                var ys = oy * g.strideHeight - g.padHeight, xs = ox * g.strideWidth - g.padWidth
                let ye = Swift.min(ys + (g.kernelHeight - 1) * g.dilationHeight + 1, g.height)
                let xe = Swift.min(xs + (g.kernelWidth - 1) * g.dilationWidth + 1, g.width)
                while ys < 0 { ys += g.dilationHeight }
                while xs < 0 { xs += g.dilationWidth }
                var best = -Float.infinity, index = ys * g.width + xs
                for y in Swift.stride(from: ys, to: ye, by: g.dilationHeight) {
                    for xx in Swift.stride(from: xs, to: xe, by: g.dilationWidth) {
                        let v = x[y * g.width + xx]
                        if v > best || v.isNaN { best = v; index = y * g.width + xx }
                    }
                }
                values.append(best)
                indices.append(Int64(index))
            }
        }
        return (values, indices)
    }

    static let geometries: [PoolGeometry] = [
        // ResNet's stem pool, a pool of pairs, stride 1 with padding, a dilated and uneven window, and ceil mode's
        // last window hanging over the plane's edge.
        PoolGeometry(height: 16, width: 16, outHeight: 8, outWidth: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                     strideWidth: 2, padHeight: 1, padWidth: 1, dilationHeight: 1, dilationWidth: 1),
        PoolGeometry(height: 9, width: 21, outHeight: 4, outWidth: 10, kernelHeight: 2, kernelWidth: 2, strideHeight: 2,
                     strideWidth: 2, padHeight: 0, padWidth: 0, dilationHeight: 1, dilationWidth: 1),
        PoolGeometry(height: 7, width: 37, outHeight: 7, outWidth: 37, kernelHeight: 3, kernelWidth: 3, strideHeight: 1,
                     strideWidth: 1, padHeight: 1, padWidth: 1, dilationHeight: 1, dilationWidth: 1),
        PoolGeometry(height: 11, width: 13, outHeight: 6, outWidth: 8, kernelHeight: 5, kernelWidth: 3, strideHeight: 2,
                     strideWidth: 2, padHeight: 2, padWidth: 1, dilationHeight: 1, dilationWidth: 2),
        PoolGeometry(height: 10, width: 10, outHeight: 5, outWidth: 5, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                     strideWidth: 2, padHeight: 0, padWidth: 0, dilationHeight: 1, dilationWidth: 1),
    ]

    @Test("the first maximum in row-major order, the last NaN, at every ISA level", arguments: geometries)
    func matchesPyTorchsLoop(_ g: PoolGeometry) {
        var state: UInt64 = UInt64(g.width * 131 + g.height)
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let palette: [Float] = [0, -0.0, 1, 1, 2, -1, -.infinity, 2]
        let planes = 4, plane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        var x = (0..<(planes * plane)).map { _ in palette[Int(next() % UInt64(palette.count))] }
        x[plane + 5] = .nan                                // plane 1: one NaN
        x[2 * plane + 3] = .nan; x[2 * plane + g.width + 4] = .nan  // plane 2: two NaNs that can share a window
        for i in (3 * plane)..<(4 * plane) { x[i] = -.infinity }  // plane 3: nothing but -infinity
        let cg = ember_pool_geometry(h: g.height, w: g.width, oh: g.outHeight, ow: g.outWidth, kh: g.kernelHeight,
                                     kw: g.kernelWidth, sh: g.strideHeight, sw: g.strideWidth, ph: g.padHeight, pw: g.padWidth,
                                     dh: g.dilationHeight, dw: g.dilationWidth)
        for isa in KernelISA.available {
            var values = [Float](repeating: 7, count: planes * outPlane), indices = [Int64](repeating: -1, count: planes * outPlane)
            var keys = [UInt64](repeating: 0, count: g.width)
            withUnsafePointer(to: cg) { geometry in
                ember_f32_maxpool_argmax_level(Int32(isa.rawValue), x, planes, geometry, &values, &indices, &keys)
            }
            for p in 0..<planes {
                let (wantValues, wantIndices) = reference(Array(x[(p * plane)..<((p + 1) * plane)]), g)
                let gotValues = values[(p * outPlane)..<((p + 1) * outPlane)], gotIndices = indices[(p * outPlane)..<((p + 1) * outPlane)]
                let sameValues = zip(gotValues, wantValues).allSatisfy {
                    $0.isNaN ? $1.isNaN : $0 == $1 && $0.sign == $1.sign
                }
                #expect(sameValues && Array(gotIndices) == wantIndices, "\(isa) plane \(p) of \(g)")
            }
        }
    }
}
