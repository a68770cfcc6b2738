import LedgerModel

/// Red, amber, green — or no data, which is never a colour.
public enum RAG: String, Sendable, CaseIterable {
    case green, amber, red
    case noData = "no data"
}

/// A target judged against a figure.
public struct Assessment: Sendable, Equatable {
    public var rag: RAG
    /// Why, where the colour alone does not say ("below band", "no baseline value").
    public var note: String?
    /// What the target expects for the outturn's period (the glide-path value, the target value).
    public var expected: Double?
}

extension LedgerState {
    /// Judges `figure` (for `period`) against `target`, by DESIGN.md's rules. Lower-better is
    /// described below; higher-better mirrors it. t is the target's tolerance.
    /// - value: ≤ target green, ≤ target·(1+t) amber, else red.
    /// - direction reduce: below the comparator green, up to t above it amber, else red
    ///   (increase mirrors; maintain: within ±t green, within ±2t amber, else red).
    /// - band: inside green, else red, naming the side.
    /// - change: expected = baseline·(1 + change·elapsed/total) on the straight glide path from
    ///   its first period to the target period; ≤ expected green, ≤ expected·(1+t) amber, else red.
    public func assess(_ target: TargetSet, figure: Figure?, period: Period?) -> Assessment {
        guard let figure, let period, figure.value != nil || figure.change != nil else {
            return Assessment(rag: .noData, note: nil, expected: expectedValue(target, at: period))
        }
        let polarity = indicator(target.indicator)?.polarity ?? .lowerBetter
        let higherBetter = polarity == .higherBetter
        let t = target.tolerance
        /// Lower-better judgement of `value` against `limit`, mirrored for higher-better.
        func judge(_ value: Double, _ limit: Double) -> RAG {
            if higherBetter {
                return value >= limit ? .green : value >= limit * (1 - t) ? .amber : .red
            }
            return value <= limit ? .green : value <= limit * (1 + t) ? .amber : .red
        }
        switch target.kind {
        case .value(let goal):
            guard let v = figure.value else { return Assessment(rag: .noData, note: "only a change is recorded", expected: goal) }
            return Assessment(rag: judge(v, goal), note: nil, expected: goal)
        case .band(let low, let high):
            guard let v = figure.value else { return Assessment(rag: .noData, note: "only a change is recorded", expected: nil) }
            if v < low { return Assessment(rag: .red, note: "below band", expected: nil) }
            if v > high { return Assessment(rag: .red, note: "above band", expected: nil) }
            return Assessment(rag: .green, note: "inside band", expected: nil)
        case .direction(let direction, let against):
            // The change against the comparator, as a fraction.
            let change: Double
            if let v = figure.value {
                guard let c = comparatorValue(target, against: against, period: period), c != 0 else {
                    return Assessment(rag: .noData, note: "no comparator figure", expected: nil)
                }
                change = v / c - 1
            } else if let recorded = figure.change {
                // Only a change is known: it judges the target only if it is against the same thing.
                let comparator: Period? = switch against {
                case .period(let p)?: p
                case nil: period.previous
                case .baseline(let id)?: baseline(id).flatMap { $0.periods.count == 1 ? $0.periods[0] : nil }
                }
                guard comparator == recorded.against else {
                    return Assessment(rag: .noData, note: "the change recorded is against \(recorded.against), the target's against \(comparator.map(\.description) ?? "a multi-year baseline")", expected: nil)
                }
                change = recorded.fraction
            } else {
                return Assessment(rag: .noData, note: nil, expected: nil)
            }
            let rag: RAG
            switch direction {
            case .reduce: rag = change < 0 ? .green : change <= t ? .amber : .red
            case .increase: rag = change > 0 ? .green : change >= -t ? .amber : .red
            case .maintain: rag = abs(change) <= t ? .green : abs(change) <= 2 * t ? .amber : .red
            }
            return Assessment(rag: rag, note: nil, expected: nil)
        case .change:
            guard let expected = expectedValue(target, at: period) else {
                return Assessment(rag: .noData, note: "no baseline value", expected: nil)
            }
            guard let v = figure.value else { return Assessment(rag: .noData, note: "only a change is recorded", expected: expected) }
            return Assessment(rag: judge(v, expected), note: nil, expected: expected)
        }
    }

    /// What the target expects by the end of `period`: a value target's value, a change
    /// target's point on its glide path; nil for directions and bands.
    public func expectedValue(_ target: TargetSet, at period: Period?) -> Double? {
        switch target.kind {
        case .value(let v): return v
        case .change(let change, let baselineID, _):
            guard let baseline = baseline(baselineID), let base = baselineValue(baseline) else { return nil }
            guard let path = glidePath(target) else { return base * (1 + change) }
            let end = period?.last ?? target.period.last
            let elapsed = min(max(path.first.distance(to: end) + 1, 0), path.monthCount)
            return base * (1 + change * Double(elapsed) / Double(path.monthCount))
        default: return nil
        }
    }

    /// The months of a change target's glide path: from its `from` period (default: the month
    /// after its baseline) to the end of the target period.
    public func glidePath(_ target: TargetSet) -> Period? {
        guard case .change(_, let baselineID, let from) = target.kind else { return nil }
        let start = from?.first ?? baseline(baselineID)?.lastMonth?.advanced(by: 1)
        guard let start else { return nil }
        return Period(first: start, last: target.period.last)
    }

    /// The figure a direction target compares against: a baseline, a period's outturn, or by
    /// default the previous comparable period.
    func comparatorValue(_ target: TargetSet, against: Comparator?, period: Period) -> Double? {
        switch against {
        case .baseline(let id)?: return baseline(id).flatMap(baselineValue)
        case .period(let p)?: return figure(area: target.partnership, indicator: target.indicator, period: p)?.value
        case nil: return figure(area: target.partnership, indicator: target.indicator, period: period.previous)?.value
        }
    }

    /// A target in words: "change −20.0% from mopac-2011-12 by 2015/16".
    public func describe(_ target: TargetSet) -> String {
        let kind: String
        switch target.kind {
        case .value(let v): kind = "value \(formatNumber(v))"
        case .direction(let d, let against): kind = d.rawValue + (against.map { " against \($0)" } ?? "")
        case .band(let low, let high): kind = "band \(formatNumber(low))–\(formatNumber(high))"
        case .change(let c, let baseline, let from):
            kind = "change \(formatNumber((c * 1000).rounded() / 10))% from \(baseline)" + (from.map { " (glide path from \($0))" } ?? "")
        }
        return "\(kind) by \(target.period)" + (target.stretch ? " (stretch)" : "")
    }
}
