// A strict RFC 8259 JSON parser over UTF-8 bytes.
//
// Iterative (an explicit stack instead of recursion), so hostile nesting cannot
// overflow the thread's stack; every byte read is bounds-checked against `end`.

/// Why a JSON text was rejected, and where.
public struct JSONError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Byte offset into the input where the problem was found.
    ///
    /// For an unterminated string this is its opening quote; for a trailing
    /// comma, the comma; at end of input, the input's length.
    public let offset: Int
    /// A short, human explanation, e.g. "expected ':' after object key".
    public let reason: String

    init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// "<reason> at byte <offset>".
    public var description: String { "\(reason) at byte \(offset)" }
}

/// Parses JSON text.
///
/// Strict RFC 8259: one value, optionally surrounded by space, tab, LF or CR;
/// no comments, trailing commas, NaN/Infinity, leading zeros, single quotes or
/// byte order mark; strings must be valid UTF-8 without raw control characters
/// and use only the standard escapes, with `\u` surrogates paired. Also
/// rejected: duplicate keys in one object (compared as Swift strings, so
/// canonically equivalent keys count as duplicates) and nesting deeper than
/// 512 arrays/objects. Numbers are not range-checked: `1e400` is accepted and
/// kept as its literal.
public enum JSONReader {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 512

    /// Parses exactly one JSON value (surrounding whitespace allowed, nothing else).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var parser = Parser(bytes)
        return try parser.parseDocument()
    }

    /// Parses exactly one JSON value from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON value from the string's UTF-8 form; offsets count UTF-8 bytes.
    public static func parse(_ string: String) throws(JSONError) -> JSONValue {
        var text = string
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONError) -> JSONValue in try parse(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    /// Parses one document after another with the same working stacks: for a batch of
    /// many lines, which would otherwise allocate them afresh for each line.
    public struct Reusable {
        private var parser = Parser(UnsafeRawBufferPointer(start: nil, count: 0))

        public init() {}

        /// Parses exactly one JSON value, as `JSONReader.parse` does.
        public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
            parser.reset(bytes)
            return try parser.parseDocument()
        }
    }

    /// Scans one number starting at `start`; returns the offset just past it.
    ///
    /// Checks the grammar only; whatever follows the number is the caller's concern.
    static func scanNumber(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONError) -> Int {
        let end = bytes.count
        var i = start
        if i < end, bytes[i] == JSONByte.minus { i += 1 }
        guard i < end, JSONByte.isDigit(bytes[i]) else {
            throw expected("digit", at: i, end: end)
        }
        if bytes[i] == JSONByte.zero {
            if i + 1 < end, JSONByte.isDigit(bytes[i + 1]) {
                throw JSONError(offset: i, reason: "leading zero in number")
            }
            i += 1
        } else {
            while i < end, JSONByte.isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] == JSONByte.dot {
            i += 1
            guard i < end, JSONByte.isDigit(bytes[i]) else {
                throw expected("digit after '.'", at: i, end: end)
            }
            while i < end, JSONByte.isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] == JSONByte.lowerE || bytes[i] == JSONByte.upperE {
            i += 1
            if i < end, bytes[i] == JSONByte.plus || bytes[i] == JSONByte.minus { i += 1 }
            guard i < end, JSONByte.isDigit(bytes[i]) else {
                throw expected("digit in exponent", at: i, end: end)
            }
            while i < end, JSONByte.isDigit(bytes[i]) { i += 1 }
        }
        return i
    }

    /// "expected <what>" at `offset`, or "unexpected end of input" when `offset` is the end.
    static func expected(_ what: String, at offset: Int, end: Int) -> JSONError {
        JSONError(offset: offset, reason: offset >= end ? "unexpected end of input" : "expected \(what)")
    }
}

/// ASCII byte constants and tests shared by the JSON reader and writer.
enum JSONByte {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero <= 9 }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == lineFeed || byte == carriageReturn || byte == tab
    }

    /// `'x'` for printable ASCII, otherwise `byte 0xNN`, for error messages.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + hex(UInt32(byte), digits: 2, uppercase: true)
    }

    static func hex(_ value: UInt32, digits: Int, uppercase: Bool = false) -> String {
        let text = String(value, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The parser's state for one document.
private struct Parser {
    /// An array or object still open.
    struct Frame {
        let isObject: Bool
        /// Where this container's values start in `values`.
        let valueStart: Int
        /// Where this object's keys start in `keys`.
        let keyStart: Int
        /// Index into `keySets`, or -1 while the object is small enough to scan.
        var keySet: Int
    }

    /// Objects with at least this many keys check duplicates with a hash set.
    static let keySetThreshold = 12

    var bytes: UnsafeRawBufferPointer
    var end: Int
    var pos = 0
    /// Finished values of all open containers, innermost last.
    var values: [JSONValue] = []
    /// Keys of all open objects, innermost last; `keys.count - keyStart` is the object's member count so far.
    var keys: [String] = []
    var frames: [Frame] = []
    var keySets: [Set<String>] = []
    /// Reused buffer for strings containing escapes.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.end = bytes.count
    }

    /// Points the parser at another document, keeping its stacks' storage (emptied: a
    /// document that failed may have left values on them).
    mutating func reset(_ bytes: UnsafeRawBufferPointer) {
        (self.bytes, end, pos) = (bytes, bytes.count, 0)
        values.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        keySets.removeAll(keepingCapacity: true)
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard pos == end else {
            throw JSONError(offset: pos, reason: "trailing characters after value")
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end, JSONByte.isWhitespace(bytes[pos]) { pos += 1 }
    }

    /// Parses the value at `pos` (whitespace already skipped), containers included.
    mutating func parseValue() throws(JSONError) -> JSONValue {
        nextValue: while true {
            guard pos < end else {
                throw JSONError(offset: pos, reason: "unexpected end of input")
            }
            var value: JSONValue
            let byte = bytes[pos]
            switch byte {
            case JSONByte.quote:
                value = .string(try parseString())
            case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                value = .number(try parseNumber())
            case JSONByte.openBrace:
                try open(isObject: true)
                if pos < end, bytes[pos] == JSONByte.closeBrace {
                    pos += 1
                    value = close()
                } else {
                    try parseKey()
                    continue nextValue
                }
            case JSONByte.openBracket:
                try open(isObject: false)
                if pos < end, bytes[pos] == JSONByte.closeBracket {
                    pos += 1
                    value = close()
                } else {
                    continue nextValue
                }
            case UInt8(ascii: "t"):
                try parseLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try parseLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try parseLiteral("null")
                value = .null
            default:
                throw JSONError(offset: pos, reason: "expected value, found \(JSONByte.describe(byte))")
            }

            // `value` is complete: hand it to the innermost open container, closing
            // containers as their brackets arrive, until another value is due.
            while true {
                guard let frame = frames.last else { return value }
                values.append(value)
                skipWhitespace()
                guard pos < end else {
                    throw JSONError(offset: pos, reason: "unexpected end of input")
                }
                let next = bytes[pos]
                if next == JSONByte.comma {
                    let comma = pos
                    pos += 1
                    skipWhitespace()
                    if pos < end, bytes[pos] == (frame.isObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                        throw JSONError(offset: comma, reason: frame.isObject ? "trailing comma in object" : "trailing comma in array")
                    }
                    if frame.isObject { try parseKey() }
                    continue nextValue
                }
                if next == (frame.isObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                    pos += 1
                    value = close()
                    continue
                }
                throw JSONError(
                    offset: pos,
                    reason: frame.isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element")
            }
        }
    }

    /// Opens a container at `pos` (its bracket) and skips past the bracket and whitespace.
    mutating func open(isObject: Bool) throws(JSONError) {
        guard frames.count < JSONReader.maximumDepth else {
            throw JSONError(offset: pos, reason: "nesting deeper than \(JSONReader.maximumDepth)")
        }
        if frames.isEmpty && frames.capacity == 0 {
            // First container: size the stacks for a typical log line at once instead of growing them step by step.
            frames.reserveCapacity(8)
            values.reserveCapacity(32)
            keys.reserveCapacity(32)
        }
        frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count, keySet: -1))
        pos += 1
        skipWhitespace()
    }

    /// Closes the innermost container, moving its members out of the shared stacks.
    mutating func close() -> JSONValue {
        let frame = frames.removeLast()
        let count = values.count - frame.valueStart
        if !frame.isObject {
            let elements = [JSONValue](unsafeUninitializedCapacity: count) { slots, initialized in
                Self.moveOut(of: &values, from: frame.valueStart, placeholder: .null) { slots.baseAddress!.moveInitialize(from: $0, count: count) }
                initialized = count
            }
            return .array(elements)
        }
        let entries = [JSONObject.Element](unsafeUninitializedCapacity: count) { slots, initialized in
            Self.moveOut(of: &keys, from: frame.keyStart, placeholder: "") { keys in
                Self.moveOut(of: &values, from: frame.valueStart, placeholder: .null) { values in
                    for offset in 0..<count {
                        (slots.baseAddress! + offset).initialize(to: (key: (keys + offset).move(), value: (values + offset).move()))
                    }
                }
            }
            initialized = count
        }
        if frame.keySet >= 0 { keySets.removeLast() }
        return .object(JSONObject(uniqueEntries: entries))
    }

    /// Hands `move` the elements of `stack` from `start` on, to move out (each exactly once),
    /// then drops them from the stack: moved, not copied, they are neither retained nor released
    /// on the way (`placeholder`, which holds no reference, stands in for each until it is dropped).
    @inline(__always)
    private static func moveOut<Element>(of stack: inout [Element], from start: Int, placeholder: Element,
                                         _ move: (UnsafeMutablePointer<Element>) -> Void) {
        let count = stack.count - start
        guard count > 0 else { return }
        stack.withUnsafeMutableBufferPointer { buffer in
            let first = buffer.baseAddress! + start
            move(first)
            first.initialize(repeating: placeholder, count: count)
        }
        stack.removeSubrange(start...)
    }

    /// Parses `"key"` `:` at `pos` for the innermost object and skips whitespace after the colon.
    mutating func parseKey() throws(JSONError) {
        guard pos < end, bytes[pos] == JSONByte.quote else {
            throw JSONReader.expected("'\"' to begin object key", at: pos, end: end)
        }
        let keyOffset = pos
        let key = try parseString()
        try register(key, at: keyOffset)
        skipWhitespace()
        guard pos < end, bytes[pos] == JSONByte.colon else {
            throw JSONReader.expected("':' after object key", at: pos, end: end)
        }
        pos += 1
        skipWhitespace()
    }

    /// Records `key` for the innermost object, rejecting a duplicate.
    mutating func register(_ key: String, at offset: Int) throws(JSONError) {
        let last = frames.count - 1
        let frame = frames[last]
        let count = keys.count - frame.keyStart
        if frame.keySet >= 0 {
            guard keySets[frame.keySet].insert(key).inserted else { throw duplicate(key, at: offset) }
        } else {
            for i in frame.keyStart..<keys.count where keys[i] == key {
                throw duplicate(key, at: offset)
            }
            if count + 1 >= Self.keySetThreshold {
                var set = Set(keys[frame.keyStart...])
                set.insert(key)
                keySets.append(set)
                frames[last].keySet = keySets.count - 1
            }
        }
        keys.append(key)
    }

    func duplicate(_ key: String, at offset: Int) -> JSONError {
        var shown = [UInt8]()
        JSONWriter.writeString(key, into: &shown)
        return JSONError(offset: offset, reason: "duplicate key \(String(decoding: shown, as: UTF8.self))")
    }

    mutating func parseLiteral(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        var i = 0
        while i < count {
            guard pos + i < end, bytes[pos + i] == expected[i] else {
                throw JSONError(offset: pos, reason: "invalid literal, expected \(word)")
            }
            i += 1
        }
        pos += count
    }

    mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = pos
        let stop = try JSONReader.scanNumber(bytes, from: start)
        pos = stop
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
        return JSONNumber(validatedLiteral: literal)
    }

    /// Parses the string whose opening quote is at `pos`; leaves `pos` after the closing quote.
    mutating func parseString() throws(JSONError) -> String {
        let quote = pos
        let start = pos + 1
        var i = start
        // Fast path: no escapes, so the string is the validated byte slice itself.
        while true {
            i = skipPlainASCII(from: i)
            guard i < end else { break }
            let byte = bytes[i]
            if byte == JSONByte.quote {
                pos = i + 1
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            if byte == JSONByte.backslash {
                return try parseEscapedString(quote: quote, from: start, firstEscape: i)
            }
            if byte < 0x20 {
                throw JSONError(offset: i, reason: "control character in string")
            }
            i = byte < 0x80 ? i + 1 : try validateUTF8(at: i)
        }
        throw JSONError(offset: quote, reason: "unterminated string")
    }

    /// The slow path: decodes escapes into `scratch`.
    mutating func parseEscapedString(quote: Int, from start: Int, firstEscape: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<firstEscape]))
        var i = firstEscape
        while i < end {
            // Copy a run of plain bytes in one go.
            let runStart = i
            while true {
                i = skipPlainASCII(from: i)
                guard i < end else { break }
                let byte = bytes[i]
                if byte == JSONByte.quote || byte == JSONByte.backslash { break }
                if byte < 0x20 {
                    throw JSONError(offset: i, reason: "control character in string")
                }
                i = byte < 0x80 ? i + 1 : try validateUTF8(at: i)
            }
            if i > runStart {
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i]))
            }
            guard i < end else { break }
            if bytes[i] == JSONByte.quote {
                pos = i + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            // A backslash at i.
            guard i + 1 < end else { break }
            let escape = bytes[i + 1]
            switch escape {
            case JSONByte.quote, JSONByte.backslash, JSONByte.slash: scratch.append(escape)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                i = try parseUnicodeEscape(at: i, quote: quote)
                continue
            default:
                let shown = escape >= 0x21 && escape < 0x7F
                    ? "\\" + String(Character(Unicode.Scalar(escape)))
                    : "\\ followed by \(JSONByte.describe(escape))"
                throw JSONError(offset: i, reason: "invalid escape \(shown)")
            }
            i += 2
        }
        throw JSONError(offset: quote, reason: "unterminated string")
    }

    /// Decodes `\uXXXX` (or a surrogate pair of them) at `i` into `scratch`; returns the offset after it.
    mutating func parseUnicodeEscape(at i: Int, quote: Int) throws(JSONError) -> Int {
        let unit = try hex4(at: i, quote: quote)
        var scalarValue = unit
        var next = i + 6
        switch unit {
        case 0xD800...0xDBFF:
            guard next + 1 < end, bytes[next] == JSONByte.backslash, bytes[next + 1] == UInt8(ascii: "u") else {
                throw loneSurrogate(unit, at: i)
            }
            let low = try hex4(at: next, quote: quote)
            guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(unit, at: i) }
            scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw loneSurrogate(unit, at: i)
        default:
            break
        }
        appendUTF8(scalarValue)
        return next
    }

    /// Appends the UTF-8 form of a scalar value (never a surrogate, at most U+10FFFF) to `scratch`.
    mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(value))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(value >> 6))
            scratch.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(value >> 12))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(value >> 18))
            scratch.append(0x80 | UInt8((value >> 12) & 0x3F))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        }
    }

    /// The value of the four hex digits after the `\u` at `i`, in the string opened at `quote`.
    func hex4(at i: Int, quote: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for j in (i + 2)..<(i + 6) {
            guard j < end else { throw JSONError(offset: quote, reason: "unterminated string") }
            guard let digit = JSONScan.hexDigit(bytes[j]) else {
                throw JSONError(offset: i, reason: "invalid \\u escape, expected 4 hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    func loneSurrogate(_ unit: UInt32, at offset: Int) -> JSONError {
        JSONError(offset: offset, reason: "lone surrogate \\u" + JSONByte.hex(unit, digits: 4))
    }

    @inline(__always)
    func skipPlainASCII(from start: Int) -> Int { JSONScan.skipPlainASCII(bytes, from: start) }

    /// Validates the multi-byte UTF-8 sequence starting at `i`; returns the offset after it.
    func validateUTF8(at i: Int) throws(JSONError) -> Int {
        guard let next = JSONScan.utf8Sequence(bytes, at: i) else { throw JSONError(offset: i, reason: "invalid UTF-8") }
        return next
    }
}

/// Byte-level scanning steps shared by the parser and ``JSONValidator``.
enum JSONScan {
    /// Skips plain ASCII (no quote, backslash, control or non-ASCII byte) eight bytes at a time;
    /// returns the first byte that is not plain, or where fewer than eight bytes are left.
    ///
    /// The caller examines the byte at the result one at a time; it may be plain too (within the
    /// last seven bytes).
    @inline(__always)
    static func skipPlainASCII(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let end = bytes.count
        var i = start
        while i + 8 <= end {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quotes = word ^ (ones &* UInt64(JSONByte.quote))
            let backslashes = word ^ (ones &* UInt64(JSONByte.backslash))
            // The classic "has a zero byte" / "has a byte below n" tests: exact as yes/no answers.
            let special = (quotes &- ones) & ~quotes
                | (backslashes &- ones) & ~backslashes
                | (word &- ones &* 0x20) & ~word
                | word
            // The lowest flag is exact (a borrow only ever spills upwards, past a true flag).
            if special & highs != 0 { return i + (special & highs).trailingZeroBitCount / 8 }
            i += 8
        }
        return i
    }

    /// The value of one hex digit of a `\\u` escape (either case), or nil.
    @inline(__always)
    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case JSONByte.zero...JSONByte.nine: byte - JSONByte.zero
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The offset after the valid multi-byte UTF-8 sequence starting at `i`, or nil.
    ///
    /// Rejects stray continuation bytes, overlong forms, UTF-16 surrogates and values above U+10FFFF.
    static func utf8Sequence(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Int? {
        let end = bytes.count
        let lead = bytes[i]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard i + length <= end, secondRange.contains(bytes[i + 1]) else { return nil }
        var j = i + 2
        while j < i + length {
            guard bytes[j] & 0xC0 == 0x80 else { return nil }
            j += 1
        }
        return i + length
    }
}
