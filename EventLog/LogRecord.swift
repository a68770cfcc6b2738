/// An event handed to ``Log/append(_:options:)``: everything except what the log assigns
/// (`seq`, `recorded`, `prev`, `hash`, and the `id` or `known` when left out).
public struct EventDraft: Sendable, Equatable {
    /// The source's idempotency key; nil lets the log generate a random one.
    public var id: String?
    /// The date the partnership knew or decided it; nil means the recorded date.
    public var known: CalendarDate?
    public var type: String
    public var source: String
    public var actor: String
    public var data: JSONObject

    public init(id: String? = nil, known: CalendarDate? = nil, type: String, source: String, actor: String, data: JSONObject) {
        self.id = id
        self.known = known
        self.type = type
        self.source = source
        self.actor = actor
        self.data = data
    }

    /// The digest that decides whether two events with one id are "the same content":
    /// the type and the data (keys sorted), nothing the log or the run assigns.
    public var contentDigest: SHA256Digest {
        LogRecord.contentDigest(type: type, data: data)
    }
}

/// One line of the log, decoded. The field order here is the order on disk.
public struct LogRecord: Sendable, Equatable {
    public var seq: Int
    public var id: String
    public var recorded: Timestamp
    public var known: CalendarDate
    public var type: String
    public var source: String
    public var actor: String
    public var data: JSONObject
    public var prev: SHA256Digest
    public var hash: SHA256Digest

    package init(seq: Int, id: String, recorded: Timestamp, known: CalendarDate, type: String, source: String, actor: String,
                 data: JSONObject, prev: SHA256Digest, hash: SHA256Digest) {
        (self.seq, self.id, self.recorded, self.known, self.type) = (seq, id, recorded, known, type)
        (self.source, self.actor, self.data, self.prev, self.hash) = (source, actor, data, prev, hash)
    }

    /// The envelope keys, in the order every line must have them.
    public static let fieldOrder = ["seq", "id", "recorded", "known", "type", "source", "actor", "data", "prev", "hash"]

    /// The bytes every line ends with after the hashed part: `,"hash":"` + 64 hex + `"}`.
    static let hashSuffixLength = 9 + 64 + 2

    public var contentDigest: SHA256Digest {
        LogRecord.contentDigest(type: type, data: data)
    }

    static func contentDigest(type: String, data: JSONObject) -> SHA256Digest {
        var scratch: [UInt8] = []
        return contentDigest(type: type, data: data, scratch: &scratch)
    }

    /// Appends this event's line (with its final `\n`) to `buffer` and returns its hash.
    ///
    /// The hash is SHA-256 of the bytes from `{` up to, not including, `,"hash":`.
    @discardableResult
    static func encode(seq: Int, id: String, recorded: Timestamp, known: CalendarDate, type: String, source: String,
                       actor: String, data: JSONObject, prev: SHA256Digest, into buffer: inout [UInt8]) -> SHA256Digest {
        encode(seq: seq, id: id, recorded: Array(recorded.description.utf8), known: Array(known.description.utf8), type: type,
               source: source, actor: actor, data: data, prev: prev, into: &buffer)
    }

    /// As above, with the times already rendered (a batch shares one `recorded`, and often one `known`).
    static func encode(seq: Int, id: String, recorded: [UInt8], known: [UInt8], type: String, source: String,
                       actor: String, data: JSONObject, prev: SHA256Digest, into buffer: inout [UInt8]) -> SHA256Digest {
        let line = UnlinkedLine(seq: seq, id: id, recorded: recorded, known: known, type: type, source: source,
                                actor: actor, data: data, into: &buffer)
        return buffer.withUnsafeMutableBytes { line.link(to: prev, in: $0) }
    }

    /// Decodes one line (without its `\n`), checking the envelope's shape strictly:
    /// valid JSON, exactly the envelope keys in order, each of its type, and the line
    /// ending in the canonical `,"hash":"<64 hex>"}`. Does not check the hash itself.
    public static func decode(line: UnsafeRawBufferPointer) throws(LineError) -> LogRecord {
        if let canonical = CanonicalLine.scan(line) { return try decode(line: line, canonical: canonical) }
        return try decodeInFull(line: line)
    }

    /// As above, for a line already scanned as canonical.
    static func decode(line: UnsafeRawBufferPointer, canonical: CanonicalLine) throws(LineError) -> LogRecord {
        if case .object(let data)? = try? JSONReader.parse(UnsafeRawBufferPointer(rebasing: line[canonical.data])) {
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self) }
            return LogRecord(seq: canonical.seq, id: text(canonical.id), recorded: canonical.recorded, known: canonical.known,
                             type: text(canonical.type), source: text(canonical.source), actor: text(canonical.actor),
                             data: data, prev: CanonicalLine.digest(canonical.prev, in: line),
                             hash: CanonicalLine.digest(canonical.hash, in: line))
        }
        return try decodeInFull(line: line)
    }

    /// The authority on what a line is: a full JSON parse, then the envelope checked field by
    /// field, with the message for whatever is wrong. ``decode(line:)`` comes here for any line
    /// not in the canonical layout.
    static func decodeInFull(line: UnsafeRawBufferPointer) throws(LineError) -> LogRecord {
        let value: JSONValue
        do { value = try JSONReader.parse(line) } catch { throw LineError(field: nil, reason: "not valid JSON: \(error)") }
        guard case .object(let object) = value else { throw LineError(field: nil, reason: "not a JSON object") }
        // The common case, checked without building a list of keys: exactly the envelope, in order.
        let inOrder = object.count == fieldOrder.count && zip(object.entries, fieldOrder).allSatisfy { $0.key == $1 }
        if !inOrder {
            let keys = object.keys
            for (i, expected) in fieldOrder.enumerated() where i >= keys.count || keys[i] != expected {
                let found = i < keys.count ? "\"\(keys[i])\"" : "end of object"
                throw LineError(field: expected, reason: "envelope field \(i + 1) must be \"\(expected)\", found \(found)")
            }
            throw LineError(field: keys[fieldOrder.count], reason: "unexpected envelope field after \"hash\"")
        }
        // The fields are where the order says: read them by position, not by name.
        let fields = object.entries
        func string(_ position: Int) throws(LineError) -> String {
            guard case .string(let s) = fields[position].value else { throw LineError(field: fieldOrder[position], reason: "must be a string") }
            return s
        }
        guard case .number(let n) = fields[0].value, let seq = n.int, seq >= 1 else {
            throw LineError(field: "seq", reason: "must be a positive integer")
        }
        let id = try string(1)
        guard !id.isEmpty else { throw LineError(field: "id", reason: "must not be empty") }
        guard let recorded = Timestamp(rfc3339: try string(2)) else {
            throw LineError(field: "recorded", reason: "must be a UTC timestamp like 2026-01-31T09:15:00.000Z")
        }
        guard let known = CalendarDate(iso: try string(3)) else {
            throw LineError(field: "known", reason: "must be a date like 2026-01-31")
        }
        let type = try string(4), source = try string(5), actor = try string(6)
        guard case .object(let data) = fields[7].value else { throw LineError(field: "data", reason: "must be an object") }
        guard let prev = SHA256Digest(hex: try string(8)) else {
            throw LineError(field: "prev", reason: "must be 64 lowercase hex digits")
        }
        guard let hash = SHA256Digest(hex: try string(9)) else {
            throw LineError(field: "hash", reason: "must be 64 lowercase hex digits")
        }
        // The hashed part must end exactly where `,"hash":"` begins, with nothing after the hex but `"}`.
        guard line.count > hashSuffixLength,
              line.suffix(hashSuffixLength).starts(with: #","hash":""#.utf8),
              line[line.count - 2] == UInt8(ascii: "\""), line[line.count - 1] == UInt8(ascii: "}")
        else { throw LineError(field: "hash", reason: #"line must end with ,"hash":"<64 hex>"} and no spaces"#) }
        return LogRecord(seq: seq, id: id, recorded: recorded, known: known, type: type, source: source,
                         actor: actor, data: data, prev: prev, hash: hash)
    }

    /// SHA-256 of the line's hashed part (everything before `,"hash":`). The line must
    /// already have decoded, so its suffix has the canonical length.
    static func computeHash(line: UnsafeRawBufferPointer) -> SHA256Digest {
        SHA256.hash(UnsafeRawBufferPointer(rebasing: line[..<(line.count - hashSuffixLength)]))
    }
}

/// Why one line of the log could not be decoded: the field at fault (nil: the line as a whole) and why.
public struct LineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var reason: String
    public var description: String { field.map { "field \"\($0)\": \(reason)" } ?? reason }
}
