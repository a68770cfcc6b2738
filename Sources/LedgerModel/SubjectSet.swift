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
    /// A subject's 128-bit fingerprint: the same for the same bytes on any machine and in any
    /// run (a fixed key), so a checkpoint can keep its subjects' fingerprints.
    public struct Fingerprint: Comparable, Sendable {
        public var high: UInt64
        public var low: UInt64
        public init(high: UInt64, low: UInt64) { (self.high, self.low) = (high, low) }
        /// Marks an empty slot (a subject's fingerprint that comes out as this is moved off it).
        public static let none = Fingerprint(high: 0, low: 0)
        public static func < (a: Fingerprint, b: Fingerprint) -> Bool { (a.high, a.low) < (b.high, b.low) }
    }

    /// Of the subjects all of whose bytes are ASCII: an open-addressed table (a power of two
    /// slots, at most half full), each fingerprint in the slot its low bits name or the next free one.
    private var slots: [Fingerprint] = []
    private var stored = 0
    /// More of them, in rising order, searched by halving: a set made from fingerprints kept
    /// sorted (a checkpoint's) is made without hashing or placing any.
    private var sorted: [Fingerprint] = []
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

    /// The set of `sorted` (rising, each once, none of them ``Fingerprint/none``: fingerprints
    /// of ASCII subjects, as ``fingerprint(utf8:)`` gives them) and of the subjects `exotic`.
    public init(sorted: [Fingerprint], exotic: [String] = []) {
        precondition(zip(sorted, sorted.dropFirst()).allSatisfy { $0 < $1 } && sorted.first != Fingerprint.none, "rising fingerprints")
        self.sorted = sorted
        self.exotic = Set(exotic)
    }

    /// An empty set with room for `capacity` subjects.
    public init(capacity: Int) {
        grow(to: capacity)
    }

    public var isEmpty: Bool { stored == 0 && sorted.isEmpty && exotic.isEmpty }

    /// How many different subjects it holds (barring a meeting of fingerprints).
    public var count: Int { stored + sorted.count + exotic.count }

    public mutating func formUnion(_ other: SubjectSet) {
        if isEmpty { self = other; return }
        let incoming = other.fingerprints
        if slots.count < 2 * (count + incoming.count) { grow(to: count + incoming.count) }
        let wereSorted = sorted
        sorted = [] // (each kept in one place: `count` counts each once)
        for fingerprint in wereSorted { insert(fingerprint) }
        for fingerprint in incoming { insert(fingerprint) }
        exotic.formUnion(other.exotic)
    }

    /// Every fingerprint held, in no order.
    private var fingerprints: [Fingerprint] { slots.filter { $0 != .none } + sorted }

    /// Puts in the subject whose UTF-8 bytes are `utf8` (valid UTF-8), from its bytes where they
    /// are ASCII: the subject is made a `String` only if they are not.
    public mutating func insert(utf8: UnsafeRawBufferPointer) {
        if slots.count < 2 * (stored + 1) { grow(to: 2 * (stored + 1)) }
        if let fingerprint = Self.fingerprint(utf8: utf8) { insert(fingerprint) } else { exotic.insert(String(decoding: utf8, as: UTF8.self)) }
    }

    /// Yes if `subject` is in the set, or equal to one that is; no, almost always, if not (see above).
    public func mayContain(_ subject: String) -> Bool {
        guard !isEmpty else { return false }
        var bytes = subject
        guard let fingerprint = bytes.withUTF8({ Self.fingerprint(utf8: UnsafeRawBufferPointer($0)) }) else {
            return true // not compared: it may equal an ASCII subject
        }
        if !exotic.isEmpty, exotic.contains(subject) { return true }
        return has(fingerprint)
    }

    public static func == (a: SubjectSet, b: SubjectSet) -> Bool {
        a.count == b.count && a.exotic == b.exotic && a.fingerprints.allSatisfy { b.has($0) }
    }

    private func has(_ fingerprint: Fingerprint) -> Bool {
        if !sorted.isEmpty {
            var (low, high) = (0, sorted.count)
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid] < fingerprint { low = mid + 1 } else { high = mid }
            }
            if low < sorted.count, sorted[low] == fingerprint { return true }
        }
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

    /// The fingerprint of the subject whose UTF-8 bytes are `utf8`, if they are all ASCII (nil if not:
    /// such a subject is kept as a string).
    public static func fingerprint(utf8: UnsafeRawBufferPointer) -> Fingerprint? {
        isASCII(utf8) ? fingerprint(utf8) : nil
    }

    private static func fingerprint(_ utf8: UnsafeRawBufferPointer) -> Fingerprint {
        let (high, low) = SipHash.hash128(utf8, key: (0x5375_626A_6563_7473, 0x4C65_6674_4F75_7421))
        let fingerprint = Fingerprint(high: high, low: low)
        return fingerprint == .none ? Fingerprint(high: 0, low: 1) : fingerprint
    }
}
