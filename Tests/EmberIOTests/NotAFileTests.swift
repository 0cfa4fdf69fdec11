// Paths that are not checkpoint files: FIFOs, directories, huge sparse files (issue 11, item 4). Each ends in
// an error at once, naming the file, without waiting for a writer or reading gigabytes.
import Foundation
import Testing
import Ember
@testable import EmberIO
#if canImport(Glibc)
import Glibc
#endif

@Suite("EmberIO paths that are not files")
struct NotAFileTests {
    /// Runs `body` on another thread; returns its error, or nil if it did not finish within `seconds`.
    func errorWithin(_ seconds: Double, _ body: @escaping @Sendable () throws -> Void) -> (finished: Bool, error: String?) {
        final class Box: @unchecked Sendable { var error: String? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { try body() } catch { box.error = "\(error)" }
            done.signal()
        }
        let finished = done.wait(timeout: .now() + seconds) == .success
        return (finished, box.error)
    }

    @Test(arguments: ["pt", "safetensors", "npz", "npy"])
    func fifoIsRefusedWithoutBlocking(_ ext: String) throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("pipe.\(ext)")
        #expect(mkfifo(url.path, 0o600) == 0)
        let result = errorWithin(10) { _ = try inspect(url) }
        if !result.finished {
            // Unblock the reader so the test process can go on, then fail.
            let fd = open(url.path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            Issue.record("inspect on a FIFO blocked")
            return
        }
        let message = try #require(result.error)
        #expect(message.contains("pipe.\(ext)") && message.contains("FIFO"), "\(message)")
    }

    @Test func npyLoaderRefusesAFifo() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("pipe.npy")
        #expect(mkfifo(url.path, 0o600) == 0)
        let result = errorWithin(10) { _ = try Tensor.loadNpy(from: url) }
        if !result.finished {
            let fd = open(url.path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            Issue.record("loadNpy on a FIFO blocked")
            return
        }
        #expect(result.error?.contains("not a regular file") == true)
    }

    @Test func directoryIsRefused() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("folder.pt")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        #expect { try inspect(url) } throws: { "\($0)".contains("a directory, not a regular file") }
    }

    /// A 3 GiB sparse file of zeros (no disk blocks) under each extension: refused from its first or last bytes.
    @Test(arguments: ["pt", "safetensors", "npz", "npy"])
    func hugeSparseFileIsRefusedWithoutReadingIt(_ ext: String) throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("sparse.\(ext)")
        let fd = open(url.path, O_WRONLY | O_CREAT, 0o600)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 3 << 30) == 0)
        close(fd)
        let clock = ContinuousClock(), start = clock.now
        #expect { try inspect(url) } throws: { e in
            let text = "\(e)"
            return text.contains("sparse.\(ext)") && (text.contains("not a zip") || text.contains("header") || text.contains("magic"))
        }
        // Reading 3 GiB first took seconds and 3 GiB of memory; the check reads at most 64 KiB.
        #expect(clock.now - start < .seconds(1.5))
    }
}
