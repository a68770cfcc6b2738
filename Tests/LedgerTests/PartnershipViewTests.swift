import EventLog
import Testing
@testable import Ledger
import LedgerModel
import Projections

/// A view of one partnership (`--partnership`) read through a checkpoint leaves the other
/// partnerships' outturns out of the fold, and never changes an answer: its status, progress,
/// actions and compare rows, and the counts the heading quotes, equal the whole fold's without a
/// checkpoint, at every point in time. Where the fold shows that a view could read an area it
/// left out — a partnership not yet registered at the point (so a comparator), a baseline set
/// for another partnership — it folds again, keeping them all.
struct PartnershipViewTests {
    typealias Fixture = CheckpointTests

    /// The rows and counts a view of `partnership` shows.
    struct Shown: Equatable {
        var status: [StatusRow]
        var progress: [ProgressRow]
        var actions: [ActionRow]
        var compare: [CompareRow]
        var appliedCount: Int
        var head: Int
        var skipped: Int
        var events: Int
        var unknownEvents: Int

        init(_ result: Ledger.ReplayResult, _ partnership: String, compare indicator: String, baseline: Period) {
            let state = result.replay.state
            status = state.statusRows(partnership: partnership)
            progress = state.progressRows(partnership: partnership)
            actions = state.actionRows(today: Fixture.today(result.replay.pointInTime), partnership: partnership)
            compare = state.compareRows(area: partnership, indicator: indicator, baseline: baseline, periods: [])
            (appliedCount, head, skipped) = (state.appliedCount, state.head, result.replay.skipped)
            (events, unknownEvents) = (result.events, result.unknownEvents)
        }
    }

    @Test(arguments: [Fixture.Cover.middle, .head])
    func eachPartnershipsViewsThroughACheckpointEqualTheWholeFoldAtEveryPoint(_ cover: Fixture.Cover) throws {
        let h = Fixture.history
        let scratch = try Fixture.Scratch()
        let path = try Fixture.log(h, checkpointAt: cover.seq(in: h), in: scratch)
        let ledger = try Ledger(path: path)
        let partnerships = try ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state.partnerships.keys.sorted()
        try #require(partnerships.count >= 2)
        var compared = 0
        for point in Fixture.allPoints {
            for p in partnerships {
                let filtered = try ledger.replay(point, auditing: false, checkpoints: Fixture.readOnly, partnership: p)
                let whole = try ledger.replay(point, auditing: false, checkpoints: Fixture.off)
                let baseline = Period("2010/11")!
                #expect(Shown(filtered, p, compare: "MOPAC7", baseline: baseline) == Shown(whole, p, compare: "MOPAC7", baseline: baseline),
                        "\(p) at \(point), checkpoint at \(cover)")
                // The other partnerships' figures were left out, so the check is not vacuous.
                let state = filtered.replay.state
                if state.partnership(p) != nil, state.partnerships.count == partnerships.count {
                    #expect(state.outturnAreasLeftOut == Set(partnerships).subtracting([p]), "\(p) at \(point)")
                    #expect(!state.outturns.keys.contains { $0.area != p && state.outturnAreasLeftOut.contains($0.area) })
                    compared += 1
                }
            }
        }
        #expect(compared >= 40)
    }

    /// A view of one partnership judges the other partnerships' outturns straight from the
    /// checkpoint's bytes, checking each piece as it reads it: a known day edited there (the
    /// digests left as written) is found, the checkpoint set aside, and the view is the whole
    /// fold's. With its checksum worked out again, the same edit changes the view's counts — so
    /// without the check it would change an answer.
    @Test func anOutturnOfAnAreaLeftOutThatIsDamagedIsFoundByTheViewThatLeavesItOut() throws {
        // Large enough that the outturns fill a checksummed piece of their own (1 MiB each): the
        // damaged one's is checked by the view's reading of the outturns alone.
        let h = Fixture.encode(size: (boroughs: 4, indicators: 60, years: 10))
        let scratch = try Fixture.Scratch()
        let path = try Fixture.log(h, checkpointAt: h.count, in: scratch)
        let file = try Fixture.checkpointFile(path)
        let layout = try BodyLayout(file)
        let piece = { (offset: Int) in (offset - layout.bodyStart) / XXH64.checksumPiece }
        let shared = [piece(layout.outturns.bytes.lowerBound), piece(layout.outturns.bytes.upperBound - 1)] // with other sections
        let ledger = try Ledger(path: path)
        let partnerships = try ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state.partnerships.keys.sorted()
        let (kept, day) = (try #require(partnerships.first), h.knownDays[h.knownDays.count / 2])
        // An outturn of another partnership known after the day, made known long before it.
        let index = try #require((0..<layout.outturnCount).first { i in
            let key = layout.outturnKey(i)
            return !shared.contains(piece(layout.outturnRecord(i))) && !shared.contains(piece(layout.outturnRecord(i) + 63)) && layout.stringTable[Int(key.area)] != kept && partnerships.contains(layout.stringTable[Int(key.area)])
                && key.known > BodyLayout.packed(day)
        })
        var damaged = file
        Fixture.setInt32(&damaged, at: layout.outturnRecord(index) + 8, 2000_01_01)
        let baseline = Period("2010/11")!
        let whole = Shown(try ledger.replay(.asOf(day), auditing: false, checkpoints: Fixture.off), kept, compare: "MOPAC7", baseline: baseline)
        for (label, body) in [("digests as written", damaged), ("checksum worked out again", Fixture.resum(damaged))] {
            try Fixture.write(body, to: path + ".ckpt")
            let view = try Ledger(path: path).replay(.asOf(day), auditing: false, checkpoints: Fixture.readOnly, partnership: kept)
            let shown = Shown(view, kept, compare: "MOPAC7", baseline: baseline)
            if label == "digests as written" {
                let same = shown == whole // (not printed whole: thousands of rows)
                #expect(same, "\(label): the view differs (applied \(shown.appliedCount) vs \(whole.appliedCount), skipped \(shown.skipped) vs \(whole.skipped))")
                #expect(view.replay.state.outturnAreasLeftOut.isEmpty, "\(label): the checkpoint should have been set aside")
            } else {
                #expect(shown.events == whole.events && shown.appliedCount == whole.appliedCount + 1,
                        "\(label): the edit should count one more event (\(shown.appliedCount) vs \(whole.appliedCount))")
            }
        }
    }

    /// Two partnerships and London, with figures for 2014/15 known in June 2015.
    static func fixture() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime","name":"Crime","unit":"count","polarity":"lower-better"}}"#,
        ], known: "2015-01-01")
        return fixture
    }

    @Test func aPartnershipNotYetRegisteredAtThePointIsAComparatorAndIsKept() throws {
        let fixture = try Self.fixture()
        try fixture.append([#"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark"}}"#], known: "2016-01-01")
        try fixture.append([
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"crime","period":"2014/15","value":75}}"#,
        ], known: "2015-06-01")
        try expectSameThroughACheckpoint(fixture) { point, filtered in
            let comparators = filtered.replay.state.statusRows(partnership: "lewisham").first?.comparators.map(\.area)
            // Before Southwark registered, its figure stands beside Lewisham's; after, it does not.
            #expect(comparators == (point == .asOf(Day(iso: "2015-12-31")!) ? ["southwark"] : []), "\(point)")
        }
    }

    @Test func aBaselineSetForAnotherPartnershipIsRead() throws {
        let fixture = try Self.fixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"p","title":"Plan","from":"2014/15","to":"2016/17"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"s-base","partnership":"southwark","indicator":"crime","label":"2014/15","periods":["2014/15"],"method":"sum"}}"#,
            #"{"type":"target.set","data":{"target":"t","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"local","kind":"direction","direction":"reduce","against":"s-base"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2015/16","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"crime","period":"2014/15","value":175}}"#,
        ], known: "2015-06-01")
        try expectSameThroughACheckpoint(fixture) { point, _ in }
        // The target is judged against Southwark's figure: green, below 175.
        let rows = try fixture.ledger.replay(.now, auditing: false, partnership: "lewisham").replay.state.progressRows(partnership: "lewisham")
        #expect(rows.map(\.rag) == [.green])
    }

    @Test func aTargetIdUsedByTwoPartnershipsIsKeptForBoth() throws {
        // Southwark sets "t", retracts it, Lewisham sets "t"; a revision is backdated before all
        // that: as of March 2015 it revises Southwark's target, though Lewisham's was set last.
        let fixture = try Self.fixture()
        try fixture.append([#"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark"}}"#], known: "2015-01-01")
        try fixture.append([#"{"type":"target.set","id":"s-t","data":{"target":"t","partnership":"southwark","indicator":"crime","period":"2015/16","setBy":"local","kind":"value","value":100}}"#], known: "2015-01-01")
        try fixture.append([#"{"type":"event.retracted","data":{"event":"s-t","reason":"set for the wrong partnership"}}"#], known: "2015-06-01")
        try fixture.append([#"{"type":"target.set","data":{"target":"t","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"local","kind":"value","value":100}}"#], known: "2015-06-01")
        try fixture.append([#"{"type":"target.revised","data":{"target":"t","value":90,"reason":"backdated"}}"#], known: "2015-02-01")
        try fixture.append([
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"crime","period":"2014/15","value":75}}"#,
        ], known: "2015-01-15")
        for p in ["southwark", "lewisham"] {
            try expectSameThroughACheckpoint(fixture, of: p, at: [.asOf(Day(iso: "2015-03-01")!), .asOf(Day(iso: "2015-07-01")!), .now]) { point, filtered in
                let targets = filtered.replay.state.progressRows(partnership: p).map { "\($0.partnership) \($0.description)" }
                let expected = switch (p, point) {
                case ("southwark", .asOf(Day(iso: "2015-03-01")!)): ["southwark value 90 by 2015/16"]
                case ("lewisham", .asOf(Day(iso: "2015-07-01")!)), ("lewisham", .now): ["lewisham value 90 by 2015/16"]
                default: [String]()
                }
                #expect(targets == expected, "\(p) at \(point)")
            }
        }
    }

    @Test func anActionIdAnotherPartnershipUsedBeforeTheCheckpointIsRead() throws {
        // Southwark's action "a", updated; then, after the checkpoint, retracted and created again
        // by Lewisham: Lewisham's action shows Southwark's update as its latest.
        let fixture = try Self.fixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"p","title":"Plan","from":"2014/15","to":"2016/17"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"southwark","plan":"p","title":"Plan","from":"2014/15","to":"2016/17"}}"#,
            #"{"type":"action.created","id":"s-a","data":{"action":"a","partnership":"southwark","plan":"p","title":"Patrols","leads":["police"]}}"#,
            #"{"type":"action.updated","data":{"action":"a","status":"at-risk","progress":"short of officers"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"crime","period":"2014/15","value":75}}"#,
        ], known: "2015-06-01")
        _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.writeNow)
        try fixture.append([
            #"{"type":"event.retracted","data":{"event":"s-a","reason":"Lewisham's"}}"#,
            #"{"type":"action.created","data":{"action":"a","partnership":"lewisham","plan":"p","title":"Patrols","leads":["police"]}}"#,
        ], known: "2015-07-01")
        try expectSameThroughACheckpoint(fixture, writing: false) { point, filtered in
            let actions = filtered.replay.state.actionRows(today: Day(iso: "2016-01-01")!, partnership: "lewisham").map { "\($0.action) \($0.status)" }
            #expect(actions == ["a atRisk"], "\(point): \(actions)")
        }
    }

    /// Writes a checkpoint, then compares a partnership's views with and without it as of
    /// 2015-12-31 and now (or at `points`); `check` looks further at each filtered result.
    func expectSameThroughACheckpoint(_ fixture: LedgerFixture, of partnership: String = "lewisham",
                                      at points: [PointInTime] = [.asOf(Day(iso: "2015-12-31")!), .now], writing: Bool = true,
                                      check: (PointInTime, Ledger.ReplayResult) -> Void,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        if writing { _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.writeNow) }
        for point in points {
            let filtered = try fixture.ledger.replay(point, auditing: false, checkpoints: Fixture.readOnly, partnership: partnership)
            #expect(filtered.replay.state.deferredIDs != nil, "the checkpoint is read", sourceLocation: sourceLocation)
            let whole = try fixture.ledger.replay(point, auditing: false, checkpoints: Fixture.off)
            let baseline = Period("2014/15")!
            #expect(Shown(filtered, partnership, compare: "crime", baseline: baseline) == Shown(whole, partnership, compare: "crime", baseline: baseline),
                    "\(partnership) at \(point)", sourceLocation: sourceLocation)
            check(point, filtered)
        }
    }
}
