// Whole-file reads and atomic writes (temp file in the same directory + fsync + rename + directory fsync).
import Foundation
import Ember
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The current `errno` as text, e.g. "No such file or directory (errno 2)".
func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) + " (errno \(code))" }

/// What kind of thing a non-regular path is, for messages: "a FIFO", "a directory", ...
func fileKindText(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "not a regular file"
    }
}

/// A cheap check of a format's fixed structure, run on the file's first and last bytes before the whole
/// file is read, so that a multi-gigabyte file of the wrong kind is refused at once.
enum FilePreflight {
    /// A zip archive (`.pt`, `.npz`): an end-of-central-directory record within the last 64 KiB.
    case zip
    /// `.safetensors`: an 8-byte header length that fits the file.
    case safetensors
    /// `.npy`: the `\x93NUMPY` magic.
    case npy

    func check(_ fd: Int32, size: Int, path: String) throws {
        func bytes(at offset: Int, count: Int) throws -> [UInt8] {
            try [UInt8](unsafeUninitializedCapacity: count) { buf, n in
                n = 0
                while n < count {
                    let r = pread(fd, buf.baseAddress! + n, count - n, off_t(offset + n))
                    if r < 0 { if errno == EINTR { continue }; throw CheckpointError(.io("read failed: " + errnoText()), file: path) }
                    if r == 0 { break }
                    n += r
                }
            }
        }
        switch self {
        case .zip:
            guard size >= 22 else { throw ZipError(.notAZip, file: path) }
            let tailCount = Swift.min(size, 22 + 65535)
            let tail = try bytes(at: size - tailCount, count: tailCount)
            var p = tail.count - 22
            while p >= 0 {
                if tail[p] == 0x50, tail[p + 1] == 0x4B, tail[p + 2] == 0x05, tail[p + 3] == 0x06 { return }
                p -= 1
            }
            throw ZipError(.notAZip, file: path)
        case .safetensors:
            let head = try bytes(at: 0, count: Swift.min(size, 8))
            guard head.count == 8 else { throw SafetensorsError(.invalidHeaderLength(0), file: path) }
            let n = head.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
            guard n <= SafetensorsFormat.maxHeaderSize else { throw SafetensorsError(.headerTooLarge(n), file: path) }
            guard n >= 2, n <= UInt64(size - 8) else { throw SafetensorsError(.invalidHeaderLength(n), file: path) }
            guard try bytes(at: 8, count: 1) == [UInt8(ascii: "{")] else {
                throw SafetensorsError(.invalidHeader("the header does not start with '{'"), file: path)
            }
        case .npy:
            let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
            let head = try bytes(at: 0, count: Swift.min(size, 6))
            guard head == Array(magic.prefix(head.count)) else { throw NpyError(file: path, reason: .badMagic) }
        }
    }
}

/// Reads a whole file into memory with POSIX calls (one copy, no `Data` bridge).
///
/// Refuses, before reading anything, what is not a regular file (a FIFO would block for ever, a directory or a
/// device is never a checkpoint), and runs `preflight` on the file's ends so that a huge file of the wrong
/// format is refused without reading it all.
func readFileBytes(_ url: URL, preflight: FilePreflight? = nil) throws -> [UInt8] {
    let path = url.path
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it has no effect on regular files.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw CheckpointError(.io("cannot open for reading: " + errnoText()), file: path) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw CheckpointError(.io("cannot stat: " + errnoText()), file: path) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError(.io("\(fileKindText(st.st_mode)), not a regular file"), file: path) }
    let size = Int(st.st_size)
    try preflight?.check(fd, size: size, path: path)
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
        var done = 0
        while done < size {
            let n = read(fd, buf.baseAddress! + done, size - done)
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; failure = errno; break }
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
    removeStaleTemporaries(prefix: prefix)
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

/// Removes the temporaries `<prefix><pid>-<random>` that writers killed mid-save left behind: those whose
/// process no longer exists. A temporary of a live process (another writer of the same file) is left alone.
func removeStaleTemporaries(prefix: String) {
    let dir = (prefix as NSString).deletingLastPathComponent
    let namePrefix = (prefix as NSString).lastPathComponent
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
    for name in names where name.hasPrefix(namePrefix) {
        let rest = name.dropFirst(namePrefix.count)
        guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
        // kill(pid, 0) fails with ESRCH when no such process exists.
        if kill(pid, 0) != 0 && errno == ESRCH {
            unlink((dir as NSString).appendingPathComponent(name))
        }
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
