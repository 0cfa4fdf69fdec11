// LiveWeightsCache: the forward's gathered live-tap weights reach the backward of the same weight version, and
// only that one. Convolutions of 1×1 maps with a 3×3 kernel (padding 1) keep only the centre tap. (Four output
// channels would take the direct path, which gathers nothing: the im2col path is forced.)
import Testing
@testable import EmberKernels

/// Version counters stand-ins: the cache keys on the object's identity and a value.
private final class Counter {}

@Suite struct LiveWeightsCacheTests {
    let batch = 3, channels = 5, outChannels = 4
    let g = ConvGeometry(channels: 5, height: 1, width: 1, kernelHeight: 3, kernelWidth: 3, strideHeight: 1,
                         strideWidth: 1, padTop: 1, padLeft: 1, dilationHeight: 1, dilationWidth: 1, outHeight: 1, outWidth: 1)

    func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed: seed)
        return (0..<n).map { _ in Float(rng.next()) }
    }

    /// The input gradient of this 1×1-map convolution by hand: gx[n, c] = Σ_o gy[n, o] · w[o, c, centre].
    func inputGradient(_ gy: [Float], _ w: [Float]) -> [Float] {
        (0..<(batch * channels)).map { i in
            let n = i / channels, c = i % channels
            return (0..<outChannels).reduce(Float(0)) { $0 + gy[n * outChannels + $1] * w[($1 * channels + c) * 9 + 4] }
        }
    }

    @Test("the backward of the same weight version takes the forward's gather, another version gathers again")
    func forwardToBackward() {
        let x = values(batch * channels, seed: 1), gy = values(batch * outChannels, seed: 2)
        let w = values(outChannels * channels * 9, seed: 3)
        var changed = w
        for o in 0..<outChannels { for c in 0..<channels { changed[(o * channels + c) * 9 + 4] += 1 } }
        let owner = Counter(), cache = LiveWeightsCache()
        DirectConvolution.$policy.withValue(.never) { LiveWeightsCache.$current.withValue(cache) {
            var y = [Float](repeating: .nan, count: batch * outChannels)
            w.withUnsafeBufferPointer { weights in
                let weight = weights.baseAddress!
                ConvKernels.forward(input: x, weight: weight, bias: nil, output: &y, batch: batch, groups: 1,
                                    outChannels: outChannels, g, keepFor: WeightVersion(owner: owner, value: 7))
                #expect(cache.count == 1)
                // Another version of the same weight (a write bumped it): gathered, the kept columns left alone.
                var gx = [Float](repeating: .nan, count: batch * channels)
                ConvKernels.backward(input: nil, gradOutput: gy, weight: weight, gradInput: &gx, gradWeight: nil,
                                     batch: batch, groups: 1, outChannels: outChannels, g,
                                     weightVersion: WeightVersion(owner: owner, value: 8))
                let wanted = inputGradient(gy, w)
                #expect(cache.count == 1, "a different version took the entry")
                #expect(zip(gx, wanted).allSatisfy { abs($0 - $1) <= 1e-5 }, "gathered: \(gx) vs \(wanted)")
                // The same version: the kept columns are used (and given up), as their values show once the memory is
                // changed behind the cache's back (no version bump: a misuse only a test commits).
                let mutable = UnsafeMutablePointer(mutating: weight)
                for i in 0..<changed.count { mutable[i] = changed[i] }
                ConvKernels.backward(input: nil, gradOutput: gy, weight: weight, gradInput: &gx, gradWeight: nil,
                                     batch: batch, groups: 1, outChannels: outChannels, g,
                                     weightVersion: WeightVersion(owner: owner, value: 7))
                #expect(cache.count == 0, "the entry was not taken")
                #expect(zip(gx, wanted).allSatisfy { abs($0 - $1) <= 1e-5 }, "kept columns: \(gx) vs \(wanted)")
                // Taken once: the next backward gathers the memory as it is now.
                ConvKernels.backward(input: nil, gradOutput: gy, weight: weight, gradInput: &gx, gradWeight: nil,
                                     batch: batch, groups: 1, outChannels: outChannels, g,
                                     weightVersion: WeightVersion(owner: owner, value: 7))
                let now = inputGradient(gy, changed)
                #expect(zip(gx, now).allSatisfy { abs($0 - $1) <= 1e-5 }, "gathered again: \(gx) vs \(now)")
            }
        } }
    }

    @Test("at most `capacity` entries, the oldest evicted first")
    func capacity() {
        let cache = LiveWeightsCache()
        let w = values(outChannels * channels * 9, seed: 4), owner = Counter()
        for version in 0..<(LiveWeightsCache.capacity + 3) {
            let buffer = ScratchBuffer<Float>(outChannels * channels)
            cache.store(buffer, weight: w, outChannels: outChannels, g, WeightVersion(owner: owner, value: version))
        }
        #expect(cache.count == LiveWeightsCache.capacity)
        #expect(cache.take(weight: w, outChannels: outChannels, g, WeightVersion(owner: owner, value: 0),
                           count: outChannels * channels) == nil, "the oldest entry is still there")
        let newest = cache.take(weight: w, outChannels: outChannels, g,
                                WeightVersion(owner: owner, value: LiveWeightsCache.capacity + 2), count: outChannels * channels)
        #expect(newest != nil)
        newest?.release()
        #expect(cache.take(weight: w, outChannels: outChannels, g, WeightVersion(owner: Counter(), value: 5),
                           count: outChannels * channels) == nil, "another owner matched")
    }
}
