/// A set of seqs kept rising in one array (which events are retractions: a few thousand spread
/// over a London-wide ledger, too few for a bit per seq). A fold meets them in seq order, so an
/// insert is an append; one out of order moves those after it along.
public struct SeqMembers: Equatable, Sendable, Sequence {
    private var seqs: [Int] = []

    public init() {}

    public var count: Int { seqs.count }

    public func contains(_ seq: Int) -> Bool {
        let i = firstIndex(notBelow: seq)
        return i < seqs.count && seqs[i] == seq
    }

    public mutating func insert(_ seq: Int) {
        guard let last = seqs.last, seq <= last else { return seqs.append(seq) }
        let i = firstIndex(notBelow: seq)
        if seqs[i] != seq { seqs.insert(seq, at: i) }
    }

    public mutating func reserveCapacity(_ capacity: Int) { seqs.reserveCapacity(capacity) }

    /// The seqs, rising.
    public func makeIterator() -> IndexingIterator<[Int]> { seqs.makeIterator() }

    /// Where `seq` is, or would go.
    private func firstIndex(notBelow seq: Int) -> Int { partitionPoint(seqs.indices) { seqs[$0] < seq } }
}
