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
        /// What the retractions retract (other partnerships' outturns among them), and which are retractions.
        var retracted: SeqMap
        var retractions: SeqMembers
        var skipped: Int
        var events: Int
        var unknownEvents: Int

        init(_ result: Ledger.ReplayResult, _ partnership: String, compare indicator: String, baseline: Period) {
            let state = result.replay.state
            status = state.statusRows(partnership: partnership)
            progress = state.progressRows(partnership: partnership)
            actions = state.actionRows(today: Fixture.today(result.replay.pointInTime), partnership: partnership)
            compare = state.compareRows(area: partnership, indicator: indicator, baseline: baseline, periods: [])
            (appliedCount, head, skipped, retracted) = (state.appliedCount, state.head, result.replay.skipped, state.retracted)
            retractions = state.retractionSeqs
            (events, unknownEvents) = (result.events, result.unknownEvents)
        }
    }

    /// What a view of `partnership` as of `day` shows (through the checkpoint, unless `checkpoints`
    /// is off: then the whole fold's), and its state.
    static func shown(_ path: String, _ partnership: String, asOf day: Day, checkpoints: Ledger.CheckpointPolicy) throws -> (Shown, LedgerState) {
        let result = try Ledger(path: path).replay(.asOf(day), auditing: false, checkpoints: checkpoints,
                                                   partnership: checkpoints == Fixture.off ? nil : partnership)
        return (Shown(result, partnership, compare: "MOPAC7", baseline: Period("2010/11")!), result.replay.state)
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
                // The views that show no action, action update or board (status, progress,
                // compare) leave those out too, and show the same.
                for kept in [p, nil] {
                    let narrow = try ledger.replay(point, auditing: false, checkpoints: Fixture.readOnly, partnership: kept, readsUpdates: false)
                    var (a, b) = (Shown(narrow, p, compare: "MOPAC7", baseline: baseline), Shown(whole, p, compare: "MOPAC7", baseline: baseline))
                    (a.actions, b.actions) = ([], [])
                    #expect(a == b, "\(p) at \(point), checkpoint at \(cover), without action updates or boards (of \(kept ?? "every partnership"))")
                    if cover == .head {
                        #expect(narrow.replay.state.actions.isEmpty && narrow.replay.state.actionUpdates.isEmpty && narrow.replay.state.boards.isEmpty)
                    }
                }
                // The other partnerships' figures were left out, so the check is not vacuous.
                let state = filtered.replay.state
                if state.partnership(p) != nil, state.partnerships.count == partnerships.count {
                    #expect(state.outturnAreasLeftOut == Set(partnerships).subtracting([p]), "\(p) at \(point)")
                    #expect(!state.outturns.keys.contains { $0.area != p && state.outturnAreasLeftOut.contains($0.area) })
                    // Their records were never read: counted from the index, and those the
                    // checkpoint's retractions name listed there — unless a retraction after it names one.
                    if cover == .head { #expect(state.leftOutApplied?.isRestJudged == false, "\(p) at \(point)") }
                    compared += 1
                }
            }
        }
        #expect(compared >= 40)
    }

    /// A status (or compare) view of one indicator (`--indicator`) read through a checkpoint keeps only the
    /// figures it reads — the indicator's, its components' if it is a composite (a sum or a
    /// ratio), and those of the baselines its targets measure against — and its rows and counts
    /// equal the whole fold's, for every indicator, with and without a partnership, at every
    /// point in time. A composite's components are found only by the first fold, which then
    /// folds again keeping them.
    @Test(arguments: [Fixture.Cover.middle, .head])
    func aStatusViewOfOneIndicatorThroughACheckpointEqualsTheWholeFoldAtEveryPoint(_ cover: Fixture.Cover) throws {
        let h = Fixture.history
        let scratch = try Fixture.Scratch()
        let path = try Fixture.log(h, checkpointAt: cover.seq(in: h), in: scratch)
        let ledger = try Ledger(path: path)
        let everything = try ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state
        let partnerships = everything.partnerships.keys.sorted()
        let indicators = everything.indicators.keys.sorted()
        try #require(indicators.contains("MOPAC7") && indicators.contains("solved-rate") && indicators.contains("MOPAC7.burglary"))
        var (narrowed, composites) = (0, 0)
        for point in Fixture.allPoints.enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) {
            for p in [nil] + partnerships.map(Optional.some) {
                let whole = try ledger.replay(point, auditing: false, checkpoints: Fixture.off)
                for indicator in indicators {
                    let view = try ledger.replay(point, auditing: false, checkpoints: Fixture.readOnly, partnership: p, indicator: indicator)
                    let (a, b) = (view.replay.state, whole.replay.state)
                    #expect(a.statusRows(partnership: p, indicator: indicator) == b.statusRows(partnership: p, indicator: indicator),
                            "\(indicator) of \(p ?? "every partnership") at \(point), checkpoint at \(cover)")
                    if let p {
                        let baseline = Period("2010/11")!
                        #expect(a.compareRows(area: p, indicator: indicator, baseline: baseline, periods: [])
                                == b.compareRows(area: p, indicator: indicator, baseline: baseline, periods: []), "compare \(indicator) of \(p) at \(point)")
                    }
                    #expect([a.appliedCount, a.head, view.replay.skipped, view.events] == [b.appliedCount, b.head, whole.replay.skipped, whole.events],
                            "\(indicator) of \(p ?? "every partnership") at \(point): counts")
                    #expect(b.indicatorsRead(of: indicator, partnership: p) == Self.indicatorsReadFromEveryTarget(b, indicator, p),
                            "\(indicator) of \(p ?? "every partnership") at \(point): indicators read")
                    // The other indicators' figures of the checkpoint were left out, so the check is not vacuous.
                    if let kept = a.outturnIndicatorsKept, cover == .head {
                        #expect(kept == a.indicatorsRead(of: indicator, partnership: p))
                        #expect(Set(a.outturns.keys.map(\.indicator)).isSubset(of: kept), "\(indicator) at \(point)")
                        // A view of one partnership decodes no other indicator's definition or targets.
                        if p != nil {
                            #expect(Set(a.indicators.keys).isSubset(of: kept), "\(indicator) of \(p!) at \(point): definitions")
                            #expect(a.targets.keys.allSatisfy { id in a.target(id).map { kept.contains($0.target.indicator) } ?? true },
                                    "\(indicator) of \(p!) at \(point): targets")
                        }
                        narrowed += 1
                        if kept.count > 1 { composites += 1 }
                    }
                }
            }
        }
        #expect(cover != .head || (narrowed >= 100 && composites >= 10), "narrowed \(narrowed), composites \(composites)")
    }

    /// `indicatorsRead(of:partnership:)` worked out from every target's state (not only those
    /// whose settings name an indicator met): the indicator, its components, and the indicators of
    /// the baselines its targets (and theirs) measure against.
    static func indicatorsReadFromEveryTarget(_ state: LedgerState, _ indicator: String, _ partnership: String?) -> Set<String> {
        let targets = state.targets.keys.compactMap { state.target($0)?.target }.filter { partnership == nil || $0.partnership == partnership }
        var needed: Set<String> = [indicator]
        var queue = [indicator]
        while let id = queue.popLast() {
            var more = state.indicator(id)?.composition.components ?? []
            for t in targets where t.indicator == id {
                let baselineID: String? = switch t.kind {
                case .change(_, let id, _): id
                case .direction(_, .baseline(let id)?): id
                default: nil
                }
                if let baselineID, let b = state.baseline(baselineID) { more.append(b.indicator) }
            }
            for other in more where needed.insert(other).inserted { queue.append(other) }
        }
        return needed
    }

    /// The status rows of one partnership, of one indicator, or of one indicator of one
    /// partnership are the rows of everything that are theirs, in the same order, at every point
    /// in time: the view gathers only the rows asked for.
    @Test func theStatusRowsAskedForAreTheWholeViewsRowsOfThem() throws {
        let h = Fixture.history
        let scratch = try Fixture.Scratch()
        let ledger = try Ledger(path: try Fixture.log(h, checkpointAt: h.count, in: scratch))
        var compared = 0
        for point in Fixture.allPoints.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
            let state = try ledger.replay(point, auditing: false, checkpoints: Fixture.off).replay.state
            let all = state.statusRows()
            let partnerships = [nil] + state.partnerships.keys.sorted().map(Optional.some)
            let indicators = [nil] + state.indicators.keys.sorted().map(Optional.some)
            for p in partnerships {
                for i in indicators {
                    let expected = all.filter { (p == nil || $0.partnership == p) && (i == nil || $0.indicator == i) }
                    #expect(state.statusRows(partnership: p, indicator: i) == expected, "\(p ?? "every partnership"), \(i ?? "every indicator") at \(point)")
                    if !expected.isEmpty, p != nil, i != nil { compared += 1 }
                }
            }
        }
        #expect(compared >= 50, "\(compared) single rows compared")
    }

    /// A target measured against a baseline of another indicator: a status view of the target's
    /// indicator reads the baseline's figures too, so the view folds again keeping them.
    @Test func aStatusViewOfOneIndicatorReadsTheFiguresOfItsTargetsBaselines() throws {
        let fixture = try Self.fixture()
        try fixture.append([
            #"{"type":"indicator.defined","data":{"indicator":"disorder","name":"Disorder","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"p","title":"Plan","from":"2014/15","to":"2016/17"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"d-base","partnership":"lewisham","indicator":"disorder","label":"2014/15","periods":["2014/15"],"method":"sum"}}"#,
            #"{"type":"target.set","data":{"target":"t","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"local","kind":"direction","direction":"reduce","against":"d-base"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2015/16","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"disorder","period":"2014/15","value":200}}"#,
        ], known: "2015-06-01")
        _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.writeNow)
        let whole = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state.statusRows(partnership: "lewisham", indicator: "crime")
        let view = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.readOnly, partnership: "lewisham", indicator: "crime")
        #expect(view.replay.state.statusRows(partnership: "lewisham", indicator: "crime") == whole)
        #expect(whole.map(\.rag) == [.green], "judged against disorder's 200")
        #expect(view.replay.state.outturnIndicatorsKept == ["crime", "disorder"])
    }

    /// A view of one partnership counts the other partnerships' outturns from the checkpoint's
    /// index, never reading their records: one of them edited in the checkpoint (the digests
    /// left as written) changes nothing. Once a retraction after the checkpoint names that very
    /// record, the view looks it up — every record judged, each piece checked — finds the
    /// damage, and judges it from the log's line instead: the same state as the whole fold's.
    /// With the checksum worked out again, the edited record is believed, and the retraction
    /// retracts nothing: so without the check it would change the state.
    @Test func theOutturnsOfAreasLeftOutAreCountedFromTheIndexAndReadOnlyWhenARetractionNamesOne() throws {
        // Large enough that the outturns fill checksummed pieces of their own (64 KiB each).
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
        // An outturn of another partnership known by the day, never retracted.
        let retracted = Set(h.retractions.values)
        // (In a piece the view does not read: none of the kept partnership's records there.)
        let keptPieces = Set((0..<layout.outturnCount).filter { layout.stringTable[Int(layout.outturnKey($0).area)] == kept }
            .flatMap { [piece(layout.outturnRecord($0)), piece(layout.outturnRecord($0) + 63)] })
        let unread = shared + keptPieces
        let index = try #require((0..<layout.outturnCount).first { i in
            let key = layout.outturnKey(i)
            return !unread.contains(piece(layout.outturnRecord(i))) && !unread.contains(piece(layout.outturnRecord(i) + 63))
                && layout.stringTable[Int(key.area)] != kept && partnerships.contains(layout.stringTable[Int(key.area)])
                && key.known <= BodyLayout.packed(day) && !retracted.contains(key.seq)
        })
        let target = layout.outturnKey(index).seq
        var damaged = file
        Fixture.setInt32(&damaged, at: layout.outturnRecord(index) + 8, 2999_01_01) // known long after the day
        func shown(checkpoints: Ledger.CheckpointPolicy) throws -> (Shown, LedgerState) { try Self.shown(path, kept, asOf: day, checkpoints: checkpoints) }

        // Never read: the damage changes nothing, and the checkpoint is used.
        let (whole, _) = try shown(checkpoints: Fixture.off)
        try Fixture.write(damaged, to: path + ".ckpt")
        let (view, state) = try shown(checkpoints: Fixture.readOnly)
        let same = view == whole // (not printed whole: thousands of rows)
        #expect(same, "applied \(view.appliedCount) vs \(whole.appliedCount), skipped \(view.skipped) vs \(whole.skipped)")
        #expect(state.outturnAreasLeftOut.count == partnerships.count - 1, "the checkpoint should have been read")

        // A retraction after the checkpoint names it: looked up, the damage found, the log read.
        try Fixture.write(file, to: path + ".ckpt")
        _ = try ledger.append(jsonLines: Array(#"{"type":"event.retracted","data":{"event":\#(target),"reason":"test"}}\#n"#.utf8),
                              defaults: InputDefaults(source: "tests", actor: "tests", known: CalendarDate(year: 2000, month: 1, day: 1)))
        let (afterWhole, wholeState) = try shown(checkpoints: Fixture.off)
        #expect(wholeState.retracted[target] == h.count + 1)
        for (label, body) in [("digests as written", damaged), ("checksum worked out again", Fixture.resum(damaged))] {
            try Fixture.write(body, to: path + ".ckpt")
            let (after, state) = try shown(checkpoints: Fixture.readOnly)
            #expect(state.outturnAreasLeftOut.count == partnerships.count - 1, "\(label): the checkpoint should have been read")
            if label == "digests as written" {
                #expect(state.retracted[target] == h.count + 1, "\(label): the retraction should retract \(target)")
                let same = after == afterWhole // (not printed whole: thousands of rows)
                #expect(same, "\(label)")
            } else {
                #expect(state.retracted[target] == nil, "\(label): the edited record should have been believed")
                var rest = after
                rest.retracted[target] = h.count + 1
                let same = rest == afterWhole
                #expect(same, "\(label): all else the same")
            }
        }
    }

    /// The other partnerships' targets, actions and the rest are counted from the index's
    /// tables, their envelopes never read — until a retraction after the checkpoint names one
    /// that no retraction of the checkpoint's names. Then the view judges every envelope (checked
    /// against its digests): with one damaged (the digests as written), it judges the log's lines
    /// instead and shows what the whole fold shows; with the checksum worked out again, the edited
    /// envelope is believed, and the retraction retracts nothing — so without the check it would
    /// change the state.
    @Test func theOtherEventsOfPartnershipsLeftOutAreCountedFromTheIndexAndJudgedOnlyWhenARetractionNamesOne() throws {
        // Large enough that the envelopes fill checksummed pieces of their own (64 KiB each).
        let h = Fixture.encode(size: (boroughs: 4, indicators: 60, years: 10))
        let scratch = try Fixture.Scratch()
        let path = try Fixture.log(h, checkpointAt: h.count, in: scratch)
        let file = try Fixture.checkpointFile(path)
        let layout = try BodyLayout(file)
        let ledger = try Ledger(path: path)
        let partnerships = try ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state.partnerships.keys.sorted()
        let (kept, day) = (try #require(partnerships.first), h.knownDays[h.knownDays.count / 2])
        let keptIndex = try #require(layout.stringTable.firstIndex(of: kept))
        // The envelope table follows the partnerships' and the groups' tables, each after its count.
        let table = layout.index.bytes.lowerBound + 8 + 4 * layout.indexPartnerships.count + 8 + 32 * layout.indexGroups.count + 8
        let piece = { (offset: Int) in (offset - layout.bodyStart) / XXH64.checksumPiece }
        let inTableAlone = { (offset: Int) in piece(offset) > piece(table - 1) && piece(offset) < piece(table + 32 * layout.indexOtherEnvelopes.count) }
        // A target or an action of another partnership known by the day, never retracted, its
        // envelope in a piece of the table's own.
        let retracted = Set(h.retractions.values)
        let k = try #require(layout.indexOtherEnvelopes.indices.first { i in
            let e = layout.indexOtherEnvelopes[i]
            return ["target.set", "action.created"].contains(h.types[e.seq]) && e.partnership != keptIndex && e.partnership != 0xFFFF_FFFF
                && e.known <= BodyLayout.packed(day) && !retracted.contains(e.seq) && inTableAlone(table + 32 * i) && inTableAlone(table + 32 * i + 31)
        })
        let target = layout.indexOtherEnvelopes[k].seq
        let envelopeAt = table + 32 * k
        #expect(BodyLayout.int64(file, envelopeAt) == target)
        var damaged = file
        Fixture.setInt32(&damaged, at: envelopeAt + 8, 2999_01_01) // known long after the day
        func shown(checkpoints: Ledger.CheckpointPolicy) throws -> (Shown, LedgerState) { try Self.shown(path, kept, asOf: day, checkpoints: checkpoints) }

        // Never read: the damage changes nothing, and the envelopes are not judged.
        let (whole, _) = try shown(checkpoints: Fixture.off)
        try Fixture.write(damaged, to: path + ".ckpt")
        let (view, state) = try shown(checkpoints: Fixture.readOnly)
        #expect(view == whole)
        #expect(state.outturnAreasLeftOut.count == partnerships.count - 1, "the checkpoint should have been read")
        #expect(state.leftOutApplied?.isRestJudged == false)

        // A retraction after the checkpoint names it: judged, and with the damage, from the log.
        try Fixture.write(file, to: path + ".ckpt")
        _ = try ledger.append(jsonLines: Array(#"{"type":"event.retracted","data":{"event":\#(target),"reason":"test"}}\#n"#.utf8),
                              defaults: InputDefaults(source: "tests", actor: "tests", known: CalendarDate(year: 2000, month: 1, day: 1)))
        let (afterWhole, wholeState) = try shown(checkpoints: Fixture.off)
        #expect(wholeState.retracted[target] == h.count + 1)
        for (label, body) in [("as written", file), ("digests as written", damaged), ("checksum worked out again", Fixture.resum(damaged))] {
            try Fixture.write(body, to: path + ".ckpt")
            let (after, state) = try shown(checkpoints: Fixture.readOnly)
            #expect(state.outturnAreasLeftOut.count == partnerships.count - 1, "\(label): the checkpoint should have been read")
            #expect(state.leftOutApplied?.isRestJudged == true, "\(label)")
            if label == "checksum worked out again" {
                #expect(state.retracted[target] == nil, "\(label): the edited envelope should have been believed")
                var rest = after
                rest.retracted[target] = h.count + 1
                #expect(rest == afterWhole, "\(label): all else the same")
            } else {
                #expect(state.retracted[target] == h.count + 1, "\(label): the retraction should retract \(target)")
                #expect(after == afterWhole, "\(label)")
            }
        }
    }

    /// The checkpoint's index of outturns is checked when it is read: a known day's entry moved
    /// (the digests left as written) sets the checkpoint aside; with the checksum worked out
    /// again, the view counts that day's outturns as not yet known — so without the check it
    /// would change an answer.
    @Test func aDamagedIndexOfOutturnsIsFoundByTheViewThatCountsFromIt() throws {
        let h = Fixture.encode(size: (boroughs: 4, indicators: 12, years: 4))
        let scratch = try Fixture.Scratch()
        let path = try Fixture.log(h, checkpointAt: h.count, in: scratch)
        let file = try Fixture.checkpointFile(path)
        let layout = try BodyLayout(file)
        let ledger = try Ledger(path: path)
        let kept = try #require(ledger.replay(.now, auditing: false, checkpoints: Fixture.off).replay.state.partnerships.keys.sorted().first)
        // A known day in the middle with a gap after it, moved into the gap; the view as of that day.
        let days = layout.indexKnownDays
        let j = try #require((days.count / 2..<days.count - 1).first { days[$0 + 1].day - days[$0].day > 1 })
        let entry = layout.indexKnownDaysAt + 16 * j
        var damaged = file
        Fixture.setInt32(&damaged, at: entry, Int32(days[j].day + 1))
        let day = Day(year: days[j].day / 10_000, month: days[j].day / 100 % 100, day: days[j].day % 100)!
        let baseline = Period("2010/11")!
        let whole = Shown(try ledger.replay(.asOf(day), auditing: false, checkpoints: Fixture.off), kept, compare: "MOPAC7", baseline: baseline)
        for (label, body) in [("digests as written", damaged), ("checksum worked out again", Fixture.resum(damaged))] {
            try Fixture.write(body, to: path + ".ckpt")
            let view = try Ledger(path: path).replay(.asOf(day), auditing: false, checkpoints: Fixture.readOnly, partnership: kept)
            let shown = Shown(view, kept, compare: "MOPAC7", baseline: baseline)
            if label == "digests as written" {
                #expect(shown == whole, "\(label): applied \(shown.appliedCount) vs \(whole.appliedCount)")
                #expect(view.replay.state.outturnAreasLeftOut.isEmpty, "\(label): the checkpoint should have been set aside")
            } else {
                // (All but the kept areas', which the view reads: it counts the others as all the index counts, less those.)
                #expect(shown.appliedCount == whole.appliedCount - days[j].count,
                        "\(label): the moved day's outturns should not count (\(shown.appliedCount) vs \(whole.appliedCount))")
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

    @Test func aTargetIdUsedForAnotherIndicatorBeforeTheCheckpointIsRead() throws {
        // Lewisham sets "t" for ASB, retracts it; after the checkpoint, sets "t" for crime, and a
        // revision is backdated before it all; ASB's definition is retracted, then defined again.
        let fixture = try Self.fixture()
        try fixture.append([
            #"{"type":"indicator.defined","id":"asb-def","data":{"indicator":"asb","name":"ASB","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"target.set","id":"t-asb","data":{"target":"t","partnership":"lewisham","indicator":"asb","period":"2015/16","setBy":"local","kind":"value","value":40}}"#,
            #"{"type":"event.retracted","data":{"event":"t-asb","reason":"the wrong indicator"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"asb","period":"2014/15","value":50}}"#,
        ], known: "2015-01-01")
        _ = try fixture.ledger.replay(.now, auditing: false, checkpoints: Fixture.writeNow)
        try fixture.append([#"{"type":"target.set","data":{"target":"t","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"local","kind":"value","value":100}}"#],
                           known: "2015-06-01")
        try fixture.append([#"{"type":"target.revised","data":{"target":"t","value":90,"reason":"backdated"}}"#], known: "2014-12-01")
        try fixture.append([#"{"type":"event.retracted","data":{"event":"asb-def","reason":"renamed"}}"#], known: "2015-07-01")
        try fixture.append([#"{"type":"indicator.defined","data":{"indicator":"asb","name":"Antisocial behaviour","unit":"count","polarity":"lower-better"}}"#],
                           known: "2015-08-01")
        for point in [PointInTime.asOf(Day(iso: "2014-12-31")!), .asOf(Day(iso: "2015-03-01")!), .asOf(Day(iso: "2015-07-15")!), .now] {
            let whole = try fixture.ledger.replay(point, auditing: false, checkpoints: Fixture.off)
            for indicator in ["crime", "asb"] {
                let view = try fixture.ledger.replay(point, auditing: false, checkpoints: Fixture.readOnly, partnership: "lewisham", indicator: indicator)
                #expect(view.replay.state.deferredIDs != nil, "the checkpoint is read")
                let (a, b) = (view.replay.state, whole.replay.state)
                #expect(a.statusRows(partnership: "lewisham", indicator: indicator) == b.statusRows(partnership: "lewisham", indicator: indicator),
                        "\(indicator) at \(point)")
                #expect([a.appliedCount, a.head, view.replay.skipped, view.events] == [b.appliedCount, b.head, whole.replay.skipped, whole.events],
                        "\(indicator) at \(point): counts")
            }
        }
        let now = try fixture.ledger.replay(.now, auditing: false, partnership: "lewisham", indicator: "crime").replay.state
        #expect(now.statusRows(partnership: "lewisham", indicator: "crime").map(\.target) == ["value 90 by 2015/16"])
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
