// The unpickler's working objects: mutable lists and dicts with Python's reference semantics, and the allow-list.
import Ember

/// The only globals a pickle may name. Resolving any other (module, name) throws `forbiddenGlobal`
/// at the GLOBAL opcode itself, before any REDUCE could call it.
enum AllowedGlobal: Equatable {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    case torchSize
    case storageType(DType)
    /// `torch._utils._rebuild_tensor_v3`, which torch.save uses for dtypes without a typed storage class.
    case rebuildTensorV3
    /// A dtype object (`torch.uint16`), the argument `_rebuild_tensor_v3` takes.
    case dtype(String)

    init(module: String, name: String) throws {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor_v3"): self = .rebuildTensorV3
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", "Size"): self = .torchSize
        // Bytes without a dtype; `_rebuild_tensor_v3` names the dtype.
        case ("torch.storage", "UntypedStorage"): self = .storageType(.uint8)
        case ("torch", let n):
            if let d = AllowedGlobal.storageDTypes[n] { self = .storageType(d) }
            else if let d = AllowedGlobal.unsupportedStorageDTypes[n] { throw PickleError(.unsupportedDtype(d)) }
            else if AllowedGlobal.torchDTypeNames.contains(n) { self = .dtype(n) }
            else { throw PickleError(.forbiddenGlobal(module, name)) }
        default: throw PickleError(.forbiddenGlobal(module, name))
        }
    }

    /// Typed-storage classes of dtypes Ember cannot hold (complex and quantized types).
    static let unsupportedStorageDTypes: [String: String] = [
        "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128", "ComplexHalfStorage": "complex32",
        "QInt8Storage": "qint8", "QUInt8Storage": "quint8", "QInt32Storage": "qint32",
        "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
    ]

    /// PyTorch's dtype names, as `torch.<name>` globals in `_rebuild_tensor_v3` pickles.
    static let torchDTypeNames: Set<String> = [
        "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
        "uint16", "uint32", "uint64", "complex32", "complex64", "complex128",
        "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
        "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
        "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "int1", "int2", "int3", "int4", "int5", "int6", "int7",
    ]

    /// PyTorch's legacy typed-storage class names, which torch.save still writes for each tensor's storage.
    static let storageDTypes: [String: DType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    /// The storage class torch.save names for `dtype`.
    static func storageName(_ dtype: DType) -> String {
        storageDTypes.first { $0.value == dtype }!.key
    }
}

/// A storage brought in by a persistent id: typed memory that tensors view.
struct PickledStorage {
    let storage: Storage
    let dtype: DType
    let numel: Int
}

/// A Python tuple. A class (not an array in the enum) so the arena can take every container apart.
final class PyTuple {
    var items: [PyObject]
    init(_ items: [PyObject]) { self.items = items }
}

/// Owns every container an unpickling run creates, and takes them apart iteratively at the end.
///
/// Without this, a hostile pickle nesting a million tuples (one byte per level: TUPLE1) would be freed
/// recursively, one stack frame per level, and overflow the stack; cycles (`l.append(l)`) would leak.
/// Emptying every container while the arena still holds them all makes each release shallow.
final class PyArena {
    private var tuples: [PyTuple] = []
    private var lists: [PyList] = []
    private var dicts: [PyDict] = []

    func tuple(_ items: [PyObject]) -> PyObject {
        let t = PyTuple(items)
        tuples.append(t)
        return .tuple(t)
    }

    func list() -> PyObject {
        let l = PyList()
        lists.append(l)
        return .list(l)
    }

    func dict(ordered: Bool) -> PyObject {
        let d = PyDict(ordered: ordered)
        dicts.append(d)
        return .dict(d)
    }

    func teardown() {
        for t in tuples { t.items = [] }
        for l in lists { l.items = [] }
        for d in dicts { d.values = [] }
        tuples = []; lists = []; dicts = []
    }
}

/// A Python list under construction (APPEND mutates it through every memo reference).
final class PyList {
    var items: [PyObject] = []
}

/// A Python dict/OrderedDict under construction: insertion order plus an index for replacing keys.
final class PyDict {
    var keys: [CheckpointKey] = []
    var values: [PyObject] = []
    var index: [CheckpointKey: Int] = [:]
    let ordered: Bool
    init(ordered: Bool) { self.ordered = ordered }

    func set(_ key: CheckpointKey, _ value: PyObject) {
        if let i = index[key] { values[i] = value; return }
        index[key] = keys.count
        keys.append(key)
        values.append(value)
    }
}

/// A value on the unpickler's stack or in its memo.
indirect enum PyObject {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case tuple(PyTuple)
    case list(PyList)
    case dict(PyDict)
    case global(AllowedGlobal)
    case storage(PickledStorage)
    case tensor(Tensor)

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global: return "global"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// Turns the unpickled object graph into a `CheckpointValue` tree, refusing what a checkpoint cannot be:
/// cycles and absurd nesting (depth limit), shared sub-objects that would expand exponentially (node
/// budget), and bare globals or storages.
struct PyObjectConverter {
    static let maxDepth = 100
    var budget: Int

    mutating func convert(_ o: PyObject, depth: Int = 0) throws -> CheckpointValue {
        guard depth <= PyObjectConverter.maxDepth else {
            throw PickleError(.malformed("objects nest deeper than \(PyObjectConverter.maxDepth) levels (or contain a cycle)"))
        }
        budget -= 1
        guard budget >= 0 else { throw PickleError(.malformed("shared objects expand to too many values")) }
        switch o {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .tensor(let t): return .tensor(t)
        case .tuple(let t): return .tuple(try t.items.map { try convert($0, depth: depth + 1) })
        case .list(let l): return .list(try l.items.map { try convert($0, depth: depth + 1) })
        case .dict(let d):
            var out = CheckpointDict(isOrderedDict: d.ordered)
            for (k, v) in zip(d.keys, d.values) { out.appendUnchecked(k, try convert(v, depth: depth + 1)) }
            return .dict(out)
        case .global, .storage:
            throw PickleError(.malformed("a bare \(o.typeName) is not a checkpoint value"))
        }
    }
}
