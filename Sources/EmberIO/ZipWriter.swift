// A minimal zip writer: stored entries, payloads aligned the way torch.save aligns them, ZIP64 when sizes need it.

/// Streams a zip archive into a `FileSink`: local header + payload per entry, then the central directory.
///
/// With `alignment` set (64 for `.pt` files), each local header carries torch's padding extra field
/// ("FB", a 2-byte length, then 'Z' bytes) so every payload starts at a multiple of 64 bytes, which
/// lets PyTorch (and Ember later) map storages straight from the file. A ZIP64 end record is always
/// written, as torch's writer does; per-entry ZIP64 fields appear only for sizes or offsets that need them.
struct ZipWriter {
    private struct Written {
        let name: [UInt8]
        let crc: UInt32
        let size: Int
        let offset: Int
    }

    let sink: FileSink
    let alignment: Int?
    /// Sizes and offsets at or above this use ZIP64 fields (0xFFFFFFFF by the spec; lowered by tests).
    let zip64Threshold: Int
    private var written: [Written] = []

    init(sink: FileSink, alignment: Int?, zip64Threshold: Int = 0xFFFF_FFFF) {
        self.sink = sink
        self.alignment = alignment
        self.zip64Threshold = zip64Threshold
    }

    /// Adds a stored entry holding `payload`.
    mutating func add(name: String, payload: UnsafeRawBufferPointer) throws {
        let nameBytes = Array(name.utf8)
        let offset = sink.offset
        let size = payload.count
        let crc = payload.baseAddress.map { CRC32.checksum($0, count: size) } ?? 0
        let bigSize = size >= zip64Threshold

        var extra: [UInt8] = []
        if bigSize {
            extra.appendLE(UInt16(1)); extra.appendLE(UInt16(16))
            extra.appendLE(UInt64(size)); extra.appendLE(UInt64(size))
        }
        if let align = alignment {
            let start = offset + 30 + nameBytes.count + extra.count + 4
            let pad = (align - start % align) % align
            extra.append(contentsOf: Array("FB".utf8))
            extra.appendLE(UInt16(pad))
            extra.append(contentsOf: [UInt8](repeating: UInt8(ascii: "Z"), count: pad))
        }
        var header: [UInt8] = []
        header.appendLE(UInt32(0x0403_4B50))
        header.appendLE(UInt16(bigSize ? 45 : 20))     // version needed to extract
        header.appendLE(UInt16(nameIsASCII(nameBytes) ? 0 : 0x0800))
        header.appendLE(UInt16(0))                     // method: stored
        header.appendLE(UInt16(0)); header.appendLE(UInt16(0x21)) // time 00:00, date 1980-01-01
        header.appendLE(crc)
        header.appendLE(UInt32(bigSize ? 0xFFFF_FFFF : size))
        header.appendLE(UInt32(bigSize ? 0xFFFF_FFFF : size))
        header.appendLE(UInt16(nameBytes.count))
        header.appendLE(UInt16(extra.count))
        header += nameBytes
        header += extra
        try sink.write(header)
        try sink.write(payload)
        written.append(Written(name: nameBytes, crc: crc, size: size, offset: offset))
    }

    /// Adds a stored entry holding `bytes`.
    mutating func add(name: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try add(name: name, payload: $0) }
    }

    /// Writes the central directory and the end records. The archive is complete after this.
    func finish() throws {
        let cdOffset = sink.offset
        for w in written {
            let bigSize = w.size >= zip64Threshold, bigOffset = w.offset >= zip64Threshold
            var extra: [UInt8] = []
            if bigSize || bigOffset {
                extra.appendLE(UInt16(1)); extra.appendLE(UInt16((bigSize ? 16 : 0) + (bigOffset ? 8 : 0)))
                if bigSize { extra.appendLE(UInt64(w.size)); extra.appendLE(UInt64(w.size)) }
                if bigOffset { extra.appendLE(UInt64(w.offset)) }
            }
            var h: [UInt8] = []
            h.appendLE(UInt32(0x0201_4B50))
            h.appendLE(UInt16(0x0300 | 45))              // made by: Unix, spec 4.5
            h.appendLE(UInt16(bigSize || bigOffset ? 45 : 20))
            h.appendLE(UInt16(nameIsASCII(w.name) ? 0 : 0x0800))
            h.appendLE(UInt16(0))
            h.appendLE(UInt16(0)); h.appendLE(UInt16(0x21))
            h.appendLE(w.crc)
            h.appendLE(UInt32(bigSize ? 0xFFFF_FFFF : w.size))
            h.appendLE(UInt32(bigSize ? 0xFFFF_FFFF : w.size))
            h.appendLE(UInt16(w.name.count))
            h.appendLE(UInt16(extra.count))
            h.appendLE(UInt16(0)); h.appendLE(UInt16(0)); h.appendLE(UInt16(0)) // comment, disk, internal attrs
            h.appendLE(UInt32(0o100644) << 16)          // external attrs: a regular rw-r--r-- file
            h.appendLE(UInt32(bigOffset ? 0xFFFF_FFFF : w.offset))
            h += w.name
            h += extra
            try sink.write(h)
        }
        let cdSize = sink.offset - cdOffset
        let zip64RecordOffset = sink.offset
        var tail: [UInt8] = []
        tail.appendLE(UInt32(0x0606_4B50))
        tail.appendLE(UInt64(44))
        tail.appendLE(UInt16(0x0300 | 45)); tail.appendLE(UInt16(45))
        tail.appendLE(UInt32(0)); tail.appendLE(UInt32(0))
        tail.appendLE(UInt64(written.count)); tail.appendLE(UInt64(written.count))
        tail.appendLE(UInt64(cdSize)); tail.appendLE(UInt64(cdOffset))
        tail.appendLE(UInt32(0x0706_4B50))
        tail.appendLE(UInt32(0)); tail.appendLE(UInt64(zip64RecordOffset)); tail.appendLE(UInt32(1))
        tail.appendLE(UInt32(0x0605_4B50))
        tail.appendLE(UInt16(0)); tail.appendLE(UInt16(0))
        tail.appendLE(UInt16(Swift.min(written.count, 0xFFFF))); tail.appendLE(UInt16(Swift.min(written.count, 0xFFFF)))
        tail.appendLE(UInt32(cdSize >= zip64Threshold ? 0xFFFF_FFFF : cdSize))
        tail.appendLE(UInt32(cdOffset >= zip64Threshold ? 0xFFFF_FFFF : cdOffset))
        tail.appendLE(UInt16(0))
        try sink.write(tail)
    }

    private func nameIsASCII(_ name: [UInt8]) -> Bool { name.allSatisfy { $0 < 0x80 } }
}
