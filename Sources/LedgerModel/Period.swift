/// A calendar month, counted from year 0 (index = year * 12 + month - 1), so months subtract and compare as integers.
///
/// `init(index:)` accepts any index; `init?(year:month:)` only years 1...9999, the range text can name.
public struct Month: Hashable, Comparable, Sendable, Strideable, CustomStringConvertible {
    public let index: Int

    public init(index: Int) {
        self.index = index
    }

    /// Month 1...12 of year 1...9999; nil otherwise.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.init(index: year * 12 + month - 1)
    }

    public var year: Int {
        let (q, r) = index.quotientAndRemainder(dividingBy: 12)
        return r < 0 ? q - 1 : q
    }

    /// 1...12.
    public var month: Int {
        let r = index % 12
        return r < 0 ? r + 13 : r + 1
    }

    /// `YYYY-MM`, e.g. "2014-03".
    public var description: String {
        "\(Day.zeroPadded(year, width: 4))-\(Day.zeroPadded(month, width: 2))"
    }

    /// The number of months from `self` to `other` (positive when `other` is later).
    public func distance(to other: Month) -> Int { other.index - index }

    /// The month `n` months later (earlier when `n` is negative).
    public func advanced(by n: Int) -> Month { Month(index: index + n) }

    public static func < (a: Month, b: Month) -> Bool { a.index < b.index }

    /// The 1st of this month.
    public var firstDay: Day { Day(unchecked: year, month, 1) }

    /// The last day of this month: 28, 29 (leap February), 30 or 31.
    public var lastDay: Day { Day(unchecked: year, month, Day.length(ofMonth: month, inYear: year)) }
}

/// A reporting period: an inclusive range of months, named canonically.
///
/// Equality and hashing are by the months covered: "2014" == "2014-01..2014-12". The name
/// (`kind`, `description`) is derived from the months, never stored, so a span that covers
/// April–March names itself as that financial year.
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// What a period's months make; see `Period.kind`.
    public enum Kind: String, Sendable { case month, quarter, financialYear, calendarYear, span }

    public let first: Month
    public let last: Month

    /// The months `first...last`; nil if `last < first`.
    public init?(first: Month, last: Month) {
        guard first <= last else { return nil }
        self.init(unchecked: first, last)
    }

    /// Builds without checking order; callers guarantee `first <= last`.
    init(unchecked first: Month, _ last: Month) {
        self.first = first
        self.last = last
    }

    /// Parses `2015/16`, `2015/16 Q1`..`Q4`, `2014-12`, `2014`, and `A..B` where A and B are any of those
    /// (the span runs from A's first month to B's last; nil if it would run backwards).
    ///
    /// Strict: ASCII digits, four-digit years 0001...9999 (every month covered must fall in them), two-digit
    /// months; the second half of a financial year must be the next year's last two digits (`1999/00` ok,
    /// `2015/17` not); no surrounding spaces; exactly one space before `Q`. Nil for anything else.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var split: Int?
        if bytes.count >= 2 {
            for i in 0..<(bytes.count - 1) where bytes[i] == UInt8(ascii: ".") && bytes[i + 1] == UInt8(ascii: ".") {
                split = i
                break
            }
        }
        if let split {
            guard let a = Period.parseSingle(bytes[..<split]),
                  let b = Period.parseSingle(bytes[(split + 2)...]),
                  a.first <= b.last else { return nil }
            self.init(unchecked: a.first, b.last)
        } else {
            guard let p = Period.parseSingle(bytes[...]) else { return nil }
            self = p
        }
    }

    /// One of the non-span forms: `2014`, `2014-12`, `2015/16`, `2015/16 Q1`.
    private static func parseSingle(_ bytes: ArraySlice<UInt8>) -> Period? {
        let s = bytes.startIndex
        guard bytes.count >= 4, let year = Day.decimal(bytes[s..<(s + 4)]), (1...9999).contains(year) else { return nil }
        if bytes.count == 4 { return calendarYear(year) }
        guard bytes.count >= 7, let two = Day.decimal(bytes[(s + 5)..<(s + 7)]) else { return nil }
        switch (bytes[s + 4], bytes.count) {
        case (UInt8(ascii: "-"), 7):
            guard let m = Month(year: year, month: two) else { return nil }
            return month(m)
        case (UInt8(ascii: "/"), 7), (UInt8(ascii: "/"), 10):
            guard year < 9999, two == (year + 1) % 100 else { return nil }
            if bytes.count == 7 { return financialYear(startingIn: year) }
            guard bytes[s + 7] == UInt8(ascii: " "), bytes[s + 8] == UInt8(ascii: "Q"),
                  let q = Day.decimal(bytes[(s + 9)...]), (1...4).contains(q) else { return nil }
            return quarter(q, ofFinancialYearStartingIn: year)
        default:
            return nil
        }
    }

    /// The single month `month`.
    public static func month(_ month: Month) -> Period { Period(unchecked: month, month) }

    /// January–December of `year`.
    public static func calendarYear(_ year: Int) -> Period {
        let jan = Month(index: year * 12)
        return Period(unchecked: jan, jan.advanced(by: 11))
    }

    /// April of `year` to March of the next: `financialYear(startingIn: 2015)` is 2015/16.
    public static func financialYear(startingIn year: Int) -> Period {
        let april = Month(index: year * 12 + 3)
        return Period(unchecked: april, april.advanced(by: 11))
    }

    /// Quarter `q` of the financial year starting in `year`: Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar.
    ///
    /// `q` must be 1...4 (a programming error otherwise; it traps).
    public static func quarter(_ q: Int, ofFinancialYearStartingIn year: Int) -> Period {
        precondition((1...4).contains(q), "quarter must be 1...4, got \(q)")
        let start = Month(index: year * 12 + 3 + (q - 1) * 3)
        return Period(unchecked: start, start.advanced(by: 2))
    }

    /// The kind its months make: one month → month; Apr–Jun/Jul–Sep/Oct–Dec/Jan–Mar of a financial year → quarter;
    /// Apr–Mar → financialYear; Jan–Dec → calendarYear; anything else → span.
    public var kind: Kind {
        switch (monthCount, first.month) {
        case (1, _): return .month
        case (3, 1), (3, 4), (3, 7), (3, 10): return .quarter
        case (12, 4): return .financialYear
        case (12, 1): return .calendarYear
        default: return .span
        }
    }

    /// Canonical text for `kind`: "2014-12", "2015/16 Q1", "2015/16", "2014", "2021-09..2022-08".
    ///
    /// `Period(description)` gives back an equal period (for months in years 1...9999).
    public var description: String {
        switch kind {
        case .month:
            return first.description
        case .quarter:
            let q = (first.month + 8) % 12 / 3 + 1
            return "\(Period.financialYearName(startingIn: financialYearStart)) Q\(q)"
        case .financialYear:
            return Period.financialYearName(startingIn: first.year)
        case .calendarYear:
            return Day.zeroPadded(first.year, width: 4)
        case .span:
            return "\(first)..\(last)"
        }
    }

    /// The year in which the financial year holding `first` starts.
    private var financialYearStart: Int { first.month >= 4 ? first.year : first.year - 1 }

    /// `2015/16` for 2015.
    private static func financialYearName(startingIn year: Int) -> String {
        let next = ((year + 1) % 100 + 100) % 100
        return "\(Day.zeroPadded(year, width: 4))/\(Day.zeroPadded(next, width: 2))"
    }

    /// How many months it covers (at least 1).
    public var monthCount: Int { first.distance(to: last) + 1 }

    /// Every month covered, `first...last`, in order.
    public var months: [Month] { Array(first...last) }

    public func contains(_ month: Month) -> Bool { first <= month && month <= last }

    /// Whether all of `other`'s months are inside this period.
    public func contains(_ other: Period) -> Bool { first <= other.first && other.last <= last }

    /// Whether the two share at least one month.
    public func overlaps(_ other: Period) -> Bool { first <= other.last && other.first <= last }

    /// The period of the same length immediately before this one (2015/16 → 2014/15, 2015/16 Q1 → 2014/15 Q4,
    /// 2014-01 → 2013-12, 2021-09..2022-08 → 2020-09..2021-08). Used for "direction of travel".
    public var previous: Period {
        Period(unchecked: first.advanced(by: -monthCount), first.advanced(by: -1))
    }

    /// The same months one year earlier (2015/16 Q1 → 2014/15 Q1).
    public var sameTimeLastYear: Period {
        Period(unchecked: first.advanced(by: -12), last.advanced(by: -12))
    }

    /// The first day of the first month.
    public var firstDay: Day { first.firstDay }

    /// The last day of the last month.
    public var lastDay: Day { last.lastDay }

    /// Ordered by first month, then by last month (so shorter first when they start together).
    public static func < (a: Period, b: Period) -> Bool {
        (a.first, a.last) < (b.first, b.last)
    }
}
