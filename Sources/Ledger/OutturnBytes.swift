import EventLog
import LedgerModel

/// Reads an `outturn.recorded` event's `data` straight from its bytes — nine in ten lines of a
/// London-wide ledger — without building a JSON tree or a `String` per key.
///
/// Sound, not complete, like the canonical envelope it sits in: it reads only the layout the
/// writer gives these objects (no whitespace; string values of printable ASCII without
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
            guard let key = reader.plainString(), reader.take(UInt8(ascii: ":")), let field = Field(key) else { return nil }
            guard !fields.has(field) else { return nil }
            guard fields.read(field, from: &reader) else { return nil }
        } while reader.take(UInt8(ascii: ","))
        guard reader.take(UInt8(ascii: "}")), reader.isAtEnd else { return nil }
        return fields.outturn()
    }

    /// The fields an outturn has; the raw value indexes ``Fields``.
    private enum Field: Int {
        case partnership, area, indicator, period, value, numerator, denominator, change, against, status, note

        init?(_ key: UnsafeRawBufferPointer) {
            let field: Field? = switch key.count {
            case 4: key.hasSameBytes(as: "area") ? .area : key.hasSameBytes(as: "note") ? .note : nil
            case 5: key.hasSameBytes(as: "value") ? .value : nil
            case 6: key.hasSameBytes(as: "period") ? .period : key.hasSameBytes(as: "status") ? .status : key.hasSameBytes(as: "change") ? .change : nil
            case 7: key.hasSameBytes(as: "against") ? .against : nil
            case 9: key.hasSameBytes(as: "indicator") ? .indicator : key.hasSameBytes(as: "numerator") ? .numerator : nil
            case 11: key.hasSameBytes(as: "partnership") ? .partnership : key.hasSameBytes(as: "denominator") ? .denominator : nil
            default: nil
            }
            guard let field else { return nil }
            self = field
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
                guard let named = OutturnStatus(rawValue: String(decoding: status, as: UTF8.self)) else { return nil }
                outturnStatus = named
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

        /// A non-empty string value (an empty one is missing to ``EventDecoder``).
        mutating func text() -> UnsafeRawBufferPointer? { plainString().flatMap { $0.isEmpty ? nil : $0 } }

        /// A string of printable ASCII without quote or backslash: its contents.
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
