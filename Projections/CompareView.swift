import LedgerModel

/// One row of `outturn compare`: an indicator's baseline against one period's outturn.
public struct CompareRow: Sendable, Equatable {
    public var area: String
    public var indicator: String
    public var indicatorName: String
    public var baselinePeriod: Period
    public var baseline: Double?
    public var period: Period
    public var value: Double?
    public var change: Double?
    public var changePercent: Double?
}

extension LedgerState {
    /// The seed's table shape: for a composite, each component then the total; for each
    /// period, value, change and % change against the baseline period. Without periods,
    /// every later period shaped like the baseline that has a figure.
    public func compareRows(area: String, indicator id: String, baseline: Period, periods: [Period]) -> [CompareRow] {
        let chosen = periods.isEmpty
            ? periodsWithData(area: area, indicator: id)
                .map { baseline.aligned(containing: $0.last) }
                .filter { $0 > baseline && figure(area: area, indicator: id, period: $0) != nil }
            : periods
        let indicators = (indicator(id)?.composition.components).flatMap { parts -> [String]? in
            if case .sum? = indicator(id)?.composition { return parts + [id] }
            return nil
        } ?? [id]
        var rows: [CompareRow] = []
        for period in Set(chosen).sorted() {
            for ind in indicators {
                let base = figure(area: area, indicator: ind, period: baseline)?.value
                let value = figure(area: area, indicator: ind, period: period)?.value
                var row = CompareRow(area: area, indicator: ind, indicatorName: indicator(ind)?.name ?? ind, baselinePeriod: baseline,
                                     baseline: base, period: period, value: value)
                if let base, let value {
                    row.change = value - base
                    if base != 0 { row.changePercent = roundedPercent(value / base - 1) }
                }
                rows.append(row)
            }
        }
        return rows
    }
}
