import EventLog
import LedgerModel

/// Reads an `outturn.recorded` event's `data` straight from its bytes — nine in ten lines of a
/// London-wide ledger — without building a JSON tree or a `String` per key.
///
/// Sound, not complete, like the canonical envelope it sits in: it reads only the layout the
/// writer gives these objects (no whitespace; string values of ASCII from space up without
/// escapes; numbers of at most 15 digits without an exponent; the fields of an outturn, each
/// once, in any order) and returns nil for anything else, which the caller then decodes the
/// usual way (``EventDecoder``) — for its answer, or for its error. Whatever it returns is
/// exactly what that decoding would give for the same bytes, in its lenient (replay) mode.
enum OutturnBytes {
    static func decode(_ data: UnsafeRawBufferPointer) -> OutturnRecorded? {
        var reader = Reader(bytes: data)
        var fields = Fields()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        repeat {
            guard let field = reader.key() else { return nil }
            guard !fields.has(field) else { return nil }
            guard fields.read(field, from: &reader) else { return nil }
        } while reader.take(UInt8(ascii: ","))
        guard reader.take(UInt8(ascii: "}")), reader.isAtEnd else { return nil }
        return fields.outturn()
    }

    /// The fields an outturn has; the raw value indexes ``Fields``.
    private enum Field: Int {
        case partnership, area, indicator, period, value, numerator, denominator, change, against, status, note

        /// The key as it is written, quoted, with its colon.
        var quoted: StaticString {
            switch self {
            case .partnership: #""partnership":"#
            case .area: #""area":"#
            case .indicator: #""indicator":"#
            case .period: #""period":"#
            case .value: #""value":"#
            case .numerator: #""numerator":"#
            case .denominator: #""denominator":"#
            case .change: #""change":"#
            case .against: #""against":"#
            case .status: #""status":"#
            case .note: #""note":"#
            }
        }

        /// The keys that start with `letter` (at most two).
        static func starting(with letter: UInt8) -> (Field, Field?)? {
            switch letter {
            case UInt8(ascii: "p"): (.partnership, .period)
            case UInt8(ascii: "a"): (.area, .against)
            case UInt8(ascii: "i"): (.indicator, nil)
            case UInt8(ascii: "v"): (.value, nil)
            case UInt8(ascii: "n"): (.numerator, .note)
            case UInt8(ascii: "d"): (.denominator, nil)
            case UInt8(ascii: "c"): (.change, nil)
            case UInt8(ascii: "s"): (.status, nil)
            default: nil
            }
        }
    }

    /// What one object gave: a bit per field present, and its text (as bytes) or its number.
    private struct Fields {
        var present: UInt16 = 0
        var partnership, area, indicator, period, against, status, note: UnsafeRawBufferPointer?
        var value, numerator, denominator, change: Double?

        func has(_ field: Field) -> Bool { present & (1 << field.rawValue) != 0 }

        /// Reads the field's value, a non-empty string or a number as the field takes; false if it is neither.
        mutating func read(_ field: Field, from reader: inout Reader) -> Bool {
            present |= 1 << field.rawValue
            switch field {
            case .partnership: partnership = reader.text(); return partnership != nil
            case .area: area = reader.text(); return area != nil
            case .indicator: indicator = reader.text(); return indicator != nil
            case .period: period = reader.text(); return period != nil
            case .against: against = reader.text(); return against != nil
            case .status: status = reader.text(); return status != nil
            case .note: note = reader.text(); return note != nil
            case .value: value = reader.number(); return value != nil
            case .numerator: numerator = reader.number(); return numerator != nil
            case .denominator: denominator = reader.number(); return denominator != nil
            case .change: change = reader.number(); return change != nil
            }
        }

        /// The outturn, by ``EventDecoder``'s rules for which fields go together.
        func outturn() -> OutturnRecorded? {
            let areaBytes: UnsafeRawBufferPointer
            switch (partnership, area) {
            case (let p?, nil): areaBytes = p
            case (nil, let a?): areaBytes = a
            default: return nil
            }
            guard let indicator, let period = period.flatMap(OutturnBytes.period) else { return nil }
            let value: OutturnValue
            switch (has(.value), has(.numerator) || has(.denominator), has(.change) || has(.against)) {
            case (true, false, false):
                value = .number(self.value!)
            case (false, true, false):
                guard let numerator, let denominator else { return nil }
                value = .ratio(numerator: numerator, denominator: denominator)
            case (false, false, true):
                guard let change, let against = against.flatMap(OutturnBytes.period) else { return nil }
                value = .change(change, against: against)
            default:
                return nil
            }
            var outturnStatus = OutturnStatus.final
            if let status = self.status {
                switch status.count {
                case 5 where status.hasSameBytes(as: "final"): outturnStatus = .final
                case 9 where status.hasSameBytes(as: "projected"): outturnStatus = .projected
                case 11 where status.hasSameBytes(as: "provisional"): outturnStatus = .provisional
                default: return nil
                }
            }
            return OutturnRecorded(area: String(decoding: areaBytes, as: UTF8.self), isPartnership: has(.partnership),
                                   indicator: String(decoding: indicator, as: UTF8.self), period: period, value: value,
                                   status: outturnStatus, note: note.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// A period: `YYYY-MM` read in place, any other form through ``Period/init(_:)``.
    static func period(_ bytes: UnsafeRawBufferPointer) -> Period? {
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), let year = decimal(bytes, 0..<4), let month = decimal(bytes, 5..<7) {
            return Month(year: year, month: month).map(Period.month)
        }
        return Period(String(decoding: bytes, as: UTF8.self))
    }

    private static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        var value = 0
        for i in range {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Exact powers of ten: every one up to 10^22 is a double.
    private static let powersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { product, _ in product * 10 } }

    /// Reads forward through the object; every step returns nil (or false) on a mismatch.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A key an outturn has, quoted, and its colon: compared in place by its first letter, never
        /// scanned for its closing quote. Nil for any other key (the caller then decodes the usual way).
        mutating func key() -> Field? {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\""),
                  let (first, second) = Field.starting(with: bytes[position + 1]) else { return nil }
            func isAt(_ field: Field) -> Bool {
                let count = field.quoted.utf8CodeUnitCount
                return position + count <= bytes.count
                    && UnsafeRawBufferPointer.sameBytes(bytes.baseAddress! + position, UnsafeRawPointer(field.quoted.utf8Start), count)
            }
            guard let field = isAt(first) ? first : second.flatMap({ isAt($0) ? $0 : nil }) else { return nil }
            position += field.quoted.utf8CodeUnitCount
            return field
        }

        /// A non-empty string value (an empty one is missing to ``EventDecoder``).
        mutating func text() -> UnsafeRawBufferPointer? { plainString().flatMap { $0.isEmpty ? nil : $0 } }

        /// A string of ASCII from space up without quote or backslash: its contents.
        mutating func plainString() -> UnsafeRawBufferPointer? {
            guard take(UInt8(ascii: "\"")), let end = bytes.endOfPlainString(from: position) else { return nil }
            defer { position = end + 1 }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<end])
        }

        /// A JSON number of at most 15 digits and no exponent, as `Double(String)` reads it.
        ///
        /// Its digits as an integer are exact in a double (below 2^53), as is 10^(digits after the
        /// point); one correctly rounded division gives the correctly rounded value, which is what
        /// `strtod` gives.
        mutating func number() -> Double? {
            let negative = take(UInt8(ascii: "-"))
            var mantissa: Int64 = 0, digits = 0, fractionDigits = 0
            let integerStart = position
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa * 10 + Int64(bytes[position] &- UInt8(ascii: "0"))
                position += 1
                digits += 1
                guard digits <= 15 else { return nil }
            }
            // JSON: at least one digit, and no leading zero before another digit.
            guard digits > 0, !(digits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else { return nil }
            if take(UInt8(ascii: ".")) {
                while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
                    mantissa = mantissa * 10 + Int64(bytes[position] &- UInt8(ascii: "0"))
                    position += 1
                    digits += 1
                    fractionDigits += 1
                    guard digits <= 15 else { return nil }
                }
                guard fractionDigits > 0 else { return nil }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") { return nil }
            let magnitude = Double(mantissa) / OutturnBytes.powersOfTen[fractionDigits]
            return negative ? -magnitude : magnitude
        }
    }
}
