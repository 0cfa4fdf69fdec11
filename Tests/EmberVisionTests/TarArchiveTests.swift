// The tar reader behind the CIFAR-10 download: files and folders extracted, unsafe or unsupported members refused.
import Testing
import Foundation
import EmberData
@testable import EmberVision

@Suite struct TarArchiveTests {
    @Test func extractsFilesAndFolders() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let big = Data((0..<1500).map { UInt8(truncatingIfNeeded: $0) })
        let tar = tarArchive([("d/", "5", Data()), ("d/a.bin", "0", big), ("b.txt", "0", Data("hi".utf8)),
                              ("d/e/empty", "0", Data()), ("./c.txt", "0", Data("c".utf8))])
        let written = try TarArchive.extract(tar, name: "t.tar", into: folder.path)
        #expect(written.count == 4)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("d/a.bin").path) == big)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("b.txt").path) == Data("hi".utf8))
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("d/e/empty").path) == Data())
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("c.txt").path) == Data("c".utf8))
        // No temporary file is left beside the extracted ones.
        #expect(folderContents(folder.appendingPathComponent("d").path) == ["a.bin", "e"])
        // Sliced Data (non-zero start index) reads the same.
        let sliced = (Data([1, 2, 3]) + tar).dropFirst(3)
        #expect(try TarArchive.entries(sliced, name: "t.tar") == TarArchive.entries(tar, name: "t.tar"))
    }

    @Test func refusesPathsOutsideTheFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inner = folder.appendingPathComponent("inner")
        for path in ["../evil", "/tmp/evil", "a/../../evil", "a/.."] {
            let tar = tarArchive([("ok.txt", "0", Data("ok".utf8)), (path, "0", Data("x".utf8))])
            #expect {
                try TarArchive.extract(tar, name: "t.tar", into: inner.path)
            } throws: { error in
                "\(error)".contains("t.tar") && "\(error)".contains("\"\(path)\"") && "\(error)".contains("outside the folder")
            }
        }
        // Checked before anything is written.
        #expect(folderContents(folder.path) == [])
    }

    @Test func refusesLinksAndOtherMembers() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (type, kind) in [("2", "symbolic link"), ("1", "hard link"), ("x", "pax extended header"), ("3", "character device")] {
            let tar = tarArchive([("link", Character(type), Data())])
            #expect {
                try TarArchive.extract(tar, name: "t.tar", into: folder.path)
            } throws: { "\($0)".contains("tar member link is a \(kind); only regular files and folders are extracted") }
        }
    }

    @Test func refusesDamagedArchives() throws {
        let tar = tarArchive([("a.bin", "0", Data(count: 1000))])
        var badSum = tar
        badSum[3] ^= 1
        #expect { try TarArchive.entries(badSum, name: "t.tar") } throws: { "\($0)".contains("checksum") }
        #expect { try TarArchive.entries(tar.prefix(900), name: "t.tar") } throws: {
            "\($0)".contains("a.bin declares 1000 bytes but the archive ends 388 bytes later")
        }
        #expect { try TarArchive.entries(tar.prefix(1536 + 256), name: "t.tar") } throws: { "\($0)".contains("tar archive is truncated at byte 1536 of 1792") }
        #expect(try TarArchive.entries(Data(), name: "t.tar") == [])
    }
}

/// Archives written by GNU tar itself, in its default (GNU) format, the one of CIFAR-10's archive, and in POSIX ustar.
@Suite struct GNUTarArchiveTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tar")), arguments: ["gnu", "ustar"])
    func readsWhatGNUTarWrites(format: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("src/cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let batch = syntheticCIFARBatch(count: 2, seed: 3)
        try batch.write(to: source.appendingPathComponent("test_batch.bin"))
        try Data("a\n".utf8).write(to: source.appendingPathComponent("batches.meta.txt"))
        let archive = folder.appendingPathComponent("a.tar.gz").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["--format=\(format)", "-czf", archive, "-C", folder.appendingPathComponent("src").path, "cifar-10-batches-bin"]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let out = folder.appendingPathComponent("out").path
        try TarArchive.extract(try gunzip(Data(contentsOf: URL(fileURLWithPath: archive))), name: archive, into: out)
        #expect(FileManager.default.contents(atPath: out + "/cifar-10-batches-bin/test_batch.bin") == batch)
        #expect(try CIFAR10(root: out, train: false).targets == [3, 4])
    }
}
