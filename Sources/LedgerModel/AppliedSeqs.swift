/// Which seqs a fold has applied. A replay of everything applies a million: a bit per seq in one
/// array (128 KB), made room for at once. A view of one partnership and indicator applies a few
/// hundred spread over the whole ledger, and a bit array up to the highest would be 137 KB of
/// fresh memory — 34 page faults, a tenth of such a view on a virtual machine — so until room is
/// made for many, the words that have a bit set are kept by their index alone.
struct AppliedSeqs {
    private var all = SeqSet()
    private var few = SeqMap() // (by word index + 1: keys start at 1)
    private var isAll = false

    /// Words kept by index before they are moved into one array (a narrowed view sets a bit in a
    /// few hundred; a replay of everything that made no room, of a board say, moves them early).
    static let fewWords = 1024

    /// Makes room for `count` more seqs, up to `seq`: one array when they are many.
    mutating func reserveCapacity(upTo seq: Int, count: Int) {
        guard count >= Self.fewWords || isAll else { return }
        makeAll()
        all.reserveCapacity(upTo: seq)
    }

    mutating func insert(_ seq: Int) {
        if isAll { return all.insert(seq) }
        precondition(seq >= 0)
        let word = (seq >> 6) + 1
        few[word] = Int(bitPattern: UInt(bitPattern: few[word] ?? 0) | 1 << UInt(seq & 63))
        if few.count > Self.fewWords { makeAll() }
    }

    func contains(_ seq: Int) -> Bool {
        if isAll { return all.contains(seq) }
        return seq >= 0 && UInt(bitPattern: few[(seq >> 6) + 1] ?? 0) & (1 << UInt(seq & 63)) != 0
    }

    private mutating func makeAll() {
        guard !isAll else { return }
        isAll = true
        let words = few.pairs
        if let last = words.map(\.key).max() { all.reserveCapacity(upTo: (last - 1) << 6 + 63) }
        for (word, bits) in words {
            for bit in 0..<64 where UInt(bitPattern: bits) & (1 << UInt(bit)) != 0 { all.insert((word - 1) << 6 + bit) }
        }
        few = SeqMap()
    }
}
