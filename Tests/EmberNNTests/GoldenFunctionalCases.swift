// ops.json cases of the NN functional family (conv, pooling, norms, losses, ...), evaluated with Ember.
import Ember
import EmberNN
import _EmberTestSupport

/// Evaluates one `ops.json` case from its named inputs; returns outputs in the case's order. Reading an input
/// the case lacks throws, so a golden file without it fails the test with a message.
///
/// An evaluator implements its case's `torch` expression, which the format fixes per case name: its constants
/// (strides, paddings, kernel sizes, label smoothing, interpolation sizes) are part of the case's definition,
/// not expected values. Every expected number (outputs, upstream gradients, input gradients) is read from the file.
typealias GoldenEvaluator = (GoldenInputs) throws -> [Tensor]

enum GoldenFunctionalCases {
    static let all: [String: GoldenEvaluator] = [
        // Losses
        "cross_entropy": { i in
            try [F.crossEntropy(i["logits"], i["target"]), F.crossEntropy(i["logits"], i["target"], reduction: .sum),
             F.crossEntropy(i["logits"], i["target"], reduction: .none)]
        },
        "cross_entropy_label_smoothing": { i in try [F.crossEntropy(i["logits"], i["target"], labelSmoothing: 0.1)] },
        "nll_loss": { i in try [F.nllLoss(F.logSoftmax(i["logits"], dim: 1), i["target"])] },
        "bce": { i in try [F.binaryCrossEntropy(i["p"], i["y"]), F.binaryCrossEntropy(i["p"], i["y"], reduction: .sum)] },
        "bce_with_logits": { i in try [F.binaryCrossEntropyWithLogits(i["z"], i["y"])] },
        "mse_l1_smoothl1": { i in
            let a = try i["a"], b = try i["b"]
            // The case's `torch` text abbreviates the calls; its generator called F.huber_loss(a, b, delta=0.5), a
            // parameter of the case (with PyTorch's default delta = 1 huber would repeat output 3, smooth_l1).
            return [F.mseLoss(a, b), F.mseLoss(a, b, reduction: .sum), F.l1Loss(a, b), F.smoothL1Loss(a, b), F.huberLoss(a, b, delta: 0.5)]
        },
        // Convolutions
        "conv2d_seed_example": { i in
            let x = try i["input"], k = try i["kernel"]
            return [F.conv2d(x, k, stride: 1), F.conv2d(x, k, stride: 2), F.conv2d(x, k, stride: 1, padding: 1)]
        },
        "conv2d_multichannel": { i in try [F.conv2d(i["x"], i["w"], bias: i["b"], stride: 2, padding: 1)] },
        "conv2d_1x1_and_5x5": { i in try [F.conv2d(i["x"], i["w1"]), F.conv2d(i["x"], i["w5"], padding: 2)] },
        "conv2d_dilation_groups": { i in try [F.conv2d(i["x"], i["w"], stride: 1, padding: 2, dilation: 2, groups: 2)] },
        "conv_transpose2d": { i in try [F.convTranspose2d(i["x"], i["w"], stride: 2, padding: 1)] },
        "conv1d": { i in try [F.conv1d(i["x"], i["w"], padding: 1)] },
        // Pooling and resampling
        "maxpool_ceil_mode": { i in
            try [F.maxPool2d(i["input"], kernelSize: 3, ceilMode: true), F.maxPool2d(i["input"], kernelSize: 3, ceilMode: false)]
        },
        "pools": { i in
            let x = try i["x"]
            return [F.maxPool2d(x, kernelSize: 2, stride: 2), F.avgPool2d(x, kernelSize: 2, stride: 2),
                    F.maxPool2d(x, kernelSize: 3, stride: 2, padding: 1), F.avgPool2d(x, kernelSize: 3, stride: 1, padding: 1)]
        },
        "adaptive_avg_pool": { i in
            try [F.adaptiveAvgPool2d(i["x"], outputSize: [1, 1]), F.adaptiveAvgPool2d(i["x"], outputSize: [3, 2])]
        },
        "interpolate_bilinear": { i in
            try [F.interpolate(i["x"], size: [7, 5], mode: .bilinear, alignCorners: false),
             F.interpolate(i["x"], scaleFactor: 2, mode: .nearest)]
        },
        // Normalization
        "batch_norm_train": { i in
            try [F.batchNorm(i["x"], runningMean: nil, runningVar: nil, weight: i["weight"], bias: i["bias"], training: true, eps: 1e-5)]
        },
        "batch_norm_eval": { i in
            try [F.batchNorm(i["x"], runningMean: i["running_mean"], runningVar: i["running_var"], weight: i["weight"],
                         bias: i["bias"], training: false)]
        },
        "batch_norm1d_running_stats": { i in
            // nn.BatchNorm1d(3) in train mode, two forward passes: running stats start at 0 / 1, momentum 0.1.
            let x = try i["x"]
            let runningMean = Tensor.zeros([3]), runningVar = Tensor.ones([3])
            let weight = Tensor.ones([3]), bias = Tensor.zeros([3])
            var batches = 0
            for input in [x, x * 2 + 1] {
                _ = F.batchNorm(input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias, training: true)
                batches += 1
            }
            return [runningMean, runningVar, Tensor(scalar: Double(batches), dtype: .int64)]
        },
        "layer_norm": { i in try [F.layerNorm(i["x"], normalizedShape: [5], weight: i["weight"], bias: i["bias"])] },
        // Embedding and attention
        "embedding": { i in try [F.embedding(i["idx"], i["W"])] },
        "scaled_dot_product_attention": { i in try [F.scaledDotProductAttention(i["q"], i["k"], i["v"])] },
        "attention_causal": { i in try [F.scaledDotProductAttention(i["q"], i["q"], i["q"], isCausal: true)] },
    ]
}
