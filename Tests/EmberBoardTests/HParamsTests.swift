// HParamsTests: add_hparams summaries vs PyTorch's summary.hparams bytes, and the sub-run it writes.

@testable import EmberBoard
import Foundation
import Testing

@Suite struct HParamsTests {
    func summaryBytes(_ v: SummaryValue) -> [UInt8] {
        var w = ProtobufWriter()
        w.message(1) { v.encode(into: &$0) }
        return w.bytes
    }

    @Test func singleHyperparameterMatchesPyTorch() {
        // torch.utils.tensorboard.summary.hparams({"lr": 0.5}, {"hparam/loss": 1.0}) -> exp, ssi, sei
        let s = hparamsSummaries(["lr": 0.5], metrics: ["hparam/loss"]).map(summaryBytes)
        let plugin: [UInt8] = [0x0a, 0x07] + Array("hparams".utf8)
        #expect(s[0] == [0x0a, 0x40, 0x0a, 0x14] + Array("_hparams_/experiment".utf8) + [0x4a, 0x28, 0x0a, 0x26] + plugin
            + [0x12, 0x1b, 0x12, 0x19, 0x22, 0x06, 0x0a, 0x02, 0x6c, 0x72, 0x20, 0x03, 0x2a, 0x0f, 0x0a, 0x0d, 0x12, 0x0b]
            + Array("hparam/loss".utf8))
        #expect(s[1] == [0x0a, 0x40, 0x0a, 0x1c] + Array("_hparams_/session_start_info".utf8) + [0x4a, 0x20, 0x0a, 0x1e] + plugin
            + [0x12, 0x13, 0x1a, 0x11, 0x0a, 0x0f, 0x0a, 0x02, 0x6c, 0x72, 0x12, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f])
        #expect(s[2] == [0x0a, 0x2f, 0x0a, 0x1a] + Array("_hparams_/session_end_info".utf8) + [0x4a, 0x11, 0x0a, 0x0f] + plugin
            + [0x12, 0x04, 0x22, 0x02, 0x08, 0x01])
    }

    @Test func mixedTypesMatchPyTorch() throws {
        // summary.hparams({"bs": 32, "nest": False, "opt": "sgd"}, {"a": 1.0, "b": 2})
        let s = hparamsSummaries(["bs": 32, "nest": false, "opt": "sgd"], metrics: ["b", "a"])
        let plugin: [UInt8] = [0x0a, 0x07] + Array("hparams".utf8)
        let expectedExperiment: [UInt8] = [0x0a, 0x50, 0x0a, 0x14] + Array("_hparams_/experiment".utf8)
            + [0x4a, 0x38, 0x0a, 0x36] + plugin + [0x12, 0x2b, 0x12, 0x29, 0x22, 0x06, 0x0a, 0x02, 0x62, 0x73, 0x20, 0x03,
            0x22, 0x08, 0x0a, 0x04, 0x6e, 0x65, 0x73, 0x74, 0x20, 0x03, 0x22, 0x07, 0x0a, 0x03, 0x6f, 0x70, 0x74, 0x20,
            0x01, 0x2a, 0x05, 0x0a, 0x03, 0x12, 0x01, 0x61, 0x2a, 0x05, 0x0a, 0x03, 0x12, 0x01, 0x62]
        #expect(summaryBytes(s[0]) == expectedExperiment)
        // Python writes the session-start map in hash order; compare its entries as a set.
        let content = try #require(s[1].plugin?.content)
        let entries = parseProto(content).first(3)!.fields.all(1).map { e -> String in
            let f = e.fields
            return f.first(1)!.string + "=" + f.first(2)!.bytes.map { String(format: "%02x", $0) }.joined()
        }
        #expect(Set(entries) == ["opt=1a03736764", "bs=110000000000004040", "nest=110000000000000000"])
    }

    @Test func subRunHoldsSummariesThenMetrics() throws {
        let dir = temporaryLogDir("hparams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        try writer.addHparams(["lr": 0.1], metrics: ["hparam/loss": 0.25, "hparam/acc": 0.75], runName: "trial1", step: 2)
        let files = eventFiles(in: dir + "/trial1")
        #expect(files.count == 1)
        let records = try readRecords(path: files[0]).dropFirst().map(parseProto)
        let tags = records.map { $0.first(5)!.fields.first(1)!.fields.first(1)!.string }
        #expect(tags == ["_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info",
                         "hparam/acc", "hparam/loss"])
        #expect(records.allSatisfy { $0.first(2)?.varint == 2 })
        #expect(records[4].first(5)!.fields.first(1)!.fields.first(2)?.float == 0.25)
        try writer.close()
    }
}
