// Packing tests: the C packers against their definition, for every tile shape any ISA uses.
import Testing
import CEmberKernels

@Suite("GemmPacking")
struct GemmPackingTests {
    @Test("pack A into MR-row panels, zero-padded", arguments: [4, 6, 12])
    func packA(mr: Int) {
        for (mc, kc) in [(1, 1), (mr, 8), (2 * mr + 1, 7), (3 * mr, 17), (mr + 5, 64), (1, 9)] {
            for layout in Layout.allCases {
                let (rs, cs, size) = layout.strides(rows: mc, cols: kc)
                let source = (0..<size).map { Float($0) * 0.5 + 1 }
                let panels = (mc + mr - 1) / mr
                var packed = [Float](repeating: .nan, count: panels * mr * kc)
                ember_spack_a(mc, kc, source, rs, cs, mr, &packed)
                var ok = true
                for i in 0..<panels * mr {
                    for p in 0..<kc {
                        let want: Float = i < mc ? source[i * rs + p * cs] : 0
                        ok = ok && packed[(i / mr) * mr * kc + p * mr + i % mr] == want
                    }
                }
                #expect(ok, "spack_a mr=\(mr) \(mc)x\(kc) \(layout)")
                let sourceD = source.map(Double.init)
                var packedD = [Double](repeating: .nan, count: panels * mr * kc)
                ember_dpack_a(mc, kc, sourceD, rs, cs, mr, &packedD)
                #expect(packedD == packed.map(Double.init), "dpack_a mr=\(mr) \(mc)x\(kc) \(layout)")
            }
        }
    }

    @Test("pack B into NR-column panels, zero-padded to a multiple of 16 columns", arguments: [8, 16, 32, 64])
    func packB(nr: Int) {
        // Partial last panels of 5, 9 and 14 columns past 8 k steps take the AVX2 transposing packer when B is column-major.
        for (kc, nc) in [(1, 1), (8, nr), (7, 2 * nr + 1), (17, 3 * nr), (64, nr + 5), (9, 1), (20, nr + 9), (33, 2 * nr + 14)] {
            for layout in Layout.allCases {
                let (rs, cs, size) = layout.strides(rows: kc, cols: nc)
                let source = (0..<size).map { Float($0) * 0.25 - 3 }
                let panels = (nc + nr - 1) / nr
                var packed = [Float](repeating: .nan, count: panels * nr * kc)
                ember_spack_b(kc, nc, source, rs, cs, nr, &packed)
                // The last panel's columns past nc are zero up to the next multiple of 16 (or nr), then untouched.
                let lastColumns = nc - (panels - 1) * nr, padded = min(nr, (lastColumns + 15) / 16 * 16)
                func check<T: BinaryFloatingPoint>(_ packed: [T]) -> Bool {
                    var ok = true
                    for j in 0..<panels * nr {
                        for p in 0..<kc {
                            let got = packed[(j / nr) * nr * kc + p * nr + j % nr]
                            if j < nc { ok = ok && got == T(source[p * rs + j * cs]) }
                            else if j % nr < padded { ok = ok && got == 0 }
                            else { ok = ok && got.isNaN }
                        }
                    }
                    return ok
                }
                #expect(check(packed), "spack_b nr=\(nr) \(kc)x\(nc) \(layout)")
                let sourceD = source.map(Double.init)
                var packedD = [Double](repeating: .nan, count: panels * nr * kc)
                ember_dpack_b(kc, nc, sourceD, rs, cs, nr, &packedD)
                #expect(check(packedD), "dpack_b nr=\(nr) \(kc)x\(nc) \(layout)")
            }
        }
    }
}
