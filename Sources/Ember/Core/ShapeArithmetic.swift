// Overflow-checked size and stride arithmetic for shapes, including shapes read from files.

/// Size and stride arithmetic that never traps on overflow: the one place where shapes that come from
/// outside (files, datasets, the command line) are turned into element and byte counts.
///
/// A shape with a zero dimension has zero elements whatever its other dimensions are, as in PyTorch
/// (`torch.empty(0, 2**32, 2**32)` is a valid tensor), so `[2^32, 2^32, 0]` counts 0, not an overflow.
public enum ShapeArithmetic {
    /// The number of elements of `shape`, or nil when a dimension is negative or the product overflows `Int`.
    @inlinable
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        var overflowed = false
        for d in shape {
            if d < 0 { return nil }
            if d == 0 { return 0 }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            overflowed = overflowed || o
            n = p
        }
        return overflowed ? nil : n
    }

    /// The number of bytes `shape` of `itemSize`-byte elements takes, or nil on a negative dimension or overflow.
    @inlinable
    public static func byteCount(_ shape: [Int], itemSize: Int) -> Int? {
        guard let n = elementCount(shape) else { return nil }
        let (b, o) = n.multipliedReportingOverflow(by: itemSize)
        return o ? nil : b
    }

    /// Row-major strides for `shape`. Where the running product overflows (possible only for a shape with
    /// zero elements, whose strides are never used to reach an element) the stride saturates at `Int.max`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            let (p, o) = acc.multipliedReportingOverflow(by: Swift.max(shape[i], 1))
            acc = o ? Int.max : p
        }
        return strides
    }

    /// The largest element index (relative to the storage offset) a view of `shape` with `strides` can reach,
    /// 0 for a view with no elements, or nil when that index overflows or a stride is negative.
    public static func lastReachableIndex(shape: [Int], strides: [Int]) -> Int? {
        guard shape.count == strides.count else { return nil }
        if shape.contains(0) { return 0 }
        var last = 0
        for (n, s) in zip(shape, strides) {
            guard n > 0, s >= 0 else { return nil }
            let (span, o1) = (n - 1).multipliedReportingOverflow(by: s)
            let (sum, o2) = last.addingReportingOverflow(span)
            if o1 || o2 { return nil }
            last = sum
        }
        return last
    }
}
