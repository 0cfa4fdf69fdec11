// Tests for PNG/JPEG decoding (against Pillow's pixels), PNG encoding, gzip, and errors naming the file.
import Testing
import Foundation
import Ember
import EmberData
import EmberVision
import _EmberTestSupport

@Suite struct ImageCodecTests {
    @Test(arguments: ["pattern.png", "pattern.jpg", "pattern_progressive.jpg", "pattern_gray.jpg", "pattern_palette.png", "pattern_gray16.png"])
    func decodesLikePillow(name: String) throws {
        let ref = pillowReference[name] as! [String: Any]
        let img = try fixtureImage(name)
        #expect(img.width == 17 && img.height == 12)
        #expect(img.mode == ((ref["mode"] as! String) == "L" ? .gray : .rgb))
        // Same libjpeg-turbo decoder family as Pillow: exact pixels.
        #expect(img.pixels == referencePixels(name))
    }

    @Test func pngRoundTripAllModes() throws {
        for c in 1...4 {
            let px = (0..<(5 * 3 * c)).map { UInt8(($0 * 37 + c) % 256) }
            let img = Image(width: 5, height: 3, channels: c, pixels: px)
            let back = try Image.decode(try img.pngData())
            #expect(back == img)
        }
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("x.png").path
        let img = try fixtureImage("pattern.png")
        try img.writePNG(to: path)
        #expect(try Image(contentsOf: path) == img)
    }

    @Test func grayConversionMatchesPillow() throws {
        #expect(try fixtureImage("pattern.png").converted(to: .gray).pixels == referencePixels("pattern_L"))
        let g = Image(width: 1, height: 1, channels: 1, pixels: [77])
        #expect(g.converted(to: .rgba).pixels == [77, 77, 77, 255])
    }

    @Test func corruptFilesThrowWithTheFileName() throws {
        let dir = try temporaryFolder()
        for name in ["pattern.png", "pattern.jpg"] {
            let data = try Data(contentsOf: fixtures.appendingPathComponent("images/\(name)"))
            let path = dir.appendingPathComponent("truncated-" + name).path
            try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: path))
            do {
                _ = try Image(contentsOf: path)
                Issue.record("truncated \(name) decoded")
            } catch let e as DataError {
                guard case .corruptFile(let p, _) = e else { Issue.record("wrong error \(e)"); continue }
                #expect(p == path)
                #expect("\(e)".hasPrefix(path + ": "))
            }
        }
        let junk = dir.appendingPathComponent("junk.jpg").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(throws: DataError.corruptFile(path: junk, reason: "cannot identify image file (not a PNG or JPEG)")) { try Image(contentsOf: junk) }
        let missing = dir.appendingPathComponent("nope.png").path
        #expect(throws: DataError.missingFiles(path: dir.path, expected: ["nope.png"])) { try Image(contentsOf: missing) }
    }

    @Test func gunzipDecodesAndRejectsDamage() throws {
        let gz = try Data(contentsOf: fixtures.appendingPathComponent("data/fashion-mnist-mini/t10k-labels-idx1-ubyte.gz"))
        let raw = try gunzip(gz)
        #expect([UInt8](raw) == [0, 0, 8, 1, 0, 0, 0, 16, 9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1])
        // Two members concatenated decode to both payloads (`cat a.gz b.gz`).
        #expect(try gunzip(gz + gz) == raw + raw)
        #expect(throws: DataError.self) { try gunzip(gz.prefix(gz.count - 12), name: "t.gz") }
        var bad = gz; bad[12] ^= 0xFF
        #expect(throws: DataError.self) { try gunzip(bad, name: "t.gz") }
    }
}
