import Foundation
import Testing

@testable import EventLog

// MARK: - Helpers shared by the JSON tests

func jsonNum(_ literal: String) -> JSONValue {
    guard let number = JSONNumber(literal: literal) else { fatalError("bad test literal \(literal)") }
    return .number(number)
}

func jsonObj(_ pairs: (String, JSONValue)...) -> JSONValue {
    .object(JSONObject(pairs))
}

func jsonBytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Parses with our reader, capturing the error.
func parseResult(_ input: [UInt8]) -> Result<JSONValue, JSONError> {
    Result { () throws(JSONError) -> JSONValue in try JSONReader.parse(input) }
}

/// A small deterministic generator (SplitMix64), so every run sees the same cases.
struct JSONTestRandom: RandomNumberGenerator {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// Writes random, valid JSON text with varied spellings: whitespace, every escape
/// form (short, `\u` in either case, surrogate pairs), raw multi-byte UTF-8
/// (including the astral plane), and numbers with signs, fractions and exponents.
struct JSONDocumentGenerator {
    var random: JSONTestRandom

    init(seed: UInt64) { random = JSONTestRandom(seed: seed) }

    mutating func document() -> [UInt8] {
        var out: [UInt8] = []
        whitespace(&out)
        value(depth: 0, &out)
        whitespace(&out)
        return out
    }

    mutating func whitespace(_ out: inout [UInt8]) {
        guard random.chance(30) else { return }
        for _ in 0..<random.int(1...3) { out.append(random.pick(Array(" \t\n\r".utf8))) }
    }

    mutating func value(depth: Int, _ out: inout [UInt8]) {
        let kind = random.int(0...(depth >= 4 ? 6 : 9))
        switch kind {
        case 0: out += jsonBytes("null")
        case 1: out += jsonBytes("true")
        case 2: out += jsonBytes("false")
        case 3, 4: number(&out)
        case 5, 6: string(scalars(count: random.int(0...8)), &out)
        case 7, 8:
            out.append(UInt8(ascii: "["))
            whitespace(&out)
            for i in 0..<random.int(0...4) {
                if i > 0 { out.append(UInt8(ascii: ",")); whitespace(&out) }
                value(depth: depth + 1, &out)
                whitespace(&out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            out.append(UInt8(ascii: "{"))
            whitespace(&out)
            var used: [String] = []
            for _ in 0..<random.int(0...4) {
                let key = scalars(count: random.int(0...3), alphabet: keyAlphabet)
                let text = String(String.UnicodeScalarView(key))
                if used.contains(text) { continue }
                if !used.isEmpty { out.append(UInt8(ascii: ",")); whitespace(&out) }
                used.append(text)
                string(key, &out)
                whitespace(&out)
                out.append(UInt8(ascii: ":"))
                whitespace(&out)
                value(depth: depth + 1, &out)
                whitespace(&out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    mutating func number(_ out: inout [UInt8]) {
        var text = random.chance(30) ? "-" : ""
        if random.chance(20) {
            text += "0"
        } else {
            text += String(random.int(1...9))
            for _ in 0..<random.int(0...11) { text += String(random.int(0...9)) }
        }
        if random.chance(40) {
            text += "."
            for _ in 0..<random.int(1...8) { text += String(random.int(0...9)) }
        }
        if random.chance(30) {
            text += random.pick(["e", "E"]) + random.pick(["", "+", "-"])
            // Mostly small exponents; now and then one beyond Double's range.
            text += random.chance(5) ? String(random.int(300...400)) : String(random.int(0...40))
        }
        out += jsonBytes(text)
    }

    let keyAlphabet: [Unicode.Scalar] = ["a", "b", "c", "é", "\"", "\u{0}", "😀", "/"]
    let textAlphabet: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "~", "\u{7F}", "\"", "\\", "/", "\u{0}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}",
        "é", "ß", "\u{7FF}", "€", "中", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "\u{E000}", "😀", "𝄞", "\u{10000}", "\u{10FFFF}",
    ]

    mutating func scalars(count: Int, alphabet: [Unicode.Scalar]? = nil) -> [Unicode.Scalar] {
        (0..<count).map { _ in random.pick(alphabet ?? textAlphabet) }
    }

    mutating func string(_ scalars: [Unicode.Scalar], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in scalars {
            let value = scalar.value
            let short: [UInt32: String] = [0x22: "\\\"", 0x5C: "\\\\", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"]
            if value < 0x20 || value == 0x22 || value == 0x5C {
                if let escape = short[value], random.chance(70) { out += jsonBytes(escape) } else { unicodeEscape(value, &out) }
            } else if value == 0x2F && random.chance(30) {
                out += jsonBytes("\\/")
            } else if random.chance(20) {
                if value >= 0x10000 {
                    let offset = value - 0x10000
                    unicodeEscape(0xD800 + (offset >> 10), &out)
                    unicodeEscape(0xDC00 + (offset & 0x3FF), &out)
                } else {
                    unicodeEscape(value, &out)
                }
            } else {
                out += Array(String(Character(scalar)).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func unicodeEscape(_ unit: UInt32, _ out: inout [UInt8]) {
        var hex = String(unit, radix: 16, uppercase: random.chance(50))
        hex = String(repeating: "0", count: 4 - hex.count) + hex
        out += jsonBytes("\\u" + hex)
    }

    /// One to three byte-level edits biased towards bytes that matter to JSON.
    mutating func mutate(_ document: [UInt8]) -> [UInt8] {
        let interesting: [UInt8] = Array("{}[],:\"\\0123456789-+.eEutfnlrsa xD8 \n".utf8)
            + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC3, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var result = document
        for _ in 0..<random.int(1...3) {
            let byte = random.chance(25) ? UInt8(truncatingIfNeeded: random.next()) : random.pick(interesting)
            switch random.int(0...2) {
            case 0:
                result.insert(byte, at: random.int(0...result.count))
            case 1 where !result.isEmpty:
                result.remove(at: random.int(0...(result.count - 1)))
            default:
                if result.isEmpty { result.append(byte) } else { result[random.int(0...(result.count - 1))] = byte }
            }
        }
        return result
    }
}

// MARK: - The Foundation oracle

/// Compares our reader with Foundation's `JSONSerialization` on one input.
///
/// Deliberate, documented differences, each excluded precisely:
/// 1. Duplicate keys: we reject (a ledger line must not be ambiguous); Foundation
///    keeps the last. Such inputs are not compared.
/// 2. Trailing commas: Foundation accepts one trailing comma before `]` or `}`
///    (`[1,]`, `{"a":1,}`); we reject, reporting the comma's offset. The input is
///    compared again with each reported comma deleted.
/// 3. Encoding sniffing: Foundation skips a UTF-8 BOM and decodes UTF-16/32 when
///    NULs appear among the first four bytes (or a UTF-16/32 BOM is present); we
///    read UTF-8 only and require no BOM. For such inputs we must reject.
/// 4. Numbers beyond Double's range (`1e400`): Foundation rejects; we accept and
///    keep the literal (`double` is ±infinity). Where we accept such a number,
///    Foundation must reject.
/// 5. A raw (unescaped) U+FEFF that starts a string, or follows an escape in
///    one, is dropped by Foundation (it decodes each raw run as if it were a
///    file with a BOM); we keep it, as RFC 8259 requires. Only when the input
///    holds raw EF BB BF bytes, strings and keys are also compared with every
///    U+FEFF removed.
/// Lone surrogates, invalid UTF-8 (overlongs, encoded surrogates, > U+10FFFF),
/// the depth limit (512) and everything else agree on Linux.
struct JSONOracle {
    var compared = 0
    var acceptedByBoth = 0
    var excluded: [String: Int] = [:]
    var failures: [String] = []

    mutating func check(_ input: [UInt8]) {
        compared += 1
        var parsed = parseResult(input)
        if Self.foundationSniffsEncoding(input) {
            excluded["encoding sniffing", default: 0] += 1
            if case .success = parsed { fail(input, "accepted input with BOM or NUL among the first bytes") }
            return
        }
        var normalized = input
        while case .failure(let error) = parsed, error.reason.hasPrefix("trailing comma") {
            excluded["trailing comma", default: 0] += 1
            normalized.remove(at: error.offset)
            parsed = parseResult(normalized)
        }
        if case .failure(let error) = parsed, error.reason.hasPrefix("duplicate key") {
            excluded["duplicate key", default: 0] += 1
            return
        }
        let theirs = try? JSONSerialization.jsonObject(with: Data(input), options: .fragmentsAllowed)
        switch (parsed, theirs) {
        case (.success(let value), nil):
            if Self.hasOverflowingNumber(value) {
                excluded["number beyond Double", default: 0] += 1
            } else {
                fail(input, "we accept, Foundation rejects")
            }
        case (.success(let value), let theirs?):
            acceptedByBoth += 1
            if Self.hasOverflowingNumber(value) { fail(input, "Foundation accepted a number beyond Double") }
            if !Self.matches(value, theirs, ignoringFEFF: false) {
                if input.firstRange(of: [0xEF, 0xBB, 0xBF]) != nil, Self.matches(value, theirs, ignoringFEFF: true) {
                    excluded["U+FEFF in string", default: 0] += 1
                } else {
                    fail(input, "values differ: ours \(value), theirs \(theirs)")
                }
            }
        case (.failure(let error), _?):
            fail(input, "we reject (\(error)), Foundation accepts")
        case (.failure, nil):
            break
        }
    }

    mutating func fail(_ input: [UInt8], _ message: String) {
        let shown = String(decoding: input, as: UTF8.self).debugDescription
        failures.append("\(message): \(shown) bytes \(input.map { String($0, radix: 16) })")
    }

    static func foundationSniffsEncoding(_ input: [UInt8]) -> Bool {
        input.starts(with: [0xEF, 0xBB, 0xBF]) || input.starts(with: [0xFE, 0xFF]) || input.starts(with: [0xFF, 0xFE])
            || input.prefix(4).contains(0)
    }

    static func hasOverflowingNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let number): return number.double.isInfinite
        case .array(let elements): return elements.contains(where: hasOverflowingNumber)
        case .object(let object): return object.contains { hasOverflowingNumber($0.value) }
        default: return false
        }
    }

    static let booleanType = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// `text` without any U+FEFF.
    static func withoutFEFF(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{FEFF}" }))
    }

    /// Whether Foundation's object graph equals our value; numbers compared as Double, strings by scalars.
    static func matches(_ ours: JSONValue, _ theirs: Any, ignoringFEFF: Bool) -> Bool {
        func same(_ a: String, _ b: String) -> Bool {
            if Array(a.unicodeScalars) == Array(b.unicodeScalars) { return true }
            return ignoringFEFF && Array(withoutFEFF(a).unicodeScalars) == Array(withoutFEFF(b).unicodeScalars)
        }
        switch ours {
        case .null:
            return theirs is NSNull
        case .bool(let flag):
            guard let number = theirs as? NSNumber, ObjectIdentifier(type(of: number)) == booleanType else { return false }
            return number.boolValue == flag
        case .number(let number):
            guard let theirs = theirs as? NSNumber, ObjectIdentifier(type(of: theirs)) != booleanType else { return false }
            let (a, b) = (number.double, theirs.doubleValue)
            if theirs is NSDecimalNumber {
                // Foundation keeps integers beyond 64 bits as decimals, whose double conversion may be an ulp off.
                return abs(a - b) <= 1e-12 * max(abs(a), abs(b))
            }
            return a == b
        case .string(let string):
            guard let theirs = theirs as? String else { return false }
            return same(string, theirs)
        case .array(let elements):
            guard let theirs = theirs as? [Any], theirs.count == elements.count else { return false }
            return zip(elements, theirs).allSatisfy { matches($0, $1, ignoringFEFF: ignoringFEFF) }
        case .object(let object):
            guard let theirs = theirs as? [String: Any], theirs.count == object.count else { return false }
            return object.allSatisfy { key, value in
                guard let other = theirs[key] ?? (ignoringFEFF ? theirs[withoutFEFF(key)] : nil) else { return false }
                return matches(value, other, ignoringFEFF: ignoringFEFF)
            }
        }
    }
}

// MARK: - Tables

/// The input as a quoted string, cut to 60 bytes.
func jsonShortDescription(_ input: [UInt8]) -> String {
    let shown = String(decoding: input.prefix(60), as: UTF8.self).debugDescription
    return input.count > 60 ? shown + "… (\(input.count) bytes)" : shown
}

struct JSONValidCase: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let expected: JSONValue
    init(_ input: String, _ expected: JSONValue) { self.init(jsonBytes(input), expected) }
    init(_ input: [UInt8], _ expected: JSONValue) {
        self.input = input
        self.expected = expected
    }
    var testDescription: String { jsonShortDescription(input) }
}

let jsonValidCases: [JSONValidCase] = [
    JSONValidCase("null", .null),
    JSONValidCase("true", .bool(true)),
    JSONValidCase("false", .bool(false)),
    JSONValidCase("0", jsonNum("0")),
    JSONValidCase("-0", jsonNum("-0")),
    JSONValidCase("12187", jsonNum("12187")),
    JSONValidCase("0.20", jsonNum("0.20")),
    JSONValidCase("-1.5e-3", jsonNum("-1.5e-3")),
    JSONValidCase("1E+2", jsonNum("1E+2")),
    JSONValidCase("2e08", jsonNum("2e08")),
    JSONValidCase("1e400", jsonNum("1e400")),
    JSONValidCase("123456789012345678901234567890", jsonNum("123456789012345678901234567890")),
    JSONValidCase(" \t\n\r[] \n\r\t", .array([])),
    JSONValidCase("{}", .object(JSONObject())),
    JSONValidCase("[1,[2,[3,[]]]]", .array([jsonNum("1"), .array([jsonNum("2"), .array([jsonNum("3"), .array([])])])])),
    JSONValidCase(
        #"{"a":1,"b":[true,null],"c":{"d":"e"}}"#,
        jsonObj(("a", jsonNum("1")), ("b", .array([.bool(true), .null])), ("c", jsonObj(("d", .string("e")))))),
    JSONValidCase(#"{ "a" : 1 , "b" : 2 }"#, jsonObj(("a", jsonNum("1")), ("b", jsonNum("2")))),
    JSONValidCase(#""""#, .string("")),
    JSONValidCase(#""plain ascii""#, .string("plain ascii")),
    JSONValidCase(#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
    JSONValidCase(#""\u00e9\u20AC\u0041""#, .string("é€A")),
    JSONValidCase(#""\ud83d\ude00 \uD834\uDD1E""#, .string("😀 𝄞")),
    JSONValidCase(#""\udbff\udfff""#, .string("\u{10FFFF}")),
    JSONValidCase("\"é€😀\u{7F}\u{FFFF}\u{10FFFF}\"", .string("é€😀\u{7F}\u{FFFF}\u{10FFFF}")),
    JSONValidCase(#""a\u0000b""#, .string("a\u{0}b")),
    JSONValidCase("\"mixed é \\n 😀\\u00e9\"", .string("mixed é \n 😀é")),
    JSONValidCase(#"{"é":1,"e\u0301x":2}"#, jsonObj(("é", jsonNum("1")), ("e\u{301}x", jsonNum("2")))),
    JSONValidCase(#"{"":0}"#, jsonObj(("", jsonNum("0")))),
    JSONValidCase(#"[[[[["deep"]]]]]"#, .array([.array([.array([.array([.array([.string("deep")])])])])])),
]

struct JSONInvalidCase: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let reason: String
    let offset: Int
    init(_ input: String, _ reason: String, at offset: Int) { self.init(jsonBytes(input), reason, at: offset) }
    init(_ input: [UInt8], _ reason: String, at offset: Int) {
        self.input = input
        self.reason = reason
        self.offset = offset
    }
    var testDescription: String { "\(jsonShortDescription(input)) → \(reason)" }
}

let jsonInvalidCases: [JSONInvalidCase] = [
    // Structure
    JSONInvalidCase("", "unexpected end of input", at: 0),
    JSONInvalidCase("   ", "unexpected end of input", at: 3),
    JSONInvalidCase(#"{"id" 1}"#, "expected ':' after object key", at: 6),
    JSONInvalidCase(#"{"id":1,"id":2}"#, #"duplicate key "id""#, at: 8),
    JSONInvalidCase(#"{"a":{"x":1},"b":{"x":2,"y":3,"x":4}}"#, #"duplicate key "x""#, at: 30),
    JSONInvalidCase(#"{"\u0069d":1,"id":2}"#, #"duplicate key "id""#, at: 13),
    JSONInvalidCase(#"{"é":1,"e\u0301":2}"#, #"duplicate key "é""#, at: 8),
    JSONInvalidCase("[1] x", "trailing characters after value", at: 4),
    JSONInvalidCase("1 2", "trailing characters after value", at: 2),
    JSONInvalidCase("{}{}", "trailing characters after value", at: 2),
    JSONInvalidCase("[1,]", "trailing comma in array", at: 2),
    JSONInvalidCase("[1, \n]", "trailing comma in array", at: 2),
    JSONInvalidCase(#"{"a":1,}"#, "trailing comma in object", at: 6),
    JSONInvalidCase("[1,,2]", "expected value, found ','", at: 3),
    JSONInvalidCase("[,]", "expected value, found ','", at: 1),
    JSONInvalidCase("[1 2]", "expected ',' or ']' after array element", at: 3),
    JSONInvalidCase(#"{"a":1 "b":2}"#, "expected ',' or '}' after object member", at: 7),
    JSONInvalidCase("{1:2}", "expected '\"' to begin object key", at: 1),
    JSONInvalidCase("{'a':1}", "expected '\"' to begin object key", at: 1),
    JSONInvalidCase("{a:1}", "expected '\"' to begin object key", at: 1),
    JSONInvalidCase("[1", "unexpected end of input", at: 2),
    JSONInvalidCase(#"{"a""#, "unexpected end of input", at: 4),
    JSONInvalidCase(#"{"a":"#, "unexpected end of input", at: 5),
    JSONInvalidCase("[1}", "expected ',' or ']' after array element", at: 2),
    JSONInvalidCase("]", "expected value, found ']'", at: 0),
    // Not JSON: comments, single quotes, NaN/Infinity, other whitespace, BOM
    JSONInvalidCase("// note\n1", "expected value, found '/'", at: 0),
    JSONInvalidCase("[1 /* c */]", "expected ',' or ']' after array element", at: 3),
    JSONInvalidCase("'a'", "expected value, found '''", at: 0),
    JSONInvalidCase("NaN", "expected value, found 'N'", at: 0),
    JSONInvalidCase("Infinity", "expected value, found 'I'", at: 0),
    JSONInvalidCase("-Infinity", "expected digit", at: 1),
    JSONInvalidCase("\u{C}1", "expected value, found byte 0x0C", at: 0),
    JSONInvalidCase("1\u{B}", "trailing characters after value", at: 1),
    JSONInvalidCase("\u{A0}1", "expected value, found byte 0xC2", at: 0),
    JSONInvalidCase([0xEF, 0xBB, 0xBF, 0x31], "expected value, found byte 0xEF", at: 0),
    JSONInvalidCase("tru", "invalid literal, expected true", at: 0),
    JSONInvalidCase("nul", "invalid literal, expected null", at: 0),
    JSONInvalidCase("True", "expected value, found 'T'", at: 0),
    JSONInvalidCase("[falsy]", "invalid literal, expected false", at: 1),
    JSONInvalidCase("nulll", "trailing characters after value", at: 4),
    // Numbers
    JSONInvalidCase("01", "leading zero in number", at: 0),
    JSONInvalidCase("-012", "leading zero in number", at: 1),
    JSONInvalidCase("[00]", "leading zero in number", at: 1),
    JSONInvalidCase("+1", "expected value, found '+'", at: 0),
    JSONInvalidCase(".5", "expected value, found '.'", at: 0),
    JSONInvalidCase("1.", "unexpected end of input", at: 2),
    JSONInvalidCase("[1.]", "expected digit after '.'", at: 3),
    JSONInvalidCase("1e", "unexpected end of input", at: 2),
    JSONInvalidCase("[1e+]", "expected digit in exponent", at: 4),
    JSONInvalidCase("-", "unexpected end of input", at: 1),
    JSONInvalidCase("[-a]", "expected digit", at: 2),
    JSONInvalidCase("0x10", "trailing characters after value", at: 1),
    JSONInvalidCase("1.5.2", "trailing characters after value", at: 3),
    // Strings
    JSONInvalidCase(#""abc"#, "unterminated string", at: 0),
    JSONInvalidCase(#"["a", "bc\"]"#, "unterminated string", at: 6),
    JSONInvalidCase(#""abc\"#, "unterminated string", at: 0),
    JSONInvalidCase(#"["a\x"]"#, "invalid escape \\x", at: 3),
    JSONInvalidCase(#""\U0041""#, "invalid escape \\U", at: 1),
    JSONInvalidCase(#""\'""#, "invalid escape \\'", at: 1),
    JSONInvalidCase([0x22, 0x5C, 0x01, 0x22], "invalid escape \\ followed by byte 0x01", at: 1),
    JSONInvalidCase("\"a\tb\"", "control character in string", at: 2),
    JSONInvalidCase("\"a\nb\"", "control character in string", at: 2),
    JSONInvalidCase([0x22, 0x00, 0x22], "control character in string", at: 1),
    JSONInvalidCase([0x22, 0x5C, 0x6E, 0x1F, 0x22], "control character in string", at: 3),
    JSONInvalidCase(#""\u12""#, "invalid \\u escape, expected 4 hex digits", at: 1),
    JSONInvalidCase(#""\u12G4""#, "invalid \\u escape, expected 4 hex digits", at: 1),
    JSONInvalidCase(#""\u12"#, "unterminated string", at: 0),
    JSONInvalidCase(#""\ud800""#, "lone surrogate \\ud800", at: 1),
    JSONInvalidCase(#""\uDC00""#, "lone surrogate \\udc00", at: 1),
    JSONInvalidCase(#""x\ud800\u0041""#, "lone surrogate \\ud800", at: 2),
    JSONInvalidCase(#""\ud800\ud800""#, "lone surrogate \\ud800", at: 1),
    JSONInvalidCase(#""\ud800\n""#, "lone surrogate \\ud800", at: 1),
    JSONInvalidCase(#""\ude00\ud83d""#, "lone surrogate \\ude00", at: 1),
    JSONInvalidCase(#""\ud800\uzzzz""#, "invalid \\u escape, expected 4 hex digits", at: 7),
    // UTF-8
    JSONInvalidCase([0x22, 0xFF, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0x80, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0x61, 0xC0, 0xAF, 0x22], "invalid UTF-8", at: 2),
    JSONInvalidCase([0x22, 0xC1, 0xBF, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xED, 0xBF, 0xBF, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xE2, 0x82, 0x22], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0xE2, 0x82], "invalid UTF-8", at: 1),
    JSONInvalidCase([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], "invalid UTF-8", at: 3),
    JSONInvalidCase([0x22, 0xC3, 0xA9, 0xC3], "invalid UTF-8", at: 3),
    // Depth
    JSONInvalidCase(String(repeating: "[", count: 513) + String(repeating: "]", count: 513), "nesting deeper than 512", at: 512),
    JSONInvalidCase(String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513), "nesting deeper than 512", at: 2560),
    JSONInvalidCase(String(repeating: "[", count: 100_000), "nesting deeper than 512", at: 512),
]

// MARK: - Reader tests

@Suite("JSONReader")
struct JSONReaderTests {
    @Test("valid documents parse to the expected value", arguments: jsonValidCases)
    func validDocument(_ testCase: JSONValidCase) throws {
        let value = try JSONReader.parse(testCase.input)
        #expect(value == testCase.expected)
        let viaString = try JSONReader.parse(String(decoding: testCase.input, as: UTF8.self))
        #expect(viaString == testCase.expected)
    }

    @Test("invalid documents are rejected with the expected reason and offset", arguments: jsonInvalidCases)
    func invalidDocument(_ testCase: JSONInvalidCase) {
        #expect(throws: JSONError(offset: testCase.offset, reason: testCase.reason)) {
            try JSONReader.parse(testCase.input)
        }
    }

    @Test("special bytes are found at every position of long strings, with and without escapes")
    func specialBytesAtEveryPosition() throws {
        for prefix in ["", #"\n"#] {
            let decodedPrefix = prefix.isEmpty ? "" : "\n"
            for position in 0..<24 {
                func document(_ middle: [UInt8]) -> [UInt8] {
                    [0x22] + jsonBytes(prefix) + Array(repeating: UInt8(ascii: "a"), count: position) + middle
                        + Array(repeating: UInt8(ascii: "b"), count: 24 - position) + [0x22]
                }
                func expected(_ middle: String) -> JSONValue {
                    .string(decodedPrefix + String(repeating: "a", count: position) + middle + String(repeating: "b", count: 24 - position))
                }
                let at = 1 + prefix.utf8.count + position
                #expect(try JSONReader.parse(document(jsonBytes("é"))) == expected("é"))
                #expect(try JSONReader.parse(document(jsonBytes("😀"))) == expected("😀"))
                #expect(try JSONReader.parse(document([0x20, 0x7F])) == expected(" \u{7F}"))
                #expect(try JSONReader.parse(document(jsonBytes(#"\t"#))) == expected("\t"))
                #expect(try JSONReader.parse(document(jsonBytes(#"\""#))) == expected("\""))
                #expect(throws: JSONError(offset: at, reason: "control character in string")) { try JSONReader.parse(document([0x1F])) }
                #expect(throws: JSONError(offset: at, reason: "control character in string")) { try JSONReader.parse(document([0x00])) }
                #expect(throws: JSONError(offset: at, reason: "invalid UTF-8")) { try JSONReader.parse(document([0x80])) }
                #expect(throws: JSONError(offset: at, reason: "invalid UTF-8")) { try JSONReader.parse(document([0xFF])) }
                #expect(throws: JSONError(offset: at + 1, reason: "trailing characters after value")) { try JSONReader.parse(document([0x22])) }
            }
        }
    }

    @Test func errorDescriptionNamesReasonAndOffset() {
        #expect(JSONError(offset: 7, reason: "unterminated string").description == "unterminated string at byte 7")
        #expect(throws: JSONError(offset: 2, reason: "lone surrogate \\ud800")) { try JSONReader.parse(#" "\ud800" "#) }
    }

    @Test func numbersKeepTheirLiteral() throws {
        let value = try JSONReader.parse("[0.20, 12187, -0.0, 1E+2]")
        #expect(value.arrayValue?.compactMap { $0.numberValue?.literal } == ["0.20", "12187", "-0.0", "1E+2"])
        #expect(jsonNum("1.0") != jsonNum("1"))
    }

    @Test func objectsKeepSourceKeyOrder() throws {
        let value = try JSONReader.parse(#"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["c"]?.objectValue?.keys == ["z", "y"])
        #expect(object.map(\.key) == ["b", "a", "c"])
    }

    @Test func nestingUpTo512IsAccepted() throws {
        let deepArray = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        var value = try JSONReader.parse(deepArray)
        var depth = 0
        while let inner = value.arrayValue {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == 512)
        let deepObject = String(repeating: #"{"k":"#, count: 512) + "null" + String(repeating: "}", count: 512)
        _ = try JSONReader.parse(deepObject)
    }

    @Test func largeObjectsDetectDuplicatesAndLookUpKeys() throws {
        let members = (0..<40).map { #""k\#($0)":\#($0)"# }
        let text = "{" + members.joined(separator: ",") + "}"
        let object = try #require(try JSONReader.parse(text).objectValue)
        #expect(object.count == 40)
        #expect(object["k37"] == jsonNum("37"))
        #expect(object.keys.first == "k0" && object.keys.last == "k39")
        let duplicated = "{" + members.joined(separator: ",") + #","k25":0}"#
        #expect(throws: JSONError(offset: text.utf8.count, reason: #"duplicate key "k25""#)) {
            try JSONReader.parse(duplicated)
        }
    }

    @Test func allEntryPointsAgree() throws {
        let text = #"{"a":[1,"é\n😀",null]}"#
        let fromString = try JSONReader.parse(text)
        let fromArray = try JSONReader.parse(Array(text.utf8))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { buffer in try JSONReader.parse(buffer) }
        #expect(fromString == fromArray && fromArray == fromBuffer)
        #expect(throws: JSONError(offset: 0, reason: "unexpected end of input")) {
            try JSONReader.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test("a reused reader gives what a fresh one gives, whatever the document before it left behind")
    func aReusedReaderAgreesWithAFreshOne() {
        // Failed documents stop with values, keys and open containers on the stacks; the next
        // document must not see them.
        var generator = JSONDocumentGenerator(seed: 0x5EED_0078)
        var documents = jsonValidCases.map(\.input) + jsonInvalidCases.map(\.input)
        for _ in 0..<400 {
            let document = generator.document()
            documents += [document, generator.mutate(document), Array(document.prefix(document.count / 2))]
        }
        var reader = JSONReader.Reusable()
        var (agreed, failed) = (0, 0)
        for document in documents {
            let fresh = Result { () throws(JSONError) in try JSONReader.parse(document) }
            let reused = document.withUnsafeBytes { bytes in Result { () throws(JSONError) in try reader.parse(bytes) } }
            switch (fresh, reused) {
            case (.success(let a), .success(let b)) where a == b && JSONWriter.string(a) == JSONWriter.string(b): agreed += 1
            case (.failure(let a), .failure(let b)) where a == b: failed += 1
            default: Issue.record("\(String(decoding: document, as: UTF8.self)): fresh \(fresh), reused \(reused)")
            }
        }
        #expect(agreed > 400 && failed > 400, "\(agreed) parsed, \(failed) rejected")
    }

    @Test func valueAccessors() throws {
        let value = try JSONReader.parse(#"[null,true,1.5,"s",[],{}]"#)
        let items = try #require(value.arrayValue)
        #expect(items.map(\.kindName) == ["null", "boolean", "number", "string", "array", "object"])
        #expect(items[0].isNull && !items[1].isNull)
        #expect(items[1].boolValue == true && items[0].boolValue == nil)
        #expect(items[2].numberValue?.double == 1.5 && items[3].numberValue == nil)
        #expect(items[3].stringValue == "s" && items[2].stringValue == nil)
        #expect(items[4].arrayValue == [] && items[5].arrayValue == nil)
        #expect(items[5].objectValue?.isEmpty == true && items[4].objectValue == nil)
    }

    // MARK: JSONNumber

    @Test func numberIntValue() {
        #expect(JSONNumber(literal: "12187")?.int == 12187)
        #expect(JSONNumber(literal: "-3")?.int == -3)
        #expect(JSONNumber(literal: "-0")?.int == 0)
        #expect(JSONNumber(literal: "9223372036854775807")?.int == Int.max)
        #expect(JSONNumber(literal: "-9223372036854775808")?.int == Int.min)
        #expect(JSONNumber(literal: "1.5")?.int == nil)
        #expect(JSONNumber(literal: "1e3")?.int == nil)
        #expect(JSONNumber(literal: "1.0")?.int == nil)
        #expect(JSONNumber(literal: "9223372036854775808")?.int == nil)
        #expect(JSONNumber(literal: "-9223372036854775809")?.int == nil)
        #expect(JSONNumber(12187).int == 12187)
        #expect(JSONNumber(Int.min).literal == "-9223372036854775808")
    }

    @Test func numberDoubleValue() {
        #expect(JSONNumber(literal: "0.20")?.double == 0.2)
        #expect(JSONNumber(literal: "-1.5e-3")?.double == -0.0015)
        #expect(JSONNumber(literal: "12187")?.double == 12187)
        #expect(JSONNumber(literal: "1E+2")?.double == 100)
        #expect(JSONNumber(literal: "1e400")?.double == .infinity)
        #expect(JSONNumber(literal: "-1e400")?.double == -.infinity)
        #expect(JSONNumber(literal: "1e-400")?.double == 0)
    }

    @Test func numberLiteralValidation() {
        for good in ["0", "-0", "1", "-1.25", "1e5", "1E-5", "1e+05", "0.0", "123456789012345678901234567890"] {
            #expect(JSONNumber(literal: good)?.literal == good, "\(good)")
        }
        for bad in ["", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "NaN", "inf", "Infinity", " 1", "1 ", "0x1", "1_000", "١"] {
            #expect(JSONNumber(literal: bad) == nil, "\(bad)")
        }
    }

    @Test func numberFromDoubleIsShortestRoundTrip() {
        let cases: [(Double, String)] = [
            (3.0, "3.0"), (0.1, "0.1"), (-0.0, "-0.0"), (1e20, "1e+20"), (1e-5, "1e-05"),
            (0.1 + 0.2, "0.30000000000000004"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (.leastNonzeroMagnitude, "5e-324"), (-12187.5, "-12187.5"),
        ]
        for (value, literal) in cases {
            let number = JSONNumber(value)
            #expect(number.literal == literal)
            #expect(JSONNumber(literal: number.literal) != nil)
            #expect(number.double == value && number.double.sign == value.sign)
        }
    }

    // MARK: JSONOracle

    @Test("handwritten corpus agrees with JSONSerialization")
    func handwrittenCorpusAgreesWithFoundation() {
        var oracle = JSONOracle()
        let extra: [String] = [
            "[]", "{}", "\"\"", "-0.0", "1e-400", "[1e400]", "[-1E+400]", "18446744073709551615", "-9223372036854775809",
            "[\"\\u0000\"]", "{\"\":{\"\":[]}}", "[1,]", "[[],]", "{\"a\":[1,],}", "[1,,]", "{,}", "\"\\/\"",
            "[true,false,null]", "{\"a\":1,\"a\":1}", "[\"\u{7F}\"]", "[\"\u{FEFF}\"]", "\u{FEFF}[]", "[0.1,0.25,-12.5e-3]",
            String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        ]
        for testCase in jsonValidCases { oracle.check(testCase.input) }
        for testCase in jsonInvalidCases { oracle.check(testCase.input) }
        for text in extra { oracle.check(jsonBytes(text)) }
        oracle.check([0x00, 0x31])
        oracle.check([0x31, 0x00])
        oracle.check(Array("[1]".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(oracle.failures.isEmpty, "\(oracle.failures.joined(separator: "\n"))")
        #expect(oracle.acceptedByBoth >= jsonValidCases.count)
    }

    @Test("random documents and byte mutations agree with JSONSerialization")
    func randomDocumentsAgreeWithFoundation() {
        var generator = JSONDocumentGenerator(seed: 0x5EED_0077)
        var oracle = JSONOracle()
        for _ in 0..<1_500 {
            let document = generator.document()
            oracle.check(document)
            for _ in 0..<5 { oracle.check(generator.mutate(document)) }
        }
        for _ in 0..<300 {
            let garbage = (0..<generator.random.int(0...12)).map { _ in UInt8(truncatingIfNeeded: generator.random.next()) }
            oracle.check(garbage)
        }
        #expect(oracle.failures.isEmpty, "\(oracle.failures.prefix(20).joined(separator: "\n"))")
        // Guard against a vacuous run: plenty of acceptances, and the exclusions stay a small minority.
        #expect(oracle.compared == 1_500 * 6 + 300)
        #expect(oracle.acceptedByBoth > 1_500)
        #expect(oracle.excluded.values.reduce(0, +) < oracle.compared / 10, "\(oracle.excluded)")
    }
}
