// A convolution whose kernel taps partly see only padding (1×1 maps, 3×3 kernels) keeps its forward's gathered
// weight columns for the backward (`LiveWeightsCache`): the gradients are the direct formula's, the kept columns
// are taken by that backward, and nothing is kept under `noGrad`. (Six output channels would go to the direct path,
// which gathers nothing: the im2col path is forced.)
import Testing
import Ember
import EmberKernels
import EmberNN
import _EmberTestSupport

@Suite struct ConvolutionKeptWeightsTests {
    @Test func deadTapConvolutionKeepsItsGatherForTheBackward() {
        for dtype in [DType.float32, .float64] {
            let cache = LiveWeightsCache()
            DirectConvolution.$policy.withValue(.never) { LiveWeightsCache.$current.withValue(cache) {
                let x = sample([2, 8, 1, 1], seed: 1, dtype: dtype).requiresGrad_()
                let w = sample([6, 8, 3, 3], seed: 2, dtype: dtype).requiresGrad_()
                let g = sample([2, 6, 1, 1], seed: 3, dtype: dtype)
                noGrad { _ = F.conv2d(x, w, padding: 1) }
                #expect(cache.count == 0, "\(dtype): kept under noGrad")
                let y = F.conv2d(x, w, padding: 1)
                #expect(cache.count == 1, "\(dtype): the forward kept nothing")
                y.backward(gradient: g)
                #expect(cache.count == 0, "\(dtype): the backward did not take the kept columns")
                // Only the centre tap sees the 1×1 map: x.grad[n, c] = Σ_o g[n, o] · w[o, c, 1, 1], and
                // w.grad[o, c, 1, 1] = Σ_n g[n, o] · x[n, c], zero elsewhere.
                let centre = w.detach()[0..., 0..., 1, 1]  // [6, 8]
                let gm = g.reshape([2, 6]), xm = x.detach().reshape([2, 8])
                let wantX = gm.matmul(centre).reshape([2, 8, 1, 1])
                let wantW = Tensor.zeros([6, 8, 3, 3], dtype: dtype)
                wantW[0..., 0..., 1, 1] = gm.transpose(0, 1).matmul(xm)
                let tol = dtype == .float32 ? 1e-5 : 1e-12
                #expect(closeness(x.grad!, wantX, rtol: tol, atol: tol) == nil, "\(dtype): input gradient")
                #expect(closeness(w.grad!, wantW, rtol: tol, atol: tol) == nil, "\(dtype): weight gradient")
            } }
        }
    }
}
