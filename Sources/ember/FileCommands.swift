// `ember inspect` and `ember convert`: look into and convert checkpoint files (.pt, .safetensors, .npz, .npy).
import ArgumentParser
import Foundation
import EmberKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tensors in a .pt, .safetensors, .npz or .npy file: name, dtype, shape, CRC-32.",
        discussion: "The checksum is zlib's CRC-32 of each tensor's contiguous little-endian bytes (Python: zlib.crc32(t.contiguous().numpy().tobytes())).")

    @Argument(help: "The file to inspect.") var file: String

    func run() throws {
        let rows = try inspect(URL(fileURLWithPath: file))
        let width = Swift.max(4, rows.map { $0.name.count }.max() ?? 0)
        print("name".padding(toLength: width, withPad: " ", startingAt: 0) + "  dtype     shape                 crc32")
        var total = 0
        for r in rows {
            let shape = "[" + r.shape.map(String.init).joined(separator: ", ") + "]"
            print(r.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                  + r.dtype.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                  + shape.padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + String(format: "%08x", r.checksum))
            let (sum, overflow) = total.addingReportingOverflow(ShapeArithmetic.elementCount(r.shape) ?? Int.max)
            total = overflow ? Int.max : sum
        }
        print("\(rows.count) tensors, \(total) elements")
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between .pt, .safetensors and .npz (chosen by extension), keeping names, dtypes, shapes and values.")

    @Argument(help: "Source file.") var source: String
    @Argument(help: "Destination file (written atomically).") var destination: String
    @Flag(help: "Write expanded (stride-0) views even when they are over 1 GiB and 64× their storage.")
    var allowLargeViews = false

    func run() throws {
        try convert(from: URL(fileURLWithPath: source), to: URL(fileURLWithPath: destination), allowLargeViews: allowLargeViews)
        print("wrote \(destination)")
    }
}
