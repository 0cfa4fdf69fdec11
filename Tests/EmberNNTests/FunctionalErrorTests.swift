// Argument errors of the functional ops: each stops the process with PyTorch's message naming the op and shapes.
import Testing
import Foundation
import Ember
import EmberNN

@Suite("FunctionalErrors")
struct FunctionalErrorTests {
    func stderrText(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func conv2dChannelMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.conv2d(Tensor.zeros([1, 3, 28, 28]), Tensor.zeros([6, 1, 5, 5]))
        }
        #expect(stderrText(r).contains("conv2d: Given groups=1, weight of size [6, 1, 5, 5], expected input[1, 3, 28, 28] to have 1 channels, but got 3 channels instead"))
    }

    @Test func conv2dKernelLargerThanInput() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.conv2d(Tensor.zeros([1, 1, 2, 2]), Tensor.zeros([1, 1, 3, 3]))
        }
        #expect(stderrText(r).contains("conv2d: Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size"))
    }

    @Test func conv2dGroupsMustDivideOutputChannels() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.conv2d(Tensor.zeros([1, 4, 5, 5]), Tensor.zeros([3, 2, 3, 3]), groups: 2)
        }
        #expect(stderrText(r).contains("conv2d: Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead"))
    }

    @Test func samePaddingRejectsStride() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.conv2d(Tensor.zeros([1, 1, 5, 5]), Tensor.zeros([1, 1, 3, 3]), stride: 2, padding: "same")
        }
        #expect(stderrText(r).contains("conv2d: padding='same' is not supported for strided convolutions"))
    }

    @Test func maxPoolPaddingTooLarge() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.maxPool2d(Tensor.zeros([1, 1, 5, 5]), kernelSize: 2, padding: 2)
        }
        #expect(stderrText(r).contains("max_pool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1"))
    }

    @Test func crossEntropyTargetOutOfBounds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.crossEntropy(Tensor.zeros([2, 3]), tensor([1, 7]))
        }
        #expect(stderrText(r).contains("cross_entropy: Target 7 is out of bounds."))
    }

    @Test func crossEntropyBatchMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.crossEntropy(Tensor.zeros([8, 5]), tensor([1, 2, 3, 4]))
        }
        #expect(stderrText(r).contains("cross_entropy: Expected input batch_size (8) to match target batch_size (4)."))
    }

    @Test func batchNormNeedsMoreThanOneValuePerChannel() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.batchNorm(Tensor.zeros([1, 3]), runningMean: nil, runningVar: nil, training: true)
        }
        #expect(stderrText(r).contains("batch_norm: Expected more than 1 value per channel when training, got input size [1, 3]"))
    }

    @Test func layerNormShapeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.layerNorm(Tensor.zeros([3, 4, 6]), normalizedShape: [5])
        }
        #expect(stderrText(r).contains("layer_norm: Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[3, 4, 6]"))
    }

    @Test func embeddingIndexOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.embedding(tensor([0, 6]), Tensor.zeros([6, 4]))
        }
        #expect(stderrText(r).contains("embedding: index out of range in self"))
    }

    @Test func binaryCrossEntropyInputOutsideUnitInterval() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.binaryCrossEntropy(tensor([1.5]), tensor([1.0]))
        }
        #expect(stderrText(r).contains("binary_cross_entropy: all elements of input should be between 0 and 1"))
    }

    @Test func convTransposeOutputPaddingTooLarge() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = F.convTranspose2d(Tensor.zeros([1, 3, 4, 4]), Tensor.zeros([3, 2, 3, 3]), stride: 2, outputPadding: 2)
        }
        #expect(stderrText(r).contains("conv_transpose2d: output padding must be smaller than either stride or dilation"))
    }
}
