// Element protocols: the Swift types that back each DType, and the arithmetic kernels are generic over.
import Foundation

/// A Swift type that can be stored in a tensor: Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float, Double.
public protocol TensorElement {
    /// The dtype this Swift type stores as.
    static var dtype: DType { get }
    /// Converts from a Double, rounding toward zero for integers (C semantics, like PyTorch's casts).
    init(fromDouble value: Double)
    /// Converts from an Int64 exactly where representable.
    init(fromInt64 value: Int64)
    /// The value as a Double.
    var asDouble: Double { get }
    /// The value as an Int64 (floating values truncate toward zero).
    var asInt64: Int64 { get }
}

/// An element type with arithmetic: the compute types of Ember's kernels.
public protocol NumericElement: TensorElement, Comparable {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    /// Division as PyTorch defines it for this type's `div` (only used for floating types).
    static func divide(_ a: Self, _ b: Self) -> Self
}

/// Floating-point element types (Float, Double) with the elementary functions used by Ember's unary ops.
public protocol FloatElement: NumericElement, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: FloatElement {
    public static var dtype: DType { .float32 }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    @inlinable public init(fromInt64 value: Int64) { self = Float(value) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { self.isFinite ? Int64(self) : (self.isNaN ? Int64.min : (self > 0 ? Int64.max : Int64.min)) }
    @inlinable public static func divide(_ a: Float, _ b: Float) -> Float { a / b }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    @inlinable public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    @inlinable public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
    @inlinable public static func expm1(_ x: Float) -> Float { Foundation.expm1f(x) }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
}

extension Double: FloatElement {
    public static var dtype: DType { .float64 }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public init(fromInt64 value: Int64) { self = Double(value) }
    @inlinable public var asDouble: Double { self }
    @inlinable public var asInt64: Int64 { self.isFinite ? Int64(self) : (self.isNaN ? Int64.min : (self > 0 ? Int64.max : Int64.min)) }
    @inlinable public static func divide(_ a: Double, _ b: Double) -> Double { a / b }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}

/// Integer element types share one implementation: truncating conversions, C-style division.
public protocol IntegerElement: NumericElement, FixedWidthInteger {}
extension IntegerElement {
    @inlinable public init(fromDouble value: Double) {
        // Out-of-range values wrap through Int64 like C casts on x86 rather than trapping.
        self = value.isFinite && abs(value) < 9.2e18 ? Self(truncatingIfNeeded: Int64(value)) : Self(truncatingIfNeeded: Int64.min)
    }
    @inlinable public init(fromInt64 value: Int64) { self = Self(truncatingIfNeeded: value) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(truncatingIfNeeded: self) }
    @inlinable public static func divide(_ a: Self, _ b: Self) -> Self {
        if b == 0 { emberFail("div", "integer division by zero") }
        return a / b
    }
}
extension Int64: IntegerElement { public static var dtype: DType { .int64 } }
extension Int32: IntegerElement { public static var dtype: DType { .int32 } }
extension Int16: IntegerElement { public static var dtype: DType { .int16 } }
extension Int8: IntegerElement { public static var dtype: DType { .int8 } }
extension UInt8: IntegerElement { public static var dtype: DType { .uint8 } }

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inlinable public init(fromDouble value: Double) { self = value != 0 }
    @inlinable public init(fromInt64 value: Int64) { self = value != 0 }
    @inlinable public var asDouble: Double { self ? 1 : 0 }
    @inlinable public var asInt64: Int64 { self ? 1 : 0 }
}

extension Float16: TensorElement {
    public static var dtype: DType { .float16 }
    @inlinable public init(fromDouble value: Double) { self = Float16(Float(value)) }
    @inlinable public init(fromInt64 value: Int64) { self = Float16(Float(value)) }
    @inlinable public var asDouble: Double { Double(Float(self)) }
    @inlinable public var asInt64: Int64 { Float(self).asInt64 }
}

/// Brain floating point: the top 16 bits of a float32 (round-to-nearest-even on conversion, like PyTorch).
public struct BFloat16: TensorElement, Equatable, Sendable {
    /// The raw bit pattern.
    public var bits: UInt16
    public init(bits: UInt16) { self.bits = bits }
    public init(_ value: Float) {
        if value.isNaN { bits = 0x7FC0; return }
        let u = value.bitPattern
        let rounding: UInt32 = 0x7FFF + ((u >> 16) & 1)
        bits = UInt16(truncatingIfNeeded: (u &+ rounding) >> 16)
    }
    public var float: Float { Float(bitPattern: UInt32(bits) << 16) }
    public static var dtype: DType { .bfloat16 }
    public init(fromDouble value: Double) { self.init(Float(value)) }
    public init(fromInt64 value: Int64) { self.init(Float(value)) }
    public var asDouble: Double { Double(float) }
    public var asInt64: Int64 { float.asInt64 }
}

/// `Int` stores as int64 (same size on 64-bit Linux), so `[Int]` arrays convert without a cast.
extension Int: TensorElement {
    public static var dtype: DType { .int64 }
    @inlinable public init(fromDouble value: Double) { self = Int(Int64(fromDouble: value)) }
    @inlinable public init(fromInt64 value: Int64) { self = Int(value) }
    @inlinable public var asDouble: Double { Double(self) }
    @inlinable public var asInt64: Int64 { Int64(self) }
}
