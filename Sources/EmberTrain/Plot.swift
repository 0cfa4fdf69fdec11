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

    /// Round tick values covering `lo...hi`: steps of 1, 2, 2.5 or 5 × 10^k, about `target` of them
    /// (matplotlib's choice for the notes' Animator); whole numbers only when `integers` (epochs).
    static func niceTicks(_ lo: Double, _ hi: Double, target: Int = 5, integers: Bool = false) -> [Double] {
        var lo = lo, hi = hi
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let raw = 0.75 * (hi - lo) / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integers { step = Swift.max(1, step.rounded(.up)) }
        let first = floor(lo / step + 1e-9) * step, last = ceil(hi / step - 1e-9) * step
        let count = Int(((last - first) / step).rounded()) + 1
        // Printed and parsed back at 12 significant digits: 0.2, not 0.20000000000000004.
        return (0..<Swift.max(count, 2)).map { Double(String(format: "%.12g", first + Double($0) * step))! }
    }

    /// The axes' ticks (their ends are the plot's bounds): whole epochs on x, round values on y.
    var ticks: (x: [Double], y: [Double]) {
        let pts = series.flatMap { $0.points }
        guard !pts.isEmpty else { return ([0, 1], [0, 1]) }
        let xs = pts.map { $0.0 }, ys = pts.map { $0.1 }
        let integers = xs.allSatisfy { $0 == $0.rounded() }
        return (LinePlot.niceTicks(xs.min()!, xs.max()!, integers: integers), LinePlot.niceTicks(ys.min()!, ys.max()!))
    }

    /// Data bounds: the first and last ticks of each axis.
    var bounds: (x0: Double, x1: Double, y0: Double, y1: Double) {
        let (tx, ty) = ticks
        return (tx.first!, tx.last!, ty.first!, ty.last!)
    }

    /// A tick label with as many decimals as the step needs (`0.25`, `0.5`, `2`).
    static func label(_ v: Double, step: Double) -> String {
        let decimals = (0...6).first { d in
            let scaled = step * pow(10, Double(d))
            return Swift.abs(scaled - scaled.rounded()) < 1e-6 * Swift.max(1, scaled)
        } ?? 6
        return String(format: "%.\(decimals)f", Swift.abs(v) < step / 1e6 ? 0 : v)
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
        let (tx, ty) = ticks
        let sx = tx[1] - tx[0], sy = ty[1] - ty[0]
        for yv in ty {
            s += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(py(yv))\" y2=\"\(py(yv))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(py(yv) + 4)\" text-anchor=\"end\">\(LinePlot.label(yv, step: sy))</text>\n"
        }
        for xv in tx {
            s += "<text x=\"\(px(xv))\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(LinePlot.label(xv, step: sx))</text>\n"
        }
        s += "<text x=\"\((left + right) / 2)\" y=\"\(Double(height) - 12)\" text-anchor=\"middle\">\(xLabel)</text>\n"
        if !yLabel.isEmpty {
            s += "<text x=\"14\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \((top + bottom) / 2))\">\(yLabel)</text>\n"
        }
        s += "<rect x=\"\(right - 128)\" y=\"\(top + 4)\" width=\"122\" height=\"\(Double(series.count) * 16 + 6)\" fill=\"white\" stroke=\"#bbb\"/>\n"
        for (k, ser) in series.enumerated() {
            let c = LinePlot.colors[k % LinePlot.colors.count]
            let pts = ser.points.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"rgb(\(c.0),\(c.1),\(c.2))\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            s += "<text x=\"\(right - 120)\" y=\"\(top + 16 + Double(k) * 16)\" fill=\"rgb(\(c.0),\(c.1),\(c.2))\">\(ser.name)</text>\n"
        }
        return s + "</svg>\n"
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
        let (tx, ty) = ticks
        let sx = tx[1] - tx[0], sy = ty[1] - ty[0]
        for yv in ty {
            canvas.line(left, py(yv), right, py(yv), (225, 225, 225))
            let label = LinePlot.label(yv, step: sy)
            canvas.text(label, x: left - 6 - label.count * 6, y: py(yv) - 3, (0, 0, 0))
        }
        for xv in tx {
            let xl = LinePlot.label(xv, step: sx)
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
