/// Seqs of events a state counts as applied without having marked each: those of a
/// checkpoint's outturns that a view of one partnership left out (see
/// ``LedgerState/countLeftOut(_:through:others:)``). A retraction names one of them only now and
/// then: those the checkpoint's own retractions name come judged already; any other is judged,
/// with all the rest, only when a later retraction names it.
public final class LeftOutSeqs: Sendable {
    private let candidates: SeqSet
    private let judged: [Int: Bool]
    private let rest: Deferred<SeqSet>

    /// `candidates`: the only seqs it may hold; `judged`: some of them, and whether each is held;
    /// `rest`: those of the others it holds, built at most once.
    public init(candidates: SeqSet, judged: [Int: Bool], rest: @escaping @Sendable () -> SeqSet) {
        (self.candidates, self.judged, self.rest) = (candidates, judged, Deferred(rest))
    }

    public func contains(_ seq: Int) -> Bool {
        guard candidates.contains(seq) else { return false }
        return judged[seq] ?? rest.read { $0.contains(seq) }
    }

    /// Whether the rest have been judged (whether a retraction has needed it).
    public var isRestJudged: Bool { rest.isBuilt }
}
