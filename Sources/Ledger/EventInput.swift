#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog
import LedgerModel

/// What an input line leaves out: the envelope fields that come from the command line.
public struct InputDefaults: Sendable, Equatable {
    public var source: String
    public var actor: String
    /// Nil: the recorded date.
    public var known: CalendarDate?

    public init(source: String, actor: String, known: CalendarDate? = nil) {
        self.source = source
        self.actor = actor
        self.known = known
    }
}

/// Reads events as JSON Lines: `{"type":…, "data":{…}, "id"?:…, "known"?:…, "source"?:…, "actor"?:…}`.
///
/// Blank lines are skipped; a `\r` before the `\n` is ignored. Every problem names the
/// input line and the field.
public enum EventInput {
    /// The fields an input line may carry; the rest of the envelope is the ledger's to set.
    public static let fields = ["type", "data", "id", "known", "source", "actor"]
    static let ledgerFields: Set<String> = ["seq", "recorded", "prev", "hash"]

    /// Parses every line of `bytes`; returns the drafts and, for each, its input line number.
    ///
    /// The lines are parsed on every core at once (each depends only on itself); the error
    /// reported is the first line's, as parsing them in order would report it.
    public static func parse(_ bytes: [UInt8], defaults: InputDefaults) throws(LedgerError) -> (drafts: [EventDraft], lines: [Int]) {
        try bytes.withUnsafeBytes { raw in Result { () throws(LedgerError) in
            // Where each line is, and its number (blank lines are skipped, but counted).
            var ranges: [(range: Range<Int>, number: Int)] = []
            var lineNumber = 0
            var start = 0
            // (The only pass over the input on one core: memchr finds each line's end.)
            ranges.reserveCapacity(raw.count / 128)
            while start < raw.count {
                lineNumber += 1
                var end = memchr(raw.baseAddress! + start, 0x0A, raw.count - start).map { raw.baseAddress!.distance(to: $0) } ?? raw.count
                let next = end + 1
                if end > start, raw[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { ranges.append((start..<end, lineNumber)) } // (stops at a line's "{")
                start = next
            }
            nonisolated(unsafe) let input = raw // read only, and only until concurrentChunks returns
            let lines = ranges
            let parts = concurrentChunks(count: lines.count, minimumPerChunk: 4096) { chunk -> (drafts: MovableRun<EventDraft>, error: LedgerError?) in
                var drafts = MovableRun<EventDraft>(capacity: chunk.count)
                var reader = JSONReader.Reusable()
                for i in chunk {
                    do throws(LedgerError) {
                        drafts.append(try parse(line: UnsafeRawBufferPointer(rebasing: input[lines[i].range]), number: lines[i].number,
                                                defaults: defaults, reader: &reader))
                    } catch {
                        return (drafts, error)
                    }
                }
                return (drafts, nil)
            }
            let drafts = MovableRun.joined([], parts.map(\.drafts))
            if let error = parts.lazy.compactMap(\.error).first { throw error }
            return (drafts, lines.map(\.number))
        } }.get()
    }

    /// Whether `type` is one of the domain's event types.
    static func isEventType(_ type: String) -> Bool {
        eventTypes[type] != nil
    }

    /// Each event type's name, by itself: a draft takes the domain's own copy (a constant, which
    /// costs nothing to copy or free) rather than the one read from its line (a string of its own
    /// for each of a batch's events, most of them longer than fits in place).
    private static let eventTypes = Dictionary(uniqueKeysWithValues: DomainEvent.typeNames.map { ($0, $0) })

    /// Parses one input line into a draft.
    public static func parse(line: UnsafeRawBufferPointer, number: Int, defaults: InputDefaults) throws(LedgerError) -> EventDraft {
        var reader = JSONReader.Reusable()
        return try parse(line: line, number: number, defaults: defaults, reader: &reader)
    }

    /// Parses one input line into a draft with `reader`, which a batch reuses from line to line.
    static func parse(line: UnsafeRawBufferPointer, number: Int, defaults: InputDefaults,
                      reader: inout JSONReader.Reusable) throws(LedgerError) -> EventDraft {
        func fail(_ field: String?, _ reason: String) -> LedgerError {
            LedgerError(.badInput, field.map { "field \"\($0)\": \(reason)" } ?? reason, line: number, field: field)
        }
        let value: JSONValue
        do { value = try reader.parse(line) } catch { throw fail(nil, "not valid JSON: \(error)") }
        guard case .object(let object) = value else { throw fail(nil, "expected a JSON object, found \(value.kindName)") }
        // One pass over the members: each is one of the fields (in any order), or the line is rejected.
        var (type, data, id, known, source, actor): (JSONValue?, JSONValue?, JSONValue?, JSONValue?, JSONValue?, JSONValue?)
        for (key, value) in object {
            switch key {
            case "type": type = value
            case "data": data = value
            case "id": id = value
            case "known": known = value
            case "source": source = value
            case "actor": actor = value
            default:
                if ledgerFields.contains(key) { throw fail(key, "is set by the ledger, not by input") }
                throw fail(key, "unknown field (an input line may have \(fields.joined(separator: ", ")))")
            }
        }
        func string(_ key: String, _ value: JSONValue?) throws(LedgerError) -> String? {
            guard let value else { return nil }
            guard case .string(let s) = value else { throw fail(key, "must be a string, found \(value.kindName)") }
            return s
        }
        guard let typeText = try string("type", type) else { throw fail("type", "is missing") }
        guard let typeName = eventTypes[typeText] else {
            throw fail("type", "\"\(typeText)\" is not an event type (one of \(DomainEvent.typeNames.joined(separator: ", ")))")
        }
        guard let data else { throw fail("data", "is missing") }
        guard case .object(let payload) = data else { throw fail("data", "must be an object, found \(data.kindName)") }
        var knownDate = defaults.known
        if let text = try string("known", known) {
            guard let date = CalendarDate(iso: text) else { throw fail("known", "\"\(text)\" is not a date (expected YYYY-MM-DD)") }
            knownDate = date
        }
        return EventDraft(id: try string("id", id), known: knownDate, type: typeName, source: try string("source", source) ?? defaults.source,
                          actor: try string("actor", actor) ?? defaults.actor, data: payload)
    }
}
