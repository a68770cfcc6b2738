#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A yes-or-"ask the parser" JSON check that builds nothing: verify's fast path.
//
// `verify` must know every line is valid JSON, but it has no use for the values. Building
// the tree (a String per key, an Array per object) was most of its time, so this walks the
// same grammar as `JSONReader` and allocates nothing but a small stack.

/// Checks that bytes are exactly one JSON value that ``JSONReader`` would accept, without
/// building it.
///
/// The answer is sound, not complete: `true` guarantees `JSONReader.parse` succeeds on the
/// same bytes; `false` means "invalid, or not decided here" — keys with escapes or non-ASCII
/// bytes (whose duplicates only the parser can judge, comparing them as strings), very deep
/// nesting, very large objects. Callers fall back to the parser for its answer and its message.
///
/// Keep one validator for many checks: its small stacks are reused, so a check allocates nothing.
public struct JSONValidator {
    /// Objects with more keys than this are left to the parser (duplicates are checked pairwise here).
    static let maximumKeys = 64

    /// Open containers, innermost last: for an object, where its keys start in `keys`; -1 for an array.
    private var frames: [Int] = []
    /// Byte ranges (between the quotes) of the keys of all open objects.
    private var keys: [Range<Int>] = []

    public init() {
        frames.reserveCapacity(16)
        keys.reserveCapacity(64)
    }

    public mutating func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        frames.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        var walker = Walker(bytes: bytes, frames: frames, keys: keys)
        frames = []
        keys = []
        let valid = walker.document()
        (frames, keys) = (walker.frames, walker.keys)
        return valid
    }

    private struct Walker {
        let bytes: UnsafeRawBufferPointer
        var pos = 0
        var frames: [Int]
        var keys: [Range<Int>]

        init(bytes: UnsafeRawBufferPointer, frames: [Int], keys: [Range<Int>]) {
            (self.bytes, self.frames, self.keys) = (bytes, frames, keys)
        }

        var end: Int { bytes.count }

        mutating func skipWhitespace() {
            while pos < end, JSONByte.isWhitespace(bytes[pos]) { pos += 1 }
        }

        mutating func document() -> Bool {
            skipWhitespace()
            guard value() else { return false }
            skipWhitespace()
            return pos == end
        }

        /// Walks the value at `pos`, containers included, iteratively.
        mutating func value() -> Bool {
            nextValue: while true {
                guard pos < end else { return false }
                switch bytes[pos] {
                case JSONByte.quote:
                    guard string(isKey: false) != nil else { return false }
                case JSONByte.minus, JSONByte.zero...JSONByte.nine:
                    guard let stop = try? JSONReader.scanNumber(bytes, from: pos) else { return false }
                    pos = stop
                case JSONByte.openBrace, JSONByte.openBracket:
                    let isObject = bytes[pos] == JSONByte.openBrace
                    guard frames.count < JSONReader.maximumDepth else { return false }
                    frames.append(isObject ? keys.count : -1)
                    pos += 1
                    skipWhitespace()
                    if pos < end, bytes[pos] == (isObject ? JSONByte.closeBrace : JSONByte.closeBracket) {
                        pos += 1
                        closeInnermost()
                    } else {
                        if isObject { guard key() else { return false } }
                        continue nextValue
                    }
                case UInt8(ascii: "t"): guard literal("true") else { return false }
                case UInt8(ascii: "f"): guard literal("false") else { return false }
                case UInt8(ascii: "n"): guard literal("null") else { return false }
                default: return false
                }
                // A value is complete: continue or close the containers around it.
                while let frame = frames.last {
                    skipWhitespace()
                    guard pos < end else { return false }
                    if bytes[pos] == JSONByte.comma {
                        pos += 1
                        skipWhitespace()
                        if frame >= 0 { guard key() else { return false } }
                        continue nextValue
                    }
                    guard bytes[pos] == (frame >= 0 ? JSONByte.closeBrace : JSONByte.closeBracket) else { return false }
                    pos += 1
                    closeInnermost()
                }
                return true
            }
        }

        mutating func closeInnermost() {
            let frame = frames.removeLast()
            if frame >= 0 { keys.removeSubrange(frame...) }
        }

        /// `"key"` then `:`, for the innermost object; false for a duplicate or a key left to the parser.
        mutating func key() -> Bool {
            guard pos < end, bytes[pos] == JSONByte.quote, let range = string(isKey: true) else { return false }
            let first = frames[frames.count - 1]
            guard keys.count - first < JSONValidator.maximumKeys else { return false }
            for i in first..<keys.count where keys[i].count == range.count {
                if memcmp(bytes.baseAddress! + keys[i].lowerBound, bytes.baseAddress! + range.lowerBound, range.count) == 0 {
                    return false
                }
            }
            keys.append(range)
            skipWhitespace()
            guard pos < end, bytes[pos] == JSONByte.colon else { return false }
            pos += 1
            skipWhitespace()
            return true
        }

        /// The string at `pos` (its opening quote); returns its contents' range and leaves `pos` after it.
        /// A key must be plain ASCII (no escapes), so comparing bytes is comparing strings.
        mutating func string(isKey: Bool) -> Range<Int>? {
            let start = pos + 1
            var i = start
            while true {
                i = JSONScan.skipPlainASCII(bytes, from: i)
                guard i < end else { return nil }
                let byte = bytes[i]
                if byte == JSONByte.quote {
                    pos = i + 1
                    return start..<i
                }
                if byte < 0x20 || (isKey && byte >= 0x80) { return nil }
                if byte == JSONByte.backslash {
                    guard !isKey, let next = escape(at: i) else { return nil }
                    i = next
                } else if byte < 0x80 {
                    i += 1
                } else {
                    guard let next = JSONScan.utf8Sequence(bytes, at: i) else { return nil }
                    i = next
                }
            }
        }

        /// The offset after the escape at `i` (a backslash), or nil if the parser would reject it.
        func escape(at i: Int) -> Int? {
            guard i + 1 < end else { return nil }
            switch bytes[i + 1] {
            case JSONByte.quote, JSONByte.backslash, JSONByte.slash,
                 UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return i + 2
            case UInt8(ascii: "u"):
                guard let unit = hex4(at: i) else { return nil }
                switch unit {
                case 0xD800...0xDBFF:
                    guard i + 7 < end, bytes[i + 6] == JSONByte.backslash, bytes[i + 7] == UInt8(ascii: "u"),
                          let low = hex4(at: i + 6), (0xDC00...0xDFFF).contains(low) else { return nil }
                    return i + 12
                case 0xDC00...0xDFFF: return nil
                default: return i + 6
                }
            default: return nil
            }
        }

        /// The four hex digits after the `\u` at `i`.
        func hex4(at i: Int) -> UInt32? {
            guard i + 6 <= end else { return nil }
            var value: UInt32 = 0
            for j in (i + 2)..<(i + 6) {
                guard let digit = JSONScan.hexDigit(bytes[j]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard pos + count <= end, memcmp(bytes.baseAddress! + pos, word.utf8Start, count) == 0 else { return false }
            pos += count
            return true
        }
    }
}
