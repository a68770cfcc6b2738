import LedgerModel

/// One component of a composite target: its own baseline, value and share of the change.
public struct ComponentProgress: Sendable, Equatable {
    public var indicator: String
    public var baseline: Double?
    public var value: Double?
    public var change: Double?
    public var changePercent: Double?
    /// This component's part of the composite's change, in percent.
    public var shareOfChangePercent: Double?
}

/// One row of `outturn progress`: a target with its baseline, latest outturn and RAG.
public struct ProgressRow: Sendable, Equatable {
    public var target: String
    public var partnership: String
    public var indicator: String
    public var kind: String
    public var setBy: String
    public var stretch: Bool
    /// The target period.
    public var period: Period
    public var description: String
    public var baselineLabel: String?
    public var baseline: Double?
    /// The outturn judged, and its period.
    public var outturnPeriod: Period?
    public var value: Double?
    /// Achieved change against the baseline, percent to one decimal.
    public var changePercent: Double?
    /// The target's change, percent to one decimal (change targets).
    public var targetChangePercent: Double?
    /// The glide-path value for the outturn's period (change), or the target value (value).
    public var expected: Double?
    public var rag: RAG
    public var ragNote: String?
    public var components: [ComponentProgress]
}

extension LedgerState {
    /// One row per target in force (withdrawn targets are left out), MOPAC's first.
    public func progressRows(setBy: TargetSetter? = nil, partnership: String? = nil, indicator: String? = nil) -> [ProgressRow] {
        targets.keys.compactMap { id -> ProgressRow? in
            guard let (t, withdrawn) = target(id), !withdrawn,
                  setBy == nil || t.setBy == setBy, partnership == nil || t.partnership == partnership,
                  indicator == nil || t.indicator == indicator
            else { return nil }
            return progressRow(t)
        }.sorted { a, b in
            (a.setBy == "MOPAC" ? 0 : 1, a.partnership, a.indicator, a.period, a.target)
                < (b.setBy == "MOPAC" ? 0 : 1, b.partnership, b.indicator, b.period, b.target)
        }
    }

    func progressRow(_ t: TargetSet) -> ProgressRow {
        var baseline: BaselineSet?
        var targetChange: Double?
        if case .change(let c, let id, _) = t.kind {
            baseline = self.baseline(id)
            targetChange = c
        } else if case .direction(_, .baseline(let id)?) = t.kind {
            baseline = self.baseline(id)
        }
        // Judge the latest outturn shaped like the baseline's periods (a year against a year), else like the target's.
        // A figure inside or before the baseline's own periods says nothing about progress since it.
        let shape = baseline?.periods.last ?? t.period
        var latest = latestFigure(area: t.partnership, indicator: t.indicator, like: shape)
            ?? (baseline == nil ? latestFigure(area: t.partnership, indicator: t.indicator) : nil)
        if let last = baseline?.lastMonth, let found = latest, found.period.last <= last { latest = nil }
        var assessment = assess(t, figure: latest?.figure, period: latest?.period)
        if latest == nil, baseline != nil, periodList(area: t.partnership, indicator: t.indicator).contains(where: { $0.last > shape.last }) {
            assessment.note = "no full \(shape.monthCount == 1 ? "month" : shape.monthCount == 3 ? "quarter" : shape.monthCount == 12 ? "year" : "\(shape.monthCount)-month period") since the baseline"
        }
        let base = baseline.flatMap(baselineValue)
        var row = ProgressRow(
            target: t.target, partnership: t.partnership, indicator: t.indicator, kind: t.kind.name, setBy: t.setBy.rawValue,
            stretch: t.stretch, period: t.period, description: describe(t), baselineLabel: baseline?.label, baseline: base,
            outturnPeriod: latest?.period, value: latest?.figure.value, changePercent: nil,
            targetChangePercent: targetChange.map(roundedPercent), expected: assessment.expected, rag: assessment.rag,
            ragNote: assessment.note, components: [])
        if let v = latest?.figure.value, let base, base != 0 { row.changePercent = roundedPercent(v / base - 1) }
        else if let c = latest?.figure.change { row.changePercent = roundedPercent(c.fraction) }
        if case .sum(let parts)? = indicator(t.indicator)?.composition, let baseline, let latest {
            let total = (latest.figure.value ?? 0) - (base ?? 0)
            row.components = parts.map { part in
                let b = baselineValue(baseline, indicator: part)
                let v = figure(area: t.partnership, indicator: part, period: latest.period)?.value
                var c = ComponentProgress(indicator: part, baseline: b, value: v)
                if let b, let v {
                    c.change = v - b
                    if b != 0 { c.changePercent = roundedPercent(v / b - 1) }
                    if total != 0 { c.shareOfChangePercent = roundedPercent((v - b) / total) }
                }
                return c
            }
        }
        return row
    }
}
