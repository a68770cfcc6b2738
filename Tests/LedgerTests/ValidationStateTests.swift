import Foundation
import Testing
@testable import EventLog
@testable import Ledger
import LedgerModel

/// A batch that retracts nothing is validated against a state folded without outturns,
/// action updates and boards. That state must accept and refuse exactly what the whole
/// state does — tried with every event of every example ledger offered again (most are
/// refused as already there), and with events that point at missing things.
struct ValidationStateTests {
    static func outcome(_ drafts: [EventDraft], against state: LedgerState) -> String {
        do {
            try Ledger.validate(drafts, from: state, lines: Array(1...drafts.count))
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: ["havering-2017-20", "lewisham-2008-11", "lewisham-2015-16", "lewisham-2023-24", "southwark-2008-12"])
    func theValidationStateAcceptsAndRefusesExactlyAsTheWholeState(example: String) throws {
        let path = Repository.root.appendingPathComponent("Examples/\(example).jsonl").path
        let log = try Log(path: path)
        let head = try log.head(upTo: try log.committedEnd())
        let (whole, isWhole) = try Ledger.state(of: log, at: head)
        let (partial, isPartialWhole) = try Ledger.state(of: log, at: head, forValidation: true)
        var skippable = 0
        try log.forEachRecord { skippable += Ledger.typesValidationIgnores.contains($0.type) ? 1 : 0; return true }
        #expect(isWhole && isPartialWhole == (skippable == 0))

        var candidates: [[EventDraft]] = []
        try log.forEachRecord { record in
            guard record.type != "event.retracted" else { return true }
            candidates.append([EventDraft(id: "again-\(record.seq)", type: record.type, source: record.source, actor: "test", data: record.data)])
            return true
        }
        func draft(_ type: String, _ fields: [(String, JSONValue)]) -> EventDraft {
            EventDraft(id: "probe-\(type)", type: type, source: "test", actor: "test", data: JSONObject(fields))
        }
        let partnership = whole.partnerships.keys.sorted().first ?? "nobody"
        candidates += [
            [draft("outturn.recorded", [("partnership", .string(partnership)), ("indicator", .string("no-such-indicator")),
                                        ("period", .string("2015/16")), ("value", .number(JSONNumber(1)))])],
            [draft("outturn.recorded", [("partnership", .string("no-such-partnership")), ("indicator", .string("no-such-indicator")),
                                        ("period", .string("2015/16")), ("value", .number(JSONNumber(1)))])],
            [draft("action.updated", [("action", .string("no-such-action")), ("status", .string("on-track"))])],
            [draft("board.held", [("partnership", .string("no-such-partnership")), ("board", .string("b")), ("date", .string("2015-06-01"))])],
            [draft("board.held", [("partnership", .string(partnership)), ("board", .string("b")), ("date", .string("2015-06-01"))])],
        ]
        #expect(candidates.count > 20)
        var refused = 0
        for batch in candidates {
            let expected = Self.outcome(batch, against: whole)
            #expect(Self.outcome(batch, against: partial) == expected, "\(batch[0].type) \(batch[0].data)")
            if expected != "ok" { refused += 1 }
        }
        #expect(refused > 5) // the comparison covered refusals, not only acceptances
    }

    /// An append validates against the checkpoint's events other than outturns, checking only
    /// the pieces it reads: a flipped byte there (its digests still those written) is found,
    /// and the state is read from the log instead. Believed, the same damage would refuse the
    /// figure (the test would see it).
    @Test(arguments: [false, true])
    func aDamagedCheckpointIsFoundByTheAppendThatReadsIt(believed: Bool) throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime","name":"Crime","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
        ])
        _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: CheckpointTests.writeNow)
        var file = try CheckpointTests.checkpointFile(fixture.path)
        let needle = Array(#""indicator":"crime","name""#.utf8)
        let at = try #require((0...(file.count - needle.count)).first { file[$0..<$0 + needle.count].elementsEqual(needle) })
        file[at + 17] = UInt8(ascii: "f") // "crime" → "crimf"
        if believed { file = CheckpointTests.resum(file) } // its digests no longer match: checked whole, and accepted
        try CheckpointTests.write(file, to: fixture.path + ".ckpt")

        let figure = #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2015/16","value":140}}"#
        let ledger = try Ledger(path: fixture.path) // not the fixture's, which keeps the state it last appended with
        do {
            _ = try ledger.append(jsonLines: Array((figure + "\n").utf8), defaults: InputDefaults(source: "test", actor: "tests"))
            #expect(!believed, "the damaged checkpoint should have been believed")
        } catch {
            #expect(believed && "\(error)".contains("crime"), "\(error)")
        }
    }

    /// The synthetic history's log with a checkpoint two thirds of the way, its head, and the
    /// whole state at it (the scratch folder must outlive the log).
    static func historyTwoThirdsCheckpointed() throws -> (CheckpointTests.Scratch, Log, Log.Head, LedgerState) {
        let h = CheckpointTests.history
        let scratch = try CheckpointTests.Scratch()
        let log = try Log(path: try CheckpointTests.log(h, checkpointAt: h.count * 2 / 3, in: scratch))
        let head = try log.head(upTo: try log.committedEnd())
        return (scratch, log, head, try Ledger.state(of: log, at: head).state)
    }

    /// A one-event draft of a probe.
    static func probe(_ type: String, _ fields: [(String, JSONValue)]) -> EventDraft {
        EventDraft(id: "probe", type: type, source: "test", actor: "test", data: JSONObject(fields))
    }

    /// A batch that names targets and actions is validated against a state holding, of the
    /// checkpoint's targets and actions, only those: it must accept and refuse exactly what the
    /// whole state does — every kind of event about a target or an action, for ids the ledger
    /// has (before and after its checkpoint) and ids it does not.
    @Test func aStateOfTheBatchsOwnTargetsAndActionsValidatesAsTheWholeState() throws {
        let (scratch, log, head, whole) = try Self.historyTwoThirdsCheckpointed()
        defer { withExtendedLifetime(scratch) {} }
        let partnership = try #require(whole.partnerships.keys.sorted().first)
        let plan = try #require(whole.plans.keys.sorted().first { $0.hasPrefix(partnership + "/") }).split(separator: "/")[1]
        let targets = Array(whole.targets.keys.sorted().enumerated().filter { $0.offset % 7 == 0 }.map(\.element)) + ["no-such-target"]
        let actions = Array(whole.actions.keys.sorted().enumerated().filter { $0.offset % 7 == 0 }.map(\.element)) + ["no-such-action"]
        var batches: [[EventDraft]] = []
        for id in targets {
            batches.append([Self.probe("target.withdrawn", [("target", .string(id)), ("reason", .string("probe"))])])
            batches.append([Self.probe("target.revised", [("target", .string(id)), ("tolerance", .number(JSONNumber(0.07))), ("reason", .string("probe"))])])
            batches.append([Self.probe("target.set", [("target", .string(id)), ("partnership", .string(partnership)), ("indicator", .string("MOPAC7")),
                                                  ("period", .string("2011/12")), ("setBy", .string("local")), ("kind", .string("value")),
                                                  ("value", .number(JSONNumber(1)))])])
        }
        for id in actions {
            batches.append([Self.probe("action.updated", [("action", .string(id)), ("status", .string("on-track"))])])
            batches.append([Self.probe("action.created", [("action", .string(id)), ("partnership", .string(partnership)), ("plan", .string(String(plan))),
                                                      ("title", .string("Probe")), ("leads", .array([.string("police")]))])])
        }
        var (accepted, refused, leftOut) = (0, 0, 0)
        for batch in batches {
            let prepared = PreparedBatch(drafts: batch, events: try Ledger.decodeAll(batch, lines: [1]), lines: [1])
            let subjects = try #require(prepared.subjects)
            let (scoped, _) = try Ledger.state(of: log, at: head, forValidation: true, subjects: subjects, checkpoints: CheckpointTests.readOnly)
            let expected = Self.outcome(batch, against: whole)
            #expect(Self.outcome(batch, against: scoped) == expected, "\(batch[0].type) \(batch[0].data)")
            if expected == "ok" { accepted += 1 } else { refused += 1 }
            if scoped.targets.count + scoped.actions.count < whole.targets.count + whole.actions.count { leftOut += 1 }
        }
        #expect(accepted > 10 && refused > 10 && leftOut == batches.count, "accepted \(accepted), refused \(refused), left out \(leftOut)")
    }

    /// A batch of figures, indicators, partnerships and boards naming no target or action reads
    /// no partnership's own events: through a checkpoint its state holds only the events of no
    /// partnership (no plan, priority, baseline, target or action), and accepts and refuses
    /// exactly what the whole state does — figures of registered and unknown partnerships, of
    /// defined, undefined and retracted indicators, in the wrong unit; definitions new and taken;
    /// boards of registered and unknown partnerships.
    @Test func aBatchThatReadsNoPartnershipsOwnEventsValidatesAsTheWholeState() throws {
        let (scratch, log, head, whole) = try Self.historyTwoThirdsCheckpointed()
        defer { withExtendedLifetime(scratch) {} }
        let partnerships = whole.partnerships.keys.sorted() + ["nowhere"]
        let indicators = Array(whole.indicators.keys.sorted().prefix(6)) + ["no-such-indicator"]
        var batches: [[EventDraft]] = []
        for p in partnerships {
            for i in indicators {
                batches.append([Self.probe("outturn.recorded", [("partnership", .string(p)), ("indicator", .string(i)), ("period", .string("2099-12")),
                                                           ("value", .number(JSONNumber(12)))])])
                batches.append([Self.probe("outturn.recorded", [("partnership", .string(p)), ("indicator", .string(i)), ("period", .string("2099-12")),
                                                           ("numerator", .number(JSONNumber(1))), ("denominator", .number(JSONNumber(2)))])])
            }
            batches.append([Self.probe("board.held", [("partnership", .string(p)), ("board", .string("probe")), ("date", .string("2099-12-01"))])])
            batches.append([Self.probe("partnership.registered", [("partnership", .string(p)), ("name", .string("Probe"))])])
        }
        for i in indicators {
            batches.append([Self.probe("indicator.defined", [("indicator", .string(i)), ("name", .string("Probe")), ("unit", .string("count")),
                                                        ("polarity", .string("lower-better"))])])
        }
        var (accepted, refused) = (0, 0)
        for batch in batches {
            let prepared = PreparedBatch(drafts: batch, events: try Ledger.decodeAll(batch, lines: [1]), lines: [1])
            #expect(prepared.readsOnlySharedEvents, "\(batch[0].type)")
            let (scoped, _) = try Ledger.state(of: log, at: head, forValidation: true, subjects: try #require(prepared.subjects), sharedOnly: true,
                                               checkpoints: CheckpointTests.readOnly)
            #expect(scoped.plans.isEmpty && scoped.priorities.isEmpty && scoped.baselines.isEmpty && scoped.targets.isEmpty && scoped.actions.isEmpty,
                    "the state should hold no partnership's own events")
            let expected = Self.outcome(batch, against: whole)
            #expect(Self.outcome(batch, against: scoped) == expected, "\(batch[0].type) \(batch[0].data)")
            if expected == "ok" { accepted += 1 } else { refused += 1 }
        }
        #expect(accepted > 10 && refused > 10, "accepted \(accepted), refused \(refused)")
        // A batch that names a target, or adopts a plan, reads a partnership's own events.
        let target = PreparedBatch(drafts: [Self.probe("target.withdrawn", [("target", .string("t")), ("reason", .string("probe"))])], events: [], lines: [])
        #expect(!target.readsOnlySharedEvents)
        let plan = [Self.probe("plan.adopted", [("partnership", .string(partnerships[0])), ("plan", .string("p")), ("title", .string("P")),
                                          ("from", .string("2099/00")), ("to", .string("2099/00"))])]
        #expect(!PreparedBatch(drafts: plan, events: try Ledger.decodeAll(plan, lines: [1]), lines: [1]).readsOnlySharedEvents)
    }

    /// Through a checkpoint, validation reads a retraction only if it retracts an event of a
    /// kind validation reads (most retract outturns, and are never decoded). Retracted
    /// definitions, targets and priorities must still count: the state must accept and refuse
    /// exactly what the whole state does, with and without the batch's subjects.
    @Test func retractionsOfWhatValidationReadsCountThroughACheckpoint() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","id":"p","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"#,
            #"{"type":"plan.adopted","id":"plan","data":{"partnership":"lewisham","plan":"sp","title":"Safer Lewisham Plan","from":"2015/16","to":"2017/18"}}"#,
            #"{"type":"priority.set","id":"prio","data":{"partnership":"lewisham","plan":"sp","priority":"vaw","title":"VAWG"}}"#,
            #"{"type":"indicator.defined","id":"def-crime","data":{"indicator":"crime","name":"Crime","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"indicator.defined","id":"def-asb","data":{"indicator":"asb","name":"ASB","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"target.set","id":"t-set","data":{"target":"t1","partnership":"lewisham","indicator":"asb","period":"2015/16","setBy":"local","kind":"direction","direction":"reduce","against":"2014/15"}}"#,
            #"{"type":"outturn.recorded","id":"o1","data":{"partnership":"lewisham","indicator":"asb","period":"2014/15","value":150}}"#,
        ])
        try fixture.append([
            #"{"type":"event.retracted","data":{"event":"def-crime","reason":"defined in error"}}"#,
            #"{"type":"event.retracted","data":{"event":"t-set","reason":"set in error"}}"#,
            #"{"type":"event.retracted","data":{"event":"prio","reason":"set in error"}}"#,
            #"{"type":"event.retracted","data":{"event":"o1","reason":"wrong figure"}}"#,
        ])
        _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: CheckpointTests.writeNow)
        let log = try Log(path: fixture.path)
        let head = try log.head(upTo: try log.committedEnd())
        try #require(try CheckpointTests.checkpoint(fixture.path)?.covers.seq == head.seq)
        let (whole, _) = try Ledger.state(of: log, at: head)
        func draft(_ line: String) throws -> EventDraft {
            let object = try JSONReader.parse(Array(line.utf8)).objectValue!
            return EventDraft(id: "probe", type: object["type"]!.stringValue!, source: "test", actor: "test", data: object["data"]!.objectValue!)
        }
        let batches = try [
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2015/16","value":1}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"asb","period":"2015/16","value":1}}"#,
            #"{"type":"target.revised","data":{"target":"t1","tolerance":0.05,"reason":"probe"}}"#,
            #"{"type":"target.withdrawn","data":{"target":"t1","reason":"probe"}}"#,
            #"{"type":"target.set","data":{"target":"t2","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"local","kind":"direction","direction":"reduce","against":"2014/15"}}"#,
            #"{"type":"priority.retired","data":{"partnership":"lewisham","plan":"sp","priority":"vaw","reason":"probe"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"b1","partnership":"lewisham","indicator":"crime","label":"2014/15","periods":["2014/15"],"method":"mean"}}"#,
        ].map { [try draft($0)] }
        var refused = 0
        for batch in batches {
            let expected = Self.outcome(batch, against: whole)
            let subjects = PreparedBatch(drafts: batch, events: try Ledger.decodeAll(batch, lines: [1]), lines: [1]).subjects
            for scope in [nil, subjects] {
                let (scoped, _) = try Ledger.state(of: log, at: head, forValidation: true, subjects: scope, checkpoints: CheckpointTests.readOnly)
                #expect(Self.outcome(batch, against: scoped) == expected, "\(batch[0].type), subjects \(scope.map { "\($0)" } ?? "all")")
            }
            if expected != "ok" { refused += 1 }
        }
        #expect(refused >= 4, "the retractions should make most probes refused (\(refused))")
    }

    /// One ledger appending batch after batch keeps the state it validated the last against;
    /// one holding only that batch's targets and actions serves no batch naming others.
    @Test func aStateOfOneBatchsActionsIsNotReusedForAnother() throws {
        let h = CheckpointTests.history
        let scratch = try CheckpointTests.Scratch()
        let path = try CheckpointTests.log(h, checkpointAt: h.count, in: scratch)
        let log = try Log(path: path)
        let whole = try Ledger.state(of: log, at: try log.head(upTo: try log.committedEnd())).state
        let ids = whole.actions.keys.sorted().filter { whole.action($0) != nil }
        try #require(ids.count >= 3)
        let ledger = try Ledger(path: path)
        ledger.checkpoints = CheckpointTests.readOnly
        for id in ids.prefix(3) {
            let line = #"{"type":"action.updated","data":{"action":""# + id + #"","status":"on-track"}}"# + "\n"
            let result = try ledger.append(jsonLines: Array(line.utf8), defaults: InputDefaults(source: "test", actor: "tests"))
            #expect(result.outcomes.count == 1 && !result.outcomes[0].existing, "\(id)")
        }
    }

    /// The state a batch of figures was validated against holds no partnership's own events: a
    /// next batch, by the same process, that sets a priority in a plan (naming no target or
    /// action either) must not be validated against it (the plan would seem not adopted).
    @Test func aStateOfNoPartnershipsOwnEventsIsNotReusedForABatchThatReadsThem() throws {
        let h = CheckpointTests.history
        let scratch = try CheckpointTests.Scratch()
        let path = try CheckpointTests.log(h, checkpointAt: h.count, in: scratch)
        let log = try Log(path: path)
        let whole = try Ledger.state(of: log, at: try log.head(upTo: try log.committedEnd())).state
        let partnership = try #require(whole.partnerships.keys.sorted().first)
        let plan = try #require(whole.plans.keys.sorted().first { $0.hasPrefix(partnership + "/") }).split(separator: "/")[1]
        let ledger = try Ledger(path: path)
        ledger.checkpoints = CheckpointTests.readOnly
        let defaults = InputDefaults(source: "test", actor: "tests")
        let figure = #"{"type":"outturn.recorded","data":{"partnership":""# + partnership + #"","indicator":"MOPAC7.burglary","period":"2099-12","value":7}}"# + "\n"
        #expect(try ledger.append(jsonLines: Array(figure.utf8), defaults: defaults).outcomes.count == 1)
        let priority = #"{"type":"priority.set","data":{"partnership":""# + partnership + #"","plan":""# + plan
            + #"","priority":"probe-priority","title":"Probe"}}"# + "\n"
        #expect(try ledger.append(jsonLines: Array(priority.utf8), defaults: defaults).outcomes.count == 1)
    }
}
