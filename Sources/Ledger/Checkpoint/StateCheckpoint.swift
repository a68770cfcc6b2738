import EventLog
import LedgerModel
import Projections

/// The ledger's events up to a seq, kept beside the log in a form that folds far faster than
/// the log's lines: what lets a view start near its end instead of at seq 1.
///
/// One checkpoint serves every point in time. The fold only ever appends to each entity's
/// history, so it is the checkpoint's events themselves that are kept — each with its seq,
/// `known` and recorded dates — and a view folds them with its own point in time deciding
/// which count, exactly as it would fold the log's lines; then it folds the lines after the
/// checkpoint. Backdated events and retractions need nothing special: each event is judged
/// alone, as in the log.
///
/// Outturns (nineteen events in twenty) are kept as fixed-size binary records with their
/// strings interned, sorted by area, indicator and period, so that each key's history is
/// built whole: outturns for different keys touch nothing in common, and no other kind of
/// event reads them while the state is folded. Every other event is kept as its log line, in
/// seq order, decoded as a replay decodes it, after the outturns. A retraction keeps the seq
/// it retracts in the whole log (it counts only if that event counts), so that ids need not
/// be hashed when the checkpoint is read: they are looked up only if a later retraction
/// names one.
///
/// A point in time that stops a fold early (`--recorded`, a board's seal) stops at the first
/// event past its end; the checkpoint's events are judged the same way, so the counts of
/// events read and left out are the fold's too.
///
/// A view of one partnership leaves the others' outturns, plans, priorities, baselines, targets,
/// actions and boards, and the retractions of any of them, out of its fold, reading none of
/// them: the ``CheckpointIndex`` says where each series' records lie and how many of them any
/// point in time counts, and lists every other event's envelope; each of those is tagged with
/// the partnership whose views alone read it (a target's, action's or baseline's only while one
/// partnership has used its id, and each of those names its id too, so that a view can tell it
/// left out something it would read). The other events left out are counted, their
/// retractions folded in and their subjects noted from short tables of the index, never from
/// the envelopes, which are judged only if a retraction after the checkpoint names one of them
/// that no retraction of the checkpoint's names. A status view of one indicator reads only the
/// series it needs, the same way. An append's validation leaves out the targets and actions its batch
/// does not name. Every part is checked against its checksum only when it is read
/// (``Log/CheckpointChecking/asRead``).
///
/// The other events lie in two sections: those an append's validation reads, then action
/// updates and boards, which it never reads (two thirds of the other events' bytes on a
/// London-wide ledger): an append checks and walks the first alone. In each, they lie in runs
/// of one partnership (those of none last), each run in seq order: a view of one partnership
/// reads its own runs and those of none. Every reader walks the runs it reads together, in seq
/// order.
///
/// Layout (little-endian): a table of each section's item count and length in bytes (8 bytes
/// each), then the sections: events of unknown types; strings; outturn records; an index
/// (``CheckpointIndex``); other events that validation reads; action updates and boards; every
/// event's id and seq. The format's name
/// changes whenever the layout does.
enum StateCheckpoint {
    static let format = "ledger-state-13"

    /// Whether events of each type (by index in ``DomainEvent/typeNames``) are kept in the
    /// second section of other events: the kinds other than outturns that
    /// ``Ledger/typesValidationIgnores`` names. (A table: every walk of the sections asks it of every event.)
    static let isUpdateType = DomainEvent.typeNames.map { $0 != "outturn.recorded" && Ledger.typesValidationIgnores.contains($0) }

    /// Makes, before a view's decoding thread starts, the tables and types a fold is first to
    /// make on either thread: the first making of each writes to a page of the program's own
    /// data, which the kernel then copies; with the decoding thread running on the other core,
    /// every such copy stops that core too, to forget the old page (about 0.06 ms of a 3 ms view).
    /// Returns a number made from them, so that the compiler keeps the making.
    @inline(never)
    static func makeReady() -> Int {
        isUpdateType.count &+ ObjectIdentifier(Int?.self).hashValue &+ ObjectIdentifier([Entry<OutturnRecorded>].self).hashValue
            &+ ObjectIdentifier(Deferred<SeqSet>.self).hashValue
    }

    /// The type index of an action's creation (see ``decodeOthers(_:_:_:_:before:keeping:indicators:readingUpdates:)``).
    static let actionCreated = DomainEvent.typeNames.firstIndex(of: "action.created")!

    /// The type index of a retraction, which a view of one partnership reads from the index, never decoding its line.
    static let retraction = DomainEvent.typeNames.firstIndex(of: "event.retracted")!

    /// Bytes per outturn record.
    static let outturnSize = 64

    /// What the checkpoint could not be read as: treated as no checkpoint at all.
    struct Malformed: Error {}

    /// Folds the checkpoint's events that `replay`'s point in time counts into `replay`.
    /// Returns false once no later event can count (the lines after it need not be read);
    /// `events` and `unknown` count what was read, as a replay of the log counts them.
    ///
    /// `keeping`: the partnership whose views alone are to be shown: the other partnerships'
    /// outturns, targets, actions and boards are left out, counted and never decoded.
    /// `readingUpdates: false`: the views to be shown read no action, action update or board: those
    /// are left out too, counted and never decoded.
    /// `logPath`: the log's, where the ids are read if the checkpoint's turn out damaged.
    static func fold(_ checkpoint: Log.Checkpoint, into replay: inout Replay, events: inout Int, unknown: inout Int,
                     keeping partnership: String? = nil, readingUpdates: Bool = true, logPath: String) throws -> Bool {
        let raw = checkpoint.body.bytes
        let lastSeq = checkpoint.covers.seq
        let sections = try Sections(checkpoint)
        // Everything read, checked against its digests: the unknown events, strings and index now
        // (the index's envelopes only if read); the outturns and other events as they are read
        // (below); the ids only if a retraction names one.
        guard checkpoint.check(0..<sections.outturns.lowerBound) else { throw Malformed() }
        let strings = try CheckpointStrings(UnsafeRawBufferPointer(rebasing: raw[sections.strings]), count: sections.stringCount)
        let point = replay.pointInTime
        // The other events' lines are decoded on another core while the index is read and the
        // outturns are folded here: from as soon as the point's stop is known (at once, unless it
        // is a recorded day: then the index says).
        // (The ids are read, and checked, only if a retraction names one: see ``deferredIDs(_:_:)``.)
        let kept = partnership.map { p in strings.firstIndex(of: p).map(UInt32.init) ?? absentString }
        // The indicators whose outturns are kept, if not all (by string index); for a view of one
        // partnership, also the only indicators whose definitions and targets are decoded.
        let keptIndicators = replay.state.outturnIndicatorsKept.map { strings.indices(of: $0) }
        let othersOfIndicators = kept == nil ? nil : keptIndicators
        func decoding(before stop: Int, _ groups: [CheckpointIndex.Group]) -> BackgroundTask<Result<DecodedOthers, Error>> {
            BackgroundTask { Result { try decodeOthers(checkpoint, sections, groups, point, before: stop, keeping: kept, indicators: othersOfIndicators,
                                                       readingUpdates: readingUpdates) } }
        }
        let knownStop = firstPastTheEnd(point, lastSeq: lastSeq)
        var decoder = try knownStop.map { decoding(before: $0, try sections.indexHead(checkpoint).groups) }
        defer { _ = decoder?.value } // never leave it running past the fold
        let index = try sections.index(checkpoint)
        // A view of one partnership leaves out the outturns of every other partnership registered
        // (retracted or not, whenever known): counted, never read (by string index; the strings
        // are compared, not hashed: a London-wide ledger has thousands).
        var isLeftOut: [Bool] = []
        if let partnership {
            let leftOut = try index.partnerships.filter { try strings.string($0) != partnership }
            replay.leaveOutOutturns(ofAreas: Set(try leftOut.map { try strings.string($0) }))
            isLeftOut = [Bool](repeating: false, count: strings.count)
            for area in leftOut { isLeftOut[Int(area)] = true }
        }
        let isNarrowed = !isLeftOut.isEmpty || keptIndicators != nil
        if !isNarrowed { replay.reserveSeqs(upTo: lastSeq) } // (a narrowed fold applies a few hundred)
        let stop = try knownStop ?? firstPastTheEnd(checkpoint, sections, point, index: index)
        let others = decoder ?? decoding(before: stop, index.groups)
        decoder = others
        replay.deferIDs(deferredIDs(checkpoint, sections, logPath: logPath))
        var skipped = 0

        // Unknown kinds: counted, as the log's lines are.
        var unknowns = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.unknowns]), lastSeq: lastSeq)
        var unknownSeqs: Set<Int> = [] // (neither outturns nor other events, when those are counted)
        while !unknowns.isAtEnd {
            let envelope = try Envelope(&unknowns)
            unknownSeqs.insert(envelope.seq)
            guard envelope.seq < stop else { continue }
            if point.includes(seq: envelope.seq, known: envelope.known, recordedDay: envelope.recordedDay) { unknown += 1 } else { skipped += 1 }
        }

        // The outturns of the areas and indicators kept, a series at a time (every series, if
        // none is left out), each span checked against its digests as it is read.
        var spans: [(records: Range<Int>, area: UInt32?)] = []
        if !isNarrowed {
            spans = [(0..<sections.outturnCount, nil)]
        } else {
            try index.forEachSeries { series in
                guard (isLeftOut.isEmpty || !isLeftOut[Int(series.area)]) && keptIndicators?.contains(series.indicator) ?? true else { return }
                if let last = spans.last, last.records.upperBound == series.records.lowerBound, last.area == series.area {
                    spans[spans.count - 1].records = last.records.lowerBound..<series.records.upperBound
                } else {
                    spans.append((series.records, series.area))
                }
            }
        }
        var outturns = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.outturns]), lastSeq: lastSeq)
        var runs: [(period: Period, entries: [Entry<OutturnRecorded>])] = []
        var group: (area: UInt32, indicator: UInt32)?
        func flush() throws {
            if let (area, indicator) = group, !runs.isEmpty {
                replay.feedOutturns(area: try strings.string(area), indicator: try strings.string(indicator), runs)
            }
            runs.removeAll(keepingCapacity: true)
        }
        var (keptBeforeStop, keptCounted) = (0, 0)
        for span in spans {
            let bytes = span.records.lowerBound * outturnSize..<span.records.upperBound * outturnSize
            guard checkpoint.check(sections.outturns.lowerBound + bytes.lowerBound..<sections.outturns.lowerBound + bytes.upperBound) else {
                throw Malformed()
            }
            var released = bytes.lowerBound // the span's bytes let go (every few megabytes read: they are not read again)
            outturns.position = bytes.lowerBound
            while outturns.position < bytes.upperBound {
                if outturns.position - released >= 4 << 20 {
                    checkpoint.body.release(sections.outturns.lowerBound + released..<sections.outturns.lowerBound + outturns.position)
                    released = outturns.position
                }
                let envelope = try Envelope(&outturns)
                if envelope.seq < stop { keptBeforeStop += 1 }
                let counts = envelope.seq < stop && point.includes(seq: envelope.seq, known: envelope.known, recordedDay: envelope.recordedDay)
                if !counts {
                    if envelope.seq < stop { skipped += 1 }
                    try outturns.skip(outturnSize - Envelope.size)
                    continue
                }
                keptCounted += 1
                let record = try OutturnRecord(&outturns, strings: strings)
                guard span.area.map({ $0 == record.area }) ?? true else { throw Malformed() } // where the index says
                if group.map({ $0 != (record.area, record.indicator) }) ?? true {
                    try flush()
                    group = (record.area, record.indicator)
                }
                let entry = Entry(seq: envelope.seq, known: envelope.known, payload: record.outturn)
                if runs.last?.period == record.outturn.period { runs[runs.count - 1].entries.append(entry) } else { runs.append((record.outturn.period, [entry])) }
            }
        }
        try flush()
        // What the view leaves out, counted from the index, never read: the outturns of the areas
        // and indicators not kept, and the other events of other partnerships (and, for a view
        // that reads none, every action update and board). Which they are is judged only if a
        // retraction after the checkpoint names one that the checkpoint's own retractions do not.
        let packed = PackedJudge(point)
        let leavesOutOthers = partnership != nil || !readingUpdates
        var (leftOutCount, leftOutLast) = (0, 0)
        if isNarrowed || leavesOutOthers {
            var judged = index.retracted.map { // (rising seqs)
                (seq: $0.seq, isHeld: $0.seq < stop && packed.includes(seq: $0.seq, known: $0.known, recorded: $0.recorded))
            }
            if !unknownSeqs.isEmpty { // (of a kind no fold applies)
                judged = (judged + unknownSeqs.map { (seq: $0, isHeld: false) }).sorted { $0.seq < $1.seq }
            }
            // (Each seq once: an unknown event's seq that the index also lists is a damaged checkpoint.)
            guard zip(judged, judged.dropFirst()).allSatisfy({ $0.seq < $1.seq }) else { throw Malformed() }
            let outturnsCounted = isNarrowed ? countedOutturns(checkpoint, sections, point, before: stop, logPath: logPath) : nil
            let othersCounted = leavesOutOthers ? countedOthers(checkpoint, sections, index, point, before: stop, logPath: logPath) : nil
            replay.leaveOut(seqs: LeftOutSeqs(upTo: lastSeq, judged: judged) {
                var counted = outturnsCounted?() ?? SeqSet()
                for seq in othersCounted?() ?? [] { counted.insert(seq) }
                return counted
            })
        }
        if isNarrowed { // all the outturns the point counts, less those read
            let all = try index.census(point, before: stop)
            let (counted, beforeStop) = (all.counted - keptCounted, all.beforeStop - keptBeforeStop)
            guard counted >= 0, counted <= beforeStop else { throw Malformed() }
            skipped += beforeStop - counted
            (leftOutCount, leftOutLast) = (counted, all.lastCounted)
        }

        // Everything else: the subjects of other partnerships' events the point counts (as
        // fingerprints, by which the index sorts them: most are never made strings);
        if let kept {
            let (lookup, exotic) = try index.subjectLookup(otherThan: kept, countedBy: packed, before: stop)
            replay.leaveOut(subjects: SubjectSet(lookup, exotic: try exotic.map { try strings.string($0) }))
        }
        // the events kept, decoded on the other core meanwhile;
        let (decoded, othersSkipped, subjectsLeftOut) = try others.value.get()
        // (The subjects of the other indicators' targets left out: a view must read none of them.)
        if !subjectsLeftOut.isEmpty { replay.leaveOut(subjects: SubjectSet(try subjectsLeftOut.map { try strings.string($0) })) }
        for (event, retracting) in decoded { replay.feed(event, retracting: retracting) }
        // and, for a view of one partnership, every retraction from the index, in seq order, after
        // all they may retract (each follows its target; whether that counts does not change as
        // the fold goes on): what each retracts is in the index, so none is decoded.
        var (retractionsCounted, retractionsSkipped) = ([(seq: Int, target: Int)](), 0)
        if kept != nil {
            for r in index.retractions where r.seq < stop {
                if packed.includes(seq: r.seq, known: r.known, recorded: r.recorded) { retractionsCounted.append((r.seq, r.target)) } else { retractionsSkipped += 1 }
            }
            replay.feedRetractions(retractionsCounted)
        }
        skipped += othersSkipped
        if leavesOutOthers { // all the other events the point counts, less those decoded (the retractions above among them)
            let all = try index.otherCensus(point, before: stop, lastSeq: lastSeq, unknowns: unknownSeqs)
            let counted = all.counted - decoded.count
            let notCounted = all.beforeStop - all.counted - othersSkipped - retractionsSkipped
            guard counted >= 0, notCounted >= 0 else { throw Malformed() }
            skipped += notCounted + retractionsSkipped
            (leftOutCount, leftOutLast) = (leftOutCount + counted, max(leftOutLast, all.lastCounted))
        }
        replay.feedLeftOut(leftOutCount, through: leftOutLast)

        let isPastTheEnd = stop != .max
        replay.countSkipped(skipped + (isPastTheEnd ? 1 : 0))
        events += isPastTheEnd ? stop : sections.unknownCount + sections.outturnCount + sections.otherCount + sections.updateCount
        return !isPastTheEnd
    }

    /// The events other than outturns that the point in time counts, decoded from their lines,
    /// in seq order, with what each retracts; and how many it leaves out (before `stop`).
    /// `keeping`: the string index of the partnership whose views alone are shown: only its events
    /// and those of none, and no retraction (the caller folds them all from the index). `readingUpdates: false`: the views shown read no action, action update or
    /// board (status, progress, compare): none of the second section, and no action's creation
    /// (a third of a partnership's other events on the benchmark's ledger). `indicators` (string
    /// indices): the views shown read no other indicator's definition or targets (a status view
    /// of one indicator and its components): those are left out too, and the subjects of the
    /// targets among them noted. Those left out are neither decoded nor counted here: the caller
    /// counts them from the index.
    static func decodeOthers(_ checkpoint: Log.Checkpoint, _ sections: Sections, _ groups: [CheckpointIndex.Group], _ point: PointInTime,
                             before stop: Int, keeping partnership: UInt32? = nil, indicators: Set<UInt32>? = nil,
                             readingUpdates: Bool = true) throws -> DecodedOthers {
        var skipped = 0
        var subjectsLeftOut: [UInt32] = []
        // (Without the second section, the walk is of the first alone, as validation's is.)
        // The sections' pages are let go only after a walk of every partnership's: a view of one
        // touched a few pages, and letting go of all of both sections (tens of megabytes) cost
        // more than its decoding — the kernel's page-table walk, and a stop of the other core to
        // forget the pages, at 0.2 ms of a 3 ms view.
        let events = try decodedOthers(checkpoint, sections, groups, keeping: partnership, releasing: partnership == nil,
                                       forValidation: !readingUpdates) { other in
            guard partnership == nil || other.type != retraction else { return false }
            guard readingUpdates || other.type != actionCreated else { return false }
            if let indicators, other.indicator != OutturnRecord.noString, !indicators.contains(other.indicator) {
                if other.subject != OutturnRecord.noString { subjectsLeftOut.append(other.subject) }
                return false
            }
            guard other.envelope.seq < stop else { return false }
            guard point.includes(seq: other.envelope.seq, known: other.envelope.known, recordedDay: other.envelope.recordedDay) else {
                skipped += 1
                return false
            }
            return true
        }
        return (events, skipped, subjectsLeftOut)
    }

    /// The other events a view decodes (see ``decodeOthers(_:_:_:_:before:keeping:indicators:readingUpdates:)``),
    /// with what each retracts; how many it judged and left out; the subjects of those it left
    /// out as another indicator's (string indices).
    typealias DecodedOthers = (events: [(LedgerEvent, retracting: Int?)], skipped: Int, subjectsLeftOut: [UInt32])

    /// What finds the seqs of the checkpoint's events other than outturns that `point` counts
    /// (those before `stop`), run only when a retraction after the checkpoint names one that a
    /// view of one partnership left out and no retraction of the checkpoint's names (see
    /// ``countedOutturns(_:_:_:before:logPath:)``): every envelope the index lists judged, the
    /// envelopes checked against their digests first. Found damaged then, they are judged from the
    /// log's lines the checkpoint covers instead (`logPath`).
    ///
    /// (Those of every group, not only those left out: the others are marked already.)
    static func countedOthers(_ checkpoint: Log.Checkpoint, _ sections: Sections, _ index: CheckpointIndex, _ point: PointInTime,
                              before stop: Int, logPath: String) -> @Sendable () -> [Int] {
        { [checkpoint] in
            let packed = PackedJudge(point)
            var counted: [Int] = []
            if let reader = try? sections.envelopeReader(checkpoint, index),
               (try? index.groups.indices.forEach { g in
                   for other in try index.envelopes(ofGroup: g, in: reader) where other.seq < stop
                       && packed.includes(seq: other.seq, known: other.known, recorded: other.recorded) { counted.append(other.seq) }
               }) != nil {
                return counted
            }
            counted = []
            var times = Ledger.RecordedTimes()
            let kinds = Set(DomainEvent.typeNames).subtracting(["outturn.recorded"])
            _ = try? Log(path: logPath).forEachRecord(after: nil, upTo: checkpoint.covers.end) { record in
                if kinds.contains(record.type), record.seq < stop, let known = Day(record.known), let recordedDay = times.of(record.recorded).1,
                   point.includes(seq: record.seq, known: known, recordedDay: recordedDay) {
                    counted.append(record.seq)
                }
                return true
            }
            return counted
        }
    }

    /// The events other than outturns that `keeps` keeps, decoded from their lines on every
    /// core (each line depends only on itself), in seq order, with what each retracts. A line
    /// that does not decode throws, as decoding them in order would. `releasing`: let the
    /// section's pages go once decoded (for a view that goes on to fold the outturns; an
    /// append, about to finish, would spend more letting them go than it keeps).
    /// `groups`, `partnership`, `forValidation`: which are walked (see ``forEachOther(_:_:_:keeping:forValidation:_:)``).
    static func decodedOthers(_ checkpoint: Log.Checkpoint, _ sections: Sections, _ groups: [CheckpointIndex.Group]? = nil, keeping partnership: UInt32? = nil,
                              releasing: Bool = true, forValidation: Bool = false,
                              keeping keeps: (OtherEvent) throws -> Bool) throws -> [(LedgerEvent, retracting: Int?)] {
        var kept: [OtherEvent] = []
        try forEachOther(checkpoint, sections, groups, keeping: partnership, forValidation: forValidation) { other in
            if try keeps(other) { kept.append(other) }
        }
        nonisolated(unsafe) let others = kept // its lines point into the mapped checkpoint, which outlives this call
        let parts = concurrentChunks(count: others.count, minimumPerChunk: 1024) { chunk in
            var times = Ledger.RecordedTimes()
            var events = MovableRun<(LedgerEvent, retracting: Int?)>(capacity: chunk.count)
            for i in chunk {
                guard let event = try? others[i].event(times: &times) else { return (events, false) }
                events.append((event, others[i].retracting))
            }
            return (events, true)
        }
        let events = MovableRun.joined([], parts.map(\.0))
        guard parts.allSatisfy(\.1) else { throw Malformed() }
        if releasing { // decoded into values: not read again
            checkpoint.body.release(sections.others)
            checkpoint.body.release(sections.updates)
        }
        return withExtendedLifetime(checkpoint) { events }
    }

    /// The seq of the first event the point in time puts past its end (.max if none): where
    /// a fold in seq order would stop. The checkpoint holds every seq up to the last it covers,
    /// so a board's is the one after its seal; as recorded by a day, the recorded days are read
    /// as written, never built.
    /// The outturns' and other events' recorded days are the index's (`index`).
    static func firstPastTheEnd(_ checkpoint: Log.Checkpoint, _ sections: Sections, _ point: PointInTime, index: CheckpointIndex) throws -> Int {
        let lastSeq = checkpoint.covers.seq
        if let stop = firstPastTheEnd(point, lastSeq: lastSeq) { return stop }
        let day = PackedJudge(point).day
        var stop = index.firstSeq(recordedAfter: day)
        var unknowns = ByteReader(UnsafeRawBufferPointer(rebasing: checkpoint.body.bytes[sections.unknowns]), lastSeq: lastSeq)
        while !unknowns.isAtEnd {
            let envelope = try Envelope(&unknowns)
            if envelope.recordedDay.packed > day, envelope.seq < stop { stop = envelope.seq }
        }
        let envelopes = try sections.envelopeReader(checkpoint, index)
        for g in index.groups.indices {
            for other in try index.envelopes(ofGroup: g, in: envelopes) where other.recorded > day && other.seq < stop {
                stop = other.seq
            }
        }
        return stop
    }

    /// As ``firstPastTheEnd(_:_:_:index:)``, where the point alone says (nil for a recorded day).
    static func firstPastTheEnd(_ point: PointInTime, lastSeq: Int) -> Int? {
        switch point {
        case .now, .asOf: .max // nothing is ever past their end
        case .sealed(let sealSeq, _, _): sealSeq < lastSeq ? max(sealSeq, 0) + 1 : .max
        case .recorded: nil
        }
    }

    /// A target, an action or a baseline, by id: what a partnership's view alone reads.
    enum Subject: Hashable {
        case target(String), action(String), baseline(String)

        /// As a checkpoint's strings keep it (``StateCheckpoint/OtherEvent/subject``).
        var text: String {
            switch self {
            case .target(let id): "target:" + id
            case .action(let id): "action:" + id
            case .baseline(let id): "baseline:" + id
            }
        }

        /// The subject of an event about a target, an action or a baseline, and the partnership it
        /// names if it does.
        static func of(_ event: DomainEvent) -> (Subject, partnership: String?)? {
            switch event {
            case .targetSet(let t): (.target(t.target), t.partnership)
            case .targetRevised(let r): (.target(r.target), nil)
            case .targetWithdrawn(let w): (.target(w.target), nil)
            case .actionCreated(let a): (.action(a.action), a.partnership)
            case .actionUpdated(let u): (.action(u.action), nil)
            case .baselineSet(let b): (.baseline(b.baseline), b.partnership)
            default: nil
            }
        }

        /// The partnership whose views alone read an event that names one and has no subject
        /// (a plan's, a priority's, a board's: their ids are the partnership's own).
        static func partnership(of event: DomainEvent) -> String? {
            switch event {
            case .planAdopted(let p): p.partnership
            case .planRevised(let p): p.partnership
            case .prioritySet(let p): p.partnership
            case .priorityRetired(let p): p.partnership
            case .boardHeld(let b): b.partnership
            default: nil
            }
        }
    }

    /// A string index no record carries: what a string the checkpoint lacks is looked up as.
    static let absentString = OutturnRecord.noString - 1

    /// The string indices of those of `strings` the checkpoint holds.
    static func indices(of strings: Set<String>, in checkpoint: Log.Checkpoint, _ sections: Sections) throws -> Set<UInt32> {
        guard checkpoint.check(sections.strings) else { throw Malformed() }
        return try CheckpointStrings(UnsafeRawBufferPointer(rebasing: checkpoint.body.bytes[sections.strings]), count: sections.stringCount)
            .indices(of: strings)
    }

    /// Checks the ids against the body's digests, and each seq as one the checkpoint covers, in
    /// rising order.
    static func checkIDs(_ checkpoint: Log.Checkpoint, _ sections: Sections) throws {
        guard checkpoint.check(sections.ids) else { throw Malformed() }
        var ids = ByteReader(UnsafeRawBufferPointer(rebasing: checkpoint.body.bytes[sections.ids]), lastSeq: checkpoint.covers.seq)
        var (count, previous, released) = (0, 0, 0)
        while !ids.isAtEnd {
            if ids.position - released >= 4 << 20 { // let go as it is walked: read again only if a retraction names an id
                checkpoint.body.release(sections.ids.lowerBound + released..<sections.ids.lowerBound + ids.position)
                released = ids.position
            }
            let seq = try ids.seq()
            guard seq > previous else { throw Malformed() }
            try ids.skip(Int(try ids.uint32()))
            (count, previous) = (count + 1, seq)
        }
        guard count == sections.idCount else { throw Malformed() }
        checkpoint.body.release(sections.ids) // read again only if a retraction names an id
    }

    /// Every event's id and seq, checked (``checkIDs(_:_:)``) and hashed only if a retraction
    /// after the checkpoint names one. Found damaged then (too late to set the checkpoint aside),
    /// they are read from the log's lines it covers instead (`logPath`).
    static func deferredIDs(_ checkpoint: Log.Checkpoint, _ sections: Sections, logPath: String) -> DeferredEventIDs {
        DeferredEventIDs { [checkpoint, body = checkpoint.body, lastSeq = checkpoint.covers.seq, ids = sections.ids, count = sections.idCount] in
            guard (try? checkIDs(checkpoint, sections)) != nil else { return idsFromTheLog(logPath, upTo: checkpoint.covers.end) }
            var table = EventIDs()
            table.reserveCapacity(count)
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: body.bytes[ids]), lastSeq: lastSeq)
            while !reader.isAtEnd, let seq = try? reader.seq(), let length = try? reader.uint32(),
                  let bytes = try? reader.bytes(Int(length)) {
                table.insert(EventIDs.Key(utf8: bytes), seq: seq)
            }
            table.placePending()
            return table
        }
    }

    /// Every id of the log's lines up to `end`, with its seq (an empty table if the log cannot be read).
    static func idsFromTheLog(_ path: String, upTo end: Int) -> EventIDs {
        var table = EventIDs()
        _ = try? Log(path: path).forEachRecord(after: nil, upTo: end) { record in
            table.insert(EventIDs.Key(record.id), seq: record.seq)
            return true
        }
        table.placePending()
        return table
    }

    /// A point in time judging a checkpoint's days as written (`yyyymmdd`, which order as the
    /// days do), without building them.
    struct PackedJudge {
        private enum Rule { case all, knownBy, recordedBy, seqUpTo }
        private let rule: Rule
        private let seqLimit: Int
        let day: Int32

        init(_ point: PointInTime) {
            switch point {
            case .now: (rule, day, seqLimit) = (.all, 0, 0)
            case .asOf(let d): (rule, day, seqLimit) = (.knownBy, d.packed, 0)
            case .recorded(let d): (rule, day, seqLimit) = (.recordedBy, d.packed, 0)
            case .sealed(let sealSeq, _, _): (rule, day, seqLimit) = (.seqUpTo, 0, sealSeq)
            }
        }

        /// As ``PointInTime/includes(seq:known:recordedDay:)``.
        @inline(__always)
        func includes(seq: Int, known: Int32, recorded: Int32) -> Bool {
            switch rule {
            case .all: true
            case .knownBy: known <= day
            case .recordedBy: recorded <= day
            case .seqUpTo: seq <= seqLimit
            }
        }
    }

    /// What finds the seqs of the checkpoint's outturns that `point` counts (those before `stop`),
    /// run only when a retraction after the checkpoint names one that a view of one partnership
    /// left out (see ``LedgerState/leftOutApplied``): every record judged where it
    /// lies, straight from its bytes, each piece checked against its digest on every core. Found
    /// damaged then (too late to set the checkpoint aside), they are judged from the log's lines
    /// it covers instead (`logPath`).
    ///
    /// (Every outturn the point counts, not only those left out: the others are marked already.)
    static func countedOutturns(_ checkpoint: Log.Checkpoint, _ sections: Sections, _ point: PointInTime, before stop: Int,
                                logPath: String) -> @Sendable () -> SeqSet {
        { [checkpoint, section = sections.outturns] in
            let piece = XXH64.checksumPiece
            let packed = PackedJudge(point)
            nonisolated(unsafe) let body = checkpoint.body.bytes // read only, and only until concurrentChunks returns
            let pieces = section.isEmpty ? 0..<0 : (section.lowerBound / piece)..<((section.upperBound - 1) / piece + 1)
            let parts = concurrentChunks(count: pieces.count, minimumPerChunk: 1) { chunk -> [Int]? in
                var counted: [Int] = []
                for k in chunk {
                    let i = pieces.lowerBound + k
                    let bytes = max(section.lowerBound, i * piece)..<min(section.upperBound, (i + 1) * piece)
                    guard checkpoint.check(bytes, keepingPages: true) else { return nil }
                    defer { checkpoint.body.release(bytes) }
                    // The records that start in this piece (a record may end in the next).
                    var at = section.lowerBound + (bytes.lowerBound - section.lowerBound + outturnSize - 1) / outturnSize * outturnSize
                    while at < bytes.upperBound {
                        let seq = Int(Int64(littleEndian: body.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                        if seq < stop, packed.includes(seq: seq, known: Int32(littleEndian: body.loadUnaligned(fromByteOffset: at + 8, as: Int32.self)),
                                                       recorded: Int32(littleEndian: body.loadUnaligned(fromByteOffset: at + 12, as: Int32.self))) {
                            counted.append(seq)
                        }
                        at += outturnSize
                    }
                }
                return counted
            }
            if parts.allSatisfy({ $0 != nil }) { return SeqSet(parts.lazy.flatMap { $0! }) }
            var counted = SeqSet()
            var times = Ledger.RecordedTimes()
            _ = try? Log(path: logPath).forEachRecord(after: nil, upTo: checkpoint.covers.end) { record in
                if record.type == "outturn.recorded", record.seq < stop, let known = Day(record.known), let recordedDay = times.of(record.recorded).1,
                   point.includes(seq: record.seq, known: known, recordedDay: recordedDay) {
                    counted.insert(record.seq)
                }
                return true
            }
            return counted
        }
    }

    /// What a point in time judges an event by: seq (8 bytes), known and recorded days (4 each).
    struct Envelope {
        static let size = 16
        var seq: Int
        var known: Day
        var recordedDay: Day

        init(seq: Int, known: Day, recordedDay: Day) { (self.seq, self.known, self.recordedDay) = (seq, known, recordedDay) }

        init(_ event: LedgerEvent) { self.init(seq: event.seq, known: event.known, recordedDay: event.recordedDay) }

        init(_ reader: inout ByteReader) throws {
            seq = try reader.seq()
            known = try reader.day()
            recordedDay = try reader.day()
        }

        func write(to out: inout [UInt8]) {
            out.appendLittleEndian(Int64(seq))
            out.appendDay(known)
            out.appendDay(recordedDay)
        }
    }

    /// An event other than an outturn, as a checkpoint keeps it: its envelope, what it
    /// retracts, its type, whose and what it is about (for a view of one partnership and one
    /// indicator), its log line.
    struct OtherEvent {
        /// Bytes before the line: envelope, what it retracts, type, partnership, subject, indicator, line length.
        static let headerSize = Envelope.size + 28
        var envelope: Envelope
        /// For a retraction, the seq of the event it retracts as the fold of the whole log found
        /// it, or 0 if it found none (a retraction naming no earlier event: it must stay
        /// retracting nothing, although the outturns, folded first, include later events);
        /// nil for any other kind of event. Written as -1 for nil.
        var retracting: Int?
        /// The index of its type in ``DomainEvent/typeNames``.
        var type: Int
        /// For a target's, an action's or a board's event, the string index of the partnership
        /// whose views alone read it (``OutturnRecord/noString`` for every other kind, and for
        /// a target or action id that more than one partnership has used).
        var partnership: UInt32
        /// For a target's or an action's event, the string index of `target:<id>` or
        /// `action:<id>` (else ``OutturnRecord/noString``): what a view left it out of.
        var subject: UInt32
        /// For an indicator's definition, and a target's event (while one indicator has used its
        /// id), the string index of the indicator whose views alone read it (else
        /// ``OutturnRecord/noString``).
        var indicator: UInt32
        var line: UnsafeRawBufferPointer

        init(_ reader: inout ByteReader) throws {
            envelope = try Envelope(&reader)
            retracting = try reader.seq(orNone: -1, orNothing: 0)
            type = Int(try reader.uint32())
            partnership = try reader.uint32()
            subject = try reader.uint32()
            indicator = try reader.uint32()
            line = try reader.bytes(Int(try reader.uint32()))
        }

        /// The kept line as a record, which must be the event the envelope and type say it is.
        func record() throws -> LogRecord {
            guard let record = try? LogRecord.decode(line: line), record.seq == envelope.seq,
                  DomainEvent.typeNames.indices.contains(type), DomainEvent.typeNames[type] == record.type else { throw Malformed() }
            return record
        }

        /// The kept line as a typed event, as a replay decodes it.
        func event(times: inout Ledger.RecordedTimes) throws -> LedgerEvent {
            guard let event = try? Ledger.ledgerEvent(try record(), strict: false, times: &times) else { throw Malformed() }
            return event
        }

        /// Writes the event; a target's or action's partnership is set by ``setPartnership(_:at:in:)``,
        /// a target's indicator by ``setIndicator(_:at:in:)``.
        static func write(_ event: LedgerEvent, retracting: Int?, partnership: UInt32, subject: UInt32, indicator: UInt32, line: [UInt8],
                          to out: inout [UInt8]) {
            Envelope(event).write(to: &out)
            out.appendLittleEndian(Int64(retracting ?? -1))
            out.appendLittleEndian(UInt32(DomainEvent.typeNames.firstIndex(of: event.event.typeName)!))
            out.appendLittleEndian(partnership)
            out.appendLittleEndian(subject)
            out.appendLittleEndian(indicator)
            out.appendLittleEndian(UInt32(line.count))
            out.append(contentsOf: line)
        }

        /// Where, from the start of an event's bytes, its partnership is.
        static let partnershipOffset = Envelope.size + 12

        /// Where, from the start of an event's bytes, its indicator is.
        static let indicatorOffset = Envelope.size + 20

        /// Sets the partnership of the event whose bytes start at `start` of `others`.
        static func setPartnership(_ index: UInt32, at start: Int, in others: inout [UInt8]) {
            set(index, at: start + partnershipOffset, in: &others)
        }

        /// Sets the indicator of the event whose bytes start at `start` of `others`.
        static func setIndicator(_ index: UInt32, at start: Int, in others: inout [UInt8]) {
            set(index, at: start + indicatorOffset, in: &others)
        }

        private static func set(_ index: UInt32, at offset: Int, in others: inout [UInt8]) {
            withUnsafeBytes(of: index.littleEndian) { others.replaceSubrange(offset..<offset + 4, with: $0) }
        }
    }

    /// Calls `visit` with each event other than outturns that the checkpoint keeps, in seq order
    /// (the groups of its two sections walked together: see ``CheckpointIndex/Group``), each
    /// group checked against its digests as it is read. `sections`, `index`: the checkpoint's, if
    /// already read. `keeping`: only the events of this partnership (a string index) and of none
    /// (the other partnerships' are neither checked nor read). `forValidation`: only the first
    /// section, the events an append's validation reads (the other is neither checked nor read).
    static func forEachOther(_ checkpoint: Log.Checkpoint, _ sections: Sections? = nil, _ groups: [CheckpointIndex.Group]? = nil,
                             keeping partnership: UInt32? = nil, forValidation: Bool = false,
                             _ visit: (OtherEvent) throws -> Void) throws {
        let body = checkpoint.body
        let sections = try sections ?? Sections(checkpoint)
        let groups = try groups ?? sections.indexHead(checkpoint).groups
        struct Stream {
            var reader: ByteReader
            var group: CheckpointIndex.Group
            var read = 0
            var next: OtherEvent?
        }
        // The next event of a group: of its section's kinds and its partnership, after the one before.
        func advance(_ stream: inout Stream) throws {
            let previous = stream.next?.envelope.seq ?? 0
            guard !stream.reader.isAtEnd else {
                guard stream.read == stream.group.count else { throw Malformed() }
                return stream.next = nil
            }
            let event = try OtherEvent(&stream.reader)
            guard isUpdateType.indices.contains(event.type), isUpdateType[event.type] == stream.group.inUpdates,
                  event.partnership == stream.group.partnership, event.envelope.seq > previous else { throw Malformed() }
            (stream.next, stream.read) = (event, stream.read + 1)
        }
        var streams: [Stream] = []
        for group in groups where !(forValidation && group.inUpdates) {
            if let partnership, group.partnership != partnership, group.partnership != OutturnRecord.noString { continue }
            let section = group.inUpdates ? sections.updates : sections.others
            let bytes = section.lowerBound + group.bytes.lowerBound..<section.lowerBound + group.bytes.upperBound
            guard checkpoint.check(bytes, keepingPages: true) else { throw Malformed() }
            var stream = Stream(reader: ByteReader(UnsafeRawBufferPointer(rebasing: body.bytes[bytes]), lastSeq: checkpoint.covers.seq), group: group)
            try advance(&stream)
            streams.append(stream)
        }
        // The streams by their next event's seq, least first (a binary heap: a walk of every run
        // merges dozens of them).
        var heap = streams.indices.filter { streams[$0].next != nil }
        func seq(_ i: Int) -> Int { streams[heap[i]].next!.envelope.seq }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let (left, right) = (2 * i + 1, 2 * i + 2)
                var least = i
                if left < heap.count, seq(left) < seq(least) { least = left }
                if right < heap.count, seq(right) < seq(least) { least = right }
                if least == i { return }
                heap.swapAt(i, least)
                i = least
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while let first = heap.first {
            try visit(streams[first].next!)
            try advance(&streams[first])
            if streams[first].next == nil {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            siftDown(0)
        }
    }

    /// The offsets of a body's parts.
    struct Sections {
        var unknownCount: Int
        var unknowns: Range<Int>
        var stringCount: Int
        var strings: Range<Int>
        var outturnCount: Int
        var outturns: Range<Int>
        /// The ``CheckpointIndex``.
        var index: Range<Int>
        var otherCount: Int
        var others: Range<Int>
        var updateCount: Int
        var updates: Range<Int>
        var idCount: Int
        var ids: Range<Int>

        /// The sections in the order they lie, and the least bytes an item of each takes
        /// (`exactly` that many, if so).
        static let kinds: [(bytesPerItem: Int, exactly: Bool)] = [(Envelope.size, true), (4, false), (StateCheckpoint.outturnSize, true), (1, false),
                                                                  (OtherEvent.headerSize, false), (OtherEvent.headerSize, false), (12, false)]

        /// `checked(range)`: whether the bytes of the table of counts and lengths may be read.
        init(_ reader: inout ByteReader, checked: (Range<Int>) -> Bool = { _ in true }) throws {
            // The table first (in the body's first piece: one piece checked to find every section),
            // each count checked against its section's bytes (dividing, so nothing overflows).
            guard checked(0..<min(16 * Self.kinds.count, reader.bytes.count)) else { throw Malformed() }
            var table: [(count: Int, length: Int)] = []
            for _ in Self.kinds { table.append((Int(try reader.int64()), Int(try reader.int64()))) }
            var parts: [(count: Int, bytes: Range<Int>)] = []
            for ((count, length), kind) in zip(table, Self.kinds) {
                guard count >= 0, length >= 0, count <= length / kind.bytesPerItem, !kind.exactly || length == count * kind.bytesPerItem else {
                    throw Malformed()
                }
                let start = reader.position
                try reader.skip(length)
                parts.append((count, start..<start + length))
            }
            guard reader.isAtEnd else { throw Malformed() }
            ((unknownCount, unknowns), (stringCount, strings), (outturnCount, outturns), (_, index)) = (parts[0], parts[1], parts[2], parts[3])
            ((otherCount, others), (updateCount, updates), (idCount, ids)) = (parts[4], parts[5], parts[6])
        }

        /// A checkpoint's sections, their counts and lengths checked against the body's digests
        /// (each section's bytes are checked by its reader).
        init(_ checkpoint: Log.Checkpoint) throws {
            var reader = ByteReader(checkpoint.body.bytes)
            try self.init(&reader, checked: { checkpoint.check($0) })
        }

        /// The index, checked against these sections, and against its digests as each table is
        /// read — the other events' envelopes, the seq bits and the subjects only when they are
        /// (``envelopeReader(_:_:)``, ``CheckpointIndex/outturnSeqs()``, ``CheckpointIndex/subjectLookup(otherThan:countedBy:before:)``).
        func index(_ checkpoint: Log.Checkpoint) throws -> CheckpointIndex {
            _ = try indexHeadLength(checkpoint) // (the head checked: the index reads it unasked)
            var reader = indexReader(checkpoint)
            return try CheckpointIndex(&reader, sections: self) { [checkpoint] bytes in
                guard let base = bytes.baseAddress, let start = checkpoint.body.bytes.baseAddress else { return bytes.isEmpty }
                let offset = start.distance(to: base)
                return checkpoint.check(offset..<offset + bytes.count, keepingPages: true)
            }
        }

        /// A reader of the index's bytes for ``CheckpointIndex/envelopes(ofGroup:in:)`` (of `index`,
        /// read from them), the envelopes checked against their digests.
        func envelopeReader(_ checkpoint: Log.Checkpoint, _ index: CheckpointIndex) throws -> ByteReader {
            let table = index.envelopeBytes
            guard checkpoint.check(self.index.lowerBound + table.lowerBound..<self.index.lowerBound + table.upperBound) else { throw Malformed() }
            return indexReader(checkpoint)
        }

        /// The index's partnerships and runs of other events alone (``CheckpointIndex/head(_:sections:)``):
        /// only the index's first bytes are checked and read.
        func indexHead(_ checkpoint: Log.Checkpoint) throws -> (partnerships: [UInt32], groups: [CheckpointIndex.Group]) {
            _ = try indexHeadLength(checkpoint)
            var reader = indexReader(checkpoint)
            return try CheckpointIndex.head(&reader, sections: self)
        }

        /// The length of the index's head (its first two tables), checked against the digests.
        private func indexHeadLength(_ checkpoint: Log.Checkpoint) throws -> Int {
            // From its two counts, each checked before it is read.
            func int64(at offset: Int) throws -> Int {
                guard offset + 8 <= index.count, checkpoint.check(index.lowerBound..<index.lowerBound + offset + 8) else { throw Malformed() }
                return Int(Int64(littleEndian: checkpoint.body.bytes.loadUnaligned(fromByteOffset: index.lowerBound + offset, as: Int64.self)))
            }
            let partnerships = try int64(at: 0)
            guard partnerships >= 0, partnerships <= index.count / 4 else { throw Malformed() }
            let groups = try int64(at: 8 + 4 * partnerships)
            guard groups >= 0, groups <= index.count / 32, 16 + 4 * partnerships + 32 * groups <= index.count,
                  checkpoint.check(index.lowerBound..<index.lowerBound + 16 + 4 * partnerships + 32 * groups) else { throw Malformed() }
            return 16 + 4 * partnerships + 32 * groups
        }

        /// A reader of the index's bytes (checked by ``index(_:)``).
        func indexReader(_ checkpoint: Log.Checkpoint) -> ByteReader {
            indexReader(checkpoint.body.bytes, lastSeq: checkpoint.covers.seq)
        }

        func indexReader(_ raw: UnsafeRawBufferPointer, lastSeq: Int) -> ByteReader {
            ByteReader(UnsafeRawBufferPointer(rebasing: raw[index]), lastSeq: lastSeq)
        }

        func strings(_ raw: UnsafeRawBufferPointer) throws -> [String] {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[strings]))
            var table: [String] = []
            table.reserveCapacity(stringCount)
            for _ in 0..<stringCount { table.append(String(decoding: try reader.bytes(CheckpointStrings.length(try reader.uint32())), as: UTF8.self)) }
            return table
        }
    }
}

/// An outturn as a checkpoint keeps it: 64 bytes.
///
/// The envelope: seq (8) · known (4) · recorded day (4); then area (4) · indicator (4) ·
/// period's first and last month (8) · value's kind, status, isPartnership, padding (4) ·
/// note (4, or `noString`) · two doubles (16) · a change's comparison period (8).
struct OutturnRecord {
    static let noString = UInt32.max
    var area: UInt32
    var indicator: UInt32
    var outturn: OutturnRecorded

    /// Reads the fields after the envelope.
    init(_ reader: inout ByteReader, strings: CheckpointStrings) throws {
        area = try reader.uint32()
        indicator = try reader.uint32()
        let period = try reader.period()
        let (kind, statusCode, isPartnership, _) = (try reader.uint8(), try reader.uint8(), try reader.uint8(), try reader.uint8())
        let noteIndex = try reader.uint32()
        let note = noteIndex == Self.noString ? nil : try strings.string(noteIndex)
        let (first, second) = (try reader.double(), try reader.double())
        let against = try reader.period(allowingNone: kind != 2)
        let value: OutturnValue
        switch kind {
        case 0: value = .number(first)
        case 1: value = .ratio(numerator: first, denominator: second)
        case 2: value = .change(first, against: against!)
        default: throw StateCheckpoint.Malformed()
        }
        guard statusCode < OutturnStatus.allCases.count else { throw StateCheckpoint.Malformed() }
        outturn = OutturnRecorded(area: try strings.string(area), isPartnership: isPartnership != 0,
                                  indicator: try strings.string(indicator), period: period,
                                  value: value, status: OutturnStatus.allCases[Int(statusCode)], note: note)
    }

    /// Writes the whole record, envelope first.
    static func write(_ event: LedgerEvent, _ outturn: OutturnRecorded, strings: (area: UInt32, indicator: UInt32, note: UInt32?),
                      to out: inout [UInt8]) {
        StateCheckpoint.Envelope(event).write(to: &out)
        out.appendLittleEndian(strings.area)
        out.appendLittleEndian(strings.indicator)
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
        out.appendLittleEndian(strings.note ?? Self.noString)
        out.appendLittleEndian(first.bitPattern)
        out.appendLittleEndian(second.bitPattern)
        if let against { out.appendPeriod(against) } else { out.appendLittleEndian(Int64(0)) }
    }
}

/// Reads a checkpoint's little-endian fields, checking every bound.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    /// The last seq the checkpoint covers: a seq read is between 1 and it.
    let lastSeq: Int

    init(_ bytes: UnsafeRawBufferPointer, lastSeq: Int = .max) { (self.bytes, self.lastSeq) = (bytes, lastSeq) }

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
    /// An event's seq, which must be one the checkpoint covers.
    mutating func seq() throws -> Int {
        let value = try int64()
        guard value >= 1, value <= lastSeq else { throw StateCheckpoint.Malformed() }
        return Int(value)
    }
    /// A seq, or nil where `none` was written, or `nothing` itself where that was.
    mutating func seq(orNone none: Int64, orNothing nothing: Int64) throws -> Int? {
        let value = try int64()
        if value == none { return nil }
        if value == nothing { return Int(nothing) }
        guard value >= 1, value <= lastSeq else { throw StateCheckpoint.Malformed() }
        return Int(value)
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
        guard let period = try period(allowingNone: false) else { throw StateCheckpoint.Malformed() }
        return period
    }
    /// A period, or nil for the zero bytes written where there is none.
    mutating func period(allowingNone: Bool) throws -> Period? {
        let (first, last) = (Int(try int32()), Int(try int32()))
        if allowingNone && first == 0 && last == 0 { return nil }
        guard let period = Period(first: Month(index: first), last: Month(index: last)) else { throw StateCheckpoint.Malformed() }
        return period
    }
    mutating func skip(_ count: Int) throws {
        _ = try take(count)
    }
}

extension [UInt8] {
    mutating func appendDay(_ day: Day) {
        appendLittleEndian(day.packed)
    }
    mutating func appendPeriod(_ period: Period) {
        appendLittleEndian(Int32(period.first.index))
        appendLittleEndian(Int32(period.last.index))
    }
}

extension Day {
    /// The day as a checkpoint writes it: `yyyymmdd`.
    var packed: Int32 { Int32(year * 10_000 + month * 100 + day) }
}
