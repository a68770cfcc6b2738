import Testing
@testable import LedgerModel

/// The outturn table answers exactly as a plain dictionary of each key's entries in seq order
/// would — every field of every entry as it was given, though packed — every lookup (by key, or
/// through a series found once), after every append, for months near and far apart (before the first
/// month it saw, past its century of array slots), financial years, quarters and spans, one
/// event at a time and a checkpoint's run at a time.
struct OutturnTableTests {
    @Test(arguments: [1, 2, 3])
    func answersAsADictionaryOfEachKeysEntries(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        let areas = ["borough-1", "borough-2", "london"], indicators = ["MOPAC7", "count-1", "rate-2"]
        // Months around 2015, a few far away (beyond the array's century, before and after), and other shapes.
        let periods: [Period] = (0..<60).map { Period.month(Month(index: 2015 * 12 + $0 - 30)) }
            + [Period.month(Month(index: 1900 * 12)), Period.month(Month(index: 2300 * 12 + 5)), Period.month(Month(index: 2114 * 12))]
            + ["2015/16", "2015/16 Q2", "2016", "2014-04..2015-03", "2014-04..2014-04"].map { Period($0)! }
        var table = OutturnTable()
        var model: [OutturnKey: [Entry<OutturnRecorded>]] = [:]
        var retracted: Set<Int> = []
        var seq = 0
        // Every kind of value, status and known day, some notes: all kept exactly, packed as they are.
        func entry(_ key: OutturnKey) -> Entry<OutturnRecorded> {
            seq += 1
            let against = periods.randomElement(using: &random)!
            let value: OutturnValue = switch random.next() % 3 {
            case 0: .number(Double(seq) * 1.5 - 100)
            case 1: .ratio(numerator: Double(random.next() % 100), denominator: Double(random.next() % 1000) + 0.25)
            default: .change(-Double(random.next() % 100) / 100, against: against)
            }
            let known = Day(year: Int(random.next() % 9999) + 1, month: Int(random.next() % 12) + 1, day: Int(random.next() % 28) + 1)!
            return Entry(seq: seq, known: known, payload: OutturnRecorded(
                area: key.area, isPartnership: random.next() % 2 == 0, indicator: key.indicator, period: key.period, value: value,
                status: OutturnStatus.allCases.randomElement(using: &random)!, note: random.next() % 4 == 0 ? "note \(seq)" : nil))
        }
        func randomKey() -> OutturnKey {
            OutturnKey(area: areas.randomElement(using: &random)!, indicator: indicators.randomElement(using: &random)!,
                       period: periods.randomElement(using: &random)!)
        }
        func check() {
            #expect(table.dictionary == model)
            #expect(table.keyCount == model.count && table.isEmpty == model.isEmpty)
            for _ in 0..<20 {
                let key = randomKey()
                let entries = model[key] ?? []
                #expect(table.newestFirst(key) == entries.reversed())
                let latest = table.latest(key) { !retracted.contains($0) }
                #expect(latest.entry == entries.last { !retracted.contains($0.seq) } && latest.count == entries.count)
                // Through the series found once: the same latest entry's value, and each period once.
                let found = table.series(area: key.area, indicator: key.indicator)
                let value = found.flatMap { table.latestValue($0, key.period) { !retracted.contains($0) } }
                #expect(value?.seq == latest.entry?.seq && value?.value == latest.entry?.payload.value
                        && value?.status == latest.entry?.payload.status)
                let series = model.filter { $0.key.area == key.area && $0.key.indicator == key.indicator }
                #expect((found != nil) == !series.isEmpty)
                var periods: [Period] = []
                if let found { table.forEachPeriod(found) { periods.append($0) } }
                #expect(Set(periods) == Set(series.keys.map(\.period)) && periods.count == series.count)
                #expect(table.hasAny(area: key.area, indicator: key.indicator) { !retracted.contains($0) }
                        == series.values.joined().contains { !retracted.contains($0.seq) })
            }
            var byArea: [String: Set<String>] = [:]
            for key in model.keys { byArea[key.area, default: []].insert(key.indicator) }
            #expect(table.indicatorsByArea == byArea)
        }
        for round in 0..<300 {
            let key = randomKey()
            if round % 7 == 0 {
                let run = (0..<Int(random.next() % 3 + 1)).map { _ in entry(key) }
                table.append(area: key.area, indicator: key.indicator, period: key.period, run)
                model[key, default: []] += run
            } else {
                let e = entry(key)
                table.append(e)
                model[key, default: []].append(e)
            }
            if random.next() % 5 == 0 { retracted.insert(Int(random.next() % UInt64(seq)) + 1) }
            if round % 10 == 0 { check() }
        }
        check()
        #expect(model.count > 150)
    }

    /// A view's replay folds an outturn as an ``OutturnEvent`` (packed on the reading thread): the
    /// state after it is the state after the whole event — the same table, the same ids found,
    /// the same events applied, the same areas left out — and the reduced event gives back every
    /// field it was made from.
    @Test(arguments: [false, true])
    func anOutturnFoldedReducedLeavesTheStateTheWholeEventLeaves(leavingOutAnArea: Bool) {
        var random = SeededGenerator(state: 11)
        let areas = ["borough-1", "borough-2", "london"], indicators = ["MOPAC7", "count-1", "rate-2"]
        let periods = ["2015-04", "2015-05", "2015/16", "2015/16 Q2", "2016", "2014-04..2015-03"].map { Period($0)! }
        var whole = LedgerState(), reduced = LedgerState()
        if leavingOutAnArea { (whole.outturnAreasLeftOut, reduced.outturnAreasLeftOut) = (["borough-2"], ["borough-2"]) }
        var ids: [String] = []
        for seq in 1...400 {
            let value: OutturnValue = switch random.next() % 3 {
            case 0: .number(Double(random.next() % 1000) / 8)
            case 1: .ratio(numerator: Double(random.next() % 100), denominator: Double(random.next() % 1000) + 1)
            default: .change(-Double(random.next() % 100) / 100, against: periods.randomElement(using: &random)!)
            }
            let outturn = OutturnRecorded(area: areas.randomElement(using: &random)!, isPartnership: random.next() % 2 == 0,
                                          indicator: indicators.randomElement(using: &random)!, period: periods.randomElement(using: &random)!,
                                          value: value, status: OutturnStatus.allCases.randomElement(using: &random)!,
                                          note: random.next() % 4 == 0 ? "note \(seq)" : nil)
            let known = Day(year: 2000 + Int(random.next() % 30), month: Int(random.next() % 12) + 1, day: Int(random.next() % 28) + 1)!
            let recorded = Day(year: 2000 + Int(random.next() % 30), month: Int(random.next() % 12) + 1, day: Int(random.next() % 28) + 1)!
            let id = "ev-\(seq)"
            ids.append(id)
            let event = LedgerEvent(seq: seq, id: id, recorded: 0, recordedText: "", known: known, source: "s", actor: "a",
                                    prev: "", hash: "", event: .outturnRecorded(outturn), recordedDay: recorded)
            let o = OutturnEvent(event)!
            #expect(o.seq == seq && o.known == known && o.recordedDay == recorded && o.idKey == EventIDs.Key(id) && o.outturn == outturn)
            whole.apply(event)
            reduced.apply(o)
        }
        #expect(reduced.outturns == whole.outturns && !whole.outturns.isEmpty)
        #expect(reduced.appliedCount == whole.appliedCount && reduced.outturnAreas == whole.outturnAreas)
        #expect(leavingOutAnArea == (whole.outturnAreas["borough-2"] == nil))
        for id in ids + ["ev-0", "ev-401"] {
            #expect(reduced.resolve(.id(id)) == whole.resolve(.id(id)), "\(id)")
        }
    }

    /// Thousands of series — the index grows many times, and keys share slots — each found again
    /// with its own entries, and a key never added found nowhere.
    @Test func thousandsOfSeriesAreEachFoundAgain() {
        var table = OutturnTable()
        let month = Period("2015-04")!
        let keys = (0..<5000).map { (area: "borough-\($0 % 64)", indicator: "indicator-\($0 / 64)") }
        for (n, key) in keys.enumerated() {
            table.append(Entry(seq: n + 1, known: Day(year: 2015, month: 5, day: 1)!, payload: OutturnRecorded(
                area: key.area, indicator: key.indicator, period: month, value: .number(Double(n)))))
        }
        for (n, key) in keys.enumerated() {
            let series = table.series(area: key.area, indicator: key.indicator)
            #expect(series.flatMap { table.latestValue($0, month) { _ in true } }?.seq == n + 1, "\(key)")
        }
        #expect(table.series(area: "borough-1", indicator: "indicator-999") == nil && table.series(area: "london", indicator: "indicator-0") == nil)
        #expect(table.keyCount == keys.count && table.indicatorsByArea.count == 64)
    }
}
