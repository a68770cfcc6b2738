/// What an indicator measures in.
public enum IndicatorUnit: String, Sendable, CaseIterable {
    case count, rate, percent, ratio, currency
}

/// Which way is better for an indicator.
public enum Polarity: String, Sendable, CaseIterable {
    case lowerBetter = "lower-better"
    case higherBetter = "higher-better"
    /// Inside a band is good (e.g. a MARAC repeat-referral rate of 28–35%).
    case band
}

/// How an indicator is built from others, if it is.
public enum Composition: Sendable, Equatable {
    case none
    /// The sum of its components (MOPAC 7 = the seven crimes).
    case sum([String])
    /// One indicator divided by another.
    case ratio(numerator: String, denominator: String)

    public var components: [String] {
        switch self {
        case .none: []
        case .sum(let parts): parts
        case .ratio(let n, let d): [n, d]
        }
    }
}

/// Who set a target.
public enum TargetSetter: String, Sendable, CaseIterable {
    case mopac = "MOPAC", local, national
}

/// The direction a `direction` target asks for.
public enum TargetDirection: String, Sendable, CaseIterable {
    case reduce, increase, maintain
}

/// What a `direction` target is measured against: a baseline, or the outturn of a period.
public enum Comparator: Sendable, Equatable, CustomStringConvertible {
    case baseline(String)
    case period(Period)
    public var description: String {
        switch self {
        case .baseline(let id): id
        case .period(let period): period.description
        }
    }
}

/// The four kinds of target, each with its own fields.
public enum TargetKind: Sendable, Equatable {
    /// Reach this value (≤ for lower-better, ≥ for higher-better).
    case value(Double)
    /// Move in this direction, against a comparator (default: the previous period).
    case direction(TargetDirection, against: Comparator?)
    /// Stay inside [low, high].
    case band(low: Double, high: Double)
    /// Change by this fraction (−0.20 is a 20% cut) from a baseline, along a straight glide path.
    case change(Double, baseline: String, from: Period?)

    public var name: String {
        switch self {
        case .value: "value"
        case .direction: "direction"
        case .band: "band"
        case .change: "change"
        }
    }

    public static let names = ["value", "direction", "band", "change"]
}

/// How a baseline is derived from its periods.
public enum BaselineMethod: String, Sendable, CaseIterable {
    case mean, sum, value
}

/// Whether an outturn is final.
public enum OutturnStatus: String, Sendable, CaseIterable {
    case provisional, final, projected
}

/// An outturn as recorded: a figure, a ratio, or only a change (when the source gives no counts).
public enum OutturnValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case ratio(numerator: Double, denominator: Double)
    /// A fractional change (−0.15 for "down 15%") against a period.
    case change(Double, against: Period)

    public var description: String {
        switch self {
        case .number(let v): formatNumber(v)
        case .ratio(let n, let d): "\(formatNumber(n))/\(formatNumber(d))"
        case .change(let c, let p): "\(formatNumber((c * 1000).rounded() / 10))% vs \(p)"
        }
    }
}

/// The state of an action.
public enum ActionStatus: String, Sendable, CaseIterable {
    case notStarted = "not-started"
    case onTrack = "on-track"
    case atRisk = "at-risk"
    case offTrack = "off-track"
    case complete, cancelled

    /// Whether the action is finished one way or another (so never overdue).
    public var isClosed: Bool { self == .complete || self == .cancelled }
}

/// A date, or a period standing for its last day (a due date of `2017/18` means by 31 March 2018).
public enum DateOrPeriod: Sendable, Equatable, CustomStringConvertible {
    case day(Day)
    case period(Period)

    public init?(_ text: String) {
        if let day = Day(iso: text) { self = .day(day) } else if let period = Period(text) { self = .period(period) } else { return nil }
    }

    /// The last day it covers.
    public var lastDay: Day {
        switch self {
        case .day(let d): d
        case .period(let p): p.lastDay
        }
    }

    /// The first day it covers.
    public var firstDay: Day {
        switch self {
        case .day(let d): d
        case .period(let p): p.firstDay
        }
    }

    public var description: String {
        switch self {
        case .day(let d): d.description
        case .period(let p): p.description
        }
    }
}

/// Money with its currency; `per` and `fund` say how it comes (e.g. £60,000 a year from the LCPF).
public struct Resources: Sendable, Equatable {
    public var amount: Double
    public var currency: String
    public var per: String?
    public var fund: String?

    public init(amount: Double, currency: String, per: String? = nil, fund: String? = nil) {
        self.amount = amount
        self.currency = currency
        self.per = per
        self.fund = fund
    }
}

/// A number as a person writes it: integers without a decimal point, others as Swift prints them.
public func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
