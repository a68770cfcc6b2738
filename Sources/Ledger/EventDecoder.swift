import EventLog
import LedgerModel

/// Turns an event's `type` and `data` into a typed ``DomainEvent`` — the only place the
/// ledger looks at JSON fields by name.
///
/// Strict decoding (for appends) rejects fields the type does not have, so a typo such as
/// `"partnersip"` is caught; lenient decoding (for reading the log) ignores them, so a log
/// written by a later version with new optional fields still reads.
enum EventDecoder {
    static func decode(type: String, data: JSONObject, strict: Bool) throws(DomainError) -> DomainEvent {
        var f = Fields(object: data, strict: strict)
        let event: DomainEvent
        switch type {
        case "partnership.registered":
            event = .partnershipRegistered(PartnershipRegistered(
                partnership: try f.slug("partnership"), name: try f.string("name"), borough: try f.optionalString("borough")))
        case "plan.adopted":
            event = .planAdopted(PlanAdopted(
                partnership: try f.slug("partnership"), plan: try f.identifier("plan"), title: try f.string("title"),
                from: try f.period("from"), to: try f.period("to"), version: try f.optionalString("version"),
                approvedBy: try f.optionalString("approvedBy"), approvedOn: try f.optionalDateOrPeriod("approvedOn")))
        case "plan.revised":
            event = .planRevised(PlanRevised(
                partnership: try f.slug("partnership"), plan: try f.identifier("plan"), version: try f.optionalString("version"),
                title: try f.optionalString("title"), reason: try f.string("reason")))
        case "priority.set":
            event = .prioritySet(PrioritySet(
                partnership: try f.slug("partnership"), plan: try f.identifier("plan"), priority: try f.identifier("priority"),
                title: try f.string("title"), description: try f.optionalString("description")))
        case "priority.retired":
            event = .priorityRetired(PriorityRetired(
                partnership: try f.slug("partnership"), plan: try f.identifier("plan"), priority: try f.identifier("priority"),
                reason: try f.string("reason")))
        case "indicator.defined":
            event = .indicatorDefined(try decodeIndicator(&f))
        case "baseline.set":
            event = .baselineSet(BaselineSet(
                baseline: try f.identifier("baseline"), partnership: try f.slug("partnership"), indicator: try f.identifier("indicator"),
                label: try f.string("label"), periods: try f.periods("periods"), method: try f.choice("method"),
                value: try f.optionalNumber("value")))
        case "target.set":
            event = .targetSet(TargetSet(
                target: try f.identifier("target"), partnership: try f.slug("partnership"), indicator: try f.identifier("indicator"),
                period: try f.period("period"), setBy: try f.choice("setBy"), kind: try decodeTargetKind(&f),
                tolerance: try f.optionalNumber("tolerance") ?? 0.05, stretch: try f.optionalBool("stretch") ?? false))
        case "target.revised":
            let revision = TargetRevised(
                target: try f.identifier("target"), period: try f.optionalPeriod("period"), setBy: try f.optionalChoice("setBy"),
                kind: try decodeKindRevision(&f), tolerance: try f.optionalNumber("tolerance"), stretch: try f.optionalBool("stretch"),
                reason: try f.string("reason"))
            event = .targetRevised(revision)
        case "target.withdrawn":
            event = .targetWithdrawn(TargetWithdrawn(target: try f.identifier("target"), reason: try f.string("reason")))
        case "outturn.recorded":
            event = .outturnRecorded(try decodeOutturn(&f))
        case "action.created":
            event = .actionCreated(ActionCreated(
                action: try f.identifier("action"), partnership: try f.slug("partnership"), plan: try f.identifier("plan"),
                title: try f.string("title"), leads: try f.strings("leads"), priority: try f.optionalIdentifier("priority"),
                due: try f.optionalDateOrPeriod("due"), timescale: try f.optionalString("timescale"),
                outcomes: try f.optionalStrings("outcomes") ?? [], resources: try decodeResources(&f)))
        case "action.updated":
            event = .actionUpdated(ActionUpdated(
                action: try f.identifier("action"), status: try f.choice("status"), progress: try f.optionalString("progress"),
                quarter: try f.optionalPeriod("quarter")))
        case "board.held":
            event = .boardHeld(BoardHeld(
                partnership: try f.slug("partnership"), board: try f.identifier("board"), date: try f.dateOrPeriod("date"),
                decisions: try f.optionalStrings("decisions") ?? []))
        case "event.retracted":
            let reference: EventReference
            switch data["event"] {
            case .number(let n)?:
                guard let seq = n.int, seq >= 1 else { throw DomainError(field: "event", "a seq must be a positive integer") }
                reference = .seq(seq)
            case .string(let id)?:
                guard !id.isEmpty else { throw DomainError(field: "event", "must not be empty") }
                reference = .id(id)
            case nil: throw DomainError(field: "event", "is missing (the seq or id of the event to retract)")
            case let other?: throw DomainError(field: "event", "must be a seq (number) or an id (string), found \(other.kindName)")
            }
            f.markUsed("event")
            event = .eventRetracted(EventRetracted(event: reference, reason: try f.string("reason")))
        default:
            throw DomainError(field: nil, "unknown event type \"\(type)\" (known: \(DomainEvent.typeNames.joined(separator: ", ")))")
        }
        if strict { try f.rejectUnknown(type: type) }
        return event
    }

    /// Whether `s` is an identifier as strict decoding requires: at most 200 bytes, no spaces or
    /// control characters. (Empty strings are rejected before this is asked.)
    static func isIdentifier(_ s: String) -> Bool {
        s.utf8.count <= 200 && !s.containsUTF8Byte(where: { $0 <= 0x20 || $0 == 0x7F })
    }

    /// Whether `s` is a slug: lowercase letters and digits in runs joined by single hyphens.
    static func isSlug(_ s: String) -> Bool {
        s.withUTF8Bytes { utf8 in
            var runLength = 0
            for c in utf8 {
                if c == UInt8(ascii: "-") {
                    guard runLength > 0 else { return false }
                    runLength = 0
                } else if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) {
                    runLength += 1
                } else {
                    return false
                }
            }
            return runLength > 0
        }
    }

    private static func decodeIndicator(_ f: inout Fields) throws(DomainError) -> IndicatorDefined {
        let indicator = try f.identifier("indicator")
        let name = try f.string("name")
        let unit: IndicatorUnit = try f.choice("unit")
        let polarity: Polarity = try f.choice("polarity")
        let per = try f.optionalNumber("per")
        var composition = Composition.none
        if f.has("sum") {
            let parts = try f.strings("sum")
            composition = .sum(parts)
            if f.has("ratio") { throw DomainError(field: "ratio", "an indicator is a sum or a ratio, not both") }
        } else if f.has("ratio") {
            let ratio = try f.object("ratio")
            guard case .string(let n)? = ratio["numerator"], case .string(let d)? = ratio["denominator"] else {
                throw DomainError(field: "ratio", "must be {\"numerator\": indicator, \"denominator\": indicator}")
            }
            composition = .ratio(numerator: n, denominator: d)
        }
        return IndicatorDefined(indicator: indicator, name: name, unit: unit, polarity: polarity, per: per, composition: composition,
                                priority: try f.optionalIdentifier("priority"), code: try f.optionalString("code"))
    }

    private static func decodeTargetKind(_ f: inout Fields) throws(DomainError) -> TargetKind {
        try decodeKindRevision(&f).applying(to: nil)
    }

    private static func decodeKindRevision(_ f: inout Fields) throws(DomainError) -> TargetKindRevision {
        var r = TargetKindRevision()
        if let kind = try f.optionalString("kind") {
            guard TargetKind.names.contains(kind) else {
                throw DomainError(field: "kind", "\"\(kind)\" is not one of \(TargetKind.names.joined(separator: ", "))")
            }
            r.kind = kind
        }
        r.value = try f.optionalNumber("value")
        r.direction = try f.optionalChoice("direction")
        if let against = try f.optionalString("against") {
            r.against = Period(against).map(Comparator.period) ?? .baseline(against)
        }
        r.low = try f.optionalNumber("low")
        r.high = try f.optionalNumber("high")
        r.change = try f.optionalNumber("change")
        r.baseline = try f.optionalIdentifier("baseline")
        r.from = try f.optionalPeriod("from")
        return r
    }

    private static func decodeOutturn(_ f: inout Fields) throws(DomainError) -> OutturnRecorded {
        let area: String
        let isPartnership: Bool
        switch (f.has("partnership"), f.has("area")) {
        case (true, false): area = try f.slug("partnership"); isPartnership = true
        case (false, true): area = try f.slug("area"); isPartnership = false
        case (true, true): throw DomainError(field: "area", "give a partnership or an area, not both")
        case (false, false): throw DomainError(field: "partnership", "is missing (or give an area, e.g. \"london\")")
        }
        let indicator = try f.identifier("indicator")
        let period = try f.period("period")
        let value: OutturnValue
        switch (f.has("value"), f.has("numerator") || f.has("denominator"), f.has("change") || f.has("against")) {
        case (true, false, false):
            value = .number(try f.number("value"))
        case (false, true, false):
            value = .ratio(numerator: try f.number("numerator"), denominator: try f.number("denominator"))
        case (false, false, true):
            value = .change(try f.number("change"), against: try f.period("against"))
        case (false, false, false):
            throw DomainError(field: "value", "is missing (give value, or numerator and denominator, or change and against)")
        default:
            throw DomainError(field: "value", "give one of: value; numerator and denominator; change and against")
        }
        return OutturnRecorded(area: area, isPartnership: isPartnership, indicator: indicator, period: period, value: value,
                               status: try f.optionalChoice("status") ?? .final, note: try f.optionalString("note"))
    }

    private static func decodeResources(_ f: inout Fields) throws(DomainError) -> Resources? {
        guard f.has("resources") else { return nil }
        let object = try f.object("resources")
        var r = Fields(object: object, prefix: "resources.", strict: f.strict)
        let resources = Resources(amount: try r.number("amount"), currency: try r.string("currency"),
                                  per: try r.optionalString("per"), fund: try r.optionalString("fund"))
        if r.strict { try r.rejectUnknown(type: "resources") }
        return resources
    }
}

/// Typed access to the fields of one `data` object, remembering which were read.
struct Fields {
    let object: JSONObject
    var prefix = ""
    /// The positions of the members read (one bit each; events have far fewer than 64 fields).
    private var used = UsedPositions()
    /// Strict: check identifiers' characters and remember which fields were read. A replay reads
    /// events that were checked when they were appended, so it skips both (they cost a third of it).
    let strict: Bool

    init(object: JSONObject, prefix: String = "", strict: Bool = true) {
        self.object = object
        self.prefix = prefix
        self.strict = strict
    }

    func has(_ key: String) -> Bool { object[key] != nil && object[key] != .null }

    private func fail(_ key: String, _ reason: String) -> DomainError { DomainError(field: prefix + key, reason) }

    mutating func optionalValue(_ key: String) -> JSONValue? {
        guard let position = object.position(of: key) else { return nil }
        if strict { used.insert(position) }
        let v = object.member(at: position).value
        return v == .null ? nil : v
    }

    /// Counts `key` as read (a field decoded without these helpers).
    mutating func markUsed(_ key: String) {
        if let position = object.position(of: key) { used.insert(position) }
    }

    mutating func optionalString(_ key: String) throws(DomainError) -> String? {
        guard let v = optionalValue(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "must be a string, found \(v.kindName)") }
        guard !s.isEmpty else { throw fail(key, "must not be empty") }
        return s
    }

    mutating func string(_ key: String) throws(DomainError) -> String {
        guard let s = try optionalString(key) else { throw fail(key, "is missing") }
        return s
    }

    /// An identifier: no spaces or control characters, at most 200 bytes.
    mutating func optionalIdentifier(_ key: String) throws(DomainError) -> String? {
        guard let s = try optionalString(key) else { return nil }
        guard !strict || EventDecoder.isIdentifier(s) else {
            throw fail(key, "\"\(s)\" is not an identifier (no spaces; e.g. MOPAC7.burglary, slp-2015-16)")
        }
        return s
    }

    mutating func identifier(_ key: String) throws(DomainError) -> String {
        guard let s = try optionalIdentifier(key) else { throw fail(key, "is missing") }
        return s
    }

    /// A partnership or area slug: lowercase letters and digits joined by single hyphens.
    mutating func slug(_ key: String) throws(DomainError) -> String {
        let s = try string(key)
        guard !strict || EventDecoder.isSlug(s) else {
            throw fail(key, "\"\(s)\" is not a slug (lowercase with hyphens, e.g. barking-and-dagenham)")
        }
        return s
    }

    mutating func optionalNumber(_ key: String) throws(DomainError) -> Double? {
        guard let v = optionalValue(key) else { return nil }
        guard case .number(let n) = v else { throw fail(key, "must be a number, found \(v.kindName)") }
        guard n.double.isFinite else { throw fail(key, "\(n.literal) is out of range") }
        return n.double
    }

    mutating func number(_ key: String) throws(DomainError) -> Double {
        guard let n = try optionalNumber(key) else { throw fail(key, "is missing") }
        return n
    }

    mutating func optionalBool(_ key: String) throws(DomainError) -> Bool? {
        guard let v = optionalValue(key) else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "must be true or false, found \(v.kindName)") }
        return b
    }

    mutating func optionalPeriod(_ key: String) throws(DomainError) -> Period? {
        guard let s = try optionalString(key) else { return nil }
        guard let p = Period(s) else {
            throw fail(key, "\"\(s)\" is not a period (2015/16, 2015/16 Q1, 2014-12, 2014, or 2021-09..2022-08)")
        }
        return p
    }

    mutating func period(_ key: String) throws(DomainError) -> Period {
        guard let p = try optionalPeriod(key) else { throw fail(key, "is missing") }
        return p
    }

    /// A list of periods, or a single period.
    mutating func periods(_ key: String) throws(DomainError) -> [Period] {
        try strings(key).map { (s) throws(DomainError) -> Period in
            guard let p = Period(s) else { throw fail(key, "\"\(s)\" is not a period (2015/16, 2014-12, 2014 …)") }
            return p
        }
    }

    mutating func optionalDateOrPeriod(_ key: String) throws(DomainError) -> DateOrPeriod? {
        guard let s = try optionalString(key) else { return nil }
        guard let d = DateOrPeriod(s) else { throw fail(key, "\"\(s)\" is not a date (YYYY-MM-DD) or a period (2017-04, 2017/18 …)") }
        return d
    }

    mutating func dateOrPeriod(_ key: String) throws(DomainError) -> DateOrPeriod {
        guard let d = try optionalDateOrPeriod(key) else { throw fail(key, "is missing") }
        return d
    }

    /// A list of strings, or a single string.
    mutating func optionalStrings(_ key: String) throws(DomainError) -> [String]? {
        guard let v = optionalValue(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            return try items.map { (item) throws(DomainError) -> String in
                guard case .string(let s) = item, !s.isEmpty else { throw fail(key, "must be a list of non-empty strings") }
                return s
            }
        default: throw fail(key, "must be a string or a list of strings, found \(v.kindName)")
        }
    }

    mutating func strings(_ key: String) throws(DomainError) -> [String] {
        guard let s = try optionalStrings(key), !s.isEmpty else { throw fail(key, "is missing") }
        return s
    }

    mutating func object(_ key: String) throws(DomainError) -> JSONObject {
        guard let v = optionalValue(key) else { throw fail(key, "is missing") }
        guard case .object(let o) = v else { throw fail(key, "must be an object, found \(v.kindName)") }
        return o
    }

    mutating func optionalChoice<E: RawRepresentable & CaseIterable>(_ key: String) throws(DomainError) -> E? where E.RawValue == String {
        guard let s = try optionalString(key) else { return nil }
        guard let e = E(rawValue: s) else {
            throw fail(key, "\"\(s)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String) throws(DomainError) -> E where E.RawValue == String {
        guard let e: E = try optionalChoice(key) else {
            throw fail(key, "is missing (one of \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return e
    }

    /// Rejects fields the type does not have (so typos are caught on append).
    func rejectUnknown(type: String) throws(DomainError) {
        for position in 0..<object.count where !used.contains(position) {
            throw fail(object.member(at: position).key, "is not a field of \(type)")
        }
    }

    /// A set of member positions: a bit mask, and a set for any past the 64th.
    private struct UsedPositions {
        var mask: UInt64 = 0
        var beyond: Set<Int> = []

        mutating func insert(_ position: Int) {
            if position < 64 { mask |= 1 << UInt64(position) } else { beyond.insert(position) }
        }

        func contains(_ position: Int) -> Bool {
            position < 64 ? mask & (1 << UInt64(position)) != 0 : beyond.contains(position)
        }
    }
}
