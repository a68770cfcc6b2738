import LedgerModel

/// Which way an indicator moved against its previous comparable period, judged by its polarity.
public enum DirectionOfTravel: String, Sendable {
    case improving, worsening
    case noChange = "no change"
}

/// One row of `outturn status`: a partnership's indicator, its latest outturn and how it stands.
public struct StatusRow: Sendable, Equatable {
    public var partnership: String
    public var indicator: String
    public var indicatorName: String
    /// The period of the latest outturn (nil: none yet).
    public var period: Period?
    public var value: Double?
    /// The change the source gave instead of a value (Southwark's "−15%"), as a fraction.
    public var change: Double?
    public var figureSource: String?
    /// The target in force for that period, in words, and its id.
    public var target: String?
    public var targetID: String?
    public var rag: RAG
    public var ragNote: String?
    public var direction: DirectionOfTravel?
    /// The change against the baseline, in percent rounded to one decimal.
    public var baselineChangePercent: Double?
    /// Comparator areas (e.g. London) with a figure for the same indicator and period.
    public var comparators: [ComparatorFigure] = []
}

/// A comparator area's figure beside a partnership's: its value, or the change it reports.
public struct ComparatorFigure: Sendable, Equatable {
    public var area: String
    public var value: Double?
    /// The fractional change, when that is what the area reports (London's "+11.6%").
    public var change: Double?

    /// "london 11.6%" or "london 86.4".
    public var summary: String {
        if let change { return "\(area) \(formatNumber(roundedPercent(change)))%" }
        return "\(area) \(value.map(formatNumber) ?? "–")"
    }
}

/// Percent rounded to one decimal, half away from zero: −13.56 → −13.6.
public func roundedPercent(_ fraction: Double) -> Double {
    (fraction * 1000).rounded() / 10
}

extension LedgerState {
    /// One row per partnership and indicator that has an outturn or a target.
    public func statusRows(partnership: String? = nil, indicator: String? = nil) -> [StatusRow] {
        // Only the rows asked for are gathered (a status view of one indicator asks for one).
        func isWanted(_ area: String, _ id: String) -> Bool { (partnership == nil || area == partnership) && (indicator == nil || id == indicator) }
        var pairs: Set<[String]> = []
        for (area, indicators) in outturnAreas where (partnership == nil || area == partnership) && self.partnership(area) != nil {
            for ind in indicators where isWanted(area, ind) && hasLiveOutturn(area: area, indicator: ind) { pairs.insert([area, ind]) }
        }
        for id in targets.keys where settingsMayName(id, isWanted) {
            if let (t, withdrawn) = target(id), !withdrawn, isWanted(t.partnership, t.indicator) { pairs.insert([t.partnership, t.indicator]) }
        }
        // Indicators a plan lists under one of its priorities show even before any figure or target
        // ("no outturn recorded", "target not yet set"): a blank in the plan is a fact too.
        // Each indicator's current definition, looked up once (not once per priority: a London-wide
        // ledger has thousands of each).
        let definitions = (indicator.map { [$0] } ?? Array(indicators.keys)).compactMap { id in self.indicator(id).map { (id, $0) } }
        let underPriority = Dictionary(grouping: definitions.filter { $0.1.priority != nil }, by: { $0.1.priority! })
        for key in priorities.keys {
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3, partnership == nil || parts[0] == partnership, let listed = underPriority[parts[2]],
                  self.priority(parts[0], parts[1], parts[2]) != nil else { continue }
            for (id, _) in listed { pairs.insert([parts[0], id]) }
        }
        // Composites whose components have outturns show too.
        for (id, def) in definitions where def.composition != .none {
            for (area, indicators) in outturnAreas where (partnership == nil || area == partnership) && self.partnership(area) != nil {
                if def.composition.components.contains(where: { indicators.contains($0) && hasLiveOutturn(area: area, indicator: $0) }) {
                    pairs.insert([area, id])
                }
            }
        }
        // Each target's current state, worked out once and grouped by partnership and indicator.
        let targetsByPair = liveTargetsByPair(isWanted)
        let comparators = comparatorAreas()
        let baselines = latestBaselinesByPair()
        return pairs
            .filter { (partnership == nil || $0[0] == partnership) && (indicator == nil || $0[1] == indicator) }
            .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
            .compactMap { statusRow(partnership: $0[0], indicator: $0[1], targets: targetsByPair[$0] ?? [], comparators: comparators,
                                    latestBaseline: baselines[$0]) }
    }

    /// The latest baseline set (and not retracted) for each `[partnership, indicator]`: worked
    /// out once for all the rows, instead of a pass over every baseline for each row.
    func latestBaselinesByPair() -> [[String]: BaselineSet] {
        var latest: [[String]: Entry<BaselineSet>] = [:]
        for entries in baselines.values {
            guard let e = lastLive(entries) else { continue }
            let pair = [e.payload.partnership, e.payload.indicator]
            if latest[pair].map({ $0.seq < e.seq }) ?? true { latest[pair] = e }
        }
        return latest.mapValues(\.payload)
    }

    /// Areas that are not partnerships — London, "national" — in name order: the comparators a
    /// status row shows beside a partnership's figure (worked out once for all the rows).
    func comparatorAreas() -> [String] {
        outturnAreas.keys.filter { partnership($0) == nil }.sorted()
    }

    /// The targets in force (not withdrawn), by `[partnership, indicator]`, in id order: of the
    /// pairs `isWanted` wants (all, if not given).
    func liveTargetsByPair(_ isWanted: ((String, String) -> Bool)? = nil) -> [[String]: [TargetSet]] {
        var byPair: [[String]: [TargetSet]] = [:]
        let ids = isWanted.map { wanted in targets.keys.filter { settingsMayName($0, wanted) } } ?? Array(targets.keys)
        for id in ids.sorted() {
            if let (t, withdrawn) = target(id), !withdrawn, isWanted?(t.partnership, t.indicator) ?? true {
                byPair[[t.partnership, t.indicator], default: []].append(t)
            }
        }
        return byPair
    }

    func statusRow(partnership: String, indicator id: String, targets candidates: [TargetSet], comparators: [String],
                   latestBaseline: BaselineSet?) -> StatusRow? {
        guard let def = indicator(id) else { return nil }
        let latest = latestFigure(area: partnership, indicator: id)
        let target = targetInForce(among: candidates, period: latest?.period)
        var row = StatusRow(partnership: partnership, indicator: id, indicatorName: def.name, period: latest?.period,
                            value: latest?.figure.value, change: latest?.figure.change?.fraction,
                            figureSource: latest?.figure.source.label, target: target.map(describe), targetID: target?.target,
                            rag: .noData, ragNote: nil, direction: nil, baselineChangePercent: nil)
        if let target {
            // The same judgement as `progress`, on the figure shaped like the target's baseline (a
            // year against a year): the latest single month says nothing about an annual target.
            let judged = progressRow(target)
            row.rag = judged.rag
            row.ragNote = judged.ragNote
            if let period = judged.outturnPeriod, period != latest?.period { row.ragNote = (row.ragNote.map { $0 + "; " } ?? "") + "judged on \(period)" }
        }
        if let latest, let v = latest.figure.value,
           let previous = figure(area: partnership, indicator: id, period: latest.period.previous)?.value {
            row.direction = v == previous ? .noChange
                : (v < previous) == (def.polarity != .higherBetter) ? .improving : .worsening
            if def.polarity == .band { row.direction = nil }
        }
        if let period = latest?.period {
            // Areas that are not partnerships — London, "national" — recorded for the same figure.
            for area in comparators where area != partnership {
                if let f = figure(area: area, indicator: id, period: period) {
                    row.comparators.append(ComparatorFigure(area: area, value: f.value, change: f.change?.fraction))
                }
            }
        }
        if let v = latest?.figure.value, let baseline = baselineFor(target: target) ?? latestBaseline,
           let base = baselineValue(baseline), base != 0 {
            row.baselineChangePercent = roundedPercent(v / base - 1)
        }
        return row
    }

    /// The target that judges an outturn for `period`: one whose period contains it, else a
    /// change target whose glide path does, else the next target to come, else the latest.
    public func targetInForce(partnership: String, indicator: String, period: Period?) -> TargetSet? {
        targetInForce(among: liveTargetsByPair { $0 == partnership && $1 == indicator }[[partnership, indicator]] ?? [], period: period)
    }

    /// As above, among the live targets of one partnership and indicator.
    func targetInForce(among candidates: [TargetSet], period: Period?) -> TargetSet? {
        // Among equals, prefer the headline target over a stretch target.
        func best(_ ts: [TargetSet]) -> TargetSet? { ts.first { !$0.stretch } ?? ts.first }
        func latest(_ ts: [TargetSet]) -> TargetSet? {
            guard let last = ts.map(\.period).max() else { return nil }
            return best(ts.filter { $0.period == last })
        }
        guard let period else { return latest(candidates) }
        if let t = best(candidates.filter { $0.period.contains(period) }) { return t }
        if let t = best(candidates.filter { glidePath($0)?.contains(period) == true }) { return t }
        let later = candidates.filter { $0.period.last >= period.last }
        if let first = later.map(\.period).min(), let t = best(later.filter { $0.period == first }) { return t }
        return latest(candidates)
    }

    /// The baseline a change target measures against, if it is set (else a status row uses the
    /// latest baseline for its partnership and indicator: ``latestBaselinesByPair()``).
    func baselineFor(target: TargetSet?) -> BaselineSet? {
        if case .change(_, let id, _)? = target?.kind, let b = baseline(id) { return b }
        return nil
    }
}
