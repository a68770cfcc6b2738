import EventLog
import Foundation
import Ledger
import LedgerModel
import Projections
import Testing

/// The bundled example ledgers, replayed at their boards and checked against the seeds' own words.
struct ExampleLedgerTests {
    static let names = ["lewisham-2008-11", "lewisham-2015-16", "southwark-2008-12", "havering-2017-20", "lewisham-2023-24"]

    static func ledger(_ name: String) throws -> Ledger {
        try Ledger(path: Repository.root.appendingPathComponent("Examples/\(name).jsonl").path)
    }

    @Test(arguments: names)
    func everyExampleVerifiesAndIsItsFeedExactly(name: String) throws {
        let report = try Self.ledger(name).verify()
        #expect(report.problem == nil)
        let feed = try String(contentsOf: Repository.root.appendingPathComponent("Examples/\(name)/plan.jsonl"), encoding: .utf8)
        #expect(report.events == feed.split(separator: "\n").count, "rebuild with bash Examples/build.sh")
        #expect(try Self.ledger(name).replay().unknownEvents == 0)
    }

    @Test func lewisham2015AtItsPointReproducesTheMOPAC7TableAndTheMARACFigures() throws {
        let state = try Self.ledger("lewisham-2015-16").replay(.asOf(try #require(Day(iso: "2015-04-01")))).replay.state
        let seed = try SeedScenarioTests.mopac7TableFromSeed()
        let rows = state.compareRows(area: "lewisham", indicator: "MOPAC7", baseline: try #require(Period("2013")), periods: [try #require(Period("2014"))])
        #expect(rows.map(\.changePercent) == seed.map(\.percent))
        #expect(rows.map(\.baseline) == seed.map { Optional($0.y2013) })
        #expect(rows.map(\.value) == seed.map { Optional($0.y2014) })
        // MARAC: "Total cases - 412 Total repeats - 115 (28%)" and "Total cases - 450 Total repeats - 73 (16%)".
        let text = try Repository.seed("001_")
        #expect(text.contains("Total cases - 450 Total repeats - 73 (16%)") && text.contains("Total cases - 412 Total repeats - 115 (28%)"))
        for (period, percent) in [("2012/13", 28.0), ("2013/14", 16.0)] {
            let p = try #require(Period(period))
            let value = try #require(state.figure(area: "lewisham", indicator: "marac-repeat-rate", period: p)?.value)
            #expect(value.rounded() == percent, "\(period)")
        }
        let marac = try #require(state.statusRows(indicator: "marac-repeat-rate").first)
        #expect(marac.rag == .red && marac.ragNote == "below band")
    }

    /// Havering's KPI table: each row's "Reduce"/"Increase", read from the seed, is the direction of its target at the board.
    @Test func haveringAtItsBoardHasTheSeedsTargetDirections() throws {
        let ledger = try Self.ledger("havering-2017-20")
        let seal = try ledger.boardSeal("hcsp-2017-04")
        let state = try ledger.replay(seal).replay.state
        let text = try Repository.seed("003_")
        let seedRows = text.split(separator: "\n").compactMap { line -> (String, String)? in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, ["Reduce", "Increase"].contains(cells[cells.count - 2]), cells[cells.count - 1] == "Communities" else { return nil }
            let description = cells.first { !$0.isEmpty && $0 != "Regional" } ?? ""
            return (description, cells[cells.count - 2].lowercased())
        }
        #expect(seedRows.count == 15) // 8 local rows, 7 regional (MOPAC) rows
        // Which indicator each of the seed's rows became (the feed's own ids).
        let indicatorOf = [
            "Reduce alcohol related ambulance call-outs": "alcohol-ambulance-callouts",
            "Reduce the number of repeat victims of domestic abuse": "da-repeat-victims",
            "Reduce levels of serious violence for the cohort": "mentoring-cohort-serious-violence",
            "Encourage more victims of hate crime": "hate-crime-reporting",
            "Reduce reoffending rates of individuals managed through the DIP": "dip-cohort-reoffending-rate",
            "(Burglary)": "burglary",
            "(Violence with Injury)": "violence-with-injury",
            "reduce the number of knife and gun crimes": "knife-gun-crime",
            "reduce the total number of victim based crimes": "victim-based-crime",
            "reoffending rates of targeted cohorts": "iom-cohort-reoffending-rate",
            "reduce the number of young victims of crime": "young-victims",
            "reduce the number of first time entrants": "first-time-entrants",
            "reduce the volume of serious youth violence": "serious-youth-violence",
            "victims of child sexual exploitation": "cse-victims-reporting",
            "encourage more victims of VAWG": "vawg-victims-reporting",
        ]
        for (description, direction) in seedRows {
            let id = try #require(indicatorOf.first { description.contains($0.key) }?.value, "\(description)")
            let target = try #require(state.targetInForce(partnership: "havering", indicator: id, period: Period("2017/18")), "\(id)")
            guard case .direction(let d, _) = target.kind else { Issue.record("\(id) is not a direction target"); continue }
            #expect(d.rawValue == direction, "\(id)")
        }
        // "Numerical targets to be inserted once the 2016/17 year end outturn is known": none are.
        #expect(state.progressRows().allSatisfy { $0.kind == "direction" })
        // Every action of the plan, with the LCPF money the seed gives.
        let actions = state.actionRows(today: try #require(Day(iso: "2017-04-30")))
        #expect(actions.count == 20)
        #expect(actions.contains { $0.resources == Resources(amount: 60_000, currency: "GBP", per: "year", fund: "London Crime Prevention Fund") })
        // The plan at the board is the Final version, approved April 2017.
        #expect(state.plan("havering", "hcsp-2017-20")?.version == "Final")
    }

    @Test func southwarkAtItsReviewShowsTheSeedsReductions() throws {
        let ledger = try Self.ledger("southwark-2008-12")
        let state = try ledger.replay(try ledger.boardSeal("ssp-review-2009-02")).replay.state
        let text = try Repository.seed("002_")
        #expect(text.contains("15% reduction in serious acquisitive crime, 26% reduction in knife crime, 14% reduction in gun crime, 9% reduction in serious youth crime"))
        let changes = Dictionary(uniqueKeysWithValues: state.statusRows(partnership: "southwark").compactMap { row in row.change.map { (row.indicator, roundedPercent($0)) } })
        #expect(changes["serious-acquisitive-crime"] == -15.0)
        #expect(changes["knife-crime"] == -26.0)
        #expect(changes["gun-crime"] == -14.0)
        #expect(changes["serious-youth-crime"] == -9.0)
        #expect(changes["personal-robbery"] == -15.0)
        // Seven priorities became six at the 2009 review.
        let live = state.priorities.keys.filter { key in
            let p = key.split(separator: "/", maxSplits: 2).map(String.init)
            return state.priority(p[0], p[1], p[2]) != nil
        }
        #expect(live.count == 6)
        #expect(state.priorities.count >= 7)
    }

    @Test func lewisham2023HasItsRollingWindowsAndLondonBesideThem() throws {
        let ledger = try Self.ledger("lewisham-2023-24")
        let state = try ledger.replay(try ledger.boardSeal("slp-board-2023-04")).replay.state
        let text = try Repository.seed("004_")
        #expect(text.contains("28.4K\t93.0\t6.5%\t11.6%"))
        let twelve = try #require(Period("2021-10..2022-09"))
        #expect(state.figure(area: "lewisham", indicator: "total-crime", period: twelve)?.value == 28_400)
        #expect(state.figure(area: "lewisham", indicator: "total-crime-rate", period: twelve)?.value == 93.0)
        let london = try #require(state.figure(area: "london", indicator: "total-crime-rate", period: twelve)?.change)
        #expect(roundedPercent(london.fraction) == 11.6)
        // Status shows London beside Lewisham, as the plan's own table does.
        let row = try #require(state.statusRows(indicator: "total-crime-rate").first)
        #expect(row.comparators.map(\.summary) == ["london 11.6%"])
    }

    @Test func lewisham2008LeavesItsBlankTargetColumnsBlank() throws {
        let state = try Self.ledger("lewisham-2008-11").replay().replay.state
        #expect(state.targets.isEmpty)
        let rows = state.statusRows(partnership: "lewisham")
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.target == nil && $0.rag == .noData })
        #expect(rows.contains { $0.indicator == "ni-20" })
    }
}
