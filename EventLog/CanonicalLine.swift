#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log line in the exact layout `append` writes, located by position: the fast path of
/// every read.
///
/// `append` always writes `{"seq":N,"id":"…","recorded":"…","known":"…","type":"…",
/// "source":"…","actor":"…","data":{…},"prev":"<64 hex>","hash":"<64 hex>"}` with no spaces
/// and, for the envelope's strings, no escapes. A line in that layout can be read without a
/// JSON tree: the fixed keys are compared as bytes, the times and digests parsed in place,
/// and `data` ends where the fixed-length suffix begins.
///
/// `scan` is sound, not complete: any line it returns, ``LogRecord/decode(line:)``'s full
/// parse accepts with the same fields; it returns nil for anything else (a hand-written
/// line with spaces, an escaped or non-ASCII envelope string, a malformed line), and the
/// caller falls back to the full parse for the answer and its message.
struct CanonicalLine: Equatable {
    var seq: Int
    /// Byte ranges of the envelope strings' contents (between their quotes): plain ASCII, from space up.
    var id: Range<Int>
    var type: Range<Int>
    var source: Range<Int>
    var actor: Range<Int>
    var recorded: Timestamp
    var known: CalendarDate
    /// The `data` object's bytes (not yet checked to be valid JSON).
    var data: Range<Int>
    /// Byte ranges of the two digests' 64 hex characters, in the fixed suffix after `data`, checked
    /// to be hex by `scan`; parsed only when asked for (``digest(_:in:)``): a replay reads neither.
    /// (Worked out, not stored: the line is handed back by value, and smaller is copied inline.)
    var prev: Range<Int> { (data.upperBound + 9)..<(data.upperBound + 73) }
    var hash: Range<Int> { (data.upperBound + 83)..<(data.upperBound + 147) }

    /// `,"prev":"` + 64 hex + `","hash":"` + 64 hex + `"}`.
    static let suffixLength = 9 + 64 + 10 + 64 + 2

    /// What a run of lines read last, by its bytes: the recorded instant and known day (the lines
    /// of one append share one instant, a month's outturns one known day), so a run parses few of
    /// either; and the type, source and actor (a feed's lines share them), so a line whose string
    /// has the same bytes needs no scan for its closing quote.
    struct Cache {
        fileprivate var recorded: (bytes: Remembered, value: Timestamp?) = (Remembered(), nil)
        fileprivate var known: (bytes: Remembered, value: CalendarDate?) = (Remembered(), nil)
        fileprivate var type = Remembered(), source = Remembered(), actor = Remembered()
    }

    /// Bytes of a line as last read, kept by value (up to 32 of them; longer ones are not kept).
    fileprivate struct Remembered {
        private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private(set) var count = -1

        init() {}

        init(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count <= 32 else { return }
            count = bytes.count
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        }

        /// Whether the bytes at `at` are the ones kept (as many as were).
        func areAt(_ at: UnsafeRawPointer) -> Bool {
            count >= 0 && withUnsafeBytes(of: words) { UnsafeRawBufferPointer.sameBytes(at, $0.baseAddress!, count) }
        }
    }

    static func scan(_ line: UnsafeRawBufferPointer) -> CanonicalLine? {
        var cache = Cache()
        return scan(line, cache: &cache)
    }

    /// As `scan(_:)`, reusing the times `cache` holds when the line's are the same bytes.
    static func scan(_ line: UnsafeRawBufferPointer, cache: inout Cache) -> CanonicalLine? {
        var cursor = Cursor(line: line)
        let suffixStart = line.count - suffixLength
        guard suffixStart > 0, cursor.literal(#"{"seq":"#), let seq = cursor.positiveInteger(),
              cursor.literal(#","id":""#), let id = cursor.plainString(), !id.isEmpty,
              cursor.literal(#","recorded":""#), let recorded = cursor.fixed(24, remembering: &cache.recorded, Timestamp.init(rfc3339Bytes:)),
              cursor.literal(#"","known":""#), let known = cursor.fixed(10, remembering: &cache.known, CalendarDate.init(isoBytes:)),
              cursor.literal(#"","type":""#), let type = cursor.plainString(remembering: &cache.type),
              cursor.literal(#","source":""#), let source = cursor.plainString(remembering: &cache.source),
              cursor.literal(#","actor":""#), let actor = cursor.plainString(remembering: &cache.actor),
              cursor.literal(#","data":"#), cursor.position < suffixStart, line[cursor.position] == UInt8(ascii: "{"),
              line[suffixStart - 1] == UInt8(ascii: "}")
        else { return nil }
        let data = cursor.position..<suffixStart
        cursor.position = suffixStart
        guard cursor.literal(#","prev":""#), cursor.hexDigest(),
              cursor.literal(#"","hash":""#), cursor.hexDigest(),
              cursor.literal(#""}"#)
        else { return nil }
        return CanonicalLine(seq: seq, id: id, type: type, source: source, actor: actor, recorded: recorded, known: known, data: data)
    }

    /// The digest whose hex `range` (``prev`` or ``hash``) holds, in `line` (the line scanned).
    static func digest(_ range: Range<Int>, in line: UnsafeRawBufferPointer) -> SHA256Digest {
        SHA256Digest(hex: UnsafeRawBufferPointer(rebasing: line[range]))! // checked to be hex by `scan`
    }

    /// Reads a canonical line front to back; every step returns nil (or false) on a mismatch.
    private struct Cursor {
        let line: UnsafeRawBufferPointer
        var position = 0

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard position + count <= line.count,
                  UnsafeRawBufferPointer.sameBytes(line.baseAddress! + position, UnsafeRawPointer(text.utf8Start), count) else { return false }
            position += count
            return true
        }

        /// A JSON integer from 1 to 10^18 - 1, no sign, no leading zero, no fraction or exponent.
        mutating func positiveInteger() -> Int? {
            var value = 0
            let start = position
            while position < line.count, JSONByte.isDigit(line[position]) {
                value = value * 10 + Int(line[position] &- JSONByte.zero)
                position += 1
                guard position - start < 19 else { return nil }
            }
            guard position > start, line[start] != JSONByte.zero else { return nil }
            return value
        }

        /// The contents of a string whose opening quote was just read: ASCII from space up with no
        /// quote or backslash, up to the closing quote (consumed).
        mutating func plainString() -> Range<Int>? {
            let start = position
            guard let end = line.endOfPlainString(from: start) else { return nil }
            position = end + 1
            return start..<end
        }

        /// As `plainString()`, first trying the contents `remembered` holds: the same bytes followed
        /// by the closing quote are the same plain string (they were checked when remembered).
        mutating func plainString(remembering remembered: inout Remembered) -> Range<Int>? {
            let start = position, count = remembered.count
            if count >= 0, start + count < line.count, line[start + count] == JSONByte.quote, remembered.areAt(line.baseAddress! + start) {
                position = start + count + 1
                return start..<(start + count)
            }
            guard let range = plainString() else { return nil }
            remembered = Remembered(UnsafeRawBufferPointer(rebasing: line[range]))
            return range
        }

        mutating func fixed<T>(_ count: Int, _ parse: (Slice<UnsafeRawBufferPointer>) -> T?) -> T? {
            guard position + count <= line.count, let value = parse(line[position..<(position + count)]) else { return nil }
            position += count
            return value
        }

        /// As `fixed(_:_:)`, first trying the value `remembered` holds: the same `count` bytes parse
        /// to the same value (an instant, a day).
        mutating func fixed<T>(_ count: Int, remembering remembered: inout (bytes: Remembered, value: T?),
                               _ parse: (Slice<UnsafeRawBufferPointer>) -> T?) -> T? {
            guard position + count <= line.count else { return nil }
            if let value = remembered.value, remembered.bytes.count == count, remembered.bytes.areAt(line.baseAddress! + position) {
                position += count
                return value
            }
            let start = position
            guard let value = fixed(count, parse) else { return nil }
            remembered = (Remembered(UnsafeRawBufferPointer(rebasing: line[start..<position])), value)
            return value
        }

        /// Whether 64 hex characters of a digest come next (passed over, not parsed).
        mutating func hexDigest() -> Bool {
            guard position + 64 <= line.count, SHA256Digest.isHex(UnsafeRawBufferPointer(rebasing: line[position..<(position + 64)])) else { return false }
            position += 64
            return true
        }
    }
}
