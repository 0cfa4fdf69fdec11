// Multi-layer recurrent layers: RNN (tanh/relu), GRU and LSTM, with PyTorch's parameter names, gate order and init.
import Ember

/// The shared machinery of `RNN`, `GRU` and `LSTM` (PyTorch's `RNNBase`): per layer and direction the weights
/// `weight_ih_l{k}[_reverse]` `[G·H, in]`, `weight_hh_l{k}[_reverse]` `[G·H, H]` and, with `bias`, `bias_ih_l{k}`,
/// `bias_hh_l{k}` `[G·H]`, registered in PyTorch's order so `stateDict()` keys and `manualSeed` initialisation
/// match PyTorch's.
///
/// The input projection of a whole sequence is one GEMM per layer and direction; each step then adds the recurrent
/// projection (one GEMM) and applies the gates with a handful of tensor ops. Each layer and direction is one
/// autograd node with a hand-written backpropagation through time (`recurrentSequence`); gradients of any order
/// follow (double backward differentiates the recorded per-step form).
///
/// Shape: as `RNN`, `GRU` and `LSTM`.
public class RecurrentBase: Module {
    public let mode: RecurrentMode
    public let inputSize: Int, hiddenSize: Int, numLayers: Int
    public let bias: Bool, batchFirst: Bool, dropout: Double, bidirectional: Bool
    /// (key, slot) pairs in PyTorch's registration order.
    private var slots: [(String, Parameter<Tensor>)] = []

    init(mode: RecurrentMode, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool,
         dropout: Double, bidirectional: Bool, dtype: DType) {
        let name = mode.name
        emberCheck(hiddenSize > 0, name, "hidden_size must be greater than zero, but got \(hiddenSize)")
        emberCheck(numLayers > 0, name, "num_layers must be greater than zero, but got \(numLayers)")
        emberCheck(dropout >= 0 && dropout <= 1, name, "dropout should be a number in range [0, 1] representing the probability of an element being zeroed, but got \(dropout)")
        self.mode = mode; self.inputSize = inputSize; self.hiddenSize = hiddenSize; self.numLayers = numLayers
        self.bias = bias; self.batchFirst = batchFirst; self.dropout = dropout; self.bidirectional = bidirectional
        super.init()
        let g = mode.gateCount * hiddenSize
        for layer in 0..<numLayers {
            for dir in 0..<(bidirectional ? 2 : 1) {
                let suffix = "_l\(layer)" + (dir == 1 ? "_reverse" : "")
                let layerIn = layer == 0 ? inputSize : hiddenSize * (bidirectional ? 2 : 1)
                slots.append(("weight_ih" + suffix, Parameter(wrappedValue: Tensor.empty([g, layerIn], dtype: dtype))))
                slots.append(("weight_hh" + suffix, Parameter(wrappedValue: Tensor.empty([g, hiddenSize], dtype: dtype))))
                if bias {
                    slots.append(("bias_ih" + suffix, Parameter(wrappedValue: Tensor.empty([g], dtype: dtype))))
                    slots.append(("bias_hh" + suffix, Parameter(wrappedValue: Tensor.empty([g], dtype: dtype))))
                }
            }
        }
        initRecurrentWeights(slots.map { $0.1.wrappedValue }, hiddenSize: hiddenSize)
    }

    override func ownSlots() -> [(String, RegisteredTensorSlot)] { slots.map { ($0.0, $0.1) } }

    /// Runs the layer with its state as a list — `[h]` for RNN and GRU, `[h, c]` for LSTM, `[]` for zeros — so code can
    /// treat the three alike (d2l's `RNNModel`). Returns the output and the final state in the same form.
    ///
    /// ```swift
    /// var state: [Tensor] = []
    /// let (y, next) = rnn(x, state: state); state = next.map { $0.detach() }
    /// ```
    public func callAsFunction(_ input: Tensor, state: [Tensor]) -> (output: Tensor, state: [Tensor]) {
        emberCheck(state.isEmpty || state.count == (mode == .lstm ? 2 : 1), mode.name,
                   "expected a state of \(mode == .lstm ? "2 tensors (h, c)" : "1 tensor (h)"), but got \(state.count)")
        let r = run(input, h0: state.first, c0: state.count > 1 ? state[1] : nil)
        return (r.output, [r.h] + (r.c.map { [$0] } ?? []))
    }

    /// Zero initial states for `batchSize` sequences (`[h]` or `[h, c]`, each `[numLayers·D, batchSize, hiddenSize]`),
    /// like d2l's `begin_state`.
    public func initialState(batchSize: Int, dtype: DType = .float32) -> [Tensor] {
        let shape = [numLayers * (bidirectional ? 2 : 1), batchSize, hiddenSize]
        return (0..<(mode == .lstm ? 2 : 1)).map { _ in Tensor.zeros(shape, dtype: dtype) }
    }

    /// The weights of one layer and direction: `(weightIH, weightHH, biasIH, biasHH)`.
    public func weights(layer: Int, reverse: Bool = false) -> (ih: Tensor, hh: Tensor, biasIH: Tensor?, biasHH: Tensor?) {
        let per = bias ? 4 : 2
        let base = (layer * (bidirectional ? 2 : 1) + (reverse ? 1 : 0)) * per
        let t = slots[base..<(base + per)].map { $0.1.wrappedValue }
        return (t[0], t[1], bias ? t[2] : nil, bias ? t[3] : nil)
    }

    /// Runs the stack. `h0`/`c0` are `[L·D, B, H]` (batched) or `[L·D, H]` (unbatched); nil means zeros.
    /// Returns the output `[T, B, D·H]` (or batch first) and the final states in the same layout as `h0`.
    func run(_ input: Tensor, h0: Tensor?, c0: Tensor?) -> (output: Tensor, h: Tensor, c: Tensor?) {
        let op = mode.name
        let dirs = bidirectional ? 2 : 1
        emberCheck(input.rank == 2 || input.rank == 3, op, "input must have 2 dimensions (unbatched) or 3 dimensions (batched), but got input of size \(shapeString(input.shape))")
        emberCheck(input.dtype.isFloatingPoint, op, "expected a floating point input, but got \(input.dtype)")
        let batched = input.rank == 3
        var x = batched ? (batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1)
        emberCheck(x.shape[2] == inputSize, op, "input.size(-1) must be equal to input_size. Expected \(inputSize), got \(x.shape[2]) (input \(shapeString(input.shape)))")
        let steps = x.shape[0], batch = x.shape[1]
        let stateShape = batched ? [numLayers * dirs, batch, hiddenSize] : [numLayers * dirs, hiddenSize]
        func prepareState(_ s: Tensor?, _ label: String) -> Tensor {
            guard let s = s else { return Tensor.zeros([numLayers * dirs, batch, hiddenSize], dtype: input.dtype) }
            emberCheck(s.shape == stateShape, op, "Expected \(label) size \(shapeString(stateShape)), got \(shapeString(s.shape))")
            return batched ? s : s.unsqueeze(1)
        }
        let hInit = prepareState(h0, "hidden"), cInit = mode == .lstm ? prepareState(c0, "cell state") : nil
        var hLast: [Tensor] = [], cLast: [Tensor] = []
        let gates = mode.gateCount * hiddenSize
        for layer in 0..<numLayers {
            var outs: [Tensor] = []
            let flat = x.reshape([steps * batch, x.shape[2]])
            for dir in 0..<dirs {
                let w = weights(layer: layer, reverse: dir == 1)
                let h0 = hInit.select(0, layer * dirs + dir), c0 = cInit?.select(0, layer * dirs + dir)
                let packed: Tensor
                if let c0, let bih = w.biasIH, let bhh = w.biasHH, lstmSequenceApplies(x, h0, c0, w.ih, w.hh, bih, bhh) {
                    // Float32 LSTM: the node adds both biases to the input projection in one pass.
                    let xGates = F.linear(flat, w.ih).view([steps, batch, gates])
                    packed = lstmSequence(xGates: xGates, h0: h0, c0: c0, weightHH: w.hh, biasHH: bhh, biasIH: bih, reverse: dir == 1)
                } else {
                    // One GEMM for the whole sequence's input projection.
                    let xGates = F.linear(flat, w.ih, bias: w.biasIH).view([steps, batch, gates])
                    packed = recurrentSequence(mode, xGates: xGates, h0: h0, c0: c0, weightHH: w.hh, biasHH: w.biasHH, reverse: dir == 1)
                }
                outs.append(packed.narrow(0, start: 0, length: steps))
                hLast.append(packed.select(0, dir == 0 ? steps - 1 : 0))
                if mode == .lstm { cLast.append(packed.select(0, steps)) }
            }
            x = dirs == 1 ? outs[0] : Tensor.cat(outs, dim: 2)
            if dropout > 0 && training && layer < numLayers - 1 { x = F.dropout(x, p: dropout, training: true) }
        }
        var hN = Tensor.stack(hLast, dim: 0), cN = mode == .lstm ? Tensor.stack(cLast, dim: 0) : nil
        if !batched {
            x = x.squeeze(1); hN = hN.squeeze(1); cN = cN?.squeeze(1)
        } else if batchFirst {
            x = x.transpose(0, 1)
        }
        return (x, hN, cN)
    }

    public override var extraDescription: String {
        var s = "\(inputSize), \(hiddenSize)"
        if numLayers != 1 { s += ", num_layers=\(numLayers)" }
        if mode == .rnnRelu { s += ", nonlinearity=relu" }
        if !bias { s += ", bias=False" }
        if batchFirst { s += ", batch_first=True" }
        if dropout != 0 { s += ", dropout=\(dropout)" }
        if bidirectional { s += ", bidirectional=True" }
        return s
    }
    public override var typeName: String { mode.name }
}

/// A multi-layer Elman RNN, `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)` (or ReLU), matching `nn.RNN`.
///
/// Shape: input `[T, B, inputSize]` (`[B, T, inputSize]` with `batchFirst`, or unbatched `[T, inputSize]`);
/// `h0` `[numLayers·D, B, hiddenSize]` (D = 2 if bidirectional); output `[T, B, D·hiddenSize]`, `hN` like `h0`.
/// Unlike PyTorch, `rnn(x)` (the `Module` call) returns the output only; `rnn(x, h0)` returns `(output, hN)`.
///
/// ```swift
/// let rnn = RNN(28, 256)
/// let (y, h) = rnn(x, nil)          // x [35, 32, 28] -> y [35, 32, 256], h [1, 32, 256]
/// ```
public final class RNN: RecurrentBase {
    public enum Nonlinearity: Sendable { case tanh, relu }
    /// An Elman RNN initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - numLayers: The number of stacked layers.
    ///   - nonlinearity: The activation, `.tanh` or `.relu`.
    ///   - bias: Whether the layer has learnable biases.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - dropout: Dropout on the outputs of every layer but the last (training only).
    ///   - bidirectional: Run a second direction over the reversed sequence and concatenate both outputs.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, nonlinearity: Nonlinearity = .tanh, bias: Bool = true,
                batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }
    /// Runs the RNN from `h0` (zeros when nil); returns the top layer's output at every step and the last hidden states.
    public func callAsFunction(_ input: Tensor, _ h0: Tensor?) -> (output: Tensor, hN: Tensor) {
        let r = run(input, h0: h0, c0: nil)
        return (r.output, r.h)
    }
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil).output }
}

/// A multi-layer gated recurrent unit, matching `nn.GRU`: gates in PyTorch's order r, z, n with
/// `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))` and `h' = (1 − z) ⊙ n + z ⊙ h`.
///
/// Shape: as `RNN`. `gru(x)` returns the output only; `gru(x, h0)` returns `(output, hN)`.
///
/// ```swift
/// let gru = GRU(28, 256)
/// let (y, state) = gru(x, nil)
/// ```
public final class GRU: RecurrentBase {
    /// A GRU initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - numLayers: The number of stacked layers.
    ///   - bias: Whether the layer has learnable biases.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - dropout: Dropout on the outputs of every layer but the last (training only).
    ///   - bidirectional: Run a second direction over the reversed sequence and concatenate both outputs.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(mode: .gru, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }
    /// Runs the GRU from `h0` (zeros when nil); returns the output at every step and the last hidden states.
    public func callAsFunction(_ input: Tensor, _ h0: Tensor?) -> (output: Tensor, hN: Tensor) {
        let r = run(input, h0: h0, c0: nil)
        return (r.output, r.h)
    }
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil).output }
}

/// A multi-layer long short-term memory, matching `nn.LSTM`: gates in PyTorch's order i, f, g, o with
/// `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`. No `proj_size`.
///
/// Shape: as `RNN`, with a cell state `c0`/`cN` shaped like `h0`. `lstm(x)` returns the output only;
/// `lstm(x, (h0, c0))` returns `(output, (h, c))`.
///
/// ```swift
/// let lstm = LSTM(28, 256)
/// let (y, (h, c)) = lstm(x, nil)
/// ```
public final class LSTM: RecurrentBase {
    /// An LSTM initialised as PyTorch's.
    ///
    /// - Parameters:
    ///   - inputSize: The number of features of each input step.
    ///   - hiddenSize: The number of features of the hidden state.
    ///   - numLayers: The number of stacked layers.
    ///   - bias: Whether the layer has learnable biases.
    ///   - batchFirst: Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]`.
    ///   - dropout: Dropout on the outputs of every layer but the last (training only).
    ///   - bidirectional: Run a second direction over the reversed sequence and concatenate both outputs.
    ///   - dtype: The element type of the parameters.
    public init(_ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32) {
        super.init(mode: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias,
                   batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype)
    }
    /// Runs the LSTM from `(h0, c0)` (zeros when nil); returns the output at every step and the last `(h, c)`.
    public func callAsFunction(_ input: Tensor, _ state: (h: Tensor, c: Tensor)?) -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        let r = run(input, h0: state?.h, c0: state?.c)
        return (r.output, (r.h, r.c!))
    }
    public override func forward(_ input: Tensor) -> Tensor { run(input, h0: nil, c0: nil).output }
}
