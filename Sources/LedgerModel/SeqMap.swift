/// Seqs (or any positive integers) mapped to integers, in one table of open addressing found by
/// a multiplicative hash of the key — not Swift's `Dictionary`, whose seeded SipHash costs more
/// than the rest of a lookup. The state asks it which event retracted an entry for every entry
/// a view shows, and a view of one partnership fills it with 1,500 retractions at once.
///
/// Keys must be at least 1 (0 marks an empty slot). Equal when they map the same keys to the
/// same values, whatever order they were set in.
public struct SeqMap: Equatable, Sendable {
    private struct Slot: Sendable {
        var key: Int
        var value: Int
    }

    /// A power of two long (or empty), never more than three-quarters full.
    private var slots: [Slot] = []
    /// 64 less the log2 of the slots' count: the hash's top bits are the slot.
    private var shift = 64
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(key: Int) -> Int? {
        get {
            guard count > 0, key > 0 else { return nil }
            var i = slot(of: key)
            while true {
                let k = slots[i].key
                if k == key { return slots[i].value }
                if k == 0 { return nil }
                i = (i + 1) & (slots.count - 1)
            }
        }
        set {
            precondition(key > 0, "keys start at 1")
            if let newValue { insert(key, newValue) } else { remove(key) }
        }
    }

    /// Makes room for `capacity` keys in all without growing again.
    public mutating func reserveCapacity(_ capacity: Int) {
        var size = 8
        while size * 3 < capacity * 4 { size *= 2 }
        if size > slots.count { resize(to: size) }
    }

    /// Every key, in no particular order.
    public var keys: [Int] { slots.compactMap { $0.key == 0 ? nil : $0.key } }

    /// Every key with its value, in no particular order.
    public var pairs: [(key: Int, value: Int)] {
        slots.compactMap { $0.key == 0 ? nil : ($0.key, $0.value) }
    }

    public static func == (a: SeqMap, b: SeqMap) -> Bool {
        a.count == b.count && a.slots.allSatisfy { $0.key == 0 || b[$0.key] == $0.value }
    }

    private func slot(of key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    private mutating func insert(_ key: Int, _ value: Int) {
        if (count + 1) * 4 > slots.count * 3 { resize(to: max(8, slots.count * 2)) }
        var i = slot(of: key)
        while true {
            let k = slots[i].key
            if k == key { slots[i].value = value; return }
            if k == 0 { break }
            i = (i + 1) & (slots.count - 1)
        }
        slots[i] = Slot(key: key, value: value)
        count += 1
    }

    /// Takes `key` out, moving back the keys after it that it had pushed along (so no lookup
    /// stops early at the hole).
    private mutating func remove(_ key: Int) {
        guard count > 0 else { return }
        let mask = slots.count - 1
        var hole = slot(of: key)
        while slots[hole].key != key {
            if slots[hole].key == 0 { return }
            hole = (hole + 1) & mask
        }
        var next = (hole + 1) & mask
        while slots[next].key != 0 {
            let home = slot(of: slots[next].key)
            // Moved back if its home is not in the (cyclic) stretch after the hole up to it.
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = Slot(key: 0, value: 0)
        count -= 1
    }

    private mutating func resize(to size: Int) {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: 0), count: size)
        shift = 64 - size.trailingZeroBitCount
        count = 0
        for slot in old where slot.key != 0 { insert(slot.key, slot.value) }
    }
}
