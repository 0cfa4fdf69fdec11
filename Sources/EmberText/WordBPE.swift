// WordBPE: the notes' word-level byte-pair encoding: learning merges from word counts, greedy encoding, decoding.
import Ember

/// The notes' word-level BPE (Sennrich et al.): symbols are strings, a word ends with `</w>`.
///
/// Learning counts adjacent symbol pairs weighted by word frequency and merges the most frequent pair, again
/// and again. Ties go to the pair met first (words in the given order, each left to right — what Python's
/// `max(pairs, key=pairs.get)` over a dict filled in that order does); learning stops after `numMerges` or
/// when the best pair occurs only once. Encoding is greedy longest match against a subword list, one `<unk>`
/// per character nothing matches (d2l's `segment_BPE` emits one `[UNK]` and gives up on the word instead).
///
/// ```swift
/// let words = [("l o w </w>", 5), ("l o w e r </w>", 2), ("n e w e s t </w>", 6), ("w i d e s t </w>", 3)]
/// let result = WordBPE.learn(WordBPE.splitSymbols(words), numMerges: 10)
/// result.merges[0]   // ("e", "s", count: 9)
/// ```
public enum WordBPE {
    /// The end-of-word marker.
    public static let endOfWord = "</w>"
    /// The token for characters no subword covers.
    public static let unknown = "<unk>"

    /// One learned merge: `left` and `right` become `left + right`; `count` is the pair's weighted count.
    public struct Merge: Equatable, Sendable, CustomStringConvertible {
        /// The pair's symbols and how often the pair occurred (weighted by word counts) when it was merged.
        public let left: String, right: String, count: Int
        /// A merge of `left` and `right` seen `count` times.
        ///
        /// - Parameters:
        ///   - left: The left symbol of the pair.
        ///   - right: The right symbol of the pair.
        ///   - count: How often the pair occurs.
        public init(_ left: String, _ right: String, count: Int) { self.left = left; self.right = right; self.count = count }
        /// `(left, right): count`.
        public var description: String { "(\(left), \(right)): \(count)" }
    }

    /// A word as a list of symbols, with its frequency.
    public struct Word: Equatable, Sendable {
        /// The word's current symbols (characters at first, merged pieces later).
        public var symbols: [String]
        /// How often the word occurs.
        public let count: Int
        /// A word of `symbols` seen `count` times.
        public init(symbols: [String], count: Int) { self.symbols = symbols; self.count = count }
        /// The symbols joined by spaces, as the notes print a vocabulary key (`"low e r </w>"`).
        public var spelled: String { symbols.joined(separator: " ") }
    }

    /// Splits the notes' `"l o w </w>"`-style keys on spaces.
    public static func splitSymbols(_ words: [(String, Int)]) -> [Word] {
        words.map { Word(symbols: $0.0.split(separator: " ").map(String.init), count: $0.1) }
    }

    /// Characters of each word plus `</w>`: `("low", 5)` becomes `l o w </w>`.
    public static func characterSymbols(_ words: [(String, Int)]) -> [Word] {
        words.map { Word(symbols: $0.0.unicodeScalars.map { String($0) } + [endOfWord], count: $0.1) }
    }

    /// Learns merges from words in order; returns the merges and the words segmented by them.
    /// - Parameters:
    ///   - words: the words with their counts; their order decides ties.
    ///   - numMerges: the most merges to learn (default: until the best pair occurs once).
    public static func learn(_ words: [Word], numMerges: Int = .max) -> (merges: [Merge], words: [Word]) {
        emberCheck(numMerges >= 0, "WordBPE.learn", "numMerges must be non-negative, got \(numMerges)")
        var words = words
        var merges: [Merge] = []
        while merges.count < numMerges {
            guard let best = mostFrequentPair(words), best.count > 1 else { break }
            merges.append(best)
            for w in words.indices { words[w].symbols = merge(words[w].symbols, best.left, best.right) }
        }
        return (merges, words)
    }

    /// The most frequent adjacent pair, ties to the pair met first; nil when no word has two symbols.
    static func mostFrequentPair(_ words: [Word]) -> Merge? {
        var index: [String: Int] = [:]             // "left right" key -> position in `pairs`
        var pairs: [(left: String, right: String, count: Int)] = []
        for word in words where word.symbols.count > 1 {
            for i in 0..<(word.symbols.count - 1) {
                let key = word.symbols[i] + " " + word.symbols[i + 1]
                if let k = index[key] { pairs[k].count += word.count } else {
                    index[key] = pairs.count
                    pairs.append((word.symbols[i], word.symbols[i + 1], word.count))
                }
            }
        }
        var best: Int? = nil
        for k in pairs.indices where best == nil || pairs[k].count > pairs[best!].count { best = k }
        return best.map { Merge(pairs[$0].left, pairs[$0].right, count: pairs[$0].count) }
    }

    /// Replaces every occurrence of `left right`, scanning left to right without overlaps.
    static func merge(_ symbols: [String], _ left: String, _ right: String) -> [String] {
        var out: [String] = []
        out.reserveCapacity(symbols.count)
        var i = 0
        while i < symbols.count {
            if i + 1 < symbols.count && symbols[i] == left && symbols[i + 1] == right {
                out.append(left + right); i += 2
            } else {
                out.append(symbols[i]); i += 1
            }
        }
        return out
    }

    /// Splits a word (including its `</w>`) into the longest subwords of `subwords`, left to right; a character
    /// that starts no subword becomes one `<unk>`.
    ///
    /// ```swift
    /// WordBPE.encode("mountain</w>", subwords: ["moun", "tain</w>"])   // ["moun", "tain</w>"]
    /// ```
    public static func encode(_ word: String, subwords: Set<String>) -> [String] {
        let chars = Array(word.unicodeScalars)
        let longest = subwords.map { $0.unicodeScalars.count }.max() ?? 0
        var out: [String] = []
        var start = 0
        while start < chars.count {
            var matched = false
            var end = min(chars.count, start + longest)
            while end > start {
                let piece = String(String.UnicodeScalarView(chars[start..<end]))
                if subwords.contains(piece) { out.append(piece); start = end; matched = true; break }
                end -= 1
            }
            if !matched { out.append(unknown); start += 1 }
        }
        return out
    }

    /// Joins tokens back into words: a word ends after a token ending in `</w>` (kept in the word); tokens
    /// after the last `</w>` form a final, unfinished word.
    ///
    /// ```swift
    /// WordBPE.decode(["moun", "tain</w>", "high", "the</w>"])   // ["mountain</w>", "highthe</w>"]
    /// ```
    public static func decode(_ tokens: [String]) -> [String] {
        var words: [String] = []
        var current = ""
        for token in tokens {
            current += token
            if token.hasSuffix(endOfWord) { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
