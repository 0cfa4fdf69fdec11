// HistogramTests: add_histogram's buckets vs numpy.histogram and PyTorch's make_histogram.

import Ember
@testable import EmberBoard
import Foundation
import Testing

@Suite struct HistogramTests {
    static let values = [-2.5, -1, -0.125, 0, 0, 0.375, 0.375, 1.75, 4, 0.5]

    @Test func tensorflowDefaultBins() {
        // PyTorch's SummaryWriter.default_bins: 1,549 edges.
        let e = tensorflowBinEdges
        #expect(e.count == 1549)
        #expect(e[0] == -Double("0x1.58323029f544cp+66")!)
        #expect(e[1548] == Double("0x1.58323029f544cp+66")!)
        #expect(e[700] == -Double("0x1.20f054a15c116p-30")!)
        #expect(e[774] == 0)
    }

    @Test func tensorflowBinsTrimmedLikePyTorch() {
        // torch.utils.tensorboard.summary.histogram("h", values, default_bins): 608 buckets, these non-empty.
        let h = makeHistogram(Self.values, bins: .tensorflow)
        #expect(h.bucket.count == 608 && h.bucketLimit.count == 608)
        let nonEmpty = h.bucket.enumerated().filter { $0.element != 0 }.map { [$0.offset, Int($0.element)] }
        #expect(nonEmpty == [[1, 1], [11, 1], [32, 1], [302, 2], [582, 2], [585, 1], [598, 1], [607, 1]])
        #expect(h.bucketLimit[0] == -Double("0x1.4efa3760f36eap+1")!)
        #expect(h.bucketLimit[1] == -Double("0x1.308660e3c6077p+1")!)
        #expect(h.bucketLimit[607] == Double("0x1.0dbe02ef6327bp+2")!)
        #expect(h.min == -2.5 && h.max == 4 && h.num == 10 && h.sum == 3.375 && h.sumSquares == 26.859375)
    }

    /// 40 float32 samples (numpy default_rng(0).standard_normal(40).astype(float32)).
    static let samples: [Float] = [
        0.1257302165031433, -0.13210485875606537, 0.6404226422309875, 0.10490011423826218, -0.5356693863868713,
        0.3615950644016266, 1.3040000200271606, 0.9470809698104858, -0.7037352323532104, -1.2654215097427368,
        -0.6232744455337524, 0.04132597893476486, -2.32503080368042, -0.218791663646698, -1.2459110021591187,
        -0.7322673797607422, -0.5442590117454529, -0.3163001537322998, 0.4116305410861969, 1.042513370513916,
        -0.12853465974330902, 1.3664634227752686, -0.6651946902275085, 0.35151007771492004, 0.9034701585769653,
        0.0940122976899147, -0.7434992790222168, -0.9217253923416138, -0.4577258229255676, 0.22019512951374054,
        -1.0096181631088257, -0.20917557179927826, -0.15922501683235168, 0.5408455729484558, 0.21465912461280823,
        0.35537269711494446, -0.6538286209106445, -0.12961363792419434, 0.7839754819869995, 1.4934310913085938]

    @Test func equalWidthBinsMatchNumpy() {
        // numpy.histogram(samples.astype(float), bins=7)
        let values = Self.samples.map(Double.init)
        let edges = uniformEdges(min: values.min()!, max: values.max()!, count: 7)
        let expectedEdges = ["-0x1.299a9c0000000p+1", "-0x1.c78fb00000000p+0", "-0x1.3bea280000000p+0",
                             "-0x1.6089400000000p-1", "-0x1.24f8c00000000p-3", "0x1.9c19c00000000p-2",
                             "0x1.e557f00000000p-1", "0x1.7e51800000000p+0"].map { Double($0)! }
        #expect(edges == expectedEdges)
        #expect(histogramCounts(values, edges: edges) == [1, 2, 5, 10, 12, 6, 4])
        // All bins are non-empty, so PyTorch keeps them all and prepends an empty bucket.
        let h = makeHistogram(values, bins: .count(7))
        #expect(h.bucket == [0, 1, 2, 5, 10, 12, 6, 4])
        #expect(h.bucketLimit == expectedEdges)
    }

    @Test func explicitEdgesMatchNumpy() {
        // numpy.histogram(samples, bins=[-1, -0.5, 0, 0.25, 1]): values outside are dropped.
        let values = Self.samples.map(Double.init)
        #expect(histogramCounts(values, edges: [-1, -0.5, 0, 0.25, 1]) == [9, 8, 6, 9])
        // The last bin is closed: 1 counts, a value just above does not.
        #expect(histogramCounts([1, 1.0000001, -1], edges: [-1, 0, 1]) == [1, 1])
    }

    @Test func constantValuesWidenTheRange() {
        // numpy: bins=3 over [2, 2] uses edges linspace(1.5, 2.5, 4); all values land in the middle bin.
        let h = makeHistogram([2, 2, 2, 2], bins: .count(3))
        #expect(h.bucket == [0, 4])
        #expect(h.bucketLimit == [1.5 + 1.0 / 3.0, 1.5 + 2.0 / 3.0])
    }

    @Test func tensorInputGoesThroughFloat64() throws {
        let dir = temporaryLogDir("histo")
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        writer.addHistogram("w", Tensor(Self.samples, shape: [4, 10]), step: 2, bins: .count(7))
        try writer.flush()
        let records = try readRecords(path: writer.eventFilePath)
        let h = parseProto(records[1]).first(5)!.fields.first(1)!.fields.first(5)!.fields
        #expect(h.first(3)?.double == 40)
        #expect(h.first(1)?.double == Double(Self.samples.min()!))
        try writer.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func emptyInputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = makeHistogram([], bins: .tensorflow)
        }
        if let result {
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("The input has no element."))
        }
    }
}

/// A diverging run's weights: NaN and ±inf are left out, and values beyond the TensorFlow bins log nothing
/// (PyTorch raises in both cases), so logging never stops training.
@Suite struct HistogramOfNonFiniteValuesTests {
    @Test func nonFiniteValuesAreLeftOut() throws {
        let dir = temporaryLogDir("nan-histogram")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        writer.addHistogram("w", [1, .nan, 2, .infinity, -.infinity], step: 1)
        writer.addHistogram("all-nan", [.nan, .nan], step: 1)
        writer.addHistogram("huge", [1e30, -1e30], step: 1)
        writer.addHistogram("w", Tensor([Float.nan, 3]), step: 2)
        try writer.close()
        let records = try readRecords(path: writer.eventFilePath).dropFirst()
        #expect(records.count == 2)
        let h = try #require(parseProto(records.first!).first(5)?.fields.first(1)?.fields.first(5)?.fields)
        #expect(h.first(3)?.double == 2)   // num: the two finite values
        #expect(h.first(1)?.double == 1 && h.first(2)?.double == 2)
    }
}
