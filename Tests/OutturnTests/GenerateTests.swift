import Foundation
import Testing

/// `outturn generate`: deterministic, valid, and the events a London-wide ledger has.
struct GenerateTests {
    func lines(_ path: String) throws -> [[String: Any]] {
        try Events.lines(ofFile: path).map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func theSameSeedGivesTheSameEventsAndARerunAppendsNothing() throws {
        let dir = try TemporaryDirectory()
        let a = dir.path("a.jsonl"), b = dir.path("b.jsonl")
        let options = ["--boroughs", "2", "--indicators", "14", "--years", "2", "--seed", "7", "--batch", "300"] // several batches, so the validator carries its state across them
        let first = try CLI.run(["generate", "--ledger", a] + options, in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CLI.run(["generate", "--ledger", b] + options, in: dir.url).status == 0)
        let (la, lb) = (try lines(a), try lines(b))
        #expect(la.count > 1_000)
        #expect(la.map { $0["id"] as? String } == lb.map { $0["id"] as? String })
        #expect(la.map { $0["known"] as? String } == lb.map { $0["known"] as? String })
        #expect(la.map { JSONWriterless($0["data"]) } == lb.map { JSONWriterless($0["data"]) })

        let before = try Data(contentsOf: URL(fileURLWithPath: a))
        let again = try CLI.run(["generate", "--ledger", a] + options, in: dir.url)
        #expect(again.stdout.hasSuffix("(0 new) in \(a)\n"), "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == before)
        #expect(try CLI.run(["verify", "--ledger", a], in: dir.url).status == 0)

        // What a London-wide history holds: every kind of event, backdated knowledge, boards to replay at.
        let types = Set(la.compactMap { $0["type"] as? String })
        for type in ["partnership.registered", "plan.adopted", "priority.set", "indicator.defined", "baseline.set", "target.set",
                     "target.revised", "outturn.recorded", "action.created", "action.updated", "board.held"] {
            #expect(types.contains(type), "\(type)")
        }
        let board = try #require(la.last { $0["type"] as? String == "board.held" }?["data"] as? [String: Any])
        let replay = try CLI.run(["replay", "--ledger", a, "--board", "\(board["board"]!)@\(board["date"]!)", "--format", "json"], in: dir.url)
        #expect(replay.status == 0, "\(replay.stderr)")
    }

    @Test func eventsStopsAtExactlyN() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("n.jsonl")
        let r = try CLI.run(["generate", "--ledger", path, "--boroughs", "1", "--indicators", "12", "--years", "1", "--events", "1234"], in: dir.url)
        #expect(r.stdout == "generated 1234 events (1234 new) in \(path)\n", "\(r.stderr)")
        #expect(try Events.lines(ofFile: path).count == 1234)
    }
}

/// A JSON value in a form that compares (JSONSerialization gives Any).
private func JSONWriterless(_ value: Any?) -> String {
    guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "nil" }
    return String(decoding: data, as: UTF8.self)
}
