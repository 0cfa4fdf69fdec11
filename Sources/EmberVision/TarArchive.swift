// A small tar reader (POSIX ustar and GNU tar headers): regular files and folders only, paths kept inside the target.
import Foundation
import EmberData

/// One member of a tar archive: its relative path and, for a file, where its bytes lie in the archive.
struct TarEntry: Equatable {
    let path: String
    let isDirectory: Bool
    let contents: Range<Int>
}

/// Reads uncompressed tar bytes (what `gunzip` makes of a `.tar.gz`), as `tarfile` does for the archives Ember
/// downloads.
///
/// Only regular files and folders are accepted. Links, devices, pax extended headers and the like are refused,
/// and so is any path that is absolute or contains `..`: extraction never writes outside its folder.
enum TarArchive {
    /// The archive's members in order, checked (header checksums, sizes, paths, types).
    ///
    /// - Throws: `DataError.corruptFile(path: name, ...)` naming the member or offset that is wrong.
    static func entries(_ data: Data, name: String) throws -> [TarEntry] {
        try data.withUnsafeBytes { try entries(in: $0, name: name) }
    }

    private static func entries(in bytes: UnsafeRawBufferPointer, name: String) throws -> [TarEntry] {
        var entries: [TarEntry] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = [UInt8](bytes[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { return entries }   // end of archive
            func fail(_ reason: String) -> DataError { .corruptFile(path: name, reason: "tar header at byte \(offset): \(reason)") }
            guard let declared = octal(header[148..<156]) else { throw fail("unreadable checksum") }
            let sum = header.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
            guard declared == sum else { throw fail("checksum \(declared) does not match the header (\(sum))") }
            guard let size = Self.size(header[124..<136]) else { throw fail("unreadable size") }
            var path = string(header[0..<100])
            // POSIX ustar splits long paths into prefix/name; the old GNU format uses those bytes for other fields.
            if header[257..<263].elementsEqual(Array("ustar\0".utf8)) {
                let prefix = string(header[345..<500])
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            let start = offset + 512
            guard size <= bytes.count - start else {
                throw fail("\(path) declares \(size) bytes but the archive ends \(bytes.count - start) bytes later")
            }
            let type = header[156]
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "5"):
                try checkPath(path, archive: name)
                entries.append(TarEntry(path: path, isDirectory: type == UInt8(ascii: "5"), contents: start..<start + size))
            case UInt8(ascii: "g"):
                break   // pax global header: comments and defaults, no member of its own
            default:
                let kind: [UInt8: String] = [UInt8(ascii: "1"): "hard link", UInt8(ascii: "2"): "symbolic link",
                                             UInt8(ascii: "3"): "character device", UInt8(ascii: "4"): "block device",
                                             UInt8(ascii: "6"): "FIFO", UInt8(ascii: "x"): "pax extended header",
                                             UInt8(ascii: "L"): "GNU long name"]
                throw DataError.corruptFile(path: name, reason: "tar member \(path) is a \(kind[type] ?? "member of type '\(Character(Unicode.Scalar(type)))'"); only regular files and folders are extracted")
            }
            offset = start + (size + 511) / 512 * 512
        }
        guard offset == bytes.count else {
            throw DataError.corruptFile(path: name, reason: "tar archive is truncated at byte \(offset) of \(bytes.count)")
        }
        return entries
    }

    /// Writes the archive's folders and files under `folder`, each file atomically (temporary file + rename, so a
    /// file is either whole or absent). Returns the paths written.
    @discardableResult
    static func extract(_ data: Data, name: String, into folder: String) throws -> [String] {
        let entries = try entries(data, name: name)   // everything is checked before anything is written
        var written: [String] = []
        for entry in entries {
            let path = (folder as NSString).appendingPathComponent(entry.path)
            let directory = entry.isDirectory ? path : (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw DataError.unwritable(path: directory, reason: "cannot create the folder (\(error.localizedDescription))")
            }
            guard !entry.isDirectory else { continue }
            let base = data.startIndex
            try writeFileAtomically(data.subdata(in: base + entry.contents.lowerBound..<base + entry.contents.upperBound), to: path)
            written.append(path)
        }
        return written
    }

    /// Refuses absolute paths and `..` components.
    private static func checkPath(_ path: String, archive: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains("..") else {
            throw DataError.corruptFile(path: archive, reason: "tar member \"\(path)\" would be written outside the folder (absolute path or '..')")
        }
    }

    /// A NUL-terminated header field as text.
    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal header field (spaces and NULs around the digits allowed); nil when it holds anything else.
    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let digits = field.prefix { $0 != 0 }.filter { $0 != UInt8(ascii: " ") }
        guard !digits.isEmpty, digits.count <= 21, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 << 3 | Int($1 - UInt8(ascii: "0")) }
    }

    /// The size field: octal, or GNU's base-256 for large files (high bit of the first byte set).
    private static func size(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        guard first == 0x80, field.dropFirst().prefix(4).allSatisfy({ $0 == 0 }) else { return nil }   // at most 2^56
        return field.dropFirst().reduce(0) { $0 << 8 | Int($1) }
    }
}

/// Writes `data` to `path` through a temporary file in the same folder, flushed to disk before the rename (and the
/// folder after it).
func writeFileAtomically(_ data: Data, to path: String) throws {
    let temporary = ((path as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent(".\((path as NSString).lastPathComponent).\(UUID().uuidString).part")
    guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
        throw DataError.unwritable(path: path, reason: "cannot create a temporary file beside it")
    }
    do {
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
    } catch {
        try? handle.close()
        unlink(temporary)
        throw DataError.unwritable(path: path, reason: error.localizedDescription)
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw DataError.unwritable(path: path, reason: reason)
    }
    let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY)
    if folder >= 0 { fsync(folder); close(folder) }
}
