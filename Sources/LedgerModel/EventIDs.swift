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

    /// Slots: the id's key and its seq; seq 0 marks an empty slot (seqs start at 1).
    private var keys: [Key] = []
    private var seqs: [Int] = []
    private var count = 0

    public init() {}

    /// Makes room for `more` ids without growing the table again on the way.
    public mutating func reserveCapacity(_ more: Int) {
        var capacity = max(1024, keys.count)
        while (count + more) * 2 > capacity { capacity *= 2 }
        if capacity > keys.count { grow(to: capacity) }
    }

    /// Records that the id with `key` is `seq`.
    public mutating func insert(_ key: Key, seq: Int) {
        if (count + 1) * 2 > keys.count { grow(to: max(1024, keys.count * 2)) }
        place(key, seq: seq)
        count += 1
    }

    /// The latest seq recorded for `id`, if any.
    public func seq(of id: String) -> Int? { seq(of: Key(id)) }

    /// The latest seq recorded for the id with `key`, if any.
    func seq(of key: Key) -> Int? {
        guard !keys.isEmpty else { return nil }
        let mask = keys.count - 1
        var slot = Self.start(key, mask)
        var found: Int?
        while seqs[slot] != 0 {
            if keys[slot] == key { found = max(found ?? 0, seqs[slot]) }
            slot = (slot + 1) & mask
        }
        return found
    }

    private static func start(_ key: Key, _ mask: Int) -> Int {
        // Hash values are already well mixed; fold the high bits in for small tables.
        Int(truncatingIfNeeded: UInt(bitPattern: key.first) ^ (UInt(bitPattern: key.first) >> 32)) & mask
    }

    private mutating func place(_ key: Key, seq: Int) {
        let mask = keys.count - 1
        var slot = Self.start(key, mask)
        while seqs[slot] != 0 { slot = (slot + 1) & mask }
        keys[slot] = key
        seqs[slot] = seq
    }

    /// Rehashes into `capacity` slots (a power of two).
    private mutating func grow(to capacity: Int) {
        let (oldKeys, oldSeqs) = (keys, seqs)
        keys = Array(repeating: Key(first: 0, second: 0), count: capacity)
        seqs = Array(repeating: 0, count: capacity)
        for slot in oldSeqs.indices where oldSeqs[slot] != 0 { place(oldKeys[slot], seq: oldSeqs[slot]) }
    }
}
