// ImageTests: PyTorch's image conversion (dataformats, scaling), make_grid, and PNG round trips.

import CEmberImage
import Ember
@testable import EmberBoard
import Foundation
import Testing

@Suite struct ImageTests {
    @Test func floatCHWScalesClipsAndTruncates() {
        // One channel, 2x3: (v * 255).clip(0, 255).astype(uint8), repeated to RGB (PyTorch's convert_to_HWC).
        let image = Tensor([0, 0.5, 1, 1.2, -0.1, 0.999] as [Float], shape: [1, 2, 3])
        let hwc = hwcImage(image, dataFormat: "CHW", op: "test")
        #expect(hwc.height == 2 && hwc.width == 3 && hwc.channels == 3)
        let gray: [UInt8] = [0, 127, 255, 255, 0, 254]
        #expect(hwc.pixels == gray.flatMap { [$0, $0, $0] })
    }

    @Test func uint8HWCIsKeptAsIs() {
        let image = Tensor([10, 20, 30, 40, 50, 60] as [UInt8], shape: [2, 1, 3])
        let hwc = hwcImage(image, dataFormat: "HWC", op: "test")
        #expect(hwc.height == 2 && hwc.width == 1 && hwc.channels == 3)
        #expect(hwc.pixels == [10, 20, 30, 40, 50, 60])
    }

    @Test func rgbCHWIsTransposed() {
        // Channel planes R = [1, 0], G = [0, 1], B = [0.5, 0.5] over a 1x2 image.
        let image = Tensor([1, 0, 0, 1, 0.5, 0.5] as [Float], shape: [3, 1, 2])
        #expect(hwcImage(image, dataFormat: "CHW", op: "test").pixels == [255, 0, 127, 0, 255, 127])
    }

    @Test func grayHWAndRGBA() {
        let gray = hwcImage(Tensor([0.25, 1] as [Double], shape: [1, 2]), dataFormat: "HW", op: "test")
        #expect(gray.pixels == [63, 63, 63, 255, 255, 255] && gray.channels == 3)
        let rgba = hwcImage(Tensor([UInt8](repeating: 9, count: 8), shape: [1, 2, 4]), dataFormat: "HWC", op: "test")
        #expect(rgba.channels == 4 && rgba.pixels == [UInt8](repeating: 9, count: 8))
    }

    @Test func batchBecomesAnUnpaddedGrid() {
        // add_images: three 2x2 gray images filled with 0.25, 0.5, 0.75 side by side (8 per row, no padding).
        let batch = Tensor((0..<3).flatMap { k in [Float](repeating: Float(k + 1) * 0.25, count: 4) }, shape: [3, 1, 2, 2])
        let hwc = hwcImage(batch, dataFormat: "NCHW", op: "test")
        #expect(hwc.height == 2 && hwc.width == 6 && hwc.channels == 3)
        let row: [UInt8] = [63, 63, 127, 127, 191, 191]
        #expect(hwc.pixels == (row + row).flatMap { [$0, $0, $0] })
        let nhwc = hwcImage(batch.permute([0, 2, 3, 1]), dataFormat: "NHWC", op: "test")
        #expect(nhwc.pixels == hwc.pixels)
    }

    @Test func makeGridLikeTorchvision() {
        // Images filled with 1, 2, 3; nrow 2, padding 1 -> 2x2 cells of 3 pixels plus a border: [3, 7, 7].
        let batch = Tensor((0..<3).flatMap { k in [Float](repeating: Float(k + 1), count: 4) }, shape: [3, 1, 2, 2])
        let grid = makeGrid(batch, nrow: 2, padding: 1)
        #expect(grid.shape == [3, 7, 7])
        let g = grid.toArray(as: Float.self)
        func at(_ c: Int, _ y: Int, _ x: Int) -> Float { g[(c * 7 + y) * 7 + x] }
        #expect(at(0, 1, 1) == 1 && at(0, 2, 2) == 1)
        #expect(at(2, 1, 4) == 2 && at(1, 2, 5) == 2)
        #expect(at(1, 4, 1) == 3 && at(0, 5, 2) == 3)
        #expect(at(0, 4, 4) == 0 && at(0, 0, 0) == 0 && at(0, 3, 1) == 0 && at(0, 1, 3) == 0)
        #expect(g.reduce(0, +) == Float(72))   // 3 channels × (4·1 + 4·2 + 4·3)
        // A single image comes back unpadded (torchvision returns it as is).
        #expect(makeGrid(batch.narrow(0, start: 0, length: 1), padding: 2).shape == [3, 2, 2])
    }

    @Test func makeGridNormalizesByTheBatchRange() {
        let batch = Tensor([-1, 3, 1, 1] as [Float], shape: [2, 1, 1, 2])
        let grid = makeGrid(batch, nrow: 2, padding: 0, normalize: true)
        #expect(grid.shape == [3, 1, 4])
        #expect(grid.toArray(as: Float.self).prefix(4) == [0, 1, 0.5, 0.5])
    }

    @Test func pngRoundTripThroughLibpng() {
        let pixels = (0..<(5 * 7 * 4)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        for channels in [3, 4] {
            let image = HWCImage(pixels: Array(pixels.prefix(5 * 7 * channels)), height: 5, width: 7, channels: channels)
            let png = encodePNG(image)
            #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
            var decoded = EmberDecodedImage()
            var error = [CChar](repeating: 0, count: 256)
            #expect(ember_png_decode(png, png.count, &decoded, &error, error.count) == 0)
            #expect(decoded.width == 7 && decoded.height == 5 && Int(decoded.channels) == channels)
            #expect(Array(UnsafeBufferPointer(start: decoded.pixels, count: 5 * 7 * channels)) == image.pixels)
            ember_image_free(&decoded)
        }
    }

    @Test func badDataFormatStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = hwcImage(Tensor.zeros([3, 4, 4]), dataFormat: "HW", op: "add_image")
        }
        if let result {
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self)
                .contains("size of input tensor and input format are different"))
        }
    }
}
