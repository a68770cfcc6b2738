// Compact JSON serialization.

/// Writes JSON text: compact (no whitespace), UTF-8.
///
/// Strings escape only `"`, `\` and control characters (as `\n`, `\r`, `\t`,
/// `\b`, `\f`, or `\u00xx` with lowercase hex); `/` and non-JSONByte are written
/// raw. Numbers are written as their literal. The output always re-parses with
/// `JSONReader` to an equal value.
public enum JSONWriter {
    /// Appends the compact serialization (no whitespace) of `value` to `buffer`.
    ///
    /// Keys in stored order, or sorted by their UTF-8 bytes when `sortedKeys` is
    /// true (the canonical form used to compare content).
    public static func write(_ value: JSONValue, into buffer: inout [UInt8], sortedKeys: Bool = false) {
        switch value {
        case .null:
            buffer.append(literal: "null")
        case .bool(let flag):
            buffer.append(literal: flag ? "true" : "false")
        case .number(let number):
            buffer.append(utf8: number.literal)
        case .string(let string):
            writeString(string, into: &buffer)
        case .array(let elements):
            buffer.append(JSONByte.openBracket)
            var first = true
            for element in elements {
                if !first { buffer.append(JSONByte.comma) }
                first = false
                write(element, into: &buffer, sortedKeys: sortedKeys)
            }
            buffer.append(JSONByte.closeBracket)
        case .object(let object):
            writeObject(object.entries, into: &buffer, sortedKeys: sortedKeys)
        }
    }

    /// Appends `object` as `write(.object(object), into:sortedKeys:)` does.
    public static func write(object: JSONObject, into buffer: inout [UInt8], sortedKeys: Bool = false) {
        writeObject(object.entries, into: &buffer, sortedKeys: sortedKeys)
    }

    private static func writeObject(_ entries: [JSONObject.Element], into buffer: inout [UInt8], sortedKeys: Bool) {
        buffer.append(JSONByte.openBrace)
        // Most objects are in sorted order already: work out another order only when not.
        if sortedKeys, !keysAreSorted(entries) {
            withKeyOrder(entries) { order in
                for n in entries.indices {
                    writeMember(entries[order[n]], first: n == 0, into: &buffer, sortedKeys: sortedKeys)
                }
            }
        } else {
            for position in entries.indices {
                writeMember(entries[position], first: position == 0, into: &buffer, sortedKeys: sortedKeys)
            }
        }
        buffer.append(JSONByte.closeBrace)
    }

    /// Appends `object` in its stored order, as `write(object:into:)` does, and the offset in
    /// `buffer` where each member (`"key":value`) starts to `memberStarts` — so that the members
    /// can be read back in another order without writing them again (see
    /// ``withKeyOrder(_:_:)``).
    package static func write(object: JSONObject, into buffer: inout [UInt8], memberStarts: inout [Int]) {
        buffer.append(JSONByte.openBrace)
        for position in object.entries.indices {
            if position > 0 { buffer.append(JSONByte.comma) }
            memberStarts.append(buffer.count)
            writeMember(object.entries[position], first: true, into: &buffer, sortedKeys: false)
        }
        buffer.append(JSONByte.closeBrace)
    }

    /// Calls `body` with the positions of `object`'s members in the order of their keys' UTF-8
    /// bytes (the order `sortedKeys` writes them in).
    package static func withKeyOrder<R>(_ object: JSONObject, _ body: (UnsafeMutableBufferPointer<Int>) -> R) -> R {
        withKeyOrder(object.entries, body)
    }

    private static func withKeyOrder<R>(_ entries: [JSONObject.Element], _ body: (UnsafeMutableBufferPointer<Int>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: entries.count) { order in
            if entries.count <= 32 {
                // By insertion, on the stack: an event has a handful of fields.
                for i in entries.indices {
                    var j = i
                    while j > 0, utf8Precedes(entries[i].key, entries[order[j - 1]].key) {
                        order[j] = order[j - 1]
                        j -= 1
                    }
                    order[j] = i
                }
            } else {
                var all = order
                _ = all.initialize(from: entries.indices)
                all.sort { utf8Precedes(entries[$0].key, entries[$1].key) }
            }
            return body(order)
        }
    }

    /// Whether every member's value of `object` is in sorted order (``isInSortedOrder(_:)``),
    /// whatever the order of its own keys.
    package static func membersAreInSortedOrder(_ object: JSONObject) -> Bool {
        object.entries.allSatisfy { isInSortedOrder($0.value) }
    }

    /// `"key":value`, after a comma unless `first`; strings and numbers (an event's usual
    /// members) written here rather than through another call of `write`.
    @inline(__always)
    private static func writeMember(_ member: JSONObject.Element, first: Bool, into buffer: inout [UInt8], sortedKeys: Bool) {
        if !first { buffer.append(JSONByte.comma) }
        writeString(member.key, into: &buffer)
        buffer.append(JSONByte.colon)
        switch member.value {
        case .string(let string): writeString(string, into: &buffer)
        case .number(let number): buffer.append(utf8: number.literal)
        default: write(member.value, into: &buffer, sortedKeys: sortedKeys)
        }
    }

    /// Whether `write(.object(object), sortedKeys: false)` writes what `sortedKeys: true` would:
    /// every object's keys, nested ones too, already in order of their UTF-8 bytes.
    public static func isInSortedOrder(_ object: JSONObject) -> Bool {
        keysAreSorted(object.entries) && object.entries.allSatisfy { isInSortedOrder($0.value) }
    }

    private static func isInSortedOrder(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .number, .string: return true
        case .array(let elements): return elements.allSatisfy(isInSortedOrder)
        case .object(let object): return isInSortedOrder(object)
        }
    }

    private static func keysAreSorted(_ entries: [JSONObject.Element]) -> Bool {
        for i in entries.indices.dropFirst() where !utf8Precedes(entries[i - 1].key, entries[i].key) { return false }
        return true
    }

    /// Whether `a`'s UTF-8 bytes sort before `b`'s, read from their contiguous storage.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        a.withUTF8Bytes { x in
            b.withUTF8Bytes { y in
                for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
                return x.count < y.count
            }
        }
    }

    /// The compact serialization of `value` as a `String`; see `write(_:into:sortedKeys:)`.
    public static func string(_ value: JSONValue, sortedKeys: Bool = false) -> String {
        var buffer: [UInt8] = []
        write(value, into: &buffer, sortedKeys: sortedKeys)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends a JSON string literal (with quotes) for `string` to `buffer`.
    public static func writeString(_ string: String, into buffer: inout [UInt8]) {
        buffer.append(JSONByte.quote)
        string.withUTF8Bytes { utf8 in
            // Most strings need no escape: one copy. Otherwise runs between escapes.
            var runStart = 0
            var i = 0
            while i < utf8.count {
                let byte = utf8[i]
                if byte < 0x20 || byte == JSONByte.quote || byte == JSONByte.backslash {
                    if i > runStart { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                    runStart = i + 1
                    appendEscape(byte, into: &buffer)
                }
                i += 1
            }
            if utf8.count > runStart { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        buffer.append(JSONByte.quote)
    }

    /// The lowercase hex digit for `nibble` (0...15).
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? JSONByte.zero + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Appends the escape sequence for `"`, `\` or a control character.
    private static func appendEscape(_ byte: UInt8, into buffer: inout [UInt8]) {
        buffer.append(JSONByte.backslash)
        switch byte {
        case JSONByte.quote, JSONByte.backslash: buffer.append(byte)
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        default:
            buffer.append(literal: "u00")
            buffer.append(hexDigit(byte >> 4))
            buffer.append(hexDigit(byte & 0x0F))
        }
    }
}
