/// Every outturn folded in, by area and indicator (a series) and period: most of a ledger's
/// events, so laid out for folding a million of them.
///
/// A series keeps its entries in one array, in the order they came (seq order within a
/// period), with each entry linked to the one before it for the same period: no array per
/// period, and no table keyed by every (area, indicator, period) — a few thousand series in a
/// small table, each finding a month's latest entry in an array by the month (other periods
/// in a small table of their own), all of which stay in the processor's cache.
/// Each entry is packed in 40 bytes (``Packed``), not the 136 of an `Entry<OutturnRecorded>`
/// whose area and indicator the series already names: the table is most of a replay's memory.
public struct OutturnTable: Sendable {
    /// An area and an indicator: the series of its outturns.
    public struct SeriesKey: Hashable, Sendable {
        public let area: String
        public let indicator: String
        /// Both strings' hash, worked out once where the key is made — for a replay's outturns, on
        /// the reading threads — so the fold's lookup (``SeriesIndex``) hashes nothing.
        fileprivate let hashCode: Int

        public init(area: String, indicator: String) {
            (self.area, self.indicator) = (area, indicator)
            var hasher = Hasher()
            hasher.combine(area)
            hasher.combine(indicator)
            hashCode = hasher.finalize()
        }

        public static func == (a: SeriesKey, b: SeriesKey) -> Bool {
            a.hashCode == b.hashCode && a.area == b.area && a.indicator == b.indicator
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(hashCode) }
    }

    /// One outturn as a series keeps it: everything but its area and indicator (and its note,
    /// kept aside: few have one), in fixed-width fields.
    struct Packed: Sendable {
        var seq: Int
        /// The value, the numerator, or the change.
        var a: Double
        /// The denominator; for a change, the months of the period it is against.
        var b: Double
        var firstMonth: Int32
        var lastMonth: Int32
        /// `year << 9 | month << 5 | day`.
        var known: Int32
        /// 0 a number, 1 a ratio, 2 a change.
        var kind: UInt8
        var status: UInt8
        var isPartnership: Bool

        init(_ entry: Entry<OutturnRecorded>) {
            self.init(seq: entry.seq, known: entry.known, entry.payload)
        }

        init(seq: Int, known: Day, _ o: OutturnRecorded) {
            self.seq = seq
            self.known = Self.pack(known)
            (firstMonth, lastMonth) = (Int32(o.period.first.index), Int32(o.period.last.index))
            switch o.value {
            case .number(let v): (kind, a, b) = (0, v, 0)
            case .ratio(let n, let d): (kind, a, b) = (1, n, d)
            case .change(let c, let against):
                (kind, a) = (2, c)
                b = Double(bitPattern: UInt64(UInt32(bitPattern: Int32(against.first.index))) << 32 | UInt64(UInt32(bitPattern: Int32(against.last.index))))
            }
            status = switch o.status {
            case .provisional: 0
            case .final: 1
            case .projected: 2
            }
            isPartnership = o.isPartnership
        }

        /// A day as `year << 9 | month << 5 | day`: in 32 bits, in the same order as the days.
        static func pack(_ day: Day) -> Int32 { Int32(day.year << 9 | day.month << 5 | day.day) }
        static func unpack(_ day: Int32) -> Day { Day(unchecked: Int(day >> 9), Int(day >> 5 & 15), Int(day & 31)) }

        func entry(_ key: SeriesKey, note: String?) -> Entry<OutturnRecorded> {
            Entry(seq: seq, known: Self.unpack(known), payload: OutturnRecorded(
                area: key.area, isPartnership: isPartnership, indicator: key.indicator, period: period,
                value: value, status: outturnStatus, note: note))
        }

        var period: Period { Self.period(firstMonth, lastMonth) }

        var value: OutturnValue {
            switch kind {
            case 0: .number(a)
            case 1: .ratio(numerator: a, denominator: b)
            default: .change(a, against: Self.period(Int32(truncatingIfNeeded: b.bitPattern >> 32), Int32(truncatingIfNeeded: b.bitPattern)))
            }
        }

        var outturnStatus: OutturnStatus { status == 0 ? .provisional : status == 1 ? .final : .projected }

        private static func period(_ first: Int32, _ last: Int32) -> Period { Period(unchecked: Month(index: Int(first)), Month(index: Int(last))) }
    }

    fileprivate struct Series: Sendable {
        let key: SeriesKey
        var entries: [Packed] = []
        /// The notes of the entries that have one, by position.
        var notes: [Int32: String] = [:]
        /// `previous[i]`: the entry before `entries[i]` for the same period, or -1.
        var previous: [Int32] = []
        /// Each month's latest entry (or -1), from `firstMonth` on: most periods are months, and
        /// an array needs no hashing.
        var latestByMonth: [Int32] = []
        var firstMonth = 0
        /// Each other period's latest entry (and any month too far from the rest, see `monthSpan`).
        var latestOther: [Period: Int32] = [:]

        /// The most months `latestByMonth` covers: a century, 4.8 KB.
        static let monthSpan = 1200

        /// Where `period`'s latest entry is in `latestByMonth`, if it is a month that it covers or could.
        func slot(_ period: Period, growing: Bool) -> Int? {
            guard period.first == period.last else { return nil }
            let month = period.first.index
            if latestByMonth.isEmpty { return growing ? 0 : nil }
            let low = min(month, firstMonth), high = max(month, firstMonth + latestByMonth.count - 1)
            if high - low >= Self.monthSpan { return nil }
            return month - firstMonth
        }

        func latest(_ period: Period) -> Int32? {
            if let s = slot(period, growing: false) {
                return s >= 0 && s < latestByMonth.count && latestByMonth[s] >= 0 ? latestByMonth[s] : nil
            }
            return latestOther[period]
        }

        /// Sets `period`'s latest entry; returns the one before (nil if none).
        mutating func setLatest(_ period: Period, _ position: Int32) -> Int32? {
            guard var s = slot(period, growing: true) else { return latestOther.updateValue(position, forKey: period) }
            if latestByMonth.isEmpty {
                firstMonth = period.first.index
            } else if s < 0 {
                latestByMonth.insert(contentsOf: repeatElement(-1, count: -s), at: 0)
                firstMonth += s
                s = 0
            }
            if s >= latestByMonth.count { latestByMonth.append(contentsOf: repeatElement(-1, count: s + 1 - latestByMonth.count)) }
            let before = latestByMonth[s]
            latestByMonth[s] = position
            return before >= 0 ? before : nil
        }

        func entry(at position: Int32) -> Entry<OutturnRecorded> {
            entries[Int(position)].entry(key, note: notes.isEmpty ? nil : notes[position])
        }

        mutating func append(_ entry: Entry<OutturnRecorded>, period: Period) -> Bool {
            append(Packed(entry), note: entry.payload.note, period: period)
        }

        mutating func append(_ packed: Packed, note: String?, period: Period) -> Bool {
            let position = Int32(entries.count)
            entries.append(packed)
            if let note { notes[position] = note }
            let before = setLatest(period, position)
            previous.append(before ?? -1)
            return before == nil
        }

        /// The positions of the period's entries, latest first.
        func newestFirst(_ period: Period) -> some Sequence<Int32> {
            sequence(first: latest(period) ?? -1) { previous[Int($0)] }.prefix { $0 >= 0 }
        }
    }

    private var index = SeriesIndex()
    private var series: [Series] = []
    /// Area → the indicators with outturns in it.
    public private(set) var indicatorsByArea: [String: Set<String>] = [:]
    /// How many (area, indicator, period) keys have an outturn.
    public private(set) var keyCount = 0

    public init() {}

    public var isEmpty: Bool { keyCount == 0 }

    /// Appends an outturn (after every earlier one for its key).
    public mutating func append(_ entry: Entry<OutturnRecorded>) {
        let o = entry.payload
        let s = seriesPosition(area: o.area, indicator: o.indicator)
        if series[s].append(entry, period: o.period) { keyCount += 1 }
    }

    /// Appends an outturn reduced for the fold (after every earlier one for its key).
    public mutating func append(_ o: OutturnEvent) {
        let s = seriesPosition(o.series)
        if series[s].append(o.packed, note: o.note, period: o.packed.period) { keyCount += 1 }
    }

    /// Appends one area's indicator's outturns for one period, in seq order (after every earlier one for it).
    public mutating func append(area: String, indicator: String, period: Period, _ entries: [Entry<OutturnRecorded>]) {
        guard !entries.isEmpty else { return }
        let s = seriesPosition(area: area, indicator: indicator)
        for entry in entries {
            if series[s].append(entry, period: period) { keyCount += 1 }
        }
    }

    private mutating func seriesPosition(area: String, indicator: String) -> Int {
        seriesPosition(SeriesKey(area: area, indicator: indicator))
    }

    private mutating func seriesPosition(_ key: SeriesKey) -> Int {
        if let s = index.position(of: key, in: series) { return s }
        index.insert(key, at: series.count)
        series.append(Series(key: key))
        indicatorsByArea[key.area, default: []].insert(key.indicator)
        return series.count - 1
    }

    /// Where an area's series of an indicator is in the table: found by its strings once, then
    /// asked of by position.
    public struct SeriesID: Sendable, Equatable {
        fileprivate let position: Int
    }

    /// The area's series of the indicator, if it has an outturn.
    public func series(area: String, indicator: String) -> SeriesID? {
        index.position(of: SeriesKey(area: area, indicator: indicator), in: series).map(SeriesID.init)
    }

    /// The key's entries, latest first (nothing if it has none).
    public func newestFirst(_ key: OutturnKey) -> [Entry<OutturnRecorded>] {
        guard let s = series(area: key.area, indicator: key.indicator)?.position else { return [] }
        return series[s].newestFirst(key.period).map(series[s].entry)
    }

    /// The latest of the key's entries whose seq `isLive` accepts, and how many it has in all.
    public func latest(_ key: OutturnKey, where isLive: (Int) -> Bool) -> (entry: Entry<OutturnRecorded>?, count: Int) {
        guard let id = series(area: key.area, indicator: key.indicator) else { return (nil, 0) }
        return latest(id, key.period, where: isLive)
    }

    /// ``latest(_:where:)`` for a period of a series already found.
    public func latest(_ id: SeriesID, _ period: Period, where isLive: (Int) -> Bool) -> (entry: Entry<OutturnRecorded>?, count: Int) {
        let (found, count) = latestPosition(id, period, where: isLive)
        return (found.map { series[id.position].entry(at: $0) }, count)
    }

    /// The value, seq and status of the latest of a period's entries that `isLive` accepts: what
    /// a figure is made of, without making the entry (a view asks this of every month of every year).
    public func latestValue(_ id: SeriesID, _ period: Period, where isLive: (Int) -> Bool) -> (seq: Int, value: OutturnValue, status: OutturnStatus)? {
        guard let position = latestPosition(id, period, where: isLive).found else { return nil }
        let packed = series[id.position].entries[Int(position)]
        return (packed.seq, packed.value, packed.outturnStatus)
    }

    private func latestPosition(_ id: SeriesID, _ period: Period, where isLive: (Int) -> Bool) -> (found: Int32?, count: Int) {
        // The series is read in place (a copy of it would retain each of its arrays).
        let s = id.position
        var found: Int32?
        var count = 0
        var position = series[s].latest(period) ?? -1
        while position >= 0 {
            count += 1
            if found == nil, isLive(series[s].entries[Int(position)].seq) { found = position }
            position = series[s].previous[Int(position)]
        }
        return (found, count)
    }

    /// Calls `body` with every period the series has an entry for, each once: the months latest
    /// first, then the other periods in no order.
    public func forEachPeriod(_ id: SeriesID, _ body: (Period) -> Void) {
        let s = id.position
        let first = series[s].firstMonth
        for i in series[s].latestByMonth.indices.reversed() where series[s].latestByMonth[i] >= 0 { body(.month(Month(index: first + i))) }
        for period in series[s].latestOther.keys { body(period) }
    }

    /// Whether any of the area's entries for the indicator has a seq `isLive` accepts.
    public func hasAny(area: String, indicator: String, where isLive: (Int) -> Bool) -> Bool {
        guard let s = series(area: area, indicator: indicator)?.position else { return false }
        return series[s].entries.contains { isLive($0.seq) }
    }

    /// Every key's entries in seq order: the whole table as one dictionary, built on each call
    /// (for tests and tools; a view asks for the keys it needs).
    public var dictionary: [OutturnKey: [Entry<OutturnRecorded>]] {
        var all: [OutturnKey: [Entry<OutturnRecorded>]] = [:]
        all.reserveCapacity(keyCount)
        for s in series.indices {
            forEachPeriod(SeriesID(position: s)) { period in
                let key = OutturnKey(area: series[s].key.area, indicator: series[s].key.indicator, period: period)
                all[key] = series[s].newestFirst(period).map(series[s].entry).reversed()
            }
        }
        return all
    }
}

/// Where each series is in the table, by its key's own hash: open addressing, linear probing,
/// at most half full. One lookup per outturn folded, and the key's hash was worked out on a
/// reading thread — a `Dictionary` would hash that hash again, for a tenth of the fold.
private struct SeriesIndex: Sendable {
    /// A series' position in the table, or -1 for an empty slot.
    private var slots = [Int32](repeating: -1, count: 64)
    /// Each slot's key's hash, beside it, so a probe past another key reads no series.
    private var hashes = [Int](repeating: 0, count: 64)
    private var count = 0

    func position(of key: OutturnTable.SeriesKey, in series: [OutturnTable.Series]) -> Int? {
        let mask = slots.count - 1
        var slot = key.hashCode & mask
        while slots[slot] >= 0 {
            if hashes[slot] == key.hashCode, series[Int(slots[slot])].key == key { return Int(slots[slot]) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Records a key not yet in the index.
    mutating func insert(_ key: OutturnTable.SeriesKey, at position: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        place(hash: key.hashCode, position: Int32(position))
        count += 1
    }

    private mutating func place(hash: Int, position: Int32) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        (slots[slot], hashes[slot]) = (position, hash)
    }

    private mutating func grow() {
        let (oldSlots, oldHashes) = (slots, hashes)
        slots = [Int32](repeating: -1, count: oldSlots.count * 2)
        hashes = [Int](repeating: 0, count: oldSlots.count * 2)
        for (slot, position) in oldSlots.enumerated() where position >= 0 { place(hash: oldHashes[slot], position: position) }
    }
}
