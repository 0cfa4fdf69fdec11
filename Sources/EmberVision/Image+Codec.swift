// Image decoding (PNG via libpng, JPEG via libjpeg-turbo), PNG encoding, and gzip, through the CEmberImage shim.
import Foundation
import CEmberImage
import EmberData

extension Image {
    /// Reads and decodes a PNG or JPEG file (chosen by its signature, not its name), like `PIL.Image.open`.
    ///
    /// - Throws: `DataError.missingFiles` when the file is absent, `DataError.corruptFile` naming the file when
    ///   it is not a PNG/JPEG or is damaged or truncated (a corrupt file never yields pixels).
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            let url = URL(fileURLWithPath: path)
            throw DataError.missingFiles(path: url.deletingLastPathComponent().path, expected: [url.lastPathComponent])
        }
        self = try Image.decode(data, name: path)
    }

    /// Decodes PNG or JPEG bytes; `name` appears in errors.
    public static func decode(_ data: Data, name: String = "<data>") throws -> Image {
        let b = [UInt8](data.prefix(8))
        if b.count >= 8 && b[0] == 0x89 && b[1] == 0x50 && b[2] == 0x4E && b[3] == 0x47 { return try decodePNG(data, name: name) }
        if b.count >= 2 && b[0] == 0xFF && b[1] == 0xD8 { return try decodeJPEG(data, name: name) }
        throw DataError.corruptFile(path: name, reason: "cannot identify image file (not a PNG or JPEG)")
    }

    /// Decodes PNG bytes (16-bit samples reduced to 8, palettes expanded, transparency to alpha).
    public static func decodePNG(_ data: Data, name: String = "<data>") throws -> Image {
        try decodeWith(data, name: name, ember_png_decode)
    }

    /// Decodes baseline or progressive JPEG bytes to gray or RGB, as libjpeg-turbo does for Pillow.
    public static func decodeJPEG(_ data: Data, name: String = "<data>") throws -> Image {
        try decodeWith(data, name: name, ember_jpeg_decode)
    }

    private static func decodeWith(
        _ data: Data, name: String,
        _ decoder: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<EmberDecodedImage>?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    ) throws -> Image {
        var decoded = EmberDecodedImage()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { raw in
            decoder(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &decoded, &message, message.count)
        }
        guard status == 0, let pixels = decoded.pixels else {
            throw DataError.corruptFile(path: name, reason: stringFromCBuffer(message))
        }
        defer { ember_image_free(&decoded) }
        let n = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
        return Image(width: Int(decoded.width), height: Int(decoded.height), channels: Int(decoded.channels),
                     pixels: Array(UnsafeBufferPointer(start: pixels, count: n)))
    }

    /// The image encoded as PNG (lossless; `img.save(buf, "PNG")`).
    public func pngData() throws -> Data {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer {
            ember_png_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), &out, &size, &message, message.count)
        }
        guard status == 0, let bytes = out else {
            throw DataError.corruptFile(path: "<png encode>", reason: stringFromCBuffer(message))
        }
        defer { ember_buffer_free(bytes) }
        return Data(bytes: bytes, count: size)
    }

    /// Writes the image as a PNG file, atomically (temporary file, then rename).
    public func writePNG(to path: String) throws {
        try pngData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// Decompresses gzip bytes (`gzip.decompress`); `name` appears in errors. With `maxBytes`, a stream that would
/// inflate beyond it throws as soon as it passes the limit (a 1 MB gzip bomb never becomes 1 GiB in memory).
///
/// - Parameters:
///   - data: The gzip stream.
///   - name: The name used in errors (a file name).
///   - maxBytes: Stop with an error when the output would grow past this (nil: no limit).
public func gunzip(_ data: Data, name: String = "<data>", maxBytes: Int? = nil) throws -> Data {
    try gunzip(data, name: name, limit: maxBytes, prefixOnly: false)
}

/// Compresses bytes into one gzip member (`gzip.compress(data, 9)`), e.g. to write IDX `.gz` files.
public func gzip(_ data: Data) throws -> Data {
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    let status = data.withUnsafeBytes { raw in ember_gzip(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &out, &size) }
    guard status == 0, let bytes = out else { throw DataError.corruptFile(path: "<gzip>", reason: "zlib could not compress the data") }
    return Data(bytesNoCopy: bytes, count: size, deallocator: .custom { p, _ in ember_buffer_free(p) })
}

/// The first `count` bytes of gzip `data` decompressed (fewer if the stream is shorter), without inflating the rest:
/// how a dataset reads a header before deciding how much data to accept.
///
/// - Parameters:
///   - data: The gzip stream.
///   - count: The number of leading bytes to inflate.
///   - name: The name used in errors (a file name).
public func gunzipPrefix(_ data: Data, count: Int, name: String = "<data>") throws -> Data {
    try gunzip(data, name: name, limit: count, prefixOnly: true)
}

private func gunzip(_ data: Data, name: String, limit: Int?, prefixOnly: Bool) throws -> Data {
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var message = [CChar](repeating: 0, count: 256)
    let cap = limit.map { size_t(Swift.max(0, $0)) } ?? size_t.max
    let status = data.withUnsafeBytes { raw in
        ember_gunzip(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, cap, prefixOnly ? 1 : 0, &out, &size, &message, message.count)
    }
    guard status == 0, let bytes = out else { throw DataError.corruptFile(path: name, reason: stringFromCBuffer(message)) }
    return Data(bytesNoCopy: bytes, count: size, deallocator: .custom { p, _ in ember_buffer_free(p) })
}

/// The text of a NUL-terminated C buffer (an error message filled in by the C shim), as `String(cString:)` reads it.
func stringFromCBuffer(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
