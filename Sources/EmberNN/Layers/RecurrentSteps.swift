// The one-step updates shared by the recurrent layers and cells, in PyTorch's gate order and op order.
import Ember

/// The kind of recurrence: PyTorch's `RNN_TANH`, `RNN_RELU`, `GRU` and `LSTM` modes.
public enum RecurrentMode: Sendable, Equatable {
    case rnnTanh, rnnRelu, gru, lstm

    /// How many gate blocks of `hiddenSize` rows the weights stack (1, 3 for GRU's r,z,n, 4 for LSTM's i,f,g,o).
    public var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnRelu: return 1
        case .gru: return 3
        case .lstm: return 4
        }
    }
    var name: String {
        switch self {
        case .rnnTanh, .rnnRelu: return "RNN"
        case .gru: return "GRU"
        case .lstm: return "LSTM"
        }
    }
}

/// One recurrent step given the input's projection `xGates = x·W_ihᵀ + b_ih` (`[B, G·H]`, precomputed for the
/// whole sequence by one GEMM) and the previous state. Returns the new hidden state and, for LSTM, the new cell.
///
/// The formulas and their op order follow ATen's `SimpleCell`/`GRUCell`/`LSTMCell` (`aten/src/ATen/native/RNN.cpp`):
/// GRU `n = tanh(x_n + r ⊙ (W_hn h + b_hn))`, `h' = (h − n) ⊙ z + n`; LSTM `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`.
func recurrentStep(_ mode: RecurrentMode, xGates: Tensor, h: Tensor, c: Tensor?, weightHH: Tensor, biasHH: Tensor?) -> (h: Tensor, c: Tensor?) {
    let hGates = F.linear(h, weightHH, bias: biasHH)
    let hidden = h.shape[h.rank - 1]
    switch mode {
    case .rnnTanh: return ((hGates + xGates).tanh(), nil)
    case .rnnRelu: return ((hGates + xGates).relu(), nil)
    case .gru:
        // r and z in one sigmoid over the first 2H columns.
        let rz = (hGates.narrow(-1, start: 0, length: 2 * hidden) + xGates.narrow(-1, start: 0, length: 2 * hidden)).sigmoid()
        let r = rz.narrow(-1, start: 0, length: hidden), z = rz.narrow(-1, start: hidden, length: hidden)
        let n = (xGates.narrow(-1, start: 2 * hidden, length: hidden) + hGates.narrow(-1, start: 2 * hidden, length: hidden) * r).tanh()
        return ((h - n) * z + n, nil)
    case .lstm:
        let gates = hGates + xGates
        // i, f and o through sigmoid, g through tanh.
        let s = gates.sigmoid()
        let i = s.narrow(-1, start: 0, length: hidden), f = s.narrow(-1, start: hidden, length: hidden)
        let o = s.narrow(-1, start: 3 * hidden, length: hidden)
        let g = gates.narrow(-1, start: 2 * hidden, length: hidden).tanh()
        let cNew = f * c! + i * g
        return (o * cNew.tanh(), cNew)
    }
}

/// PyTorch's default initialisation of recurrent weights: every tensor uniform in `±1/√hiddenSize`, in order.
func initRecurrentWeights(_ tensors: [Tensor], hiddenSize: Int) {
    let bound = 1 / Double(hiddenSize).squareRoot()
    for t in tensors { Init.uniform_(t, a: -bound, b: bound) }
}
