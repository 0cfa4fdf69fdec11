// ResNet-18's 3×3 stride-1 convolutions, each by Winograd and by im2col + GEMM, to place Winograd's threshold.
import EmberKit
import EmberKernels

/// The forward of one 3×3 stride-1 padding-1 convolution of `batch` images `[channels, size, size]` to as many
/// channels, under a fixed `Winograd3x3.Policy` (`_winograd` rows: always, `_im2col` rows: never). The pairs are
/// what `Winograd3x3.isProfitable` was set from; PyTorch has no twin (it picks its own algorithm; the `r18conv_*`
/// rows compare with it).
func conv3x3Benchmarks() -> [Benchmark] {
    // (channels, map size, batch) of ResNet-18's 3×3 stride-1 layers on 32×32 inputs (8…1) and on 224×224 ones
    // (56…7), at batch 32, and the 224×224 ones on one image (inference).
    let big = [(64, 56), (128, 28), (256, 14), (512, 7)]
    let shapes = ([(64, 8), (128, 4), (256, 2), (512, 1)] + big).map { ($0.0, $0.1, 32) } + big.map { ($0.0, $0.1, 1) }
    return shapes.flatMap { channels, size, batch in
        [("winograd", Winograd3x3.Policy.always), ("im2col", .never)].map { label, policy in
            Benchmark("conv3x3_\(channels)c_\(size)px_b\(batch)_\(label)", runs: size >= 28 && batch > 1 ? 5 : 20) {
                let g = ConvGeometry(channels: channels, height: size, width: size, kernelHeight: 3, kernelWidth: 3,
                                     strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1, dilationHeight: 1,
                                     dilationWidth: 1, outHeight: size, outWidth: size)
                let x = withGenerator(Generator(seed: 0)) { Tensor.randn([batch, channels, size, size]) }
                let w = withGenerator(Generator(seed: 1)) { Tensor.randn([channels, channels, 3, 3]) } * 0.05
                let y = Tensor.empty([batch, channels, size, size])
                return {
                    Winograd3x3.$policy.withValue(policy) {
                        ConvKernels.forward(input: x.pointer(as: Float.self), weight: w.pointer(as: Float.self), bias: nil,
                                            output: y.pointer(as: Float.self), batch: batch, groups: 1,
                                            outChannels: channels, g)
                    }
                }
            }
        }
    }
}

/// The weight gradient of ResNet-18's 3×3 stride-1 layers on 32×32 inputs at batch 32 (`ConvKernels.backwardWeight`),
/// by Winograd F(3×3, 2×2) and by im2col + GEMM (`_winograd` / `_im2col`, the policy forced as in `conv3x3Benchmarks`).
func conv3x3WeightGradientBenchmarks() -> [Benchmark] {
    [(64, 8), (128, 4), (256, 2)].flatMap { channels, size in
        [("winograd", Winograd3x3.Policy.always), ("im2col", .never)].map { label, policy in
            Benchmark("conv3x3_wgrad_\(channels)c_\(size)px_b32_\(label)", runs: 20) {
                let batch = 32
                let g = ConvGeometry(channels: channels, height: size, width: size, kernelHeight: 3, kernelWidth: 3,
                                     strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1, dilationHeight: 1,
                                     dilationWidth: 1, outHeight: size, outWidth: size)
                let x = withGenerator(Generator(seed: 0)) { Tensor.randn([batch, channels, size, size]) }
                let gy = withGenerator(Generator(seed: 1)) { Tensor.randn([batch, channels, size, size]) }
                let gw = Tensor.empty([channels, channels, 3, 3])
                return {
                    Winograd3x3.$policy.withValue(policy) {
                        ConvKernels.backwardWeight(input: x.pointer(as: Float.self), gradOutput: gy.pointer(as: Float.self),
                                                   gradWeight: gw.pointer(as: Float.self), batch: batch, groups: 1,
                                                   outChannels: channels, g)
                    }
                }
            }
        }
    }
}

/// The convolutions of ResNet-18 inference on one 224×224 image, as `(input channels, output channels, kernel,
/// stride, input size)`, each once: the per-layer twin of `resnet18_infer_b1_224`. Padding is kernel / 2.
let resnet18InferenceConvolutions = [(3, 64, 7, 2, 224), (64, 64, 3, 1, 56), (64, 128, 3, 2, 56), (128, 128, 3, 1, 28),
                                     (64, 128, 1, 2, 56), (128, 256, 3, 2, 28), (256, 256, 3, 1, 14), (128, 256, 1, 2, 28),
                                     (256, 512, 3, 2, 14), (512, 512, 3, 1, 7), (256, 512, 1, 2, 14)]

/// `F.conv2d` forward (no gradient, no bias) of each of ResNet-18's convolution shapes on one 224×224 image, with
/// GFLOP/s and the fraction of `fma_peak`; `torch_reference.py` times the same calls.
func resnet18ConvolutionBenchmarks() -> [Benchmark] {
    resnet18InferenceConvolutions.map { inC, outC, k, stride, size in
        let out = (size + 2 * (k / 2) - k) / stride + 1
        let flops = 2 * Double(outC * out * out) * Double(inC * k * k)
        return Benchmark("r18conv_\(inC)to\(outC)_k\(k)s\(stride)_\(size)px_b1", runs: 30, flops: flops) {
            let x = withGenerator(Generator(seed: 0)) { Tensor.randn([1, inC, size, size]) }
            let w = withGenerator(Generator(seed: 1)) { Tensor.randn([outC, inC, k, k]) } * 0.05
            return { noGrad { _ = F.conv2d(x, w, stride: stride, padding: k / 2) } }
        }
    }
}

/// LeNet's two convolutions at batch 256 (1→6 channels 5×5 padding 2 on 28×28, 6→16 5×5 on 14×14): the forward,
/// the input gradient (the second only: the first's input is the data) and the weight gradient, each by direct
/// convolution and by im2col + GEMM (`_direct` / `_im2col`, `DirectConvolution.policy` forced), with GFLOP/s and the
/// fraction of `fma_peak`.
func lenetConvolutionBenchmarks() -> [Benchmark] {
    let batch = 256
    let layers = [("conv1", ConvGeometry(channels: 1, height: 28, width: 28, kernelHeight: 5, kernelWidth: 5, strideHeight: 1,
                                         strideWidth: 1, padTop: 2, padLeft: 2, dilationHeight: 1, dilationWidth: 1,
                                         outHeight: 28, outWidth: 28), 6),
                  ("conv2", ConvGeometry(channels: 6, height: 14, width: 14, kernelHeight: 5, kernelWidth: 5, strideHeight: 1,
                                         strideWidth: 1, padTop: 0, padLeft: 0, dilationHeight: 1, dilationWidth: 1,
                                         outHeight: 10, outWidth: 10), 16)]
    let passes = ["fwd", "dgrad", "wgrad"]
    return layers.flatMap { name, g, outChannels in
        passes.filter { name != "conv1" || $0 != "dgrad" }.flatMap { pass in
            [("direct", DirectConvolution.Policy.always), ("im2col", .never)].map { label, policy in
                let flops = 2 * Double(batch * outChannels * g.columnCount * g.columnRows)
                return Benchmark("lenet_\(name)_\(pass)_b\(batch)_\(label)", runs: 20, flops: flops) {
                    let x = withGenerator(Generator(seed: 0)) { Tensor.randn([batch, g.channels, g.height, g.width]) }
                    let w = withGenerator(Generator(seed: 1)) { Tensor.randn([outChannels, g.channels, g.kernelHeight, g.kernelWidth]) }
                    let y = withGenerator(Generator(seed: 2)) { Tensor.randn([batch, outChannels, g.outHeight, g.outWidth]) }
                    let gx = Tensor.empty(x.shape), gw = Tensor.empty(w.shape)
                    return {
                        DirectConvolution.$policy.withValue(policy) {
                            switch pass {
                            case "fwd":
                                ConvKernels.forward(input: x.pointer(as: Float.self), weight: w.pointer(as: Float.self), bias: nil,
                                                    output: y.pointer(as: Float.self), batch: batch, groups: 1, outChannels: outChannels, g)
                            case "dgrad":
                                ConvKernels.backwardInput(gradOutput: y.pointer(as: Float.self), weight: w.pointer(as: Float.self),
                                                          gradInput: gx.pointer(as: Float.self), batch: batch, groups: 1,
                                                          outChannels: outChannels, g)
                            default:
                                ConvKernels.backwardWeight(input: x.pointer(as: Float.self), gradOutput: y.pointer(as: Float.self),
                                                           gradWeight: gw.pointer(as: Float.self), batch: batch, groups: 1,
                                                           outChannels: outChannels, g)
                            }
                        }
                    }
                }
            }
        }
    }
}
