// Registry entries of the NN functional ops with their own nodes (EmberNN/Functional): convolution, pooling,
// interpolation, padding, embedding and dropout. Their many-case gradchecks live in dedicated test files.
import Foundation
import Ember
import EmberNN

/// Pools each non-overlapping 2×2 window of every [H, W] plane of a [N, C, H, W] tensor with `f` (a plain loop).
public func pool2x2(_ x: Tensor, _ f: ([Double]) -> Double) -> Tensor {
    let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let v = x.contiguous().scalars
    var out: [Double] = []
    for p in 0..<planes { for i in stride(from: 0, to: h - 1, by: 2) { for j in stride(from: 0, to: w - 1, by: 2) {
        let base = p * h * w
        out.append(f([v[base + i * w + j], v[base + i * w + j + 1], v[base + (i + 1) * w + j], v[base + (i + 1) * w + j + 1]]))
    } } }
    return Tensor(out, shape: [x.shape[0], x.shape[1], h / 2, w / 2])
}

private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

extension OpRegistry {
    static var convolutions: [OpInfo] {
        [
            OpInfo("F.conv2d / F.conv1d / F.conv_transpose2d", nodes: ["ConvolutionBackward0"],
                   golden: ["conv2d_seed_example", "conv2d_multichannel", "conv2d_1x1_and_5x5", "conv2d_dilation_groups", "conv_transpose2d", "conv1d"],
                   firstOrder: .elsewhere("EmberNNTests/ConvolutionTests.swift", calling: "F.conv2d"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.conv2d"),
                   samples: [
                       // A 1×1 convolution is a matrix product over the channels at each pixel.
                       OpSample("1x1 kernel, bias", [sample([2, 3, 2, 2]), sample([4, 3, 1, 1], seed: 2), sample([4], seed: 3)], reference: { i in
                           let pixels = i[0].permute(0, 2, 3, 1).reshape([8, 3])
                           let y = naiveMatmul(pixels, i[1].reshape([4, 3]).t()) + i[2]
                           return permuted(reshaped(y, [2, 2, 2, 4]), [0, 3, 1, 2])
                       }) { F.conv2d($0[0], $0[1], bias: $0[2]) },
                       OpSample("stride 2, padding 1, groups 2", [sample([1, 4, 5, 5]), sample([2, 2, 3, 3], seed: 2)]) {
                           F.conv2d($0[0], $0[1], stride: 2, padding: 1, groups: 2)
                       },
                       OpSample("conv1d", [sample([2, 2, 6]), sample([3, 2, 3], seed: 2)]) { F.conv1d($0[0], $0[1], padding: 1) },
                       OpSample("conv_transpose2d, stride 2", [sample([1, 2, 3, 3]), sample([2, 3, 2, 2], seed: 2)]) {
                           F.convTranspose2d($0[0], $0[1], stride: 2, padding: 1)
                       },
                   ],
                   errors: [
                       OpErrorInput("channel mismatch", "conv2d: Given groups=1, weight of size [6, 1, 5, 5], expected input[1, 3, 28, 28] to have 1 channels, but got 3 channels instead") {
                           _ = F.conv2d(Tensor.zeros([1, 3, 28, 28]), Tensor.zeros([6, 1, 5, 5]))
                       },
                       OpErrorInput("kernel larger than the input", "conv2d: Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size") {
                           _ = F.conv2d(Tensor.zeros([1, 1, 2, 2]), Tensor.zeros([1, 1, 3, 3]))
                       },
                       OpErrorInput("groups do not divide the output channels", "conv2d: Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead") {
                           _ = F.conv2d(Tensor.zeros([1, 4, 5, 5]), Tensor.zeros([3, 2, 3, 3]), groups: 2)
                       },
                       OpErrorInput("padding 'same' with a stride", "conv2d: padding='same' is not supported for strided convolutions") {
                           _ = F.conv2d(Tensor.zeros([1, 1, 5, 5]), Tensor.zeros([1, 1, 3, 3]), stride: 2, padding: "same")
                       },
                       OpErrorInput("output padding too large", "conv_transpose2d: output padding must be smaller than either stride or dilation") {
                           _ = F.convTranspose2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([3, 2, 3, 3]), stride: 2, outputPadding: 2)
                       },
                   ]),
            OpInfo("F.pad", nodes: ["ConstantPadNdBackward0"], firstOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.pad"),
                   secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.pad"),
                   samples: [OpSample("pad the last dim, crop the one before", [sample([1, 3, 2])], reference: { i in
                       let v = i[0].scalars
                       // Rows 1 and 2 of each [3, 2] plane (row 0 cropped), each row padded to [9, a, b, 9, 9].
                       let values: [Double] = [1, 2].flatMap { (r: Int) -> [Double] in [9, v[r * 2], v[r * 2 + 1], 9, 9] }
                       return Tensor(values, shape: [1, 2, 5])
                   }) { F.pad($0[0], [1, 2, -1, 0], value: 9) }]),
            OpInfo("F.embedding", nodes: ["EmbeddingBackward0", "EmbeddingBackwardBackward0"], golden: ["embedding"],
                   firstOrder: .elsewhere("EmberNNTests/EmbeddingAttentionDropoutTests.swift", calling: "F.embedding"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.embedding"),
                   samples: [OpSample("repeated rows, [2, 2] indices", [sample([4, 3])], reference: { i in
                       let v = i[0].scalars
                       let values: [Double] = [3, 0, 3, 1].flatMap { (r: Int) -> [Double] in Array(v[(r * 3)..<(r * 3 + 3)]) }
                       return Tensor(values, shape: [2, 2, 3])
                   }) { F.embedding(Tensor([Int64(3), 0, 3, 1], shape: [2, 2]), $0[0]) }],
                   errors: [OpErrorInput("index out of range", "embedding: index out of range in self") {
                       _ = F.embedding(tensor([0, 6]), Tensor.zeros([6, 4]))
                   }]),
            // The mask comes from a fresh generator with a fixed seed on every call, so finite differences see one mask.
            OpInfo("F.dropout", nodes: ["NativeDropoutBackward0"], secondOrder: .registry,
                   samples: [OpSample("p 0.5, training", [sample([4, 5])]) { F.dropout($0[0], p: 0.5, training: true, generator: Generator(seed: 7)) }]),
        ]
    }

    static var pooling: [OpInfo] {
        [
            OpInfo("F.max_pool2d", nodes: ["MaxPool2DWithIndicesBackward0", "MaxPool2DWithIndicesBackwardBackward0"], golden: ["pools", "maxpool_ceil_mode"],
                   firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.maxPool2d"), secondOrder: .registry,
                   samples: [
                       OpSample("2x2 windows", [sample([1, 2, 4, 4])], reference: { pool2x2($0[0]) { $0.max()! } }) { F.maxPool2d($0[0], kernelSize: 2) },
                       OpSample("3x3, stride 2, padding 1, ceil mode", [sample([1, 1, 5, 6])]) {
                           F.maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true)
                       },
                   ],
                   errors: [OpErrorInput("padding over half the kernel", "max_pool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1") {
                       _ = F.maxPool2d(Tensor.zeros([1, 1, 5, 5]), kernelSize: 2, padding: 2)
                   }]),
            OpInfo("F.avg_pool2d", nodes: ["AvgPool2DBackward0", "AvgPool2DBackwardBackward0"], golden: ["pools"],
                   firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.avgPool2d"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.avgPool2d"),
                   samples: [OpSample("2x2 windows", [sample([1, 2, 4, 4])], reference: { pool2x2($0[0], mean) }) { F.avgPool2d($0[0], kernelSize: 2) }]),
            OpInfo("F.adaptive_avg_pool2d", nodes: ["AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool2DBackwardBackward0"], golden: ["adaptive_avg_pool"],
                   firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.adaptiveAvgPool2d"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.adaptiveAvgPool2d"),
                   samples: [
                       OpSample("to 1x1", [sample([2, 3, 3, 2])], reference: { rowwise($0[0].reshape([6, 6]), mean).reshape([2, 3, 1, 1]) }) {
                           F.adaptiveAvgPool2d($0[0], outputSize: [1, 1])
                       },
                       // Overlapping windows: rows {0, 1} and {1, 2} of each 3x2 plane, all columns.
                       OpSample("3x2 to 2x1", [sample([1, 2, 3, 2])], reference: { i in
                           let v = i[0].scalars
                           let values: [Double] = [0, 1].flatMap { (p: Int) -> [Double] in
                               [mean(Array(v[(p * 6)..<(p * 6 + 4)])), mean(Array(v[(p * 6 + 2)..<(p * 6 + 6)]))]
                           }
                           return Tensor(values, shape: [1, 2, 2, 1])
                       }) { F.adaptiveAvgPool2d($0[0], outputSize: [2, 1]) },
                   ]),
            OpInfo("F.adaptive_max_pool2d", nodes: ["AdaptiveMaxPool2DBackward0"], firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.adaptiveMaxPool2d"),
                   secondOrder: .no("not needed by any model; its backward is a kernel scatter"),
                   samples: [OpSample("to 1x1", [sample([2, 3, 3, 2])], reference: { rowwise($0[0].reshape([6, 6])) { $0.max()! }.reshape([2, 3, 1, 1]) }) {
                       F.adaptiveMaxPool2d($0[0], outputSize: [1, 1])
                   }]),
            OpInfo("F.interpolate (nearest)", nodes: ["UpsampleNearest2DBackward0", "UpsampleNearest2DBackwardBackward0"], golden: ["interpolate_bilinear"],
                   firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.interpolate"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.interpolate"),
                   samples: [OpSample("scale 2", [sample([1, 2, 2, 3])], reference: { i in
                       let v = i[0].scalars
                       let values: [Double] = (0..<48).map { (k: Int) -> Double in
                           let plane = k / 24, row = (k / 6) % 4, col = k % 6
                           return v[plane * 6 + (row / 2) * 3 + col / 2]
                       }
                       return Tensor(values, shape: [1, 2, 4, 6])
                   }) { F.interpolate($0[0], scaleFactor: 2, mode: .nearest) }]),
            OpInfo("F.interpolate (bilinear)", nodes: ["UpsampleBilinear2DBackward0", "UpsampleBilinear2DBackwardBackward0"], golden: ["interpolate_bilinear"],
                   firstOrder: .elsewhere("EmberNNTests/PoolingTests.swift", calling: "F.interpolate"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.interpolate"),
                   // With align_corners the middle output pixel of 1x3 from 1x2 is the mean of the two inputs.
                   samples: [OpSample("1x2 to 1x3, align corners", [sample([1, 1, 1, 2])], reference: { i in
                       let v = i[0].scalars
                       return Tensor([v[0], (v[0] + v[1]) / 2, v[1]], shape: [1, 1, 1, 3])
                   }) { F.interpolate($0[0], size: [1, 3], mode: .bilinear, alignCorners: true) }]),
        ]
    }

    static var normalization: [OpInfo] {
        [
            OpInfo("F.batch_norm", nodes: ["NativeBatchNormBackward0"], golden: ["batch_norm_train", "batch_norm_eval", "batch_norm1d_running_stats"],
                   firstOrder: .elsewhere("EmberNNTests/NormalizationTests.swift", calling: "F.batchNorm"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.batchNorm"),
                   samples: [OpSample("training, [5, 3], batch statistics", [sample([5, 3])], reference: { i in
                       let cols = i[0].t().contiguous()
                       let stats = rowwise(cols) { (v: [Double]) -> Double in let m = mean(v); return mean(v.map { ($0 - m) * ($0 - m) }) }.scalars
                       let means = rowwise(cols, mean).scalars, x = i[0].scalars
                       let values: [Double] = (0..<15).map { (k: Int) -> Double in (x[k] - means[k % 3]) / (stats[k % 3] + 1e-5).squareRoot() }
                       return Tensor(values, shape: [5, 3])
                   }) { F.batchNorm($0[0], runningMean: nil, runningVar: nil, training: true) }],
                   errors: [OpErrorInput("one value per channel in training", "batch_norm: Expected more than 1 value per channel when training, got input size [1, 3]") {
                       _ = F.batchNorm(Tensor.zeros([1, 3]), runningMean: nil, runningVar: nil, training: true)
                   }]),
            OpInfo("F.layer_norm", nodes: ["NativeLayerNormBackward0"], golden: ["layer_norm"],
                   firstOrder: .elsewhere("EmberNNTests/NormalizationTests.swift", calling: "F.layerNorm"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.layerNorm"),
                   samples: [OpSample("last dim, weight and bias", [sample([3, 4]), sample([4], seed: 2), sample([4], seed: 3)], reference: { i in
                       let x = i[0].scalars, w = i[1].scalars, b = i[2].scalars
                       return Tensor((0..<3).flatMap { r -> [Double] in
                           let row = Array(x[(r * 4)..<(r * 4 + 4)]), m = mean(row)
                           let sd = (mean(row.map { ($0 - m) * ($0 - m) }) + 1e-5).squareRoot()
                           return (0..<4).map { (row[$0] - m) / sd * w[$0] + b[$0] }
                       }, shape: [3, 4])
                   }) { F.layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2]) }],
                   errors: [OpErrorInput("normalized shape does not end the input's", "layer_norm: Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[3, 4, 6]") {
                       _ = F.layerNorm(Tensor.zeros([3, 4, 6]), normalizedShape: [5])
                   }]),
        ]
    }

    static var losses: [OpInfo] {
        let target = Tensor([Int64(2), 0, 1])
        let y = Tensor([1.0, 0, 1, 0, 1, 1], shape: [2, 3])
        return [
            OpInfo("F.cross_entropy / F.nll_loss", nodes: ["NllLossBackward0"], golden: ["cross_entropy", "cross_entropy_label_smoothing", "nll_loss"],
                   firstOrder: .elsewhere("EmberNNTests/LossTests.swift", calling: "F.crossEntropy"), secondOrder: .elsewhere("EmberNNTests/SecondOrderTests.swift", calling: "F.crossEntropy"),
                   samples: [
                       OpSample("cross_entropy, mean", [sample([3, 4], in: -2...2)], reference: { i in
                           let lsm = softmaxRows(i[0]).log().scalars
                           return Tensor([-(lsm[2] + lsm[4] + lsm[9]) / 3], shape: [])
                       }) { F.crossEntropy($0[0], target) },
                       OpSample("nll_loss of log_softmax, sum", [sample([3, 4], in: -2...2)]) { F.nllLoss($0[0].logSoftmax(dim: 1), target, reduction: .sum) },
                   ],
                   errors: [
                       OpErrorInput("target out of range", "cross_entropy: Target 7 is out of bounds.") { _ = F.crossEntropy(Tensor.zeros([2, 3]), tensor([1, 7])) },
                       OpErrorInput("batch sizes differ", "cross_entropy: Expected input batch_size (8) to match target batch_size (4).") {
                           _ = F.crossEntropy(Tensor.zeros([8, 5]), tensor([1, 2, 3, 4]))
                       },
                   ]),
            OpInfo("F.binary_cross_entropy", nodes: ["BinaryCrossEntropyBackward0"], golden: ["bce"],
                   firstOrder: .elsewhere("EmberNNTests/LossTests.swift", calling: "F.binaryCrossEntropy"), secondOrder: .registry,
                   samples: [OpSample("mean", [sample([2, 3], in: 0.2...0.8)], reference: { i in
                       whole(elementwise(i[0], y) { p, t in -(t * Foundation.log(p) + (1 - t) * Foundation.log(1 - p)) }, mean)
                   }) { F.binaryCrossEntropy($0[0], y) }],
                   errors: [OpErrorInput("input outside [0, 1]", "binary_cross_entropy: all elements of input should be between 0 and 1") {
                       _ = F.binaryCrossEntropy(tensor([1.5]), tensor([1.0]))
                   }]),
            OpInfo("F.binary_cross_entropy_with_logits", nodes: ["BinaryCrossEntropyWithLogitsBackward0"], golden: ["bce_with_logits"],
                   firstOrder: .elsewhere("EmberNNTests/LossTests.swift", calling: "F.binaryCrossEntropyWithLogits"), secondOrder: .registry,
                   samples: [OpSample("mean", [sample([2, 3], in: -3...3)], reference: { i in
                       whole(elementwise(i[0], y) { z, t in
                           let p = sigmoidRef(z)
                           return -(t * Foundation.log(p) + (1 - t) * Foundation.log(1 - p))
                       }, mean)
                   }) { F.binaryCrossEntropyWithLogits($0[0], y) }]),
        ]
    }

    static var sequence: [OpInfo] {
        [
            // The fused recurrent node is reached through the public layers; RecurrentSequenceTests gradchecks the node
            // itself (every mode, both directions, the prepacked path) in float64.
            OpInfo("recurrent sequence (RNN/GRU/LSTM)", nodes: ["RecurrentBackward0"],
                   firstOrder: .elsewhere("EmberNNTests/RecurrentSequenceTests.swift", calling: "recurrentSequence"), secondOrder: .elsewhere("EmberNNTests/RecurrentSequenceTests.swift", calling: "recurrentSequence"),
                   samples: [
                       OpSample("GRU over [4, 2, 3]", [sample([4, 2, 3], dtype: .float32)]) { x in
                           withGenerator(Generator(seed: 3)) { GRU(3, 4) }(x[0], nil).output
                       },
                       OpSample("LSTM over [3, 2, 3]", [sample([3, 2, 3], dtype: .float32)]) { x in
                           withGenerator(Generator(seed: 4)) { LSTM(3, 2) }(x[0], nil).output
                       },
                   ],
                   errors: [OpErrorInput("input size differs from the layer's", "GRU: input.size(-1) must be equal to input_size. Expected 4, got 7 (input [5, 3, 7])") {
                       _ = GRU(4, 6)(Tensor.zeros([5, 3, 7]), nil)
                   }]),
        ]
    }
}
