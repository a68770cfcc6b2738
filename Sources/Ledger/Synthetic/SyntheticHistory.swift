import EventLog
import LedgerModel

/// A deterministic, realistic synthetic history of many partnerships, for benchmarks and
/// scale tests: boroughs with three-year plans, priorities, indicators (MOPAC 7 composites,
/// ratio and percent indicators among them), baselines, targets of all four kinds with
/// revisions and withdrawals, monthly outturns reported provisional then final, a few
/// retractions, actions with quarterly updates, and a board every quarter.
///
/// Events come in the order they would have been known, month by month; the same
/// parameters and seed always give the same events (ids included).
public struct SyntheticHistory: Sendable {
    public var boroughs: Int
    public var indicators: Int
    public var years: Int
    public var seed: UInt64
    /// The first financial year of the history.
    public var firstYear: Int

    public init(boroughs: Int = 32, indicators: Int = 120, years: Int = 15, seed: UInt64 = 1, firstYear: Int = 2009) {
        self.boroughs = max(1, boroughs)
        self.indicators = max(12, indicators)
        self.years = max(1, years)
        self.seed = seed
        self.firstYear = firstYear
    }

    /// About how many events `events()` yields (monthly outturns dominate).
    public var estimatedCount: Int {
        let months = years * 12
        let recorded = indicators - 9 + 2 // leaf indicators with outturns
        return boroughs * months * recorded * 14 / 10 + boroughs * months * 2
    }

    static let mopac = ["MOPAC7.vwi", "MOPAC7.robbery", "MOPAC7.burglary", "MOPAC7.tfp", "MOPAC7.tomv", "MOPAC7.tfmv", "MOPAC7.cd"]

    /// The indicators: MOPAC 7 and its components, a solved-rate ratio, percents, rates and counts.
    var catalogue: [(id: String, unit: String, polarity: String, extra: [(String, JSONValue)])] {
        var list: [(String, String, String, [(String, JSONValue)])] = Self.mopac.map { ($0, "count", "lower-better", []) }
        list.append(("MOPAC7", "count", "lower-better", [("sum", .array(Self.mopac.map(JSONValue.string)))]))
        list.append(("offences-solved", "count", "higher-better", []))
        list.append(("offences-recorded", "count", "lower-better", []))
        list.append(("solved-rate", "percent", "higher-better",
                     [("ratio", .object(JSONObject([("numerator", .string("offences-solved")), ("denominator", .string("offences-recorded"))])))]))
        for i in 0..<(indicators - 11) {
            switch i % 6 {
            case 0: list.append(("repeat-rate-\(i)", "percent", "band", []))
            case 1: list.append(("rate-\(i)", "rate", "lower-better", [("per", .number(JSONNumber(1000)))]))
            case 2: list.append(("satisfaction-\(i)", "percent", "higher-better", []))
            default: list.append(("count-\(i)", "count", "lower-better", []))
            }
        }
        return list
    }

    /// Every event, in order, handed to `body` one at a time (never all in memory at once).
    /// `body` returns false to stop.
    public func forEachEvent(_ body: (EventDraft) throws -> Bool) rethrows {
        var rng = SplitMix64(seed: seed)
        var stop = false
        func emit(_ id: String, _ type: String, _ known: CalendarDate, _ source: String, _ data: [(String, JSONValue)]) throws {
            guard !stop else { return }
            if try !body(EventDraft(id: id, known: known, type: type, source: source, actor: "generator", data: JSONObject(data))) { stop = true }
        }
        func s(_ v: String) -> JSONValue { .string(v) }
        func n(_ v: Double) -> JSONValue { .number(JSONNumber(literal: formatNumber(v)) ?? JSONNumber(v)) }
        let catalogue = self.catalogue
        let leaves = catalogue.filter { entry in !entry.extra.contains { $0.0 == "sum" || $0.0 == "ratio" } }
        let start = CalendarDate(year: firstYear, month: 4, day: 1) ?? CalendarDate(daysSince1970: 0)
        let names = (0..<boroughs).map { "borough-\($0 + 1)" }

        for entry in catalogue {
            try emit("gen/indicator/\(entry.id)", "indicator.defined", start, "mopac",
                     [("indicator", s(entry.id)), ("name", s("Indicator \(entry.id)")), ("unit", s(entry.unit)), ("polarity", s(entry.polarity))] + entry.extra)
        }
        for b in names {
            try emit("gen/\(b)/partnership", "partnership.registered", start, "\(b)-council", [("partnership", s(b)), ("name", s("Safer \(b)"))])
        }
        // Each borough's base level for each leaf indicator, so figures drift plausibly.
        var level: [String: Double] = [:]
        for b in names { for leaf in leaves { level["\(b)|\(leaf.id)"] = Double(20 + Int(rng.next() % 400)) } }

        func value(_ b: String, _ leaf: (id: String, unit: String, polarity: String, extra: [(String, JSONValue)]), _ m: Int) -> Double {
            let base = level["\(b)|\(leaf.id)"] ?? 100
            let seasonal = 1 + 0.1 * Double((m % 12) - 6) / 6
            let drift = 1 - 0.002 * Double(m)
            let noise = 0.9 + Double(rng.next() % 200) / 1000
            switch leaf.unit {
            case "percent": return (min(99, max(1, base / 5 * noise)) * 10).rounded() / 10
            case "rate": return (base / 10 * seasonal * noise * 10).rounded() / 10
            default: return (base * seasonal * drift * noise).rounded()
            }
        }

        let months = years * 12
        var plan = 0
        for m in 0..<months {
            let month = Month(year: firstYear, month: 4).map { $0.advanced(by: m) } ?? Month(index: 0)
            let knownDay = CalendarDate(year: month.year, month: month.month, day: 20) ?? start
            let fyStart = month.month >= 4 ? month.year : month.year - 1
            // A new three-year plan every three years, with its priorities, baselines, targets and actions.
            if m % 36 == 0 {
                plan = m / 36
                let from = Period.financialYear(startingIn: fyStart), to = Period.financialYear(startingIn: fyStart + 2)
                for b in names {
                    let p = "\(b)-plan-\(plan)"
                    try emit("gen/\(p)", "plan.adopted", knownDay, "\(b)-council",
                             [("partnership", s(b)), ("plan", s(p)), ("title", s("Safer \(b) plan \(from)–\(to)")), ("from", s(from.description)),
                              ("to", s(to.description)), ("version", s("1.0"))])
                    for k in 1...3 {
                        try emit("gen/\(p)/priority-\(k)", "priority.set", knownDay, "\(b)-council",
                                 [("partnership", s(b)), ("plan", s(p)), ("priority", s("priority-\(k)")), ("title", s("Priority \(k)"))])
                    }
                    let previous = Period.financialYear(startingIn: fyStart - 1)
                    try emit("gen/\(p)/baseline", "baseline.set", knownDay, "mopac",
                             [("baseline", s("\(p)-mopac7-base")), ("partnership", s(b)), ("indicator", s("MOPAC7")), ("label", s("year before the plan")),
                              ("periods", .array([s(previous.description)])), ("method", s("value")), ("value", n(Double(2000 + Int(rng.next() % 8000))))])
                    try emit("gen/\(p)/target/mopac7", "target.set", knownDay, "mopac",
                             [("target", s("\(p)-mopac7")), ("partnership", s(b)), ("indicator", s("MOPAC7")), ("period", s(to.description)), ("setBy", s("MOPAC")),
                              ("kind", s("change")), ("change", n(-0.2)), ("baseline", s("\(p)-mopac7-base"))])
                    for (k, leaf) in leaves.prefix(12).enumerated() {
                        let target = "\(p)-\(leaf.id)"
                        var fields: [(String, JSONValue)] = [("target", s(target)), ("partnership", s(b)), ("indicator", s(leaf.id)),
                                                              ("period", s(to.description)), ("setBy", s(k % 3 == 0 ? "national" : "local"))]
                        switch (leaf.polarity, k % 2) {
                        case ("band", _): fields += [("kind", s("band")), ("low", n(20)), ("high", n(35))]
                        case (_, 0): fields += [("kind", s("value")), ("value", n(level["\(b)|\(leaf.id)"] ?? 100))]
                        default: fields += [("kind", s("direction")), ("direction", s(leaf.polarity == "higher-better" ? "increase" : "reduce"))]
                        }
                        try emit("gen/\(p)/target/\(leaf.id)", "target.set", knownDay, "\(b)-council", fields)
                    }
                    for a in 1...20 {
                        let due = Period.financialYear(startingIn: fyStart + Int(rng.next() % 3))
                        try emit("gen/\(p)/action-\(a)", "action.created", knownDay, "\(b)-council",
                                 [("action", s("\(p)-action-\(a)")), ("partnership", s(b)), ("plan", s(p)), ("title", s("Action \(a) of \(p)")),
                                  ("leads", .array([s("Community Safety")])), ("priority", s("priority-\(a % 3 + 1)")), ("due", s(due.description))])
                    }
                }
            }
            for b in names {
                // Last month's figures, provisional; the month before's, final where they change.
                for leaf in leaves {
                    let key = "\(b)|\(leaf.id)"
                    let period = Period.month(month).description
                    let v = value(b, leaf, m)
                    var data: [(String, JSONValue)] = [("partnership", s(b)), ("indicator", s(leaf.id)), ("period", s(period))]
                    if leaf.unit == "percent", leaf.polarity == "band" {
                        let denominator = Double(50 + Int(rng.next() % 100))
                        data += [("numerator", n((denominator * v / 100).rounded())), ("denominator", n(denominator))]
                    } else {
                        data += [("value", n(v))]
                    }
                    try emit("gen/\(key)/\(period)/p", "outturn.recorded", knownDay, "met-police", data + [("status", s("provisional"))])
                    if rng.next() % 10 < 4, m > 0 {
                        let final = leaf.unit == "count" ? v + Double(Int(rng.next() % 7) - 3) : v
                        var finalData = data
                        if finalData.contains(where: { $0.0 == "value" }) { finalData = finalData.map { $0.0 == "value" ? ("value", n(max(0, final))) : $0 } }
                        let finalKnown = CalendarDate(daysSince1970: knownDay.daysSince1970 + 30)
                        try emit("gen/\(key)/\(period)/f", "outturn.recorded", finalKnown, "met-police", finalData + [("status", s("final"))])
                    }
                    if rng.next() % 500 == 0 {
                        try emit("gen/\(key)/\(period)/r", "event.retracted", knownDay, "met-police",
                                 [("event", s("gen/\(key)/\(period)/p")), ("reason", s("keyed against the wrong borough"))])
                    }
                }
                // Quarter ends: action updates, a target revision now and then, and the board.
                if month.month % 3 == 0 {
                    let p = "\(b)-plan-\(plan)"
                    for a in 1...20 where rng.next() % 2 == 0 {
                        let statuses = ["on-track", "on-track", "at-risk", "off-track", "complete"]
                        try emit("gen/\(p)/action-\(a)/\(month)", "action.updated", knownDay, "\(b)-council",
                                 [("action", s("\(p)-action-\(a)")), ("status", s(statuses[Int(rng.next() % 5)])),
                                  ("progress", s("Quarterly update for \(month): activity to date, issues and risks."))])
                    }
                    if rng.next() % 4 == 0, !leaves.isEmpty {
                        // One of the (up to 12) leaves that have targets.
                        let leaf = leaves[Int(rng.next() % UInt64(min(12, leaves.count)))]
                        if leaf.polarity != "band" {
                            try emit("gen/\(p)/target/\(leaf.id)/rev-\(month)", "target.revised", knownDay, "\(b)-council",
                                     [("target", s("\(p)-\(leaf.id)")), ("kind", s("value")), ("value", n(Double(m) + 0.5)), // never an earlier value
                                      ("reason", s("revised at the quarterly review"))])
                        }
                    }
                    try emit("gen/\(b)/board/\(month)", "board.held", knownDay, "\(b)-council",
                             [("partnership", s(b)), ("board", s("\(b)-board")), ("date", s(knownDay.description))])
                }
            }
            if stop { return }
        }
    }
}
