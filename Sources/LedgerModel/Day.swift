/// A calendar date in the proleptic Gregorian calendar, e.g. a board's date or an action's due date.
///
/// Always a real date with a year in 1...9999 when built through the failable initialisers.
/// Compares chronologically; `description` is ISO `YYYY-MM-DD`.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A validated date: year 1...9999, month 1...12, day within that month (29 February only in leap years).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.length(ofMonth: month, inYear: year) else { return nil }
        self.init(unchecked: year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded); nil for anything else, including impossible dates.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Day.decimal(bytes[0..<4]),
              let month = Day.decimal(bytes[5..<7]),
              let day = Day.decimal(bytes[8..<10]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Builds without validation; callers guarantee the fields (used for months' first and last days).
    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        "\(Day.zeroPadded(year, width: 4))-\(Day.zeroPadded(month, width: 2))-\(Day.zeroPadded(day, width: 2))"
    }

    /// The month this day falls in.
    public var monthOfYear: Month { Month(index: year * 12 + month - 1) }

    public static func < (a: Day, b: Day) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// Whether `year` is a Gregorian leap year (divisible by 4, except centuries not divisible by 400).
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1...12) of `year`.
    static func length(ofMonth month: Int, inYear year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The value of a run of ASCII decimal digits; nil if empty or any byte is not a digit.
    static func decimal<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }

    /// `n` in decimal, left-padded with zeros to at least `width` digits (sign, if any, in front).
    static func zeroPadded(_ n: Int, width: Int) -> String {
        let digits = String(n.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return n < 0 ? "-" + padded : padded
    }
}
