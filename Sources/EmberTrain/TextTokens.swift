// TextTokens: the Time Machine as token ids for the language models (d2l's characters or a byte-level BPE), and the
// way back from ids to text; what a language-model checkpoint stores to rebuild it.
import Foundation
import EmberIO
import EmberText

/// How the book is cut into tokens: d2l's characters (28 symbols) or a byte-level BPE trained on the book.
public enum TokenizerChoice: String, CaseIterable { case char, bpe }

/// The tokens of the book and the way back from ids to text.
public struct TextTokens {
    /// The book as token ids (the first `maxTokens` of them when that was given).
    public let corpus: [Int]
    /// The number of distinct ids (the model's input and output size).
    public let vocabSize: Int
    /// Characters or BPE.
    public let tokenizer: TokenizerChoice
    /// Characters by id (`char`), or the BPE tokenizer.
    let characters: [String]
    let bpe: ByteLevelBPETokenizer?

    /// d2l's character corpus (letters and spaces, lower case), or a byte-level BPE of `bpeVocabSize` tokens
    /// trained on the raw book.
    ///
    /// - Parameters:
    ///   - choice: Characters or byte-level BPE.
    ///   - bookPath: The book's text file (nil: the copy in `Data/timemachine/`).
    ///   - maxTokens: Keep only the first this many tokens of the corpus, as d2l's `max_tokens` (≤ 0: all). The
    ///     vocabulary is built from the whole book either way, as in d2l.
    ///   - bpeVocabSize: The BPE vocabulary size.
    public init(_ choice: TokenizerChoice, bookPath: String?, maxTokens: Int = -1, bpeVocabSize: Int = 1000) throws {
        tokenizer = choice
        switch choice {
        case .char:
            let (corpus, vocab) = try loadCorpusTimeMachine(maxTokens: maxTokens, path: bookPath)
            self.corpus = corpus
            characters = vocab.idxToToken
            vocabSize = vocab.count
            bpe = nil
        case .bpe:
            let text = try String(contentsOfFile: try timeMachinePath(bookPath), encoding: .utf8)
            let t = BPETrainer(vocabSize: bpeVocabSize, minFrequency: 2).train(sequences: [text])
            let ids = t.encode(text)
            corpus = maxTokens > 0 ? Array(ids.prefix(maxTokens)) : ids
            characters = []
            vocabSize = t.vocabSize
            bpe = t
        }
    }

    /// Rebuilds the tokens' vocabulary from what a checkpoint stored.
    init(checkpoint root: CheckpointDict, file: String) throws {
        func fail(_ f: String, _ p: String) -> TrainingError { .invalidCheckpoint(file: file, field: f, problem: p) }
        guard case .string(let kind)? = root["tokenizer"], let choice = TokenizerChoice(rawValue: kind) else {
            throw fail("tokenizer", "is missing or not char/bpe")
        }
        tokenizer = choice
        corpus = []
        switch choice {
        case .char:
            guard let items = root["vocab"]?.elements, !items.isEmpty else { throw fail("vocab", "is missing") }
            characters = try items.map { v -> String in
                guard case .string(let s) = v else { throw fail("vocab", "holds a \(v.kindName)") }
                return s
            }
            vocabSize = characters.count
            bpe = nil
        case .bpe:
            guard let tokens = root["bpe_tokens"]?.elements, let merges = root["bpe_merges"]?.elements else {
                throw fail("bpe_tokens", "is missing")
            }
            var vocab: [String: Int] = [:]
            for (i, v) in tokens.enumerated() { if case .string(let s) = v { vocab[s] = i } }
            let pairs = merges.compactMap { v -> (String, String)? in
                guard case .string(let s) = v, let space = s.firstIndex(of: " ") else { return nil }
                return (String(s[..<space]), String(s[s.index(after: space)...]))
            }
            guard vocab.count == tokens.count, pairs.count == merges.count else { throw fail("bpe_tokens", "is damaged") }
            bpe = ByteLevelBPETokenizer(vocab: vocab, merges: pairs)
            characters = []
            vocabSize = vocab.count
        }
    }

    /// What a checkpoint stores to rebuild the tokenizer.
    var checkpointEntries: [(String, CheckpointValue)] {
        switch tokenizer {
        case .char: return [("tokenizer", "char"), ("vocab", .list(characters.map { .string($0) }))]
        case .bpe:
            let t = bpe!
            return [("tokenizer", "bpe"), ("bpe_tokens", .list(t.idToToken.map { .string($0 ?? "") })),
                    ("bpe_merges", .list(t.merges.map { .string($0.0 + " " + $0.1) }))]
        }
    }

    /// The ids of `text` (characters: lower-cased, unknown characters map to id 0, `<unk>`).
    public func encode(_ text: String) -> [Int] {
        switch tokenizer {
        case .char:
            let index = Dictionary(characters.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            return text.lowercased().map { index[String($0)] ?? 0 }
        case .bpe: return bpe!.encode(text)
        }
    }

    /// The text of `ids` (ids outside the vocabulary give nothing).
    public func decode(_ ids: [Int]) -> String {
        switch tokenizer {
        case .char: return ids.map { characters.indices.contains($0) ? characters[$0] : "" }.joined()
        case .bpe: return bpe!.decode(ids)
        }
    }
}
