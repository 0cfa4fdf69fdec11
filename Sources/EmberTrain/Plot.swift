// Training curves (the notes' Animator): several named series against epochs, saved as SVG and PNG.
import Foundation
import CEmberImage
import EmberIO

/// A line plot of named series (e.g. train loss, train acc, test acc) against x (epochs), like `d2l.Animator`.
///
/// ```swift
/// var plot = LinePlot(xLabel: "epoch")
/// plot.add("train loss", x: 1, y: 0.61)
/// try plot.saveSVG(to: url); try plot.savePNG(to: url2)
/// ```
public struct LinePlot {
    public struct Series { public var name: String; public var points: [(Double, Double)] }
    public var xLabel: String
    public var yLabel: String
    public private(set) var series: [Series] = []
    public init(xLabel: String = "epoch", yLabel: String = "") { self.xLabel = xLabel; self.yLabel = yLabel }

    /// Appends a point to the series `name` (created on first use, in order).
    ///
    /// - Parameters:
    ///   - name: The series to add the point to (created on first use).
    ///   - x: The point's x coordinate (an epoch).
    ///   - y: The point's y coordinate.
    public mutating func add(_ name: String, x: Double, y: Double) {
        guard y.isFinite else { return }
        if let i = series.firstIndex(where: { $0.name == name }) { series[i].points.append((x, y)) }
        else { series.append(Series(name: name, points: [(x, y)])) }
    }

    static let colors: [(UInt8, UInt8, UInt8)] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189), (140, 86, 75)]

    /// Data bounds with a little headroom; degenerate ranges are widened.
    var bounds: (x0: Double, x1: Double, y0: Double, y1: Double) {
        let pts = series.flatMap { $0.points }
        guard !pts.isEmpty else { return (0, 1, 0, 1) }
        var x0 = pts.map { $0.0 }.min()!, x1 = pts.map { $0.0 }.max()!
        var y0 = pts.map { $0.1 }.min()!, y1 = pts.map { $0.1 }.max()!
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        return (x0, x1, Swift.min(y0 - pad, 0 < y0 && y0 - pad < 0 ? 0 : y0 - pad), y1 + pad)
    }

    /// The plot as an SVG document.
    public func svg(width: Int = 640, height: Int = 420) -> String {
        let (x0, x1, y0, y1) = bounds
        let left = 60.0, right = Double(width) - 20, top = 20.0, bottom = Double(height) - 50
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(right - left)\" height=\"\(bottom - top)\" fill=\"none\" stroke=\"black\"/>\n"
        for i in 0...5 {
            let yv = y0 + (y1 - y0) * Double(i) / 5, xv = x0 + (x1 - x0) * Double(i) / 5
            s += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(py(yv))\" y2=\"\(py(yv))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(py(yv) + 4)\" text-anchor=\"end\">\(LinePlot.tick(yv))</text>\n"
            s += "<text x=\"\(px(xv))\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(LinePlot.tick(xv))</text>\n"
        }
        s += "<text x=\"\((left + right) / 2)\" y=\"\(Double(height) - 12)\" text-anchor=\"middle\">\(xLabel)</text>\n"
        for (k, ser) in series.enumerated() {
            let c = LinePlot.colors[k % LinePlot.colors.count]
            let pts = ser.points.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"rgb(\(c.0),\(c.1),\(c.2))\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            s += "<text x=\"\(right - 120)\" y=\"\(top + 16 + Double(k) * 16)\" fill=\"rgb(\(c.0),\(c.1),\(c.2))\">\(ser.name)</text>\n"
        }
        return s + "</svg>\n"
    }

    static func tick(_ v: Double) -> String {
        Swift.abs(v) >= 100 ? String(format: "%.0f", v) : (Swift.abs(v) >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v))
    }

    /// Writes the SVG atomically (the folder is created if needed).
    public func saveSVG(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(Data(svg().utf8), to: url)
    }

    /// Rasterises the plot (lines, axes, ticks and labels in a small bitmap font) and writes it as PNG, atomically.
    ///
    /// - Parameters:
    ///   - url: The file to write.
    ///   - width: The image's width in pixels.
    ///   - height: The image's height in pixels.
    public func savePNG(to url: URL, width: Int = 640, height: Int = 420) throws {
        var canvas = Canvas(width: width, height: height)
        let (x0, x1, y0, y1) = bounds
        let left = 60, right = width - 20, top = 20, bottom = height - 50
        func px(_ x: Double) -> Int { left + Int((x - x0) / (x1 - x0) * Double(right - left)) }
        func py(_ y: Double) -> Int { bottom - Int((y - y0) / (y1 - y0) * Double(bottom - top)) }
        for i in 0...5 {
            let yv = y0 + (y1 - y0) * Double(i) / 5, xv = x0 + (x1 - x0) * Double(i) / 5
            canvas.line(left, py(yv), right, py(yv), (225, 225, 225))
            let label = LinePlot.tick(yv)
            canvas.text(label, x: left - 6 - label.count * 6, y: py(yv) - 3, (0, 0, 0))
            let xl = LinePlot.tick(xv)
            canvas.text(xl, x: px(xv) - xl.count * 3, y: bottom + 8, (0, 0, 0))
        }
        canvas.line(left, top, right, top, (0, 0, 0)); canvas.line(left, bottom, right, bottom, (0, 0, 0))
        canvas.line(left, top, left, bottom, (0, 0, 0)); canvas.line(right, top, right, bottom, (0, 0, 0))
        canvas.text(xLabel, x: (left + right) / 2 - xLabel.count * 3, y: height - 20, (0, 0, 0))
        for (k, ser) in series.enumerated() {
            let c = LinePlot.colors[k % LinePlot.colors.count]
            for (a, b) in zip(ser.points, ser.points.dropFirst()) {
                canvas.line(px(a.0), py(a.1), px(b.0), py(b.1), c, thick: true)
            }
            if ser.points.count == 1 { canvas.line(px(ser.points[0].0) - 2, py(ser.points[0].1), px(ser.points[0].0) + 2, py(ser.points[0].1), c, thick: true) }
            canvas.text(ser.name, x: right - 130, y: top + 8 + k * 12, c)
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var err = [CChar](repeating: 0, count: 256)
        let rc = canvas.pixels.withUnsafeBufferPointer { ember_png_encode($0.baseAddress, Int32(width), Int32(height), 3, &out, &size, &err, 256) }
        guard rc == 0, let bytes = out else { throw PlotError(message: "PNG encode failed: \(String(cString: err))", file: url.path) }
        defer { ember_buffer_free(bytes) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(Data(bytes: bytes, count: size), to: url)
    }
}

/// A failure writing a plot, naming the file.
public struct PlotError: Error, CustomStringConvertible {
    public let message: String, file: String
    public var description: String { "\(file): \(message)" }
}
