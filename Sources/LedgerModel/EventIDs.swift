/// Every event id the fold has applied, and its seq: what a retraction by id resolves against.
///
/// One insert per event of a replay, so it is built for that: an open-addressing table keyed
/// by two independent 64-bit hashes of the id (worked out when the event was decoded, on the
/// reading thread), holding no id strings — a million of them were a fifth of a replay's
/// memory. Both hashes are keyed afresh in each process (a SipHash of an ASCII id's bytes, else
/// Swift's seeded hasher over the string), so ids compare as Swift strings do; two different
/// ids match only if both hashes collide, about once in 2^128.
public struct EventIDs: Sendable {
    /// The two hashes of an id: the two halves of a 128-bit SipHash of its bytes (of Swift's
    /// hasher, unsalted and salted, for an id that is not ASCII).
    public struct Key: Sendable, Equatable {
        public var first: Int
        public var second: Int

        public init(_ id: String) {
            var id = id
            if let key = id.withUTF8({ Key(ascii: UnsafeRawBufferPointer($0)) }) {
                self = key
            } else {
                // Not ASCII: hashed as a Swift string, so ids that compare equal as strings (one
                // with é as one character, one with e and an accent) have the same key.
                first = id.hashValue
                var hasher = Hasher()
                hasher.combine(Self.salt)
                hasher.combine(id)
                second = hasher.finalize()
            }
        }

        /// The key of an id given as UTF-8 bytes (a log line's), making no string when they are ASCII.
        public init(utf8 bytes: UnsafeRawBufferPointer) {
            self = Key(ascii: bytes) ?? Key(String(decoding: bytes, as: UTF8.self))
        }

        /// For an ASCII id, whose bytes compare as the string does: SipHash-1-3's 128 bits over its
        /// bytes, under a key drawn for this process (as Swift's hasher's seed is). Nil if not ASCII.
        private init?(ascii bytes: UnsafeRawBufferPointer) {
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            let (low, high) = SipHash.hash128(bytes, key: Self.processKey)
            (first, second) = (Int(bitPattern: UInt(low)), Int(bitPattern: UInt(high)))
        }

        private static let processKey = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
        private static let salt = 0x6f75_7474_7572_6e21 as UInt64 // "outturn!"

        init(first: Int, second: Int) { (self.first, self.second) = (first, second) }
    }

    /// One slot: an id's key and its seq, together so a probe reads one cache line; seq 0 marks
    /// an empty slot (seqs start at 1).
    private struct Slot {
        var key: Key
        var seq: Int
    }

    /// Open addressing, linear probing, at most three quarters full (counting `pending`).
    private var slots: [Slot] = []
    private var count = 0
    /// Ids inserted since the table last took them in. A replay inserts a million ids into a
    /// 50 MB table, each at a random slot — a cache miss, and on this kind of machine a page
    /// walk, every time — so they are placed ``batchSize`` at a time, in the order of their
    /// slots, the table walked once per batch in address order. Looked up here too until then.
    private var pending: [Slot] = []

    /// How many ids wait to be placed at most.
    static let batchSize = 8192

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
        if pending.isEmpty { pending.reserveCapacity(Self.batchSize) }
        pending.append(Slot(key: key, seq: seq))
        count += 1
        if pending.count >= Self.batchSize { placePending() }
    }

    /// Places the ids waiting in `pending`, in the order of their slots: a counting sort on the
    /// slot's top bits (each bucket a few kilobytes of the table), then one pass. A table built
    /// whole and then only read calls it once built, so no lookup reads the waiting ids.
    public mutating func placePending() {
        guard !pending.isEmpty else { return }
        let mask = slots.count - 1
        let shift = max(0, (mask + 1).trailingZeroBitCount - 12) // 4,096 buckets at most
        var starts = [Int](repeating: 0, count: (mask >> shift) + 2)
        for slot in pending { starts[(Self.start(slot.key, mask) >> shift) + 1] += 1 }
        for i in 1..<starts.count { starts[i] += starts[i - 1] }
        var sorted = pending // (same count; every element overwritten below)
        for slot in pending {
            let bucket = Self.start(slot.key, mask) >> shift
            sorted[starts[bucket]] = slot
            starts[bucket] += 1
        }
        // In bucket order, and within a bucket in insertion order: a repeated id keeps its order.
        for slot in sorted { place(slot.key, seq: slot.seq) }
        pending.removeAll(keepingCapacity: true)
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
        for waiting in pending where waiting.key == key { found = max(found ?? 0, waiting.seq) }
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
