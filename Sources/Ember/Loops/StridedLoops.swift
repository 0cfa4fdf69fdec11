// Strided iteration over one to three operands sharing a shape: the loop under every elementwise op.
import EmberKernels

/// Elementwise work above this many elements is split over `ThreadPool.shared` by `parallelForEachRow3`
/// (the one threshold shared with EmberKernels' `VectorMath`).
let elementwiseParallelThreshold = ThreadPool.parallelElementThreshold
/// The smallest number of elements handed to another thread.
let elementwiseMinChunk = ThreadPool.minParallelChunk

/// Merges adjacent dimensions that are contiguous in every operand so the inner loop is as long as possible.
@usableFromInline
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    var outShape: [Int] = []
    var outStrides: [[Int]] = Array(repeating: [], count: strides.count)
    for d in 0..<shape.count where shape[d] != 1 {
        if let last = outShape.last {
            var mergeable = true
            for k in 0..<strides.count where outStrides[k].last! != strides[k][d] * shape[d] { mergeable = false; break }
            if mergeable {
                outShape[outShape.count - 1] = last * shape[d]
                for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][d] }
                continue
            }
        }
        outShape.append(shape[d])
        for k in 0..<strides.count { outStrides[k].append(strides[k][d]) }
    }
    return (outShape, outStrides)
}

/// Calls `body(offsetA, offsetB, offsetC, count, strideA, strideB, strideC)` once per innermost row.
/// Offsets are element offsets relative to each operand's first element.
@inline(__always) @usableFromInline
func forEachRow3(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ sc: [Int],
                 _ body: (Int, Int, Int, Int, Int, Int, Int) -> Void) {
    if shape.contains(0) { return }
    let (cs, st) = coalesce(shape, [sa, sb, sc])
    let r = cs.count
    if r == 0 { body(0, 0, 0, 1, 0, 0, 0); return }
    let n = cs[r - 1], ia = st[0][r - 1], ib = st[1][r - 1], ic = st[2][r - 1]
    if r == 1 { body(0, 0, 0, n, ia, ib, ic); return }
    var idx = [Int](repeating: 0, count: r - 1)
    var oa = 0, ob = 0, oc = 0
    while true {
        body(oa, ob, oc, n, ia, ib, ic)
        var d = r - 2
        while d >= 0 {
            idx[d] += 1
            oa += st[0][d]; ob += st[1][d]; oc += st[2][d]
            if idx[d] < cs[d] { break }
            oa -= st[0][d] * cs[d]; ob -= st[1][d] * cs[d]; oc -= st[2][d] * cs[d]
            idx[d] = 0
            d -= 1
        }
        if d < 0 { return }
    }
}

/// `forEachRow3`, with the rows (or the one long row of a coalesced layout) split over `ThreadPool.shared`
/// when there are more than `elementwiseParallelThreshold` elements. `body` runs concurrently on disjoint
/// rows, so it must only write its own row of the output and must not touch shared mutable state.
@inline(__always) @usableFromInline
func parallelForEachRow3(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ sc: [Int],
                         _ body: (Int, Int, Int, Int, Int, Int, Int) -> Void) {
    var total = 1
    for s in shape { total *= s }
    let pool = ThreadPool.shared
    if total <= elementwiseParallelThreshold || pool.threadCount < 2 {
        forEachRow3(shape, sa, sb, sc, body)
        return
    }
    let (cs, st) = coalesce(shape, [sa, sb, sc])
    let r = cs.count
    let n = cs[r - 1], ia = st[0][r - 1], ib = st[1][r - 1], ic = st[2][r - 1]
    if r == 1 {
        pool.parallelFor(n, minChunk: elementwiseMinChunk) { range in
            let lo = range.lowerBound
            body(lo * ia, lo * ib, lo * ic, range.count, ia, ib, ic)
        }
        return
    }
    let rows = total / n
    pool.parallelFor(rows, minChunk: Swift.max(1, elementwiseMinChunk / n)) { range in
        // Start the odometer of the outer dims at the chunk's first row.
        var idx = [Int](repeating: 0, count: r - 1)
        var rem = range.lowerBound, oa = 0, ob = 0, oc = 0
        for d in Swift.stride(from: r - 2, through: 0, by: -1) {
            idx[d] = rem % cs[d]
            rem /= cs[d]
            oa += idx[d] * st[0][d]; ob += idx[d] * st[1][d]; oc += idx[d] * st[2][d]
        }
        for _ in range {
            body(oa, ob, oc, n, ia, ib, ic)
            var d = r - 2
            while d >= 0 {
                idx[d] += 1
                oa += st[0][d]; ob += st[1][d]; oc += st[2][d]
                if idx[d] < cs[d] { break }
                oa -= st[0][d] * cs[d]; ob -= st[1][d] * cs[d]; oc -= st[2][d] * cs[d]
                idx[d] = 0
                d -= 1
            }
        }
    }
}

/// Two-operand form of `parallelForEachRow3` (same concurrency rules for `body`).
@inline(__always) @usableFromInline
func parallelForEachRow2(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int, Int, Int) -> Void) {
    parallelForEachRow3(shape, sa, sb, sb) { oa, ob, _, n, ia, ib, _ in body(oa, ob, n, ia, ib) }
}

/// Two-operand form of `forEachRow3`.
@inline(__always) @usableFromInline
func forEachRow2(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int, Int, Int) -> Void) {
    forEachRow3(shape, sa, sb, sb) { oa, ob, _, n, ia, ib, _ in body(oa, ob, n, ia, ib) }
}

/// Element offsets of every element of a strided layout, in row-major order.
func elementOffsets(shape: [Int], strides: [Int]) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(shape.reduce(1, *))
    forEachRow2(shape, strides, strides) { o, _, n, s, _ in
        for i in 0..<n { out.append(o + i * s) }
    }
    return out
}
