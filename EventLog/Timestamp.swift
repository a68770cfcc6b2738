#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC instant with millisecond precision: the log's `recorded` field.
///
/// Written as RFC 3339 with milliseconds and `Z` (`2026-11-23T18:43:44.123Z`), so
/// timestamps sort the same as strings and as numbers.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The current time from `clock_gettime(CLOCK_REALTIME)`.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSince1970: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    /// The UTC calendar date this instant falls on.
    public var date: CalendarDate {
        CalendarDate(daysSince1970: Int(millisecondsSince1970.floorDivided(by: 86_400_000)))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var description: String {
        let ms = Int(millisecondsSince1970.floorModulo(86_400_000))
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        let date = self.date
        guard (0...9999).contains(date.year) else { return "\(date)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(f, 3))Z" }
        // Written as bytes (a replay makes one per distinct time; padded strings interpolated cost several times more).
        var text: [UInt8] = []
        text.reserveCapacity(24)
        text.appendISO(date)
        for (value, width, separator) in [(h, 2, "T"), (m, 2, ":"), (s, 2, ":"), (f, 3, ".")] as [(Int, Int, Unicode.Scalar)] {
            text.append(UInt8(ascii: separator))
            text.appendDecimal(value, width: width)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (the form the log writes).
    public init?(rfc3339 text: some StringProtocol) {
        // Contiguous UTF-8 is read in place; anything else is copied once.
        guard let parsed = text.utf8.withContiguousStorageIfAvailable({ Timestamp(rfc3339Bytes: $0) }) ?? Timestamp(rfc3339Bytes: Array(text.utf8))
        else { return nil }
        self = parsed
    }

    init?<B: RandomAccessCollection<UInt8>>(rfc3339Bytes b: B) where B.Index == Int {
        let o = b.startIndex
        guard b.count == 24, b[o + 10] == UInt8(ascii: "T"), b[o + 13] == UInt8(ascii: ":"), b[o + 16] == UInt8(ascii: ":"),
              b[o + 19] == UInt8(ascii: "."), b[o + 23] == UInt8(ascii: "Z"),
              let date = CalendarDate(isoBytes: b[b.startIndex..<(b.startIndex + 10)]),
              let h = digits(b, 11, 2), let m = digits(b, 14, 2), let s = digits(b, 17, 2), let f = digits(b, 20, 3),
              h < 24, m < 60, s < 60
        else { return nil }
        let ms = ((h * 60 + m) * 60 + s) * 1000 + f
        self.init(millisecondsSince1970: Int64(date.daysSince1970) * 86_400_000 + Int64(ms))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.millisecondsSince1970 < b.millisecondsSince1970
    }
}

/// A proleptic Gregorian calendar date: the log's `known` field and the unit of `--as-of`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (checks month lengths and leap years).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        guard let parsed = text.utf8.withContiguousStorageIfAvailable({ CalendarDate(isoBytes: $0) }) ?? CalendarDate(isoBytes: Array(text.utf8))
        else { return nil }
        self = parsed
    }

    init?<B: RandomAccessCollection<UInt8>>(isoBytes b: B) where B.Index == Int {
        guard b.count == 10, b[b.startIndex + 4] == UInt8(ascii: "-"), b[b.startIndex + 7] == UInt8(ascii: "-"),
              let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    public init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        (year, month, day) = (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// The decimal value of `count` ASCII digits at `offset`, or nil if any is not a digit.
private func digits<B: RandomAccessCollection<UInt8>>(_ bytes: B, _ offset: Int, _ count: Int) -> Int? where B.Index == Int {
    var value = 0
    for i in offset..<(offset + count) {
        let c = bytes[bytes.startIndex + i]
        guard c >= 48, c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
    }
    return value
}

private func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension Int64 {
    fileprivate func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
    fileprivate func floorModulo(_ d: Int64) -> Int64 {
        let r = self % d
        return r < 0 ? r + d : r
    }
}
