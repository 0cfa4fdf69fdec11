// BPETrainer: learns a byte-level BPE vocabulary and merges, giving the merges `tokenizers`' BpeTrainer gives.
import Foundation
import Ember

/// Trains a byte-level BPE tokenizer as Hugging Face's `ByteLevelBPETokenizer().train(files, vocab_size,
/// min_frequency)` does, with the same merges in the same order.
///
/// The text is read as `tokenizers` reads files — one sequence per line, line ending included — and each
/// sequence is split by `GPT2PreTokenizer` into pieces whose UTF-8 bytes are written in GPT-2's characters.
/// The vocabulary starts with the special tokens, then the 256 byte characters sorted by code point; then,
/// until it holds `vocabSize` tokens, the most frequent adjacent pair (counted over the pieces, weighted by
/// how often each piece occurs) is merged. Ties go to the pair whose (left id, right id) is smallest — the
/// order of `tokenizers`' merge queue (`bpe/trainer.rs`, `impl Ord for Merge`). Training stops early when the
/// best pair occurs fewer than `minFrequency` times. The queue's bookkeeping (counts refreshed lazily, each
/// queued pair carrying the words it was seen in) is `tokenizers`' own, so even its rare corner — a merge
/// whose result already exists re-creating a pair merged before — comes out the same.
///
/// ```swift
/// let trainer = BPETrainer(vocabSize: 1000, minFrequency: 2)
/// let tokenizer = try trainer.train(files: ["timemachine.txt"])
/// try tokenizer.save(directory: "out", prefix: "timemachine_bytelevel")
/// ```
public struct BPETrainer: Sendable {
    /// The vocabulary size to reach (special tokens and the 256 byte characters included).
    public var vocabSize: Int
    /// Pairs seen fewer times are never merged. 2 by default, as `ByteLevelBPETokenizer.train`
    /// (`BpeTrainer` alone defaults to 0).
    public var minFrequency: Int
    /// Tokens placed first in the vocabulary (ids 0, 1, ...), e.g. `["<|endoftext|>"]`.
    public var specialTokens: [String]
    /// Adds a space before each sequence that does not start with one, as `add_prefix_space=True`.
    public var addPrefixSpace: Bool

    /// A trainer; stops with a message for a non-positive `vocabSize` or a negative `minFrequency`.
    ///
    /// - Parameters:
    ///   - vocabSize: The size of the final vocabulary, alphabet and special tokens included.
    ///   - minFrequency: Pairs seen fewer times than this are not merged.
    ///   - specialTokens: Tokens added first, with the lowest ids.
    ///   - addPrefixSpace: Add a space before the text, so the first word is encoded like the others.
    public init(vocabSize: Int = 30000, minFrequency: Int = 2, specialTokens: [String] = [], addPrefixSpace: Bool = false) {
        emberCheck(vocabSize > 0, "BPETrainer", "vocabSize must be positive, got \(vocabSize)")
        emberCheck(minFrequency >= 0, "BPETrainer", "minFrequency must be non-negative, got \(minFrequency)")
        self.vocabSize = vocabSize; self.minFrequency = minFrequency
        self.specialTokens = specialTokens; self.addPrefixSpace = addPrefixSpace
    }

    /// Trains on text files, one sequence per line (line endings kept), as `tokenizer.train(files)`.
    /// - Throws: `TextError.unreadableFile` for a file that cannot be read or is not UTF-8.
    public func train(files: [String]) throws -> ByteLevelBPETokenizer {
        var sequences: [String] = []
        for file in files {
            guard let text = String(validating: try readFileBytes(file), as: UTF8.self) else {
                throw TextError.unreadableFile(path: file, reason: "not valid UTF-8")
            }
            sequences += linesKeepingEndings(text)
        }
        return train(sequences: sequences)
    }

    /// Trains on in-memory sequences, each pre-tokenized on its own (`tokenizer.train_from_iterator`).
    public func train(sequences: [String]) -> ByteLevelBPETokenizer {
        let (vocab, merges) = learn(wordCounts: countPieces(sequences))
        return ByteLevelBPETokenizer(vocab: vocab, merges: merges, addPrefixSpace: addPrefixSpace)
    }

    /// The byte-level pieces of all sequences with their counts, in order of first appearance.
    func countPieces(_ sequences: [String]) -> [(String, Int)] {
        var index: [String: Int] = [:]
        var counts: [(String, Int)] = []
        for sequence in sequences {
            var text = addPrefixSpace && !sequence.isEmpty && !sequence.hasPrefix(" ") ? " " + sequence : sequence
            text.withUTF8 { buf in
                GPT2PreTokenizer.forEachPiece(buf) { range in
                    let piece = ByteUnicodeMap.encode(UnsafeBufferPointer(rebasing: buf[range]))
                    if let k = index[piece] { counts[k].1 += 1 } else { index[piece] = counts.count; counts.append((piece, 1)) }
                }
            }
        }
        return counts
    }

    /// `BpeTrainer::do_train` over counted pieces: the vocabulary and the merges in rank order.
    func learn(wordCounts: [(String, Int)]) -> (vocab: [String: Int], merges: [(String, String)]) {
        var wordToId: [String: Int32] = [:]
        var idToWord: [String] = []
        func add(_ token: String) {
            if wordToId[token] == nil { wordToId[token] = Int32(idToWord.count); idToWord.append(token) }
        }
        specialTokens.forEach(add)
        // The alphabet: the byte characters plus any character of the pieces, sorted by code point.
        var alphabet = Set(ByteUnicodeMap.alphabet)
        for (word, _) in wordCounts { alphabet.formUnion(word.unicodeScalars) }
        alphabet.sorted { $0.value < $1.value }.forEach { add(String($0)) }

        var words: [[Int32]] = wordCounts.map { w in w.0.unicodeScalars.map { wordToId[String($0)]! } }
        let counts = wordCounts.map { Int64($0.1) }

        var pairCounts: [UInt64: Int64] = [:]
        var whereToUpdate: [UInt64: Set<Int>] = [:]
        for (i, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let p = pairKey(word[k], word[k + 1])
                pairCounts[p, default: 0] += counts[i]
                whereToUpdate[p, default: []].insert(i)
            }
        }
        var queue = MergeQueue()
        for (pair, pos) in whereToUpdate where pairCounts[pair]! > 0 {
            queue.push(.init(pair: pair, count: pairCounts[pair]!, pos: pos))
        }
        whereToUpdate.removeAll()

        var merges: [(pair: UInt64, newId: Int32)] = []
        while wordToId.count < vocabSize, var top = queue.pop() {
            let actual = pairCounts[top.pair] ?? 0
            if top.count != actual {
                top.count = actual
                queue.push(top)
                continue
            }
            if top.count < 1 || Int64(minFrequency) > top.count { break }
            let (a, b) = unpack(top.pair)
            let newToken = idToWord[Int(a)] + idToWord[Int(b)]
            add(newToken)
            let newId = wordToId[newToken]!
            merges.append((top.pair, newId))
            for i in top.pos {
                for (pair, change) in mergeInWord(&words[i], a, b, newId) {
                    pairCounts[pair, default: 0] += Int64(change) * counts[i]
                    if change > 0 { whereToUpdate[pair, default: []].insert(i) }
                }
            }
            for (pair, pos) in whereToUpdate {
                let count = pairCounts[pair] ?? 0
                if count > 0 { queue.push(.init(pair: pair, count: count, pos: pos)) }
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }

        // tokenizers keeps merges in a map keyed by pair: a pair merged twice keeps its last rank.
        var lastRank: [UInt64: Int] = [:]
        for (rank, m) in merges.enumerated() { lastRank[m.pair] = rank }
        let kept = merges.enumerated().filter { lastRank[$0.element.pair] == $0.offset }
        let mergeStrings = kept.map { m -> (String, String) in
            let (a, b) = unpack(m.element.pair)
            return (idToWord[Int(a)], idToWord[Int(b)])
        }
        var vocab: [String: Int] = [:]
        for (token, id) in wordToId { vocab[token] = Int(id) }
        return (vocab, mergeStrings)
    }

    /// `Word::merge`: merges every `a b` left to right in place; returns the pair-count changes it causes.
    func mergeInWord(_ w: inout [Int32], _ a: Int32, _ b: Int32, _ newId: Int32) -> [(UInt64, Int)] {
        var changes: [(UInt64, Int)] = []
        var i = 0
        while i < w.count {
            if w[i] == a && i + 1 < w.count && w[i + 1] == b {
                if i > 0 {
                    changes.append((pairKey(w[i - 1], a), -1))
                    changes.append((pairKey(w[i - 1], newId), 1))
                }
                w.replaceSubrange(i...(i + 1), with: [newId])
                if i < w.count - 1 {
                    changes.append((pairKey(b, w[i + 1]), -1))
                    changes.append((pairKey(newId, w[i + 1]), 1))
                }
            }
            i += 1
        }
        return changes
    }
}

@inline(__always)
func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

@inline(__always)
func unpack(_ key: UInt64) -> (Int32, Int32) { (Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key)) }

/// Splits text into lines that keep their `\n` (Rust's `lines_with_ending`, which `train_from_files` uses).
func linesKeepingEndings(_ text: String) -> [String] {
    var lines: [String] = []
    var start = text.utf8.startIndex
    var i = start
    while i < text.utf8.endIndex {
        let next = text.utf8.index(after: i)
        if text.utf8[i] == 0x0A { lines.append(String(text[start..<next])); start = next }
        i = next
    }
    if start < text.utf8.endIndex { lines.append(String(text[start...])) }
    return lines
}

/// The trainer's max-priority queue: highest count first, then the smallest pair (left id, then right id).
struct MergeQueue {
    struct Entry {
        let pair: UInt64
        var count: Int64
        let pos: Set<Int>
    }
    private var heap: [Entry] = []

    @inline(__always)
    private static func before(_ x: Entry, _ y: Entry) -> Bool { x.count != y.count ? x.count > y.count : x.pair < y.pair }

    mutating func push(_ e: Entry) {
        heap.append(e)
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            if !Self.before(heap[c], heap[p]) { break }
            heap.swapAt(p, c); c = p
        }
    }

    mutating func pop() -> Entry? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && Self.before(heap[l], heap[m]) { m = l }
            if r < heap.count && Self.before(heap[r], heap[m]) { m = r }
            if m == p { break }
            heap.swapAt(p, m); p = m
        }
        return top
    }
}
