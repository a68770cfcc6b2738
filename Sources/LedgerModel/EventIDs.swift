/// Every event id the fold has applied, and its seq: what a retraction by id resolves against.
///
/// One insert per event of a replay, so it is built for that: an open-addressing table keyed
/// by two independent 64-bit hashes of the id (worked out when the event was decoded, on the
/// reading thread), holding no id strings — a million of them were a fifth of a replay's
/// memory. Both hashes come from Swift's per-process seeded hasher, so ids compare as Swift
/// strings do; two different ids match only if both hashes collide, about once in 2^128.
public struct EventIDs: Sendable {
    /// The two hashes of an id: `hashValue`, and the same hasher salted.
    public struct Key: Sendable, Equatable {
        public var first: Int
        public var second: Int

        public init(_ id: String) {
            first = id.hashValue
            var hasher = Hasher()
            hasher.combine(0x6f75_7474_7572_6e21 as UInt64) // a salt: "outturn!"
            hasher.combine(id)
            second = hasher.finalize()
        }

        init(first: Int, second: Int) { (self.first, self.second) = (first, second) }
    }

    /// One slot: an id's key and its seq, together so a probe reads one cache line; seq 0 marks
    /// an empty slot (seqs start at 1).
    private struct Slot {
        var key: Key
        var seq: Int
    }

    /// Open addressing, linear probing, at most three quarters full.
    private var slots: [Slot] = []
    private var count = 0

    public init() {}

    /// Whether `count` ids fit in `capacity` slots.
    private static func fits(_ count: Int, in capacity: Int) -> Bool { count * 4 <= capacity * 3 }

    /// Makes room for `more` ids without growing the table again on the way.
    public mutating func reserveCapacity(_ more: Int) {
        var capacity = max(1024, slots.count)
        while !Self.fits(count + more, in: capacity) { capacity *= 2 }
        if capacity > slots.count { grow(to: capacity) }
    }

    /// Records that the id with `key` is `seq`.
    public mutating func insert(_ key: Key, seq: Int) {
        if !Self.fits(count + 1, in: slots.count) { grow(to: max(1024, slots.count * 2)) }
        place(key, seq: seq)
        count += 1
    }

    /// The latest seq recorded for `id`, if any.
    public func seq(of id: String) -> Int? { seq(of: Key(id)) }

    /// The latest seq recorded for the id with `key`, if any.
    func seq(of key: Key) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Self.start(key, mask)
        var found: Int?
        while slots[slot].seq != 0 {
            if slots[slot].key == key { found = max(found ?? 0, slots[slot].seq) }
            slot = (slot + 1) & mask
        }
        return found
    }

    private static func start(_ key: Key, _ mask: Int) -> Int {
        // Hash values are already well mixed; fold the high bits in for small tables.
        Int(truncatingIfNeeded: UInt(bitPattern: key.first) ^ (UInt(bitPattern: key.first) >> 32)) & mask
    }

    private mutating func place(_ key: Key, seq: Int) {
        let mask = slots.count - 1
        var slot = Self.start(key, mask)
        while slots[slot].seq != 0 { slot = (slot + 1) & mask }
        slots[slot] = Slot(key: key, seq: seq)
    }

    /// Rehashes into `capacity` slots (a power of two).
    private mutating func grow(to capacity: Int) {
        let old = slots
        slots = Array(repeating: Slot(key: Key(first: 0, second: 0), seq: 0), count: capacity)
        for slot in old where slot.seq != 0 { place(slot.key, seq: slot.seq) }
    }
}
