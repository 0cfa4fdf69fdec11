// Vocab: d2l's token <-> index table, `<unk>` first, then reserved tokens, then tokens by frequency.
import Ember

/// A vocabulary mapping tokens to indices, as d2l's `Vocab(tokens, min_freq, reserved_tokens)`.
///
/// Index 0 is `<unk>`, then the reserved tokens in the order given, then every token seen at least
/// `minFrequency` times, most frequent first. Ties keep the order in which the tokens first appear, exactly as
/// d2l's `sorted(Counter(tokens).items(), key=count, reverse=True)` (a stable sort over a `Counter`'s insertion
/// order). Looking up an unknown token gives 0 (`<unk>`).
///
/// ```swift
/// let vocab = Vocab(tokenize(lines, .char))
/// vocab["e"]                  // 2
/// vocab.toTokens([3, 9, 2])   // ["t", "h", "e"]
/// ```
public struct Vocab: Sendable {
    /// Every token, by index (d2l's `idx_to_token`).
    public private(set) var idxToToken: [String]
    /// The index of each token (d2l's `token_to_idx`).
    public private(set) var tokenToIdx: [String: Int]
    /// Every distinct token with its count, most frequent first, ties in order of first appearance
    /// (d2l's `token_freqs`; includes tokens dropped by `minFrequency`).
    public let tokenFreqs: [(token: String, count: Int)]

    /// Builds the vocabulary of a flat token list.
    /// - Parameters:
    ///   - tokens: the tokens, in corpus order (the order decides ties).
    ///   - minFrequency: tokens seen fewer times are left out (they map to `<unk>`). d2l's `min_freq`.
    ///   - reservedTokens: tokens placed right after `<unk>` (e.g. `<pad>`, `<bos>`, `<eos>`).
    public init(_ tokens: [String], minFrequency: Int = 0, reservedTokens: [String] = []) {
        // Count in order of first appearance (a Python Counter's insertion order).
        var firstSeen: [String: Int] = [:]
        var counts: [(token: String, count: Int)] = []
        for token in tokens {
            if let i = firstSeen[token] { counts[i].count += 1 } else {
                firstSeen[token] = counts.count
                counts.append((token, 1))
            }
        }
        // Swift's sort is not stable; sorting by (count descending, first appearance) is.
        let order = counts.indices.sorted { a, b in
            counts[a].count != counts[b].count ? counts[a].count > counts[b].count : a < b
        }
        tokenFreqs = order.map { counts[$0] }
        idxToToken = ["<unk>"] + reservedTokens
        tokenToIdx = [:]
        for (i, token) in idxToToken.enumerated() where tokenToIdx[token] == nil { tokenToIdx[token] = i }
        for (token, count) in tokenFreqs {
            if count < minFrequency { break }
            if tokenToIdx[token] == nil {
                idxToToken.append(token)
                tokenToIdx[token] = idxToToken.count - 1
            }
        }
    }

    /// Builds the vocabulary of tokenized lines (d2l flattens a list of lists the same way).
    ///
    /// - Parameters:
    ///   - lines: The tokenized lines to count tokens in.
    ///   - minFrequency: Tokens seen fewer times than this map to `<unk>`.
    ///   - reservedTokens: Tokens given the first ids after `<unk>`.
    public init(_ lines: [[String]], minFrequency: Int = 0, reservedTokens: [String] = []) {
        self.init(lines.flatMap { $0 }, minFrequency: minFrequency, reservedTokens: reservedTokens)
    }

    /// The number of tokens, `<unk>` and reserved tokens included (d2l's `len(vocab)`).
    public var count: Int { idxToToken.count }

    /// The index of `<unk>`: always 0.
    public var unk: Int { 0 }

    /// The index of `token`, or 0 (`<unk>`) when it is not in the vocabulary.
    public subscript(token: String) -> Int { tokenToIdx[token] ?? 0 }

    /// The indices of `tokens` (d2l's `vocab[list]`).
    public subscript(tokens: [String]) -> [Int] { tokens.map { self[$0] } }

    /// The token at `index` (d2l's `to_tokens`); stops with a message for an index outside the vocabulary.
    public func toTokens(_ index: Int) -> String {
        emberCheck(index >= 0 && index < idxToToken.count, "Vocab.toTokens",
                   "index \(index) is out of range for a vocabulary of \(idxToToken.count) tokens")
        return idxToToken[index]
    }

    /// The tokens at `indices`.
    public func toTokens(_ indices: [Int]) -> [String] { indices.map { toTokens($0) } }
}
