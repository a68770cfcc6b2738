// The payload of each event type, field for field as DESIGN.md ("Events") lists them.
// Optional fields are optional here; defaults are applied where the design gives one.

public struct PartnershipRegistered: Sendable, Equatable {
    public var partnership: String
    public var name: String
    public var borough: String?
    public init(partnership: String, name: String, borough: String? = nil) {
        (self.partnership, self.name, self.borough) = (partnership, name, borough)
    }
}

public struct PlanAdopted: Sendable, Equatable {
    public var partnership: String
    public var plan: String
    public var title: String
    public var from: Period
    public var to: Period
    public var version: String?
    public var approvedBy: String?
    public var approvedOn: DateOrPeriod?
    public init(partnership: String, plan: String, title: String, from: Period, to: Period, version: String? = nil,
                approvedBy: String? = nil, approvedOn: DateOrPeriod? = nil) {
        (self.partnership, self.plan, self.title, self.from, self.to) = (partnership, plan, title, from, to)
        (self.version, self.approvedBy, self.approvedOn) = (version, approvedBy, approvedOn)
    }
    /// The months the plan covers, from its first period to its last.
    public var span: Period { Period(first: from.first, last: max(to.last, from.first)) ?? from }
}

public struct PlanRevised: Sendable, Equatable {
    public var partnership: String
    public var plan: String
    public var version: String?
    public var title: String?
    public var reason: String
    public init(partnership: String, plan: String, version: String? = nil, title: String? = nil, reason: String) {
        (self.partnership, self.plan, self.version, self.title, self.reason) = (partnership, plan, version, title, reason)
    }
}

public struct PrioritySet: Sendable, Equatable {
    public var partnership: String
    public var plan: String
    public var priority: String
    public var title: String
    public var description: String?
    public init(partnership: String, plan: String, priority: String, title: String, description: String? = nil) {
        (self.partnership, self.plan, self.priority, self.title, self.description) = (partnership, plan, priority, title, description)
    }
}

public struct PriorityRetired: Sendable, Equatable {
    public var partnership: String
    public var plan: String
    public var priority: String
    public var reason: String
    public init(partnership: String, plan: String, priority: String, reason: String) {
        (self.partnership, self.plan, self.priority, self.reason) = (partnership, plan, priority, reason)
    }
}

public struct IndicatorDefined: Sendable, Equatable {
    public var indicator: String
    public var name: String
    public var unit: IndicatorUnit
    public var polarity: Polarity
    /// The rate base (e.g. 1000 residents) for `rate` indicators.
    public var per: Double?
    public var composition: Composition
    public var priority: String?
    /// The national code, e.g. `NI 20`.
    public var code: String?
    public init(indicator: String, name: String, unit: IndicatorUnit, polarity: Polarity, per: Double? = nil,
                composition: Composition = .none, priority: String? = nil, code: String? = nil) {
        (self.indicator, self.name, self.unit, self.polarity, self.per) = (indicator, name, unit, polarity, per)
        (self.composition, self.priority, self.code) = (composition, priority, code)
    }
}

public struct BaselineSet: Sendable, Equatable {
    public var baseline: String
    public var partnership: String
    public var indicator: String
    public var label: String
    public var periods: [Period]
    public var method: BaselineMethod
    /// The baseline's value; derived from the outturns of `periods` when absent.
    public var value: Double?
    public init(baseline: String, partnership: String, indicator: String, label: String, periods: [Period],
                method: BaselineMethod, value: Double? = nil) {
        (self.baseline, self.partnership, self.indicator, self.label) = (baseline, partnership, indicator, label)
        (self.periods, self.method, self.value) = (periods, method, value)
    }
    /// The last month the baseline covers (where a glide path starts from).
    public var lastMonth: Month? { periods.map(\.last).max() }
}

public struct TargetSet: Sendable, Equatable {
    public var target: String
    public var partnership: String
    public var indicator: String
    public var period: Period
    public var setBy: TargetSetter
    public var kind: TargetKind
    /// The RAG tolerance t (default 0.05).
    public var tolerance: Double
    /// Marks a stretch target (MOPAC's "or even 20% down on 2011/12").
    public var stretch: Bool
    public init(target: String, partnership: String, indicator: String, period: Period, setBy: TargetSetter, kind: TargetKind,
                tolerance: Double = 0.05, stretch: Bool = false) {
        (self.target, self.partnership, self.indicator, self.period) = (target, partnership, indicator, period)
        (self.setBy, self.kind, self.tolerance, self.stretch) = (setBy, kind, tolerance, stretch)
    }
}

/// A revision of a target: the fields that change (nil: unchanged) and why.
public struct TargetRevised: Sendable, Equatable {
    public var target: String
    public var period: Period?
    public var setBy: TargetSetter?
    /// The kind and its fields: a new kind needs all of its fields, the same kind only those that change.
    public var kind: TargetKindRevision
    public var tolerance: Double?
    public var stretch: Bool?
    public var reason: String
    public init(target: String, period: Period? = nil, setBy: TargetSetter? = nil, kind: TargetKindRevision = TargetKindRevision(),
                tolerance: Double? = nil, stretch: Bool? = nil, reason: String) {
        (self.target, self.period, self.setBy, self.kind) = (target, period, setBy, kind)
        (self.tolerance, self.stretch, self.reason) = (tolerance, stretch, reason)
    }

    /// The target after this revision, or an error naming the field that does not fit.
    public func applying(to old: TargetSet) throws(DomainError) -> TargetSet {
        var new = old
        if let period { new.period = period }
        if let setBy { new.setBy = setBy }
        new.kind = try kind.applying(to: old.kind)
        if let tolerance { new.tolerance = tolerance }
        if let stretch { new.stretch = stretch }
        return new
    }

    /// The target after this revision; a revision that does not fit (never appended) changes nothing.
    public func applied(to old: TargetSet) -> TargetSet {
        (try? applying(to: old)) ?? old
    }
}

/// The kind-specific fields a target revision may carry.
public struct TargetKindRevision: Sendable, Equatable {
    /// "value", "direction", "band" or "change"; nil keeps the current kind.
    public var kind: String?
    public var value: Double?
    public var direction: TargetDirection?
    public var against: Comparator?
    public var low: Double?
    public var high: Double?
    public var change: Double?
    public var baseline: String?
    public var from: Period?
    public init(kind: String? = nil, value: Double? = nil, direction: TargetDirection? = nil, against: Comparator? = nil,
                low: Double? = nil, high: Double? = nil, change: Double? = nil, baseline: String? = nil, from: Period? = nil) {
        (self.kind, self.value, self.direction, self.against) = (kind, value, direction, against)
        (self.low, self.high, self.change, self.baseline, self.from) = (low, high, change, baseline, from)
    }

    public var isEmpty: Bool { self == TargetKindRevision() }

    /// The kind after revision (or, from nil, a new kind). Fields of another kind than the result are an error.
    public func applying(to old: TargetKind?) throws(DomainError) -> TargetKind {
        guard let name = kind ?? old?.name else {
            throw DomainError(field: "kind", "is missing (one of \(TargetKind.names.joined(separator: ", ")))")
        }
        var oldValue: Double?, oldDirection: TargetDirection?, oldAgainst: Comparator?, oldLow: Double?, oldHigh: Double?
        var oldChange: Double?, oldBaseline: String?, oldFrom: Period?
        switch old {
        case nil: break
        case .value(let v)?: oldValue = v
        case .direction(let d, let a)?: (oldDirection, oldAgainst) = (d, a)
        case .band(let l, let h)?: (oldLow, oldHigh) = (l, h)
        case .change(let c, let b, let f)?: (oldChange, oldBaseline, oldFrom) = (c, b, f)
        }
        let given: [(String, Bool, String)] = [
            ("value", value != nil, "value"), ("direction", direction != nil, "direction"), ("against", against != nil, "direction"),
            ("low", low != nil, "band"), ("high", high != nil, "band"), ("change", change != nil, "change"),
            ("baseline", baseline != nil, "change"), ("from", from != nil, "change"),
        ]
        for (field, present, owner) in given where present && owner != name {
            throw DomainError(field: field, "does not belong to a \(name) target")
        }
        func need<T>(_ new: T?, _ old: T?, _ field: String) throws(DomainError) -> T {
            guard let v = new ?? old else { throw DomainError(field: field, "is required for a \(name) target") }
            return v
        }
        switch name {
        case "value": return .value(try need(value, oldValue, "value"))
        case "direction": return .direction(try need(direction, oldDirection, "direction"), against: against ?? oldAgainst)
        case "band": return .band(low: try need(low, oldLow, "low"), high: try need(high, oldHigh, "high"))
        case "change": return .change(try need(change, oldChange, "change"), baseline: try need(baseline, oldBaseline, "baseline"), from: from ?? oldFrom)
        default: throw DomainError(field: "kind", "\"\(name)\" is not one of \(TargetKind.names.joined(separator: ", "))")
        }
    }
}

public struct TargetWithdrawn: Sendable, Equatable {
    public var target: String
    public var reason: String
    public init(target: String, reason: String) { (self.target, self.reason) = (target, reason) }
}

public struct OutturnRecorded: Sendable, Equatable {
    /// The partnership, or another area such as `london` recorded as a comparator.
    public var area: String
    /// True when the event named a `partnership` (false: an `area`).
    public var isPartnership: Bool
    public var indicator: String
    public var period: Period
    public var value: OutturnValue
    public var status: OutturnStatus
    public var note: String?
    public init(area: String, isPartnership: Bool = true, indicator: String, period: Period, value: OutturnValue,
                status: OutturnStatus = .final, note: String? = nil) {
        (self.area, self.isPartnership, self.indicator, self.period) = (area, isPartnership, indicator, period)
        (self.value, self.status, self.note) = (value, status, note)
    }
}

public struct ActionCreated: Sendable, Equatable {
    public var action: String
    public var partnership: String
    public var plan: String
    public var title: String
    public var leads: [String]
    public var priority: String?
    public var due: DateOrPeriod?
    /// The plan's own words for when ("Ongoing", "By March 2018").
    public var timescale: String?
    public var outcomes: [String]
    public var resources: Resources?
    public init(action: String, partnership: String, plan: String, title: String, leads: [String], priority: String? = nil,
                due: DateOrPeriod? = nil, timescale: String? = nil, outcomes: [String] = [], resources: Resources? = nil) {
        (self.action, self.partnership, self.plan, self.title, self.leads) = (action, partnership, plan, title, leads)
        (self.priority, self.due, self.timescale, self.outcomes, self.resources) = (priority, due, timescale, outcomes, resources)
    }
}

public struct ActionUpdated: Sendable, Equatable {
    public var action: String
    public var status: ActionStatus
    /// The quarterly "activity to date, issues & risks" text.
    public var progress: String?
    public var quarter: Period?
    public init(action: String, status: ActionStatus, progress: String? = nil, quarter: Period? = nil) {
        (self.action, self.status, self.progress, self.quarter) = (action, status, progress, quarter)
    }
}

public struct BoardHeld: Sendable, Equatable {
    public var partnership: String
    public var board: String
    public var date: DateOrPeriod
    public var decisions: [String]
    public init(partnership: String, board: String, date: DateOrPeriod, decisions: [String] = []) {
        (self.partnership, self.board, self.date, self.decisions) = (partnership, board, date, decisions)
    }
}

/// Which event a retraction takes back: by seq or by id.
public enum EventReference: Sendable, Equatable, CustomStringConvertible {
    case seq(Int)
    case id(String)
    public var description: String {
        switch self {
        case .seq(let s): "seq \(s)"
        case .id(let id): "id \"\(id)\""
        }
    }
}

public struct EventRetracted: Sendable, Equatable {
    public var event: EventReference
    public var reason: String
    public init(event: EventReference, reason: String) { (self.event, self.reason) = (event, reason) }
}
