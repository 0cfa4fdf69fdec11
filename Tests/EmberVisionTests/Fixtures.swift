// Test helpers: fixture paths, Pillow's reference pixels, temporary folders.
import Foundation
import Testing
import Ember
import EmberVision
import _EmberTestSupport

let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")

/// Pillow's results for the synthetic images in Tests/Fixtures/images (reference.json).
let pillowReference: [String: Any] = {
    let data = try! Data(contentsOf: fixtures.appendingPathComponent("images/reference.json"))
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
}()

func referencePixels(_ key: String) -> [UInt8] {
    if let d = pillowReference[key] as? [String: Any] { return (d["pixels"] as! [Int]).map { UInt8($0) } }
    return (pillowReference[key] as! [Int]).map { UInt8($0) }
}

func fixtureImage(_ name: String) throws -> Image {
    try Image(contentsOf: fixtures.appendingPathComponent("images/\(name)").path)
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ember-vision-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func stderrText(_ r: ExitTest.Result?) -> String { String(decoding: r?.standardErrorContent ?? [], as: UTF8.self) }

/// Maximum absolute difference between two tensors (same shape).
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}
