// Helpers for the tests of `ember train`'s run: a small Fashion-MNIST cut from the bundled data, temp folders,
// and the built `ember` executable.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under the system temp directory.
func temporaryRunFolder(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A two-class image folder (`root/train/<class>`, `root/val/<class>`) of small synthetic PNGs: dark images are
/// class "dark", bright ones "light".
func writeImageFolder(_ root: URL, perClass: Int = 4) throws {
    for split in ["train", "val"] {
        for (name, level) in [("dark", UInt8(30)), ("light", UInt8(220))] {
            let dir = root.appendingPathComponent("\(split)/\(name)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<perClass {
                try Image(width: 20 + i, height: 16, mode: .rgb, fill: level + UInt8(i)).writePNG(to: dir.appendingPathComponent("\(i).png").path)
            }
        }
    }
}

/// An IDX file: magic `0x08nn` (unsigned bytes, rank nn) and big-endian dimensions, then the bytes.
func idxFile(dims: [Int], payload: Data) -> Data {
    var d = Data([0, 0, 8, UInt8(dims.count)])
    for v in dims { d += [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return d + payload
}

/// Writes the four Fashion-MNIST `.gz` files into `dir`: the first `train` and `test` images of the bundled set,
/// or, with `side`, that many blank `side`×`side` images (a dataset of the wrong size).
func writeFashionMNIST(to dir: URL, train: Int, test: Int, side: Int? = nil) throws {
    let bundled = try #require(BundledData.folder(for: "fashion-mnist", containing: "t10k-images-idx3-ubyte.gz"),
                               "the bundled Data/fashion-mnist is missing")
    for (prefix, n, isTrain) in [("train", train, true), ("t10k", test, false)] {
        let images: Data, labels: [UInt8]
        if let s = side {
            images = Data(count: n * s * s)
            labels = (0..<n).map { UInt8($0 % 10) }
        } else {
            let ds = try FashionMNIST(root: bundled, train: isTrain)
            images = Data(UnsafeBufferPointer(start: ds.data.pointer(as: UInt8.self), count: n * 28 * 28))
            labels = ds.labels.prefix(n).map { UInt8($0) }
        }
        let hw = side ?? 28
        try gzip(idxFile(dims: [n, hw, hw], payload: images)).write(to: dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
        try gzip(idxFile(dims: [n], payload: Data(labels))).write(to: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
    }
}

/// The `ember` executable built next to this test bundle.
func emberExecutable() throws -> URL {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()]
    for dir in candidates {
        let url = dir.appendingPathComponent("ember")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    Issue.record("the ember executable was not found beside the test bundle (\(candidates.map(\.path)))")
    throw CocoaError(.fileNoSuchFile)
}

/// Runs `ember` with `arguments`; returns its exit status, standard error and output. A run that outlives
/// `timeout` seconds is killed (a hang must fail the test, not stop the suite).
func runEmber(_ arguments: [String], timeout: Double = 300) throws -> (status: Int32, stderr: String, stdout: String) {
    let process = Process()
    process.executableURL = try emberExecutable()
    process.arguments = arguments
    let err = Pipe(), out = Pipe()
    process.standardError = err
    process.standardOutput = out
    try process.run()
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem {
        Issue.record("ember \(arguments.joined(separator: " ")) ran longer than \(timeout) s; killed")
        kill(pid, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    defer { watchdog.cancel() }
    // Read both pipes to the end (a full pipe would block the child), then wait.
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    return (process.terminationStatus, String(decoding: errData, as: UTF8.self), String(decoding: outData, as: UTF8.self))
}
