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
/// recorded that day or later: 16); retracted events, records or others (seq, known day,
/// recorded day: 16); a bit per seq, set for an outturn's (8 bytes a word, ``SeqSet/words``);
/// the other events known on each day (as the records': 16); the retractions among them (seq,
/// known day, recorded day, what it retracts (0: nothing), partnership, padding: 32); the
/// subjects of each partnership's other events (fingerprint (16), first seq, its known and
/// recorded days' least and first, partnership, string index: 40), by fingerprint.
///
/// So a view of one partnership counts the other partnerships' events, applies their
/// retractions and notes their subjects from these short tables, never walking the envelopes
/// (a few hundred thousand bytes on a London-wide ledger): those are read only if a retraction
/// after the checkpoint names an event neither the view nor these tables judged.
///
/// (Sendable, unchecked: a read index points into the mapped checkpoint, which is read-only and
/// outlives every reader of it.)
struct CheckpointIndex: @unchecked Sendable {
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

    /// A retraction among the other events: enough to fold it in without its line.
    struct Retraction: Equatable {
        var seq: Int
        var known: Int32
        var recorded: Int32
        /// What it retracts in the whole log (0: nothing).
        var target: Int
        /// Its group's (``OutturnRecord/noString`` for none).
        var partnership: UInt32
    }

    /// A subject (`target:<id>`, `action:<id>`, `baseline:<id>`) of one partnership's other events,
    /// other than retractions: when a point in time first counts one of them.
    struct SubjectEntry: Equatable {
        /// ``SubjectSet/Fingerprint/none`` for a subject with non-ASCII bytes (kept as a string).
        var fingerprint: SubjectSet.Fingerprint
        /// The first event's seq and recorded day.
        var firstSeq: Int
        var firstRecorded: Int32
        /// The least known day among the events.
        var leastKnown: Int32
        var partnership: UInt32
        /// The subject, as a string index.
        var string: UInt32

        /// Whether a fold that stops at `stop` and judges by `judge` counts one of the events: by
        /// their known days, the least; by seq or recorded day (which never falls as seqs rise), the first.
        func isCounted(by judge: StateCheckpoint.PackedJudge, before stop: Int) -> Bool {
            firstSeq < stop && judge.includes(seq: firstSeq, known: leastKnown, recorded: firstRecorded)
        }
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
    private(set) var envelopeBytes = 0..<0
    /// In record order, covering every record once.
    private var builtSeries: [Series] = []
    /// When the index is read, the series' table (checked against the digests), read only by
    /// ``forEachSeries(_:)``: a view of one indicator keeps a few of thousands.
    private var seriesTable: (bytes: UnsafeRawBufferPointer, outturnCount: Int, stringCount: Int)?
    /// Rising days.
    var knownDays: [KnownDay] = []
    /// Rising days.
    var recordedDays: [RecordedDay] = []
    /// Rising seqs.
    var retracted: [Retracted] = []
    /// The seqs of the outturns, when the index is written; when it is read, their table's bytes
    /// are made a set and checked only if asked (``outturnSeqs()``): a view of a known day never
    /// asks (the table is a bit for each seq: 136 KB on a London-wide ledger).
    private var builtOutturnSeqs = SeqSet()
    private var outturnSeqTable: (words: UnsafeRawBufferPointer, outturns: Int, lastSeq: Int)?
    /// Whether bytes of the read index match the checkpoint's digests (checked as they are read:
    /// the seq bits and the subjects only if they are).
    private var isChecked: @Sendable (UnsafeRawBufferPointer) -> Bool = { _ in true }
    /// The other events (of every group) known on each day: rising days.
    var otherKnownDays: [KnownDay] = []
    /// The retractions among the other events, rising seqs.
    var retractions: [Retraction] = []
    /// By fingerprint, rising (subjects with non-ASCII bytes first), when the index is written;
    /// when it is read, the table's entries are read only by ``subjectLookup(otherThan:countedBy:before:)``,
    /// each checked as it is read (a view of one partnership asks of a few dozen of 6,600 on a
    /// London-wide ledger, and no other reader needs them).
    private var builtSubjects: [SubjectEntry] = []
    private var subjectTable: (bytes: UnsafeRawBufferPointer, stringCount: Int, lastSeq: Int)?

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
            if let last = builtSeries.last, last.area == area, last.indicator == indicator {
                builtSeries[builtSeries.count - 1].records = last.records.lowerBound..<i + 1
            } else {
                builtSeries.append(Series(area: area, indicator: indicator, records: i..<i + 1))
            }
            let day = known[knownDay, default: (0, 0)]
            known[knownDay] = (day.count + 1, max(day.lastSeq, seq))
            recorded[recordedDay] = min(recorded[recordedDay] ?? .max, seq)
            if retractionTargets.contains(seq) { retracted.append(Retracted(seq: seq, known: knownDay, recorded: recordedDay)) }
            builtOutturnSeqs.insert(seq)
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
    /// to `reader.lastSeq`). `isChecked`: whether bytes of it match the checkpoint's digests, asked
    /// of each table before it is read (of the seq bits and the subjects, only of their counts
    /// until they are read); the head must have been checked already.
    init(_ reader: inout ByteReader, sections: StateCheckpoint.Sections, isChecked: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) throws {
        let (outturnCount, stringCount) = (sections.outturnCount, sections.stringCount)
        self.isChecked = isChecked
        func count(bytesPerEntry: Int) throws -> Int { try Self.count(&reader, bytesPerEntry: bytesPerEntry, isChecked: isChecked) }
        (partnerships, groups) = try Self.head(&reader, sections: sections)
        let counts = (others: sections.otherCount, updates: sections.updateCount)
        let envelopes = try count(bytesPerEntry: Self.envelopeSize)
        guard envelopes == counts.others + counts.updates else { throw StateCheckpoint.Malformed() }
        envelopeBytes = reader.position..<reader.position + Self.envelopeSize * envelopes
        var start = 0
        envelopeStarts = groups.map { group in defer { start += group.count }; return start }
        try reader.skip(Self.envelopeSize * envelopes)
        // (Each table read in one pass over its bytes, each entry checked, then the order of them all.)
        let lastSeq = reader.lastSeq
        func isString(_ index: UInt32) -> Bool { index < stringCount }
        let seriesBytes = try reader.bytes(24 * (try count(bytesPerEntry: 24)))
        guard isChecked(seriesBytes) else { throw StateCheckpoint.Malformed() }
        seriesTable = (seriesBytes, outturnCount, stringCount)
        knownDays = try Self.knownDays(&reader, total: outturnCount, isChecked: isChecked)
        recordedDays = try Self.table(&reader, size: 16, isChecked: isChecked) { e in e.seq(8, upTo: lastSeq).map { RecordedDay(day: e.int32(0), firstSeq: $0) } }
        guard Self.rising(recordedDays.map(\.day)), zip(recordedDays, recordedDays.dropFirst()).allSatisfy({ $0.firstSeq <= $1.firstSeq }),
              recordedDays.isEmpty == (outturnCount == 0) else { throw StateCheckpoint.Malformed() }
        retracted = try Self.table(&reader, size: 16, isChecked: isChecked) { e in e.seq(0, upTo: lastSeq).map { Retracted(seq: $0, known: e.int32(8), recorded: e.int32(12)) } }
        guard Self.rising(retracted.map(\.seq)) else { throw StateCheckpoint.Malformed() }
        let words = try reader.bytes(8 * (try count(bytesPerEntry: 8)))
        guard words.count / 8 <= lastSeq / 64 + 1 else { throw StateCheckpoint.Malformed() }
        outturnSeqTable = (words, outturnCount, lastSeq)
        otherKnownDays = try Self.knownDays(&reader, total: counts.others + counts.updates, isChecked: isChecked)
        retractions = try Self.table(&reader, size: 32, isChecked: isChecked) { e in
            guard let seq = e.seq(0, upTo: lastSeq), e.int64(16) >= 0, e.int64(16) < seq,
                  isString(e.uint32(24)) || e.uint32(24) == OutturnRecord.noString else { return nil }
            return Retraction(seq: seq, known: e.int32(8), recorded: e.int32(12), target: e.int64(16), partnership: e.uint32(24))
        }
        guard Self.rising(retractions.map(\.seq)) else { throw StateCheckpoint.Malformed() }
        subjectTable = (try reader.bytes(Self.subjectSize * (try count(bytesPerEntry: Self.subjectSize))), stringCount, lastSeq)
        guard reader.isAtEnd else { throw StateCheckpoint.Malformed() }
    }

    /// Bytes per subject entry.
    private static let subjectSize = 40

    /// The seqs of the outturns (checked against the checkpoint's count of them, if read).
    func outturnSeqs() throws -> SeqSet {
        guard let (bytes, outturns, lastSeq) = outturnSeqTable else { return builtOutturnSeqs }
        guard isChecked(bytes) else { throw StateCheckpoint.Malformed() }
        let seqs = SeqSet(words: (0..<bytes.count / 8).map { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) })
        let all = seqs.census(below: .max)
        guard all.count == outturns, all.last <= lastSeq, !seqs.contains(0) else { throw StateCheckpoint.Malformed() }
        return seqs
    }

    /// What a view of partnership `kept` asks of the subjects of the other partnerships' events
    /// that a fold stopping at `stop` and judging by `judge` counts: whether one has a given
    /// fingerprint, searched by halving where the table lies, each entry read checked against
    /// its digests and its bounds (one that fails answers yes: the view then folds again, keeping
    /// everything); and the string indices of those with non-ASCII bytes (the table's first).
    func subjectLookup(otherThan kept: UInt32, countedBy judge: StateCheckpoint.PackedJudge, before stop: Int) throws
        -> (lookup: SubjectLookup, exotic: [UInt32]) {
        @Sendable func wanted(_ entry: SubjectEntry) -> Bool { entry.partnership != kept && entry.isCounted(by: judge, before: stop) }
        guard let table = subjectTable else {
            let entries = builtSubjects.filter(wanted)
            let sorted = entries.map(\.fingerprint).filter { $0 != .none }
            return (SubjectLookup { sorted.contains($0) }, entries.filter { $0.fingerprint == .none }.map(\.string))
        }
        let (count, isChecked, lastSeq, stringCount) = (table.bytes.count / Self.subjectSize, self.isChecked, table.lastSeq, table.stringCount)
        nonisolated(unsafe) let tableBytes = table.bytes // in the mapped checkpoint, which outlives every reader
        /// The entry at `i`, if it is checked and in bounds.
        @Sendable func entry(_ i: Int) -> SubjectEntry? {
            let bytes = UnsafeRawBufferPointer(rebasing: tableBytes[i * Self.subjectSize..<(i + 1) * Self.subjectSize])
            guard isChecked(bytes) else { return nil }
            let e = TableEntry(bytes: bytes, at: 0)
            guard let seq = e.seq(16, upTo: lastSeq), e.uint32(32) < stringCount, e.uint32(36) < stringCount else { return nil }
            return SubjectEntry(fingerprint: SubjectSet.Fingerprint(high: UInt64(bitPattern: Int64(e.int64(0))), low: UInt64(bitPattern: Int64(e.int64(8)))),
                                firstSeq: seq, firstRecorded: e.int32(24), leastKnown: e.int32(28), partnership: e.uint32(32), string: e.uint32(36))
        }
        var exotic: [UInt32] = []
        var first = 0 // of the entries with fingerprints
        while first < count {
            guard let e = entry(first) else { throw StateCheckpoint.Malformed() }
            guard e.fingerprint == .none else { break }
            if wanted(e) { exotic.append(e.string) }
            first += 1
        }
        let firstWithFingerprint = first
        let lookup = SubjectLookup { fingerprint in
            guard var low = try? partitionPoint(firstWithFingerprint..<count, { i in
                guard let e = entry(i) else { throw StateCheckpoint.Malformed() }
                return e.fingerprint < fingerprint
            }) else { return true }
            while low < count {
                guard let e = entry(low) else { return true }
                guard e.fingerprint == fingerprint else { return false }
                if wanted(e) { return true }
                low += 1
            }
            return false
        }
        return (lookup, exotic)
    }

    /// Calls `body` with each series, in record order, each read and checked (in bounds, each
    /// starting where the one before ends, the last ending at the last record) as it is met.
    func forEachSeries(_ body: (Series) throws -> Void) throws {
        guard let (bytes, outturnCount, stringCount) = seriesTable else { return try builtSeries.forEach(body) }
        var end = 0
        for i in 0..<bytes.count / 24 {
            let e = TableEntry(bytes: bytes, at: i * 24)
            let (area, indicator, first, length) = (e.uint32(0), e.uint32(4), e.int64(8), e.int64(16))
            guard area < stringCount, indicator < stringCount, first == end, length >= 1, length <= outturnCount - first else { throw StateCheckpoint.Malformed() }
            end = first + length
            try body(Series(area: area, indicator: indicator, records: first..<end))
        }
        guard end == outturnCount else { throw StateCheckpoint.Malformed() }
    }

    /// A table of known days, rising, of `total` events in all.
    private static func knownDays(_ reader: inout ByteReader, total: Int, isChecked: (UnsafeRawBufferPointer) -> Bool) throws -> [KnownDay] {
        let lastSeq = reader.lastSeq
        let days = try table(&reader, size: 16, isChecked: isChecked) { e in e.seq(8, upTo: lastSeq).map { KnownDay(day: e.int32(0), count: Int(e.uint32(4)), lastSeq: $0) } }
        guard rising(days.map(\.day)), days.allSatisfy({ $0.count >= 1 }), days.reduce(0, { $0 + $1.count }) == total else { throw StateCheckpoint.Malformed() }
        return days
    }

    /// Whether each is greater than the one before.
    private static func rising<T: Comparable>(_ values: [T]) -> Bool {
        zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
    }

    /// One entry of a table, read where it lies.
    private struct TableEntry {
        let bytes: UnsafeRawBufferPointer
        let at: Int
        func int64(_ offset: Int) -> Int { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: Int64.self))) }
        func int32(_ offset: Int) -> Int32 { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: Int32.self)) }
        func uint32(_ offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + offset, as: UInt32.self)) }
        /// A seq the checkpoint covers (nil for any other number).
        func seq(_ offset: Int, upTo last: Int) -> Int? {
            let value = int64(offset)
            return value >= 1 && value <= last ? value : nil
        }
    }

    /// A table's entries (its count first, then `size` bytes each), each made from its bytes by
    /// `entry` — nil for a malformed one — in one pass over them, checked first.
    private static func table<T>(_ reader: inout ByteReader, size: Int, isChecked: (UnsafeRawBufferPointer) -> Bool, _ entry: (TableEntry) -> T?) throws -> [T] {
        let count = try Self.count(&reader, bytesPerEntry: size, isChecked: isChecked)
        let bytes = try reader.bytes(count * size)
        guard isChecked(bytes) else { throw StateCheckpoint.Malformed() }
        var entries: [T] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            guard let made = entry(TableEntry(bytes: bytes, at: i * size)) else { throw StateCheckpoint.Malformed() }
            entries.append(made)
        }
        return entries
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

    /// A table's count of entries, which must fit in what is left of `reader` (its bytes checked first).
    private static func count(_ reader: inout ByteReader, bytesPerEntry: Int, isChecked: (UnsafeRawBufferPointer) -> Bool = { _ in true }) throws -> Int {
        guard isChecked(UnsafeRawBufferPointer(rebasing: reader.bytes[reader.position..<min(reader.position + 8, reader.bytes.count)])) else {
            throw StateCheckpoint.Malformed()
        }
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
        out.appendLittleEndian(Int64(builtSeries.count))
        for s in builtSeries {
            out.appendLittleEndian(s.area)
            out.appendLittleEndian(s.indicator)
            out.appendLittleEndian(Int64(s.records.lowerBound))
            out.appendLittleEndian(Int64(s.records.count))
        }
        Self.write(knownDays, to: &out)
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
        let words = builtOutturnSeqs.trimmedWords
        out.appendLittleEndian(Int64(words.count))
        for word in words { out.appendLittleEndian(Int64(bitPattern: word)) }
        Self.write(otherKnownDays, to: &out)
        out.appendLittleEndian(Int64(retractions.count))
        for r in retractions {
            out.appendLittleEndian(Int64(r.seq))
            out.appendLittleEndian(r.known)
            out.appendLittleEndian(r.recorded)
            out.appendLittleEndian(Int64(r.target))
            out.appendLittleEndian(r.partnership)
            out.appendLittleEndian(UInt32(0))
        }
        out.appendLittleEndian(Int64(builtSubjects.count))
        for e in builtSubjects {
            out.appendLittleEndian(Int64(bitPattern: e.fingerprint.high))
            out.appendLittleEndian(Int64(bitPattern: e.fingerprint.low))
            out.appendLittleEndian(Int64(e.firstSeq))
            out.appendLittleEndian(e.firstRecorded)
            out.appendLittleEndian(e.leastKnown)
            out.appendLittleEndian(e.partnership)
            out.appendLittleEndian(e.string)
        }
    }

    private static func write(_ days: [KnownDay], to out: inout [UInt8]) {
        out.appendLittleEndian(Int64(days.count))
        for d in days {
            out.appendLittleEndian(d.day)
            out.appendLittleEndian(UInt32(d.count))
            out.appendLittleEndian(Int64(d.lastSeq))
        }
    }

    /// Sets the other events' groups, and their envelopes, group by group; and the tables made
    /// from them: the other events' known days, their retractions, the subjects of each
    /// partnership's (`subject`: a string index's bytes), and the events among them that
    /// `retractionTargets` (the seqs the checkpoint's retractions retract) names.
    mutating func setGroups(_ groups: [Group], envelopes: [OtherEnvelope], retractionTargets: Set<Int>,
                            subject: (UInt32) -> UnsafeRawBufferPointer) {
        (self.groups, otherEnvelopes) = (groups, envelopes)
        var start = 0
        envelopeStarts = groups.map { group in defer { start += group.count }; return start }
        var known: [Int32: (count: Int, lastSeq: Int)] = [:]
        var firsts: [SubjectKey: SubjectEntry] = [:]
        retractions = []
        for (g, group) in groups.enumerated() {
            for e in envelopes[envelopeStarts[g]..<envelopeStarts[g] + group.count] {
                let day = known[e.known, default: (0, 0)]
                known[e.known] = (day.count + 1, max(day.lastSeq, e.seq))
                if retractionTargets.contains(e.seq) { retracted.append(Retracted(seq: e.seq, known: e.known, recorded: e.recorded)) }
                if let target = e.retracting {
                    retractions.append(Retraction(seq: e.seq, known: e.known, recorded: e.recorded, target: target, partnership: group.partnership))
                } else if group.partnership != OutturnRecord.noString, e.subject != OutturnRecord.noString {
                    let key = SubjectKey(subject: e.subject, partnership: group.partnership)
                    if var entry = firsts[key] {
                        if e.seq < entry.firstSeq { (entry.firstSeq, entry.firstRecorded) = (e.seq, e.recorded) }
                        entry.leastKnown = min(entry.leastKnown, e.known)
                        firsts[key] = entry
                    } else {
                        firsts[key] = SubjectEntry(fingerprint: SubjectSet.fingerprint(utf8: subject(e.subject)) ?? .none, firstSeq: e.seq,
                                                   firstRecorded: e.recorded, leastKnown: e.known, partnership: group.partnership, string: e.subject)
                    }
                }
            }
        }
        otherKnownDays = known.map { KnownDay(day: $0.key, count: $0.value.count, lastSeq: $0.value.lastSeq) }.sorted { $0.day < $1.day }
        retractions.sort { $0.seq < $1.seq }
        retracted.sort { $0.seq < $1.seq }
        builtSubjects = firsts.values.sorted { ($0.fingerprint, $0.partnership, $0.string) < ($1.fingerprint, $1.partnership, $1.string) }
    }

    private struct SubjectKey: Hashable {
        var subject: UInt32
        var partnership: UInt32
    }

    /// The envelopes of the events of group `g`, read from `index` (the index's bytes, checked)
    /// and checked: of its partnership, in seq order.
    func envelopes(ofGroup g: Int, in index: ByteReader) throws -> [OtherEnvelope] {
        var reader = index
        reader.position = envelopeBytes.lowerBound + Self.envelopeSize * envelopeStarts[g]
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
        let low = partitionPoint(recordedDays.indices) { recordedDays[$0].day <= day }
        return low < recordedDays.count ? recordedDays[low].firstSeq : .max
    }

    /// Of every other event (of every group): how many have seqs before `stop`, how many of those
    /// `point` counts, and the latest seq it counts (0 if none), as ``census(_:before:)`` gives
    /// them of the records. `lastSeq`: the checkpoint's; `unknowns`: the seqs of its events of
    /// unknown kinds (neither records nor other events).
    func otherCensus(_ point: PointInTime, before stop: Int, lastSeq: Int, unknowns: Set<Int>) throws -> (beforeStop: Int, counted: Int, lastCounted: Int) {
        let total = otherKnownDays.reduce(0) { $0 + $1.count }
        if case .asOf(let day) = point, stop == .max {
            var (counted, last) = (0, 0)
            for d in otherKnownDays {
                guard d.day <= day.packed else { break }
                (counted, last) = (counted + d.count, max(last, d.lastSeq))
            }
            return (total, counted, last)
        }
        // Every event before the stop counts (see `census`); the checkpoint holds every seq up to its last.
        let below = min(stop, lastSeq + 1)
        let outturnSeqs = try outturnSeqs()
        let count = below - 1 - outturnSeqs.census(below: below).count - unknowns.count { $0 < below }
        var last = count > 0 ? below - 1 : 0
        while last > 0, outturnSeqs.contains(last) || unknowns.contains(last) { last -= 1 }
        return (count, count, last)
    }

    /// Of every record: how many have seqs before `stop`, how many of those `point` counts, and
    /// the latest seq it counts (0 if none). `stop` is where a fold in seq order stops (see
    /// ``StateCheckpoint/firstPastTheEnd(_:_:_:index:)``): before it, a point in time
    /// that stops a fold counts every record.
    func census(_ point: PointInTime, before stop: Int) throws -> (beforeStop: Int, counted: Int, lastCounted: Int) {
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
            let before = try outturnSeqs().census(below: stop)
            return (before.count, before.count, before.last)
        }
    }
}
