// ModelAgreement: checking at construction that every rank built the same model (names, shapes, dtypes).
import Ember

extension ProcessGroup {
    /// Stops on every rank, naming the first differing tensor, unless all ranks passed the same list of named
    /// tensors (same count, and per tensor the same name, dtype and shape). Three small collectives: the counts,
    /// rank 0's signatures (broadcast), and each rank's first difference (all-gathered so that every rank stops).
    func checkSameTensors(_ named: [(String, Tensor)], what: String) {
        if worldSize == 1 { return }
        let words = 10
        func signature(_ name: String, _ t: Tensor) -> [Int64] {
            var w = [Int64](repeating: 0, count: words)
            w[0] = Int64(truncatingIfNeeded: name.hashValueStable)
            w[1] = Int64(DType.allCases.firstIndex(of: t.dtype)! + 1)
            w[2] = Int64(t.rank)
            for (i, d) in t.shape.prefix(7).enumerated() { w[3 + i] = Int64(d) }
            if t.rank > 7 { w[9] = t.shape.dropFirst(6).reduce(Int64(17)) { $0 &* 31 &+ Int64($1) } }
            return w
        }
        let mine = named.map { signature($0.0, $0.1) }
        let counts = allGather(Tensor([Int64(named.count)])).map { Int($0.pointer(as: Int64.self)[0]) }
        let rootCount = counts[0]
        let rootSigs = Tensor(empty: [rootCount * words], dtype: .int64)
        if rank == 0 {
            let p = rootSigs.pointer(as: Int64.self)
            for (i, s) in mine.enumerated() { for j in 0..<words { p[i * words + j] = s[j] } }
        }
        broadcast(rootSigs, from: 0)
        let p = rootSigs.pointer(as: Int64.self)
        var firstDiff = -1
        for i in 0..<Swift.max(rootCount, named.count) {
            if i >= rootCount || i >= named.count || (0..<words).contains(where: { p[i * words + $0] != mine[i][$0] }) {
                firstDiff = i
                break
            }
        }
        let diffs = allGather(Tensor([Int64(firstDiff)])).map { Int($0.pointer(as: Int64.self)[0]) }
        let bad = diffs.enumerated().filter { $0.element >= 0 }
        if bad.isEmpty { return }
        func rootDescription(_ i: Int) -> String {
            guard i < rootCount else { return "nothing (rank 0 has \(rootCount) \(what))" }
            let dt = DType.allCases[Int(p[i * words + 1]) - 1]
            let r = Int(p[i * words + 2])
            return "[" + (0..<Swift.min(r, 7)).map { String(p[i * words + 3 + $0]) }.joined(separator: ", ") + (r > 7 ? ", …" : "") + "] \(dt)"
        }
        let ranks = bad.map { String($0.offset) }.joined(separator: ", ")
        var message = "ranks built different models: rank\(bad.count > 1 ? "s" : "") \(ranks) differ\(bad.count > 1 ? "" : "s") from rank 0 "
            + "(\(counts.enumerated().map { "rank \($0.offset): \($0.element) \(what)" }.joined(separator: ", ")))"
        let at = bad.map(\.element).min()!
        if at < named.count {
            let (n, t) = named[at]
            message += "; first differing \(what.dropLast()) #\(at) '\(n)': "
                + (rank == 0 ? "rank 0 has \(t.shape) \(t.dtype)" : "rank \(rank) has \(t.shape) \(t.dtype), rank 0 has \(rootDescription(at))")
        } else {
            message += "; first difference at \(what.dropLast()) #\(at): rank \(rank) has only \(named.count) \(what), rank 0 has \(rootDescription(at))"
        }
        emberFail("DistributedDataParallel", message)
    }
}
