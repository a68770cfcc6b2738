/// Why an event is not acceptable: the `data` field at fault (nil: the event as a whole) and why.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var reason: String
    public init(field: String?, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { field.map { "field \"\($0)\": \(reason)" } ?? reason }
}

extension LedgerState {
    /// Checks an event against the ledger so far: everything it refers to exists, its
    /// periods fall inside its plan, its figures fit the indicator's unit.
    public func validate(_ event: DomainEvent) throws(DomainError) {
        func fail(_ field: String?, _ reason: String) -> DomainError { DomainError(field: field, reason) }
        func requirePartnership(_ id: String, field: String = "partnership") throws(DomainError) {
            guard partnership(id) != nil else {
                throw fail(field, "partnership \"\(id)\" is not registered (append a partnership.registered first)")
            }
        }
        func requireIndicator(_ id: String, field: String = "indicator") throws(DomainError) -> IndicatorDefined {
            guard let indicator = indicator(id) else {
                throw fail(field, "indicator \"\(id)\" is not defined (append an indicator.defined first)")
            }
            return indicator
        }
        func requirePlan(_ partnership: String, _ plan: String) throws(DomainError) -> PlanAdopted {
            guard let adopted = self.plan(partnership, plan) else {
                throw fail("plan", "plan \"\(plan)\" of \"\(partnership)\" has not been adopted")
            }
            return adopted
        }

        switch event {
        case .partnershipRegistered(let p):
            guard partnership(p.partnership) == nil else { throw fail("partnership", "\"\(p.partnership)\" is already registered") }
        case .planAdopted(let p):
            try requirePartnership(p.partnership)
            guard plan(p.partnership, p.plan) == nil else {
                throw fail("plan", "\"\(p.plan)\" is already adopted; record a new version with plan.revised")
            }
            guard p.from.first <= p.to.last else { throw fail("to", "\(p.to) ends before \(p.from) begins") }
        case .planRevised(let p):
            try requirePartnership(p.partnership)
            _ = try requirePlan(p.partnership, p.plan)
        case .prioritySet(let p):
            try requirePartnership(p.partnership)
            _ = try requirePlan(p.partnership, p.plan)
        case .priorityRetired(let p):
            guard priority(p.partnership, p.plan, p.priority) != nil else {
                throw fail("priority", "priority \"\(p.priority)\" is not set in plan \"\(p.plan)\" of \"\(p.partnership)\"")
            }
        case .indicatorDefined(let i):
            guard indicator(i.indicator) == nil else { throw fail("indicator", "\"\(i.indicator)\" is already defined") }
            for component in i.composition.components where indicator(component) == nil {
                throw fail(isSum(i.composition) ? "sum" : "ratio",
                           "component \"\(component)\" is not defined (define the components first)")
            }
            if case .sum(let parts) = i.composition {
                guard !parts.isEmpty else { throw fail("sum", "must name at least one indicator") }
                for part in parts {
                    if let unit = indicator(part)?.unit, unit != i.unit || !(unit == .count || unit == .currency) {
                        throw fail("sum", "component \"\(part)\" is in \(unit)s, which cannot be summed into \(i.unit)s (only counts and money sum)")
                    }
                }
            }
            if i.per != nil, i.unit != .rate { throw fail("per", "only rate indicators have a rate base") }
        case .baselineSet(let b):
            try requirePartnership(b.partnership)
            _ = try requireIndicator(b.indicator)
            guard !b.periods.isEmpty else { throw fail("periods", "must name at least one period") }
            if b.method == .value, b.value == nil { throw fail("value", "is required when method is \"value\"") }
        case .targetSet(let t):
            guard target(t.target) == nil else { throw fail("target", "\"\(t.target)\" is already set; change it with target.revised") }
            try requirePartnership(t.partnership)
            let indicator = try requireIndicator(t.indicator)
            try checkTarget(t, indicator: indicator)
        case .targetRevised(let r):
            guard let (old, withdrawn) = target(r.target) else { throw fail("target", "target \"\(r.target)\" has not been set") }
            guard !withdrawn else { throw fail("target", "target \"\(r.target)\" has been withdrawn") }
            let new = try r.applying(to: old)
            guard new != old else { throw fail(nil, "changes nothing in target \"\(r.target)\"") }
            let indicator = try requireIndicator(new.indicator)
            try checkTarget(new, indicator: indicator)
        case .targetWithdrawn(let w):
            guard let (_, withdrawn) = target(w.target) else { throw fail("target", "target \"\(w.target)\" has not been set") }
            guard !withdrawn else { throw fail("target", "target \"\(w.target)\" is already withdrawn") }
        case .outturnRecorded(let o):
            if o.isPartnership { try requirePartnership(o.area) }
            let indicator = try requireIndicator(o.indicator)
            try checkUnit(o.value, indicator: indicator)
        case .actionCreated(let a):
            guard action(a.action) == nil else { throw fail("action", "\"\(a.action)\" already exists; record progress with action.updated") }
            try requirePartnership(a.partnership)
            _ = try requirePlan(a.partnership, a.plan)
            if let p = a.priority, priority(a.partnership, a.plan, p) == nil {
                throw fail("priority", "priority \"\(p)\" is not set in plan \"\(a.plan)\"")
            }
        case .actionUpdated(let u):
            guard action(u.action) != nil else { throw fail("action", "action \"\(u.action)\" has not been created (append an action.created first)") }
        case .boardHeld(let b):
            try requirePartnership(b.partnership)
        case .eventRetracted(let r):
            guard let seq = resolve(r.event) else { throw fail("event", "\(r.event) is not in the ledger") }
            guard !retractionSeqs.contains(seq) else { throw fail("event", "\(r.event) is itself a retraction; append the event again instead") }
            if let by = retracted[seq] { throw fail("event", "\(r.event) was already retracted by seq \(by)") }
        }
    }

    private func isSum(_ composition: Composition) -> Bool {
        if case .sum = composition { return true }
        return false
    }

    /// A target's fields fit its indicator, its baseline exists, and its period lies in a plan.
    private func checkTarget(_ t: TargetSet, indicator: IndicatorDefined) throws(DomainError) {
        switch t.kind {
        case .band(let low, let high):
            guard low <= high else { throw DomainError(field: "high", "the band's high (\(formatNumber(high))) is below its low (\(formatNumber(low)))") }
        case .change(let change, let baselineID, _):
            guard let baseline = baseline(baselineID) else {
                throw DomainError(field: "baseline", "baseline \"\(baselineID)\" is not set (append a baseline.set first)")
            }
            guard baseline.indicator == t.indicator, baseline.partnership == t.partnership else {
                throw DomainError(field: "baseline", "baseline \"\(baselineID)\" is for \(baseline.partnership)/\(baseline.indicator), not \(t.partnership)/\(t.indicator)")
            }
            guard change > -1 else { throw DomainError(field: "change", "a change of \(formatNumber(change)) would go below zero") }
        case .direction(_, let against):
            if case .baseline(let id)? = against, baseline(id) == nil {
                throw DomainError(field: "against", "\"\(id)\" is neither a baseline that is set nor a period")
            }
        case .value:
            break
        }
        guard t.tolerance >= 0, t.tolerance < 1 else { throw DomainError(field: "tolerance", "must be between 0 and 1 (0.05 is 5%)") }
        let partnershipPlans = plans.keys.filter { $0.hasPrefix(t.partnership + "/") }.compactMap { key -> PlanAdopted? in
            let plan = String(key.dropFirst(t.partnership.count + 1))
            return self.plan(t.partnership, plan)
        }
        if !partnershipPlans.isEmpty, !partnershipPlans.contains(where: { $0.span.overlaps(t.period) }) {
            let spans = partnershipPlans.map { "\($0.plan) (\($0.from)–\($0.to))" }.joined(separator: ", ")
            throw DomainError(field: "period", "\(t.period) is outside every plan of \"\(t.partnership)\": \(spans)")
        }
    }

    /// The outturn's form fits the indicator's unit.
    private func checkUnit(_ value: OutturnValue, indicator: IndicatorDefined) throws(DomainError) {
        switch value {
        case .number(let v):
            if indicator.unit == .ratio {
                throw DomainError(field: "value", "indicator \"\(indicator.indicator)\" is a ratio: give numerator and denominator")
            }
            if indicator.unit == .count, v < 0 { throw DomainError(field: "value", "a count cannot be negative (\(formatNumber(v)))") }
            if indicator.unit == .percent, !(0...100).contains(v) {
                throw DomainError(field: "value", "a percent must be between 0 and 100 (\(formatNumber(v))); record a change with {change, against}")
            }
        case .ratio(let n, let d):
            guard indicator.unit == .ratio || indicator.unit == .percent || indicator.unit == .rate else {
                throw DomainError(field: "value", "indicator \"\(indicator.indicator)\" is in \(indicator.unit)s: a numerator and denominator only fit ratio, percent or rate indicators")
            }
            guard d > 0 else { throw DomainError(field: "denominator", "must be greater than zero") }
            guard n >= 0 else { throw DomainError(field: "numerator", "cannot be negative") }
        case .change:
            break
        }
    }
}
