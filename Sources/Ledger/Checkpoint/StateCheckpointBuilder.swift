import EventLog
import LedgerModel

/// Collects a replay's events, in seq order, into a ``StateCheckpoint`` body.
///
/// It can start empty (a replay from seq 1) or from an earlier checkpoint's body (a replay
/// that folded that checkpoint, then the lines after it), so a checkpoint grows with the log
/// without the log being read from the start again. It resolves each retraction against
/// every event before it, whatever the replay's own point in time leaves out.
struct StateCheckpointBuilder {
    private var stringIndex: [String: UInt32] = [:]
    private var strings: [UInt8] = []
    private var outturns: [UInt8] = []
    private var outturnCount = 0
    /// The other events validation reads, and the action updates and boards it never reads
    /// (``StateCheckpoint/isUpdateType``): a section each.
    private var others: [UInt8] = []
    private var otherCount = 0
    private var updates: [UInt8] = []
    private var updateCount = 0
    private var ids: [UInt8] = []
    private var idCount = 0
    private var unknowns: [UInt8] = []
    private var unknownCount = 0
    /// Seqs of events of the kinds this version knows (a retraction by seq names one of them).
    private var isKnown: [Bool] = [false]
    /// Ids added since the builder started, by their hashes.
    private var newIDs = EventIDs()
    /// Ids of the checkpoint the builder resumed, hashed only if a retraction needs them.
    private var priorIDs: DeferredEventIDs?
    /// Set when an event came without the line it must be kept as: the body would lack it.
    private(set) var isIncomplete = false
    /// The partnerships (interned) each target and action id has been set or created for —
    /// more than one only for an id used again after a retraction — and where each event about
    /// one starts in `others` or `updates`: tagged with its partnership when the body is made.
    private var partnershipsOf: [Subject: Set<UInt32>] = [:]
    /// The indicators (interned) each target id has been set for: its events are tagged with
    /// the indicator when there is one (a revision never changes a target's indicator).
    private var indicatorsOf: [Subject: Set<UInt32>] = [:]
    private var subjectEvents: [(inUpdates: Bool, start: Int, subject: Subject)] = []
    /// The partnerships registered (interned), retracted or not.
    private var registered: Set<UInt32> = []

    typealias Subject = StateCheckpoint.Subject

    /// Whether the builder resolves retractions itself (else the caller's fold of every
    /// event does, and says what to in `add`).
    private let resolvesItself: Bool

    /// `events`: about how many events will be added (room is made for them at once).
    /// `resolvesItself`: see ``add(_:line:resolved:)``.
    init(expecting events: Int = 0, resolvesItself: Bool) {
        self.resolvesItself = resolvesItself
        outturns.reserveCapacity(events * StateCheckpoint.outturnSize)
        ids.reserveCapacity(events * 64)
        if resolvesItself {
            isKnown.reserveCapacity(events + 1)
            newIDs.reserveCapacity(events)
        }
    }

    /// Starts from an earlier checkpoint's body: its events come first.
    init(resuming checkpoint: Log.Checkpoint, expecting events: Int = 0, resolvesItself: Bool) throws {
        self.init(expecting: events, resolvesItself: resolvesItself)
        let raw = checkpoint.body.bytes
        guard checkpoint.check(0..<raw.count) else { throw StateCheckpoint.Malformed() }
        let sections = try StateCheckpoint.Sections(checkpoint)
        try StateCheckpoint.checkIDs(checkpoint, sections)
        for (index, string) in try sections.strings(raw).enumerated() { stringIndex[string] = UInt32(index) }
        registered = Set(try sections.index(checkpoint).partnerships)
        unknowns = Array(raw[sections.unknowns])
        unknownCount = sections.unknownCount
        strings = Array(raw[sections.strings])
        outturns.append(contentsOf: raw[sections.outturns])
        outturnCount = sections.outturnCount
        others = Array(raw[sections.others])
        otherCount = sections.otherCount
        updates = Array(raw[sections.updates])
        updateCount = sections.updateCount
        // The targets' and actions' events are decoded again, to tag them anew when the body is made.
        var times = Ledger.RecordedTimes()
        for (section, inUpdates) in [(sections.others, false), (sections.updates, true)] {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[section]), lastSeq: checkpoint.covers.seq)
            while !reader.isAtEnd {
                let start = reader.position
                let other = try StateCheckpoint.OtherEvent(&reader)
                guard Self.subjectTypes.contains(other.type) else { continue }
                _ = noteSubject(of: try other.event(times: &times).event, inUpdates: inUpdates, at: start)
            }
        }
        ids.append(contentsOf: raw[sections.ids])
        idCount = sections.idCount
        // Copied: the mapped pages can go (138 MB of a London-wide ledger's, resident twice over otherwise).
        defer { checkpoint.body.release(0..<raw.count) }
        guard resolvesItself else { return }
        var idReader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.ids]), lastSeq: checkpoint.covers.seq)
        while !idReader.isAtEnd {
            markKnown(try idReader.seq())
            _ = try idReader.bytes(Int(try idReader.uint32()))
        }
        priorIDs = StateCheckpoint.deferredIDs(checkpoint, sections, logPath: "") // checked above: never read from the log
    }

    /// Adds the next event. `line` is its log line (needed for every kind but outturns).
    /// `resolved`, when the caller folds every event, is what its own state resolves a
    /// retraction to (the builder then need not hash every id to resolve it itself).
    mutating func add(_ event: LedgerEvent, line: [UInt8]?, resolved: (EventReference) -> Int?) {
        if case .outturnRecorded(let outturn) = event.event {
            let strings = (area: intern(outturn.area), indicator: intern(outturn.indicator), note: outturn.note.map { intern($0) })
            OutturnRecord.write(event, outturn, strings: strings, to: &outturns)
            outturnCount += 1
        } else if let line {
            var target: Int?
            if case .eventRetracted(let r) = event.event { target = (resolvesItself ? resolve(r.event) : resolved(r.event)) ?? 0 }
            let inUpdates = Ledger.validationIgnores(event.event)
            let subject = noteSubject(of: event.event, inUpdates: inUpdates, at: inUpdates ? updates.count : others.count)
            // A plan, a priority or a board is its partnership's alone; a target's, action's or
            // baseline's partnership is set when the body is made.
            let partnership = Subject.partnership(of: event.event).map { intern($0) } ?? OutturnRecord.noString
            if case .partnershipRegistered(let p) = event.event { registered.insert(intern(p.partnership)) }
            // An indicator's definition is read only by views of it (a target's event is tagged
            // when the body is made).
            var indicator = OutturnRecord.noString
            if case .indicatorDefined(let i) = event.event { indicator = intern(i.indicator) }
            if inUpdates {
                StateCheckpoint.OtherEvent.write(event, retracting: target, partnership: partnership, subject: subject, indicator: indicator,
                                                 line: line, to: &updates)
                updateCount += 1
            } else {
                StateCheckpoint.OtherEvent.write(event, retracting: target, partnership: partnership, subject: subject, indicator: indicator,
                                                 line: line, to: &others)
                otherCount += 1
            }
        } else {
            isIncomplete = true
        }
        if resolvesItself {
            markKnown(event.seq)
            newIDs.insert(event.idKey, seq: event.seq)
        }
        ids.appendLittleEndian(Int64(event.seq))
        ids.appendLittleEndian(UInt32(event.id.utf8.count))
        ids.append(contentsOf: event.id.utf8)
        idCount += 1
    }

    /// Adds an event of a type this version does not know: no view uses it, but a replay counts it.
    mutating func addUnknown(seq: Int, known: Day?, recordedDay: Day?) {
        guard let known, let recordedDay else { return isIncomplete = true }
        StateCheckpoint.Envelope(seq: seq, known: known, recordedDay: recordedDay).write(to: &unknowns)
        unknownCount += 1
    }

    /// The type indices of the events about targets, actions and baselines.
    private static let subjectTypes = Set(["target.set", "target.revised", "target.withdrawn", "action.created", "action.updated", "baseline.set"]
        .map { DomainEvent.typeNames.firstIndex(of: $0)! })

    /// Remembers an event about a target or an action, which starts at `start` of `others` (or
    /// of `updates`); returns the string index of its subject (``OutturnRecord/noString`` for any other event).
    private mutating func noteSubject(of event: DomainEvent, inUpdates: Bool, at start: Int) -> UInt32 {
        guard let (subject, partnership) = Subject.of(event) else { return OutturnRecord.noString }
        if let partnership { partnershipsOf[subject, default: []].insert(intern(partnership)) }
        if case .targetSet(let t) = event { indicatorsOf[subject, default: []].insert(intern(t.indicator)) }
        subjectEvents.append((inUpdates, start, subject))
        return intern(subject.text)
    }

    /// What a retraction added now retracts, as the fold of the whole log resolves it.
    private func resolve(_ reference: EventReference) -> Int? {
        switch reference {
        case .seq(let seq): seq >= 0 && seq < isKnown.count && isKnown[seq] ? seq : nil
        case .id(let id): newIDs.seq(of: id) ?? priorIDs?.seq(of: id)
        }
    }

    private mutating func markKnown(_ seq: Int) {
        if isKnown.count <= seq { isKnown.append(contentsOf: repeatElement(false, count: seq + 1 - isKnown.count)) }
        isKnown[seq] = true
    }

    private mutating func intern(_ string: String) -> UInt32 {
        if let index = stringIndex[string] { return index }
        let index = UInt32(stringIndex.count)
        stringIndex[string] = index
        CheckpointStrings.write(string, to: &strings)
        return index
    }

    /// The checkpoint's body, in pieces to be written one after another; the builder's buffers
    /// are moved into them (sorted and tagged in place, not copied: for a London-wide ledger
    /// the copies were 85 MB of the peak of the view that writes one), leaving it empty.
    mutating func takeBody() -> [[UInt8]] {
        var outturns = replace(&self.outturns, with: [])
        var others = replace(&self.others, with: []), updates = replace(&self.updates, with: [])
        Self.sort(&outturns, count: outturnCount)
        func only(_ set: Set<UInt32>?) -> UInt32 { set?.count == 1 ? set!.first! : OutturnRecord.noString }
        for (inUpdates, start, subject) in subjectEvents {
            let (partnership, indicator) = (only(partnershipsOf[subject]), only(indicatorsOf[subject]))
            if inUpdates {
                StateCheckpoint.OtherEvent.setPartnership(partnership, at: start, in: &updates)
                StateCheckpoint.OtherEvent.setIndicator(indicator, at: start, in: &updates)
            } else {
                StateCheckpoint.OtherEvent.setPartnership(partnership, at: start, in: &others)
                StateCheckpoint.OtherEvent.setIndicator(indicator, at: start, in: &others)
            }
        }
        let retracted = Self.tagRetractions(in: &others, updates: updates, outturns: outturns, count: outturnCount, partnerships: registered)
        let (otherGroups, otherEnvelopes) = Self.group(&others, inUpdates: false)
        let (updateGroups, updateEnvelopes) = Self.group(&updates, inUpdates: true)
        var index: [UInt8] = []
        outturns.withUnsafeBytes { records in
            strings.withUnsafeBytes { stringBytes in
                var made = CheckpointIndex(records: records, count: outturnCount, retractionTargets: retracted, partnerships: registered)
                // (The strings this builder wrote: they parse.)
                let table = try! CheckpointStrings(stringBytes, count: stringIndex.count)
                made.setGroups(otherGroups + updateGroups, envelopes: otherEnvelopes + updateEnvelopes, retractionTargets: retracted,
                               subject: { table.utf8(Int($0)) })
                made.write(to: &index)
            }
        }
        let sections = [(unknownCount, replace(&unknowns, with: [])), (stringIndex.count, replace(&strings, with: [])), (outturnCount, outturns),
                        (1, index), (otherCount, others), (updateCount, updates), (idCount, replace(&ids, with: []))]
        var table: [UInt8] = []
        for (count, bytes) in sections {
            table.appendLittleEndian(Int64(count))
            table.appendLittleEndian(Int64(bytes.count))
        }
        return [table] + sections.map(\.1)
    }

    /// Puts a section's events (as written, tagged) in runs of one partnership each, each run in
    /// seq order (see ``CheckpointIndex/Group``); returns the runs and the events' envelopes, run by run.
    private static func group(_ section: inout [UInt8], inUpdates: Bool) -> ([CheckpointIndex.Group], [CheckpointIndex.OtherEnvelope]) {
        var events: [(partnership: UInt32, bytes: Range<Int>, envelope: CheckpointIndex.OtherEnvelope)] = []
        forEachHeader(in: section) { h in
            let envelope = CheckpointIndex.OtherEnvelope(seq: h.seq, known: h.known, recorded: h.recorded, subject: h.subject,
                                                         retracting: h.retracting == -1 ? nil : h.retracting)
            events.append((h.partnership, h.bytes, envelope))
        }
        events.sort { ($0.partnership, $0.envelope.seq) < ($1.partnership, $1.envelope.seq) }
        var grouped: [UInt8] = []
        grouped.reserveCapacity(section.count)
        var groups: [CheckpointIndex.Group] = []
        for event in events {
            let start = grouped.count
            grouped.append(contentsOf: section[event.bytes])
            if let last = groups.last, last.partnership == event.partnership {
                groups[groups.count - 1].bytes = last.bytes.lowerBound..<grouped.count
                groups[groups.count - 1].count += 1
            } else {
                groups.append(CheckpointIndex.Group(inUpdates: inUpdates, partnership: event.partnership, bytes: start..<grouped.count, count: 1))
            }
        }
        section = grouped
        return (groups, events.map(\.envelope))
    }

    /// Tags each retraction among `others` (a section's events, as written, the others tagged)
    /// with the partnership of what it retracts: of an outturn of a partnership's area (one of
    /// `partnerships`), or of an event tagged with one. A view of another partnership leaves both
    /// out, and folds in what the retraction does from its envelope alone. Returns the seqs the
    /// retractions retract.
    private static func tagRetractions(in others: inout [UInt8], updates: [UInt8], outturns: [UInt8], count: Int,
                                       partnerships: Set<UInt32>) -> Set<Int> {
        let retraction = UInt32(DomainEvent.typeNames.firstIndex(of: "event.retracted")!)
        var retractions: [(start: Int, target: Int)] = []
        var tags: [Int: UInt32] = [:]
        forEachHeader(in: others) { h in
            if h.type == retraction { retractions.append((h.bytes.lowerBound, h.retracting)) } else if h.partnership != OutturnRecord.noString { tags[h.seq] = h.partnership }
        }
        let targets = Set(retractions.map(\.target).filter { $0 > 0 }) // (0: a retraction that retracts nothing)
        guard !targets.isEmpty else { return targets }
        forEachHeader(in: updates) { h in if h.partnership != OutturnRecord.noString { tags[h.seq] = h.partnership } }
        outturns.withUnsafeBytes { raw in
            for i in 0..<count {
                let seq = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * StateCheckpoint.outturnSize, as: Int64.self)))
                guard targets.contains(seq) else { continue }
                let area = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * StateCheckpoint.outturnSize + 16, as: UInt32.self))
                if partnerships.contains(area) { tags[seq] = area }
            }
        }
        for (start, target) in retractions { StateCheckpoint.OtherEvent.setPartnership(tags[target] ?? OutturnRecord.noString, at: start, in: &others) }
        return targets
    }

    /// An event's header as a section being built holds it (see ``StateCheckpoint/OtherEvent``).
    private struct Header {
        var bytes: Range<Int>
        var seq: Int
        var known: Int32
        var recorded: Int32
        /// -1 for an event other than a retraction.
        var retracting: Int
        var type: UInt32
        var partnership: UInt32
        var subject: UInt32
    }

    /// Calls `visit` with the header of each event of a section being built, in the order they lie.
    private static func forEachHeader(in section: [UInt8], _ visit: (Header) -> Void) {
        section.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + offset, as: UInt32.self)) }
                func i64(_ offset: Int) -> Int { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at + offset, as: Int64.self))) }
                let envelope = StateCheckpoint.Envelope.size
                let end = at + StateCheckpoint.OtherEvent.headerSize + Int(u32(StateCheckpoint.OtherEvent.headerSize - 4))
                visit(Header(bytes: at..<end, seq: i64(0), known: Int32(bitPattern: u32(8)), recorded: Int32(bitPattern: u32(12)), retracting: i64(envelope),
                             type: u32(envelope + 8), partnership: u32(envelope + 12), subject: u32(envelope + 16)))
                at = end
            }
        }
    }

    /// Puts the outturn records in the order a checkpoint keeps them: area, indicator, period,
    /// seq — in place, each record moved along its cycle of the permutation.
    private static func sort(_ records: inout [UInt8], count: Int) {
        let size = StateCheckpoint.outturnSize
        // Each record's sort key, packed: area and indicator (interned: at most 2^32 strings
        // each, but in practice far fewer) and the period's months, then the position.
        var keys: [(UInt64, UInt64, Int32)] = []
        keys.reserveCapacity(count)
        var isSorted = true
        records.withUnsafeBytes { raw in
            for i in 0..<count {
                let base = i * size
                func u32(_ offset: Int) -> UInt64 { UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + offset, as: UInt32.self))) }
                let key = (u32(16) << 32 | u32(20), u32(24) << 32 | u32(28), Int32(i))
                if let last = keys.last, (key.0, key.1) < (last.0, last.1) { isSorted = false }
                keys.append(key)
            }
        }
        guard !isSorted else { return }
        // Records come in seq order, so equal keys are already in seq order: sorting on the
        // key and then the position keeps them so.
        keys.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        // Destination i takes the record at keys[i].2: follow each cycle once, one record held aside.
        var placed = [Bool](repeating: false, count: count)
        var held = [UInt8](repeating: 0, count: size)
        records.withUnsafeMutableBytes { raw in
            for start in 0..<count where !placed[start] {
                held.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start * size..<(start + 1) * size])) }
                var destination = start
                while true {
                    placed[destination] = true
                    let source = Int(keys[destination].2)
                    if source == start {
                        held.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[destination * size..<(destination + 1) * size]).copyMemory(from: $0) }
                        break
                    }
                    UnsafeMutableRawBufferPointer(rebasing: raw[destination * size..<(destination + 1) * size])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[source * size..<(source + 1) * size]))
                    destination = source
                }
            }
        }
    }
}
