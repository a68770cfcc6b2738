import LedgerModel
import Projections

/// What a checkpoint says of its events as a whole, so that a view of one partnership can leave
/// the others out without reading them: which partnerships are registered, where each series'
/// outturn records lie, and, at any point in time, how many of all the records count and which
/// is the latest.
///
/// A view of one partnership reads its own series (and the comparators') and counts the rest
/// as the difference between all the records the point counts and those it read — the
/// heading's "N of M events count" exactly as a fold of every record gives it. A retraction
/// names a left-out record now and then; those the checkpoint's own retractions name are
/// listed with their dates, and any other is found only when a later retraction names it.
///
/// Layout (little-endian), each table its count (8 bytes) then its entries: the partnerships
/// every `partnership.registered` event names (string indices, rising: 4 bytes); the groups of
/// other events (in the second section or not, partnership, start and length in the section,
/// event count: 32 bytes); the other events' envelopes, group by group (seq, known day,
/// recorded day, subject, what a retraction retracts (-1 for any other event), partnership: 32
/// bytes); series (area and indicator string indices, first record, record count: 24 bytes);
/// known days (day, record count, latest seq: 16); recorded days (day, padding, first seq
/// recorded that day or later: 16); retracted records (seq, known day, recorded day: 16); a bit
/// per seq, set for an outturn's (8 bytes a word, ``SeqSet/words``).
struct CheckpointIndex: Equatable {
    /// One series' records: its area and indicator (string indices) and their positions.
    struct Series: Equatable {
        var area: UInt32
        var indicator: UInt32
        var records: Range<Int>
    }

    /// The records known on one day: how many, and the latest seq among them.
    struct KnownDay: Equatable {
        var day: Int32
        var count: Int
        var lastSeq: Int
    }

    /// The first seq of a record recorded on this day or later (a record's recorded days need
    /// not rise with its seq for this to hold).
    struct RecordedDay: Equatable {
        var day: Int32
        var firstSeq: Int
    }

    /// A record some retraction the checkpoint keeps names.
    struct Retracted: Equatable {
        var seq: Int
        var known: Int32
        var recorded: Int32
    }

    /// A run of one section's other events (those validation reads, or action updates and
    /// boards) with the same partnership, in seq order: each section's events lie in such runs,
    /// so a view of one partnership reads only its own and those of no partnership.
    struct Group: Equatable {
        var inUpdates: Bool
        /// ``OutturnRecord/noString`` for the events of no partnership.
        var partnership: UInt32
        /// Where in its section.
        var bytes: Range<Int>
        var count: Int
    }

    /// An event other than an outturn, as a view that leaves it out judges and counts it.
    struct OtherEnvelope: Equatable {
        var seq: Int
        var known: Int32
        var recorded: Int32
        var subject: UInt32
        /// For a retraction, what it retracts (0: nothing), as ``StateCheckpoint/OtherEvent/retracting``; else nil.
        var retracting: Int?
    }

    /// Bytes per other event's envelope.
    static let envelopeSize = 32

    /// The string indices of the partnerships registered (retracted or not, whenever known), rising.
    var partnerships: [UInt32] = []
    /// The runs of the first section, then the second's, each covering its section once.
    var groups: [Group] = []
    /// The other events' envelopes, group by group, in the groups' order, when the index is
    /// written; when it is read, they are read only for the groups asked for
    /// (``envelopes(ofGroup:in:)``: an append's validation reads none).
    private var otherEnvelopes: [OtherEnvelope] = []
    /// Where each group's envelopes begin among them.
    private var envelopeStarts: [Int] = []
    /// Where the envelopes lie in the index's bytes, when it is read.
    private var envelopeTable = 0
    /// In record order, covering every record once.
    var series: [Series] = []
    /// Rising days.
    var knownDays: [KnownDay] = []
    /// Rising days.
    var recordedDays: [RecordedDay] = []
    /// Rising seqs.
    var retracted: [Retracted] = []
    /// The seqs of the outturns.
    var outturnSeqs = SeqSet()

    /// The index of `count` records, sorted as a checkpoint keeps them; `retractionTargets`: the
    /// seqs the checkpoint's retractions retract; `partnerships`: the string indices of those registered.
    init(records: UnsafeRawBufferPointer, count: Int, retractionTargets: Set<Int>, partnerships: Set<UInt32>) {
        self.partnerships = partnerships.sorted()
        let size = StateCheckpoint.outturnSize
        var known: [Int32: (count: Int, lastSeq: Int)] = [:]
        var recorded: [Int32: Int] = [:]
        for i in 0..<count {
            let base = i * size
            let seq = Int(Int64(littleEndian: records.loadUnaligned(fromByteOffset: base, as: Int64.self)))
            let knownDay = Int32(littleEndian: records.loadUnaligned(fromByteOffset: base + 8, as: Int32.self))
            let recordedDay = Int32(littleEndian: records.loadUnaligned(fromByteOffset: base + 12, as: Int32.self))
            let area = UInt32(littleEndian: records.loadUnaligned(fromByteOffset: base + 16, as: UInt32.self))
            let indicator = UInt32(littleEndian: records.loadUnaligned(fromByteOffset: base + 20, as: UInt32.self))
            if let last = series.last, last.area == area, last.indicator == indicator {
                series[series.count - 1].records = last.records.lowerBound..<i + 1
            } else {
                series.append(Series(area: area, indicator: indicator, records: i..<i + 1))
            }
            let day = known[knownDay, default: (0, 0)]
            known[knownDay] = (day.count + 1, max(day.lastSeq, seq))
            recorded[recordedDay] = min(recorded[recordedDay] ?? .max, seq)
            if retractionTargets.contains(seq) { retracted.append(Retracted(seq: seq, known: knownDay, recorded: recordedDay)) }
            outturnSeqs.insert(seq)
        }
        knownDays = known.map { KnownDay(day: $0.key, count: $0.value.count, lastSeq: $0.value.lastSeq) }.sorted { $0.day < $1.day }
        recordedDays = recorded.map { RecordedDay(day: $0.key, firstSeq: $0.value) }.sorted { $0.day < $1.day }
        // Each day's first seq of a record recorded then or later: the least from there on.
        for i in recordedDays.indices.reversed().dropFirst() {
            recordedDays[i].firstSeq = min(recordedDays[i].firstSeq, recordedDays[i + 1].firstSeq)
        }
        retracted.sort { $0.seq < $1.seq }
    }

    /// Reads an index, checking it against the checkpoint it is part of (its `sections`, seqs up
    /// to `reader.lastSeq`).
    init(_ reader: inout ByteReader, sections: StateCheckpoint.Sections) throws {
        let (outturnCount, stringCount) = (sections.outturnCount, sections.stringCount)
        func count(bytesPerEntry: Int) throws -> Int { try Self.count(&reader, bytesPerEntry: bytesPerEntry) }
        (partnerships, groups) = try Self.head(&reader, sections: sections)
        let counts = (others: sections.otherCount, updates: sections.updateCount)
        let envelopes = try count(bytesPerEntry: Self.envelopeSize)
        guard envelopes == counts.others + counts.updates else { throw StateCheckpoint.Malformed() }
        envelopeTable = reader.position
        var start = 0
        envelopeStarts = groups.map { group in defer { start += group.count }; return start }
        try reader.skip(Self.envelopeSize * envelopes)
        for _ in 0..<(try count(bytesPerEntry: 24)) {
            let (area, indicator, first, length) = (try reader.uint32(), try reader.uint32(), try reader.int64(), try reader.int64())
            guard area < stringCount, indicator < stringCount, first == series.last?.records.upperBound ?? 0, length >= 1,
                  length <= outturnCount - Int(first) else { throw StateCheckpoint.Malformed() }
            series.append(Series(area: area, indicator: indicator, records: Int(first)..<Int(first + length)))
        }
        guard series.last?.records.upperBound ?? 0 == outturnCount else { throw StateCheckpoint.Malformed() }
        var total = 0
        for _ in 0..<(try count(bytesPerEntry: 16)) {
            let day = KnownDay(day: try reader.int32(), count: Int(try reader.uint32()), lastSeq: try reader.seq())
            guard day.day > knownDays.last?.day ?? .min, day.count >= 1 else { throw StateCheckpoint.Malformed() }
            knownDays.append(day)
            total += day.count
        }
        guard total == outturnCount else { throw StateCheckpoint.Malformed() }
        for _ in 0..<(try count(bytesPerEntry: 16)) {
            let (day, _) = (try reader.int32(), try reader.uint32())
            let entry = RecordedDay(day: day, firstSeq: try reader.seq())
            guard entry.day > recordedDays.last?.day ?? .min, entry.firstSeq >= recordedDays.last?.firstSeq ?? 0 else { throw StateCheckpoint.Malformed() }
            recordedDays.append(entry)
        }
        guard (recordedDays.isEmpty) == (outturnCount == 0) else { throw StateCheckpoint.Malformed() }
        for _ in 0..<(try count(bytesPerEntry: 16)) {
            let entry = Retracted(seq: try reader.seq(), known: try reader.int32(), recorded: try reader.int32())
            guard entry.seq > retracted.last?.seq ?? 0 else { throw StateCheckpoint.Malformed() }
            retracted.append(entry)
        }
        let words = try count(bytesPerEntry: 8)
        guard words <= reader.lastSeq / 64 + 1 else { throw StateCheckpoint.Malformed() }
        outturnSeqs = SeqSet(words: try (0..<words).map { _ in UInt64(bitPattern: try reader.int64()) })
        guard outturnSeqs.census(below: .max).count == outturnCount, !outturnSeqs.contains(0), reader.isAtEnd else { throw StateCheckpoint.Malformed() }
    }

    /// The index's first two tables, all that reading the other events needs: the partnerships
    /// registered, and the runs of other events (each section covered once).
    static func head(_ reader: inout ByteReader, sections: StateCheckpoint.Sections) throws -> (partnerships: [UInt32], groups: [Group]) {
        let stringCount = sections.stringCount
        func count(bytesPerEntry: Int) throws -> Int { try Self.count(&reader, bytesPerEntry: bytesPerEntry) }
        var partnerships: [UInt32] = [], groups: [Group] = []
        for _ in 0..<(try count(bytesPerEntry: 4)) {
            let index = try reader.uint32()
            guard index < stringCount, index > partnerships.last ?? 0 || partnerships.isEmpty else { throw StateCheckpoint.Malformed() }
            partnerships.append(index)
        }
        var ends = (others: 0, updates: 0), counts = (others: 0, updates: 0)
        for _ in 0..<(try count(bytesPerEntry: 32)) {
            let (inUpdates, partnership, start, length, count) = (try reader.uint32(), try reader.uint32(), try reader.int64(), try reader.int64(), try reader.int64())
            guard inUpdates <= 1, partnership < stringCount || partnership == OutturnRecord.noString, start == (inUpdates == 1 ? ends.updates : ends.others),
                  length >= 1, length <= (inUpdates == 1 ? sections.updates.count : sections.others.count) - Int(start), count >= 1, count <= length else {
                throw StateCheckpoint.Malformed()
            }
            groups.append(Group(inUpdates: inUpdates == 1, partnership: partnership, bytes: Int(start)..<Int(start + length), count: Int(count)))
            if inUpdates == 1 { (ends.updates, counts.updates) = (Int(start + length), counts.updates + Int(count)) } else { (ends.others, counts.others) = (Int(start + length), counts.others + Int(count)) }
        }
        guard ends == (sections.others.count, sections.updates.count), counts == (sections.otherCount, sections.updateCount) else { throw StateCheckpoint.Malformed() }
        return (partnerships, groups)
    }

    /// A table's count of entries, which must fit in what is left of `reader`.
    private static func count(_ reader: inout ByteReader, bytesPerEntry: Int) throws -> Int {
        let count = try reader.int64()
        guard count >= 0, count <= (reader.bytes.count - reader.position) / bytesPerEntry else { throw StateCheckpoint.Malformed() }
        return Int(count)
    }

    func write(to out: inout [UInt8]) {
        out.appendLittleEndian(Int64(partnerships.count))
        for index in partnerships { out.appendLittleEndian(index) }
        out.appendLittleEndian(Int64(groups.count))
        for g in groups {
            out.appendLittleEndian(UInt32(g.inUpdates ? 1 : 0))
            out.appendLittleEndian(g.partnership)
            out.appendLittleEndian(Int64(g.bytes.lowerBound))
            out.appendLittleEndian(Int64(g.bytes.count))
            out.appendLittleEndian(Int64(g.count))
        }
        out.appendLittleEndian(Int64(otherEnvelopes.count))
        for (g, group) in groups.enumerated() {
            for e in otherEnvelopes[envelopeStarts[g]..<envelopeStarts[g] + group.count] {
                out.appendLittleEndian(Int64(e.seq))
                out.appendLittleEndian(e.known)
                out.appendLittleEndian(e.recorded)
                out.appendLittleEndian(e.subject)
                out.appendLittleEndian(Int64(e.retracting ?? -1))
                out.appendLittleEndian(group.partnership)
            }
        }
        out.appendLittleEndian(Int64(series.count))
        for s in series {
            out.appendLittleEndian(s.area)
            out.appendLittleEndian(s.indicator)
            out.appendLittleEndian(Int64(s.records.lowerBound))
            out.appendLittleEndian(Int64(s.records.count))
        }
        out.appendLittleEndian(Int64(knownDays.count))
        for d in knownDays {
            out.appendLittleEndian(d.day)
            out.appendLittleEndian(UInt32(d.count))
            out.appendLittleEndian(Int64(d.lastSeq))
        }
        out.appendLittleEndian(Int64(recordedDays.count))
        for d in recordedDays {
            out.appendLittleEndian(d.day)
            out.appendLittleEndian(UInt32(0))
            out.appendLittleEndian(Int64(d.firstSeq))
        }
        out.appendLittleEndian(Int64(retracted.count))
        for r in retracted {
            out.appendLittleEndian(Int64(r.seq))
            out.appendLittleEndian(r.known)
            out.appendLittleEndian(r.recorded)
        }
        let words = outturnSeqs.trimmedWords
        out.appendLittleEndian(Int64(words.count))
        for word in words { out.appendLittleEndian(Int64(bitPattern: word)) }
    }

    /// Sets the other events' groups, and their envelopes, group by group.
    mutating func setGroups(_ groups: [Group], envelopes: [OtherEnvelope]) {
        (self.groups, otherEnvelopes) = (groups, envelopes)
        var start = 0
        envelopeStarts = groups.map { group in defer { start += group.count }; return start }
    }

    /// The envelopes of the events of group `g`, read from `index` (the index's bytes, checked)
    /// and checked: of its partnership, in seq order.
    func envelopes(ofGroup g: Int, in index: ByteReader) throws -> [OtherEnvelope] {
        var reader = index
        reader.position = envelopeTable + Self.envelopeSize * envelopeStarts[g]
        var envelopes: [OtherEnvelope] = []
        envelopes.reserveCapacity(groups[g].count)
        for _ in 0..<groups[g].count {
            let envelope = OtherEnvelope(seq: try reader.seq(), known: try reader.int32(), recorded: try reader.int32(), subject: try reader.uint32(),
                                         retracting: try reader.seq(orNone: -1, orNothing: 0))
            guard try reader.uint32() == groups[g].partnership, envelope.seq > envelopes.last?.seq ?? 0,
                  envelope.retracting.map({ $0 < envelope.seq }) ?? true else { throw StateCheckpoint.Malformed() }
            envelopes.append(envelope)
        }
        return envelopes
    }

    /// The first seq of a record recorded after `day` (.max if none).
    func firstSeq(recordedAfter day: Int32) -> Int {
        var (low, high) = (0, recordedDays.count)
        while low < high {
            let mid = (low + high) / 2
            if recordedDays[mid].day <= day { low = mid + 1 } else { high = mid }
        }
        return low < recordedDays.count ? recordedDays[low].firstSeq : .max
    }

    /// Of every record: how many have seqs before `stop`, how many of those `point` counts, and
    /// the latest seq it counts (0 if none). `stop` is where a fold in seq order stops (see
    /// ``StateCheckpoint/firstPastTheEnd(_:_:_:lastSeq:index:)``): before it, a point in time
    /// that stops a fold counts every record.
    func census(_ point: PointInTime, before stop: Int) -> (beforeStop: Int, counted: Int, lastCounted: Int) {
        switch point {
        case .asOf(let day) where stop == .max:
            var (counted, last) = (0, 0)
            for d in knownDays {
                guard d.day <= day.packed else { break }
                (counted, last) = (counted + d.count, max(last, d.lastSeq))
            }
            return (knownDays.reduce(0) { $0 + $1.count }, counted, last)
        default:
            // Every record before the stop counts: .now and .asOf never stop; a board's seal or a
            // recorded day stops at the first event past it, and counts every one before.
            let before = outturnSeqs.census(below: stop)
            return (before.count, before.count, before.last)
        }
    }
}
