#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing numbers and digests straight into a byte buffer — as ASCII, or little-endian for the
/// binary files: the id index writes a few per event, and rendering each as a `String` first
/// costs more than the writing.
extension Array where Element == UInt8 {
    /// Appends the integer's bytes, little-endian (the binary files beside the log: the id
    /// index's hash table, the checkpoint's digests and body).
    package mutating func appendLittleEndian<I: FixedWidthInteger>(_ value: I) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a literal's bytes in one copy (`append(contentsOf: "…".utf8)` goes byte by byte).
    package mutating func append(literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `string`'s UTF-8 in one copy.
    package mutating func append(utf8 string: String) {
        string.withUTF8Bytes { append(contentsOf: $0) }
    }

    /// Appends 64 ASCII zeros: the blank a digest's hex is written over.
    mutating func appendBlankHex() {
        sixtyFourZeros.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// Appends `value` in decimal (with a `-` when negative).
    package mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        // The digits backwards into 20 bytes of stack (UInt64.max has 20), then appended at once.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = value.magnitude
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var at = 20
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[at..<20]))
        }
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits (non-negative values).
    mutating func appendDecimal(_ value: Int, width: Int) {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        if digits < width { append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        appendDecimal(value)
    }

    /// Appends the 64 lowercase hex digits of `digest`.
    mutating func appendHex(_ digest: SHA256Digest) {
        let at = count
        appendBlankHex()
        withUnsafeMutableBytes { digest.writeHex(to: $0.baseAddress! + at) }
    }

    /// Appends `date` as `YYYY-MM-DD`, as its `description` writes it.
    mutating func appendISO(_ date: CalendarDate) {
        guard (0...9999).contains(date.year), (0...99).contains(date.month), (0...99).contains(date.day) else {
            appendDecimal(date.year, width: 4)
            append(UInt8(ascii: "-"))
            appendDecimal(date.month, width: 2)
            append(UInt8(ascii: "-"))
            appendDecimal(date.day, width: 2)
            return
        }
        // The usual case, digit by digit into ten bytes of stack and appended at once.
        let zero = UInt8(ascii: "0"), dash = UInt8(ascii: "-")
        let (y, m, d) = (date.year, date.month, date.day)
        let bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            zero + UInt8(y / 1000), zero + UInt8(y / 100 % 10), zero + UInt8(y / 10 % 10), zero + UInt8(y % 10), dash,
            zero + UInt8(m / 10), zero + UInt8(m % 10), dash, zero + UInt8(d / 10), zero + UInt8(d % 10))
        Swift.withUnsafeBytes(of: bytes) { append(contentsOf: $0) }
    }
}

private let sixtyFourZeros = [UInt8](repeating: UInt8(ascii: "0"), count: 64)

extension UnsafeRawBufferPointer {
    /// Whether these bytes are exactly `other`'s: one `memcmp`, where `elementsEqual` goes a byte
    /// at a time through generic iterators.
    package func hasSameBytes(as other: [UInt8]) -> Bool {
        count == other.count && other.withUnsafeBytes { count == 0 || memcmp(baseAddress!, $0.baseAddress!, count) == 0 }
    }

    /// Whether these bytes are exactly `text`'s UTF-8.
    package func hasSameBytes(as text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || Self.sameBytes(baseAddress!, UnsafeRawPointer(text.utf8Start), count))
    }

    /// Whether the `count` bytes at `a` and `b` are the same: eight at a time, without a call to
    /// `memcmp` (whose call costs more than the comparing for a JSON key or a line's fixed text,
    /// read several times on each of a million lines).
    @inline(__always)
    package static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        if count < 8 {
            guard count >= 4 else {
                for i in 0..<count where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
                return true
            }
            // Four bytes from each end (overlapping when fewer than eight): `{"seq":` and `,"id":"` are seven.
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        var at = 0
        while at < count - 8 {
            guard a.loadUnaligned(fromByteOffset: at, as: UInt64.self) == b.loadUnaligned(fromByteOffset: at, as: UInt64.self) else { return false }
            at += 8
        }
        // The last eight bytes (overlapping the word before, when count is not a multiple of eight).
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// Where the JSON string whose contents start at `start` ends — the index of its closing quote —
    /// if every byte before it is ASCII from space up, other than a backslash (a string with no
    /// escapes, as the writer writes keys and plain values); nil if another byte comes first, or
    /// no quote. Eight bytes at a time (``JSONScan/skipPlainASCII(_:from:)``, the JSON reader's
    /// own scan): lines are mostly such strings.
    package func endOfPlainString(from start: Int) -> Int? {
        var position = JSONScan.skipPlainASCII(self, from: start)
        while position < count {
            let byte = self[position]
            if byte == 0x22 { return position }
            guard byte >= 0x20, byte < 0x80, byte != 0x5C else { return nil }
            position += 1
        }
        return nil
    }
}

extension String {
    /// Whether any byte of the string's UTF-8 satisfies `predicate`, read from its contiguous
    /// storage (much quicker than through `utf8`'s indices, for the many short strings a batch checks).
    public func containsUTF8Byte(where predicate: (UInt8) -> Bool) -> Bool {
        withUTF8Bytes { $0.contains(where: predicate) }
    }

    /// Calls `body` with the string's UTF-8 in contiguous memory, without copying the string
    /// where it can: `withUTF8` needs a mutable copy, which retains and releases the storage —
    /// contended, when the other core is writing the same strings into its lines.
    @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
