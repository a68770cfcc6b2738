import Foundation
import Testing
@testable import EventLog

/// Reading on a second thread must hand over exactly what `forEachRecord` does, in order,
/// stop when asked, and throw a malformed line after the records before it — and so must
/// reading a short range on the calling thread (up to `Log.inlineBytes`: the lines after a
/// checkpoint, usually). The tests run each on a log shorter than that and one longer.
struct PipelineTests {
    struct SeqAndID: RecordDecoder {
        mutating func decode(_ record: LogRecord) -> String { "\(record.seq):\(record.id)" }
    }

    func makeLog(events: Int) throws -> (Log, String) {
        let path = NSTemporaryDirectory() + "pipeline-\(UUID().uuidString).jsonl"
        try Log.create(at: path)
        let log = try Log(path: path)
        let drafts = (0..<events).map { n in
            EventDraft(id: "e\(n)", type: "outturn.recorded", source: "test", actor: "test",
                       data: JSONObject([("value", .number(JSONNumber(n)))]))
        }
        _ = try log.append(drafts)
        return (log, path)
    }

    @Test func handsOverEveryRecordInOrderAcrossManyBatches() throws {
        let (log, path) = try makeLog(events: 60_000) // about 13 MB: several 4 MB chunks, each decoded in runs
        defer { for suffix in ["", ".idx", ".undo"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var expected: [String] = []
        try log.forEachRecord { expected.append("\($0.seq):\($0.id)"); return true }
        var got: [String] = []
        try log.forEachDecoded(decoder: SeqAndID()) { got.append($0); return true }
        #expect(got == expected)
        #expect(got.count == 60_000)
    }

    /// Whether the log at `path` is read on the calling thread.
    func isInline(_ path: String) throws -> Bool {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue <= Log.inlineBytes
    }

    @Test(arguments: [(3_000, true), (9_000, false)])
    func stopsWhenTheBodySaysSoAndCanBeUsedAgain(events: Int, inline: Bool) throws {
        let (log, path) = try makeLog(events: events)
        defer { for suffix in ["", ".idx", ".undo"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        #expect(try isInline(path) == inline)
        for stopAt in [1, 2047, 2048, 2049, events - 1, events] {
            var got = 0
            try log.forEachDecoded(decoder: SeqAndID()) { _ in got += 1; return got < stopAt }
            #expect(got == stopAt)
        }
        struct Stop: Error {}
        var got = 0
        #expect(throws: Stop.self) { try log.forEachDecoded(decoder: SeqAndID()) { _ in got += 1; if got == 3000 { throw Stop() }; return true } }
        #expect(got == 3000)
    }

    @Test(arguments: [(4_400, false), (3_000, true)])
    func aMalformedLineIsThrownAfterTheRecordsBeforeIt(events: Int, inline: Bool) throws {
        let (_, path) = try makeLog(events: events)
        defer { for suffix in ["", ".idx", ".undo"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        #expect(try isInline(path) == inline)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bad = events * 86 / 100
        lines[bad] = String(lines[bad].dropFirst()) // seq bad + 1 no longer starts with "{"
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let log = try Log(path: path)
        var got: [String] = []
        var thrown: EventLogError?
        do { try log.forEachDecoded(decoder: SeqAndID()) { got.append($0); return true } } catch let error as EventLogError { thrown = error }
        #expect(got.count == bad)
        #expect(thrown?.code == .corrupt)
        #expect(thrown?.message.contains("seq \(bad + 1)") == true)
    }

    /// A pass over a few types (a board view's search for its seal) must hand over exactly the
    /// records of those types a pass over all of them does, in order — a line not in the
    /// canonical layout (a space after its first brace) judged by its decoded type — and throw a
    /// malformed line of any type, on the calling thread or on every core.
    @Test(arguments: [(3_000, true), (9_000, false)])
    func aPassOverSomeTypesHandsOverTheirRecordsAndThrowsAMalformedLine(events: Int, inline: Bool) throws {
        let path = NSTemporaryDirectory() + "types-\(UUID().uuidString).jsonl"
        defer { for suffix in ["", ".idx", ".undo"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try Log.create(at: path)
        func type(_ n: Int) -> String {
            if n % 7 == 0 { return "board.held" }
            if n % 11 == 0 { return "event.retracted" }
            return n % 13 == 0 ? "board.heldx" : "outturn.recorded" // (a type that starts as a wanted one does)
        }
        _ = try Log(path: path).append((0..<events).map { n in
            EventDraft(id: "e\(n)", type: type(n), source: "test", actor: "test", data: JSONObject([("value", .number(JSONNumber(n)))]))
        })
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let (board, outturn) = (events / 7 / 3 * 7, events / 7 / 3 * 7 + 1) // (line n is seq n + 1's, id "e<n>")
        for n in [board, outturn] { lines[n] = "{ " + lines[n].dropFirst() }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try isInline(path) == inline)
        let log = try Log(path: path)
        let wanted = ["board.held", "event.retracted"]
        var expected: [String] = []
        try log.forEachRecord { if wanted.contains($0.type) { expected.append("\($0.seq):\($0.id)") }; return true }
        var got: [String] = []
        try log.forEachRecord(ofTypes: wanted) { got.append("\($0.seq):\($0.id)"); return true }
        #expect(got == expected)
        #expect(expected.count > events / 7)
        #expect(expected.contains("\(board + 1):e\(board)") && !expected.contains("\(outturn + 1):e\(outturn)"))

        // A malformed line of a type not asked for is still thrown, after the records before it.
        let bad = events * 86 / 100 + 1 // an outturn's line
        #expect(bad % 7 != 0 && bad % 11 != 0 && bad % 13 != 0)
        lines[bad] = String(lines[bad].dropFirst())
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        var before = 0
        var thrown: EventLogError?
        do { try Log(path: path).forEachRecord(ofTypes: wanted) { record in before = record.seq; return true } } catch let error as EventLogError { thrown = error }
        #expect(thrown?.code == .corrupt)
        #expect(thrown?.message.contains("seq \(bad + 1)") == true)
        #expect(before > 0 && before < bad + 1)
    }

    /// Counts its instances, to see each output freed exactly once.
    final class Tracked: @unchecked Sendable {
        nonisolated(unsafe) static var alive = 0
        let n: Int
        init(_ n: Int) { self.n = n; Tracked.alive += 1 }
        deinit { Tracked.alive -= 1 }
    }

    @Test func aHandOverMovesItsOutputsOutInOrderAndFreesWhatIsNotTaken() {
        Tracked.alive = 0
        var taken: [Int] = []
        do {
            let run = HandOver<Tracked>(capacity: 5)
            for n in 1...5 { run.append(Tracked(n)) }
            #expect(Tracked.alive == 5 && run.count == 5)
            for _ in 0..<2 { if let t = run.take() { taken.append(t.n) } }
            #expect(Tracked.alive == 3) // the two taken were freed by their last user, here
        }
        #expect(taken == [1, 2] && Tracked.alive == 0) // the three never taken, freed with the run
        let empty = HandOver<Tracked>(capacity: 0)
        #expect(empty.take() == nil && empty.count == 0)
    }
}
