// A restricted unpickler: the protocol 2-5 opcodes a state dict uses, an allow-list of globals, no code execution.
import Ember

/// Reads a pickle stream as written by `torch.save`, accepting only what a checkpoint needs.
///
/// Unlike Python's `pickle`, nothing here can run code: globals resolve to a closed enum
/// (`AllowedGlobal`), and REDUCE only "calls" those known constructors, implemented in Swift.
/// This is stricter than `torch.load(weights_only=True)`, which also admits sets, bytes, dtypes and
/// a few tensor subclasses; Ember refuses those with a typed error.
struct Unpickler {
    /// Loads the storage for a persistent id `('storage', StorageType, key, location, numel)`.
    typealias StorageLoader = (_ key: String, _ dtype: DType, _ numel: Int, _ location: String) throws -> PickledStorage

    private var r: ByteReader
    private var stack: [PyObject] = []
    private var marks: [Int] = []
    private var memo: [Int: PyObject] = [:]
    private let loadStorage: StorageLoader
    /// Every container created, freed iteratively when loading ends.
    let arena = PyArena()
    /// Offset of the opcode being executed (for error messages).
    private var opOffset = 0

    init(_ bytes: [UInt8], loadStorage: @escaping StorageLoader) {
        r = ByteReader(bytes)
        self.loadStorage = loadStorage
    }

    /// Runs the stream to STOP and returns the converted top-of-stack value.
    mutating func load() throws -> CheckpointValue {
        defer { arena.teardown() }
        do {
            let top = try run()
            var converter = PyObjectConverter(budget: 8 * r.bytes.count + 1024)
            return try converter.convert(top)
        } catch var e as PickleError {
            if e.offset == nil { e.offset = opOffset }
            throw e
        }
    }

    func fail(_ kind: PickleError.Kind) -> PickleError { PickleError(kind, offset: opOffset) }

    private mutating func pop() throws -> PyObject {
        guard let v = stack.popLast() else { throw fail(.malformed("stack underflow")) }
        if let m = marks.last, stack.count < m { throw fail(.malformed("stack underflow across a MARK")) }
        return v
    }

    /// Pops everything above the last MARK.
    private mutating func popMark() throws -> [PyObject] {
        guard let m = marks.popLast() else { throw fail(.malformed("no MARK on the stack")) }
        guard m <= stack.count else { throw fail(.malformed("MARK above the stack top")) }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private mutating func bytes(_ n: UInt64) throws -> ArraySlice<UInt8> {
        guard n <= UInt64(r.remaining), let s = r.readBytes(Int(n)) else { throw fail(.truncated) }
        return s
    }

    private mutating func uint(_ width: Int) throws -> UInt64 {
        guard let v = r.readUInt(width: width) else { throw fail(.truncated) }
        return v
    }

    private mutating func utf8(_ n: UInt64) throws -> String {
        let b = try bytes(n)
        guard let s = String(validating: b, as: UTF8.self) else { throw fail(.malformed("string is not valid UTF-8")) }
        return s
    }

    /// A protocol-0 text line (GLOBAL's module and name), bounded by the stream.
    private mutating func line() throws -> String {
        var out: [UInt8] = []
        while true {
            guard let b = r.readByte() else { throw fail(.truncated) }
            if b == 0x0A { break }
            out.append(b)
            if out.count > 256 { throw fail(.malformed("GLOBAL name longer than 256 bytes")) }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail(.malformed("GLOBAL name is not UTF-8")) }
        return s
    }

    private mutating func memoPut(_ key: Int) throws {
        guard let top = stack.last else { throw fail(.malformed("memo put on an empty stack")) }
        memo[key] = top
    }

    private mutating func memoGet(_ key: Int) throws {
        guard let v = memo[key] else { throw fail(.malformed("memo key \(key) was never stored")) }
        stack.append(v)
    }

    private mutating func run() throws -> PyObject {
        while true {
            opOffset = r.position
            guard let op = r.readByte() else { throw fail(.truncated) }
            switch op {
            case 0x80: // PROTO
                let v = Int(try uint(1))
                guard (2...5).contains(v) else { throw fail(.unsupportedProtocol(v)) }
            case 0x95: _ = try uint(8) // FRAME: a length hint; the stream is already in memory
            case 0x2E: // STOP
                guard let v = stack.last else { throw fail(.malformed("STOP on an empty stack")) }
                return v
            case 0x28: marks.append(stack.count) // MARK
            case 0x30: _ = try pop() // POP
            case 0x31: _ = try popMark() // POP_MARK
            case 0x4E: stack.append(.none) // NONE
            case 0x88: stack.append(.bool(true)) // NEWTRUE
            case 0x89: stack.append(.bool(false)) // NEWFALSE
            case 0x4B: stack.append(.int(Int(try uint(1)))) // BININT1
            case 0x4D: stack.append(.int(Int(try uint(2)))) // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4))))) // BININT
            case 0x8A: // LONG1: n-byte little-endian two's complement
                let n = Int(try uint(1))
                guard n <= 8 else { throw fail(.malformed("integer of \(n) bytes does not fit 64 bits")) }
                let b = try bytes(UInt64(n))
                var v: UInt64 = 0
                for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && (b.last! & 0x80) != 0 { v |= ~0 << (8 * UInt64(n)) }
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x47: // BINFLOAT: big-endian IEEE double
                let b = try bytes(8)
                var v: UInt64 = 0
                for x in b { v = (v << 8) | UInt64(x) }
                stack.append(.float(Double(bitPattern: v)))
            case 0x58: stack.append(.string(try utf8(try uint(4)))) // BINUNICODE
            case 0x8C: stack.append(.string(try utf8(try uint(1)))) // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try utf8(try uint(8)))) // BINUNICODE8
            case 0x7D: stack.append(arena.dict(ordered: false)) // EMPTY_DICT
            case 0x5D: stack.append(arena.list()) // EMPTY_LIST
            case 0x29: stack.append(arena.tuple([])) // EMPTY_TUPLE
            case 0x74: stack.append(arena.tuple(try popMark())) // TUPLE
            case 0x85: let a = try pop(); stack.append(arena.tuple([a])) // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(arena.tuple([a, b])) // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(arena.tuple([a, b, c])) // TUPLE3
            case 0x61: // APPEND
                let v = try pop()
                try list(at: stack.count - 1).items.append(v)
            case 0x65: // APPENDS
                let items = try popMark()
                try list(at: stack.count - 1).items.append(contentsOf: items)
            case 0x73: // SETITEM
                let v = try pop(), k = try pop()
                try dict(at: stack.count - 1).set(try key(k), v)
            case 0x75: // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail(.malformed("SETITEMS with an odd number of items")) }
                let d = try dict(at: stack.count - 1)
                for i in stride(from: 0, to: items.count, by: 2) { d.set(try key(items[i]), items[i + 1]) }
            case 0x71: try memoPut(Int(try uint(1))) // BINPUT
            case 0x72: try memoPut(Int(try uint(4))) // LONG_BINPUT
            case 0x94: try memoPut(memo.count) // MEMOIZE
            case 0x68: try memoGet(Int(try uint(1))) // BINGET
            case 0x6A: try memoGet(Int(try uint(4))) // LONG_BINGET
            case 0x63: // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                stack.append(.global(try AllowedGlobal(module: module, name: name)))
            case 0x93: // STACK_GLOBAL
                let n = try pop(), m = try pop()
                guard case .string(let module) = m, case .string(let name) = n else {
                    throw fail(.malformed("STACK_GLOBAL needs two strings"))
                }
                stack.append(.global(try AllowedGlobal(module: module, name: name)))
            case 0x51: // BINPERSID
                stack.append(try persistentLoad(try pop()))
            case 0x52: // REDUCE
                let args = try pop(), callable = try pop()
                guard case .global(let g) = callable, case .tuple(let a) = args else {
                    throw fail(.malformed("REDUCE needs an allowed global and an argument tuple, got \(callable.typeName) and \(args.typeName)"))
                }
                stack.append(try reduce(g, a.items))
            case 0x62: // BUILD: only the `_metadata` attribute torch sets on state-dict OrderedDicts
                let state = try pop()
                guard case .dict = try peek(), case .dict = state else {
                    throw fail(.malformed("BUILD is only accepted on a dict with a dict of attributes"))
                }
            default:
                throw fail(.unsupportedOpcode(op))
            }
        }
    }

    private func peek() throws -> PyObject {
        guard let v = stack.last else { throw fail(.malformed("stack underflow")) }
        return v
    }

    private func list(at i: Int) throws -> PyList {
        guard i >= 0, i < stack.count, case .list(let l) = stack[i] else { throw fail(.malformed("APPEND target is not a list")) }
        return l
    }

    private func dict(at i: Int) throws -> PyDict {
        guard i >= 0, i < stack.count, case .dict(let d) = stack[i] else { throw fail(.malformed("SETITEM target is not a dict")) }
        return d
    }

    private func key(_ k: PyObject) throws -> CheckpointKey {
        switch k {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        default: throw fail(.malformed("dict keys must be str or int, got \(k.typeName)"))
        }
    }

    /// `('storage', StorageType, key, location, numel)` → the storage, loaded by the container.
    private func persistentLoad(_ pid: PyObject) throws -> PyObject {
        guard case .tuple(let tuple) = pid, case let t = tuple.items, t.count == 5, case .string("storage") = t[0],
              case .global(.storageType(let dtype)) = t[1], case .string(let key) = t[2],
              case .string(let location) = t[3], case .int(let numel) = t[4] else {
            throw fail(.malformed("persistent id is not ('storage', <torch.*Storage>, key, location, numel)"))
        }
        guard numel >= 0 else { throw fail(.malformed("negative storage size \(numel)")) }
        return .storage(try loadStorage(key, dtype, numel, location))
    }
}
