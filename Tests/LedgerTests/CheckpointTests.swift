import Foundation
import Testing
@testable import EventLog
@testable import Ledger
import LedgerModel
import Projections

/// Checkpoints never change an answer: every view at every point in time (now, as of a day,
/// as recorded by a day, at a board's seal) read through a checkpoint equals the same replay
/// without one and the plain fold — whichever seq the checkpoint covers, whoever wrote it (a
/// replay of now, a replay at a point in time, a replay resuming an older checkpoint), over a
/// history with backdating, revisions, boards and retractions by id and by seq, many of them
/// naming events the checkpoint covers. A checkpoint that cannot be trusted is ignored and,
/// when the policy writes, rebuilt: one whose stamp does not match the log, one whose body
/// does not match its stamp's checksum, and one damaged beneath a good checksum (a wild count,
/// a seq out of range) that the body's own checks must find out — never crashed on.
struct CheckpointTests {
    // MARK: - A history encoded once, cut at any seq

    /// A generated history's lines, with where each ends, so a log can be written up to any
    /// seq and the rest appended later as raw bytes (the chain stays whole: it is one encoding).
    struct History: Sendable {
        var bytes: [UInt8] = []
        /// `ends[s]`: the offset just past seq `s`'s line (`ends[0] == 0`).
        var ends: [Int] = [0]
        /// `types[s]`, `ids[s]`, `known[s]` for seq `s` (index 0 unused).
        var types: [String] = [""]
        var ids: [String] = [""]
        var known: [Day] = [Day(iso: "2000-01-01")!]
        var recordedDay: [Day] = [Day(iso: "2000-01-01")!]
        /// What each retraction names, as the whole log resolves it: retraction seq → target seq.
        var retractions: [Int: Int] = [:]
        /// Retractions written with a seq (the rest name an id).
        var retractionsBySeq: Set<Int> = []
        var knownDays: [Day] = []
        var recordedDays: [Day] = []

        var count: Int { ends.count - 1 }
        func prefix(_ k: Int) -> ArraySlice<UInt8> { bytes[..<ends[k]] }
        func suffix(after k: Int) -> ArraySlice<UInt8> { bytes[ends[k]...] }
        func seqs(ofType type: String) -> [Int] { (1...count).filter { types[$0] == type } }
    }

    /// The history of ``PointInTimeReadingTests/writeHistory(to:)``, two years of it (recorded 0–400 days after
    /// known, so `known`, `recorded` and seals cut it in different places), with retractions
    /// added now and then — by seq, of an earlier outturn; by id, of an earlier action update,
    /// target revision or board — each naming any event before it, so many cross any cut.
    /// `unknownAt`: seqs at which an event of a type this version does not know is written.
    /// `size`: the synthetic history's boroughs, indicators and years.
    static func encode(unknownAt: Set<Int> = [], seed: UInt64 = 11, size: (boroughs: Int, indicators: Int, years: Int) = (2, 12, 2)) -> History {
        var h = History()
        var prev = SHA256Digest.zero
        var random = SplitMix64(seed: 99)
        var injector = SplitMix64(seed: 7 &+ seed)
        var lastRecorded: Int64 = 0
        var knownDays: Set<Day> = [], recordedDays: Set<Day> = []
        var seqOfID: [String: Int] = [:]
        var retracted: Set<Int> = []

        func emit(_ type: String, id: String, known: CalendarDate, source: String, actor: String, data: JSONObject) {
            let seq = h.count + 1
            let lag = Int64(random.next() % 400) * 86_400_000
            lastRecorded = max(lastRecorded, Int64(known.daysSince1970) * 86_400_000 + lag + Int64(seq))
            let recorded = Timestamp(millisecondsSince1970: lastRecorded)
            prev = LogRecord.encode(seq: seq, id: id, recorded: recorded, known: known, type: type, source: source,
                                    actor: actor, data: data, prev: prev, into: &h.bytes)
            h.ends.append(h.bytes.count)
            h.types.append(type)
            h.ids.append(id)
            h.known.append(Day(known)!)
            h.recordedDay.append(Day(recorded.date)!)
            seqOfID[id] = seq
            knownDays.insert(Day(known)!)
            recordedDays.insert(Day(recorded.date)!)
        }
        func emitUnknownIfDue(_ known: CalendarDate) {
            while unknownAt.contains(h.count + 1) {
                emit("future.kind", id: "x-unknown-\(h.count + 1)", known: known, source: "tests", actor: "tests",
                     data: JSONObject([("whatever", .number(JSONNumber(h.count)))]))
            }
        }
        func retract(_ target: Int, bySeq: Bool, known: CalendarDate) {
            let reference: JSONValue = bySeq ? .number(JSONNumber(target)) : .string(h.ids[target])
            emit("event.retracted", id: "x-retraction-\(h.count + 1)", known: known, source: "tests", actor: "tests",
                 data: JSONObject([("event", reference), ("reason", .string(bySeq ? "test: by seq" : "test: by id"))]))
            h.retractions[h.count] = target
            if bySeq { h.retractionsBySeq.insert(h.count) }
            retracted.insert(target)
        }

        SyntheticHistory(boroughs: size.boroughs, indicators: size.indicators, years: size.years, seed: seed).forEachEvent { draft in
            let known = draft.known ?? CalendarDate(year: 2010, month: 1, day: 1)!
            emitUnknownIfDue(known)
            emit(draft.type, id: draft.id ?? "e\(h.count + 1)", known: known, source: draft.source, actor: draft.actor, data: draft.data)
            if draft.type == "event.retracted", let id = draft.data["event"]?.stringValue, let target = seqOfID[id] {
                h.retractions[h.count] = target
                retracted.insert(target)
            }
            emitUnknownIfDue(known)
            // Now and then, a retraction of an earlier event, picked anywhere before it.
            if h.count > 40, injector.next() % 30 == 0 {
                let bySeq = injector.next() % 2 == 0
                let kinds: Set<String> = bySeq ? ["outturn.recorded"] : ["action.updated", "target.revised", "board.held", "outturn.recorded"]
                for _ in 0..<20 {
                    let target = 1 + Int(injector.next() % UInt64(h.count))
                    if kinds.contains(h.types[target]), !retracted.contains(target) {
                        retract(target, bySeq: bySeq, known: known)
                        break
                    }
                }
            }
            return true
        }
        h.knownDays = knownDays.sorted()
        h.recordedDays = recordedDays.sorted()
        return h
    }

    static let history = encode()

    // MARK: - Files

    final class Scratch: @unchecked Sendable {
        let directory: String
        private let owns: Bool
        init() throws {
            directory = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString)"
            owns = true
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        /// A directory another owner removes (an exit test's, which may not get to clean up).
        init(borrowing directory: String) {
            self.directory = directory
            owns = false
        }
        deinit { if owns { try? FileManager.default.removeItem(atPath: directory) } }
        func path(_ name: String) -> String { directory + "/" + name }
    }

    static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func append(_ bytes: some Collection<UInt8>, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    /// The checkpoint beside the log at `path`, if the log accepts it.
    static func checkpoint(_ path: String) throws -> Log.Checkpoint? {
        let log = try Log(path: path)
        return log.readCheckpoint(format: StateCheckpoint.format, upTo: try log.committedEnd())
    }

    /// The checkpoint file's bytes.
    static func checkpointFile(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + ".ckpt")))
    }

    /// The checkpoint's body (everything after the stamp line).
    static func body(_ path: String) throws -> [UInt8] {
        let file = try checkpointFile(path)
        return Array(file[(file.firstIndex(of: 0x0A)! + 1)...])
    }

    static func inode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }

    static let writeNow = Ledger.CheckpointPolicy(reads: true, writesAfter: 1)
    static let readOnly = Ledger.CheckpointPolicy(reads: true, writesAfter: nil)
    static let off = Ledger.CheckpointPolicy.off

    /// Writes the history up to `k`, has a replay at `writer` write the checkpoint (covering `k`),
    /// then appends the rest of the history as raw bytes.
    static func log(_ h: History, checkpointAt k: Int, writtenBy writer: PointInTime = .now, auditing: Bool = false,
                    in scratch: Scratch, name: String = "ledger.jsonl") throws -> String {
        let path = scratch.path(name)
        try write(h.prefix(k), to: path)
        _ = try Ledger(path: path).replay(writer, auditing: auditing, checkpoints: writeNow)
        #expect(try checkpoint(path)?.covers.seq == k, "the checkpoint written by a replay at \(writer) should cover seq \(k)")
        try append(h.suffix(after: k), to: path)
        return path
    }

    // MARK: - Points in time

    static func boards(_ h: History) throws -> [BoardRecord] {
        let scratch = try Scratch()
        let path = scratch.path("boards.jsonl")
        try write(h.bytes, to: path)
        return try Ledger(path: path).replay(.now, auditing: false, checkpoints: Self.off).replay.state.boards
    }

    static let boardsOfHistory: [BoardRecord] = (try? boards(history)) ?? []

    static func seal(_ board: BoardRecord) -> PointInTime {
        .sealed(seq: board.sealSeq, board: board.board.board, date: board.board.date)
    }

    /// Points of every kind across the history: 3 fixed, 15 as-of, 11 recorded, every third board's seal.
    static func points(_ h: History, boards: [BoardRecord]) -> [PointInTime] {
        func sample(_ days: [Day], _ count: Int) -> [Day] {
            stride(from: 0, to: days.count, by: max(1, days.count / count)).map { days[$0] } + [days.last!]
        }
        var points: [PointInTime] = [.now, .asOf(Day(iso: "2000-01-01")!), .recorded(Day(iso: "2000-01-01")!)]
        points += sample(h.knownDays, 14).map { .asOf($0) }
        points += sample(h.recordedDays, 10).map { .recorded($0) }
        points += boards.enumerated().filter { $0.offset % 3 == 0 }.map { seal($0.element) }
        return points
    }

    static var allPoints: [PointInTime] { points(history, boards: boardsOfHistory) }

    // MARK: - Comparing

    struct Kept<P: Equatable & Sendable>: Equatable, Sendable {
        var seq: Int
        var known: Day
        var payload: P
    }

    static func kept<K: Hashable, P: Equatable & Sendable>(_ table: [K: [Entry<P>]]) -> [K: [Kept<P>]] {
        table.mapValues { $0.map { Kept(seq: $0.seq, known: $0.known, payload: $0.payload) } }
    }

    static func today(_ point: PointInTime) -> Day { point.viewDate ?? Day(iso: "2030-01-01")! }

    /// Everything a folded state answers — every view, every entity's history, every
    /// retraction, which seqs were applied and what every id resolves to — and, for a replay,
    /// its counts.
    struct Fingerprint: Equatable, Sendable {
        struct Counts: Equatable, Sendable, CustomStringConvertible {
            var skipped: Int
            var unknownEvents: Int
            var events: Int
            var head: Log.Head
            var description: String { "skipped \(skipped), unknownEvents \(unknownEvents), events \(events), head \(head.seq)" }
        }
        var appliedCount: Int
        var head: Int
        var status: [StatusRow]
        var progress: [ProgressRow]
        var actionRows: [ActionRow]
        var boards: [BoardRecord]
        var retracted: SeqMap
        var retractionSeqs: SeqMembers
        var outturns: [OutturnKey: [Kept<OutturnRecorded>]]
        var partnerships: [String: [Kept<PartnershipRegistered>]]
        var plans: [String: [Kept<PlanChange>]]
        var priorities: [String: [Kept<PriorityChange>]]
        var indicators: [String: [Kept<IndicatorDefined>]]
        var baselines: [String: [Kept<BaselineSet>]]
        var targets: [String: [Kept<TargetChange>]]
        var actions: [String: [Kept<ActionCreated>]]
        var actionUpdates: [String: [Kept<ActionUpdated>]]
        var periods: [String: Set<String>]
        /// The seqs `resolve(.seq(_:))` finds (those applied), and what each id resolves to.
        var applied: [Int]
        var resolvedIDs: [Int?]
        var counts: Counts?

        init(_ s: LedgerState, today: Day, ids: [String], counts: Counts? = nil) {
            appliedCount = s.appliedCount
            head = s.head
            status = s.statusRows()
            progress = s.progressRows()
            actionRows = s.actionRows(today: today)
            boards = s.boards
            retracted = s.retracted
            retractionSeqs = s.retractionSeqs
            outturns = kept(s.outturns)
            partnerships = kept(s.partnerships)
            plans = kept(s.plans)
            priorities = kept(s.priorities)
            indicators = kept(s.indicators)
            baselines = kept(s.baselines)
            targets = kept(s.targets)
            actions = kept(s.actions)
            actionUpdates = kept(s.actionUpdates)
            periods = s.outturnAreas
            applied = (0...ids.count + 1).filter { s.resolve(.seq($0)) != nil }
            resolvedIDs = ids.dropFirst().map { s.resolve(.id($0)) }
            self.counts = counts
        }

        init(_ r: Ledger.ReplayResult, ids: [String]) {
            self.init(r.replay.state, today: CheckpointTests.today(r.replay.pointInTime), ids: ids,
                      counts: Counts(skipped: r.replay.skipped, unknownEvents: r.unknownEvents, events: r.events, head: r.head))
        }

        /// What differs (counts only if both have them).
        func differences(from o: Fingerprint) -> [String] {
            var found: [String] = []
            func check<T: Equatable>(_ name: @autoclosure () -> String, _ path: KeyPath<Fingerprint, T>) {
                if self[keyPath: path] != o[keyPath: path] { found.append(name()) }
            }
            check("appliedCount \(appliedCount) vs \(o.appliedCount)", \.appliedCount)
            check("head \(head) vs \(o.head)", \.head)
            check("status rows", \.status)
            check("progress rows", \.progress)
            check("action rows", \.actionRows)
            check("boards", \.boards)
            check("retracted (\(retracted.count) vs \(o.retracted.count))", \.retracted)
            check("retraction seqs", \.retractionSeqs)
            check("outturns", \.outturns)
            check("partnerships", \.partnerships)
            check("plans", \.plans)
            check("priorities", \.priorities)
            check("indicators", \.indicators)
            check("baselines", \.baselines)
            check("targets", \.targets)
            check("actions", \.actions)
            check("action updates", \.actionUpdates)
            check("outturn periods", \.periods)
            check("applied seqs", \.applied)
            check("ids resolved", \.resolvedIDs)
            if let a = counts, let b = o.counts, a != b { found.append("counts: \(a) vs \(b)") }
            return found
        }
    }

    /// One point's answers without checkpoints: the replay with `CheckpointPolicy.off` and
    /// the plain fold (every record decoded and fed in order, with its audit trail).
    struct Reference: Sendable {
        var point: PointInTime
        var off: Fingerprint
        var plain: Fingerprint
        var plainAudit: [AuditEntry]
    }

    /// The references for the log at `path` (with no checkpoint read), at each point.
    static func references(at path: String, ids: [String], points: [PointInTime]) throws -> [Reference] {
        let ledger = try Ledger(path: path)
        let log = try Log(path: path)
        return try points.map { point in
            let without = try ledger.replay(point, auditing: false, checkpoints: off)
            let plain = try PointInTimeReadingTests.plainReplay(log, point)
            return Reference(point: point, off: Fingerprint(without, ids: ids),
                             plain: Fingerprint(plain.state, today: today(point), ids: ids), plainAudit: plain.audit.entries)
        }
    }

    /// The references of the whole ``history``, at ``allPoints``: every test that ends with the
    /// whole history in its log compares with these (the log's bytes are the same).
    static let historyReferences: [Reference] = {
        guard let scratch = try? Scratch() else { return [] }
        let path = scratch.path("reference.jsonl")
        guard (try? write(history.bytes, to: path)) != nil else { return [] }
        return (try? references(at: path, ids: history.ids, points: allPoints)) ?? []
    }()

    /// A third of them, of every kind (for the tests that repeat a comparison many times over).
    static var someReferences: [Reference] {
        historyReferences.enumerated().filter { $0.offset % 3 == 0 || $0.element.point == .now }.map(\.element)
    }

    /// One point of each kind, from the middle of each kind's run: now, as of, as recorded, sealed.
    static var fewReferences: [Reference] {
        func middle(_ kind: (PointInTime) -> Bool) -> [Reference] {
            let run = historyReferences.filter { kind($0.point) }
            return run.isEmpty ? [] : [run[run.count / 2]]
        }
        return middle { $0 == .now } + middle { if case .asOf = $0 { true } else { false } }
            + middle { if case .recorded = $0 { true } else { false } } + middle { if case .sealed = $0 { true } else { false } }
    }

    /// Every reference's point read through the checkpoint (which must be read, or must not)
    /// equals the reference without checkpoints and the plain fold.
    static func expectSame(_ path: String, ids: [String], as references: [Reference], label: String,
                           checkpointIsRead: Bool? = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(!references.isEmpty, sourceLocation: sourceLocation)
        let ledger = try Ledger(path: path)
        for reference in references {
            let point = reference.point
            let with = try ledger.replay(point, auditing: false, checkpoints: readOnly)
            if let checkpointIsRead {
                #expect((with.replay.state.deferredIDs != nil) == checkpointIsRead,
                        "\(label), \(point): the checkpoint should \(checkpointIsRead ? "" : "not ")be read", sourceLocation: sourceLocation)
            }
            let print = Fingerprint(with, ids: ids)
            let vsOff = print.differences(from: reference.off)
            #expect(vsOff.isEmpty, "\(label), \(point) vs no checkpoint: \(vsOff.joined(separator: "; "))", sourceLocation: sourceLocation)
            let vsPlain = print.differences(from: reference.plain)
            #expect(vsPlain.isEmpty, "\(label), \(point) vs the plain fold: \(vsPlain.joined(separator: "; "))", sourceLocation: sourceLocation)
        }
    }

    /// As above for the whole ``history`` in the log at `path`.
    static func expectSameAsHistory(_ path: String, _ references: [Reference] = historyReferences, label: String,
                                    checkpointIsRead: Bool? = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectSame(path, ids: history.ids, as: references, label: label, checkpointIsRead: checkpointIsRead, sourceLocation: sourceLocation)
    }

    /// The differences between two replays, counts included.
    static func differences(_ a: Ledger.ReplayResult, _ b: Ledger.ReplayResult, ids: [String]) -> [String] {
        Fingerprint(a, ids: ids).differences(from: Fingerprint(b, ids: ids))
    }

    // MARK: - The history is what the tests need

    @Test func theHistoryHasWhatTheTestsNeed() throws {
        let h = Self.history
        #expect(h.count > 600)
        #expect(h.retractionsBySeq.count >= 3, "retractions by seq")
        #expect(h.retractions.count - h.retractionsBySeq.count >= 3, "retractions by id")
        #expect(Self.boardsOfHistory.count >= 12)
        #expect(Self.allPoints.count >= 30)
        #expect(Self.historyReferences.count == Self.allPoints.count)
        #expect(Self.someReferences.count >= 10)
        #expect(Self.fewReferences.count == 4)
        // The points cut the history in many places.
        #expect(Set(Self.historyReferences.map(\.off.appliedCount)).count >= 25)
        // Retractions naming, by seq and by id, events far before them (across any middle cut).
        let middle = h.count / 2
        #expect(h.retractions.contains { $0.key > middle && $0.value <= middle && h.retractionsBySeq.contains($0.key) })
        #expect(h.retractions.contains { $0.key > middle && $0.value <= middle && !h.retractionsBySeq.contains($0.key) && h.types[$0.value] == "outturn.recorded" })
        // Backdating: some event known long before it was recorded, and known before an earlier seq.
        #expect((2...h.count).contains { h.known[$0] < h.known[$0 - 1] })
    }

    // MARK: - Equivalence, wherever the checkpoint is

    enum Cover: String, CaseIterable, Sendable {
        case early, middle, justBeforeABoard, aBoard, justBeforeARetractionOfAnEarlierEvent, head

        func seq(in h: History) -> Int {
            let boards = h.seqs(ofType: "board.held")
            let board = boards.first { $0 > h.count / 2 } ?? boards.last!
            switch self {
            case .early: return 12
            case .middle: return h.count / 2
            case .justBeforeABoard: return board - 1
            case .aBoard: return board
            case .justBeforeARetractionOfAnEarlierEvent:
                return h.retractions.filter { $0.key > h.count / 3 && $0.value < h.count / 4 }.keys.min()! - 1
            case .head: return h.count
            }
        }
    }

    @Test(arguments: Cover.allCases)
    func everyViewAtEveryPointEqualsTheReplayWithoutCheckpoints(_ cover: Cover) throws {
        let h = Self.history
        let scratch = try Scratch()
        let k = cover.seq(in: h)
        let path = try Self.log(h, checkpointAt: k, in: scratch)
        try Self.expectSameAsHistory(path, label: "checkpoint at \(k) (\(cover))")
        // Reading never rewrites it.
        #expect(try Self.checkpoint(path)?.covers.seq == k)
    }

    @Test func anAuditingReplayReadsNoCheckpointAndGivesTheSameAuditTrail() throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: h.count / 2, in: scratch)
        let ledger = try Ledger(path: path)
        for reference in Self.someReferences {
            let point = reference.point
            let audited = try ledger.replay(point, auditing: true, checkpoints: Self.readOnly)
            let without = try ledger.replay(point, auditing: true, checkpoints: Self.off)
            #expect(audited.replay.state.deferredIDs == nil, "\(point): an auditing replay read the checkpoint")
            #expect(audited.replay.audit.entries == without.replay.audit.entries, "\(point): audit")
            #expect(audited.replay.audit.entries == reference.plainAudit, "\(point): audit vs the plain fold")
            let found = Fingerprint(audited, ids: h.ids).differences(from: reference.off)
            #expect(found.isEmpty, "\(point): \(found)")
            if point == .now { #expect(audited.replay.audit.entries.count > 100) }
        }
    }

    // MARK: - Whoever wrote it

    enum Writer: String, CaseIterable, Sendable {
        case now, auditingNow, asOfTheFirstDay, asOfBeforeEverything, recordedEarly, sealedAtTheFirstBoard, sealedAtTheLastBoardBeforeIt

        func point(_ h: History, boards: [BoardRecord], k: Int) -> PointInTime {
            switch self {
            case .now, .auditingNow: .now
            case .asOfTheFirstDay: .asOf(h.knownDays[0])
            case .asOfBeforeEverything: .asOf(Day(iso: "2000-01-01")!)
            case .recordedEarly: .recorded(h.recordedDays[h.recordedDays.count / 10])
            case .sealedAtTheFirstBoard: CheckpointTests.seal(boards[0])
            case .sealedAtTheLastBoardBeforeIt: CheckpointTests.seal(boards.last { $0.seq < k }!)
            }
        }
    }

    @Test(arguments: Writer.allCases)
    func aCheckpointWrittenAtAPointInTimeIsTheOneWrittenNow(_ writer: Writer) throws {
        let h = Self.history
        let k = h.count / 2
        let scratch = try Scratch()
        let point = writer.point(h, boards: Self.boardsOfHistory, k: k)

        let reference = scratch.path("now.jsonl")
        try Self.write(h.prefix(k), to: reference)
        _ = try Ledger(path: reference).replay(.now, auditing: false, checkpoints: Self.writeNow)

        let path = scratch.path("ledger.jsonl")
        try Self.write(h.prefix(k), to: path)
        let ledger = try Ledger(path: path)
        let writing = try ledger.replay(point, auditing: writer == .auditingNow, checkpoints: Self.writeNow)
        #expect(try Self.checkpoint(path)?.covers.seq == k)
        #expect(try Self.body(path) == Self.body(reference), "the body written at \(point) differs from the one written now")
        // The replay that wrote it answers as a replay without checkpoints.
        let without = try ledger.replay(point, auditing: writer == .auditingNow, checkpoints: Self.off)
        let found = Self.differences(writing, without, ids: Array(h.ids[...k]))
        #expect(found.isEmpty, "the writing replay at \(point): \(found)")
        if writer == .auditingNow { #expect(writing.replay.audit.entries == without.replay.audit.entries) }

        try Self.append(h.suffix(after: k), to: path)
        try Self.expectSameAsHistory(path, Self.fewReferences, label: "written at \(point)")
    }

    // MARK: - Resumed

    enum Resumer: String, CaseIterable, Sendable {
        case now, asOfTheFirstDay, recordedEarly, sealedAtTheFirstBoard, auditingNow

        func point(_ h: History, boards: [BoardRecord]) -> PointInTime {
            switch self {
            case .now, .auditingNow: .now
            case .asOfTheFirstDay: .asOf(h.knownDays[0])
            case .recordedEarly: .recorded(h.recordedDays[h.recordedDays.count / 10])
            case .sealedAtTheFirstBoard: CheckpointTests.seal(boards[0])
            }
        }
    }

    @Test(arguments: Resumer.allCases)
    func aResumedCheckpointIsTheOneWrittenFromScratch(_ resumer: Resumer) throws {
        let h = Self.history
        let (k1, k2) = (h.count / 3, 2 * h.count / 3)
        // Between the two, retractions (by seq and by id) of events before the first.
        #expect(h.retractions.contains { (k1 + 1...k2).contains($0.key) && $0.value <= k1 && h.retractionsBySeq.contains($0.key) })
        #expect(h.retractions.contains { (k1 + 1...k2).contains($0.key) && $0.value <= k1 && !h.retractionsBySeq.contains($0.key) })
        let scratch = try Scratch()
        let point = resumer.point(h, boards: Self.boardsOfHistory)
        let auditing = resumer == .auditingNow

        let path = scratch.path("ledger.jsonl")
        try Self.write(h.prefix(k1), to: path)
        _ = try Ledger(path: path).replay(.now, auditing: false, checkpoints: Self.writeNow)
        #expect(try Self.checkpoint(path)?.covers.seq == k1)
        try Self.append(h.bytes[h.ends[k1]..<h.ends[k2]], to: path)
        let ledger = try Ledger(path: path)

        // Fewer events than the policy asks for since the checkpoint: it is left alone.
        let notYet = try ledger.replay(point, auditing: auditing, checkpoints: .init(reads: true, writesAfter: k2 - k1 + 1))
        #expect(try Self.checkpoint(path)?.covers.seq == k1,
                "a replay at \(point)\(auditing ? ", auditing," : "") rewrote a checkpoint \(k2 - k1) events behind the head (policy: every \(k2 - k1 + 1))")
        // Enough: a new one, covering k2, from the old one's body and the lines after it.
        let resumed = try ledger.replay(point, auditing: auditing, checkpoints: .init(reads: true, writesAfter: k2 - k1))
        #expect(try Self.checkpoint(path)?.covers.seq == k2)
        #expect((resumed.replay.state.deferredIDs != nil) == !auditing, "the resuming replay should read the old checkpoint unless it audits")
        let without = try ledger.replay(point, auditing: auditing, checkpoints: Self.off)
        for result in [notYet, resumed] {
            let found = Self.differences(result, without, ids: Array(h.ids[...k2]))
            #expect(found.isEmpty, "the resuming replay at \(point): \(found)")
        }

        let fresh = scratch.path("fresh.jsonl")
        try Self.write(h.prefix(k2), to: fresh)
        _ = try Ledger(path: fresh).replay(.now, auditing: false, checkpoints: Self.writeNow)
        #expect(try Self.body(path) == Self.body(fresh), "the resumed body differs from one built from seq 1")

        try Self.append(h.suffix(after: k2), to: path)
        try Self.expectSameAsHistory(path, Self.fewReferences, label: "resumed at \(k2) by a replay at \(point)")

        // And once more, to the head.
        _ = try ledger.replay(point, auditing: auditing, checkpoints: Self.writeNow)
        #expect(try Self.checkpoint(path)?.covers.seq == h.count)
        let whole = scratch.path("whole.jsonl")
        try Self.write(h.bytes, to: whole)
        _ = try Ledger(path: whole).replay(.now, auditing: false, checkpoints: Self.writeNow)
        #expect(try Self.body(path) == Self.body(whole), "the body resumed twice differs from one built from seq 1")
        try Self.expectSameAsHistory(path, Self.fewReferences, label: "resumed at the head by a replay at \(point)")
    }

    // MARK: - Retractions after the checkpoint

    @Test func aRetractionAfterTheCheckpointOfAnEventBeforeItIsHonoured() throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = scratch.path("ledger.jsonl")
        try Self.write(h.bytes, to: path)
        let ledger = try Ledger(path: path)
        _ = try ledger.replay(.now, auditing: false, checkpoints: Self.writeNow)
        #expect(try Self.checkpoint(path)?.covers.seq == h.count)
        let before = try ledger.replay(.now, auditing: false, checkpoints: Self.off).replay.state

        // Live latest outturns of two different indicators, each the latest period for its area.
        let alreadyRetracted = Set(h.retractions.values)
        func latest(indicator: String) -> Entry<OutturnRecorded> {
            let key = before.outturns.keys.filter { $0.indicator == indicator && $0.area == "borough-1" }.max { $0.period < $1.period }!
            return before.recordedOutturn(key)!
        }
        let byID = latest(indicator: "MOPAC7.burglary")
        let bySeq = latest(indicator: "MOPAC7.robbery")
        #expect(!alreadyRetracted.contains(byID.seq) && !alreadyRetracted.contains(bySeq.seq))
        // An action's latest update, by id; and an outturn known late, retracted by a retraction known earlier.
        let update = before.actionUpdates.values.compactMap { before.live($0).last }.max { $0.seq < $1.seq }!
        let late = h.seqs(ofType: "outturn.recorded").last { !alreadyRetracted.contains($0) && $0 != byID.seq && $0 != bySeq.seq
            && !h.ids[$0].hasPrefix("e") && h.known[$0] > h.knownDays[h.knownDays.count / 2] }!
        let lateKnown = h.known[late]
        let earlier = CalendarDate(daysSince1970: CalendarDate(year: lateKnown.year, month: lateKnown.month, day: lateKnown.day)!.daysSince1970 - 90)
        let retractionKnown = Day(earlier)!

        func retract(_ reference: String, known: CalendarDate? = nil) throws {
            let line = #"{"type":"event.retracted","data":{"event":\#(reference),"reason":"test"}}"#
            _ = try ledger.append(jsonLines: Array((line + "\n").utf8),
                              defaults: InputDefaults(source: "tests", actor: "tests", known: known ?? CalendarDate(year: 2013, month: 6, day: 1)))
        }
        try retract("\"\(h.ids[byID.seq])\"")
        try retract("\(bySeq.seq)")
        try retract("\"\(h.ids[update.seq])\"")
        try retract("\"\(h.ids[late])\"", known: earlier)
        let (r1, r2, r3, r4) = (h.count + 1, h.count + 2, h.count + 3, h.count + 4)

        // The checkpoint still stands, and is read.
        #expect(try Self.checkpoint(path)?.covers.seq == h.count)
        let after = try ledger.replay(.now, auditing: false, checkpoints: Self.readOnly)
        #expect(after.replay.state.deferredIDs != nil)
        #expect(after.replay.state.retracted[byID.seq] == r1, "the outturn retracted by id")
        #expect(after.replay.state.retracted[bySeq.seq] == r2, "the outturn retracted by seq")
        #expect(after.replay.state.retracted[update.seq] == r3, "the action update retracted by id")
        #expect(after.replay.state.retracted[late] == r4, "the late outturn retracted by an earlier-known retraction")
        #expect(after.replay.state.statusRows() != before.statusRows(), "the retractions should change the status view")
        #expect(after.replay.state.actionRows(today: Day(iso: "2030-01-01")!) != before.actionRows(today: Day(iso: "2030-01-01")!))

        // Between the retraction's known day and the late outturn's, the retraction counts and
        // its target does not: nothing is retracted.
        let between = PointInTime.asOf(retractionKnown)
        let inBetween = try ledger.replay(between, auditing: false, checkpoints: Self.readOnly)
        #expect(inBetween.replay.state.retractionSeqs.contains(r4) && inBetween.replay.state.retracted[late] == nil)

        let ids = h.ids + ["x", "y", "z", "w"]
        let days = [retractionKnown, Day(iso: "2013-05-31")!, Day(iso: "2013-06-01")!, lateKnown]
        let points = Self.someReferences.map(\.point) + days.map { .asOf($0) } + [.recorded(Day(iso: "2040-01-01")!)]
        // References from the same log read without checkpoints (so nothing may be written meanwhile).
        let references = try Self.references(at: path, ids: ids, points: points)
        #expect(try Self.checkpoint(path)?.covers.seq == h.count)
        try Self.expectSame(path, ids: ids, as: references, label: "retractions after the checkpoint")
    }

    // MARK: - Events of unknown types

    static let historyWithUnknown = encode(unknownAt: [3, 300, 520])

    @Test func eventsOfAnUnknownTypeBeforeTheCheckpointAreCountedNow() throws {
        let h = Self.historyWithUnknown
        #expect(h.seqs(ofType: "future.kind") == [3, 300, 520])
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: 400, in: scratch)
        let ledger = try Ledger(path: path)
        let with = try ledger.replay(.now, auditing: false, checkpoints: Self.readOnly)
        let without = try ledger.replay(.now, auditing: false, checkpoints: Self.off)
        #expect(with.replay.state.deferredIDs != nil)
        #expect(without.unknownEvents == 3)
        #expect(with.unknownEvents == 3)
        let found = Self.differences(with, without, ids: h.ids)
        #expect(found.isEmpty, "\(found)")
    }

    /// The same, at every point in time: a point that leaves an unknown event out must count it
    /// as a replay without checkpoints does (there, as skipped — judged from its envelope — or not
    /// at all once a seal or a recorded day has stopped the replay).
    @Test func eventsOfAnUnknownTypeBeforeTheCheckpointAreCountedAtEveryPoint() throws {
        let h = Self.historyWithUnknown
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: 400, in: scratch)
        let ledger = try Ledger(path: path)
        let boards = try Self.boards(h)
        for point in Self.points(h, boards: boards) {
            let with = try ledger.replay(point, auditing: false, checkpoints: Self.readOnly)
            let without = try ledger.replay(point, auditing: false, checkpoints: Self.off)
            #expect(with.unknownEvents == without.unknownEvents && with.replay.skipped == without.replay.skipped,
                    "\(point): unknownEvents \(with.unknownEvents) vs \(without.unknownEvents), skipped \(with.replay.skipped) vs \(without.replay.skipped)")
            // Counts included: events read, as well as unknown and skipped.
            let found = Fingerprint(with, ids: h.ids).differences(from: Fingerprint(without, ids: h.ids))
            #expect(found.isEmpty, "\(point): \(found)")
        }
    }

    /// A replay that writes a checkpoint decodes every line (no point in time judging from the
    /// envelope); it must still judge an event of an unknown type by its envelope, as a replay
    /// that does not write one does: the same counts, the same answers.
    @Test func aReplayThatWritesACheckpointCountsUnknownEventsAsOneThatDoesNot() throws {
        let h = Self.historyWithUnknown
        let scratch = try Scratch()
        let boards = try Self.boards(h)
        for (n, point) in Self.points(h, boards: boards).enumerated() where n % 3 == 0 {
            let path = scratch.path("l\(n).jsonl")
            try Self.write(h.bytes, to: path)
            let ledger = try Ledger(path: path)
            let without = try ledger.replay(point, auditing: false, checkpoints: Self.off)
            let writing = try ledger.replay(point, auditing: false, checkpoints: Self.writeNow)
            #expect(try Self.checkpoint(path)?.covers.seq == h.count)
            #expect(writing.unknownEvents == without.unknownEvents && writing.replay.skipped == without.replay.skipped,
                    "\(point): unknownEvents \(writing.unknownEvents) vs \(without.unknownEvents), skipped \(writing.replay.skipped) vs \(without.replay.skipped)")
            let found = Self.differences(writing, without, ids: h.ids)
            #expect(found.isEmpty, "\(point), the writing replay: \(found)")
        }
        #expect(Self.points(h, boards: boards).enumerated().contains { $0.offset % 3 == 0 && $0.element != .now }, "no point in time among those written at")
    }

    // MARK: - The body as documented

    /// The body of a checkpoint is as ``StateCheckpoint`` documents it: seven sections (events
    /// of unknown types, strings, outturns, their index, other events that validation reads,
    /// action updates and boards, ids), their counts and lengths in a table first; the unknown events with their
    /// envelopes; the outturns sorted by area, indicator, period and seq, and their index; the
    /// other events in each of their sections in runs of one partnership, each run in seq order,
    /// each event with its envelope, what it retracts in the whole log, its type's index and its
    /// line; every known event's id. Its stamp names the format and carries the body's checksum.
    @Test func theBodyIsAsDocumented() throws {
        let h = Self.historyWithUnknown
        let k = 560
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: k, in: scratch)
        let file = try Self.checkpointFile(path)
        let layout = try BodyLayout(file)
        let words = String(decoding: file[..<(layout.bodyStart - 1)], as: UTF8.self).split(separator: " ")
        #expect(words.count == 7 && words[1] == "ledger-state-13" && words[1] == StateCheckpoint.format)
        #expect(words.last.map(String.init) == "sum=" + Self.sum(of: file[layout.bodyStart...]))

        let unknownSeqs = (1...k).filter { h.types[$0] == "future.kind" }
        let outturnSeqs = (1...k).filter { h.types[$0] == "outturn.recorded" }
        let otherSeqs = (1...k).filter { h.types[$0] != "future.kind" && h.types[$0] != "outturn.recorded" }
        #expect(unknownSeqs == [3, 300, 520])
        #expect(layout.unknownCount == unknownSeqs.count && layout.outturnCount == outturnSeqs.count)
        #expect(layout.otherEvents.count == otherSeqs.count && layout.idEntries.count == outturnSeqs.count + otherSeqs.count)
        #expect(layout.unknownEnvelopes.map(\.seq) == unknownSeqs)
        #expect(layout.unknownEnvelopes.map(\.known) == unknownSeqs.map { BodyLayout.packed(h.known[$0]) })

        // Outturns: every one, sorted by (area, indicator, period, seq).
        let records = (0..<layout.outturnCount).map { layout.outturnKey($0) }
        #expect(Set(records.map(\.seq)) == Set(outturnSeqs) && records.count == outturnSeqs.count)
        let sorted = records.sorted { ($0.area, $0.indicator, $0.first, $0.last, $0.seq) < ($1.area, $1.indicator, $1.first, $1.last, $1.seq) }
        #expect(records.map(\.seq) == sorted.map(\.seq), "the outturn records are not sorted by area, indicator, period and seq")
        #expect(zip(records, records.dropFirst()).contains { $0.seq > $1.seq }, "sorted by seq alone: the sort is not exercised")
        for record in records.prefix(50) { #expect(record.known == BodyLayout.packed(h.known[record.seq]), "outturn \(record.seq): known day") }

        // The index: the partnerships registered;
        let registered = try (1...k).filter { h.types[$0] == "partnership.registered" }.map { seq in
            let line = try JSONSerialization.jsonObject(with: Data(h.bytes[h.ends[seq - 1]..<(h.ends[seq] - 1)])) as! [String: Any]
            return (line["data"] as! [String: Any])["partnership"] as! String
        }
        #expect(registered.count >= 2)
        #expect(layout.indexPartnerships == Set(registered.map { layout.stringTable.firstIndex(of: $0)! }).sorted())
        // each series' records, in order; per known day, how many and the latest;
        // per recorded day, the first seq recorded then or later; the records retractions name;
        // which seqs are outturns.
        var series: [(area: Int, indicator: Int, first: Int, count: Int)] = []
        for (i, r) in records.enumerated() {
            if let last = series.last, last.area == Int(r.area), last.indicator == Int(r.indicator) { series[series.count - 1].count += 1 } else {
                series.append((Int(r.area), Int(r.indicator), i, 1))
            }
        }
        #expect(layout.indexSeries.map { [$0.area, $0.indicator, $0.first, $0.count] } == series.map { [$0.area, $0.indicator, $0.first, $0.count] })
        let knownDays = Set(outturnSeqs.map { BodyLayout.packed(h.known[$0]) }).sorted()
        #expect(layout.indexKnownDays.map { [$0.day, $0.count, $0.lastSeq] } == knownDays.map { day in
            let seqs = outturnSeqs.filter { BodyLayout.packed(h.known[$0]) == day }
            return [day, seqs.count, seqs.max()!]
        })
        #expect(knownDays.count > 10)
        let recordedDay = { (seq: Int) in BodyLayout.packed(h.recordedDay[seq]) }
        let recordedDays = Set(outturnSeqs.map(recordedDay)).sorted()
        #expect(layout.indexRecordedDays.map { [$0.day, $0.firstSeq] } == recordedDays.map { day in
            [day, outturnSeqs.first { recordedDay($0) >= day }!]
        })
        // (the events retractions name: outturns and others)
        let retractedEvents = Set(h.retractions.filter { $0.key <= k }.values).intersection(outturnSeqs + otherSeqs).sorted()
        #expect(retractedEvents.contains { h.types[$0] == "outturn.recorded" } && retractedEvents.contains { h.types[$0] != "outturn.recorded" })
        #expect(layout.indexRetracted.map { [$0.seq, $0.known, $0.recorded] } == retractedEvents.map {
            [$0, BodyLayout.packed(h.known[$0]), recordedDay($0)]
        })
        #expect((0..<layout.indexWords.count * 64).filter { layout.indexWords[$0 / 64] >> UInt64($0 % 64) & 1 == 1 } == outturnSeqs)

        // Other events: in seq order in each section — action updates and boards in the second —
        // each with its type, its line, what it retracts.
        let isUpdate = { (seq: Int) in ["action.updated", "board.held"].contains(h.types[seq]) }
        #expect(layout.otherEvents.prefix(layout.firstSectionCount).map(\.seq).sorted() == otherSeqs.filter { !isUpdate($0) })
        #expect(layout.otherEvents.dropFirst(layout.firstSectionCount).map(\.seq).sorted() == otherSeqs.filter(isUpdate))
        // … in runs of one partnership each (none last), each in seq order, as the index lists
        // them, with each event's envelope, subject and partnership.
        var position = 0
        for group in layout.indexGroups {
            let section = group.inUpdates ? layout.updates : layout.others
            let run = layout.otherEvents.filter { $0.at >= section.bytes.lowerBound + group.start && $0.at < section.bytes.lowerBound + group.start + group.length }
            #expect(run.count == group.count && run.allSatisfy { Int($0.partnership) == group.partnership })
            #expect(run.map(\.seq) == run.map(\.seq).sorted(), "a run out of seq order")
            let envelopes = layout.indexOtherEnvelopes[position..<position + group.count]
            #expect(envelopes.map { [$0.seq, $0.known, $0.subject, $0.retracting, $0.partnership] }
                    == run.map { [$0.seq, $0.known, Int($0.subject), $0.target ?? -1, Int($0.partnership)] })
            #expect(envelopes.allSatisfy { $0.recorded == BodyLayout.packed(h.recordedDay[$0.seq]) })
            position += group.count
        }
        #expect(position == layout.otherEvents.count && layout.indexGroups.filter { !$0.inUpdates }.count > 2)
        for inUpdates in [false, true] {
            let tags = layout.indexGroups.filter { $0.inUpdates == inUpdates }.map(\.partnership)
            #expect(tags == tags.sorted() && Set(tags).count == tags.count, "one run per partnership, by string index, none (0xFFFFFFFF) last")
        }
        #expect(layout.otherEvents.prefix(layout.firstSectionCount).map(\.seq) != otherSeqs.filter { !isUpdate($0) }, "in seq order: the runs are not exercised")
        #expect(otherSeqs.contains { h.types[$0] == "action.updated" } && otherSeqs.contains { h.types[$0] == "board.held" }
                && otherSeqs.contains { !isUpdate($0) }, "the history does not fill both sections")
        for other in layout.otherEvents {
            #expect(other.type == DomainEvent.typeNames.firstIndex(of: h.types[other.seq]), "seq \(other.seq): type index")
            let line = Array(h.bytes[h.ends[other.seq - 1]..<(h.ends[other.seq] - 1)])
            #expect(Array(file[other.line]) == line, "seq \(other.seq): the kept line is not the log's")
            #expect(other.known == BodyLayout.packed(h.known[other.seq]))
            if h.types[other.seq] == "event.retracted" {
                #expect(other.target == h.retractions[other.seq], "retraction \(other.seq): retracts \(other.target.map(String.init) ?? "nothing"), the log \(h.retractions[other.seq].map(String.init) ?? "nothing")")
            } else {
                #expect(other.target == nil)
            }
        }
        #expect(layout.otherEvents.contains { $0.target != nil && h.retractionsBySeq.contains($0.seq) })

        // A target's, an action's or a baseline's events name it, and the partnership whose views
        // alone read them (none for an id two partnerships have used), as a plan's, a priority's
        // and a board's name their partnership; no other event names either.
        var owner: [String: String] = [:] // "target:<id>", "action:<id>" or "baseline:<id>" → partnership
        var tagged = 0
        for other in layout.otherEvents.sorted(by: { $0.seq < $1.seq }) where h.types[other.seq] != "event.retracted" {
            let line = try JSONSerialization.jsonObject(with: Data(file[other.line])) as! [String: Any]
            let data = line["data"] as! [String: Any]
            let type = h.types[other.seq]
            let subject: String? = switch type {
            case "target.set", "target.revised", "target.withdrawn": "target:\(data["target"]!)"
            case "action.created", "action.updated": "action:\(data["action"]!)"
            case "baseline.set": "baseline:\(data["baseline"]!)"
            default: nil
            }
            if let subject, let partnership = data["partnership"] as? String { owner[subject] = partnership }
            let ownIDs = ["board.held", "plan.adopted", "plan.revised", "priority.set", "priority.retired"]
            let expected = subject.flatMap { owner[$0] } ?? (ownIDs.contains(type) ? data["partnership"] as? String : nil)
            #expect(other.partnership == (expected.flatMap { layout.stringTable.firstIndex(of: $0) }.map(UInt32.init) ?? 0xFFFF_FFFF),
                    "seq \(other.seq) (\(type)): partnership \(other.partnership), expected \(expected ?? "none")")
            #expect(other.subject == (subject.flatMap { layout.stringTable.firstIndex(of: $0) }.map(UInt32.init) ?? 0xFFFF_FFFF),
                    "seq \(other.seq) (\(type)): subject \(other.subject), expected \(subject ?? "none")")
            if expected != nil { tagged += 1 }
        }
        #expect(tagged > 100 && layout.otherEvents.contains { $0.partnership == 0xFFFF_FFFF })
        // An indicator's definition names its indicator; a target's events, the indicator its
        // settings name (none for an id set for two); no other event names one.
        var indicatorsOfTarget: [String: Set<String>] = [:]
        var lines: [Int: [String: Any]] = [:]
        for other in layout.otherEvents {
            let data = (try JSONSerialization.jsonObject(with: Data(file[other.line])) as! [String: Any])["data"] as! [String: Any]
            lines[other.seq] = data
            if h.types[other.seq] == "target.set" { indicatorsOfTarget["\(data["target"]!)", default: []].insert("\(data["indicator"]!)") }
        }
        var (definitions, targetEvents) = (0, 0)
        for other in layout.otherEvents {
            let data = lines[other.seq]!
            let expected: String? = switch h.types[other.seq] {
            case "indicator.defined": "\(data["indicator"]!)"
            case "target.set", "target.revised", "target.withdrawn":
                indicatorsOfTarget["\(data["target"]!)"].flatMap { $0.count == 1 ? $0.first : nil }
            default: nil
            }
            #expect(other.indicator == (expected.flatMap { layout.stringTable.firstIndex(of: $0) }.map(UInt32.init) ?? 0xFFFF_FFFF),
                    "seq \(other.seq) (\(h.types[other.seq])): indicator \(other.indicator), expected \(expected ?? "none")")
            if expected != nil { h.types[other.seq] == "indicator.defined" ? (definitions += 1) : (targetEvents += 1) }
        }
        #expect(definitions > 5 && targetEvents > 20, "\(definitions) definitions, \(targetEvents) targets' events tagged")
        // A retraction names the partnership of what it retracts: an outturn of a partnership's,
        // or an event that names one.
        let registeredIndices = Set(layout.indexPartnerships)
        let areaOf = Dictionary(uniqueKeysWithValues: records.map { ($0.seq, Int($0.area)) })
        let tagOf = Dictionary(uniqueKeysWithValues: layout.otherEvents.map { ($0.seq, $0.partnership) })
        var retractionsTagged = 0
        for other in layout.otherEvents where h.types[other.seq] == "event.retracted" {
            let target = other.target ?? 0
            let expected: UInt32 = target == 0 ? 0xFFFF_FFFF
                : h.types[target] == "outturn.recorded" ? areaOf[target].map { registeredIndices.contains($0) ? UInt32($0) : 0xFFFF_FFFF } ?? 0xFFFF_FFFF
                : tagOf[target] ?? 0xFFFF_FFFF
            #expect(other.partnership == expected, "retraction \(other.seq) of \(target)")
            if expected != 0xFFFF_FFFF { retractionsTagged += 1 }
        }
        #expect(retractionsTagged > 5)

        // The other events, counted by known day; their retractions, each with its partnership;
        // and each partnership's subjects, by fingerprint, with when a point first counts one.
        let otherDays = Set(otherSeqs.map { BodyLayout.packed(h.known[$0]) }).sorted()
        #expect(layout.indexOtherKnownDays.map { [$0.day, $0.count, $0.lastSeq] } == otherDays.map { day in
            let seqs = otherSeqs.filter { BodyLayout.packed(h.known[$0]) == day }
            return [day, seqs.count, seqs.max()!]
        })
        let retractions = layout.otherEvents.filter { h.types[$0.seq] == "event.retracted" }.sorted { $0.seq < $1.seq }
        #expect(layout.indexRetractions.map { [$0.seq, $0.known, $0.recorded, $0.target, $0.partnership] }
                == retractions.map { [$0.seq, $0.known, BodyLayout.packed(h.recordedDay[$0.seq]), $0.target ?? -1, Int($0.partnership)] })
        var subjects: [[Int]: (firstSeq: Int, leastKnown: Int)] = [:] // [partnership, string] →
        for other in layout.otherEvents where h.types[other.seq] != "event.retracted" && other.partnership != 0xFFFF_FFFF && other.subject != 0xFFFF_FFFF {
            let key = [Int(other.partnership), Int(other.subject)]
            let seen = subjects[key] ?? (Int.max, Int.max)
            subjects[key] = (min(seen.firstSeq, other.seq), min(seen.leastKnown, other.known))
        }
        #expect(subjects.count > 20 && subjects.count == layout.indexSubjects.count)
        for entry in layout.indexSubjects {
            let subject = layout.stringTable[entry.string]
            let expected = SubjectSet.Fingerprint(high: entry.high, low: entry.low)
            let fingerprint = Array(subject.utf8).withUnsafeBytes { SubjectSet.fingerprint(utf8: $0) }
            #expect(fingerprint ?? .none == expected, "\(subject): fingerprint")
            #expect(SubjectSet(sorted: [expected]).mayContain(subject), "\(subject)")
            let seen = subjects[[entry.partnership, entry.string]]
            #expect(seen.map { [$0.firstSeq, $0.leastKnown] } == [entry.firstSeq, entry.leastKnown], "\(subject) of \(layout.stringTable[entry.partnership])")
            #expect(entry.firstRecorded == BodyLayout.packed(h.recordedDay[entry.firstSeq]))
        }
        let fingerprints = layout.indexSubjects.map { SubjectSet.Fingerprint(high: $0.high, low: $0.low) }
        #expect(fingerprints == fingerprints.sorted(), "subjects by fingerprint")

        // Ids: every known event's, in seq order.
        #expect(layout.idEntries.map(\.seq) == (outturnSeqs + otherSeqs).sorted())
        #expect(layout.idEntries.allSatisfy { String(decoding: file[$0.id], as: UTF8.self) == h.ids[$0.seq] })
    }

    // MARK: - Boards found through a checkpoint

    /// Finding a board reads the checkpoint's boards and retractions, then the lines after it:
    /// every board's seal is the one found without a checkpoint, wherever the checkpoint is.
    @Test func everyBoardsSealIsFoundThroughACheckpointAsWithout() throws {
        let h = Self.history
        let names = Array(Set(Self.boardsOfHistory.map(\.board.board))).sorted()
        let retractedBoards = h.retractions.values.filter { h.types[$0] == "board.held" }
        #expect(names.count >= 2)
        let scratch = try Scratch()
        for cover in [Cover.early, .middle, .aBoard, .head] {
            let k = cover.seq(in: h)
            let path = try Self.log(h, checkpointAt: k, in: scratch, name: "\(cover).jsonl")
            let with = try Ledger(path: path)
            with.checkpoints = Self.readOnly
            let without = try Ledger(path: path)
            without.checkpoints = Self.off
            for name in names {
                let dates = Self.boardsOfHistory.filter { $0.board.board == name }.map(\.board.date.description)
                // For any partnership, for the board's own, and for one that has no board of that name
                // (through a checkpoint, the others' boards are not even decoded).
                let partnerships = [nil] + Array(Set(Self.boardsOfHistory.map(\.board.partnership))).sorted().map(Optional.some)
                for date in [nil] + dates.map(Optional.some) {
                    for partnership in partnerships {
                        let a = try? with.boardSeal(name, date: date, partnership: partnership)
                        let b = try? without.boardSeal(name, date: date, partnership: partnership)
                        #expect(a == b, "checkpoint at \(k) (\(cover)): board \(name) \(date ?? "latest") of \(partnership ?? "any"): \(String(describing: a)) vs \(String(describing: b))")
                    }
                }
            }
        }
        #expect(Set(Self.boardsOfHistory.map(\.board.partnership)).count >= 2, "boards of one partnership: leaving out the others' is not exercised")
        // A board retracted (by id) before the middle checkpoint is among those compared.
        #expect(retractedBoards.contains { $0 <= Cover.middle.seq(in: h) }, "no board retracted before the middle: the checkpoint's retractions of boards are not exercised")
    }

    // MARK: - A checkpoint that must be ignored

    enum Damage: String, CaseIterable, Sendable {
        // The stamp, or the file as a whole: the log refuses it.
        case truncatedBody, truncatedInTheStamp, emptyFile, garbageFirstLine, noNewline, wrongFormat
        case hashOfAnotherEvent, seqOfAnotherEvent, endOfTheLineBefore, endInsideALine, lengthTooLong
        case fromALongerLog, fromAnotherLog
        // The body, its checksum left as it was: the log refuses it.
        case bodyValueFlipped, bodyTrailingByte
        // The body with its checksum worked out again: the log accepts it, and the body's own
        // checks must find it out (defence in depth).
        case checkedValueKind, checkedStringIndex, checkedLineBroken, checkedLastSectionTooLong, checkedTrailingByte
        case checkedUnknownCountWithoutBytes, checkedOutturnSeqPastTheCheckpoint, checkedOtherSeqZero
        case checkedRetractionTargetPastTheCheckpoint, checkedKnownDayNotADay, checkedIDSeqPastTheCheckpoint
        case checkedKindInTheWrongSection

        /// Refused by the log (the file, the stamp or the checksum).
        var isRefusedByTheLog: Bool { !rawValue.hasPrefix("checked") }
    }

    /// The checkpoint file with the middle event of its first section of other events moved into
    /// the second, where its seq puts it, and both sections' counts and lengths set to match.
    static func movedToTheSecondSection(_ file: [UInt8], _ layout: BodyLayout) throws -> [UInt8] {
        let moved = layout.otherEvents[layout.firstSectionCount / 2]
        let bytes = Array(file[moved.at..<moved.line.upperBound])
        let second = layout.otherEvents.dropFirst(layout.firstSectionCount)
        let insertAt = second.first { $0.seq > moved.seq }?.at ?? layout.updates.bytes.upperBound
        // The table of counts and lengths, the two sections' entries set to match; then the sections.
        var out = Array(file[..<layout.others.countAt])
        func entry(_ count: Int, _ length: Int) { for value in [count, length] { out += withUnsafeBytes(of: Int64(value).littleEndian, Array.init) } }
        entry(layout.firstSectionCount - 1, layout.others.bytes.count - bytes.count)
        entry(second.count + 1, layout.updates.bytes.count + bytes.count)
        out += file[layout.ids.countAt..<layout.others.bytes.lowerBound]
        out += file[layout.others.bytes.lowerBound..<moved.at] + file[moved.line.upperBound..<layout.others.bytes.upperBound]
        out += file[layout.updates.bytes.lowerBound..<insertAt] + bytes + file[insertAt..<layout.updates.bytes.upperBound]
        out += file[layout.ids.bytes]
        let check = try BodyLayout(resum(out))
        #expect(check.firstSectionCount == layout.firstSectionCount - 1 && check.otherEvents.count == layout.otherEvents.count)
        return out
    }

    /// The checkpoint file with its stamp's fields edited (the stamp's seven words kept in order).
    static func restamp(_ file: [UInt8], _ edit: (inout [String: String]) -> Void) -> [UInt8] {
        let newline = file.firstIndex(of: 0x0A)!
        let words = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        var fields: [String: String] = [:]
        for word in words.dropFirst(2) {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            fields[parts[0]] = parts[1]
        }
        edit(&fields)
        let stamp = "\(words[0]) \(words[1]) seq=\(fields["seq"]!) end=\(fields["end"]!) hash=\(fields["hash"]!) length=\(fields["length"]!) sum=\(fields["sum"]!)"
        return Array(stamp.utf8) + file[newline...]
    }

    /// The stamp's `sum=` for a body: its XXH64 checksum, 16 hex digits.
    static func sum(of body: some Collection<UInt8>) -> String {
        let hex = String(Array(body).withUnsafeBytes { XXH64.checksum($0) }, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The checkpoint file with its length and checksum worked out again for the body it has
    /// now: the log accepts it whatever the body says.
    static func resum(_ file: [UInt8]) -> [UInt8] {
        let body = file[(file.firstIndex(of: 0x0A)! + 1)...]
        return restamp(file) { $0["length"] = "\(body.count)"; $0["sum"] = sum(of: body) }
    }

    static func setInt64(_ file: inout [UInt8], at offset: Int, _ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { file.replaceSubrange(offset..<offset + 8, with: $0) }
    }

    static func setInt32(_ file: inout [UInt8], at offset: Int, _ value: Int32) {
        withUnsafeBytes(of: value.littleEndian) { file.replaceSubrange(offset..<offset + 4, with: $0) }
    }

    @Test(arguments: Damage.allCases)
    func aCheckpointThatCannotBeTrustedIsIgnoredAndRebuilt(_ damage: Damage) throws {
        let h = Self.history
        let k = h.count / 2
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: k, in: scratch)
        let file = try Self.checkpointFile(path)
        let layout = try BodyLayout(file)
        let log = try Log(path: path)
        var damaged = file
        let middleOther = layout.otherEvents[layout.otherEvents.count / 2]
        switch damage {
        case .truncatedBody: damaged.removeLast(1)
        case .truncatedInTheStamp: damaged = Array(file[..<30])
        case .emptyFile: damaged = []
        case .garbageFirstLine: damaged = Array("not a checkpoint at all\n".utf8) + file[layout.bodyStart...]
        case .noNewline: damaged = Array(file[..<(layout.bodyStart - 1)])
        case .wrongFormat: damaged = Array(String(decoding: file[..<layout.bodyStart], as: UTF8.self)
            .replacingOccurrences(of: "ledger-state-13", with: "ledger-state-4").utf8) + file[layout.bodyStart...]
        case .hashOfAnotherEvent:
            let other = try log.head(upTo: h.ends[k - 1]).hash.hex
            damaged = Self.restamp(file) { $0["hash"] = other }
        case .seqOfAnotherEvent: damaged = Self.restamp(file) { $0["seq"] = "\(k - 1)" }
        case .endOfTheLineBefore: damaged = Self.restamp(file) { $0["end"] = "\(h.ends[k - 1])" }
        case .endInsideALine: damaged = Self.restamp(file) { $0["end"] = "\(h.ends[k] - 20)" }
        case .lengthTooLong: damaged = Self.restamp(file) { $0["length"] = "\(file.count - layout.bodyStart + 1)" }
        case .fromALongerLog:
            // The log is cut back to an earlier seq (restored from a backup): the checkpoint is past its end.
            try Self.write(h.prefix(k - 5), to: path)
        case .fromAnotherLog:
            let other = Self.encode(seed: 3)
            let otherPath = try Self.log(other, checkpointAt: min(other.count, h.count) - 3, in: scratch, name: "other.jsonl")
            damaged = try Self.checkpointFile(otherPath)
        case .bodyValueFlipped: damaged[layout.outturnRecord(layout.outturnCount - 1) + 46] ^= 0x10
        case .bodyTrailingByte: damaged = Self.restamp(file) { $0["length"] = "\(file.count - layout.bodyStart + 1)" } + [0]
        case .checkedValueKind: damaged[layout.outturnRecord(0) + 32] = 9
        case .checkedStringIndex: damaged.replaceSubrange(layout.outturnRecord(0) + 16..<layout.outturnRecord(0) + 20, with: [0xF0, 0xFF, 0xFF, 0x7F])
        case .checkedLineBroken: damaged[middleOther.line.lowerBound] = UInt8(ascii: "X")
        case .checkedLastSectionTooLong: damaged[layout.ids.lengthAt] &+= 1
        case .checkedTrailingByte: damaged.append(0)
        case .checkedUnknownCountWithoutBytes:
            #expect(layout.unknownCount == 0 && layout.unknowns.bytes.isEmpty)
            Self.setInt64(&damaged, at: layout.unknowns.countAt, 1)
        case .checkedOutturnSeqPastTheCheckpoint: Self.setInt64(&damaged, at: layout.outturnRecord(layout.outturnCount / 2), Int64(k + 1))
        case .checkedOtherSeqZero: Self.setInt64(&damaged, at: middleOther.seqAt, 0)
        case .checkedRetractionTargetPastTheCheckpoint:
            let retraction = try #require(layout.otherEvents.first { $0.target != nil })
            Self.setInt64(&damaged, at: retraction.targetAt, Int64(k + 1))
        case .checkedKnownDayNotADay: Self.setInt32(&damaged, at: middleOther.knownAt, 2015_02_31)
        case .checkedIDSeqPastTheCheckpoint:
            Self.setInt64(&damaged, at: layout.idEntries[layout.idEntries.count / 2].seqAt, Int64(k + 1))
        case .checkedKindInTheWrongSection:
            // An event validation reads, moved (whole, in seq order) into the section of action
            // updates and boards, which an append's validation never reads: it would miss it.
            damaged = try Self.movedToTheSecondSection(file, layout)
        }
        if damage.rawValue.hasPrefix("checked") { damaged = Self.resum(damaged) }
        if damage != .fromALongerLog { try Self.write(damaged, to: path + ".ckpt") }
        if damage.isRefusedByTheLog {
            #expect(try Self.checkpoint(path) == nil, "\(damage): the log should refuse the checkpoint")
        } else {
            #expect(try Self.checkpoint(path) != nil, "\(damage): with its checksum worked out again, the log should accept it (else the body's checks are not tested)")
        }

        let head = damage == .fromALongerLog ? k - 5 : h.count
        let references = damage == .fromALongerLog
            ? try Self.references(at: path, ids: h.ids, points: Self.fewReferences.map(\.point))
            : Self.fewReferences
        // Ignored (a damaged body is found out at the latest when a replay of now reads it all).
        try Self.expectSame(path, ids: h.ids, as: references, label: "\(damage)", checkpointIsRead: damage.isRefusedByTheLog ? false : nil)
        let now = try Ledger(path: path).replay(.now, auditing: false, checkpoints: Self.readOnly)
        // (Damaged ids are found only when a retraction names one; the ids are then read from the log.)
        #expect(now.replay.state.deferredIDs == nil || damage == .checkedIDSeqPastTheCheckpoint,
                "\(damage): the damaged checkpoint was used by a replay of now")
        // A replay whose policy writes replaces it with a good one.
        _ = try Ledger(path: path).replay(.now, auditing: false, checkpoints: Self.writeNow)
        #expect(try Self.checkpoint(path)?.covers.seq == head, "\(damage): the checkpoint should be rebuilt")
        if damage != .fromALongerLog {
            let whole = scratch.path("whole.jsonl")
            try Self.write(h.bytes, to: whole)
            _ = try Ledger(path: whole).replay(.now, auditing: false, checkpoints: Self.writeNow)
            #expect(try Self.body(path) == Self.body(whole), "\(damage): the rebuilt body differs from one built from seq 1")
        }
        try Self.expectSame(path, ids: h.ids, as: references, label: "\(damage), rebuilt")
        // Written through a temporary file renamed over it: nothing else is left beside the log.
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.contains("tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    // MARK: - A body with a flipped byte that would still parse

    enum Flip: String, CaseIterable, Sendable {
        /// A byte of the value of the last outturn the checkpoint keeps.
        case outturnValue
        /// The last outturn's known day, one day later (a valid day).
        case outturnKnownDay
        /// A digit inside a kept line (another event's number).
        case digitInAKeptLine
        /// The seq a kept retraction retracts, pointed at another applied event.
        case retractionTarget
        /// The seq of an id (another seq the checkpoint covers).
        case idSeq
    }

    /// A flipped byte that leaves the body well-formed would be read as if it were the log
    /// (with its checksum worked out again, it is: the answer changes). The checksum refuses
    /// it: no replay reads it, and every answer is the log's.
    @Test(arguments: Flip.allCases)
    func aFlippedByteIsRefusedAndChangesNoAnswer(_ flip: Flip) throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: h.count, in: scratch)
        var file = try Self.checkpointFile(path)
        let layout = try BodyLayout(file)
        switch flip {
        case .outturnValue: file[layout.outturnRecord(layout.outturnCount - 1) + 46] ^= 0x10
        case .outturnKnownDay: file[layout.outturnRecord(layout.outturnCount - 1) + 8] &+= 1
        case .digitInAKeptLine:
            // The first digit of the first `"value":` number in a kept line (a baseline's or a target's).
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            let key = Array("\"value\":".utf8)
            let offset = layout.otherEvents.lazy.compactMap { other -> Int? in
                let line = Array(file[other.line])
                guard let at = (0...(line.count - key.count)).first(where: { line[$0..<$0 + key.count].elementsEqual(key) }),
                      digits.contains(line[at + key.count]) else { return nil }
                return other.line.lowerBound + at + key.count
            }.first!
            file[offset] = file[offset] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        case .retractionTarget:
            let entry = layout.otherEvents.first { $0.target != nil && h.types[$0.target!] == "outturn.recorded" }!
            file[entry.targetAt] ^= 0x01
        case .idSeq:
            // Another outturn's seq for an outturn's id, so a retraction by that id would retract the other.
            let entry = layout.idEntries.first { h.types[$0.seq] == "outturn.recorded" && !h.retractions.values.contains($0.seq) && h.types[$0.seq ^ 1] == "outturn.recorded" }!
            file[entry.seqAt] ^= 0x01
        }
        try Self.write(file, to: path + ".ckpt")
        #expect(try Self.checkpoint(path) == nil, "\(flip): the log should refuse a body that is not the one it was written with")
        try Self.expectSameAsHistory(path, Self.fewReferences, label: "\(flip)", checkpointIsRead: false)

        // The same body with its checksum worked out again is read, and says something else
        // (the flip matters: without the checksum it would change an answer).
        try Self.write(Self.resum(file), to: path + ".ckpt")
        let ledger = try Ledger(path: path)
        let now = try #require(Self.historyReferences.first { $0.point == .now })
        let read = try ledger.replay(.now, auditing: false, checkpoints: Self.readOnly)
        if flip == .idSeq {
            // Ids must come in rising seq order: this one is caught by the structure behind the checksum too,
            // when a retraction first names an id — and the ids are then read from the log, so no answer changes.
            #expect(Fingerprint(read, ids: h.ids).differences(from: now.off).isEmpty, "\(flip)")
            return
        }
        #expect(read.replay.state.deferredIDs != nil, "\(flip): with its checksum, the edited body should be read")
        #expect(!Fingerprint(read, ids: h.ids).differences(from: now.off).isEmpty, "\(flip): the edited body changes no answer: the flip is not tested")
    }

    // MARK: - A body whose checksum holds but whose structure does not

    enum Crash: String, CaseIterable, Sendable, Codable {
        /// The top byte of the unknown events' count.
        case unknownCountTopByte
        /// The top byte of the strings' count (a count of 2^56).
        case stringCountTopByte
        /// The top byte of one string's length.
        case stringLengthTopByte
        /// The top byte of the outturns' count (count × 64 overflows).
        case outturnCountTopByte
        /// The strings section one byte longer: every later section read one byte off.
        case stringsSectionOneByteLonger
        /// The sign bit of an outturn's seq.
        case outturnSeqSignBit
        /// A high byte of an outturn's seq (a seq near 2^48).
        case outturnSeqHighByte
        /// The sign bit of an other event's seq.
        case otherSeqSignBit
        /// The sign bit of what a retraction retracts (a negative seq other than "none").
        case retractionTargetSignBit
        /// The top byte of a kept line's length.
        case lineLengthTopByte
        /// The top byte of the ids' count: read only when a later retraction names an id.
        case idCountTopByte
        /// The top byte of one id's length.
        case idLengthTopByte
        /// The sign bit of one id's seq.
        case idSeqSignBit
    }

    /// The checkpoint file with `crash` done to it, its checksum worked out again.
    static func damaged(_ file: [UInt8], _ crash: Crash) throws -> [UInt8] {
        let layout = try BodyLayout(file)
        var file = file
        let middleOther = layout.otherEvents[layout.otherEvents.count / 2]
        let middleID = layout.idEntries[layout.idEntries.count / 2]
        switch crash {
        case .unknownCountTopByte: file[layout.unknowns.countAt + 7] ^= 0x01
        case .stringCountTopByte: file[layout.strings.countAt + 7] ^= 0x01
        case .stringLengthTopByte: file[layout.strings.bytes.lowerBound + 3] ^= 0x40
        case .outturnCountTopByte: file[layout.outturns.countAt + 7] ^= 0x04
        case .stringsSectionOneByteLonger: file[layout.strings.lengthAt] &+= 1
        case .outturnSeqSignBit: file[layout.outturnRecord(layout.outturnCount / 2) + 7] ^= 0x80
        case .outturnSeqHighByte: file[layout.outturnRecord(layout.outturnCount / 2) + 6] ^= 0x01
        case .otherSeqSignBit: file[middleOther.seqAt + 7] ^= 0x80
        case .retractionTargetSignBit:
            let retraction = try #require(layout.otherEvents.first { $0.target != nil })
            file[retraction.targetAt + 7] ^= 0x80
        case .lineLengthTopByte: file[middleOther.lengthAt + 3] ^= 0x40
        case .idCountTopByte: file[layout.ids.countAt + 7] ^= 0x01
        case .idLengthTopByte: file[middleID.lengthAt + 3] ^= 0x40
        case .idSeqSignBit: file[middleID.seqAt + 7] ^= 0x80
        }
        return resum(file)
    }

    /// Replays, through a checkpoint damaged by `crash` (its checksum worked out again), in
    /// this process: for an exit test. Says on standard error (and exits 0, so that the test
    /// can show it) if a replay read the checkpoint or answered otherwise than without it;
    /// crashes if the reader does.
    static func replayThrough(_ crash: Crash, in directory: String) throws {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(0)
        }
        let h = history
        let scratch = Scratch(borrowing: directory)
        let k = h.count / 2
        let path = try log(h, checkpointAt: k, in: scratch)
        try write(try damaged(try checkpointFile(path), crash), to: path + ".ckpt")
        guard try checkpoint(path) != nil else { fail("the log refused the checkpoint: its checksum is not worked out again") }
        // A retraction after the checkpoint naming, by id, an outturn before it: the ids are looked up.
        let target = h.seqs(ofType: "outturn.recorded").first { $0 < k && !h.retractions.values.contains($0) && !h.ids[$0].hasPrefix("e") }!
        let ledger = try Ledger(path: path)
        let line = #"{"type":"event.retracted","data":{"event":"\#(h.ids[target])","reason":"test"}}"#
        do {
            _ = try ledger.append(jsonLines: Array((line + "\n").utf8), defaults: InputDefaults(source: "tests", actor: "tests"))
        } catch {
            fail("the append of a retraction of \(h.ids[target]) (seq \(target)) failed: \(error)")
        }
        let ids = h.ids + ["x-appended"]
        var problems: [String] = []
        for point in [PointInTime.now, .asOf(h.knownDays[h.knownDays.count / 2])] {
            let with = try ledger.replay(point, auditing: false, checkpoints: readOnly)
            let without = try ledger.replay(point, auditing: false, checkpoints: off)
            let found = Fingerprint(with, ids: ids).differences(from: Fingerprint(without, ids: ids))
            if !found.isEmpty { problems.append("\(point): \(found.joined(separator: "; "))") }
            // Damaged ids are found only when the retraction names one, and are then read from the log.
            let inTheIDs = [Crash.idLengthTopByte, .idSeqSignBit, .idCountTopByte].contains(crash)
            if point == .now, with.replay.state.deferredIDs != nil, !inTheIDs { problems.append("\(point): the checkpoint was read") }
            if point == .now, without.replay.state.retracted[target] == nil { problems.append("\(point): the appended retraction retracts nothing") }
        }
        if !problems.isEmpty { fail(problems.joined(separator: " | ")) }
    }

    /// Damage that a checksum cannot see (it was worked out again over the damaged body): a
    /// wild count or length, a negative or too large seq. The checkpoint must be ignored —
    /// never crashed on, never trusted.
    @Test(arguments: Crash.allCases)
    func aBodyWithAWildCountOrSeqIsIgnoredNotCrashedOn(_ crash: Crash) async throws {
        let scratch = try Scratch()
        let directory = scratch.directory
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent], "\(crash): the replay crashed or threw") {
            [crash, directory = directory as String] in
            try CheckpointTests.replayThrough(crash, in: directory)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.isEmpty, "\(crash): \(stderr.prefix(1500))")
        withExtendedLifetime(scratch) {}
    }

    /// The same damage with the checksum left as it was: the log refuses the file before its
    /// body is read at all.
    @Test func theSameDamageWithoutItsChecksumIsRefusedByTheLog() throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: h.count / 2, in: scratch)
        let good = try Self.checkpointFile(path)
        let goodStamp = good[..<good.firstIndex(of: 0x0A)!]
        for crash in Crash.allCases {
            let damaged = try Self.damaged(good, crash)
            let body = damaged[(damaged.firstIndex(of: 0x0A)! + 1)...]
            try Self.write(Array(goodStamp) + [0x0A] + body, to: path + ".ckpt")
            #expect(try Self.checkpoint(path) == nil, "\(crash)")
        }
    }

    // MARK: - Writes only when the policy says

    /// "Writes a new checkpoint when there is none or the head is ≥ writesAfter events past
    /// it": a checkpoint at the head is not rewritten — by a replay that reads it, nor by one
    /// that audits (which reads only its stamp).
    @Test(arguments: [false, true])
    func aCheckpointAtTheHeadIsNotRewritten(auditing: Bool) throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = try Self.log(h, checkpointAt: h.count, in: scratch)
        let before = try Self.inode(path + ".ckpt")
        let ledger = try Ledger(path: path)
        for point in [PointInTime.now, .asOf(h.knownDays[h.knownDays.count / 2])] {
            _ = try ledger.replay(point, auditing: auditing, checkpoints: .init(reads: true, writesAfter: h.count / 2))
            #expect(try Self.inode(path + ".ckpt") == before, "a \(auditing ? "" : "non-")auditing replay at \(point) rewrote a checkpoint 0 events behind the head (policy: every \(h.count / 2))")
        }
    }

    @Test func theStandardPolicyWritesAfterTenThousandEventsAndOffNeverWrites() throws {
        let h = Self.history
        let scratch = try Scratch()
        let path = scratch.path("ledger.jsonl")
        try Self.write(h.bytes, to: path)
        let ledger = try Ledger(path: path)
        #expect(ledger.checkpoints == .standard)
        #expect(Ledger.CheckpointPolicy.standard == .init(reads: true, writesAfter: 10_000))
        #expect(Ledger.CheckpointPolicy.off == .init(reads: false, writesAfter: nil))
        _ = try ledger.replay(.now, auditing: false)
        _ = try ledger.replay(.now, auditing: true)
        #expect(!FileManager.default.fileExists(atPath: path + ".ckpt"), "fewer than 10,000 events: no checkpoint")
        ledger.checkpoints = .init(reads: true, writesAfter: h.count)
        _ = try ledger.replay(.asOf(h.knownDays[3]), auditing: false)
        #expect(try Self.checkpoint(path)?.covers.seq == h.count)
        try FileManager.default.removeItem(atPath: path + ".ckpt")
        ledger.checkpoints = .off
        for point in Self.allPoints.prefix(8) {
            _ = try ledger.replay(point, auditing: false)
            _ = try ledger.replay(point, auditing: true)
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".ckpt"))
        // `checkpoints: .off` passed to a replay is the policy .off, not "no policy given".
        ledger.checkpoints = .init(reads: true, writesAfter: 1)
        _ = try ledger.replay(.now, auditing: false, checkpoints: .off)
        #expect(!FileManager.default.fileExists(atPath: path + ".ckpt"), "checkpoints: .off wrote a checkpoint (read as no policy given?)")
        _ = try ledger.replay(.now, auditing: false, checkpoints: nil)
        #expect(try Self.checkpoint(path)?.covers.seq == h.count, "checkpoints: nil should use the ledger's policy")
    }
}

/// Where the documented parts of a checkpoint body (`ledger-state-13`) lie, as offsets into the
/// whole file: six sections — events of unknown types, strings, outturns, other events that
/// validation reads, action updates and boards, ids — each a count, a byte length, the bytes.
struct BodyLayout {
    struct Section: Equatable {
        var countAt: Int
        var lengthAt: Int
        var bytes: Range<Int>
    }
    /// An envelope: seq (8), known (4), recorded day (4), days as yyyymmdd.
    struct Envelope: Equatable {
        var seq: Int
        var known: Int
        var recordedDay: Int
    }
    /// An event other than an outturn: envelope (16), what it retracts (8, -1 for nothing),
    /// its type's index (4), its partnership's string index (4, 0xFFFFFFFF for none), its
    /// subject's (4, `target:<id>` or `action:<id>`, or none), its indicator's (4, or none), its
    /// line's length (4), its line.
    struct Other {
        var at: Int
        var seq: Int
        var known: Int
        var target: Int?
        var type: Int
        var partnership: UInt32
        var subject: UInt32
        var indicator: UInt32
        var line: Range<Int>
        var seqAt: Int { at }
        var knownAt: Int { at + 8 }
        var targetAt: Int { at + 16 }
        var typeAt: Int { at + 24 }
        var partnershipAt: Int { at + 28 }
        var subjectAt: Int { at + 32 }
        var indicatorAt: Int { at + 36 }
        var lengthAt: Int { at + 40 }
    }
    /// An id: seq (8), length (4), the id.
    struct ID {
        var at: Int
        var seq: Int
        var id: Range<Int>
        var seqAt: Int { at }
        var lengthAt: Int { at + 8 }
    }
    /// What an outturn record is sorted by.
    struct OutturnKey {
        var seq: Int
        var known: Int
        var area: UInt32
        var indicator: UInt32
        var first: Int32
        var last: Int32
    }

    var file: [UInt8]
    var bodyStart: Int
    var unknowns: Section
    var strings: Section
    var outturns: Section
    var index: Section
    var others: Section
    var updates: Section
    var ids: Section
    var unknownCount: Int
    var outturnCount: Int
    var unknownEnvelopes: [Envelope]
    /// The other events of both sections, the first's then the second's.
    var otherEvents: [Other]
    /// How many of `otherEvents` lie in the first section.
    var firstSectionCount: Int
    var idEntries: [ID]
    /// The strings section's strings, by index.
    var stringTable: [String]
    /// The index's tables: the partnerships registered (string indices); the groups of other
    /// events (in the second section, partnership, start, length, count); their envelopes
    /// (seq, known, recorded day, subject, what it retracts, partnership); series (area, indicator, first record, record count); known
    /// days (day, records, latest seq); recorded days (day, first seq recorded then or later);
    /// retracted records (seq, known, recorded day); a bit per seq, set for an outturn's.
    var indexPartnerships: [Int] = []
    var indexGroups: [(inUpdates: Bool, partnership: Int, start: Int, length: Int, count: Int)] = []
    var indexOtherEnvelopes: [(seq: Int, known: Int, recorded: Int, subject: Int, retracting: Int, partnership: Int)] = []
    /// Where the first known day's entry lies in the file.
    var indexKnownDaysAt = 0
    var indexSeries: [(area: Int, indicator: Int, first: Int, count: Int)] = []
    var indexKnownDays: [(day: Int, count: Int, lastSeq: Int)] = []
    var indexRecordedDays: [(day: Int, firstSeq: Int)] = []
    var indexRetracted: [(seq: Int, known: Int, recorded: Int)] = []
    var indexWords: [UInt64] = []
    /// The other events' known days (day, events, latest seq); their retractions (seq, known,
    /// recorded day, what it retracts, partnership); each partnership's subjects (fingerprint's
    /// high and low words, first seq, its recorded day, least known day, partnership, string index).
    var indexOtherKnownDays: [(day: Int, count: Int, lastSeq: Int)] = []
    var indexRetractions: [(seq: Int, known: Int, recorded: Int, target: Int, partnership: Int)] = []
    var indexSubjects: [(high: UInt64, low: UInt64, firstSeq: Int, firstRecorded: Int, leastKnown: Int, partnership: Int, string: Int)] = []

    struct Malformed: Error {}

    static func int64(_ file: [UInt8], _ at: Int) -> Int { file[at..<at + 8].reversed().reduce(0) { $0 << 8 | Int($1) } }
    static func int32(_ file: [UInt8], _ at: Int) -> Int { Int(Int32(bitPattern: UInt32(uint32(file, at)))) }
    static func uint32(_ file: [UInt8], _ at: Int) -> Int { file[at..<at + 4].reversed().reduce(0) { $0 << 8 | Int($1) } }
    static func packed(_ day: Day) -> Int { day.year * 10_000 + day.month * 100 + day.day }

    init(_ file: [UInt8]) throws {
        self.file = file
        guard let newline = file.firstIndex(of: 0x0A) else { throw Malformed() }
        bodyStart = newline + 1
        // A table of the seven sections' counts and lengths, then the sections.
        var (entry, position) = (bodyStart, bodyStart + 7 * 16)
        guard position <= file.count else { throw Malformed() }
        func section() throws -> Section {
            let s = Section(countAt: entry, lengthAt: entry + 8, bytes: position..<position + Self.int64(file, entry + 8))
            guard s.bytes.upperBound <= file.count else { throw Malformed() }
            (entry, position) = (entry + 16, s.bytes.upperBound)
            return s
        }
        unknowns = try section()
        strings = try section()
        outturns = try section()
        index = try section()
        others = try section()
        updates = try section()
        ids = try section()
        unknownCount = Self.int64(file, unknowns.countAt)
        outturnCount = Self.int64(file, outturns.countAt)
        guard position == file.count, unknowns.bytes.count == unknownCount * 16, outturns.bytes.count == outturnCount * 64 else { throw Malformed() }
        var table: [String] = []
        var at = strings.bytes.lowerBound
        while at < strings.bytes.upperBound {
            // (The length word's top bit marks a string that is not ASCII.)
            let (word, length) = (Self.uint32(file, at), Self.uint32(file, at) & 0x7FFF_FFFF)
            table.append(String(decoding: file[at + 4..<at + 4 + length], as: UTF8.self))
            guard (word != length) == file[at + 4..<at + 4 + length].contains(where: { $0 >= 0x80 }) else { throw Malformed() }
            at += 4 + length
        }
        guard at == strings.bytes.upperBound, table.count == Self.int64(file, strings.countAt) else { throw Malformed() }
        stringTable = table
        unknownEnvelopes = stride(from: unknowns.bytes.lowerBound, to: unknowns.bytes.upperBound, by: 16).map {
            Envelope(seq: Self.int64(file, $0), known: Self.int32(file, $0 + 8), recordedDay: Self.int32(file, $0 + 12))
        }
        var entries: [Other] = []
        firstSectionCount = 0
        for section in [others, updates] {
            let before = entries.count
            at = section.bytes.lowerBound
            while at < section.bytes.upperBound {
                let length = Self.uint32(file, at + 40)
                let target = Self.int64(file, at + 16)
                entries.append(Other(at: at, seq: Self.int64(file, at), known: Self.int32(file, at + 8), target: target == -1 ? nil : target,
                                     type: Self.uint32(file, at + 24), partnership: UInt32(Self.uint32(file, at + 28)),
                                     subject: UInt32(Self.uint32(file, at + 32)), indicator: UInt32(Self.uint32(file, at + 36)),
                                     line: at + 44..<at + 44 + length))
                at += 44 + length
            }
            guard at == section.bytes.upperBound, entries.count - before == Self.int64(file, section.countAt) else { throw Malformed() }
            if section == others { firstSectionCount = entries.count }
        }
        otherEvents = entries
        var idList: [ID] = []
        at = ids.bytes.lowerBound
        while at < ids.bytes.upperBound {
            let length = Self.uint32(file, at + 8)
            idList.append(ID(at: at, seq: Self.int64(file, at), id: at + 12..<at + 12 + length))
            at += 12 + length
        }
        guard at == ids.bytes.upperBound, idList.count == Self.int64(file, ids.countAt) else { throw Malformed() }
        idEntries = idList
        at = index.bytes.lowerBound
        func readEntries(_ size: Int, _ entry: (Int) -> Void) {
            let count = Self.int64(file, at)
            at += 8
            for _ in 0..<count {
                entry(at)
                at += size
            }
        }
        readEntries(4) { indexPartnerships.append(Self.uint32(file, $0)) }
        readEntries(32) { indexGroups.append((Self.uint32(file, $0) == 1, Self.uint32(file, $0 + 4), Self.int64(file, $0 + 8), Self.int64(file, $0 + 16), Self.int64(file, $0 + 24))) }
        readEntries(32) { indexOtherEnvelopes.append((Self.int64(file, $0), Self.int32(file, $0 + 8), Self.int32(file, $0 + 12), Self.uint32(file, $0 + 16),
                                                      Self.int64(file, $0 + 20), Self.uint32(file, $0 + 28))) }
        readEntries(24) { indexSeries.append((Self.uint32(file, $0), Self.uint32(file, $0 + 4), Self.int64(file, $0 + 8), Self.int64(file, $0 + 16))) }
        indexKnownDaysAt = at + 8
        readEntries(16) { indexKnownDays.append((Self.int32(file, $0), Self.uint32(file, $0 + 4), Self.int64(file, $0 + 8))) }
        readEntries(16) { indexRecordedDays.append((Self.int32(file, $0), Self.int64(file, $0 + 8))) }
        readEntries(16) { indexRetracted.append((Self.int64(file, $0), Self.int32(file, $0 + 8), Self.int32(file, $0 + 12))) }
        readEntries(8) { indexWords.append(UInt64(bitPattern: Int64(Self.int64(file, $0)))) }
        readEntries(16) { indexOtherKnownDays.append((Self.int32(file, $0), Self.uint32(file, $0 + 4), Self.int64(file, $0 + 8))) }
        readEntries(32) { indexRetractions.append((Self.int64(file, $0), Self.int32(file, $0 + 8), Self.int32(file, $0 + 12), Self.int64(file, $0 + 16),
                                                   Self.uint32(file, $0 + 24))) }
        readEntries(40) { indexSubjects.append((UInt64(bitPattern: Int64(Self.int64(file, $0))), UInt64(bitPattern: Int64(Self.int64(file, $0 + 8))),
                                                Self.int64(file, $0 + 16), Self.int32(file, $0 + 24), Self.int32(file, $0 + 28),
                                                Self.uint32(file, $0 + 32), Self.uint32(file, $0 + 36))) }
        guard at == index.bytes.upperBound else { throw Malformed() }
    }

    func outturnRecord(_ index: Int) -> Int { outturns.bytes.lowerBound + 64 * index }

    func outturnKey(_ index: Int) -> OutturnKey {
        let at = outturnRecord(index)
        return OutturnKey(seq: Self.int64(file, at), known: Self.int32(file, at + 8), area: UInt32(Self.uint32(file, at + 16)),
                          indicator: UInt32(Self.uint32(file, at + 20)), first: Int32(Self.int32(file, at + 24)), last: Int32(Self.int32(file, at + 28)))
    }
}
