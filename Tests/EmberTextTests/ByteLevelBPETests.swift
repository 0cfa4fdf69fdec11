// ByteLevelBPETests: GPT-2's pre-tokenisation by hand, the byte map, round trips of random UTF-8 strings.
import Foundation
import Testing
import EmberText

@Suite struct ByteLevelBPETests {
    /// Each expectation derived by hand from the pattern
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    @Test func preTokenizerFollowsGPT2Pattern() {
        let cases: [(String, [String])] = [
            ("Hello  world's 42!", ["Hello", " ", " world", "'s", " 42", "!"]),
            ("", []),
            ("   ", ["   "]),                                    // trailing whitespace: one piece
            ("a\t\tb", ["a", "\t", "\t", "b"]),                 // a run gives back its last; a lone tab is `\s+`
            ("a \n b", ["a", " \n", " b"]),
            ("I'M it's we'll 're", ["I", "'", "M", " it", "'s", " we", "'ll", " '", "re"]),
            ("x ''s", ["x", " ''", "s"]),
            ("naïve café 時間 ٣٤", ["naïve", " café", " 時間", " ٣٤"]),   // letters and Arabic-Indic digits
            ("Ⅻ½", ["Ⅻ½"]),                                     // letter number and other number are both \p{N}
            ("a\u{00A0}b", ["a", "\u{00A0}", "b"]),             // no-break space is \s, and only U+0020 joins a word
            ("🚀🚀 x", ["🚀🚀", " x"]),
            ("e\u{301}", ["e", "\u{301}"]),                      // a combining mark is neither L nor N
            ("a\u{10940}", ["a", "\u{10940}"]),                  // a Unicode 17 letter: unassigned for tokenizers
        ]
        for (text, pieces) in cases {
            #expect(GPT2PreTokenizer.split(text) == pieces, "\(text.debugDescription)")
        }
    }

    @Test func byteMapMatchesGPT2() {
        #expect(ByteUnicodeMap.byteToScalar[0x20] == "\u{120}")   // Ġ
        #expect(ByteUnicodeMap.byteToScalar[0x0A] == "\u{10A}")   // Ċ
        #expect(ByteUnicodeMap.byteToScalar[0x00] == "\u{100}")
        #expect(ByteUnicodeMap.byteToScalar[0x41] == "A")
        #expect(ByteUnicodeMap.byteToScalar[0xAD] == "\u{143}")   // the last of the 68 remapped bytes
        #expect(Set(ByteUnicodeMap.byteToScalar).count == 256)
        let all = (0...255).map { UInt8($0) }
        #expect(ByteUnicodeMap.decode(ByteUnicodeMap.encode(all)) == all)
    }

    /// decode(encode(s)) == s for random strings mixing every kind of scalar the pattern distinguishes.
    @Test func randomStringsRoundTrip() {
        var rng = SplitMix(seed: 14)
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x00...0x1F, 0xA0...0x17F, 0x300...0x36F, 0x400...0x4FF,
                                            0x600...0x6FF, 0x2000...0x206F, 0x3040...0x30FF, 0x4E00...0x4E80,
                                            0xAC00...0xAC40, 0x1F300...0x1F64F, 0xE000...0xE010, 0x10FFF0...0x10FFFD]
        let tokenizer = goldenByteLevel
        for _ in 0..<300 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(rng.next() % 40) {
                let pool = pools[Int(rng.next() % UInt64(pools.count))]
                if let u = Unicode.Scalar(pool.lowerBound + UInt32(rng.next() % UInt64(pool.count))) { s.append(u) }
                if rng.next() % 5 == 0 { s.append(" ") }
            }
            let text = String(s)
            // Compare bytes: String's == is canonical equivalence and would hide a changed byte.
            #expect(Array(tokenizer.decode(tokenizer.encode(text)).utf8) == Array(text.utf8), "\(text.debugDescription)")
            #expect(Array(GPT2PreTokenizer.split(text).joined().utf8) == Array(text.utf8))
        }
    }

    /// Each piece of a text encodes alone to the same ids (the cache must not change anything).
    @Test func cachedAndFreshEncodingsAgree() {
        let text = "the the the Time Traveller's time, 1898."
        let first = goldenByteLevel.encode(text)
        goldenByteLevel.clearCache()
        #expect(goldenByteLevel.encode(text) == first)
        #expect(GPT2PreTokenizer.split(text).flatMap { goldenByteLevel.encode($0) } == first)
    }

    @Test func addPrefixSpaceEncodesTheFirstWordLikeTheOthers() {
        let (vocab, merges) = goldenBPEFiles()
        let prefixed = try! ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges, addPrefixSpace: true)
        #expect(prefixed.encode("Time") == goldenByteLevel.encode(" Time"))
        #expect(prefixed.encode(" Time") == goldenByteLevel.encode(" Time"))
        #expect(prefixed.encode("").isEmpty)
    }
}

/// A tiny deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
