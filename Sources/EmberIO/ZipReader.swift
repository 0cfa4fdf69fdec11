// A minimal zip reader: central directory (with ZIP64), stored entries only, CRC-32 checked on every read.

/// One entry of a zip's central directory.
struct ZipEntry {
    let name: String
    let method: Int
    let flags: Int
    let crc32: UInt32
    let compressedSize: Int
    let size: Int
    let localHeaderOffset: Int
}

/// A zip archive held in memory, as `torch.save` and `numpy.savez` write them.
///
/// Only the central directory is trusted for sizes and CRCs (torch writes zeros in local headers and
/// puts them in data descriptors). Every offset and size is checked against the file before use, and
/// `read` verifies the CRC-32, so a flipped payload bit is an error rather than a wrong tensor.
struct ZipArchive {
    let bytes: [UInt8]
    let file: String?
    private(set) var entries: [ZipEntry] = []
    private var index: [String: Int] = [:]

    init(bytes: [UInt8], file: String?) throws {
        self.bytes = bytes
        self.file = file
        let r = ByteReader(bytes)
        func fail(_ kind: ZipError.Kind, _ offset: Int? = nil) -> ZipError { ZipError(kind, file: file, offset: offset) }

        // End of central directory: 22 bytes plus a comment of up to 65535 bytes, searched from the end.
        guard bytes.count >= 22 else { throw fail(.notAZip) }
        var eocd = -1
        var p = bytes.count - 22
        let lowest = Swift.max(0, bytes.count - 22 - 65535)
        while p >= lowest {
            if bytes[p] == 0x50, r.u32(at: p) == 0x0605_4B50 { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else { throw fail(.notAZip) }
        var count = r.u16(at: eocd + 10)!
        var countOnDisk = r.u16(at: eocd + 8)!
        var cdSize = Int(r.u32(at: eocd + 12)!)
        var cdOffset = Int(r.u32(at: eocd + 16)!)
        let commentLength = r.u16(at: eocd + 20)!
        guard eocd + 22 + commentLength <= bytes.count else { throw fail(.truncated("archive comment"), eocd) }
        guard r.u16(at: eocd + 4)! == 0 || r.u16(at: eocd + 4)! == 0xFFFF else { throw fail(.malformed("multi-disk archives are not supported"), eocd) }

        // ZIP64: a locator 20 bytes before the EOCD points at the ZIP64 end record with 64-bit fields.
        if eocd >= 20, r.u32(at: eocd - 20) == 0x0706_4B50 {
            let loc = eocd - 20
            let recordOffset = r.u64(at: loc + 8)!
            guard recordOffset <= UInt64(loc), let z = Int(exactly: recordOffset), loc - z >= 56 else {
                throw fail(.malformed("ZIP64 end record offset \(recordOffset) out of range"), loc)
            }
            guard r.u32(at: z) == 0x0606_4B50 else { throw fail(.badSignature("ZIP64 end of central directory"), z) }
            let n64 = r.u64(at: z + 32)!, size64 = r.u64(at: z + 40)!, off64 = r.u64(at: z + 48)!
            guard n64 <= UInt64(bytes.count), size64 <= UInt64(bytes.count), off64 <= UInt64(bytes.count) else {
                throw fail(.malformed("ZIP64 end record declares sizes larger than the file"), z)
            }
            count = Int(n64); cdSize = Int(size64); cdOffset = Int(off64)
            countOnDisk = r.u64(at: z + 24)! == n64 ? count : -1
        } else if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            throw fail(.malformed("ZIP64 markers without a ZIP64 locator"), eocd)
        }
        guard countOnDisk == count else { throw fail(.malformed("entry counts disagree (\(countOnDisk) on this disk, \(count) in total)"), eocd) }
        guard r.contains(offset: cdOffset, count: cdSize), cdOffset + cdSize <= eocd else {
            throw fail(.malformed("central directory (offset \(cdOffset), \(cdSize) bytes) lies outside the file"), eocd)
        }
        guard count <= cdSize / 46 else { throw fail(.malformed("\(count) entries cannot fit a \(cdSize)-byte central directory"), eocd) }

        var q = cdOffset
        let cdEnd = cdOffset + cdSize
        entries.reserveCapacity(count)
        for _ in 0..<count {
            guard q + 46 <= cdEnd else { throw fail(.truncated("central directory entry"), q) }
            guard r.u32(at: q) == 0x0201_4B50 else { throw fail(.badSignature("central directory entry"), q) }
            let flags = r.u16(at: q + 8)!, method = r.u16(at: q + 10)!
            let crc = r.u32(at: q + 16)!
            var csize = UInt64(r.u32(at: q + 20)!), usize = UInt64(r.u32(at: q + 24)!)
            let nameLength = r.u16(at: q + 28)!, extraLength = r.u16(at: q + 30)!, commentLen = r.u16(at: q + 32)!
            var local = UInt64(r.u32(at: q + 42)!)
            let nameStart = q + 46
            guard nameStart + nameLength + extraLength + commentLen <= cdEnd else { throw fail(.truncated("central directory entry name"), q) }
            let name = String(decoding: bytes[nameStart ..< nameStart + nameLength], as: UTF8.self)
            // ZIP64 extra field (id 1): the 64-bit values of whichever fields hold 0xFFFFFFFF, in this order.
            var e = nameStart + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = r.u16(at: e)!, len = r.u16(at: e + 2)!
                guard e + 4 + len <= extraEnd else { throw ZipError(.malformed("extra field overruns its entry"), file: file, entry: name, offset: e) }
                if id == 1 {
                    var f = e + 4
                    for field in [0, 1, 2] {
                        let marked = field == 0 ? usize == 0xFFFF_FFFF : (field == 1 ? csize == 0xFFFF_FFFF : local == 0xFFFF_FFFF)
                        guard marked else { continue }
                        guard f + 8 <= e + 4 + len else { throw ZipError(.malformed("short ZIP64 extra field"), file: file, entry: name, offset: e) }
                        let v = r.u64(at: f)!
                        if field == 0 { usize = v } else if field == 1 { csize = v } else { local = v }
                        f += 8
                    }
                }
                e += 4 + len
            }
            guard usize <= UInt64(bytes.count), csize <= UInt64(bytes.count), local <= UInt64(bytes.count) else {
                throw ZipError(.malformed("declared size \(Swift.max(usize, csize)) or offset \(local) exceeds the \(bytes.count)-byte file"), file: file, entry: name, offset: q)
            }
            guard index[name] == nil else { throw ZipError(.malformed("duplicate entry name"), file: file, entry: name, offset: q) }
            index[name] = entries.count
            entries.append(ZipEntry(name: name, method: method, flags: flags, crc32: crc, compressedSize: Int(csize),
                                    size: Int(usize), localHeaderOffset: Int(local)))
            q = nameStart + nameLength + extraLength + commentLen
        }
        // The declared entries must fill the directory exactly: a damaged count cannot hide entries.
        guard q == cdEnd else {
            throw fail(.malformed("central directory holds \(cdEnd - q) bytes beyond its \(count) declared entries"), q)
        }
    }

    /// The entry called `name`, if present.
    func entry(named name: String) -> ZipEntry? { index[name].map { entries[$0] } }

    /// The byte range of an entry's stored payload, after checking its local header.
    func payloadRange(of entry: ZipEntry) throws -> Range<Int> {
        func fail(_ kind: ZipError.Kind, _ offset: Int) -> ZipError { ZipError(kind, file: file, entry: entry.name, offset: offset) }
        if entry.flags & 1 != 0 { throw fail(.encrypted, entry.localHeaderOffset) }
        guard entry.method == 0 else { throw fail(.unsupportedCompression(entry.method), entry.localHeaderOffset) }
        guard entry.compressedSize == entry.size else {
            throw fail(.malformed("stored entry with compressed size \(entry.compressedSize) != size \(entry.size)"), entry.localHeaderOffset)
        }
        let r = ByteReader(bytes)
        let h = entry.localHeaderOffset
        guard r.contains(offset: h, count: 30) else { throw fail(.truncated("local header"), h) }
        guard r.u32(at: h) == 0x0403_4B50 else { throw fail(.badSignature("local header"), h) }
        let nameLength = r.u16(at: h + 26)!, extraLength = r.u16(at: h + 28)!
        guard let localName = r.slice(at: h + 30, count: nameLength) else { throw fail(.truncated("local header name"), h) }
        guard String(decoding: localName, as: UTF8.self) == entry.name else {
            throw fail(.malformed("local header names '\(String(decoding: localName, as: UTF8.self))'"), h)
        }
        let start = h + 30 + nameLength + extraLength
        guard r.contains(offset: start, count: entry.size) else {
            throw fail(.truncated("payload of \(entry.size) bytes at \(start) runs past the end of the \(bytes.count)-byte file"), start)
        }
        return start ..< start + entry.size
    }

    /// Calls `body` with the entry's payload after verifying its CRC-32.
    func withPayload<R>(_ entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let range = try payloadRange(of: entry)
        return try bytes.withUnsafeBytes { all in
            let payload = UnsafeRawBufferPointer(rebasing: all[range])
            let crc = payload.baseAddress.map { CRC32.checksum($0, count: payload.count) } ?? 0
            guard crc == entry.crc32 else {
                throw ZipError(.crcMismatch(expected: entry.crc32, actual: crc), file: file, entry: entry.name, offset: range.lowerBound)
            }
            return try body(payload)
        }
    }

    /// The entry's payload as bytes (CRC-checked).
    func read(_ entry: ZipEntry) throws -> [UInt8] {
        try withPayload(entry) { [UInt8]($0) }
    }
}
