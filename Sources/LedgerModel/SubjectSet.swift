/// A set of subjects (`target:<id>`, `action:<id>`, `baseline:<id>`) kept as 128-bit
/// fingerprints of their bytes, in order: a view of one partnership notes the thousands of
/// subjects it left out as other partnerships', and asks about a few hundred of its own — so
/// building the set is what costs, and hashing each subject once into a sorted array of numbers
/// costs a fraction of what a `Set<String>` took.
///
/// ``mayContain(_:)`` answers yes for every subject put in — and for any subject that Swift
/// counts as equal to one (ids compare as strings: "K" and the Kelvin sign are one id) — and
/// no for almost every other. Its wrong yeses: two fingerprints meeting (about one chance in
/// 2^100 for a few thousand subjects), and a subject with non-ASCII characters, which it does
/// not try to compare. So it serves where a wrong yes costs only work (the view folds again,
/// keeping everything), never a wrong answer.
public struct SubjectSet: Sendable, Equatable {
    private struct Fingerprint: Comparable, Sendable {
        var high: UInt64
        var low: UInt64
        static func < (a: Fingerprint, b: Fingerprint) -> Bool { (a.high, a.low) < (b.high, b.low) }
    }

    /// Of the subjects all of whose bytes are ASCII: sorted, without repeats.
    private var fingerprints: [Fingerprint] = []
    /// The others, as strings (ids are ASCII, mostly: this is almost always empty).
    private var exotic: Set<String> = []

    public init() {}

    public init(_ subjects: [String]) {
        formUnion(subjects)
    }

    public var isEmpty: Bool { fingerprints.isEmpty && exotic.isEmpty }

    /// How many different subjects it holds (barring a meeting of fingerprints).
    public var count: Int { fingerprints.count + exotic.count }

    public mutating func formUnion(_ subjects: [String]) {
        fingerprints.reserveCapacity(fingerprints.count + subjects.count)
        for subject in subjects {
            if Self.isASCII(subject) { fingerprints.append(Self.fingerprint(subject)) } else { exotic.insert(subject) }
        }
        fingerprints.sort()
        var unique = 0
        for i in fingerprints.indices where i == 0 || fingerprints[i] != fingerprints[unique - 1] {
            fingerprints[unique] = fingerprints[i]
            unique += 1
        }
        fingerprints.removeLast(fingerprints.count - unique)
    }

    /// Yes if `subject` is in the set, or equal to one that is; no, almost always, if not (see above).
    public func mayContain(_ subject: String) -> Bool {
        guard !isEmpty else { return false }
        guard Self.isASCII(subject) else { return true } // not compared: it may equal an ASCII subject
        if !exotic.isEmpty, exotic.contains(subject) { return true }
        let wanted = Self.fingerprint(subject)
        var (low, high) = (0, fingerprints.count)
        while low < high {
            let middle = (low + high) / 2
            if fingerprints[middle] < wanted { low = middle + 1 } else { high = middle }
        }
        return low < fingerprints.count && fingerprints[low] == wanted
    }

    private static func isASCII(_ subject: String) -> Bool {
        subject.utf8.allSatisfy { $0 < 0x80 }
    }

    private static func fingerprint(_ subject: String) -> Fingerprint {
        var subject = subject
        let (high, low) = subject.withUTF8 { SipHash.hash128(UnsafeRawBufferPointer($0), key: (0x5375_626A_6563_7473, 0x4C65_6674_4F75_7421)) }
        return Fingerprint(high: high, low: low)
    }
}
