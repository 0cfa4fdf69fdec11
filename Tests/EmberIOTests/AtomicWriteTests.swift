// Atomic saves: a write that fails or a writer killed mid-way leaves the previous checkpoint intact.
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO atomic writes")
struct AtomicWriteTests {
    func strayFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    }

    /// For each format, a save failing after 0, 1, 100 bytes, mid-file and one byte short of the end
    /// throws, leaves the old file byte-identical and loadable, and removes its temp file.
    @Test(arguments: ["pt", "safetensors", "npz"])
    func failedWriteKeepsPreviousFile(_ ext: String) throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("model." + ext)
        let v1: StateDict = ["w": Tensor([Float(1), 2, 3]), "step": Tensor([Int64(1)])]
        let v2: StateDict = ["w": Tensor((0..<1000).map { Float($0) }), "step": Tensor([Int64(2)])]
        try save(v1, to: url)
        let before = try readFileBytes(url)
        // Size of a complete v2 file, to place failures inside it.
        let probe = dir.appendingPathComponent("probe." + ext)
        try save(v2, to: probe)
        let fullSize = try readFileBytes(probe).count
        for limit in [0, 1, 100, fullSize / 2, fullSize - 1] {
            AtomicWriteHooks.injectFailure(url, afterBytes: limit)
            #expect { try save(v2, to: url) } throws: { e in
                (e as? CheckpointError)?.description.contains("simulated write failure after \(limit) bytes") == true
            }
            #expect(try readFileBytes(url) == before, "limit \(limit)")
            #expect(try loadStateDict(from: url)["step"]?.item(as: Int.self) == 1)
            #expect(try strayFiles(dir).isEmpty)
        }
        // With the hook gone the same save goes through.
        try save(v2, to: url)
        #expect(try loadStateDict(from: url)["step"]?.item(as: Int.self) == 2)
    }

    /// A writer process killed in the middle of a save (exit without cleanup, like SIGKILL) leaves the
    /// previous checkpoint intact; only a stray temp file remains, and the next save succeeds.
    @Test func killedWriterLeavesPreviousCheckpoint() async throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("ckpt.pt")
        let v1: CheckpointValue = ["epoch": 1, "model": .stateDict(["w": Tensor([Float(1), 2, 3])])]
        try saveCheckpoint(v1, to: url)
        let before = try readFileBytes(url)
        let path = url.path
        await #expect(processExitsWith: .exitCode(3)) { [path = path as String] in
            let url = URL(fileURLWithPath: path)
            AtomicWriteHooks.injectFailure(url, afterBytes: 700, crash: true)
            let big = Tensor((0..<10_000).map { Float($0) })
            try? saveCheckpoint(["epoch": 2, "model": .stateDict(["w": big])], to: url)
        }
        #expect(try readFileBytes(url) == before)
        #expect(try loadCheckpoint(from: url)["epoch"]?.int == 1)
        let stray = try strayFiles(dir)
        #expect(stray.count == 1)
        if let s = stray.first {
            #expect(try readFileBytes(dir.appendingPathComponent(s)).count == 700) // the torn write
        }
        // A temporary of a live writer (this process) and one of another file are not touched.
        let live = dir.appendingPathComponent(".ckpt.pt.tmp-\(getpid())-12345")
        let other = dir.appendingPathComponent(".other.pt.tmp-999999999-1")
        try Data([1]).write(to: live)
        try Data([1]).write(to: other)
        // The next save into the folder removes the dead writer's temporary.
        try saveCheckpoint(["epoch": 3], to: url)
        #expect(try loadCheckpoint(from: url)["epoch"]?.int == 3)
        #expect(try strayFiles(dir).sorted() == [live.lastPathComponent, other.lastPathComponent].sorted())
    }

    @Test func unwritableDestinationThrowsAndLeavesNothing() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("missing-subdir/x.safetensors")
        #expect { try save(["a": Tensor([Float(1)])], to: url) } throws: { e in
            if case .io(let m)? = (e as? CheckpointError)?.kind { return m.contains("cannot create temp file") }
            return false
        }
        #expect { try loadStateDict(from: dir.appendingPathComponent("nope.pt")) } throws: { e in
            (e as? CheckpointError)?.description.contains("No such file or directory") == true
        }
    }
}
