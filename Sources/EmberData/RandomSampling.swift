// RandomSampling: the draws PyTorch's RandomSampler makes for one epoch, so shuffled loaders follow its order.
import Ember

/// How a shuffling `DataLoader` draws an epoch's order, as `torch.utils.data.RandomSampler` does.
///
/// - With an explicit generator `g`: `randperm(n, generator=g)`, and when the epoch runs to its end one more
///   `randperm(n, generator=g)` that PyTorch draws and discards (its sampler asks for the remainder `n % n` of a
///   second permutation).
/// - Without one: a private generator seeded from one draw of the default generator (`random_()` on an int64,
///   the top bit cleared), and `randperm(n)` from it.
///
/// With a core `Generator` this reproduces PyTorch's order bit for bit; other `RandomSource`s shuffle in the same
/// pattern from their own streams.
enum RandomSampling {
    static func epochOrder(count n: Int, source: RandomSource, explicit: Bool) -> (order: [Int], atEnd: (() -> Void)?) {
        if !explicit, source is Generator {
            let own = Generator(seed: source.next() & (UInt64.max >> 1))
            return (own.permutation(n), nil)
        }
        return (source.permutation(n), { _ = source.permutation(n) })
    }
}
