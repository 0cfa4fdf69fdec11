// The CPU backend's pooling: max/avg pooling and adaptive pooling, forward and backward, via PoolingKernels.
import EmberKernels

extension PoolLayout {
    /// The kernels' geometry of this layout.
    var geometry: PoolGeometry {
        PoolGeometry(height: height, width: width, outHeight: outHeight, outWidth: outWidth, kernelHeight: kernelHeight,
                     kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth, padHeight: padHeight,
                     padWidth: padWidth, dilationHeight: dilationHeight, dilationWidth: dilationWidth)
    }
}

extension CPUBackend {
    public func maxPool2d(_ input: Tensor, _ layout: PoolLayout, withIndices: Bool) -> (output: Tensor, indices: Tensor?) {
        let shape = [layout.batch, layout.channels, layout.outHeight, layout.outWidth]
        let out = input.emptyLike(shape: shape)
        // Without indices (inference), the cheaper values-only kernel runs, as PyTorch's does under no_grad.
        let indices = withIndices ? input.emptyLike(shape: shape, dtype: .int64) : nil
        input.dtype.dispatchFloat("max_pool2d", MaxPoolForward(input: input, output: out, indices: indices, layout: layout))
        return (out, indices)
    }

    public func maxPool2dBackward(_ gradOutput: Tensor, indices: Tensor, inputShape: [Int]) -> Tensor {
        let gx = gradOutput.emptyLike(shape: inputShape)  // the kernel overwrites it
        gradOutput.dtype.dispatchFloat("max_pool2d", MaxPoolBackward(gradOutput: gradOutput, indices: indices, gradInput: gx))
        return gx
    }

    public func maxPool2dDoubleBackward(_ source: Tensor, indices: Tensor, outputShape: [Int]) -> Tensor {
        let out = source.emptyLike(shape: outputShape)
        source.dtype.dispatchFloat("max_pool2d", PlaneGather(source: source, indices: indices, output: out))
        return out
    }

    public func avgPool2d(_ input: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor {
        let out = input.emptyLike(shape: [layout.batch, layout.channels, layout.outHeight, layout.outWidth])
        input.dtype.dispatchFloat("avg_pool2d", AvgPool(source: input, destination: out, layout: layout, options: options, backward: false))
        return out
    }

    public func avgPool2dBackward(_ gradOutput: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor {
        let gx = gradOutput.emptyLike(shape: [layout.batch, layout.channels, layout.height, layout.width])  // the kernel overwrites it
        gradOutput.dtype.dispatchFloat("avg_pool2d", AvgPool(source: gradOutput, destination: gx, layout: layout, options: options, backward: true))
        return gx
    }

    public func adaptiveAvgPool2d(_ input: Tensor, outputSize: [Int]) -> Tensor {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let out = input.emptyLike(shape: [n, c, outputSize[0], outputSize[1]])
        if outputSize == [1, 1] {
            // Global average pooling: one mean per plane (the common ResNet case), already contiguous.
            noGrad { _ = out.view([n * c]).copy_(input.view([n * c, h * w]).mean(dim: 1)) }
        } else {
            input.dtype.dispatchFloat("adaptive_avg_pool2d", AdaptiveAvgPool(source: input, destination: out, backward: false))
        }
        return out
    }

    public func adaptiveAvgPool2dBackward(_ gradOutput: Tensor, inputShape: [Int]) -> Tensor {
        let gx = gradOutput.emptyLike(shape: inputShape)  // the kernel overwrites it
        gradOutput.dtype.dispatchFloat("adaptive_avg_pool2d", AdaptiveAvgPool(source: gradOutput, destination: gx, backward: true))
        return gx
    }

    public func adaptiveMaxPool2d(_ input: Tensor, outputSize: [Int]) -> (output: Tensor, indices: Tensor) {
        let shape = [input.shape[0], input.shape[1], outputSize[0], outputSize[1]]
        let out = input.emptyLike(shape: shape), indices = input.emptyLike(shape: shape, dtype: .int64)
        input.dtype.dispatchFloat("adaptive_max_pool2d", AdaptiveMaxPool(input: input, output: out, indices: indices))
        return (out, indices)
    }
}

/// Max pooling, with the argmax indices when `indices` is given.
private struct MaxPoolForward: FloatKernelCall {
    let input: Tensor, output: Tensor, indices: Tensor?, layout: PoolLayout
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        if let indices {
            PoolingKernels.maxPoolForward(input.readPointer(T.self), planes: layout.planes, layout.geometry, output.pointer(as: T.self),
                                          indices.pointer(as: Int64.self))
        } else {
            PoolingKernels.maxPoolValues(input.readPointer(T.self), planes: layout.planes, layout.geometry, output.pointer(as: T.self))
        }
    }
}

/// Routes each output gradient to the input position that won.
private struct MaxPoolBackward: FloatKernelCall {
    let gradOutput: Tensor, indices: Tensor, gradInput: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let shape = gradInput.shape
        let planes = shape[0] * shape[1], inPlane = shape[2] * shape[3], outPlane = gradOutput.numel / Swift.max(planes, 1)
        PoolingKernels.maxPoolBackward(gradOutput.readPointer(T.self), indices.readPointer(Int64.self), planes: planes,
                                       inputPlane: inPlane, outputPlane: outPlane, gradInput.pointer(as: T.self))
    }
}

/// `output[n, c].flat[i] = source[n, c].flat[indices[n, c, i]]` (only run as a second derivative: a plain loop).
private struct PlaneGather: FloatKernelCall {
    let source: Tensor, indices: Tensor, output: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let shape = output.shape
        let planes = shape[0] * shape[1], outPlane = shape[2] * shape[3]
        let inPlane = source.numel / Swift.max(planes, 1)
        let s = source.readPointer(T.self), d = output.pointer(as: T.self), ip = indices.readPointer(Int64.self)
        for p in 0..<planes { for i in 0..<outPlane { d[p * outPlane + i] = s[p * inPlane + Int(ip[p * outPlane + i])] } }
    }
}

/// Average pooling forward, or its backward (`backward`: `source` is the output gradient).
private struct AvgPool: FloatKernelCall {
    let source: Tensor, destination: Tensor, layout: PoolLayout, options: AvgPoolOptions, backward: Bool
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        if backward {
            PoolingKernels.avgPoolBackward(source.readPointer(T.self), planes: layout.planes, layout.geometry, countIncludePad: options.countIncludePad,
                                           divisorOverride: options.divisorOverride, destination.pointer(as: T.self))
        } else {
            PoolingKernels.avgPoolForward(source.readPointer(T.self), planes: layout.planes, layout.geometry, countIncludePad: options.countIncludePad,
                                          divisorOverride: options.divisorOverride, destination.pointer(as: T.self))
        }
    }
}

/// Adaptive average pooling forward, or its backward (`backward`: `source` is the output gradient).
private struct AdaptiveAvgPool: FloatKernelCall {
    let source: Tensor, destination: Tensor, backward: Bool
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let (image, grid) = backward ? (destination.shape, source.shape) : (source.shape, destination.shape)
        let planes = image[0] * image[1]
        if backward {
            PoolingKernels.adaptiveAvgBackward(source.readPointer(T.self), planes: planes, height: image[2], width: image[3],
                                               outHeight: grid[2], outWidth: grid[3], destination.pointer(as: T.self))
        } else {
            PoolingKernels.adaptiveAvgForward(source.readPointer(T.self), planes: planes, height: image[2], width: image[3],
                                              outHeight: grid[2], outWidth: grid[3], destination.pointer(as: T.self))
        }
    }
}

/// Adaptive max pooling with argmax indices.
private struct AdaptiveMaxPool: FloatKernelCall {
    let input: Tensor, output: Tensor, indices: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let s = input.shape
        PoolingKernels.adaptiveMaxForward(input.readPointer(T.self), planes: s[0] * s[1], height: s[2], width: s[3],
                                          outHeight: output.shape[2], outWidth: output.shape[3], output.pointer(as: T.self),
                                          indices.pointer(as: Int64.self))
    }
}
