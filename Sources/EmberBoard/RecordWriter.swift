// RecordWriter: TFRecord framing (length + masked CRC-32C) and the event file with its periodic flush.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord files.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes` ("123456789" gives 0xE3069283).
    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked CRC: rotate right by 15 and add a constant, so CRCs of CRCs stay well mixed.
    static func masked<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}

/// Frames `data` as one TFRecord: uint64 length, masked CRC of the length, data, masked CRC of the data
/// (all little endian).
func tfRecord(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(data.count + 16)
    let length = UInt64(data.count)
    let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    out += lengthBytes
    let lengthCRC = CRC32C.masked(lengthBytes)
    out += (0..<4).map { UInt8(truncatingIfNeeded: lengthCRC >> (8 * UInt32($0))) }
    out += data
    let dataCRC = CRC32C.masked(data)
    out += (0..<4).map { UInt8(truncatingIfNeeded: dataCRC >> (8 * UInt32($0))) }
    return out
}

/// An error writing a TensorBoard log, naming the file.
public enum SummaryWriterError: Error, CustomStringConvertible {
    /// The log directory could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// The event file could not be opened.
    case cannotOpen(path: String, errno: Int32)
    /// Writing the event file failed after `offset` bytes had been written.
    case writeFailed(path: String, offset: Int, errno: Int32)
    /// The writer was used after `close()`.
    case closed(path: String)

    /// The error in words, with the path.
    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason): return "cannot create log directory \(path): \(reason)"
        case let .cannotOpen(path, e): return "cannot open event file \(path): \(String(cString: strerror(e)))"
        case let .writeFailed(path, offset, e):
            return "writing event file \(path) failed at offset \(offset): \(String(cString: strerror(e)))"
        case let .closed(path): return "event file \(path) is closed"
        }
    }
}

/// The short host name, as Python's `socket.gethostname()` returns it.
func hostName() -> String {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
    return stringFromCBuffer(buf)
}

/// Process-wide counter giving each event file a distinct last name component (PyTorch's `_global_uid`).
private let uidLock = NSLock()
private nonisolated(unsafe) var nextUID = 0
func takeGlobalUID() -> Int {
    uidLock.lock()
    defer { uidLock.unlock() }
    nextUID += 1
    return nextUID - 1
}

/// One event file: records are buffered in memory and written to disk by `flush()`, `close()` or a
/// timer every `flushSeconds`, so a crash loses at most that much.
///
/// The timer runs on a dispatch queue and holds the writer weakly; all state is guarded by `lock`.
final class EventFileWriter {
    let logDir: String
    let path: String
    private let lock = NSLock()
    private var fd: Int32
    private var pending: [UInt8] = []
    private var written = 0
    private var timer: DispatchSourceTimer?
    /// A failure of a timer-driven flush, reported by the next explicit `flush()` or `close()`.
    private var deferredError: SummaryWriterError?

    init(logDir: String, flushSeconds: Double, filenameSuffix: String = "") throws {
        do {
            try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        } catch {
            throw SummaryWriterError.cannotCreateDirectory(path: logDir, reason: "\(error.localizedDescription)")
        }
        self.logDir = logDir
        let seconds = Int(Date().timeIntervalSince1970)
        let name = "events.out.tfevents." + String(format: "%010d", seconds) + ".\(hostName()).\(getpid()).\(takeGlobalUID())"
        path = (logDir as NSString).appendingPathComponent(name) + filenameSuffix
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SummaryWriterError.cannotOpen(path: path, errno: errno) }

        add(Event(wallTime: Date().timeIntervalSince1970,
                  content: .fileVersion("brain.Event:2", writer: "tensorboard.summary.writer.event_file_writer")))
        try flush()
        if flushSeconds > 0 {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
            let interval = DispatchTimeInterval.milliseconds(Int(flushSeconds * 1000))
            t.schedule(deadline: .now() + interval, repeating: interval)
            t.setEventHandler { [weak self] in self?.flushFromTimer() }
            t.resume()
            timer = t
        }
    }

    deinit {
        try? close()
    }

    /// Buffers one event as a framed record.
    func add(_ event: Event) {
        let record = tfRecord(event.serialized())
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        pending += record
    }

    /// Writes all buffered records to the file (the OS holds them from then on, so a crash of this
    /// process no longer loses them).
    func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        if let e = deferredError { deferredError = nil; throw e }
        try writePendingLocked()
    }

    private func flushFromTimer() {
        lock.lock()
        defer { lock.unlock() }
        do { try writePendingLocked() } catch let e as SummaryWriterError {
            if deferredError == nil { deferredError = e }
        } catch {}
    }

    private func writePendingLocked() throws {
        guard fd >= 0, !pending.isEmpty else { return }
        var done = 0
        try pending.withUnsafeBytes { buf in
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SummaryWriterError.writeFailed(path: path, offset: written + done, errno: errno)
                }
                done += n
            }
        }
        written += done
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later events are dropped. Calling it twice is harmless.
    func close() throws {
        timer?.cancel()
        timer = nil
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        var failure: Error? = deferredError
        deferredError = nil
        do { try writePendingLocked() } catch { failure = failure ?? error }
        Glibc.close(fd)
        fd = -1
        if let failure { throw failure }
    }
}

/// The text of a NUL-terminated C buffer (an error message filled in by the C shim), as `String(cString:)` reads it.
func stringFromCBuffer(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
