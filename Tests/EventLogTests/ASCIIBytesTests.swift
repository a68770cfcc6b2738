import Testing
@testable import EventLog

/// The id index and the log write numbers, dates and digests straight into bytes: each must
/// be exactly the text the slower `String` forms give.
struct ASCIIBytesTests {
    @Test func decimalsAreTheirStringForms() {
        var values = [0, 1, -1, 9, 10, 99, 100, 12_345, -987_654, Int.max, Int.min + 1, Int.min]
        var generator = SplitMix64(seed: 7)
        for _ in 0..<1000 { values.append(Int(truncatingIfNeeded: generator.next()) >> Int(generator.next() % 63)) }
        for value in values {
            var bytes: [UInt8] = [0x41]
            bytes.appendDecimal(value)
            #expect(bytes == [0x41] + Array(String(value).utf8), "\(value)")
        }
    }

    @Test func datesAreTheirDescriptions() {
        var dates = [CalendarDate(year: 2026, month: 11, day: 30), CalendarDate(year: 1, month: 1, day: 1),
                     CalendarDate(year: 999, month: 12, day: 31), CalendarDate(year: 9999, month: 12, day: 31),
                     CalendarDate(year: 1970, month: 1, day: 1)].compactMap { $0 }
        for day in stride(from: -700_000, to: 2_900_000, by: 997) { dates.append(CalendarDate(daysSince1970: day)) }
        for date in dates {
            var bytes: [UInt8] = []
            bytes.appendISO(date)
            #expect(String(decoding: bytes, as: UTF8.self) == date.description)
        }
    }

    @Test func literalsStringsAndBlanksAreTheirBytes() {
        var bytes: [UInt8] = []
        bytes.append(literal: #","known":""#)
        bytes.append(utf8: "né€😀")
        bytes.append(utf8: "short")
        bytes.append(utf8: String(repeating: "long ", count: 20))
        bytes.appendBlankHex()
        #expect(bytes == Array(#","known":""#.utf8) + Array("né€😀".utf8) + Array("short".utf8)
            + Array(String(repeating: "long ", count: 20).utf8) + Array(repeating: UInt8(ascii: "0"), count: 64))
    }
}
