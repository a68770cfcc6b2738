/// Seqs of events a state counts as applied without having marked each: those of a
/// checkpoint's events that a view of one partnership left out — other partnerships' outturns,
/// targets, actions and the rest (see ``LedgerState/countLeftOut(_:through:)``). A retraction
/// names one of them only now and then: those the checkpoint's own retractions name come judged
/// already; any other is judged, with all the rest, only when a later retraction names it.
public final class LeftOutSeqs: Sendable {
    private let last: Int
    /// Rising seqs (searched by halving: made from a checkpoint's list, already in order, it
    /// costs nothing to build — a table of thousands did).
    private let judged: [(seq: Int, isHeld: Bool)]
    private let rest: Deferred<SeqSet>

    /// `last`: the last seq it may hold (the checkpoint's); `judged`: some seqs, rising, and
    /// whether each is held; `rest`: the others it holds, built at most once. (It may hold seqs
    /// the state marks applied too: asked only of those the state does not.)
    public init(upTo last: Int, judged: [(seq: Int, isHeld: Bool)], rest: @escaping @Sendable () -> SeqSet) {
        precondition(zip(judged, judged.dropFirst()).allSatisfy { $0.seq < $1.seq }, "rising seqs")
        (self.last, self.judged, self.rest) = (last, judged, Deferred(rest))
    }

    public func contains(_ seq: Int) -> Bool {
        guard seq >= 1, seq <= last else { return false }
        let low = partitionPoint(judged.indices) { judged[$0].seq < seq }
        if low < judged.count, judged[low].seq == seq { return judged[low].isHeld }
        return rest.read { $0.contains(seq) }
    }

    /// Whether the rest have been judged (whether a retraction has needed it).
    public var isRestJudged: Bool { rest.isBuilt }
}
