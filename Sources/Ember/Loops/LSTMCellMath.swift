// The LSTM cell's gate math for one step of the fused recurrent node, forward and backward: one vectorized pass per
// step in float32 (EmberKernels' `lstmCell`), the same formulas in Tensor ops for other dtypes.
import EmberKernels

/// One LSTM step's results: the new hidden and cell states, `tanh` of the cell, and (when kept for a backward)
/// the gate values `[i f g o]` and their derivatives `[i(1−i), f(1−f), 1−g², o(1−o)]`, each `[B, 4H]`.
public struct LSTMStepValues {
    /// The new hidden state `o ⊙ tanh(c')`, `[B, H]`.
    public let h: Tensor
    /// The new cell state `f ⊙ c + i ⊙ g`, `[B, H]`.
    public let c: Tensor
    /// `tanh(c')`, `[B, H]`.
    public let tanhC: Tensor
    /// The gate values `[i f g o]`, `[B, 4H]` (nil unless kept).
    public let acts: Tensor?
    /// The gate derivatives `[i(1−i), f(1−f), 1−g², o(1−o)]`, `[B, 4H]` (nil unless kept).
    public let deriv: Tensor?

    /// The values, or (for `LSTMCellMath.forward(pre:c:into:)`) the tensors a step writes them into.
    public init(h: Tensor, c: Tensor, tanhC: Tensor, acts: Tensor?, deriv: Tensor?) {
        self.h = h; self.c = c; self.tanhC = tanhC; self.acts = acts; self.deriv = deriv
    }
}

/// The gate math of one LSTM step (PyTorch's gate order i, f, g, o; ATen's `LSTMCell` formulas
/// `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`), without autograd: the recurrent node calls it under `noGrad` and
/// writes its own backward with `backward`. Float32 takes one fused pass whose roundings equal the Tensor ops'.
public enum LSTMCellMath {
    /// One step from the pre-activations `pre` (`[B, 4H]`: input and recurrent projections plus biases) and the
    /// cell `c` (`[B, H]`); with `keep`, also the gate values and derivatives the backward needs.
    ///
    /// - Parameters:
    ///   - pre: The gates' pre-activations, `[B, 4H]` in the order i, f, g, o.
    ///   - c: The previous cell state, `[B, H]`.
    ///   - keep: Also return the gate values and derivatives (for `backward`).
    public static func forward(pre: Tensor, c: Tensor, keep: Bool) -> LSTMStepValues {
        emberCheck(c.rank == 2 && pre.shape == [c.shape[0], 4 * c.shape[1]], "lstm_cell",
                   "expected pre-activations [B, 4H] and cell [B, H], got \(shapeString(pre.shape)) and \(shapeString(c.shape))")
        let rows = pre.shape[0], hidden = c.shape[1]
        guard pre.dtype == .float32 && c.dtype == .float32 else { return composedForward(pre: pre, c: c, keep: keep) }
        let p = pre.contiguous(), cc = c.contiguous()
        let cNew = Tensor(empty: [rows, hidden], dtype: .float32), tanhC = Tensor(empty: [rows, hidden], dtype: .float32)
        let h = Tensor(empty: [rows, hidden], dtype: .float32)
        let acts = keep ? Tensor(empty: [rows, 4 * hidden], dtype: .float32) : nil
        let deriv = keep ? Tensor(empty: [rows, 4 * hidden], dtype: .float32) : nil
        VectorMath.lstmCell(pre: p.pointer(as: Float.self), c: cc.pointer(as: Float.self), rows: rows, hidden: hidden,
                            acts: acts?.pointer(as: Float.self), deriv: deriv?.pointer(as: Float.self),
                            cNew: cNew.pointer(as: Float.self), tanhC: tanhC.pointer(as: Float.self), h: h.pointer(as: Float.self))
        return LSTMStepValues(h: h, c: cNew, tanhC: tanhC, acts: acts, deriv: deriv)
    }

    /// The step's backward from the gradients of its outputs `dh` and `dc` (`[B, H]`), given what `forward` kept
    /// and the previous cell `cPrev`: the gradient of `pre` (`[B, 4H]`) and of `cPrev`.
    ///
    /// - Parameters:
    ///   - dh: The gradient of the step's hidden state, `[B, H]`.
    ///   - dc: The gradient of the step's cell state, `[B, H]`.
    ///   - acts: The gate values `forward` kept, `[B, 4H]`.
    ///   - deriv: The gate derivatives `forward` kept, `[B, 4H]`.
    ///   - tanhC: `tanh` of the step's cell state, `[B, H]`.
    ///   - cPrev: The cell state the step started from, `[B, H]`.
    public static func backward(dh: Tensor, dc: Tensor, acts: Tensor, deriv: Tensor, tanhC: Tensor, cPrev: Tensor) -> (dPre: Tensor, dcPrev: Tensor) {
        emberCheck(dh.rank == 2, "lstm_cell_backward", "expected dh of shape [B, H], got \(shapeString(dh.shape))")
        let rows = dh.shape[0], hidden = dh.shape[1]
        let all = [dh, dc, acts, deriv, tanhC, cPrev]
        let expected = [[rows, hidden], [rows, hidden], [rows, 4 * hidden], [rows, 4 * hidden], [rows, hidden], [rows, hidden]]
        emberCheck(zip(all, expected).allSatisfy { $0.shape == $1 }, "lstm_cell_backward",
                   "expected dh, dc, tanhC, cPrev of shape [B, H] and acts, deriv of [B, 4H] with B = \(rows), H = \(hidden), got "
                   + all.map { shapeString($0.shape) }.joined(separator: ", "))
        guard all.allSatisfy({ $0.dtype == .float32 }) else {
            return composedBackward(dh: dh, dc: dc, acts: acts, deriv: deriv, tanhC: tanhC, cPrev: cPrev)
        }
        let c = all.map { $0.contiguous() }
        let dPre = Tensor(empty: [rows, 4 * hidden], dtype: .float32), dcPrev = Tensor(empty: [rows, hidden], dtype: .float32)
        VectorMath.lstmCellBackward(dh: c[0].pointer(as: Float.self), dc: c[1].pointer(as: Float.self), acts: c[2].pointer(as: Float.self),
                                    deriv: c[3].pointer(as: Float.self), tanhC: c[4].pointer(as: Float.self), cPrev: c[5].pointer(as: Float.self),
                                    rows: rows, hidden: hidden, dPre: dPre.pointer(as: Float.self), dcPrev: dcPrev.pointer(as: Float.self))
        return (dPre, dcPrev)
    }

    /// One float32 step writing into `out`'s tensors (contiguous float32, shaped as `forward` returns them; `deriv`
    /// only with `acts`): the recurrent node's form, which keeps every step's values in slices of whole-sequence
    /// buffers instead of allocating them per step (and keeps only the gates: `backward(…, deriv: nil, …)`
    /// recomputes their derivatives bit for bit). `pre` and `c` must be contiguous float32.
    ///
    /// - Parameters:
    ///   - pre: The gates' pre-activations, `[B, 4H]` in the order i, f, g, o.
    ///   - c: The previous cell state, `[B, H]`.
    ///   - out: Where the step's values go.
    public static func forward(pre: Tensor, c: Tensor, into out: LSTMStepValues) {
        let rows = c.shape[0], hidden = c.shape[1]
        let hShaped = [out.h, out.c, out.tanhC, c], gShaped = [pre] + [out.acts, out.deriv].compactMap { $0 }
        emberCheck(hShaped.allSatisfy { $0.shape == [rows, hidden] } && gShaped.allSatisfy { $0.shape == [rows, 4 * hidden] }
                   && (out.deriv == nil || out.acts != nil)
                   && (hShaped + gShaped).allSatisfy { $0.dtype == .float32 && $0.isContiguous }, "lstm_cell",
                   "expected contiguous float32 pre-activations and gate buffers [B, 4H] and states [B, H], got "
                   + (gShaped + hShaped).map { shapeString($0.shape) }.joined(separator: ", "))
        VectorMath.lstmCell(pre: pre.pointer(as: Float.self), c: c.pointer(as: Float.self), rows: rows, hidden: hidden,
                            acts: out.acts?.pointer(as: Float.self), deriv: out.deriv?.pointer(as: Float.self),
                            cNew: out.c.pointer(as: Float.self), tanhC: out.tanhC.pointer(as: Float.self),
                            h: out.h.pointer(as: Float.self))
    }

    /// The float32 step backward writing `dPre` and `dcPrev` into given contiguous tensors, with the gradient of
    /// the hidden state given as `dh + dhAdd` (one float32 add, as `(dh + dhAdd)` in Tensor ops; `dhAdd` nil for
    /// none). Every tensor must be contiguous float32, shaped as in `backward`.
    ///
    /// - Parameters:
    ///   - dh: The gradient of the step's hidden state through the recurrence, `[B, H]`.
    ///   - dhAdd: The gradient of the step's hidden state as an output, `[B, H]`, or nil.
    ///   - dc: The gradient of the step's cell state, `[B, H]`.
    ///   - acts: The gate values, `[B, 4H]`.
    ///   - deriv: The gate derivatives, `[B, 4H]`, or nil to compute them from `acts` (the same values).
    ///   - tanhC: `tanh` of the step's cell state, `[B, H]`.
    ///   - cPrev: The cell state the step started from, `[B, H]`.
    ///   - dPre: The gradient of the pre-activations (written), `[B, 4H]`.
    ///   - dcPrev: The gradient of `cPrev` (written), `[B, H]`.
    public static func backward(dh: Tensor, dhAdd: Tensor?, dc: Tensor, acts: Tensor, deriv: Tensor?, tanhC: Tensor, cPrev: Tensor,
                                into dPre: Tensor, dcPrev: Tensor) {
        let rows = dh.shape[0], hidden = dh.shape[1]
        let states = [dh, dc, tanhC, cPrev, dcPrev] + (dhAdd.map { [$0] } ?? []), gates = [acts, dPre] + (deriv.map { [$0] } ?? [])
        emberCheck(dh.rank == 2 && states.allSatisfy { $0.shape == [rows, hidden] } && gates.allSatisfy { $0.shape == [rows, 4 * hidden] }
                   && (states + gates).allSatisfy { $0.dtype == .float32 && $0.isContiguous }, "lstm_cell_backward",
                   "expected contiguous float32 states [B, H] and gate tensors [B, 4H], got "
                   + (states + gates).map { shapeString($0.shape) }.joined(separator: ", "))
        VectorMath.lstmCellBackward(dh: dh.pointer(as: Float.self), dhAdd: dhAdd?.pointer(as: Float.self), dc: dc.pointer(as: Float.self),
                                    acts: acts.pointer(as: Float.self), deriv: deriv?.pointer(as: Float.self),
                                    tanhC: tanhC.pointer(as: Float.self), cPrev: cPrev.pointer(as: Float.self), rows: rows, hidden: hidden,
                                    dPre: dPre.pointer(as: Float.self), dcPrev: dcPrev.pointer(as: Float.self))
    }

    static func composedForward(pre: Tensor, c: Tensor, keep: Bool) -> LSTMStepValues {
        let hidden = c.shape[1]
        let sg = pre.sigmoid()
        let g = pre.narrow(1, start: 2 * hidden, length: hidden).tanh()
        let i = sg.narrow(1, start: 0, length: hidden), f = sg.narrow(1, start: hidden, length: hidden)
        let o = sg.narrow(1, start: 3 * hidden, length: hidden)
        let cNew = f * c + i * g
        let tc = cNew.tanh()
        let h = o * tc
        guard keep else { return LSTMStepValues(h: h, c: cNew, tanhC: tc, acts: nil, deriv: nil) }
        // g in its slot, and σ' = s(1 − s), tanh' = 1 − g², so the backward multiplies the whole block once.
        _ = sg.narrow(1, start: 2 * hidden, length: hidden).copy_(g)
        let deriv = sg * (1 - sg)
        _ = deriv.narrow(1, start: 2 * hidden, length: hidden).copy_(1 - g * g)
        return LSTMStepValues(h: h, c: cNew, tanhC: tc, acts: sg, deriv: deriv)
    }

    static func composedBackward(dh: Tensor, dc: Tensor, acts: Tensor, deriv: Tensor, tanhC: Tensor, cPrev: Tensor) -> (dPre: Tensor, dcPrev: Tensor) {
        let hidden = dh.shape[1]
        let i = acts.narrow(1, start: 0, length: hidden), f = acts.narrow(1, start: hidden, length: hidden)
        let g = acts.narrow(1, start: 2 * hidden, length: hidden), o = acts.narrow(1, start: 3 * hidden, length: hidden)
        let dct = dc + dh * o * (1 - tanhC * tanhC)
        // ∂/∂(i, f, g, o) of c' = f c + i g and h' = o tanh(c'), then through the activations at once.
        let dPre = Tensor.cat([dct * g, dct * cPrev, dct * i, dh * tanhC], dim: 1) * deriv
        return (dPre, dct * f)
    }
}
