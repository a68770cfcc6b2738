import LedgerModel

/// One point of an indicator's history: a period and the figure for it.
public struct SeriesPoint: Sendable, Equatable {
    public var period: Period
    public var value: Double
    public var source: FigureSource
}

/// A change target's straight glide path, as a line: from the baseline's value at the end of
/// the month before the path starts, to the target's value at the end of the target period.
///
/// Every point on it is what ``LedgerState/expectedValue(_:at:)`` gives for a period ending
/// there, so a chart of this line agrees with the RAG judged against it.
public struct GlideLine: Sendable, Equatable {
    /// The last month at the baseline's value (the month before the path's first).
    public var start: Month
    public var startValue: Double
    /// The last month of the target period.
    public var end: Month
    public var endValue: Double
}

extension LedgerState {
    /// An indicator's figures over time, oldest first: every period shaped like `reference`
    /// (same kind and length) that has a value, or shaped like the latest figure's period
    /// when no reference is given. Figures built from months or components count as in
    /// ``latestFigure(area:indicator:like:)``; periods that only carry a change are left out.
    ///
    /// Why one shape: a trend compares like with like — a year against a year. A month
    /// drawn in a line of years would read as a collapse.
    public func series(area: String, indicator: String, like reference: Period? = nil) -> [SeriesPoint] {
        guard let shape = reference ?? latestFigure(area: area, indicator: indicator)?.period else { return [] }
        var periods: Set<Period> = []
        for p in periodsWithData(area: area, indicator: indicator) {
            if p.kind == shape.kind && p.monthCount == shape.monthCount {
                periods.insert(p)
            } else if p.monthCount < shape.monthCount {
                periods.insert(shape.aligned(containing: p.last))
            }
        }
        return periods.sorted().compactMap { period in
            guard let figure = figure(area: area, indicator: indicator, period: period), let value = figure.value else { return nil }
            return SeriesPoint(period: period, value: value, source: figure.source)
        }
    }

    /// The glide path of a change target as a line, or nil for other kinds, or when the
    /// baseline, its value or the path's start is unknown.
    public func glideLine(_ target: TargetSet) -> GlideLine? {
        guard case .change(let change, let baselineID, _) = target.kind, let path = glidePath(target),
              let baseline = baseline(baselineID), let base = baselineValue(baseline), base.isFinite
        else { return nil }
        return GlideLine(start: path.first.advanced(by: -1), startValue: base, end: path.last, endValue: base * (1 + change))
    }
}
