/// A set of subjects (`target:<id>`, `action:<id>`, `baseline:<id>`) kept as 128-bit
/// fingerprints of their bytes, in rising order: a view of one partnership notes the thousands
/// of subjects it left out as other partnerships', and asks about a few hundred of its own. A
/// checkpoint keeps its subjects' fingerprints sorted, so the view's set is made by filtering
/// them — nothing hashed, nothing placed — and searched by halving.
///
/// ``mayContain(_:)`` answers yes for every subject put in — and for any subject that Swift
/// counts as equal to one (ids compare as strings: "K" and the Kelvin sign are one id) — and
/// no for almost every other. Its wrong yeses: two fingerprints meeting (about one chance in
/// 2^100 for a few thousand subjects), and a subject with non-ASCII characters, which it does
/// not try to compare. So it serves where a wrong yes costs only work (the view folds again,
/// keeping everything), never a wrong answer.
public struct SubjectSet: Sendable, Equatable {
    /// A subject's 128-bit fingerprint: the same for the same bytes on any machine and in any
    /// run (a fixed key), so a checkpoint can keep its subjects' fingerprints.
    public struct Fingerprint: Comparable, Sendable {
        public var high: UInt64
        public var low: UInt64
        public init(high: UInt64, low: UInt64) { (self.high, self.low) = (high, low) }
        /// No subject's (one that comes out as this is moved off it): a checkpoint marks with it
        /// a subject kept as a string.
        public static let none = Fingerprint(high: 0, low: 0)
        public static func < (a: Fingerprint, b: Fingerprint) -> Bool { (a.high, a.low) < (b.high, b.low) }
    }

    /// Of the subjects all of whose bytes are ASCII: rising, each once.
    private var sorted: [Fingerprint] = []
    /// The others, as strings (ids are ASCII, mostly: this is almost always empty).
    private var exotic: Set<String> = []
    /// Subjects held elsewhere, asked by fingerprint (a checkpoint's table, searched where it lies).
    private var lookups: [SubjectLookup] = []

    public init() {}

    public init(_ subjects: [String]) {
        var fingerprints: [Fingerprint] = []
        for subject in subjects {
            var bytes = subject
            if let fingerprint = bytes.withUTF8({ Self.fingerprint(utf8: UnsafeRawBufferPointer($0)) }) {
                fingerprints.append(fingerprint)
            } else {
                exotic.insert(subject)
            }
        }
        sorted = Self.risingOnce(fingerprints)
    }

    /// The set of `sorted` (rising, each once, none of them ``Fingerprint/none``: fingerprints
    /// of ASCII subjects, as ``fingerprint(utf8:)`` gives them) and of the subjects `exotic`.
    public init(sorted: [Fingerprint], exotic: [String] = []) {
        precondition(zip(sorted, sorted.dropFirst()).allSatisfy { $0 < $1 } && sorted.first != Fingerprint.none, "rising fingerprints")
        self.sorted = sorted
        self.exotic = Set(exotic)
    }

    /// The subjects `lookup` says it has by their fingerprints (its ASCII subjects), and `exotic`.
    public init(_ lookup: SubjectLookup, exotic: [String] = []) {
        lookups = [lookup]
        self.exotic = Set(exotic)
    }

    public var isEmpty: Bool { sorted.isEmpty && exotic.isEmpty && lookups.isEmpty }

    /// How many different subjects it holds (barring a meeting of fingerprints), besides those its lookups hold.
    public var count: Int { sorted.count + exotic.count }

    /// Adds `other`'s subjects, merging the two rising runs (a view adds a few dozen to thousands).
    public mutating func formUnion(_ other: SubjectSet) {
        exotic.formUnion(other.exotic)
        lookups += other.lookups
        guard !sorted.isEmpty else { return sorted = other.sorted }
        guard !other.sorted.isEmpty else { return }
        var merged: [Fingerprint] = []
        merged.reserveCapacity(sorted.count + other.sorted.count)
        var (i, j) = (0, 0)
        while i < sorted.count || j < other.sorted.count {
            let next: Fingerprint
            if j == other.sorted.count || (i < sorted.count && sorted[i] < other.sorted[j]) {
                (next, i) = (sorted[i], i + 1)
            } else {
                (next, j) = (other.sorted[j], j + 1)
            }
            if merged.last != next { merged.append(next) }
        }
        sorted = merged
    }

    /// Yes if `subject` is in the set, or equal to one that is; no, almost always, if not (see above).
    public func mayContain(_ subject: String) -> Bool {
        guard !isEmpty else { return false }
        var bytes = subject
        guard let fingerprint = bytes.withUTF8({ Self.fingerprint(utf8: UnsafeRawBufferPointer($0)) }) else {
            return true // not compared: it may equal an ASCII subject
        }
        if !exotic.isEmpty, exotic.contains(subject) { return true }
        let low = partitionPoint(sorted.indices) { sorted[$0] < fingerprint }
        return (low < sorted.count && sorted[low] == fingerprint) || lookups.contains { $0.mayContain(fingerprint) }
    }

    /// The fingerprint of the subject whose UTF-8 bytes are `utf8`, if they are all ASCII (nil if not:
    /// such a subject is kept as a string).
    public static func fingerprint(utf8: UnsafeRawBufferPointer) -> Fingerprint? {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let (high, low) = SipHash.hash128(utf8, key: (0x5375_626A_6563_7473, 0x4C65_6674_4F75_7421))
        let fingerprint = Fingerprint(high: high, low: low)
        return fingerprint == .none ? Fingerprint(high: 0, low: 1) : fingerprint
    }

    private static func risingOnce(_ fingerprints: [Fingerprint]) -> [Fingerprint] {
        var rising = fingerprints.sorted()
        var kept = 0
        for i in rising.indices where i == 0 || rising[i] != rising[kept - 1] {
            rising[kept] = rising[i]
            kept += 1
        }
        rising.removeLast(rising.count - kept)
        return rising
    }
}

/// Subjects a ``SubjectSet`` asks of by fingerprint instead of holding them: `mayContain` answers
/// as the set does (yes for each of its subjects; a wrong yes costs only work). Sets compare
/// their lookups as the same object or not.
public final class SubjectLookup: Sendable, Equatable {
    public let mayContain: @Sendable (SubjectSet.Fingerprint) -> Bool

    public init(_ mayContain: @escaping @Sendable (SubjectSet.Fingerprint) -> Bool) { self.mayContain = mayContain }

    public static func == (a: SubjectLookup, b: SubjectLookup) -> Bool { a === b }
}
