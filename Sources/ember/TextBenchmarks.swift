// Text benchmarks: byte-level BPE over the whole book, twin of `tokenizers` in Benchmarks/torch_reference.py.
import Foundation
import EmberKit

/// `bpe_encode_book`: encode *The Time Machine* (179 kB) with a byte-level BPE of 1000 tokens trained on it
/// (`BPETrainer(vocabSize: 1000, minFrequency: 2)`, the same merges as `tokenizers`' trainer; training is setup).
/// Timed after warm-up, so the cache of pieces already seen is warm on both sides.
func textBenchmarks() -> [Benchmark] {
    [
        Benchmark("bpe_encode_book", runs: 20, skipReason: {
            (try? timeMachinePath()) == nil ? "the book is not found (Data/timemachine or EMBER_DATA_DIR)" : nil
        }) {
            let path = try! timeMachinePath()
            let text = try! String(contentsOfFile: path, encoding: .utf8)
            let tokenizer = try! BPETrainer(vocabSize: 1000, minFrequency: 2).train(files: [path])
            return { _ = tokenizer.encode(text) }
        },
    ]
}
