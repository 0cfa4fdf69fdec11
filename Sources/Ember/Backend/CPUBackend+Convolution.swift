// The CPU backend's convolutions: conv2d and conv_transpose2d, forward and gradients, via ConvKernels.
import EmberKernels

extension ConvolutionLayout {
    /// The kernels' geometry of this layout.
    var geometry: ConvGeometry {
        ConvGeometry(channels: channelsPerGroup, height: height, width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                     strideHeight: strideHeight, strideWidth: strideWidth, padTop: padTop, padLeft: padLeft,
                     dilationHeight: dilationHeight, dilationWidth: dilationWidth, outHeight: outHeight, outWidth: outWidth)
    }
}

extension CPUBackend {
    public func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor {
        let out = input.emptyLike(shape: [layout.batch, layout.outChannels, layout.outHeight, layout.outWidth])
        input.dtype.dispatchFloat("conv2d", ConvolutionForward(input: input, weight: weight, bias: bias, output: out, layout: layout))
        return out
    }

    public func convolutionBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout,
                                    needs: GradientNeeds) -> FusedGradients {
        let grads = FusedGradients(input: needs.input ? input.emptyLike(shape: input.shape) : nil,
                                   weight: needs.weight ? input.emptyLike(shape: weight.shape) : nil,
                                   bias: needs.bias ? input.emptyLike(shape: [layout.outChannels]) : nil)
        input.dtype.dispatchFloat("conv2d", ConvolutionGradients(input: input, weight: weight, gradOutput: gradOutput,
                                                                 grads: grads, layout: layout))
        return grads
    }

    public func convolutionTransposed(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor {
        let out = input.emptyLike(shape: [layout.batch, layout.channelsPerGroup * layout.groups, layout.height, layout.width])
        input.dtype.dispatchFloat("conv_transpose2d", TransposedConvolutionForward(input: input, weight: weight, bias: bias,
                                                                                  output: out, layout: layout))
        return out
    }

    public func convolutionTransposedBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout,
                                              needs: GradientNeeds) -> FusedGradients {
        let grads = FusedGradients(input: needs.input ? input.emptyLike(shape: input.shape) : nil,
                                   weight: needs.weight ? input.emptyLike(shape: weight.shape) : nil,
                                   bias: needs.bias ? input.emptyLike(shape: [layout.channelsPerGroup * layout.groups]) : nil)
        input.dtype.dispatchFloat("conv_transpose2d", TransposedConvolutionGradients(input: input, weight: weight, gradOutput: gradOutput,
                                                                                    grads: grads, layout: layout))
        return grads
    }
}

/// `output = conv2d(input, weight) + bias`.
private struct ConvolutionForward: FloatKernelCall {
    let input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, layout: ConvolutionLayout
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        // With gradients on, a backward may follow (the functional layer passes detached tensors, so whether one
        // will is not known here): the forward keeps its gather of the weight's live taps for it.
        let keep = GradMode.isEnabled ? weight.currentVersion : nil
        ConvKernels.forward(input: input.readPointer(T.self), weight: weight.readPointer(T.self), bias: bias?.readPointer(T.self),
                            output: output.pointer(as: T.self), batch: layout.batch, groups: layout.groups,
                            outChannels: layout.outChannels, layout.geometry, keepFor: keep)
    }
}

extension Tensor {
    /// This tensor's version counter and value, for kernels that keep data derived from its values (`LiveWeightsCache`).
    var currentVersion: WeightVersion { WeightVersion(owner: versionBox, value: versionBox.value) }
}

/// The input, weight and bias gradients of `conv2d` that `grads` has buffers for.
private struct ConvolutionGradients: FloatKernelCall {
    let input: Tensor, weight: Tensor, gradOutput: Tensor, grads: FusedGradients, layout: ConvolutionLayout
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let geometry = layout.geometry
        if grads.input != nil || grads.weight != nil {
            ConvKernels.backward(input: input.readPointer(T.self), gradOutput: gradOutput.readPointer(T.self), weight: weight.readPointer(T.self),
                                 gradInput: grads.input?.pointer(as: T.self), gradWeight: grads.weight?.pointer(as: T.self),
                                 batch: layout.batch, groups: layout.groups, outChannels: layout.outChannels, geometry,
                                 weightVersion: weight.currentVersion)
        }
        if let gb = grads.bias {
            ConvKernels.backwardBias(gradOutput: gradOutput.readPointer(T.self), gradBias: gb.pointer(as: T.self),
                                     batch: layout.batch, channels: layout.outChannels, positions: geometry.columnCount)
        }
    }
}

/// `output = conv_transpose2d(input, weight) + bias`: the input gradient of the adjoint convolution.
private struct TransposedConvolutionForward: FloatKernelCall {
    let input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, layout: ConvolutionLayout
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        ConvKernels.backwardInput(gradOutput: input.readPointer(T.self), weight: weight.readPointer(T.self), gradInput: output.pointer(as: T.self),
                                  batch: layout.batch, groups: layout.groups, outChannels: layout.outChannels, layout.geometry)
        guard let bias else { return }
        let po = output.pointer(as: T.self), pb = bias.readPointer(T.self)
        let channels = layout.channelsPerGroup * layout.groups, plane = layout.height * layout.width
        for i in 0..<layout.batch { for c in 0..<channels {
            let row = po + (i * channels + c) * plane, v = pb[c]
            for j in 0..<plane { row[j] += v }
        } }
    }
}

/// The gradients of `conv_transpose2d`: the input's is the forward convolution of the output gradient, the
/// weight's the adjoint convolution's weight gradient with the roles of image and output swapped.
private struct TransposedConvolutionGradients: FloatKernelCall {
    let input: Tensor, weight: Tensor, gradOutput: Tensor, grads: FusedGradients, layout: ConvolutionLayout
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let geometry = layout.geometry
        if let gx = grads.input {
            ConvKernels.forward(input: gradOutput.readPointer(T.self), weight: weight.readPointer(T.self), bias: nil, output: gx.pointer(as: T.self),
                                batch: layout.batch, groups: layout.groups, outChannels: layout.outChannels, geometry)
        }
        if let gw = grads.weight {
            ConvKernels.backwardWeight(input: gradOutput.readPointer(T.self), gradOutput: input.readPointer(T.self), gradWeight: gw.pointer(as: T.self),
                                       batch: layout.batch, groups: layout.groups, outChannels: layout.outChannels, geometry)
        }
        if let gb = grads.bias {
            ConvKernels.backwardBias(gradOutput: gradOutput.readPointer(T.self), gradBias: gb.pointer(as: T.self), batch: layout.batch,
                                     channels: layout.channelsPerGroup * layout.groups, positions: layout.height * layout.width)
        }
    }
}
