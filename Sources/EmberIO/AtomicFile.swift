// Whole-file reads and atomic writes (temp file in the same directory + fsync + rename + directory fsync).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The current `errno` as text, e.g. "No such file or directory (errno 2)".
func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) + " (errno \(code))" }

/// Reads a whole file into memory with POSIX calls (one copy, no `Data` bridge).
func readFileBytes(_ url: URL) throws -> [UInt8] {
    let path = url.path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CheckpointError(.io("cannot open for reading: " + errnoText()), file: path) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw CheckpointError(.io("cannot stat: " + errnoText()), file: path) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError(.io("not a regular file"), file: path) }
    let size = Int(st.st_size)
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
        var done = 0
        while done < size {
            let n = read(fd, buf.baseAddress! + done, size - done)
            if n < 0 { if errno == EINTR { continue }; failure = errno; break }
            if n == 0 { break }
            done += n
        }
        count = done
    }
    if failure != 0 { throw CheckpointError(.io("read failed: " + errnoText(failure)), file: path) }
    if bytes.count != size { throw CheckpointError(.io("file shrank while reading (\(bytes.count) of \(size) bytes)"), file: path) }
    return bytes
}

/// `write(2)` under a name that methods called `write` do not shadow.
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// A buffered, write-only file descriptor: writers stream headers and tensor payloads through it.
final class FileSink {
    private let fd: Int32
    let path: String
    /// Bytes accepted so far (buffered or written): the offset of the next byte in the file.
    private(set) var offset = 0
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 16
    /// Test hook: the write that would pass this many bytes fails as a full disk would.
    private let failAfter: Int?

    init(fd: Int32, path: String, failAfter: Int?) {
        self.fd = fd
        self.path = path
        self.failAfter = failAfter
        buffer.reserveCapacity(bufferLimit)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        if raw.isEmpty { return }
        if let limit = failAfter, offset + raw.count > limit {
            // Simulated failure: what fits under the limit reaches the file, then the write fails.
            let part = limit - offset
            try flush()
            if part > 0 { try writeAll(raw.baseAddress!, part) }
            AtomicWriteHooks.crashIfRequested(path: path)
            throw CheckpointError(.io("simulated write failure after \(limit) bytes"), file: path)
        }
        offset += raw.count
        if buffer.count + raw.count <= bufferLimit {
            buffer.append(contentsOf: raw)
        } else {
            try flush()
            try writeAll(raw.baseAddress!, raw.count)
        }
    }

    func flush() throws {
        if buffer.isEmpty { return }
        try buffer.withUnsafeBytes { try writeAll($0.baseAddress!, $0.count) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ p: UnsafeRawPointer, _ count: Int) throws {
        var done = 0
        while done < count {
            let n = posixWrite(fd, p + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(.io("write failed: " + errnoText()), file: path)
            }
            done += n
        }
    }
}

/// Test hooks keyed by target path, so parallel tests writing other files are not affected.
enum AtomicWriteHooks {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var failAfter: [String: Int] = [:]
    nonisolated(unsafe) private static var crashPaths: Set<String> = []

    /// Makes the next atomic write to `path` fail once `bytes` bytes have gone out;
    /// with `crash`, the process exits on the spot instead (no cleanup), like a killed writer.
    static func injectFailure(_ url: URL, afterBytes bytes: Int, crash: Bool = false) {
        let path = url.standardizedFileURL.path
        lock.lock(); defer { lock.unlock() }
        failAfter[path] = bytes
        if crash { crashPaths.insert(path) }
    }

    static func takeFailure(path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        return failAfter.removeValue(forKey: path)
    }

    /// `path` here is the temp file's; the crash hook was registered on the target, found by prefix.
    static func crashIfRequested(path: String) {
        lock.lock()
        let crash = crashPaths.contains { path.hasPrefix(tempPrefix(for: $0)) }
        lock.unlock()
        if crash { _exit(3) }
    }

    /// Temp files for `target` are named `<dir>/.<name>.tmp-<pid>-<random>`.
    static func tempPrefix(for target: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp-").path
    }
}

/// Writes a file atomically: `body` streams into a temp file next to `url`, which is fsynced and renamed
/// over `url`, then the directory is fsynced. On any error the temp file is removed and the previous
/// file at `url` (if any) is left untouched; a crash mid-way leaves at worst a stray `.<name>.tmp-*` file.
///
/// PyTorch's `torch.save` writes in place (a crash can leave a torn file); Ember's checkpoints never do.
func atomicWrite(to url: URL, _ body: (FileSink) throws -> Void) throws {
    let target = url.standardizedFileURL.path
    let prefix = AtomicWriteHooks.tempPrefix(for: target)
    let temp = prefix + "\(getpid())-\(UInt32.random(in: 0 ... .max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw CheckpointError(.io("cannot create temp file \(temp): " + errnoText()), file: target) }
    var closed = false
    do {
        let sink = FileSink(fd: fd, path: temp, failAfter: AtomicWriteHooks.takeFailure(path: target))
        try body(sink)
        try sink.flush()
        guard fsync(fd) == 0 else { throw CheckpointError(.io("fsync failed: " + errnoText()), file: temp) }
        closed = true
        guard close(fd) == 0 else { throw CheckpointError(.io("close failed: " + errnoText()), file: temp) }
        guard rename(temp, target) == 0 else {
            throw CheckpointError(.io("cannot rename \(temp) over the target: " + errnoText()), file: target)
        }
    } catch {
        if !closed { close(fd) }
        unlink(temp)
        throw error
    }
    // The rename is durable only once the directory entry is on disk.
    let dir = open(URL(fileURLWithPath: target).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dir >= 0 {
        _ = fsync(dir)
        close(dir)
    }
}

/// Writes `data` to `url` atomically (temp file beside it, fsync, rename, fsync of the directory): a crash
/// leaves either the old file or the new one, never a torn one. Used for every file Ember saves.
///
/// - Throws: `CheckpointError` naming the file when the temp file cannot be created, written, synced or renamed.
public func writeAtomically(_ data: Data, to url: URL) throws {
    try atomicWrite(to: url) { sink in
        try data.withUnsafeBytes { try sink.write($0) }
    }
}
