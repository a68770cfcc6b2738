import EventLog
import LedgerModel
import Projections

/// The ledger's events up to a seq, kept beside the log in a form that folds far faster than
/// the log's lines: what lets a view start near its end instead of at seq 1.
///
/// One checkpoint serves every point in time. The fold only ever appends to each entity's
/// history, so it is the checkpoint's events themselves that are kept — each with its seq,
/// `known` and recorded dates — and a view folds them in order with its own point in time
/// deciding which count, exactly as it would fold the log's lines; then it folds the lines
/// after the checkpoint. Backdated events and retractions need nothing special: each event
/// is judged alone, as in the log.
///
/// Outturns (nineteen events in twenty) are kept as fixed-size binary records with their
/// strings interned; every other event is kept as its log line, decoded as a replay decodes
/// it. A retraction keeps the seq it retracts in the whole log, so that ids need not be
/// hashed when the checkpoint is read: they are looked up only if a later retraction names one.
///
/// Layout (little-endian): unknown-event count; strings; outturn records; other events;
/// every event's id and seq. The format's name changes whenever the layout does.
enum StateCheckpoint {
    static let format = "ledger-state-1"

    /// Bytes per outturn record.
    static let outturnSize = 64

    /// What the checkpoint could not be read as: treated as no checkpoint at all.
    struct Malformed: Error {}

    /// Folds the checkpoint's events that `replay`'s point in time counts into `replay`, in
    /// seq order. Returns false once no later event can count (the tail need not be read);
    /// `events` and `unknown` count what was read, as a replay of the log counts them.
    static func fold(_ body: MappedBytes, into replay: inout Replay, events: inout Int, unknown: inout Int) throws -> Bool {
        let raw = body.bytes
        var reader = ByteReader(raw)
        let sections = try Sections(&reader)
        replay.deferIDs(deferredIDs(body, sections))
        unknown += sections.unknown
        events += sections.unknown
        let strings = try sections.strings(raw)
        var outturns = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.outturns]))
        var others = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.others]))
        var nextOutturn = try OutturnRecord.peekSeq(outturns)
        var nextOther = others.isAtEnd ? Int.max : Int(try others.peekInt64())
        var times = Ledger.RecordedTimes()
        while nextOutturn != .max || nextOther != .max {
            events += 1
            let keepsGoing: Bool
            if nextOutturn < nextOther {
                let record = try OutturnRecord(&outturns, strings: strings)
                keepsGoing = replay.feedOutturn(seq: record.seq, known: record.known, recordedDay: record.recordedDay, record.outturn)
                nextOutturn = try OutturnRecord.peekSeq(outturns)
            } else {
                let other = try OtherEvent(&others)
                guard let record = try? LogRecord.decode(line: other.line),
                      let event = try? Ledger.ledgerEvent(record, strict: false, times: &times) else { throw Malformed() }
                keepsGoing = replay.feed(event, retracting: other.retracting)
                nextOther = others.isAtEnd ? Int.max : Int(try others.peekInt64())
            }
            if !keepsGoing { return false }
        }
        return true
    }

    /// Every event's id and seq, hashed only if a retraction after the checkpoint names one.
    static func deferredIDs(_ body: MappedBytes, _ sections: Sections) -> DeferredEventIDs {
        DeferredEventIDs { [ids = sections.ids, count = sections.idCount] in
            var table = EventIDs()
            table.reserveCapacity(count)
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: body.bytes[ids]))
            while !reader.isAtEnd, let seq = try? reader.int64(), let length = try? reader.uint32(),
                  let bytes = try? reader.bytes(Int(length)) {
                table.insert(EventIDs.Key(String(decoding: bytes, as: UTF8.self)), seq: Int(seq))
            }
            return table
        }
    }

    /// An event other than an outturn, as a checkpoint keeps it: its seq, what it retracts
    /// (for a retraction whose target the whole log names), and its log line.
    struct OtherEvent {
        var seq: Int
        var retracting: Int?
        var line: UnsafeRawBufferPointer

        init(_ reader: inout ByteReader) throws {
            seq = Int(try reader.int64())
            let target = try reader.int64()
            retracting = target < 0 ? nil : Int(target)
            line = try reader.bytes(Int(try reader.uint32()))
        }

        static func write(seq: Int, retracting: Int?, line: [UInt8], to out: inout [UInt8]) {
            out.appendLittleEndian(Int64(seq))
            out.appendLittleEndian(Int64(retracting ?? -1))
            out.appendLittleEndian(UInt32(line.count))
            out.append(contentsOf: line)
        }
    }

    /// The offsets of a body's parts.
    struct Sections {
        var unknown: Int
        var stringCount: Int
        var strings: Range<Int>
        var outturnCount: Int
        var outturns: Range<Int>
        var otherCount: Int
        var others: Range<Int>
        var idCount: Int
        var ids: Range<Int>

        init(_ reader: inout ByteReader) throws {
            unknown = Int(try reader.int64())
            (stringCount, strings) = try reader.section()
            (outturnCount, outturns) = try reader.section()
            guard outturns.count == outturnCount * StateCheckpoint.outturnSize else { throw Malformed() }
            (otherCount, others) = try reader.section()
            (idCount, ids) = try reader.section()
            guard reader.isAtEnd else { throw Malformed() }
        }

        func strings(_ raw: UnsafeRawBufferPointer) throws -> [String] {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[strings]))
            var table: [String] = []
            table.reserveCapacity(stringCount)
            for _ in 0..<stringCount { table.append(String(decoding: try reader.bytes(Int(try reader.uint32())), as: UTF8.self)) }
            return table
        }
    }
}

/// An outturn as a checkpoint keeps it: 64 bytes.
///
/// seq (8) · known (4) · recorded day (4) · area (4) · indicator (4) · period's first and last
/// month (8) · value's kind, status, isPartnership, padding (4) · note (4, or `noString`) ·
/// two doubles (16) · a change's comparison period (8).
struct OutturnRecord {
    static let noString = UInt32.max
    var seq: Int
    var known: Day
    var recordedDay: Day
    var outturn: OutturnRecorded

    init(seq: Int, known: Day, recordedDay: Day, outturn: OutturnRecorded) {
        (self.seq, self.known, self.recordedDay, self.outturn) = (seq, known, recordedDay, outturn)
    }

    static func peekSeq(_ reader: ByteReader) throws -> Int {
        reader.isAtEnd ? .max : Int(try reader.peekInt64())
    }

    init(_ reader: inout ByteReader, strings: [String]) throws {
        func string(_ index: UInt32) throws -> String {
            guard index < strings.count else { throw StateCheckpoint.Malformed() }
            return strings[Int(index)]
        }
        seq = Int(try reader.int64())
        known = try reader.day()
        recordedDay = try reader.day()
        let area = try string(try reader.uint32())
        let indicator = try string(try reader.uint32())
        let period = try reader.period()
        let (kind, statusCode, isPartnership, _) = (try reader.uint8(), try reader.uint8(), try reader.uint8(), try reader.uint8())
        let noteIndex = try reader.uint32()
        let note = noteIndex == Self.noString ? nil : try string(noteIndex)
        let (first, second) = (try reader.double(), try reader.double())
        let against = try reader.period()
        let value: OutturnValue
        switch kind {
        case 0: value = .number(first)
        case 1: value = .ratio(numerator: first, denominator: second)
        case 2: value = .change(first, against: against)
        default: throw StateCheckpoint.Malformed()
        }
        guard statusCode < OutturnStatus.allCases.count else { throw StateCheckpoint.Malformed() }
        outturn = OutturnRecorded(area: area, isPartnership: isPartnership != 0, indicator: indicator, period: period,
                                  value: value, status: OutturnStatus.allCases[Int(statusCode)], note: note)
    }

    func write(to out: inout [UInt8], intern: (String) -> UInt32) {
        out.appendLittleEndian(Int64(seq))
        out.appendDay(known)
        out.appendDay(recordedDay)
        out.appendLittleEndian(intern(outturn.area))
        out.appendLittleEndian(intern(outturn.indicator))
        out.appendPeriod(outturn.period)
        let (kind, first, second, against): (UInt8, Double, Double, Period?) = switch outturn.value {
        case .number(let v): (0, v, 0, nil)
        case .ratio(let n, let d): (1, n, d, nil)
        case .change(let c, let p): (2, c, 0, p)
        }
        out.append(kind)
        out.append(UInt8(OutturnStatus.allCases.firstIndex(of: outturn.status)!))
        out.append(outturn.isPartnership ? 1 : 0)
        out.append(0)
        out.appendLittleEndian(outturn.note.map(intern) ?? Self.noString)
        out.appendLittleEndian(first.bitPattern)
        out.appendLittleEndian(second.bitPattern)
        if let against { out.appendPeriod(against) } else { out.appendLittleEndian(Int64(0)) }
    }
}

/// Reads a checkpoint's little-endian fields, checking every bound.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    private mutating func take(_ count: Int) throws -> Int {
        guard count >= 0, bytes.count - position >= count else { throw StateCheckpoint.Malformed() }
        defer { position += count }
        return position
    }

    mutating func uint8() throws -> UInt8 { bytes[try take(1)] }
    mutating func uint32() throws -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self))
    }
    mutating func int32() throws -> Int32 {
        Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: Int32.self))
    }
    mutating func int64() throws -> Int64 {
        Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: Int64.self))
    }
    func peekInt64() throws -> Int64 {
        var copy = self
        return try copy.int64()
    }
    mutating func double() throws -> Double {
        Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)))
    }
    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        let start = try take(count)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])
    }
    /// A day as `yyyymmdd`.
    mutating func day() throws -> Day {
        let packed = Int(try int32())
        guard let day = Day(year: packed / 10_000, month: packed / 100 % 100, day: packed % 100) else { throw StateCheckpoint.Malformed() }
        return day
    }
    /// A period as its first and last month's index.
    mutating func period() throws -> Period {
        let (first, last) = (Int(try int32()), Int(try int32()))
        guard let period = Period(first: Month(index: first), last: Month(index: last)) else { throw StateCheckpoint.Malformed() }
        return period
    }
    /// A section: its item count, then its length in bytes, then its bytes (returned as a range).
    mutating func section() throws -> (count: Int, bytes: Range<Int>) {
        let count = Int(try int64())
        let length = Int(try int64())
        let start = try take(length)
        guard count >= 0 else { throw StateCheckpoint.Malformed() }
        return (count, start..<start + length)
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<I: FixedWidthInteger>(_ value: I) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
    mutating func appendDay(_ day: Day) {
        appendLittleEndian(Int32(day.year * 10_000 + day.month * 100 + day.day))
    }
    mutating func appendPeriod(_ period: Period) {
        appendLittleEndian(Int32(period.first.index))
        appendLittleEndian(Int32(period.last.index))
    }
    /// A section as ``ByteReader/section()`` reads it.
    mutating func appendSection(count: Int, _ bytes: [UInt8]) {
        appendLittleEndian(Int64(count))
        appendLittleEndian(Int64(bytes.count))
        append(contentsOf: bytes)
    }
}
