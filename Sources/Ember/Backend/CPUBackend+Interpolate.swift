// The CPU backend's interpolation: nearest and bilinear resampling of NCHW planes, via InterpolateKernels.
import EmberKernels

extension CPUBackend {
    public func interpolate2d(_ input: Tensor, _ layout: InterpolationLayout) -> Tensor {
        let out = input.emptyLike(shape: [input.shape[0], input.shape[1], layout.outHeight, layout.outWidth])
        input.dtype.dispatchFloat("interpolate", Resample(image: input.shape, source: input, destination: out, layout: layout, backward: false))
        return out
    }

    public func interpolate2dBackward(_ gradOutput: Tensor, inputShape: [Int], _ layout: InterpolationLayout) -> Tensor {
        let gx = gradOutput.emptyLike(shape: inputShape)  // zeroed below: the kernels accumulate into it
        gradOutput.dtype.dispatchFloat("interpolate", Resample(image: inputShape, source: gradOutput, destination: gx, layout: layout, backward: true))
        return gx
    }
}

/// Resamples `[N, C, H, W]` (`image`) planes to the layout's grid, or (`backward`) accumulates the grid's
/// gradient back into the image.
private struct Resample: FloatKernelCall {
    let image: [Int], source: Tensor, destination: Tensor, layout: InterpolationLayout, backward: Bool
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let planes = image[0] * image[1], h = image[2], w = image[3], oh = layout.outHeight, ow = layout.outWidth
        let src = source.readPointer(T.self), dst = destination.pointer(as: T.self)
        if backward { dst.update(repeating: 0, count: destination.numel) }
        switch layout.mode {
        case .nearest:
            let rows = InterpolateKernels.nearestIndices(input: h, output: oh, scale: layout.scales[0])
            let cols = InterpolateKernels.nearestIndices(input: w, output: ow, scale: layout.scales[1])
            if backward {
                InterpolateKernels.nearestBackward(src, planes: planes, height: h, width: w, rows: rows, columns: cols, dst)
            } else {
                InterpolateKernels.nearestForward(src, planes: planes, height: h, width: w, rows: rows, columns: cols, dst)
            }
        case .bilinear(let align):
            let sh: T = InterpolateKernels.areaPixelScale(input: h, output: oh, alignCorners: align, scale: layout.scales[0])
            let sw: T = InterpolateKernels.areaPixelScale(input: w, output: ow, alignCorners: align, scale: layout.scales[1])
            if backward {
                InterpolateKernels.bilinearBackward(src, planes: planes, height: h, width: w, outHeight: oh, outWidth: ow,
                                                    scaleH: sh, scaleW: sw, alignCorners: align, dst)
            } else {
                InterpolateKernels.bilinearForward(src, planes: planes, height: h, width: w, outHeight: oh, outWidth: ow,
                                                   scaleH: sh, scaleW: sw, alignCorners: align, dst)
            }
        }
    }
}
