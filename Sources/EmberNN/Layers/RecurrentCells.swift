// Single-step recurrent cells: RNNCell, GRUCell and LSTMCell (`nn.RNNCell`, `nn.GRUCell`, `nn.LSTMCell`).
import Ember

/// The shared parameters of the cells: `weight_ih` `[G·H, inputSize]`, `weight_hh` `[G·H, H]`, `bias_ih`, `bias_hh`
/// `[G·H]`, initialised uniform in `±1/√hiddenSize` in that order, as PyTorch's `RNNCellBase`.
///
/// Shape: as `RNNCell`, `GRUCell` and `LSTMCell`.
public class RecurrentCellBase: Module {
    public let mode: RecurrentMode
    public let inputSize: Int, hiddenSize: Int
    @Parameter public var weightIh: Tensor
    @Parameter public var weightHh: Tensor
    @Parameter public var biasIh: Tensor?
    @Parameter public var biasHh: Tensor?

    init(mode: RecurrentMode, inputSize: Int, hiddenSize: Int, bias: Bool, dtype: DType) {
        self.mode = mode; self.inputSize = inputSize; self.hiddenSize = hiddenSize
        let g = mode.gateCount * hiddenSize
        weightIh = Tensor.empty([g, inputSize], dtype: dtype)
        weightHh = Tensor.empty([g, hiddenSize], dtype: dtype)
        biasIh = bias ? Tensor.empty([g], dtype: dtype) : nil
        biasHh = bias ? Tensor.empty([g], dtype: dtype) : nil
        super.init()
        initRecurrentWeights([weightIh, weightHh] + [biasIh, biasHh].compactMap { $0 }, hiddenSize: hiddenSize)
    }

    /// One step: checks shapes, adds a batch dimension to unbatched inputs, and applies the cell's update.
    func step(_ input: Tensor, h: Tensor?, c: Tensor?) -> (h: Tensor, c: Tensor?) {
        let op = typeName
        emberCheck(input.rank == 1 || input.rank == 2, op, "Expected input to be 1D or 2D, got \(input.rank)D instead (input \(shapeString(input.shape)))")
        emberCheck(input.shape[input.rank - 1] == inputSize, op, "input has inconsistent input_size: got \(input.shape[input.rank - 1]) expected \(inputSize) (input \(shapeString(input.shape)))")
        let batched = input.rank == 2
        let x = batched ? input : input.unsqueeze(0)
        func state(_ s: Tensor?, _ label: String) -> Tensor {
            guard let s = s else { return Tensor.zeros([x.shape[0], hiddenSize], dtype: input.dtype) }
            let expected = batched ? [x.shape[0], hiddenSize] : [hiddenSize]
            emberCheck(s.shape == expected, op, "Expected \(label) size \(shapeString(expected)), got \(shapeString(s.shape))")
            return batched ? s : s.unsqueeze(0)
        }
        let h0 = state(h, "hidden"), c0 = mode == .lstm ? state(c, "cell state") : nil
        let r = recurrentStep(mode, xGates: F.linear(x, weightIh, bias: biasIh), h: h0, c: c0, weightHH: weightHh, biasHH: biasHh)
        return batched ? r : (r.h.squeeze(0), r.c?.squeeze(0))
    }
    public override var extraDescription: String {
        "\(inputSize), \(hiddenSize)" + (biasIh == nil ? ", bias=False" : "") + (mode == .rnnRelu ? ", nonlinearity=relu" : "")
    }
}

/// One Elman RNN step, `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)` (or ReLU), matching `nn.RNNCell`.
///
/// Shape: input `[B, inputSize]` (or `[inputSize]`), `h` `[B, hiddenSize]` → `[B, hiddenSize]`.
///
/// ```swift
/// let cell = RNNCell(4, 6)
/// let h1 = cell(x0, nil), h2 = cell(x1, h1)
/// ```
public final class RNNCell: RecurrentCellBase {
    /// One RNN step initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - bias: Whether the layer has learnable biases.
    ///   - nonlinearity: The activation, `.tanh` or `.relu`.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, nonlinearity: RNN.Nonlinearity = .tanh, dtype: DType = .float32) {
        super.init(mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next hidden state from `h` (zeros when nil).
    public func callAsFunction(_ input: Tensor, _ h: Tensor?) -> Tensor { step(input, h: h, c: nil).h }
    public override func forward(_ input: Tensor) -> Tensor { step(input, h: nil, c: nil).h }
}

/// One GRU step (gates r, z, n as in `GRU`), matching `nn.GRUCell`.
///
/// Shape: input `[B, inputSize]` (or `[inputSize]`), `h` `[B, hiddenSize]` → `[B, hiddenSize]`.
///
/// ```swift
/// let cell = GRUCell(4, 6)
/// let h = cell(x, h)
/// ```
public final class GRUCell: RecurrentCellBase {
    /// One GRU step initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - bias: Whether the layer has learnable biases.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next hidden state from `h` (zeros when nil).
    public func callAsFunction(_ input: Tensor, _ h: Tensor?) -> Tensor { step(input, h: h, c: nil).h }
    public override func forward(_ input: Tensor) -> Tensor { step(input, h: nil, c: nil).h }
}

/// One LSTM step (gates i, f, g, o as in `LSTM`), matching `nn.LSTMCell`.
///
/// Shape: input `[B, inputSize]` (or `[inputSize]`), `h` and `c` `[B, hiddenSize]` → `(h', c')` of the same shape.
/// `cell(x)` (the `Module` call) returns `h'` only.
///
/// ```swift
/// let cell = LSTMCell(4, 6)
/// let (h, c) = cell(x, nil)
/// ```
public final class LSTMCell: RecurrentCellBase {
    /// One LSTM step initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - bias: Whether the layer has learnable biases.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, dtype: dtype)
    }
    /// The next `(h, c)` from `state` (zeros when nil).
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)?) -> (h: Tensor, c: Tensor) {
        let r = step(input, h: state?.h, c: state?.c)
        return (r.h, r.c!)
    }
    public override func forward(_ input: Tensor) -> Tensor { step(input, h: nil, c: nil).h }
}
