/// A set of seqs, a bit each: which events a state has applied, which seqs of a checkpoint are
/// outturns.
public struct SeqSet: Sendable, Equatable {
    /// Bit `s % 64` of word `s / 64` is set for each seq `s` in the set.
    public private(set) var words: [UInt64] = []

    public init() {}

    /// The set whose bit `s % 64` of word `s / 64` is set for each seq `s` in it.
    public init(words: [UInt64]) { self.words = words }

    public init<S: Sequence<Int>>(_ seqs: S) {
        for seq in seqs { insert(seq) }
    }

    /// Makes room for the seqs up to `seq` at once.
    public mutating func reserveCapacity(upTo seq: Int) {
        words.reserveCapacity(seq / 64 + 1)
    }

    public mutating func insert(_ seq: Int) {
        precondition(seq >= 0)
        let word = seq >> 6
        if words.count <= word { words.append(contentsOf: repeatElement(0, count: max(word + 1, words.count * 2) - words.count)) }
        words[word] |= 1 << UInt64(seq & 63)
    }

    public func contains(_ seq: Int) -> Bool {
        seq >= 0 && seq >> 6 < words.count && words[seq >> 6] & (1 << UInt64(seq & 63)) != 0
    }

    /// How many seqs of the set lie below `limit`, and the greatest of them (0 if none).
    public func census(below limit: Int) -> (count: Int, last: Int) {
        var (count, last) = (0, 0)
        for (w, word) in words.enumerated() {
            guard w << 6 < limit else { break }
            let below = limit - w << 6 >= 64 ? word : word & (1 << UInt64(limit - w << 6) - 1)
            count += below.nonzeroBitCount
            if below != 0 { last = w << 6 + 63 - below.leadingZeroBitCount }
        }
        return (count, last)
    }

    /// The words without the zero words at the end (as written down).
    public var trimmedWords: ArraySlice<UInt64> {
        words[..<(words.lastIndex { $0 != 0 }.map { $0 + 1 } ?? 0)]
    }
}
