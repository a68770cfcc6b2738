import EventLog
import Foundation
import Ledger
import LedgerModel
import Projections
import Testing

/// The seeds' own figures, reproduced through the real ledger: appended, validated, replayed.
struct SeedScenarioTests {
    /// The MOPAC 7 table of the Safer Lewisham Plan 2015/16, read from the seed's own text.
    struct MOPAC7Row { var name: String; var y2013: Double; var y2014: Double; var percent: Double }

    static func mopac7TableFromSeed() throws -> [MOPAC7Row] {
        let text = try Repository.seed("001_")
        let lines = text.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("MOPAC Priority Offences") })
        return lines[(start + 1)...(start + 8)].map { line in
            let cells = line.split(separator: "\t").map { String($0).trimmingCharacters(in: .whitespaces) }
            let number = { (s: String) in Double(s.replacingOccurrences(of: ",", with: "")) ?? .nan }
            return MOPAC7Row(name: cells[0], y2013: number(cells[1]), y2014: number(cells[2]),
                             percent: Double(cells[3].replacingOccurrences(of: "%", with: "")) ?? .nan)
        }
    }

    @Test func theLewishamMOPAC7TableReproducesTheSeedToTheDigit() throws {
        let seed = try Self.mopac7TableFromSeed()
        #expect(seed.count == 8)
        #expect(seed.last?.name == "MOPAC 7 Total")
        let fixture = try LedgerFixture()
        let feed = try String(contentsOf: Repository.root.appendingPathComponent("Examples/lewisham-2015-16/plan.jsonl"), encoding: .utf8)
        try fixture.append(feed.split(separator: "\n").map(String.init))
        let y2013 = try #require(Period("2013")), y2014 = try #require(Period("2014"))
        let rows = try fixture.state().compareRows(area: "lewisham", indicator: "MOPAC7", baseline: y2013, periods: [y2014])
        #expect(rows.count == 8)
        for (row, expected) in zip(rows, seed) {
            #expect(row.indicatorName == expected.name)
            #expect(row.baseline == expected.y2013, "\(expected.name)")
            #expect(row.value == expected.y2014, "\(expected.name)")
            #expect(row.changePercent == expected.percent, "\(expected.name)")
        }
        // The total is the sum of the seven, built by the ledger, not recorded: 12,187 → 10,534, −13.6%.
        let total = try #require(rows.last)
        #expect(total.indicator == "MOPAC7" && total.baseline == 12_187 && total.value == 10_534 && total.changePercent == -13.6)
        #expect(total.change == -1_653)
    }

    /// MOPAC's 20% cut by 2016 against the 2008–12 average, or against 2011/12 as a stretch.
    /// Outturn figures here are the test's own, chosen so every expectation can be worked by hand.
    @Test func mopacTwentyPercentTargetsOnBothBaselinesFollowTheirGlidePaths() throws {
        let fixture = try LedgerFixture()
        var lines = [
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"slp-2015-16","title":"Safer Lewisham Plan 2015/16","from":"2015/16","to":"2015/16"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime-a","name":"Crime A","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime-b","name":"Crime B","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"total","name":"A + B","unit":"count","polarity":"lower-better","sum":["crime-a","crime-b"]}}"#,
        ]
        // 2008/09–2011/12: A = 8000, 8200, 8400, 8400 (mean 8250); B = 4000, 4200, 4400, 4400 (mean 4250). Totals mean 12,500.
        for (year, a, b) in [(2008, 8000, 4000), (2009, 8200, 4200), (2010, 8400, 4400), (2011, 8400, 4400), (2013, 7200, 3800)] {
            let fy = "\(year)/\(String(format: "%02d", (year + 1) % 100))"
            lines.append(#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime-a","period":"\#(fy)","value":\#(a)}}"#)
            lines.append(#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime-b","period":"\#(fy)","value":\#(b)}}"#)
        }
        lines += [
            #"{"type":"baseline.set","data":{"baseline":"avg-2008-12","partnership":"lewisham","indicator":"total","label":"2008–12 average","periods":["2008/09","2009/10","2010/11","2011/12"],"method":"mean"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"fy-2011-12","partnership":"lewisham","indicator":"total","label":"2011/12","periods":["2011/12"],"method":"value","value":12800}}"#,
            #"{"type":"target.set","data":{"target":"mopac-20","partnership":"lewisham","indicator":"total","period":"2015/16","setBy":"MOPAC","kind":"change","change":-0.20,"baseline":"avg-2008-12","from":"2012/13"}}"#,
            #"{"type":"target.set","data":{"target":"mopac-20-stretch","partnership":"lewisham","indicator":"total","period":"2015/16","setBy":"MOPAC","kind":"change","change":-0.20,"baseline":"fy-2011-12","stretch":true}}"#,
        ]
        try fixture.append(lines, known: "2015-04-01")
        let rows = try fixture.state().progressRows(setBy: .mopac)
        #expect(rows.map(\.target) == ["mopac-20", "mopac-20-stretch"])

        // The 2013/14 outturn is 11,000. Glide path Apr 2012–Mar 2016 = 48 months; by Mar 2014, 24 elapsed:
        // expected = 12,500 × (1 − 0.20 × 24/48) = 11,250. 11,000 ≤ 11,250: green. Change = 11,000/12,500 − 1 = −12.0%.
        let main = rows[0]
        #expect(main.baseline == 12_500)
        #expect(main.outturnPeriod == Period("2013/14"))
        #expect(main.value == 11_000)
        #expect(main.expected == 11_250)
        #expect(main.changePercent == -12.0)
        #expect(main.targetChangePercent == -20.0)
        #expect(main.rag == .green)
        // Each component's share of the change: A 8250 → 7200 (−1050), B 4250 → 3800 (−450); total −1500.
        #expect(main.components.map(\.indicator) == ["crime-a", "crime-b"])
        #expect(main.components.map(\.baseline) == [8250, 4250])
        #expect(main.components.map(\.shareOfChangePercent) == [70.0, 30.0])
        #expect(main.components.map(\.changePercent) == [-12.7, -10.6])

        // The stretch target's glide path starts after its baseline: Apr 2012 (the default) — the same 48 months.
        // expected = 12,800 × 0.9 = 11,520; 11,000 ≤ 11,520: green. Change against 12,800 = −14.1%.
        let stretch = rows[1]
        #expect(stretch.stretch)
        #expect(stretch.baseline == 12_800)
        #expect(stretch.expected == 11_520)
        #expect(stretch.changePercent == -14.1)
        #expect(stretch.rag == .green)

        // A worse year: 2014/15 at 11,900. 36 of 48 months: expected 12,500 × 0.85 = 10,625; ×1.05 = 11,156.25 < 11,900: red.
        // Stretch: 12,800 × 0.85 = 10,880; ×1.05 = 11,424 < 11,900: red. At 11,100: main amber (≤ 11,156.25), stretch amber.
        try fixture.append([
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime-a","period":"2014/15","value":7100}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime-b","period":"2014/15","value":4000}}"#,
        ], known: "2015-05-01")
        let later = try fixture.state().progressRows(setBy: .mopac)
        #expect(later[0].outturnPeriod == Period("2014/15") && later[0].value == 11_100)
        #expect(later[0].expected == 10_625)
        #expect(later[0].rag == .amber)
        #expect(later[1].expected == 10_880)
        #expect(later[1].rag == .amber)
        // As known on 2015-04-30 the 2014/15 figures did not exist yet: the view is the earlier one.
        let day = try #require(Day(iso: "2015-04-30"))
        let before = try fixture.state(.asOf(day)).progressRows(setBy: .mopac)
        #expect(before[0].value == 11_000 && before[0].rag == .green)
    }

    /// Lewisham's MARAC repeat-referral band of 28–35%, with the seed's cases and repeats.
    @Test func theMARACBandIsRedBelowBandAtSixteenPercent() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"slp-2015-16","title":"Safer Lewisham Plan 2015/16","from":"2015/16","to":"2015/16"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"marac-repeat-rate","name":"MARAC repeat referral rate","unit":"percent","polarity":"band"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"marac-repeat-rate","period":"2012/13","numerator":115,"denominator":412,"note":"Total cases 412, total repeats 115 (28%)"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"marac-repeat-rate","period":"2013/14","numerator":73,"denominator":450,"note":"Total cases 450, total repeats 73 (16%)"}}"#,
            #"{"type":"target.set","data":{"target":"marac-28-35","partnership":"lewisham","indicator":"marac-repeat-rate","period":"2015/16","setBy":"MOPAC","kind":"band","low":28,"high":35}}"#,
        ], known: "2015-04-01")
        let state = try fixture.state()
        let area = "lewisham", ind = "marac-repeat-rate"
        let p1213 = try #require(Period("2012/13")), p1314 = try #require(Period("2013/14"))
        let f1213 = try #require(state.figure(area: area, indicator: ind, period: p1213))
        let f1314 = try #require(state.figure(area: area, indicator: ind, period: p1314))
        #expect(roundedPercent(try #require(f1213.value) / 100) == 27.9) // 115/412 — the seed prints it rounded, "28%"
        #expect(roundedPercent(try #require(f1314.value) / 100) == 16.2) // 73/450 — the seed's "16%"
        let status = try #require(state.statusRows(indicator: ind).first)
        #expect(status.period == Period("2013/14"))
        #expect(status.rag == .red)
        #expect(status.ragNote == "below band")
        let target = try #require(state.target("marac-28-35")).target
        #expect(state.assess(target, figure: Figure(value: 30, change: nil, source: .components), period: Period("2014/15")).rag == .green)
        #expect(state.assess(target, figure: Figure(value: 36, change: nil, source: .components), period: Period("2014/15")).note == "above band")
    }

    /// Havering: a "Reduce" target set at the April 2017 board, made numeric once the 2016/17 outturn was known.
    @Test func haveringsDirectionTargetAtItsBoardAndItsNumericRevisionLater() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"havering","name":"Havering Community Safety Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"havering","plan":"hcsp-2017-20","title":"Community Safety Partnership Plan 2017/18 to 2019/20","from":"2017/18","to":"2019/20","version":"Final","approvedBy":"Havering Community Safety Partnership","approvedOn":"2017-04"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"havering.burglary","name":"Neighbourhood crimes of greatest concern (Burglary)","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"target.set","data":{"target":"hv-burglary-2017-18","partnership":"havering","indicator":"havering.burglary","period":"2017/18","setBy":"local","kind":"direction","direction":"reduce","against":"2016/17"}}"#,
            #"{"type":"board.held","data":{"partnership":"havering","board":"hcsp","date":"2017-04","decisions":["Plan approved (Final)"]}}"#,
        ], known: "2017-04-20")
        // After the board: the 2016/17 outturn (test figure) and the numeric target.
        try fixture.append([
            #"{"type":"outturn.recorded","data":{"partnership":"havering","indicator":"havering.burglary","period":"2016/17","value":2000}}"#,
            #"{"type":"target.revised","data":{"target":"hv-burglary-2017-18","kind":"value","value":1900,"reason":"numeric target inserted once the 2016/17 outturn was known"}}"#,
        ], known: "2017-06-30")

        let seal = try fixture.ledger.boardSeal("hcsp")
        guard case .sealed(let seq, _, _) = seal else { Issue.record("not a seal"); return }
        #expect(seq == 4)
        let atBoard = try fixture.state(seal)
        let boardTarget = try #require(atBoard.target("hv-burglary-2017-18")).target
        let fy1617 = try #require(Period("2016/17"))
        #expect(boardTarget.kind == .direction(.reduce, against: .period(fy1617)))
        #expect(atBoard.statusRows().first?.target == "reduce against 2016/17 by 2017/18")
        #expect(atBoard.statusRows().first?.rag == RAG.noData)

        let now = try fixture.state()
        #expect(now.target("hv-burglary-2017-18")?.target.kind == .value(1900))
        let row = try #require(now.statusRows().first)
        #expect(row.target == "value 1900 by 2017/18")
        #expect(row.value == 2000 && row.period == Period("2016/17"))
        #expect(row.rag == .red) // 2,000 > 1,900 × 1.05

        let audit = try fixture.replay().audit.entries(tagged: "target:hv-burglary-2017-18")
        #expect(audit.map(\.type) == ["target.set", "target.revised"])
        let revision = try #require(audit.last)
        #expect(revision.before == "reduce against 2016/17 by 2017/18")
        #expect(revision.after == "value 1900 by 2017/18: numeric target inserted once the 2016/17 outturn was known")
        #expect(revision.known == Day(iso: "2017-06-30"))
        #expect(revision.recorded.count == 24 && revision.backdated)
        #expect(audit.first?.known == Day(iso: "2017-04-20"))
    }

    /// Monthly figures against an annual baseline: nothing is judged until a whole year since the
    /// baseline is in, and status judges on the same figure as progress (not on the latest month).
    @Test func monthlyFiguresAreJudgedAgainstAnAnnualTargetOnlyAsAWholeYear() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"p","title":"Plan","from":"2015/16","to":"2016/17"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"burglary","name":"Burglary","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"b","partnership":"lewisham","indicator":"burglary","label":"2014/15","periods":["2014/15"],"method":"value","value":1200}}"#,
            #"{"type":"target.set","data":{"target":"t","partnership":"lewisham","indicator":"burglary","period":"2016/17","setBy":"local","kind":"change","change":-0.2,"baseline":"b"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"burglary","period":"2015-04","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"burglary","period":"2015-05","value":160}}"#,
        ], known: "2015-06-10")
        var state = try fixture.state()
        var progress = try #require(state.progressRows().first)
        #expect(progress.rag == .noData && progress.value == nil && progress.ragNote == "no full year since the baseline")
        var status = try #require(state.statusRows().first)
        #expect(status.period == Period("2015-05") && status.value == 160)
        #expect(status.rag == .noData)

        // The rest of 2015/16: 1,100 in all. Glide path Apr 2015–Mar 2017 (24 months), 12 elapsed:
        // expected 1,200 × (1 − 0.2 × 12/24) = 1,080; 1,100 ≤ 1,080 × 1.05 = 1,134: amber.
        let rest = (6...12).map { "2015-\(String(format: "%02d", $0))" } + ["2016-01", "2016-02", "2016-03"]
        let values = [80, 80, 80, 80, 80, 80, 80, 80, 75, 75]
        try fixture.append(zip(rest, values).map { period, value in
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"burglary","period":"\#(period)","value":\#(value)}}"#
        }, known: "2016-04-20")
        state = try fixture.state()
        progress = try #require(state.progressRows().first)
        #expect(progress.outturnPeriod == Period("2015/16") && progress.value == 1_100 && progress.expected == 1_080)
        #expect(progress.rag == .amber)
        status = try #require(state.statusRows().first)
        #expect(status.period == Period("2016-03") && status.rag == .amber && status.ragNote == "judged on 2015/16")
    }

    /// A figure given only as a change judges a direction target only when it is against the same period.
    @Test func aChangeAgainstAnotherPeriodDoesNotJudgeADirectionTarget() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"southwark","plan":"p","title":"Plan","from":"2014/15","to":"2014/15"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"knife","name":"Knife crime","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"target.set","data":{"target":"t","partnership":"southwark","indicator":"knife","period":"2014/15","setBy":"local","kind":"direction","direction":"reduce","against":"2013/14"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"knife","period":"2014/15","change":-0.1,"against":"2011/12"}}"#,
        ])
        var status = try #require(try fixture.state().statusRows().first)
        #expect(status.rag == .noData)
        #expect(status.ragNote == "the change recorded is against 2011/12, the target's against 2013/14")
        try fixture.append([#"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"knife","period":"2014/15","change":-0.1,"against":"2013/14"}}"#])
        status = try #require(try fixture.state().statusRows().first)
        #expect(status.rag == .green)
    }

    /// Everything the domain must refuse: named by line and field, and nothing written.
    @Test(arguments: [
        (#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"undefined","period":"2014","value":1}}"#, "indicator", "is not defined"),
        (#"{"type":"target.set","data":{"target":"t2","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"MOPAC","kind":"change","change":-0.2,"baseline":"nope"}}"#, "baseline", "is not set"),
        (#"{"type":"action.updated","data":{"action":"ghost","status":"on-track"}}"#, "action", "has not been created"),
        (#"{"type":"event.retracted","data":{"event":999,"reason":"typo"}}"#, "event", "is not in the ledger"),
        (#"{"type":"event.retracted","data":{"event":"no-such-id","reason":"typo"}}"#, "event", "is not in the ledger"),
        (#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014","numerator":1,"denominator":2}}"#, "value", "only fit ratio, percent or rate"),
        (#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014","value":-3}}"#, "value", "cannot be negative"),
        (#"{"type":"outturn.recorded","data":{"partnership":"nowhere","indicator":"crime","period":"2014","value":3}}"#, "partnership", "is not registered"),
        (#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15 Q5","value":3}}"#, "period", "is not a period"),
        (#"{"type":"target.set","data":{"target":"t3","partnership":"lewisham","indicator":"crime","period":"2019/20","setBy":"MOPAC","kind":"value","value":5}}"#, "period", "outside every plan"),
        (#"{"type":"target.set","data":{"target":"t4","partnership":"lewisham","indicator":"crime","period":"2015/16","setBy":"MOPAC","kind":"band","low":5}}"#, "high", "is required"),
        (#"{"type":"indicator.defined","data":{"indicator":"x","name":"X","unit":"furlongs","polarity":"lower-better"}}"#, "unit", "is not one of"),
        (#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014","value":3,"colour":"red"}}"#, "colour", "is not a field of outturn.recorded"),
        (#"{"type":"board.convened","data":{}}"#, "type", "is not an event type"),
    ])
    func theDomainRejectsWhatDoesNotFitNamingLineAndFieldAndWritesNothing(line: String, field: String, reason: String) throws {
        try expectRejected(line, field: field, reason: reason)
    }

    /// Fields are tracked by position: with more than 64 members, the first unknown one is still
    /// the one named, and known fields after it are not.
    @Test func anUnknownFieldAmongSeventyIsNamedInOrder() throws {
        let extra = (0..<66).map { "\"x\($0)\":1" }.joined(separator: ",")
        try expectRejected(#"{"type":"outturn.recorded","data":{"# + extra + #","partnership":"lewisham","indicator":"crime","period":"2014","value":3}}"#,
                           field: "x0", reason: "is not a field of outturn.recorded")
        try expectRejected(#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","# + extra + #","period":"2014","value":3}}"#,
                           field: "x0", reason: "is not a field of outturn.recorded")
    }

    private func expectRejected(_ line: String, field: String, reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham Partnership"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"lewisham","plan":"p","title":"Plan","from":"2015/16","to":"2015/16"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime","name":"Crime","unit":"count","polarity":"lower-better"}}"#,
        ])
        let before = fixture.bytes
        do {
            try fixture.append([#"{"type":"board.held","data":{"partnership":"lewisham","board":"b","date":"2015-06-30"}}"#, line])
            Issue.record("accepted: \(line)", sourceLocation: sourceLocation)
        } catch let error as LedgerError {
            #expect(error.code == .badInput, sourceLocation: sourceLocation)
            #expect(error.line == 2, "\(error)", sourceLocation: sourceLocation)
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(reason), "\(error)", sourceLocation: sourceLocation)
        }
        #expect(fixture.bytes == before, sourceLocation: sourceLocation)
    }
}
