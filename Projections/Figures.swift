import LedgerModel

/// Where a figure came from, so views can say which they show.
public enum FigureSource: Sendable, Equatable {
    /// Recorded for exactly this period (seq of the live revision).
    case recorded(seq: Int, status: OutturnStatus)
    /// Summed from the months recorded inside the period.
    case months(Int)
    /// Built from component indicators (a sum or a ratio).
    case components

    public var label: String {
        switch self {
        case .recorded(_, let status): status.rawValue
        case .months(let n): "sum of \(n) months"
        case .components: "from components"
        }
    }
}

/// One outturn figure for an area, indicator and period, however it was obtained.
public struct Figure: Sendable, Equatable {
    /// The value; nil when only a change is known (a source that gives "down 15%").
    public var value: Double?
    /// The fractional change and what it is against, when that is all the source gave.
    public var change: (fraction: Double, against: Period)?
    public var source: FigureSource

    public init(value: Double?, change: (fraction: Double, against: Period)?, source: FigureSource) {
        self.value = value
        self.change = change
        self.source = source
    }

    public static func == (a: Figure, b: Figure) -> Bool {
        a.value == b.value && a.change?.fraction == b.change?.fraction && a.change?.against == b.change?.against && a.source == b.source
    }
}

extension LedgerState {
    /// The figure for `area`, `indicator` and `period`: recorded for that period if it
    /// was (a recorded figure always stands), else built from the indicator's components,
    /// else — for counts and money — summed from the months recorded inside it.
    /// Rates, percents and ratios never sum: ratios re-divide summed numerators and denominators.
    public func figure(area: String, indicator id: String, period: Period) -> Figure? {
        figure(area: area, indicator: id, period: period, depth: 0)
    }

    private func figure(area: String, indicator id: String, period: Period, depth: Int) -> Figure? {
        guard depth < 16, let indicator = indicator(id) else { return nil }
        let series = outturnTable.series(area: area, indicator: id)
        if let series, let recorded = recordedValue(series, period) {
            let source = FigureSource.recorded(seq: recorded.seq, status: recorded.status)
            switch recorded.value {
            case .number(let v): return Figure(value: v, change: nil, source: source)
            case .ratio(let n, let d): return Figure(value: scaled(n, d, indicator), change: nil, source: source)
            case .change(let c, let against): return Figure(value: nil, change: (c, against), source: source)
            }
        }
        switch indicator.composition {
        case .sum(let parts):
            var total = 0.0
            for part in parts {
                guard let v = figure(area: area, indicator: part, period: period, depth: depth + 1)?.value else { return nil }
                total += v
            }
            return Figure(value: total, change: nil, source: .components)
        case .ratio(let numerator, let denominator):
            guard let n = figure(area: area, indicator: numerator, period: period, depth: depth + 1)?.value,
                  let d = figure(area: area, indicator: denominator, period: period, depth: depth + 1)?.value, d != 0
            else { return nil }
            return Figure(value: scaled(n, d, indicator), change: nil, source: .components)
        case .none:
            break
        }
        guard period.monthCount > 1, let series else { return nil }
        // Aggregate from months: counts and money by sum; ratios by re-dividing the summed parts.
        var sum = 0.0, numerators = 0.0, denominators = 0.0
        var ratios = false
        for offset in 0..<period.monthCount {
            guard let recorded = recordedValue(series, .month(period.first.advanced(by: offset))) else { return nil }
            switch recorded.value {
            case .number(let v):
                guard indicator.unit == .count || indicator.unit == .currency, !ratios else { return nil }
                sum += v
            case .ratio(let n, let d):
                ratios = true
                numerators += n
                denominators += d
            case .change:
                return nil
            }
        }
        if ratios {
            guard denominators != 0 else { return nil }
            return Figure(value: scaled(numerators, denominators, indicator), change: nil, source: .months(period.monthCount))
        }
        return Figure(value: sum, change: nil, source: .months(period.monthCount))
    }

    /// A numerator over a denominator in the indicator's unit: percent ×100, rate × its base.
    private func scaled(_ n: Double, _ d: Double, _ indicator: IndicatorDefined) -> Double {
        switch indicator.unit {
        case .percent: 100 * n / d
        case .rate: n / d * (indicator.per ?? 1)
        default: n / d
        }
    }

    /// The baseline's value: as set, or derived from its periods' figures (mean or sum).
    public func baselineValue(_ baseline: BaselineSet) -> Double? {
        if let value = baseline.value { return value }
        return baselineValue(baseline, indicator: baseline.indicator)
    }

    /// The same baseline's method applied to another indicator (a composite's component).
    public func baselineValue(_ baseline: BaselineSet, indicator: String) -> Double? {
        var values: [Double] = []
        for period in baseline.periods {
            guard let v = figure(area: baseline.partnership, indicator: indicator, period: period)?.value else { return nil }
            values.append(v)
        }
        switch baseline.method {
        case .sum: return values.reduce(0, +)
        case .mean, .value: return values.reduce(0, +) / Double(values.count)
        }
    }

    /// Every period that has an outturn for the area and indicator or any of its components.
    public func periodsWithData(area: String, indicator id: String) -> Set<Period> {
        Set(periodList(area: area, indicator: id))
    }

    /// The periods of ``periodsWithData(area:indicator:)`` in no order, a period repeated if more
    /// than one of the indicator and its components has it: for a caller that needs no set.
    func periodList(area: String, indicator id: String) -> [Period] {
        var periods: [Period] = []
        for series in seriesWithComponents(area: area, indicator: id) { outturnTable.forEachPeriod(series) { periods.append($0) } }
        return periods
    }

    /// The area's series of the indicator and of each component it is built from, each indicator once.
    private func seriesWithComponents(area: String, indicator id: String) -> [OutturnTable.SeriesID] {
        var found: [OutturnTable.SeriesID] = []
        var seen = [id]
        var queue = [id]
        while let next = queue.popLast() {
            if let series = outturnTable.series(area: area, indicator: next) { found.append(series) }
            for component in indicator(next)?.composition.components ?? [] where !seen.contains(component) {
                seen.append(component)
                queue.append(component)
            }
        }
        return found
    }

    /// The latest period shaped like `reference` (the same number of months) with a figure, or, without a
    /// reference, the latest period with a figure. Periods built from recorded months count too.
    public func latestFigure(area: String, indicator: String, like reference: Period? = nil) -> (period: Period, figure: Figure)? {
        let series = seriesWithComponents(area: area, indicator: indicator)
        let referenceKind = reference?.kind
        // Each period with data as a candidate: its own if the same length as the reference (a
        // calendar year stands beside a financial year), the reference's that contains it if
        // shorter, none if longer.
        func forEachCandidate(_ body: (Period) -> Void) {
            for s in series {
                outturnTable.forEachPeriod(s) { period in
                    guard let reference, let referenceKind, period.monthCount != reference.monthCount else { return body(period) }
                    if period.monthCount < reference.monthCount { body(reference.aligned(containing: period.last, kind: referenceKind)) }
                }
            }
        }
        func isLater(_ a: Period, _ b: Period) -> Bool { (a.last, a.monthCount) > (b.last, b.monthCount) }
        // Usually the latest period has a figure, else one just before it: keep the few latest in
        // one pass, building no list of them all (every status and progress row asks this), and
        // sort them all only when none of those few has one.
        let few = 4
        var latestFew: [Period] = [] // latest first, each once
        latestFew.reserveCapacity(few + 1)
        forEachCandidate { candidate in
            guard latestFew.count < few || isLater(candidate, latestFew[few - 1]), !latestFew.contains(candidate) else { return }
            latestFew.insert(candidate, at: latestFew.firstIndex { isLater(candidate, $0) } ?? latestFew.count)
            if latestFew.count > few { latestFew.removeLast() }
        }
        for period in latestFew {
            if let figure = figure(area: area, indicator: indicator, period: period) { return (period, figure) }
        }
        guard latestFew.count == few, let earliestTried = latestFew.last else { return nil }
        var earlier: Set<Period> = []
        forEachCandidate { candidate in if isLater(earliestTried, candidate) { earlier.insert(candidate) } }
        for period in earlier.sorted(by: isLater) {
            if let figure = figure(area: area, indicator: indicator, period: period) { return (period, figure) }
        }
        return nil
    }
}

extension Period {
    /// The period of this one's kind and length that contains `month` (the financial year,
    /// calendar year or quarter it falls in; for a span, the span of this length ending there).
    public func aligned(containing month: Month) -> Period {
        aligned(containing: month, kind: kind)
    }

    /// As ``aligned(containing:)``, with this period's `kind` worked out once by the caller.
    func aligned(containing month: Month, kind: Kind) -> Period {
        switch kind {
        case .month: return .month(month)
        case .calendarYear: return .calendarYear(month.year)
        case .financialYear: return .financialYear(startingIn: month.month >= 4 ? month.year : month.year - 1)
        case .quarter:
            let fy = month.month >= 4 ? month.year : month.year - 1
            let q = ((month.month + 8) % 12) / 3 + 1
            return .quarter(q, ofFinancialYearStartingIn: fy)
        case .span:
            return Period(first: month.advanced(by: 1 - monthCount), last: month) ?? .month(month)
        }
    }
}
