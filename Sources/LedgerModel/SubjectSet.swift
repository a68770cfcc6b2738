/// A set of subjects (`target:<id>`, `action:<id>`, `baseline:<id>`) kept as 128-bit
/// fingerprints of their bytes: a view of one partnership notes the thousands of subjects it
/// left out as other partnerships', and asks about a few hundred of its own — so building the
/// set is what costs, and hashing each subject once into a table of numbers made big enough up
/// front costs a fraction of what a `Set<String>` took.
///
/// ``mayContain(_:)`` answers yes for every subject put in — and for any subject that Swift
/// counts as equal to one (ids compare as strings: "K" and the Kelvin sign are one id) — and
/// no for almost every other. Its wrong yeses: two fingerprints meeting (about one chance in
/// 2^100 for a few thousand subjects), and a subject with non-ASCII characters, which it does
/// not try to compare. So it serves where a wrong yes costs only work (the view folds again,
/// keeping everything), never a wrong answer.
public struct SubjectSet: Sendable, Equatable {
    private struct Fingerprint: Equatable, Sendable {
        var high: UInt64
        var low: UInt64
        /// Marks an empty slot (a subject's fingerprint that comes out as this is moved off it).
        static let none = Fingerprint(high: 0, low: 0)
    }

    /// Of the subjects all of whose bytes are ASCII: an open-addressed table (a power of two
    /// slots, at most half full), each fingerprint in the slot its low bits name or the next free one.
    private var slots: [Fingerprint] = []
    private var stored = 0
    /// The others, as strings (ids are ASCII, mostly: this is almost always empty).
    private var exotic: Set<String> = []

    public init() {}

    public init(_ subjects: [String]) {
        grow(to: subjects.count)
        for subject in subjects {
            var subject = subject
            subject.withUTF8 { insert(utf8: UnsafeRawBufferPointer($0)) }
        }
    }

    /// An empty set with room for `capacity` subjects.
    public init(capacity: Int) {
        grow(to: capacity)
    }

    public var isEmpty: Bool { stored == 0 && exotic.isEmpty }

    /// How many different subjects it holds (barring a meeting of fingerprints).
    public var count: Int { stored + exotic.count }

    public mutating func formUnion(_ other: SubjectSet) {
        if slots.count < 2 * (stored + other.stored) { grow(to: stored + other.stored) }
        for fingerprint in other.slots where fingerprint != .none { insert(fingerprint) }
        exotic.formUnion(other.exotic)
    }

    /// Puts in the subject whose UTF-8 bytes are `utf8` (valid UTF-8), from its bytes where they
    /// are ASCII: the subject is made a `String` only if they are not.
    public mutating func insert(utf8: UnsafeRawBufferPointer) {
        if slots.count < 2 * (stored + 1) { grow(to: 2 * (stored + 1)) }
        if Self.isASCII(utf8) { insert(Self.fingerprint(utf8)) } else { exotic.insert(String(decoding: utf8, as: UTF8.self)) }
    }

    /// Yes if `subject` is in the set, or equal to one that is; no, almost always, if not (see above).
    public func mayContain(_ subject: String) -> Bool {
        guard !isEmpty else { return false }
        var bytes = subject
        let (isASCII, fingerprint) = bytes.withUTF8 { (Self.isASCII(UnsafeRawBufferPointer($0)), Self.fingerprint(UnsafeRawBufferPointer($0))) }
        guard isASCII else { return true } // not compared: it may equal an ASCII subject
        if !exotic.isEmpty, exotic.contains(subject) { return true }
        return has(fingerprint)
    }

    public static func == (a: SubjectSet, b: SubjectSet) -> Bool {
        a.count == b.count && a.exotic == b.exotic && a.slots.allSatisfy { $0 == .none || b.has($0) }
    }

    private func has(_ fingerprint: Fingerprint) -> Bool {
        guard !slots.isEmpty else { return false }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint.low) & mask
        while slots[slot] != .none {
            if slots[slot] == fingerprint { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    private mutating func insert(_ fingerprint: Fingerprint) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint.low) & mask
        while slots[slot] != .none {
            if slots[slot] == fingerprint { return }
            slot = (slot + 1) & mask
        }
        slots[slot] = fingerprint
        stored += 1
    }

    /// Room for `count` fingerprints at most half full, the ones there placed again.
    private mutating func grow(to count: Int) {
        var capacity = 16
        while capacity < 2 * count { capacity *= 2 }
        let old = slots
        slots = Array(repeating: .none, count: capacity)
        stored = 0
        for fingerprint in old where fingerprint != .none { insert(fingerprint) }
    }

    private static func isASCII(_ utf8: UnsafeRawBufferPointer) -> Bool {
        utf8.allSatisfy { $0 < 0x80 }
    }

    private static func fingerprint(_ utf8: UnsafeRawBufferPointer) -> Fingerprint {
        let (high, low) = SipHash.hash128(utf8, key: (0x5375_626A_6563_7473, 0x4C65_6674_4F75_7421))
        let fingerprint = Fingerprint(high: high, low: low)
        return fingerprint == .none ? Fingerprint(high: 0, low: 1) : fingerprint
    }
}
