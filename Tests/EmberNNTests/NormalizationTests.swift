// batch_norm and layer_norm: composed-op references, running-stat updates by hand, gradchecks.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

@Suite("Normalization")
struct NormalizationTests {
    /// Batch norm written with plain tensor ops (biased variance), as the definition reads.
    func composedBatchNorm(_ x: Tensor, _ w: Tensor, _ b: Tensor, eps: Double) -> Tensor {
        let dims = [0] + Array(2..<x.rank)
        let mean = x.mean(dims: dims, keepDim: true)
        let variance = ((x - mean) * (x - mean)).mean(dims: dims, keepDim: true)
        var shape = [Int](repeating: 1, count: x.rank); shape[1] = x.shape[1]
        return (x - mean) / (variance + eps).sqrt() * w.view(shape) + b.view(shape)
    }

    @Test func batchNormTrainingMatchesComposedOps() {
        for shape in [[6, 3], [4, 3, 5], [3, 2, 4, 5]] {
            let x = sample(shape, seed: 1), w = sample([shape[1]], seed: 2), b = sample([shape[1]], seed: 3)
            let y = F.batchNorm(x, runningMean: nil, runningVar: nil, weight: w, bias: b, training: true)
            #expect(closeness(y, composedBatchNorm(x, w, b, eps: 1e-5), rtol: 1e-10, atol: 1e-10) == nil, "\(shape)")
        }
    }

    @Test func runningStatsUseMomentumAndUnbiasedVariance() {
        // Channel values 1, 2, 3, 6: mean 3, unbiased variance 14/3. momentum 0.1 from (0, 1).
        let x = tensor([[1.0], [2.0], [3.0], [6.0]])
        let rm = Tensor.zeros([1]), rv = Tensor.ones([1])
        _ = F.batchNorm(x, runningMean: rm, runningVar: rv, training: true, momentum: 0.1)
        #expect(closeness(rm, tensor([0.3]), rtol: 1e-6) == nil)
        #expect(closeness(rv, tensor([0.9 + 0.1 * 14.0 / 3]), rtol: 1e-6) == nil)
        // Eval mode normalizes with the running statistics and leaves them alone.
        let y = F.batchNorm(tensor([[1.0]]), runningMean: rm, runningVar: rv, training: false, eps: 0)
        #expect(closeness(y, tensor([[(1 - 0.3) / (0.9 + 0.1 * 14.0 / 3).squareRoot()]]), rtol: 1e-6) == nil)
        #expect(closeness(rm, tensor([0.3]), rtol: 1e-6) == nil)
    }

    @Test func batchNormGradchecks() {
        let x = sample([3, 2, 3, 2]), w = sample([2], seed: 5), b = sample([2], seed: 6)
        #expect(gradcheck([x, w, b]) { F.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true) } == nil)
        #expect(gradcheck([sample([5, 3])]) { F.batchNorm($0[0], runningMean: nil, runningVar: nil, training: true) } == nil)
        let rm = sample([2], seed: 7), rv = sample([2], seed: 8).abs() + 0.5
        #expect(gradcheck([x, w, b]) { F.batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false) } == nil)
        let y = F.batchNorm(x.requiresGrad_(), runningMean: nil, runningVar: nil, training: true)
        #expect(y.gradFn?.name == "NativeBatchNormBackward0")
    }

    @Test func layerNormMatchesComposedOpsAndGradchecks() {
        let x = sample([3, 4, 5]), w = sample([4, 5], seed: 2), b = sample([4, 5], seed: 3)
        let y = F.layerNorm(x, normalizedShape: [4, 5], weight: w, bias: b)
        let mean = x.mean(dims: [1, 2], keepDim: true)
        let variance = ((x - mean) * (x - mean)).mean(dims: [1, 2], keepDim: true)
        #expect(closeness(y, (x - mean) / (variance + 1e-5).sqrt() * w + b, rtol: 1e-10, atol: 1e-10) == nil)
        #expect(gradcheck([sample([2, 3, 4]), sample([4], seed: 9), sample([4], seed: 10)]) {
            F.layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2])
        } == nil)
        #expect(gradcheck([sample([2, 3, 4])]) { F.layerNorm($0[0], normalizedShape: [3, 4]) } == nil)
        #expect(F.layerNorm(x.requiresGrad_(), normalizedShape: [5]).gradFn?.name == "NativeLayerNormBackward0")
    }
}
