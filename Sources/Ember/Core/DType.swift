// DType: the runtime element type of a tensor, with PyTorch's promotion rules.

/// The element type of a tensor, chosen at run time as in PyTorch (`torch.float32`, `torch.int64`, ...).
///
/// `float16` and `bfloat16` are storage and interop types: arithmetic on them is computed in float32
/// and rounded back, as PyTorch's CPU kernels effectively do.
public enum DType: String, CaseIterable, Sendable, CustomStringConvertible {
    case bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .int16, .float16, .bfloat16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }
    /// True for float16, bfloat16, float32, float64.
    public var isFloatingPoint: Bool { category == 2 }
    /// True for the integer types (not bool).
    public var isInteger: Bool { category == 1 }
    /// 0 bool, 1 integer, 2 floating point: PyTorch's type categories for promotion.
    public var category: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int8, .int16, .int32, .int64: return 1
        case .float16, .bfloat16, .float32, .float64: return 2
        }
    }
    /// PyTorch's printed name, e.g. `torch.float32`.
    public var description: String { "torch." + rawValue }

    /// The type arithmetic is carried out in (float16/bfloat16 compute in float32).
    public var computeType: DType { (self == .float16 || self == .bfloat16) ? .float32 : self }

    /// The default dtype of a category: bool, int64, float32 (PyTorch's `torch.get_default_dtype()`).
    public static func defaultType(category: Int) -> DType { category == 0 ? .bool : (category == 1 ? .int64 : .float32) }

    /// `torch.promote_types`: the smallest type both `a` and `b` convert to without losing category.
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.category != b.category { return a.category > b.category ? a : b }
        switch a.category {
        case 2:
            if (a == .float16 && b == .bfloat16) || (a == .bfloat16 && b == .float16) { return .float32 }
            return a.itemSize >= b.itemSize ? a : b
        case 1:
            // uint8 with a signed type needs a wider signed type.
            if a == .uint8 || b == .uint8 {
                let other = a == .uint8 ? b : a
                return other == .int8 ? .int16 : other
            }
            return a.itemSize >= b.itemSize ? a : b
        default: return .bool
        }
    }
}

extension DType {
    /// PyTorch's C++ scalar-type name used in its kernel messages: `Long`, `Float`, `Bool`, ...
    var torchScalarTypeName: String {
        switch self {
        case .bool: return "Bool"
        case .uint8: return "Byte"
        case .int8: return "Char"
        case .int16: return "Short"
        case .int32: return "Int"
        case .int64: return "Long"
        case .float16: return "Half"
        case .bfloat16: return "BFloat16"
        case .float32: return "Float"
        case .float64: return "Double"
        }
    }
}
