// ByteLevelBPETokenizer: GPT-2 / Hugging Face byte-level BPE — vocab.json + merges.txt, encode, decode.
import Foundation
import Ember

/// A byte-level BPE tokenizer compatible with GPT-2 and Hugging Face `tokenizers`' `ByteLevelBPETokenizer`.
///
/// Encoding splits the text with GPT-2's pattern (`GPT2PreTokenizer`), writes each piece's UTF-8 bytes as
/// GPT-2's printable characters (`ByteUnicodeMap`) and merges them by rank (`tokenizers`' rule: lowest rank
/// first, leftmost among equals), so any string — accents, CJK, emoji, control characters — encodes without
/// an unknown token and `decode(encode(s)) == s`. The ids equal `tokenizers`' for the same files.
/// Differences from `tokenizers`: no added/special-token matching inside the text, no offsets, no
/// normalizer; a byte missing from the vocabulary is dropped as `tokenizers` does without `unk_token`.
///
/// ```swift
/// let tok = try ByteLevelBPETokenizer(vocabFile: "vocab.json", mergesFile: "merges.txt")
/// let ids = tok.encode("The Time Traveller")     // tokenizer.encode(text).ids
/// let text = tok.decode(ids)                      // tokenizer.decode(ids)
/// ```
/// Encoding is thread-safe: a lock guards the cache of pieces already seen.
public final class ByteLevelBPETokenizer: @unchecked Sendable {
    /// Every token string by id (nil where the vocabulary has no such id).
    public let idToToken: [String?]
    /// The id of each token string.
    public let tokenToId: [String: Int]
    /// The merges, in rank order, as `(left, right)` token strings.
    public let merges: [(String, String)]
    /// Adds a space before a text that does not start with one, so its first word is encoded like the
    /// others (`add_prefix_space` of `tokenizers`' `ByteLevel`; GPT-2's files are used with `false`).
    public let addPrefixSpace: Bool

    let table: PairTable
    /// The id of each byte's one-character token (-1 when the vocabulary lacks it).
    let byteIds: [Int32]
    /// The raw bytes of each id's token, for decoding.
    let tokenBytes: [[UInt8]]
    private var cache = WordCache()
    private var merger = BPEMerger()
    private let lock = NSLock()

    /// Builds a tokenizer from a vocabulary and merges in rank order.
    ///
    /// A merge whose pieces or result are not in the vocabulary is a programming error here (it stops with a
    /// message); the file initializer throws for the same fault instead.
    ///
    /// - Parameters:
    ///   - vocab: Token to id (`vocab.json`).
    ///   - merges: The merges in rank order (`merges.txt`).
    ///   - addPrefixSpace: Add a space before the text, so the first word is encoded like the others.
    public convenience init(vocab: [String: Int], merges: [(String, String)], addPrefixSpace: Bool = false) {
        do {
            try self.init(checkedVocab: vocab, merges: merges, addPrefixSpace: addPrefixSpace)
        } catch let error as MergeError {
            emberFail("ByteLevelBPETokenizer", "merge \(error.rank + 1) (\(merges[error.rank].0) \(merges[error.rank].1)): \(error.reason)")
        } catch {
            emberFail("ByteLevelBPETokenizer", "\(error)")
        }
    }

    /// A merge that cannot be built from the vocabulary: its 0-based rank and why.
    struct MergeError: Error { let rank: Int; let reason: String }

    init(checkedVocab vocab: [String: Int], merges: [(String, String)], addPrefixSpace: Bool) throws {
        let maxId = vocab.values.max() ?? -1
        var byId = [String?](repeating: nil, count: maxId + 1)
        for (token, id) in vocab { byId[id] = token }
        var table = PairTable(capacity: merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[a] else { throw MergeError(rank: rank, reason: "token '\(a)' is not in the vocabulary") }
            guard let ib = vocab[b] else { throw MergeError(rank: rank, reason: "token '\(b)' is not in the vocabulary") }
            guard let merged = vocab[a + b] else { throw MergeError(rank: rank, reason: "merged token '\(a + b)' is not in the vocabulary") }
            table.insert(Int32(ia), Int32(ib), rank: Int32(rank), newId: Int32(merged))
        }
        self.idToToken = byId
        self.tokenToId = vocab
        self.merges = merges
        self.addPrefixSpace = addPrefixSpace
        self.table = table
        self.byteIds = ByteUnicodeMap.byteToScalar.map { s in vocab[String(s)].map(Int32.init) ?? -1 }
        // tokenizers' ByteLevel decoder: a token made only of mapped characters gives their bytes, any other
        // token (an added token such as "<|endoftext|>") its own UTF-8.
        self.tokenBytes = byId.map { token in
            guard let token else { return [] }
            return ByteUnicodeMap.decode(token) ?? Array(token.utf8)
        }
    }

    /// The number of tokens in the vocabulary.
    public var vocabSize: Int { tokenToId.count }

    /// The token ids of `text` (`tokenizer.encode(text).ids`).
    public func encode(_ text: String) -> [Int] {
        var text = addPrefixSpace && !text.isEmpty && !text.hasPrefix(" ") ? " " + text : text
        return text.withUTF8 { buf in
            lock.lock(); defer { lock.unlock() }
            var out: [Int] = []
            out.reserveCapacity(buf.count / 3)
            var word: [Int32] = []
            GPT2PreTokenizer.forEachPiece(buf) { range in
                let piece = UnsafeBufferPointer(rebasing: buf[range])
                let h = WordCache.hash(piece)
                if cache.appendIds(of: piece, hash: h, to: &out) { return }
                word.removeAll(keepingCapacity: true)
                for b in piece where byteIds[Int(b)] >= 0 { word.append(byteIds[Int(b)]) }
                merger.merge(&word, table: table)
                for id in word { out.append(Int(id)) }
                cache.insert(piece, hash: h, ids: word)
            }
            return out
        }
    }

    /// The token strings of `text` (`tokenizer.encode(text).tokens`), in GPT-2's byte characters (`Ġ` for a space).
    public func encodeToTokens(_ text: String) -> [String] { encode(text).map { idToToken[$0]! } }

    /// The text of `ids` (`tokenizer.decode(ids)`): the tokens' bytes joined, invalid UTF-8 replaced by U+FFFD.
    /// Stops with a message for an id outside the vocabulary.
    public func decode(_ ids: [Int]) -> String { String(decoding: decodeBytes(ids), as: UTF8.self) }

    /// The raw bytes of `ids` (a token may hold part of a multi-byte character).
    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids {
            emberCheck(id >= 0 && id < idToToken.count && idToToken[id] != nil, "ByteLevelBPETokenizer.decode",
                       "id \(id) is not in the vocabulary (\(vocabSize) tokens)")
            bytes.append(contentsOf: tokenBytes[id])
        }
        return bytes
    }

    /// Forgets the pieces encoded so far (the cache holds at most 100,000).
    public func clearCache() { lock.lock(); cache.removeAll(); lock.unlock() }
}
