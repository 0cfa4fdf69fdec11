// The fused LSTM cell kernels: one step's gate math, forward and backward, over contiguous float32 rows.
import CEmberKernels

extension VectorMath {
    /// One LSTM step: from pre-activations `pre` (`rows × 4·hidden`, PyTorch's gate order i, f, g, o) and the
    /// cell `c` (`rows × hidden`), writes `cNew = f·c + i·g`, `tanhC = tanh(cNew)` and `h = o·tanhC` (i, f, o
    /// sigmoid, g tanh), each rounded as the separate float32 ops. With `acts` (`rows × 4·hidden`), also the gate
    /// values, and with `deriv` (only with `acts`) their derivatives `[i(1−i), f(1−f), 1−g², o(1−o)]`.
    ///
    /// - Parameters:
    ///   - pre: The gates' pre-activations.
    ///   - c: The previous cell state.
    ///   - rows: The number of rows (the batch).
    ///   - hidden: The hidden size.
    ///   - acts: The gate values (written), or nil.
    ///   - deriv: The gate derivatives (written), or nil.
    ///   - cNew: The new cell state (written).
    ///   - tanhC: `tanh(cNew)` (written).
    ///   - h: The new hidden state (written).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func lstmCell(pre: UnsafePointer<Float>, c: UnsafePointer<Float>, rows: Int, hidden: Int,
                                acts: UnsafeMutablePointer<Float>?, deriv: UnsafeMutablePointer<Float>?,
                                cNew: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                                h: UnsafeMutablePointer<Float>, isa: KernelISA = .active) {
        kernelCheck(deriv == nil || acts != nil, "VectorMath.lstmCell: deriv is written only with acts")
        let level = Int32(isa.rawValue)
        splitCellRows(rows, hidden) { lo, hi in
            let g = 4 * hidden * lo, s = hidden * lo
            ember_f32_lstm_cell_level(level, pre + g, c + s, hi - lo, hidden, acts.map { $0 + g }, deriv.map { $0 + g },
                                      cNew + s, tanhC + s, h + s)
        }
    }

    /// The backward of `lstmCell` from the gradients `dh` of `h` and `dc` of `cNew`: `dct = dc + dh·o·(1 − tanhC²)`,
    /// `dPre = [dct·g, dct·cPrev, dct·i, dh·tanhC] ⊙ deriv`, `dcPrev = dct·f`.
    ///
    /// - Parameters:
    ///   - dh: The gradient of the new hidden state.
    ///   - dhAdd: A second term of that gradient (the step's output gradient, when `dh` is the recurrence's), added
    ///     to `dh` with one float32 rounding; nil for none.
    ///   - dc: The gradient of the new cell state.
    ///   - acts: The gate values `lstmCell` wrote.
    ///   - deriv: The gate derivatives `lstmCell` wrote, or nil to compute them from `acts` (the same values).
    ///   - tanhC: `tanh(cNew)`.
    ///   - cPrev: The previous cell state.
    ///   - rows: The number of rows.
    ///   - hidden: The hidden size.
    ///   - dPre: The gradient of the pre-activations (written).
    ///   - dcPrev: The gradient of the previous cell state (written).
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func lstmCellBackward(dh: UnsafePointer<Float>, dhAdd: UnsafePointer<Float>? = nil,
                                        dc: UnsafePointer<Float>, acts: UnsafePointer<Float>,
                                        deriv: UnsafePointer<Float>?, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                                        rows: Int, hidden: Int, dPre: UnsafeMutablePointer<Float>,
                                        dcPrev: UnsafeMutablePointer<Float>, isa: KernelISA = .active) {
        let level = Int32(isa.rawValue)
        splitCellRows(rows, hidden) { lo, hi in
            let g = 4 * hidden * lo, s = hidden * lo
            ember_f32_lstm_cell_backward_level(level, dh + s, dhAdd.map { $0 + s }, dc + s, acts + g, deriv.map { $0 + g }, tanhC + s, cPrev + s,
                                               hi - lo, hidden, dPre + g, dcPrev + s)
        }
    }

    /// Cell states from which one LSTM step's gate math is split over the pool. Each state costs five
    /// exponentials and ~30 other vector ops, so a batch-32, hidden-256 step (~35 µs on one Zen 4 core) already
    /// pays for a wake-up (~0.3 µs round trip): far below the memory-bound ops' `opsParallelThreshold`.
    static let lstmParallelStates = 4096

    /// Runs `body(lo, hi)` over the rows `0..<rows` of a step with `hidden` states per row, over the pool when
    /// the step has `lstmParallelStates` states or more.
    static func splitCellRows(_ rows: Int, _ hidden: Int, _ body: (Int, Int) -> Void) {
        if rows < 2 || rows * hidden < lstmParallelStates {
            if rows > 0 { body(0, rows) }
            return
        }
        ThreadPool.shared.parallelFor(rows, minChunk: Swift.max(1, lstmParallelStates / 2 / Swift.max(1, hidden))) { range in
            body(range.lowerBound, range.upperBound)
        }
    }
}
