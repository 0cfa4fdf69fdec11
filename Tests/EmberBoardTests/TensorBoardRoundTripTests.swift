// TensorBoardRoundTripTests: the notes' example log, read back by TensorBoard's own event reader.

import _EmberTestSupport
import Ember
import EmberBoard
import Foundation
import Testing

/// Writes the notes' example (y=4x, add_scalars, an image, a batch, a histogram, a text and a small
/// Sequential's graph) into `EMBER_TB_LOGDIR` (left in place) or a temporary directory, then, when
/// `python3 -c "import tensorboard"` works, reads it with `../shared/tools/tb_read.py` (TensorBoard's
/// `EventAccumulator`) and compares every tag, step and value with what was written.
@Suite struct TensorBoardRoundTripTests {
    static let histogramValues: [Float] = (0..<1000).map { i in Float(sin(Double(i) * 0.7) * 2 + cos(Double(i) * 0.13)) }

    func writeExample(to dir: String) throws {
        let writer = try SummaryWriter(logDir: dir)
        for i in 0..<100 { writer.addScalar("y=4x", 4 * Double(i), step: i) }
        for i in 0..<5 {
            let x = Double(i)
            writer.addScalars("run_14h", ["xsinx": x * sin(x), "xcosx": x * cos(x)], step: i)
        }
        let hwc = Tensor((0..<(32 * 48 * 3)).map { Float($0 % 97) / 96 }, shape: [32, 48, 3])
        writer.addImage("test", hwc, step: 1, dataFormat: "HWC")
        let batch = Tensor((0..<(8 * 28 * 28)).map { UInt8(truncatingIfNeeded: $0 * 7) }, shape: [8, 1, 28, 28])
        writer.addImages("batch", batch)
        writer.addHistogram("weights", Tensor(Self.histogramValues, shape: [10, 100]))
        writer.addText("note", "hello **tensorboard**")
        let model = TestSequential([TestLinear(3, 4), TestReLU(), TestLinear(4, 2)])
        writer.addGraph(model: model, input: Tensor.ones([2, 3]))
        try writer.close()
    }

    func python(_ args: [String]) throws -> (status: Int32, stdout: Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }

    @Test func tensorBoardReadsWhatWeWrote() throws {
        let keep = ProcessInfo.processInfo.environment["EMBER_TB_LOGDIR"]
        let dir = keep ?? temporaryLogDir("roundtrip")
        if keep != nil { try? FileManager.default.removeItem(atPath: dir) }
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        try writeExample(to: dir)

        // Our own reader checks every file's framing first.
        for sub in ["", "/run_14h_xsinx", "/run_14h_xcosx"] {
            let files = eventFiles(in: dir + sub)
            #expect(files.count == 1, "one event file in \(dir + sub)")
            for f in files { _ = try readRecords(path: f) }
        }

        let script = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/tb_read.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            print("TensorBoardRoundTripTests: \(script) not found; skipping the TensorBoard check")
            return
        }
        guard (try? python(["-c", "import tensorboard"]).status) == 0 else {
            print("TensorBoardRoundTripTests: python3 cannot import tensorboard (pip install tensorboard); skipping the TensorBoard check")
            return
        }
        let (status, stdout) = try python([script, dir])
        #expect(status == 0)
        let runs = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: [String: Any]])
        #expect(Set(runs.keys) == [".", "run_14h_xsinx", "run_14h_xcosx"])
        let main = try #require(runs["."])

        let scalars = try #require(main["scalars"] as? [String: [[Double]]])
        #expect(Array(scalars.keys) == ["y=4x"])
        #expect(scalars["y=4x"] == (0..<100).map { [Double($0), 4 * Double($0)] })
        for (key, f) in [("xsinx", sin), ("xcosx", cos)] as [(String, (Double) -> Double)] {
            let sub = try #require(runs["run_14h_" + key]?["scalars"] as? [String: [[Double]]])
            // TensorBoard stores float32; Foundation's JSON parser may be off in the last double digit.
            let got = try #require(sub["run_14h"])
            let expected: [[Float]] = (0..<5).map { i in [Float(i), Float(Double(i) * f(Double(i)))] }
            let read: [[Float]] = got.map { [Float($0[0]), Float($0[1])] }
            #expect(read == expected)
        }

        let images = try #require(main["images"] as? [String: [[String: Any]]])
        #expect(Set(images.keys) == ["test", "batch"])
        for (tag, step, width, height) in [("test", 1, 48, 32), ("batch", 0, 224, 28)] {
            let e = try #require(images[tag]?.first)
            #expect(images[tag]?.count == 1)
            #expect(e["step"] as? Int == step && e["width"] as? Int == width && e["height"] as? Int == height, "\(tag)")
            #expect(e["png_signature_ok"] as? Bool == true)
        }

        let histograms = try #require(main["histograms"] as? [String: [[String: Any]]])
        let h = try #require(histograms["weights"]?.first)
        let values = Self.histogramValues.map(Double.init)
        #expect(h["step"] as? Int == 0)
        #expect(h["num"] as? Double == 1000)
        func close(_ key: String, _ expected: Double) -> Bool {
            abs((h[key] as? Double ?? .nan) - expected) <= 1e-12 * Swift.max(1, abs(expected))
        }
        #expect(close("min", values.min()!) && close("max", values.max()!))
        #expect(close("sum", values.reduce(0, +)))
        #expect(h["buckets"] as? Int == nonEmptySpan(values))

        let text = try #require(main["text"] as? [String: [[String: Any]]])
        #expect(Array(text.keys) == ["note/text_summary"])
        #expect(text["note/text_summary"]?.first?["text"] as? [String] == ["hello **tensorboard**"])
        #expect(text["note/text_summary"]?.first?["step"] as? Int == 0)
        #expect(main["graph"] as? Bool == true)
    }

    /// Bucket count of PyTorch's trimmed default-bin histogram, counted independently: the bins from the
    /// first to the last non-empty one, plus the empty one on the left. Default edges are ±1e-12·1.1^k.
    func nonEmptySpan(_ values: [Double]) -> Int {
        func binIndex(_ x: Double) -> Int {
            // Position among the sorted default edges (negative mirror, 0, positive), by direct counting.
            var positive: [Double] = []
            var v = 1e-12
            while v < 1e20 { positive.append(v); v *= 1.1 }
            let edges = positive.reversed().map { -$0 } + [0] + positive
            return edges.lastIndex { $0 <= x }!
        }
        return binIndex(values.max()!) - binIndex(values.min()!) + 2
    }
}
