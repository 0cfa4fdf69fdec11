// DirectConvolution (direct_conv.c) at every ISA level against the convolution's definition in Double: forward,
// input gradient and weight gradient, on shapes that hit every channel block (3s, 2s, a last single channel), vector
// tails, non-square kernels, and padding on one side only; plus the automatic policy's choices.
import Testing
@testable import EmberKernels

@Suite("Direct convolution")
struct DirectConvolutionTests {
    /// (batch, channels, height, width, out channels, kernel height, kernel width, pad top, pad left, out height,
    /// out width). Output sizes below the full `size + 2·pad − k + 1` cut the padding below or right of the image.
    static let cases: [[Int]] = [
        [3, 1, 28, 28, 6, 5, 5, 2, 2, 28, 28],   // LeNet's first convolution (blocks of 3 channels)
        [2, 6, 14, 14, 16, 5, 5, 0, 0, 10, 10],  // LeNet's second (blocks of 2)
        [2, 2, 7, 9, 5, 3, 2, 1, 0, 7, 8],       // 5 channels: 2 + 2 + 1; 3×2 kernel
        [1, 3, 5, 4, 1, 1, 1, 0, 0, 5, 4],       // 1×1, one output channel
        [4, 2, 6, 11, 7, 2, 4, 1, 3, 6, 11],     // padding top/left only (bottom 0, right 0)
        [1, 4, 3, 3, 4, 3, 3, 2, 2, 5, 5],       // padding kernel − 1 (a "full" convolution)
        [5, 1, 1, 17, 3, 1, 3, 0, 1, 1, 17],     // one row: the wide length is one 17 + 2 column row
    ]

    static func geometry(_ c: [Int]) -> ConvGeometry {
        ConvGeometry(channels: c[1], height: c[2], width: c[3], kernelHeight: c[5], kernelWidth: c[6], strideHeight: 1,
                     strideWidth: 1, padTop: c[7], padLeft: c[8], dilationHeight: 1, dilationWidth: 1,
                     outHeight: c[9], outWidth: c[10])
    }

    /// Random input, weight, bias and output gradient for a case.
    static func operands(_ c: [Int]) -> (x: [Float], w: [Float], b: [Float], gy: [Float]) {
        var rng = TestRandom(seed: UInt64(c.reduce(7) { $0 &* 31 &+ $1 }))
        func sample(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.next()) } }
        return (sample(c[0] * c[1] * c[2] * c[3]), sample(c[4] * c[1] * c[5] * c[6]), sample(c[4]),
                sample(c[0] * c[4] * c[9] * c[10]))
    }

    /// One product term of the convolution: output (n, o, oy, ox) takes weight (o, ci, ky, kx) times input
    /// (n, ci, y, x), y = oy + ky − padTop inside the image; `input`, `weight` and `output` are their flat indices.
    struct Term { let input: Int, weight: Int, output: Int }

    /// Every product term of case `c`.
    static func terms(_ c: [Int]) -> [Term] {
        var terms: [Term] = []
        for n in 0..<c[0] { for o in 0..<c[4] { for oy in 0..<c[9] { for ox in 0..<c[10] {
            for ci in 0..<c[1] { for ky in 0..<c[5] { for kx in 0..<c[6] {
                let y = oy + ky - c[7], x = ox + kx - c[8]
                guard y >= 0 && y < c[2] && x >= 0 && x < c[3] else { continue }
                terms.append(Term(input: ((n * c[1] + ci) * c[2] + y) * c[3] + x,
                                  weight: ((o * c[1] + ci) * c[5] + ky) * c[6] + kx,
                                  output: ((n * c[4] + o) * c[9] + oy) * c[10] + ox))
            } } }
        } } } }
        return terms
    }

    /// The sums `into[target(term)] += product(term)` in Double over every term (starting from `start`), with the sums
    /// of the products' magnitudes for the error bound.
    static func sums(_ c: [Int], count: Int, start: [Double]? = nil, target: (Term) -> Int,
                     product: (Term) -> Double) -> (exact: [Double], size: [Double]) {
        var exact = start ?? [Double](repeating: 0, count: count), size = exact.map { abs($0) }
        for term in terms(c) {
            let i = target(term), value = product(term)
            exact[i] += value; size[i] += abs(value)
        }
        return (exact, size)
    }

    /// Compares `got` with `exact` within `terms` float roundings of the summed magnitudes, and checks that the
    /// `guards` values after it are still NaN.
    static func check(_ got: [Float], _ exact: [Double], _ size: [Double], terms: Int, guards: Int = 0,
                      _ what: String) -> [String] {
        var failures: [String] = []
        for i in exact.indices where !(abs(Double(got[i]) - exact[i]) <= Double(terms + 2) * Double(Float.ulpOfOne) * size[i] + 1e-30) {
            failures.append("\(what)[\(i)] = \(got[i]), expected \(exact[i])")
        }
        if !got[exact.count..<(exact.count + guards)].allSatisfy({ $0.isNaN }) { failures.append("\(what): written past the end") }
        return failures
    }

    @Test("forward: w ⊛ x + b at every level", arguments: KernelISA.available)
    func forward(isa: KernelISA) {
        for c in Self.cases {
            let (x, w, b, _) = Self.operands(c)
            let plane = c[9] * c[10]
            let bias = (0..<(c[0] * c[4] * plane)).map { Double(b[$0 / plane % c[4]]) }
            let (exact, size) = Self.sums(c, count: bias.count, start: bias, target: { $0.output }) {
                Double(w[$0.weight]) * Double(x[$0.input])
            }
            // Three guard values after the output: nothing is written past it.
            var y = [Float](repeating: .nan, count: exact.count + 3)
            DirectConvolution.forward(input: x, weight: w, bias: b, output: &y, batch: c[0], outChannels: c[4], Self.geometry(c), isa: isa)
            let failures = Self.check(y, exact, size, terms: c[1] * c[5] * c[6], guards: 3, "\(c) y")
            #expect(failures.isEmpty, "\(isa): \(failures.prefix(4))")
        }
    }

    @Test("input gradient: the transposed, turned kernels at every level", arguments: KernelISA.available)
    func inputGradient(isa: KernelISA) {
        for c in Self.cases {
            let (_, w, _, gy) = Self.operands(c)
            let (exact, size) = Self.sums(c, count: c[0] * c[1] * c[2] * c[3], target: { $0.input }) {
                Double(w[$0.weight]) * Double(gy[$0.output])
            }
            var gx = [Float](repeating: .nan, count: exact.count + 3)
            DirectConvolution.backwardInput(gradOutput: gy, weight: w, gradInput: &gx, batch: c[0], outChannels: c[4],
                                            Self.geometry(c), isa: isa)
            let failures = Self.check(gx, exact, size, terms: c[4] * c[5] * c[6], guards: 3, "\(c) gx")
            #expect(failures.isEmpty, "\(isa): \(failures.prefix(4))")
        }
    }

    @Test("weight gradient: Σ gy · x over images and positions at every level", arguments: KernelISA.available)
    func weightGradient(isa: KernelISA) {
        for c in Self.cases {
            let (x, _, _, gy) = Self.operands(c)
            let (exact, size) = Self.sums(c, count: c[4] * c[1] * c[5] * c[6], target: { $0.weight }) {
                Double(gy[$0.output]) * Double(x[$0.input])
            }
            var gw = [Float](repeating: .nan, count: exact.count)
            DirectConvolution.backwardWeight(input: x, gradOutput: gy, gradWeight: &gw, batch: c[0], outChannels: c[4],
                                             Self.geometry(c), isa: isa)
            let failures = Self.check(gw, exact, size, terms: c[0] * c[9] * c[10], "\(c) gw")
            #expect(failures.isEmpty, "\(isa): \(failures.prefix(4))")
        }
    }

    @Test("ConvKernels takes the direct path for LeNet's convolutions, not for strided, grouped or wide ones")
    func automaticPolicy() {
        let lenet1 = Self.geometry(Self.cases[0]), lenet2 = Self.geometry(Self.cases[1])
        #expect(DirectConvolution.chosen(groups: 1, outChannels: 6, lenet1))
        #expect(DirectConvolution.chosen(groups: 1, outChannels: 16, lenet2))
        #expect(DirectConvolution.chosenForInputGradient(groups: 1, outChannels: 16, lenet2))
        var strided = lenet1
        strided.strideWidth = 2; strided.outWidth = 14
        #expect(!DirectConvolution.chosen(groups: 1, outChannels: 6, strided))
        #expect(!DirectConvolution.chosen(groups: 2, outChannels: 6, lenet1))
        // 1×1 kernels are a GEMM on the input already.
        let pointwise = ConvGeometry(channels: 64, height: 14, width: 14, kernelHeight: 1, kernelWidth: 1, strideHeight: 1,
                                     strideWidth: 1, padTop: 0, padLeft: 0, dilationHeight: 1, dilationWidth: 1,
                                     outHeight: 14, outWidth: 14)
        #expect(!DirectConvolution.chosen(groups: 1, outChannels: 16, pointwise))
        // 64 output channels (ResNet's): im2col + GEMM.
        #expect(!DirectConvolution.chosen(groups: 1, outChannels: 64, lenet2))
        // Padding of a whole kernel: its input gradient would need negative padding.
        var padded = lenet2
        padded.padTop = 5; padded.outHeight = 20
        #expect(!DirectConvolution.applies(groups: 1, padded))
        DirectConvolution.$policy.withValue(.never) { #expect(!DirectConvolution.chosen(groups: 1, outChannels: 6, lenet1)) }
        DirectConvolution.$policy.withValue(.always) { #expect(DirectConvolution.chosen(groups: 1, outChannels: 64, lenet2)) }
    }

    @Test("ConvKernels: the direct path and im2col + GEMM agree on LeNet's second convolution")
    func matchesIm2col() {
        let c = Self.cases[1], g = Self.geometry(c)
        let (x, w, b, gy) = Self.operands(c)
        func run(_ policy: DirectConvolution.Policy) -> (y: [Float], gx: [Float], gw: [Float]) {
            DirectConvolution.$policy.withValue(policy) {
                var y = [Float](repeating: .nan, count: gy.count), gx = [Float](repeating: .nan, count: x.count)
                var gw = [Float](repeating: .nan, count: w.count)
                ConvKernels.forward(input: x, weight: w, bias: b, output: &y, batch: c[0], groups: 1, outChannels: c[4], g)
                ConvKernels.backward(input: x, gradOutput: gy, weight: w, gradInput: &gx, gradWeight: &gw, batch: c[0],
                                     groups: 1, outChannels: c[4], g)
                return (y, gx, gw)
            }
        }
        let direct = run(.always), im2col = run(.never)
        for (a, b, what) in [(direct.y, im2col.y, "y"), (direct.gx, im2col.gx, "gx"), (direct.gw, im2col.gw, "gw")] {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .nan
            #expect(worst < 1e-5, "\(what): worst relative difference \(worst)")
        }
    }
}
