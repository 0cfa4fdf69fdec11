// .npy reading and writing: files written by NumPy 2.4 (Tests/Fixtures/npy), round trips, corruption.
import Foundation
import Testing
import Ember
import EmberIO
import _EmberTestSupport

@Suite struct NpyTests {
    static let dir = packageRoot.appendingPathComponent("Tests/Fixtures/npy")
    func fixture(_ name: String) -> URL { Self.dir.appendingPathComponent(name) }
    func load(_ name: String) throws -> Tensor { try Tensor.loadNpy(from: fixture(name)) }

    func reason(_ body: () throws -> Tensor) -> NpyError.Reason? {
        do { _ = try body(); return nil } catch let e as NpyError { return e.reason } catch { return .io("other error \(error)") }
    }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ember-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    // Expected values are those NumPy printed for each fixture (`np.load(f).tolist()`).
    @Test func readsEveryDTypeWrittenByNumPy() throws {
        let f4 = try load("f4_2x3.npy")
        #expect(f4.dtype == .float32 && f4.shape == [2, 3])
        #expect(f4.toArray(as: Float.self) == [1.5, -2.25, 3.0, 0.1, 1e-8, -7.0])
        let f8 = try load("f8_vec.npy")
        #expect(f8.dtype == .float64 && f8.toArray(as: Double.self) == [3.141592653589793, -0.5, 1e300])
        let f2 = try load("f2_vec.npy")
        #expect(f2.dtype == .float16 && f2.scalars == [1.0, -0.5, 65504.0, 0.0999755859375])
        let i8 = try load("i8_2x2.npy")
        #expect(i8.dtype == .int64 && i8.shape == [2, 2] && i8.toArray(as: Int64.self) == [-9007199254740993, 2, 3, Int64.max])
        let i4 = try load("i4_vec.npy")
        #expect(i4.dtype == .int32 && i4.toArray(as: Int32.self) == [Int32.min, 0, 7])
        let i2 = try load("i2_vec.npy")
        #expect(i2.dtype == .int16 && i2.toArray(as: Int16.self) == [-32768, 1, 32767])
        let i1 = try load("i1_vec.npy")
        #expect(i1.dtype == .int8 && i1.toArray(as: Int8.self) == [-128, 0, 127])
        let u1 = try load("u1_2x2.npy")
        #expect(u1.dtype == .uint8 && u1.toArray(as: UInt8.self) == [0, 255, 17, 128])
        let b1 = try load("b1_vec.npy")
        #expect(b1.dtype == .bool && b1.toArray(as: Bool.self) == [true, false, true])
        let scalar = try load("scalar_f8.npy")
        #expect(scalar.shape == [] && scalar.item() == 2.5)
        let empty = try load("empty_f4.npy")
        #expect(empty.shape == [0, 3] && empty.dtype == .float32)
    }

    @Test func readsBigEndianFortranOrderAndLaterVersions() throws {
        #expect(try load("be_f4.npy").toArray(as: Float.self) == [1.0, -2.5, 1e10])
        #expect(try load("be_i8.npy").toArray(as: Int64.self) == [1, -2, 1_099_511_627_776])
        let be8 = try load("be_f8.npy")
        #expect(be8.shape == [1, 2] && be8.toArray(as: Double.self) == [0.25, -1e-300])
        let fo = try load("fortran_f8.npy")
        #expect(fo.shape == [2, 3] && fo.isContiguous && fo.toArray(as: Double.self) == [0, 1, 2, 3, 4, 5])
        let fo3 = try load("fortran_i4_3d.npy")
        #expect(fo3.shape == [2, 3, 4] && fo3.toArray(as: Int32.self) == (0..<24).map(Int32.init))
        let v2 = try load("v2_i8.npy")
        #expect(v2.toArray(as: Int64.self) == [5, 6, 7])
        let v3 = try load("v3_f4.npy")
        #expect(v3.shape == [2, 1] && v3.toArray(as: Float.self) == [1, 2])
        #expect(try load("npsave_f4.npy").toArray(as: Float.self) == (0..<12).map { Float($0) / 4 })
    }

    @Test func writesTheSameBytesAsNumPy() throws {
        func same(_ t: Tensor, _ name: String) throws {
            let ours = try t.npyData(), theirs = try Data(contentsOf: fixture(name))
            #expect(ours == theirs, "\(name)")
        }
        try same((Tensor.arange(0.0, 12.0) / 4).reshape(3, 4), "npsave_f4.npy")
        try same(Tensor([1.5, -2.25, 3.0, 0.1, 1e-8, -7.0] as [Float], shape: [2, 3]), "f4_2x3.npy")
        try same(Tensor([-9007199254740993, 2, 3, Int64.max] as [Int64], shape: [2, 2]), "i8_2x2.npy")
        try same(Tensor([true, false, true]), "b1_vec.npy")
        try same(Tensor(scalar: 2.5, dtype: .float64), "scalar_f8.npy")
        try same(Tensor.zeros(0, 3), "empty_f4.npy")
        try same(Tensor([0, 255, 17, 128] as [UInt8], shape: [2, 2]), "u1_2x2.npy")
        try same(Tensor([-32768, 1, 32767] as [Int16]), "i2_vec.npy")
    }

    @Test(arguments: [DType.bool, .uint8, .int8, .int16, .int32, .int64, .float16, .float32, .float64])
    func roundTripsEveryDType(_ dtype: DType) throws {
        let values: [Double] = [0, 1, -2, 3.5, 100, -7.25]
        let t = Tensor(values, shape: [2, 3]).to(dtype)
        for x in [t, t.t(), t.reshape(6).slice(0, start: 1, end: 5), t.select(0, 1).select(0, 2)] {
            let data = try x.npyData()
            let back = try Tensor.loadNpy(from: data)
            #expect(back.dtype == dtype && back.shape == x.shape && back.scalars == x.scalars, "\(dtype) \(x.shape)")
        }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.npy")
        try t.saveNpy(to: url)
        #expect(try Tensor.loadNpy(from: url).scalars == t.scalars)
    }

    @Test func saveIsAtomicAndReplaces() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.npy")
        try Tensor.ones(100).saveNpy(to: url)
        try Tensor.arange(3).saveNpy(to: url)
        #expect(try Tensor.loadNpy(from: url).toArray(as: Int64.self) == [0, 1, 2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["w.npy"])   // no temp files left
        let missing = dir.appendingPathComponent("no/such/dir/w.npy")
        #expect(throws: NpyError.self) { try Tensor.ones(1).saveNpy(to: missing) }
        #expect(throws: NpyError.self) { try Tensor.ones([2], dtype: .bfloat16).saveNpy(to: url) }
        #expect(try Tensor.loadNpy(from: url).toArray(as: Int64.self) == [0, 1, 2])   // failed saves left it intact
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        let u4 = fixture("u4_vec.npy")
        do { _ = try Tensor.loadNpy(from: u4); Issue.record("u4 loaded") } catch let e as NpyError {
            #expect(e.reason == .unsupportedDType("'<u4'"))
            #expect(e.description == "\(u4.path): unsupported dtype '<u4'")
        }
        #expect(reason { try load("c8_vec.npy") } == .unsupportedDType("'<c8'"))
        if case .unsupportedDType(let d)? = reason({ try load("structured.npy") }) { #expect(d.contains("structured")) }
        else { Issue.record("structured dtype accepted") }
        let bad = Data("PK\u{3}\u{4} not numpy at all".utf8)
        #expect(reason { try Tensor.loadNpy(from: bad) } == .badMagic)
        let e = NpyError(file: "a.npy", reason: .truncatedHeader(offset: 9, needed: 128))
        #expect(e.description == "a.npy: truncated header at offset 9 (the header needs 128 bytes)")
        #expect(NpyError(file: "b.npy", reason: .truncatedData(expected: 24, available: 20)).description
                == "b.npy: data shorter than the shape needs: 20 bytes, expected 24")
        var v9 = try Data(contentsOf: fixture("i4_vec.npy"))
        v9[6] = 9
        #expect(reason { try Tensor.loadNpy(from: v9) } == .unsupportedVersion(major: 9, minor: 0))
        let missing = fixture("does-not-exist.npy")
        do { _ = try Tensor.loadNpy(from: missing) } catch let e as NpyError { #expect(e.file == missing.path) }
    }

    @Test func malformedHeadersThrow() throws {
        func npy(_ header: String, data: [UInt8] = [0, 0, 0, 0]) -> Data {
            var h = Array(header.utf8)
            h += [UInt8](repeating: 0x20, count: (64 - (10 + h.count + 1) % 64) % 64) + [0x0A]
            return Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.count & 0xFF), UInt8(h.count >> 8)] + h + data)
        }
        let good = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }")
        #expect(try Tensor.loadNpy(from: good).toArray(as: Int32.self) == [0])
        let cases = [
            "{'descr': '<i4', 'fortran_order': False}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
            "{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': [1]}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)",
            "{'descr': '<i4' 'fortran_order': False, 'shape': (1,)}",
            "{'descr: '<i4', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} trailing",
            String(repeating: "(", count: 100),
        ]
        for h in cases {
            let r = reason { try Tensor.loadNpy(from: npy(h)) }
            if case .malformedHeader? = r {} else { Issue.record("\(h): \(String(describing: r))") }
        }
        #expect(reason { try Tensor.loadNpy(from: npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }")) }
                == .truncatedData(expected: 8, available: 4))
    }

    @Test func truncationAtEveryOffsetThrows() throws {
        let full = try Data(contentsOf: fixture("f4_2x3.npy"))
        let dataStart = 128
        for k in 0..<full.count {
            let r = reason { try Tensor.loadNpy(from: full.prefix(k)) }
            if k < 8 { #expect(r == .truncatedHeader(offset: k, needed: 10)) }
            else if k < 10 { #expect(r == .truncatedHeader(offset: k, needed: 10)) }
            else if k < dataStart { #expect(r == .truncatedHeader(offset: k, needed: dataStart)) }
            else { #expect(r == .truncatedData(expected: 24, available: k - dataStart)) }
        }
        #expect(reason { try Tensor.loadNpy(from: full) } == nil)
    }

    @Test func randomBitFlipsNeverCrash() throws {
        let g = Generator(seed: 2024)
        var thrown = 0, loaded = 0
        for name in ["f4_2x3.npy", "fortran_i4_3d.npy", "b1_vec.npy", "v2_i8.npy"] {
            let original = try Data(contentsOf: fixture(name))
            for _ in 0..<800 {
                var d = original
                let flips = 1 + Int(g.nextUInt32() % 3)
                for _ in 0..<flips {
                    // Bias toward the header, where the parser lives.
                    let limit = g.nextUInt32() % 4 == 0 ? d.count : Swift.min(d.count, 140)
                    let bit = Int(g.nextUInt32() % UInt32(limit * 8))
                    d[bit / 8] ^= UInt8(1 << (bit % 8))
                }
                do {
                    let t = try Tensor.loadNpy(from: d)
                    loaded += 1
                    #expect(t.numel * t.dtype.itemSize <= d.count)
                    if t.dtype == .bool { #expect(t.toArray(as: UInt8.self).allSatisfy { $0 <= 1 }) }
                } catch is NpyError { thrown += 1 }
            }
        }
        #expect(thrown > 0 && loaded > 0 && thrown + loaded == 3200)
    }
}
