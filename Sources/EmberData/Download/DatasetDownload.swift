// Downloading a dataset file from a list of mirrors: checksum-verified, written atomically, with a progress bar.
import Foundation

/// A file a dataset downloads: its name and the MD5 its authors (and torchvision) publish for it.
public struct DownloadableFile: Sendable, Equatable {
    public let name: String
    /// 32 hex digits.
    public let md5: String
    public init(_ name: String, md5: String) {
        self.name = name
        self.md5 = md5.lowercased()
    }
}

/// torchvision's `download_url` for Ember's datasets: try each mirror in order, check the MD5, keep the file only
/// when it is complete and correct.
///
/// The file is streamed into a temporary file in the target folder (`.name.<random>.part`), checked, flushed to
/// disk and renamed to its final name, so a failed, truncated or corrupt transfer never leaves a file under the
/// final name. Progress is drawn on standard error. `http` and `https` addresses work (URLSession; on Linux it
/// comes from FoundationNetworking, which uses the system's libcurl); redirects are followed.
public enum DatasetDownload {
    /// Seconds without any data after which an address counts as failed.
    public static let defaultTimeout: TimeInterval = 60

    /// Downloads `file` from the first of `mirrors` (base addresses; the file's name is appended, as torchvision
    /// does) that delivers it with the right MD5, into `folder` (created when missing). Returns the file's path.
    ///
    /// - Throws: `DataError.downloadFailed` naming every address tried with its reason (HTTP status, no
    ///   connection, body shorter than announced, MD5 mismatch) and the folder to put the file in by hand;
    ///   `DataError.unwritable` when the folder or file cannot be written.
    ///
    /// - Parameters:
    ///   - file: The file to fetch: its name, size and MD5.
    ///   - mirrors: Base addresses tried in order; the file's name is appended.
    ///   - folder: The folder the file goes into (created when missing).
    ///   - timeout: Seconds without data after which a mirror is given up.
    @discardableResult
    public static func fetch(_ file: DownloadableFile, mirrors: [String], into folder: String,
                             timeout: TimeInterval = defaultTimeout) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.unwritable(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        var failures: [String] = []
        for mirror in mirrors {
            let address = mirror.hasSuffix("/") ? mirror + file.name : mirror + "/" + file.name
            guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                failures.append("\(address) is not an http or https address")
                continue
            }
            do {
                return try fetch(file, from: url, into: folder, timeout: timeout)
            } catch let failure as TransferFailure {
                failures.append("\(address): \(failure.reason)")
                FileHandle.standardError.write(Data("\(address): \(failure.reason)\n".utf8))
            }
        }
        throw DataError.downloadFailed(name: file.name, folder: folder, failures: failures)
    }

    /// Whether `path` is a regular file whose MD5 is `md5` (torchvision's `check_integrity`).
    public static func isIntact(_ path: String, md5: String) -> Bool {
        guard let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
              type == .typeRegular, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        var digest = MD5()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update($0) }
        }
        return digest.hexDigest() == md5.lowercased()
    }

    /// One address: stream into a temporary file, check, flush, rename.
    private static func fetch(_ file: DownloadableFile, from url: URL, into folder: String, timeout: TimeInterval) throws -> String {
        let final = (folder as NSString).appendingPathComponent(file.name)
        let temporary = (folder as NSString).appendingPathComponent(".\(file.name).\(UUID().uuidString).part")
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw DataError.unwritable(path: folder, reason: "cannot create a file in it")
        }
        var open = true, renamed = false
        defer {
            if open { try? handle.close() }
            if !renamed { unlink(temporary) }
        }
        FileHandle.standardError.write(Data("Downloading \(url.absoluteString) to \(final)\n".utf8))
        let progress = DownloadProgress(label: file.name)
        var digest = MD5()
        var received: Int64 = 0
        do {
            try HTTPTransfer.get(url, timeout: timeout, onResponse: { progress.expect($0) }, onData: { chunk in
                do { try handle.write(contentsOf: chunk) } catch {
                    throw DataError.unwritable(path: temporary, reason: error.localizedDescription)
                }
                chunk.withUnsafeBytes { digest.update($0) }
                received += Int64(chunk.count)
                progress.update(received)
            })
        } catch {
            progress.finish(received, failed: true)
            throw error
        }
        progress.finish(received)
        let md5 = digest.hexDigest()
        guard md5 == file.md5 else {
            throw TransferFailure(reason: "the \(received) bytes received have MD5 \(md5), expected \(file.md5)")
        }
        do {
            try handle.synchronize()
            open = false
            try handle.close()
        } catch {
            throw DataError.unwritable(path: temporary, reason: error.localizedDescription)
        }
        guard rename(temporary, final) == 0 else {
            throw DataError.unwritable(path: final, reason: String(cString: strerror(errno)))
        }
        renamed = true
        let directory = Foundation.open(folder, O_RDONLY)
        if directory >= 0 { fsync(directory); close(directory) }
        return final
    }
}
