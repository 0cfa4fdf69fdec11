// CRC-32 of a tensor's elements in row-major order, walked through its strides without a copy; stride-0
// (expanded) dimensions are folded in logarithmic time with CRC combination, so a 2^62-byte view of a
// 4-byte storage is checksummed instantly.
import Ember

extension CRC32 {
    /// The reflected polynomial.
    static let polynomial: UInt32 = 0xEDB8_8320

    /// a(x)·b(x) mod P(x) over GF(2), in the reflected bit order CRC-32 uses (bit 31 is x^0).
    static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var a = a, b = b, product: UInt32 = 0
        var bit: UInt32 = 1 << 31
        while a != 0 {
            if a & bit != 0 {
                product ^= b
                a &= ~bit
            }
            bit >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// x^(8·byteCount) mod P(x): the operator that appends `byteCount` zero bytes to a CRC register.
    static func shiftOperator(byteCount: Int) -> UInt32 {
        var result: UInt32 = 1 << 31           // x^0
        var square: UInt32 = 1 << 23           // x^8: one zero byte
        var n = UInt(byteCount)
        while n != 0 {
            if n & 1 != 0 { result = multiplyModP(square, result) }
            square = multiplyModP(square, square)
            n >>= 1
        }
        return result
    }

    /// The CRC of the concatenation A‖B from crc(A), crc(B) and B's length (zlib's `crc32_combine`).
    static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthB: Int) -> UInt32 {
        multiplyModP(shiftOperator(byteCount: lengthB), crcA) ^ crcB
    }

    /// The CRC of `count` copies of a block whose CRC is `crc` and whose length is `length`, by doubling.
    static func repeated(_ crc: UInt32, length: Int, count: Int) -> UInt32 {
        var result: UInt32 = 0
        var block = crc, blockLength = length
        var n = count
        while n > 0 {
            if n & 1 != 0 {
                result = combine(result, block, lengthB: blockLength)
            }
            n >>= 1
            if n > 0 {
                block = combine(block, block, lengthB: blockLength)
                blockLength = blockLength &* 2
            }
        }
        return result
    }
}

extension Tensor {
    /// zlib's CRC-32 of the elements' bytes in row-major order (what `t.contiguous()` would hold), computed
    /// through the strides without materialising the view. Expanded (stride-0) dimensions cost O(log n).
    var elementChecksum: UInt32 {
        if numel == 0 { return 0 }
        let item = dtype.itemSize
        let base = UnsafeRawPointer(rawPointer)
        // Coalesce trailing dimensions that are contiguous with each other into one byte run.
        var dims = Array(zip(shape, strides)).filter { $0.0 != 1 }
        var runBytes = item
        while let last = dims.last, last.1 * item == runBytes {
            runBytes *= last.0
            dims.removeLast()
        }
        /// CRC and byte length of the sub-view starting at `p` over `dims[d...]`.
        func walk(_ p: UnsafeRawPointer, _ d: Int) -> (crc: UInt32, length: Int) {
            if d == dims.count { return (CRC32.checksum(p, count: runBytes), runBytes) }
            let (n, stride) = dims[d]
            if stride != 0 && d == dims.count - 1 {
                // Innermost non-contiguous dimension: stream its runs into one register.
                var c = CRC32()
                for i in 0..<n { c.update(p + i * stride * item, count: runBytes) }
                return (c.value, runBytes * n)
            }
            let first = walk(p, d + 1)
            if stride == 0 { return (CRC32.repeated(first.crc, length: first.length, count: n), first.length &* n) }
            var crc = first.crc
            for i in 1..<n {
                let next = walk(p + i * stride * item, d + 1)
                crc = CRC32.combine(crc, next.crc, lengthB: next.length)
            }
            return (crc, first.length &* n)
        }
        return walk(base, 0).crc
    }
}
