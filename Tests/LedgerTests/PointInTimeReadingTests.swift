import Foundation
import Testing
@testable import EventLog
@testable import Ledger
import LedgerModel
import Projections

/// A replay at a point in time reads on a second thread and skips, from the envelope alone,
/// the lines the point leaves out. Neither may change an answer: every view must equal the
/// plain fold — every record decoded and fed in order — at many points in time, over a
/// generated history with revisions, retractions, boards and backdated entries recorded
/// across many days.
struct PointInTimeReadingTests {
    /// A generated history written with `recorded` spread over the years (each event recorded
    /// 0–400 days after it was known, never before the one before it), so `known`, `recorded`
    /// and seal points all cut the log in different places.
    static func writeHistory(to path: String) throws -> (knownDays: [Day], recordedDays: [Day]) {
        var buffer: [UInt8] = []
        var prev = SHA256Digest.zero
        var seq = 0
        var random = SplitMix64(seed: 99)
        var lastRecorded: Int64 = 0
        var knownDays: Set<Day> = [], recordedDays: Set<Day> = []
        SyntheticHistory(boroughs: 2, indicators: 12, years: 3, seed: 11).forEachEvent { draft in
            seq += 1
            let known = draft.known ?? CalendarDate(year: 2010, month: 1, day: 1)!
            let lag = Int64(random.next() % 400) * 86_400_000
            lastRecorded = max(lastRecorded, Int64(known.daysSince1970) * 86_400_000 + lag + Int64(seq))
            let recorded = Timestamp(millisecondsSince1970: lastRecorded)
            prev = LogRecord.encode(seq: seq, id: draft.id ?? "e\(seq)", recorded: recorded, known: known, type: draft.type,
                                    source: draft.source, actor: draft.actor, data: draft.data, prev: prev, into: &buffer)
            knownDays.insert(Day(known)!)
            recordedDays.insert(Day(recorded.date)!)
            return true
        }
        try Data(buffer).write(to: URL(fileURLWithPath: path))
        return (knownDays.sorted(), recordedDays.sorted())
    }

    /// The reference: every record decoded and fed, in order, on this thread.
    static func plainReplay(_ log: Log, _ point: PointInTime) throws -> Replay {
        var replay = Replay(point, auditing: true)
        try log.forEachRecord { record in
            guard let event = try? Ledger.ledgerEvent(record, strict: false) else { return true }
            return replay.feed(event)
        }
        return replay
    }

    @Test func everyViewAtEveryPointEqualsThePlainFold() throws {
        let directory = NSTemporaryDirectory() + "pit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/history.jsonl"
        let (knownDays, recordedDays) = try Self.writeHistory(to: path)
        let ledger = try Ledger(path: path)
        let log = try Log(path: path)
        #expect(try log.verify().problem == nil)

        let everything = try ledger.replay(.now).replay.state
        #expect(!everything.retracted.isEmpty, "the history should retract something")
        #expect(everything.boards.count >= 8)
        func sample(_ days: [Day], _ count: Int) -> [Day] {
            stride(from: 0, to: days.count, by: max(1, days.count / count)).map { days[$0] } + [days.last!]
        }
        var points: [PointInTime] = [.now, .asOf(Day(iso: "2000-01-01")!), .recorded(Day(iso: "2000-01-01")!)]
        points += sample(knownDays, 14).map { .asOf($0) }
        points += sample(recordedDays, 10).map { .recorded($0) }
        points += everything.boards.enumerated().filter { $0.offset % 3 == 0 }.map {
            .sealed(seq: $0.element.sealSeq, board: $0.element.board.board, date: $0.element.board.date)
        }

        for point in points {
            let read = try ledger.replay(point, auditing: true)
            let plain = try Self.plainReplay(log, point)
            let (a, b) = (read.replay.state, plain.state)
            let today = point.viewDate ?? Day(iso: "2030-01-01")!
            #expect(a.appliedCount == b.appliedCount, "\(point)")
            #expect(a.statusRows() == b.statusRows(), "\(point): status")
            #expect(a.progressRows() == b.progressRows(), "\(point): progress")
            #expect(a.actionRows(today: today) == b.actionRows(today: today), "\(point): actions")
            #expect(a.boards == b.boards && a.retracted == b.retracted, "\(point): boards and retractions")
            #expect(read.replay.audit.entries == plain.audit.entries, "\(point): audit")
            // Events the point left out are counted, not lost.
            #expect(a.appliedCount + read.replay.skipped == b.appliedCount + plain.skipped, "\(point): counts")
        }
    }
}
