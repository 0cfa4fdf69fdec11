// SummaryWriterTests: files, sub-runs, flushing and closing of SummaryWriter.

import Ember
@testable import EmberBoard
import Foundation
import Testing

@Suite struct SummaryWriterTests {
    @Test func fileNameLikePyTorch() throws {
        let dir = temporaryLogDir("name")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0, filenameSuffix: ".x")
        let name = (writer.eventFilePath as NSString).lastPathComponent
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n><suffix>
        #expect(Array(parts.prefix(3)) == ["events", "out", "tfevents"])
        #expect(parts[3].count == 10 && Int(parts[3]) != nil)
        #expect(parts[4] == hostName())
        #expect(parts.suffix(3).first == "\(getpid())")
        #expect(parts.last == "x")
        #expect(writer.eventFilePath.hasPrefix(dir + "/"))
        try writer.close()
    }

    /// `purgeStep` writes what PyTorch's `purge_step` writes after the version record: an event at that step
    /// holding `session_log {status: START}` (field 7, status 1), which TensorBoard's reader takes as a restart.
    @Test func purgeStepWritesASessionStart() throws {
        let dir = temporaryLogDir("purge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0, purgeStep: 42)
        writer.addScalar("loss", 1, step: 42)
        try writer.close()
        let records = try readRecords(path: writer.eventFilePath)
        try #require(records.count == 3)
        let start = parseProto(records[1])
        #expect(start.first(2)?.varint == 42)
        #expect(start.first(7)?.fields.first(1)?.varint == 1)
        #expect(parseProto(records[2]).first(7) == nil)
    }

    @Test func defaultLogDirLikePyTorch() {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (2026, 11, 4, 9, 5, 7)
        let date = Calendar.current.date(from: c)!
        #expect(SummaryWriter.defaultLogDir(comment: "_lr0.1", date: date) == "runs/Nov04_09-05-07_\(hostName())_lr0.1")
    }

    @Test func flushMakesEverythingReadableWithoutClosing() throws {
        let dir = temporaryLogDir("flush")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        // Only the file-version record is on disk until a flush.
        for i in 0..<10 { writer.addScalar("loss", 1 / Double(i + 1), step: i) }
        #expect(try readRecords(path: writer.eventFilePath).count == 1)
        try writer.flush()
        // The writer stays open: the file must already be complete and every CRC valid.
        let records = try readRecords(path: writer.eventFilePath)
        #expect(records.count == 11)
        let last = parseProto(records[10])
        #expect(last.first(2)?.varint == 9)
        #expect(last.first(5)?.fields.first(1)?.fields.first(2)?.float == Float(0.1))
        withExtendedLifetime(writer) {}
    }

    @Test func deinitClosesAndLaterAddsAreIgnored() throws {
        let dir = temporaryLogDir("deinit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var path = ""
        do {
            let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
            path = writer.eventFilePath
            writer.addText("note", "kept")
        }
        #expect(try readRecords(path: path).count == 2)
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        try writer.close()
        writer.addScalar("late", 1)
        writer.addScalars("late", ["a": 1])
        try writer.close()   // a second close is harmless
        #expect(try readRecords(path: writer.eventFilePath).count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/late_a"))
    }

    @Test func addScalarsMakesOneSubRunPerKey() throws {
        let dir = temporaryLogDir("scalars")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        writer.addScalars("loss/total", ["train": 1.5, "val": 2.5], step: 3)
        writer.addScalars("loss/total", ["train": 1.25, "val": 2.25], step: 4)
        try writer.close()
        let subdirs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("events.") }.sorted()
        #expect(subdirs == ["loss_total_train", "loss_total_val"])
        for (key, values) in [("train", [Float(1.5), 1.25]), ("val", [2.5, 2.25])] {
            let files = eventFiles(in: dir + "/loss_total_" + key)
            #expect(files.count == 1)
            let records = try readRecords(path: files[0])
            #expect(records.count == 3)
            for (i, record) in records.dropFirst().enumerated() {
                let f = parseProto(record)
                let value = f.first(5)!.fields.first(1)!.fields
                #expect(f.first(2)?.varint == UInt64(3 + i))
                #expect(value.first(1)?.string == "loss/total")
                #expect(value.first(2)?.float == values[i])
            }
        }
        // The main run holds only its file-version record.
        #expect(try readRecords(path: eventFiles(in: dir)[0]).count == 1)
    }

    @Test func unwritableDirectoryThrows() {
        #expect(throws: SummaryWriterError.self) {
            _ = try SummaryWriter(logDir: "/proc/ember-cannot-create-this", flushSeconds: 0)
        }
    }
}
