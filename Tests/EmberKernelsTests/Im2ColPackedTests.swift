// im2colPacked: the column matrix written straight into GEMM panel order, checked element by element
// against the definition of im2col (and, with dead taps dropped, against the row-major im2col).
import Testing
@testable import EmberKernels
import CEmberKernels

@Suite("Im2ColPacked")
struct Im2ColPackedTests {
    /// (channels, height, width, kernel, stride, pad, dilation, images).
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 7, 9, 3, 1, 1, 1, 2),    // "same" 3×3: the shifted path
        (2, 11, 10, 3, 2, 1, 1, 3),  // stride 2
        (1, 12, 12, 5, 1, 0, 1, 1),  // LeNet's 5×5
        (2, 9, 9, 3, 1, 2, 2, 2),    // dilation
        (4, 5, 5, 1, 2, 0, 1, 3),    // 1×1 stride 2
        (2, 3, 3, 3, 1, 2, 1, 1),    // padding 2 on a 3×3 image: dead taps
        (1, 5, 150, 3, 2, 1, 1, 2),  // stride 2, rows of 75: the C strided copy
        (2, 4, 200, 3, 3, 1, 1, 1),  // stride 3, rows of 67
    ]

    /// The strided copy behind long strided rows, at every ISA level: strides 2 and 3, lengths around the vector
    /// widths; nothing written past the n-th element.
    @Test("ember_f32_strided_copy_level copies every stride-th element and nothing more")
    func stridedCopy() {
        let source = (0..<1000).map { Float($0) + 0.5 }
        for isa in KernelISA.available { for stride in [2, 3] { for n in [1, 15, 16, 17, 64, 75, 331] {
            var out = [Float](repeating: -1, count: n + 8)
            ember_f32_strided_copy_level(Int32(isa.rawValue), source, stride, n, &out)
            let ok = (0..<n).allSatisfy { out[$0] == source[$0 * stride] } && out[n...].allSatisfy { $0 == -1 }
            #expect(ok, "\(isa), stride \(stride), n \(n)")
        } } }
    }

    static func geometry(_ c: (Int, Int, Int, Int, Int, Int, Int, Int)) -> ConvGeometry {
        let (ch, h, w, k, s, p, d, _) = c
        let oh = (h + 2 * p - d * (k - 1) - 1) / s + 1, ow = (w + 2 * p - d * (k - 1) - 1) / s + 1
        return ConvGeometry(channels: ch, height: h, width: w, kernelHeight: k, kernelWidth: k, strideHeight: s,
                            strideWidth: s, padTop: p, padLeft: p, dilationHeight: d, dilationWidth: d,
                            outHeight: oh, outWidth: ow)
    }

    @Test("every element at ((j / w)·K + p)·w + j % w, zeros past the last column", arguments: [1, 5, 16, 64])
    func definition(panelWidth w: Int) {
        for c in Self.cases {
            let g = Self.geometry(c), images = c.7
            let imageSize = g.channels * g.height * g.width
            let input = (0..<(images * imageSize)).map { Float($0 % 251) + 1 }  // no zeros: padding shows
            let plan = Im2ColPlan(g, dropDeadTaps: false)
            let k = plan.rows, l = g.columnCount, width = images * l
            let panels = (width + w - 1) / w
            var packed = [Float](repeating: -1, count: panels * k * w)
            input.withUnsafeBufferPointer { x in
                Im2Col.im2colPacked(x.baseAddress!, imageStride: imageSize, count: images, g, plan, &packed, panelWidth: w)
            }
            var bad: String?
            for row in 0..<k {
                let ch = row / (g.kernelHeight * g.kernelWidth), tap = row % (g.kernelHeight * g.kernelWidth)
                let ky = tap / g.kernelWidth, kx = tap % g.kernelWidth
                for j in 0..<(panels * w) {
                    var want: Float = 0
                    if j < width {
                        let b = j / l, oy = (j % l) / g.outWidth, ox = j % g.outWidth
                        let y = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                        let x = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                        if y >= 0 && y < g.height && x >= 0 && x < g.width {
                            want = input[b * imageSize + (ch * g.height + y) * g.width + x]
                        }
                    }
                    let got = packed[((j / w) * k + row) * w + j % w]
                    if got != want && bad == nil { bad = "row \(row) column \(j): \(got), want \(want)" }
                }
            }
            #expect(bad == nil, "geometry \(c), panel width \(w): \(bad ?? "")")
        }
    }

    @Test("with dead taps dropped, the same matrix as the row-major im2col")
    func matchesRowMajor() {
        for c in Self.cases {
            let g = Self.geometry(c), images = c.7, w = 16
            let imageSize = g.channels * g.height * g.width
            let input = (0..<(images * imageSize)).map { Float($0 % 97) - 40 }
            let plan = Im2ColPlan(g)
            let k = plan.rows, width = images * g.columnCount
            var rowMajor = [Float](repeating: .nan, count: k * width)
            var packed = [Float](repeating: .nan, count: (width + w - 1) / w * k * w)
            input.withUnsafeBufferPointer { x in
                Im2Col.im2col(x.baseAddress!, imageStride: imageSize, count: images, g, plan, &rowMajor, ld: width)
                Im2Col.im2colPacked(x.baseAddress!, imageStride: imageSize, count: images, g, plan, &packed, panelWidth: w)
            }
            var same = true
            for p in 0..<k { for j in 0..<width where packed[((j / w) * k + p) * w + j % w] != rowMajor[p * width + j] { same = false } }
            #expect(same, "geometry \(c)")
        }
    }
}
