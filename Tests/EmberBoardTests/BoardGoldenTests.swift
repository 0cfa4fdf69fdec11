// BoardGoldenTests: re-encodes every record of PyTorch's reference log and compares the bytes.

import _EmberTestSupport
@testable import EmberBoard
import Foundation
import Testing

/// The reference log (`golden/tensorboard`, written by `torch.utils.tensorboard.SummaryWriter`) is read
/// with the tests' own parser; each event is rebuilt with EmberBoard's message types from the decoded
/// values and must serialize (and frame) to exactly PyTorch's bytes.
@Suite struct BoardGoldenTests {
    static let dir = goldenDirectory.appendingPathComponent("tensorboard").path

    /// The sub-runs `add_scalars` made: sub-folders of the log directory holding event files.
    static var subRuns: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().filter { !eventFiles(in: dir + "/" + $0).isEmpty }
    }

    /// Rebuilds an EmberBoard `Event` from a decoded golden record (nil for kinds EmberBoard never writes).
    func rebuild(_ payload: [UInt8]) -> Event? {
        let f = parseProto(payload)
        let wall = f.first(1)?.double ?? 0
        let step = Int64(bitPattern: f.first(2)?.varint ?? 0)
        if let version = f.first(3) {
            let writer = f.first(10)?.fields.first(1)?.string ?? ""
            return Event(wallTime: wall, step: step, content: .fileVersion(version.string, writer: writer))
        }
        if let graph = f.first(4) { return Event(wallTime: wall, step: step, content: .graphDef(rebuildGraph(graph.bytes))) }
        if let tagged = f.first(8)?.fields {
            return Event(wallTime: wall, step: step,
                         content: .taggedRunMetadata(tag: tagged.first(1)!.string, runMetadata: tagged.first(2)!.bytes))
        }
        guard let summary = f.first(5)?.fields else { return nil }
        var values: [SummaryValue] = []
        for v in summary.all(1).map(\.fields) {
            let tag = v.first(1)?.string ?? ""
            var value: SummaryValue
            if let s = v.first(2) {
                value = SummaryValue(tag: tag, payload: .simpleValue(s.float))
            } else if let image = v.first(4)?.fields {
                value = SummaryValue(tag: tag, payload: .image(SummaryImage(
                    height: Int(image.first(1)!.varint), width: Int(image.first(2)!.varint),
                    colorspace: Int(image.first(3)!.varint), png: image.first(4)!.bytes)))
            } else if let h = v.first(5)?.fields {
                func packed(_ n: Int) -> [Double] {
                    let b = h.first(n)?.bytes ?? []
                    return stride(from: 0, to: b.count, by: 8).map { Double(bitPattern: le(b[$0..<$0 + 8], as: UInt64.self)) }
                }
                func d(_ n: Int) -> Double { h.first(n)?.double ?? 0 }
                value = SummaryValue(tag: tag, payload: .histogram(HistogramProto(
                    min: d(1), max: d(2), num: d(3), sum: d(4), sumSquares: d(5), bucketLimit: packed(6), bucket: packed(7))))
            } else if let t = v.first(8)?.fields {
                let shape = t.first(2)!.fields.all(2).map { Int($0.fields.first(1)?.varint ?? 0) }
                value = SummaryValue(tag: tag, payload: .tensor(TensorProto(strings: t.all(8).map(\.string), shape: shape)))
            } else {
                value = SummaryValue(tag: tag, payload: .none)
            }
            if let plugin = v.first(9)?.fields.first(1)?.fields {
                value.plugin = (plugin.first(1)?.string ?? "", plugin.first(2)?.bytes ?? [])
            }
            values.append(value)
        }
        return Event(wallTime: wall, step: step, content: .summary(values))
    }

    /// Decodes a GraphDef into `GraphNode`s and encodes them again with `graphDefBytes`.
    func rebuildGraph(_ bytes: [UInt8]) -> [UInt8] {
        let nodes = parseProto(bytes).all(1).map { n -> GraphNode in
            let f = n.fields
            var node = GraphNode(name: f.first(1)!.string, op: f.first(2)!.string, inputs: f.all(3).map(\.string))
            for entry in f.all(5).map(\.fields) {
                let value = entry.first(2)!.fields
                switch entry.first(1)!.string {
                case "attr": node.attributes = value.first(2)!.string
                case "_output_shapes":
                    node.outputShape = value.first(1)!.fields.first(7)!.fields.all(2).map { Int($0.fields.first(1)!.varint) }
                default: Issue.record("unexpected attr in \(node.name)")
                }
            }
            return node
        }
        return graphDefBytes(nodes)
    }

    @Test func everyRecordReencodesToPyTorchsBytes() throws {
        let files = eventFiles(in: Self.dir) + Self.subRuns.flatMap { eventFiles(in: Self.dir + "/" + $0) }
        try #require(!eventFiles(in: Self.dir).isEmpty, "no event file in \(Self.dir)")
        var kinds: Set<String> = []
        for path in files {
            let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let payloads = try readRecords(data)
            var offset = 0
            for (i, payload) in payloads.enumerated() {
                let framed = Array(data[offset..<offset + payload.count + 16])
                offset += framed.count
                #expect(tfRecord(payload) == framed, "framing of record \(i) in \(path)")
                guard let event = rebuild(payload) else {
                    Issue.record("record \(i) of \(path) has a kind EmberBoard does not write")
                    continue
                }
                #expect(event.serialized() == payload, "record \(i) of \(path)")
                switch event.content {
                case .fileVersion: kinds.insert("version")
                case .graphDef: kinds.insert("graph")
                case .taggedRunMetadata: kinds.insert("runMetadata")
                case .sessionStart: kinds.insert("sessionStart")
                case let .summary(values):
                    for v in values {
                        switch v.payload {
                        case .simpleValue: kinds.insert("scalar")
                        case .image: kinds.insert("image")
                        case .histogram: kinds.insert("histogram")
                        case .tensor: kinds.insert("text")
                        case .none: kinds.insert("metadata-only")
                        }
                    }
                }
            }
        }
        #expect(kinds == ["version", "graph", "runMetadata", "scalar", "image", "histogram", "text"])
    }

    @Test func graphOfGoldenRunMetadataMatchesOurs() throws {
        let path = try #require(eventFiles(in: Self.dir).first, "no event file in \(Self.dir)")
        let payloads = try readRecords(path: path)
        let tagged = payloads.compactMap { parseProto($0).first(8)?.fields }
        #expect(tagged.count == 1)
        #expect(tagged.first?.first(1)?.string == "step1")
        #expect(tagged.first?.first(2)?.bytes == cpuRunMetadataBytes())
    }

    @Test func scalarsSubRunsAreNamedMainTagUnderscoreKey() throws {
        // add_scalars(main, {key: value, ...}) in PyTorch makes one sub-run `<main>_<key>` per key, each logging
        // the scalar under the tag `main`.
        let runs = Self.subRuns
        try #require(!runs.isEmpty, "no add_scalars sub-run in \(Self.dir)")
        for run in runs {
            let file = try #require(eventFiles(in: Self.dir + "/" + run).first)
            let records = try readRecords(path: file)
            try #require(records.count >= 2, "\(file) holds no event after its version record")
            let v = try #require(parseProto(records[1]).first(5)?.fields.first(1)?.fields, "record 1 of \(file) is not a summary")
            let tag = try #require(v.first(1)?.string)
            #expect(run.hasPrefix(tag + "_") && run.count > tag.count + 1, "sub-run \(run) logs tag \(tag)")
            #expect(v.first(2) != nil, "sub-run \(run) logs a scalar")
        }
    }
}
