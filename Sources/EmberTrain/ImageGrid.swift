// A labelled grid of images as one PNG (the notes' `show_images(imgs, rows, cols, titles)`).
import Foundation
import Ember
import EmberIO
import EmberVision
import CEmberImage

/// Lays `images` out in rows of `columns` cells of `cell`×`cell` pixels (each image scaled to fit, nearest
/// neighbour), with its caption under it, and writes the grid as a PNG atomically.
///
/// - Parameters:
///   - images: The images, in reading order.
///   - captions: One caption per image.
///   - columns: The number of cells per row.
///   - cell: The size in pixels of each square cell.
///   - url: The PNG file to write.
public func saveImageGrid(_ images: [Image], captions: [String], columns: Int = 4, cell: Int = 128, to url: URL) throws {
    emberCheck(images.count == captions.count, "saveImageGrid", "\(images.count) images but \(captions.count) captions")
    emberCheck(columns > 0 && cell >= 16, "saveImageGrid", "columns must be positive and cells at least 16 pixels")
    let columns = Swift.min(columns, Swift.max(1, images.count))
    let rows = Swift.max(1, (images.count + columns - 1) / columns)
    let captionHeight = 24, pad = 8
    var canvas = Canvas(width: columns * (cell + pad) + pad, height: rows * (cell + captionHeight + pad) + pad)
    for (k, image) in images.enumerated() {
        let x0 = pad + (k % columns) * (cell + pad), y0 = pad + (k / columns) * (cell + captionHeight + pad)
        let scale = Double(cell) / Double(Swift.max(image.width, image.height, 1))
        let w = Swift.max(1, Int(Double(image.width) * scale)), h = Swift.max(1, Int(Double(image.height) * scale))
        for y in 0..<h {
            for x in 0..<w {
                let sx = Swift.min(image.width - 1, Int(Double(x) / scale)), sy = Swift.min(image.height - 1, Int(Double(y) / scale))
                let i = (sy * image.width + sx) * image.channels
                let p = image.pixels
                let c: (UInt8, UInt8, UInt8) = image.channels >= 3 ? (p[i], p[i + 1], p[i + 2]) : (p[i], p[i], p[i])
                canvas.set(x0 + (cell - w) / 2 + x, y0 + (cell - h) / 2 + y, c)
            }
        }
        // Two caption lines of at most cell/6 characters each.
        let perLine = Swift.max(1, cell / 6)
        let text = captions[k]
        canvas.text(String(text.prefix(perLine)), x: x0, y: y0 + cell + 4, (0, 0, 0))
        if text.count > perLine { canvas.text(String(text.dropFirst(perLine).prefix(perLine)), x: x0, y: y0 + cell + 13, (0, 0, 0)) }
    }
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var err = [CChar](repeating: 0, count: 256)
    let rc = canvas.pixels.withUnsafeBufferPointer { ember_png_encode($0.baseAddress, Int32(canvas.width), Int32(canvas.height), 3, &out, &size, &err, 256) }
    guard rc == 0, let bytes = out else { throw PlotError(message: "PNG encode failed: \(String(cString: err))", file: url.path) }
    defer { ember_buffer_free(bytes) }
    try writeAtomically(Data(bytes: bytes, count: size), to: url)
}
