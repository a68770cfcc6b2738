import EventLog
import LedgerModel
import Projections

extension Ledger {
    /// A replay and what it read.
    public struct ReplayResult: Sendable {
        public var replay: Replay
        /// Events read from the log.
        public var events: Int
        /// The head of the log when it was read.
        public var head: Log.Head
        /// Events whose type this version does not know (ignored by every view).
        public var unknownEvents: Int
    }

    /// When a replay reads and writes the checkpoint beside the log (see ``StateCheckpoint``).
    public struct CheckpointPolicy: Sendable, Equatable {
        /// Whether a valid checkpoint is read instead of the lines it covers.
        public var reads: Bool
        /// Write a new checkpoint when at least this many events follow the one there (or the
        /// log has this many and there is none); nil never writes.
        public var writesAfter: Int?

        public init(reads: Bool, writesAfter: Int?) { (self.reads, self.writesAfter) = (reads, writesAfter) }

        /// Read a checkpoint; write one when 10,000 events have come since.
        public static let standard = CheckpointPolicy(reads: true, writesAfter: 10_000)
        /// Neither read nor write one: every replay from seq 1. (Not `none`, which beside an
        /// optional policy would read as "no policy given".)
        public static let off = CheckpointPolicy(reads: false, writesAfter: nil)
    }

    /// Reads the committed log once, in seq order, feeding every event the point in time
    /// counts into one ``Replay`` — every view is derived from its result.
    /// `auditing: false` skips building the audit trail, for views that do not show it.
    ///
    /// A replay that does not audit starts from the checkpoint beside the log, if there is a
    /// valid one, and reads only the lines after it; the answer is the same either way (see
    /// ``StateCheckpoint``). When the checkpoint is missing or `checkpoints.writesAfter` events
    /// behind, the replay also writes a new one, reading to the end of the log even if its
    /// point in time stops earlier.
    ///
    /// `partnership`: the views to be shown are of that partnership alone, so a replay that
    /// starts from a checkpoint leaves the other partnerships' outturns out of the state (most
    /// of a London-wide ledger) — unless the fold then shows the views could read one (see
    /// ``LedgerState/viewsOf(_:readNoOutturnsOf:)``), when it folds again keeping them all.
    ///
    /// `indicator`: the rows to be shown (a status view's, or a compare view's of one
    /// partnership) are of that indicator alone, so a replay that
    /// starts from a checkpoint keeps only the figures it reads (see
    /// ``LedgerState/indicatorsRead(of:partnership:)``) — folding again, keeping more,
    /// if the fold shows it needs them.
    ///
    /// `readsUpdates: false`: the views to be shown read no action, action update or board (status,
    /// progress, compare), so a replay that starts from a checkpoint leaves those out of the
    /// fold, counting them undecoded.
    public func replay(_ point: PointInTime = .now, auditing: Bool = true, checkpoints: CheckpointPolicy? = nil,
                       partnership: String? = nil, indicator: String? = nil, readsUpdates: Bool = true) throws(LedgerError) -> ReplayResult {
        do {
            var policy = checkpoints ?? self.checkpoints
            #if canImport(Glibc)
            // (A view folding a checkpoint hands its decoding to another thread: made now, it waits ready.)
            if policy.reads, !auditing {
                _ = StateCheckpoint.makeReady()
                StandbyThread.start()
            }
            #endif
            let end = try log.committedEnd()
            let head = try log.head(upTo: end)
            // A view that is due to write a checkpoint where there is none writes it first, in a
            // pass of its own, then reads it as any later view will: the fold of everything and the
            // checkpoint's buffers are never held at once.
            // (The replay after it writes one only if it then finds the checkpoint damaged in a way
            // its checksums cannot show — unless this one could not be written at all.)
            if !auditing, policy.reads, let interval = policy.writesAfter,
               try !Ledger.writeCheckpointIfDue(log, upTo: head, every: interval) {
                policy.writesAfter = nil
            }
            if partnership != nil || indicator != nil || !readsUpdates, !auditing {
                var indicators = indicator.map { Set([$0]) }
                // A composite's components, a baseline's indicator: at most a fold or two more, each as narrow.
                for _ in 0..<3 {
                    let result = try Ledger.replay(log, upTo: head, point, auditing: false, checkpoints: policy,
                                                   leavingOutPartnershipsBut: partnership, keepingIndicators: indicators, readingUpdates: readsUpdates)
                    let state = result.replay.state
                    guard partnership.map({ state.viewsOf($0, readNoOutturnsOf: state.outturnAreasLeftOut) }) ?? true else { break }
                    guard let indicator, let kept = state.outturnIndicatorsKept else { return result }
                    let read = state.indicatorsRead(of: indicator, partnership: partnership)
                    if read.isSubset(of: kept) { return result }
                    indicators = kept.union(read)
                }
            }
            return try Ledger.replay(log, upTo: head, point, auditing: auditing, checkpoints: policy)
        } catch let error as EventLogError {
            throw LedgerError(error)
        } catch {
            throw LedgerError(.io, "\(error)")
        }
    }

    /// The replay of the log's lines up to `head`, as ``replay(_:auditing:checkpoints:partnership:)``
    /// describes. `leavingOutPartnershipsBut`: leave out the outturns of every partnership the
    /// checkpoint registers but this one (none without a checkpoint); the caller checks the result.
    /// `keepingIndicators`: keep only these indicators' outturns of the checkpoint's (all without one).
    /// `readingUpdates: false`: leave the checkpoint's actions, action updates and boards out.
    static func replay(_ log: Log, upTo head: Log.Head, _ point: PointInTime, auditing: Bool,
                       checkpoints: CheckpointPolicy, leavingOutPartnershipsBut kept: String? = nil,
                       keepingIndicators indicators: Set<String>? = nil, readingUpdates: Bool = true) throws -> ReplayResult {
        let end = head.end
        var replay = Replay(point, auditing: auditing)
        var events = 0
        var unknown = 0
        var start: Log.Head?
        var isGoing = true
        // An auditing replay needs whole events in seq order: it reads a checkpoint only to
        // know whether a new one is due (and to grow it, if so).
        // Checked as it is read: a view reads all of it but the ids (unless a retraction names one).
        var checkpoint = checkpoints.reads ? log.readCheckpoint(format: StateCheckpoint.format, upTo: end, checking: .asRead) : nil
        if let found = checkpoint, !auditing {
            do {
                if let indicators { replay.keepOutturns(ofIndicators: indicators) }
                isGoing = try StateCheckpoint.fold(found, into: &replay, events: &events, unknown: &unknown, keeping: kept,
                                                   readingUpdates: readingUpdates, logPath: log.path)
                start = found.covers
            } catch {
                // Damaged in a way its checksum cannot see: read the log instead, and write a new one.
                (replay, events, unknown, checkpoint) = (Replay(point, auditing: auditing), 0, 0, nil)
            }
        }
        var builder: StateCheckpointBuilder?
        // A builder resumed from the checkpoint takes only the events after it (an auditing
        // replay reads those before it too).
        let builderFrom = checkpoint?.covers.seq ?? 0
        if let interval = checkpoints.writesAfter, head.seq - builderFrom >= max(interval, 1) {
            // A replay of everything resolves retractions as the whole log does; any other leaves it to the builder.
            let (expecting, resolvesItself) = (head.seq - builderFrom, point != .now)
            if let checkpoint {
                builder = try? StateCheckpointBuilder(resuming: checkpoint, expecting: expecting, resolvesItself: resolvesItself)
                // It cannot resume a checkpoint damaged where the fold did not read (its ids): read the log instead, and write a new one.
                if builder == nil {
                    return try Self.replay(log, upTo: head, point, auditing: auditing, checkpoints: CheckpointPolicy(reads: false, writesAfter: checkpoints.writesAfter))
                }
            } else {
                builder = StateCheckpointBuilder(expecting: expecting, resolvesItself: resolvesItself)
            }
        }
        if isGoing || builder != nil {
            // A replay that builds a checkpoint decodes every line: the checkpoint needs them all.
            let decoder = LedgerEventDecoder(point: builder == nil ? point : nil, keepsLines: builder != nil, keepsIDs: builder != nil,
                                             reducesOutturns: builder == nil && !auditing)
            // Room for the lines to come, at a generous 512 bytes each (a generated outturn's is 430),
            // so the fold's tables are not rebuilt as they grow — when it reads to the end (a view
            // as of a day may fold a line from anywhere: backdated).
            switch point {
            case .now, .asOf: replay.reserveCapacity(events: (end - (start?.end ?? 0)) / 512)
            case .recorded, .sealed: break
            }
            try log.forEachDecoded(after: start, upTo: end, decoder: decoder) { item in
                if isGoing { events += 1 }
                switch item {
                case .event(let event, let line):
                    if isGoing { isGoing = replay.feed(event) }
                    if event.seq > builderFrom { builder?.add(event, line: line, resolved: { replay.state.resolve($0) }) }
                case .outturn(let outturn):
                    // Only when no checkpoint is being built (see the decoder).
                    if isGoing { isGoing = replay.feed(outturn) }
                case .unknown(let seq, let known, let recordedDay):
                    // Judged from its envelope, as a line the decoder skipped would have been.
                    if isGoing, let known, let recordedDay, !point.includes(seq: seq, known: known, recordedDay: recordedDay) {
                        isGoing = replay.skip(pastTheEnd: point.isPastTheEnd(seq: seq, recordedDay: recordedDay))
                    } else if isGoing {
                        unknown += 1
                    }
                    if seq > builderFrom { builder?.addUnknown(seq: seq, known: known, recordedDay: recordedDay) }
                case .skipped(let pastTheEnd):
                    if isGoing { isGoing = replay.skip(pastTheEnd: pastTheEnd) }
                }
                return isGoing || builder != nil
            }
        }
        // Taken out of the builder in place (a copy of it would share, then copy, its buffers).
        if builder?.isIncomplete == false, let body = builder?.takeBody() {
            builder = nil
            log.writeCheckpoint(format: StateCheckpoint.format, covering: head, body: body)
        }
        return ReplayResult(replay: replay, events: events, head: head, unknownEvents: unknown)
    }

    /// Writes a checkpoint from seq 1 when there is none beside the log (none this version can
    /// use) and `head` is `interval` or more events on, resolving each retraction itself against
    /// every event before it. Folds nothing. (One that is there is grown by the replay that
    /// folds it: only a fold finds damage its checksums cannot show, which growing it unread
    /// would carry into the new one, checksummed.) False if one was due and could not be
    /// written (a read-only folder, say).
    static func writeCheckpointIfDue(_ log: Log, upTo head: Log.Head, every interval: Int) throws -> Bool {
        guard head.seq >= max(interval, 1), log.readCheckpoint(format: StateCheckpoint.format, upTo: head.end, checking: .asRead) == nil
        else { return true }
        var builder = StateCheckpointBuilder(expecting: head.seq, resolvesItself: true)
        let decoder = LedgerEventDecoder(point: nil, keepsLines: true)
        try log.forEachDecoded(upTo: head.end, decoder: decoder) { item in
            switch item {
            case .event(let event, let line): builder.add(event, line: line, resolved: { _ in nil })
            case .unknown(let seq, let known, let recordedDay): builder.addUnknown(seq: seq, known: known, recordedDay: recordedDay)
            case .skipped: break // never: a decoder without a point in time skips nothing
            case .outturn: preconditionFailure("a decoder that keeps lines never reduces outturns")
            }
            return true
        }
        guard !builder.isIncomplete else { return true } // a line it cannot keep: no checkpoint, as before
        return log.writeCheckpoint(format: StateCheckpoint.format, covering: head, body: builder.takeBody())
    }

    /// Finds the board named `name` (held on `date`, if given; else the latest) and returns its seal.
    public func boardSeal(_ name: String, date: String? = nil, partnership: String? = nil) throws(LedgerError) -> PointInTime {
        let boards = try liveBoards(of: partnership).filter { $0.board.board == name && (partnership == nil || $0.board.partnership == partnership) }
        guard !boards.isEmpty else {
            let known = Set(try liveBoards().map(\.board.board)).sorted()
            throw LedgerError(.notFound, "no board named \"\(name)\"" + (known.isEmpty ? " (the ledger records no boards)" : " (boards: \(known.joined(separator: ", ")))"))
        }
        var chosen = boards.last
        if let date {
            let day = Day(iso: date)
            chosen = boards.last { record in
                let held = record.board.date
                return held.description == date || (day.map { held.firstDay <= $0 && $0 <= held.lastDay } ?? false)
            }
            guard chosen != nil else {
                throw LedgerError(.notFound, "board \"\(name)\" was not held on \(date) (held: \(boards.map(\.board.date.description).joined(separator: ", ")))")
            }
        }
        guard let board = chosen else { throw LedgerError(.notFound, "no board named \"\(name)\"") }
        return .sealed(seq: board.sealSeq, board: name, date: board.board.date)
    }

    /// What the reading thread hands the fold for each line.
    enum ReplayItem: Sendable {
        /// With its line, when the decoder keeps lines and the event is not an outturn. (Boxed: the
        /// item is moved between threads at the size of its largest case, and most are outturns.)
        indirect case event(LedgerEvent, line: [UInt8]?)
        /// An outturn read by the fast path, for a decoder that ``LedgerEventDecoder/reducesOutturns``.
        case outturn(OutturnEvent)
        /// A type this version does not know, and what a point in time judges it by.
        case unknown(seq: Int, known: Day?, recordedDay: Day?)
        /// Left out by the point in time, judged from the envelope (its payload not decoded).
        case skipped(pastTheEnd: Bool)
    }

    /// Typed events from log records, on the reading thread. With a point in time, lines it
    /// leaves out are judged from their envelope and never decoded — for an as-of view in the
    /// middle of a history, that is half the decoding saved.
    struct LedgerEventDecoder: RecordDecoder {
        var point: PointInTime?
        /// Types to leave out, as bytes (see ``Ledger/typesValidationIgnores``).
        var skippedTypes: [[UInt8]] = []
        var times = RecordedTimes()
        /// Whether events other than outturns come with their lines (for a checkpoint).
        var keepsLines = false
        /// Whether outturns read by the fast path keep their ids (a checkpoint stores them; no
        /// view shows one, and the fold needs only their hashes).
        var keepsIDs = true
        /// Whether outturns read by the fast path come as ``OutturnEvent``s, for a fold that
        /// neither audits nor builds a checkpoint (see ``Replay/feed(_:)-OutturnEvent``).
        var reducesOutturns = false

        mutating func decode(_ record: LogRecord) -> ReplayItem {
            guard let event = try? Ledger.ledgerEvent(record, strict: false, times: &times) else { return unknown(record) }
            return .event(event, line: nil)
        }

        mutating func decode(_ record: LogRecord, line: UnsafeRawBufferPointer) -> ReplayItem {
            guard let event = try? Ledger.ledgerEvent(record, strict: false, times: &times) else { return unknown(record) }
            if keepsLines, case .outturnRecorded = event.event { return .event(event, line: nil) }
            return .event(event, line: keepsLines ? Array(line) : nil)
        }

        mutating func unknown(_ record: LogRecord) -> ReplayItem {
            .unknown(seq: record.seq, known: Day(record.known), recordedDay: times.of(record.recorded).1)
        }

        mutating func skip(_ line: LineEnvelope) -> ReplayItem? {
            if !skippedTypes.isEmpty, skippedTypes.contains(where: { line.type.hasSameBytes(as: $0) }) { return .skipped(pastTheEnd: false) }
            guard let point, point != .now, let knownDay = Day(line.known), let recordedDay = times.of(line.recorded).1,
                  !point.includes(seq: line.seq, known: knownDay, recordedDay: recordedDay) else { return nil }
            return .skipped(pastTheEnd: point.isPastTheEnd(seq: line.seq, recordedDay: recordedDay))
        }

        /// An outturn, most of a ledger's lines, read straight from its bytes (see ``OutturnBytes``).
        mutating func decode(_ line: LineEnvelope) -> ReplayItem? {
            guard line.type.hasSameBytes(as: "outturn.recorded"), let outturn = OutturnBytes.decode(line.data),
                  let known = Day(line.known) else { return nil }
            let (text, day) = times.of(line.recorded)
            if reducesOutturns, let day {
                return .outturn(OutturnEvent(seq: line.seq, known: known, recordedDay: day, idKey: EventIDs.Key(utf8: line.id), outturn: outturn))
            }
            if !line.source.hasSameBytes(as: source.bytes) { source = (Array(line.source), String(decoding: line.source, as: UTF8.self)) }
            if !line.actor.hasSameBytes(as: actor.bytes) { actor = (Array(line.actor), String(decoding: line.actor, as: UTF8.self)) }
            return .event(LedgerEvent(seq: line.seq, id: String(decoding: line.id, as: UTF8.self), keepsID: keepsIDs, recorded: line.recorded.millisecondsSince1970,
                                      recordedText: text, known: known, source: source.text, actor: actor.text, prev: "", hash: "",
                                      event: .outturnRecorded(outturn), recordedDay: day), line: nil)
        }

        /// The last source and actor read, as bytes and text (a feed's lines share them).
        var source: (bytes: [UInt8], text: String) = ([], "")
        var actor: (bytes: [UInt8], text: String) = ([], "")
    }

    /// The recorded instant's text and day, worked out once per batch (a batch shares one instant).
    struct RecordedTimes: Sendable {
        var last: Timestamp?
        var text = ""
        var day: Day?

        mutating func of(_ t: Timestamp) -> (String, Day?) {
            if t != last {
                last = t
                text = t.description
                day = Day(t.date)
            }
            return (text, day)
        }
    }

    /// Every board the ledger records and has not retracted, oldest first (of one partnership,
    /// if given: others may be missing). Reads only the boards and the retractions (a seal needs
    /// nothing else), so finding one is a quick pass; a checkpoint's boards of other
    /// partnerships are not even decoded.
    func liveBoards(of partnership: String? = nil) throws(LedgerError) -> [BoardRecord] {
        var boards: [BoardRecord] = []
        var ids: [String: Int] = [:]
        var retracted: Set<Int> = []
        func add(_ record: LogRecord) {
            switch record.type {
            case "board.held":
                if case .boardHeld(let b)? = try? EventDecoder.decode(type: record.type, data: record.data, strict: false),
                   let known = Day(record.known) {
                    boards.append(BoardRecord(seq: record.seq, known: known, board: b, sealHash: record.prev.hex))
                    ids[record.id] = record.seq
                }
            case "event.retracted":
                if case .eventRetracted(let r)? = try? EventDecoder.decode(type: record.type, data: record.data, strict: false) {
                    switch r.event {
                    case .seq(let seq): retracted.insert(seq)
                    case .id(let id): if let seq = ids[id] { retracted.insert(seq) }
                    }
                }
            default: break
            }
        }
        do {
            let end = try log.committedEnd()
            // A checkpoint keeps the boards and retractions before it, with what each retraction retracts.
            var start: Log.Head?
            if checkpoints.reads, let checkpoint = log.readCheckpoint(format: StateCheckpoint.format, upTo: end, checking: .asRead) {
                let wanted = ["board.held", "event.retracted"].map { DomainEvent.typeNames.firstIndex(of: $0)! }
                do {
                    let sections = try StateCheckpoint.Sections(checkpoint)
                    let kept = try partnership.map { p in try StateCheckpoint.indices(of: [p], in: checkpoint, sections).first ?? StateCheckpoint.absentString }
                    try StateCheckpoint.forEachOther(checkpoint, sections, keeping: kept) { other in
                        guard wanted.contains(other.type) else { return }
                        if let target = other.retracting { retracted.insert(target) } else { add(try other.record()) }
                    }
                    start = checkpoint.covers
                } catch {
                    (boards, ids, retracted) = ([], [:], [])
                }
            }
            try log.forEachRecord(after: start, upTo: end, ofTypes: ["board.held", "event.retracted"]) { record in
                add(record)
                return true
            }
        } catch let error as EventLogError {
            throw LedgerError(error)
        } catch {
            throw LedgerError(.io, "\(error)")
        }
        return boards.filter { !retracted.contains($0.seq) }
    }

    /// The typed event of a log record; strict decoding rejects fields the type does not have.
    static func ledgerEvent(_ record: LogRecord, strict: Bool) throws(DomainError) -> LedgerEvent {
        var times = RecordedTimes()
        return try ledgerEvent(record, strict: strict, times: &times)
    }

    /// `decoded`: the record's payload, when it has been decoded already.
    static func ledgerEvent(_ record: LogRecord, strict: Bool, times: inout RecordedTimes,
                            decoded: DomainEvent? = nil) throws(DomainError) -> LedgerEvent {
        let event: DomainEvent
        if let decoded { event = decoded } else { event = try EventDecoder.decode(type: record.type, data: record.data, strict: strict) }
        return try ledgerEvent(seq: record.seq, id: record.id, recorded: record.recorded, known: record.known, source: record.source,
                               actor: record.actor, prev: record.prev, hash: record.hash, event: event, times: &times)
    }

    /// As above, for a pending record's decoded event, read in place: a copy of the record would
    /// retain each of its strings (and its data) to use three of them.
    static func ledgerEvent(in pending: UnsafePointer<Log.PendingRecord>, decoded event: DomainEvent,
                            times: inout RecordedTimes) throws(DomainError) -> LedgerEvent {
        try ledgerEvent(seq: pending.pointee.record.seq, id: pending.pointee.record.id, recorded: pending.pointee.record.recorded,
                        known: pending.pointee.record.known, source: pending.pointee.record.source, actor: pending.pointee.record.actor,
                        prev: pending.pointee.record.prev, hash: pending.pointee.record.hash, event: event, times: &times)
    }

    private static func ledgerEvent(seq: Int, id: String, recorded: Timestamp, known: CalendarDate, source: String, actor: String,
                                    prev: SHA256Digest, hash: SHA256Digest, event: DomainEvent,
                                    times: inout RecordedTimes) throws(DomainError) -> LedgerEvent {
        let (text, day) = times.of(recorded)
        let isBoard = if case .boardHeld = event { true } else { false }
        return LedgerEvent(seq: seq, id: id, recorded: recorded.millisecondsSince1970, recordedText: text, known: try Ledger.day(known),
                           source: source, actor: actor, prev: isBoard ? prev.hex : "", hash: isBoard ? hash.hex : "",
                           event: event, recordedDay: day)
    }

    /// The domain's day for a record's `known` date.
    static func day(_ known: CalendarDate) throws(DomainError) -> Day {
        guard let day = Day(known) else { throw DomainError(field: nil, "known \(known) is not a date") }
        return day
    }

    /// The kinds of event ``LedgerState/validate(_:)`` never consults — outturns, action updates,
    /// boards — which are most of a ledger. Only a retraction can point at one of them, so a batch
    /// without retractions is validated exactly against a state folded from the other kinds.
    static let typesValidationIgnores = ["outturn.recorded", "action.updated", "board.held"]

    /// Whether the event is of a kind in ``typesValidationIgnores``.
    static func validationIgnores(_ event: DomainEvent) -> Bool {
        switch event {
        case .outturnRecorded, .actionUpdated, .boardHeld: true
        default: false
        }
    }

    /// The ledger state at `head`, read with the append's lock held (so nothing can change under it).
    /// `forValidation` leaves out ``typesValidationIgnores``: enough to validate a batch that
    /// retracts nothing, and several times quicker to build on a large ledger. `isWhole` says
    /// whether anything was left out.
    ///
    /// `subjects` (with `forValidation`): the only targets and actions (`target:<id>`,
    /// `action:<id>`) the batch to validate names — the only ones validation reads of them — so
    /// the checkpoint's events about any other are left out too, never decoded.
    ///
    /// `sharedOnly` (with `subjects` empty): the batch validates against events of no partnership
    /// alone (see ``PreparedBatch/readsOnlySharedEvents``), so the checkpoint's runs of each
    /// partnership's own events are left out too, neither checked nor read.
    static func state(of log: Log, at head: Log.Head, forValidation: Bool = false, subjects: Set<String>? = nil, sharedOnly: Bool = false,
                      checkpoints: CheckpointPolicy = .off) throws -> (state: LedgerState, isWhole: Bool) {
        let scoped = try scopedState(of: log, at: head, forValidation: forValidation, subjects: subjects, sharedOnly: sharedOnly, checkpoints: checkpoints)
        return (scoped.state, scoped.isWhole)
    }

    /// As ``state(of:at:forValidation:subjects:sharedOnly:checkpoints:)``, and whether the
    /// checkpoint's targets and actions were left out but for `subjects` (`held`: then the state
    /// serves only batches naming no others), and whether every partnership's own events were
    /// left out (`sharedOnly`: then it serves only batches that read none).
    static func scopedState(of log: Log, at head: Log.Head, forValidation: Bool, subjects: Set<String>?, sharedOnly: Bool = false,
                            checkpoints: CheckpointPolicy) throws -> (state: LedgerState, isWhole: Bool, held: Set<String>?, sharedOnly: Bool) {
        // Under the append's lock: a checkpoint is read, never written.
        let reading = CheckpointPolicy(reads: checkpoints.reads, writesAfter: nil)
        guard forValidation else { return (try replay(log, upTo: head, .now, auditing: false, checkpoints: reading).replay.state, true, nil, false) }
        var state = LedgerState()
        var isWhole = true
        var held: Set<String>?
        var leftPartnershipsOut = false
        var start: Log.Head?
        // Only the events validation reads are read (and so checked): not the outturns, nor the
        // section of action updates and boards.
        if reading.reads, let checkpoint = log.readCheckpoint(format: StateCheckpoint.format, upTo: head.end, checking: .asRead) {
            do {
                let sections = try StateCheckpoint.Sections(checkpoint)
                // The subjects' string indices (one the checkpoint lacks has no events there).
                let wanted = try subjects.map { $0.isEmpty ? [] : try StateCheckpoint.indices(of: $0, in: checkpoint, sections) }
                held = subjects
                // A retraction matters to validation only if it retracts an event kept here (of a
                // kind validation reads): most retract outturns, and are left out undecoded.
                let retraction = DomainEvent.typeNames.firstIndex(of: "event.retracted")!
                // (Baselines name a subject too, for views of one partnership: validation reads every one.)
                let baseline = DomainEvent.typeNames.firstIndex(of: "baseline.set")!
                var keptSeqs: Set<Int> = []
                leftPartnershipsOut = sharedOnly && subjects?.isEmpty == true
                let kept = try StateCheckpoint.decodedOthers(checkpoint, sections, keeping: leftPartnershipsOut ? StateCheckpoint.absentString : nil,
                                                             releasing: false, forValidation: true) { other in
                    let needed = other.type == retraction
                        ? other.retracting.map(keptSeqs.contains) ?? false
                        : wanted == nil || other.subject == OutturnRecord.noString || other.type == baseline || wanted!.contains(other.subject)
                    if needed { keptSeqs.insert(other.envelope.seq) }
                    return needed
                }
                for (event, retracting) in kept { state.apply(event, retracting: retracting) }
                // Its outturns are left out too (validation never reads them), and so are its ids: only
                // a retraction resolves one, and a batch with one is validated against a whole state.
                isWhole = false
                start = checkpoint.covers
            } catch {
                (state, isWhole, held, leftPartnershipsOut) = (LedgerState(), true, nil, false)
            }
        }
        let decoder = LedgerEventDecoder(skippedTypes: typesValidationIgnores.map { Array($0.utf8) })
        try log.forEachDecoded(after: start, upTo: head.end, decoder: decoder) { item in
            switch item {
            case .event(let event, _): state.apply(event)
            case .outturn(let outturn): state.apply(outturn)
            case .skipped: isWhole = false
            case .unknown: break
            }
            return true
        }
        return (state, isWhole, held, leftPartnershipsOut)
    }

    /// Validates drafts not yet written (a dry run) exactly as an append would; `decoded` as below.
    static func validate(_ drafts: [EventDraft], from state: LedgerState, lines: [Int], decoded: [DomainEvent?] = []) throws(LedgerError) {
        let today = Timestamp.now()
        let pending = drafts.enumerated().map { i, d in
            Log.PendingRecord(index: i, record: LogRecord(seq: state.head + i + 1, id: d.id ?? "dry-run-\(i)", recorded: today,
                                                          known: d.known ?? today.date, type: d.type, source: d.source, actor: d.actor,
                                                          data: d.data, prev: .zero, hash: .zero))
        }
        do { try validate(pending, from: state, lines: lines, decoded: decoded) } catch let error as LedgerError { throw error } catch {
            throw LedgerError(.io, "\(error)")
        }
    }

    /// Validates a batch against `state` (the ledger so far) and each event against those
    /// before it in the batch; `lines` maps a batch position to its input line, `decoded` to
    /// its already decoded payload (else it is decoded here, strictly). `chain` gives a
    /// record's `prev` and `hash` where the state keeps them (a board's seal); without it
    /// they stay as the records have them. `foldingAll: false` (for a batch that retracts
    /// nothing, whose state is not used afterwards) leaves out of the returned state the kinds
    /// validation ignores: it still validates every event exactly.
    @discardableResult
    static func validate(_ pending: [Log.PendingRecord], from state: LedgerState, lines: [Int],
                         decoded: [DomainEvent?] = [],
                         chain: ((Int) -> (prev: SHA256Digest, hash: SHA256Digest))? = nil,
                         foldingAll: Bool = true) throws -> LedgerState {
        var state = state
        // Room for what will be folded in (without `foldingAll`, outturns are only checked),
        // and for the entities it adds (a batch of 100,000 definitions rehashed the table of
        // indicators seventeen times).
        var (folded, byType) = (0, [String: Int]())
        pending.withUnsafeBufferPointer { records in
            for record in records where foldingAll || !typesValidationIgnores.contains(record.record.type) {
                folded += 1
                byType[record.record.type, default: 0] += 1
            }
        }
        state.reserveCapacity(events: folded, byType: byType)
        var times = RecordedTimes()
        // Read in place: copying each record would retain its strings (on the core that is
        // encoding the same records' lines).
        try pending.withUnsafeBufferPointer { pending throws(LedgerError) in
            for position in pending.indices {
                let index = pending[position].index
                do throws(DomainError) {
                    let event: DomainEvent
                    if index < decoded.count, let known = decoded[index] {
                        event = known
                    } else {
                        event = try EventDecoder.decode(type: pending[position].record.type, data: pending[position].record.data, strict: true)
                    }
                    guard foldingAll || !Ledger.validationIgnores(event) else {
                        // Not folded: checked exactly as `ledgerEvent` would check it, without building it.
                        _ = try Ledger.day(pending[position].record.known)
                        try state.validate(event)
                        continue
                    }
                    let ledgerEvent: LedgerEvent
                    if case .boardHeld = event, let chain {
                        var record = pending[position].record
                        (record.prev, record.hash) = chain(position)
                        ledgerEvent = try Ledger.ledgerEvent(record, strict: true, times: &times, decoded: event)
                    } else {
                        ledgerEvent = try Ledger.ledgerEvent(in: pending.baseAddress! + position, decoded: event, times: &times)
                    }
                    try state.validate(event)
                    state.apply(ledgerEvent)
                } catch {
                    throw LedgerError(.badInput, error.description, line: index < lines.count ? lines[index] : nil, field: error.field)
                }
            }
        }
        return state
    }
}

extension Day {
    /// The domain's day for the log's calendar date (nil only for a date the domain cannot hold).
    public init?(_ date: CalendarDate) {
        self.init(year: date.year, month: date.month, day: date.day)
    }
}
