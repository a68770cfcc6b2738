import Synchronization

/// A value a state holds without having built it: built on first use, once, because it is
/// needed only when a later retraction asks for it.
///
/// Shared between copies of a state (a reference), and safe to consult from several threads.
public final class Deferred<Value: Sendable>: Sendable {
    private let build: @Sendable () -> Value
    private let value = Mutex<Value?>(nil)

    /// `build` makes the value; it runs at most once.
    public init(_ build: @escaping @Sendable () -> Value) {
        self.build = build
    }

    /// Whether the value has been built (whether anything has needed it).
    public var isBuilt: Bool { value.withLock { $0 != nil } }

    /// What `body` finds in the value (built now if it has not been).
    public func read<R>(_ body: (Value) -> R) -> R {
        value.withLock { value in
            if value == nil { value = build() }
            return body(value!)
        }
    }
}

/// Event ids a state holds without having hashed them: those of the events folded in from a
/// checkpoint. Hashing a million ids would cost a checkpoint most of what it saves, and they
/// are needed only when a later retraction names one.
public typealias DeferredEventIDs = Deferred<EventIDs>

extension Deferred where Value == EventIDs {
    /// The seq of the deferred event with this id, if there is one.
    public func seq(of id: String) -> Int? { read { $0.seq(of: id) } }
}

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

/// A set of seqs, a bit each.
public struct SeqSet: Sendable, Equatable {
    private var words: [UInt64] = []

    public init() {}

    /// The set whose bit `s % 64` of word `s / 64` is set for each seq `s` in it.
    public init(words: [UInt64]) { self.words = words }

    public init<S: Sequence<Int>>(_ seqs: S) {
        for seq in seqs { insert(seq) }
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
}
