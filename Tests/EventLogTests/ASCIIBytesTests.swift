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

    /// The string scan that reads eight bytes at a time finds exactly what a byte-at-a-time scan
    /// finds: the closing quote, or nil at the first byte that is not plain (a backslash, a
    /// control byte, any byte of 0x80 up), at every position in and across words, from every start.
    @Test func plainStringsEndWhereAByteAtATimeScanEndsThem() {
        func byByte(_ bytes: [UInt8], from start: Int) -> Int? {
            for i in start..<bytes.count {
                if bytes[i] == 0x22 { return i }
                guard bytes[i] >= 0x20, bytes[i] < 0x80, bytes[i] != 0x5C else { return nil }
            }
            return nil
        }
        var random = SplitMix64(seed: 42)
        // Bytes next to every boundary the detectors have, and plain letters.
        let special: [UInt8] = [0x22, 0x5C, 0x7F, 0x7E, 0x80, 0xFF, 0x00, 0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0xC3, 0x01]
        var outcomes: Set<String> = []
        for _ in 0..<20_000 {
            let length = Int(random.next() % 40)
            var bytes = (0..<length).map { _ in UInt8(0x41 + random.next() % 26) }
            for _ in 0..<Int(random.next() % 3) where length > 0 {
                bytes[Int(random.next() % UInt64(length))] = special[Int(random.next() % UInt64(special.count))]
            }
            let start = length == 0 ? 0 : Int(random.next() % UInt64(length + 1))
            let expected = start < length ? byByte(bytes, from: start) : nil
            let found = bytes.withUnsafeBytes { $0.endOfPlainString(from: start) }
            #expect(found == expected, "\(bytes) from \(start)")
            outcomes.insert(expected.map { _ in "quote" } ?? (bytes[start...].contains(0x22) ? "stopped before a quote" : "no quote"))
        }
        #expect(outcomes.count == 3)
    }

    /// Byte comparison eight at a time agrees with `==` on arrays, for every length to 40 and a
    /// difference at every position.
    @Test func sameBytesIsEquality() {
        var random = SplitMix64(seed: 9)
        for length in 0...40 {
            let a = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for position in -1..<length {
                var b = a
                if position >= 0 { b[position] ^= UInt8(1 << (random.next() % 8)) }
                let same = a.withUnsafeBytes { x in b.withUnsafeBytes { y in
                    UnsafeRawBufferPointer.sameBytes(x.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, y.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, length)
                } }
                #expect(same == (a == b), "length \(length), changed at \(position)")
            }
        }
    }
}
