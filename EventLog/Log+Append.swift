#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Log {
    /// How an append behaves.
    public struct AppendOptions {
        /// Seconds to wait for another appender to finish; nil waits forever.
        public var lockTimeout: Double?
        /// The clock; tests fix it. Nil reads the real time.
        public var now: Timestamp?
        /// Called with the lock held, after recovery and idempotency, with the head before
        /// the batch and the records about to be written (each with its position in the
        /// batch); throwing writes nothing. This is where the domain validates a batch
        /// against the ledger so far — read it with `forEachRecord(upTo: head.end)`.
        public var beforeWrite: ((Head, [PendingRecord]) throws -> Void)?

        public init(lockTimeout: Double? = 30, now: Timestamp? = nil, beforeWrite: ((Head, [PendingRecord]) throws -> Void)? = nil) {
            self.lockTimeout = lockTimeout
            self.now = now
            self.beforeWrite = beforeWrite
        }
    }

    /// A record about to be written, and the position of its draft in the batch.
    public struct PendingRecord: Sendable {
        public var index: Int
        public var record: LogRecord
        package init(index: Int, record: LogRecord) {
            self.index = index
            self.record = record
        }
    }

    /// What became of one event of a batch.
    public struct AppendOutcome: Sendable, Equatable {
        public var seq: Int
        public var id: String
        /// True when an event with this id and the same content was already in the log.
        public var existing: Bool
    }

    /// What an append did.
    public struct AppendResult: Sendable, Equatable {
        /// One per draft, in order.
        public var outcomes: [AppendOutcome]
        public var recovery: Recovery
        public var head: Head
    }

    /// Appends `drafts` as one batch: all of them or, whatever happens, none.
    ///
    /// Under an exclusive `flock` on the log: recover (roll back an unfinished batch, move a
    /// torn tail aside), re-read the tail, drop events whose id is already present (same
    /// content: reported `existing`; different content: `.conflict`, nothing written),
    /// then write every new line with one `pwrite` between the undo journal's two fsyncs.
    /// `recorded` is one instant for the batch, never before the previous event's.
    public func append(_ drafts: [EventDraft], options: AppendOptions = AppendOptions()) throws -> AppendResult {
        try append(options: options) { _ in drafts }
    }

    /// Appends the drafts `prepare` makes, with the lock held, from the head it is given —
    /// for writers whose batch depends on what the log holds (an import appends only the
    /// figures that changed). All or nothing, as ``append(_:options:)``.
    public func append(options: AppendOptions, prepare: (Head) throws -> [EventDraft]) throws -> AppendResult {
        let now = options.now ?? Timestamp.now()
        try file.lock(exclusive: true, timeout: options.lockTimeout)
        defer { file.unlock() }

        let recovery = try recover()
        let head = try self.head(upTo: try file.size())
        let drafts = try prepare(head)
        for (i, draft) in drafts.enumerated() {
            try Log.check(draft, index: i, today: now.date)
        }
        let recorded = max(now, head.recorded ?? now)
        let needsIndex = drafts.contains { $0.id != nil }
        let index = needsIndex
            ? try IDIndex.load(logPath: path, log: file, committedEnd: head.end, wanted: Set(drafts.compactMap(\.id))) : nil
        let indexIsCurrent = needsIndex || IDIndex.isCurrent(logPath: path, head: head.seq == 0 ? nil : IDIndex.Mark(seq: head.seq, end: head.end, hash: head.hash))

        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(drafts.count)
        var inBatch: [String: (seq: Int, entry: IDIndex.Entry)] = [:]
        var buffer: [UInt8] = []
        buffer.reserveCapacity(drafts.count * 256)
        var indexLines: [UInt8] = []
        var records: [PendingRecord] = []
        var seq = head.seq
        var prev = head.hash
        let recordedText = Array(recorded.description.utf8)
        var knownText: (date: CalendarDate, text: [UInt8])?

        for (i, draft) in drafts.enumerated() {
            let digest = draft.contentDigest
            if let id = draft.id, let existing = index?[id] ?? inBatch[id]?.entry {
                guard existing.contentDigest == digest, draft.known == nil || draft.known == existing.known else {
                    let what = existing.contentDigest != digest ? "different content" : "a different known date (\(existing.known))"
                    throw EventLogError(.conflict, "id \"\(id)\" is already seq \(existing.seq) with \(what)", path: path, eventIndex: i)
                }
                outcomes.append(AppendOutcome(seq: existing.seq, id: id, existing: true))
                continue
            }
            seq += 1
            let id = draft.id ?? Log.generateID()
            let known = draft.known ?? recorded.date
            let previous = prev
            if knownText?.date != known { knownText = (known, Array(known.description.utf8)) }
            prev = LogRecord.encode(seq: seq, id: id, recorded: recordedText, known: knownText?.text ?? [], type: draft.type,
                                    source: draft.source, actor: draft.actor, data: draft.data, prev: previous, into: &buffer)
            let entry = IDIndex.Entry(seq: seq, known: known, contentDigest: digest)
            if draft.id != nil { inBatch[id] = (seq, entry) }
            if indexIsCurrent {
                IDIndex.encode(id: id, entry: entry, mark: IDIndex.Mark(seq: seq, end: head.end + buffer.count, hash: prev), into: &indexLines)
            }
            if options.beforeWrite != nil {
                records.append(PendingRecord(index: i, record: LogRecord(
                    seq: seq, id: id, recorded: recorded, known: known, type: draft.type, source: draft.source,
                    actor: draft.actor, data: draft.data, prev: previous, hash: prev)))
            }
            outcomes.append(AppendOutcome(seq: seq, id: id, existing: false))
        }
        try options.beforeWrite?(head, records)

        guard !buffer.isEmpty else {
            return AppendResult(outcomes: outcomes, recovery: recovery, head: head)
        }
        try withUndoJournal(sizeBefore: head.end) { () throws(EventLogError) in
            try file.write(buffer, at: head.end)
            try file.sync()
        }
        if indexIsCurrent {
            // A cache: if this fails the next append rebuilds it from the log.
            try? appendToFile(path + ".idx", indexLines)
        }
        return AppendResult(outcomes: outcomes, recovery: recovery,
                            head: Head(seq: seq, hash: prev, recorded: recorded, end: head.end + buffer.count))
    }

    /// Rejects a draft the log cannot hold, naming the field: a malformed id, a `known` after
    /// `today`, an empty or control-character type, source or actor. `append` checks every draft;
    /// callers may check first to report envelope problems before anything else.
    public static func check(_ draft: EventDraft, index: Int, today: CalendarDate) throws(EventLogError) {
        func fail(_ field: String, _ reason: String) -> EventLogError {
            EventLogError(.invalidEvent, "field \"\(field)\": \(reason)", eventIndex: index, field: field)
        }
        if let id = draft.id {
            guard !id.isEmpty, id.utf8.count <= 256 else { throw fail("id", "must be 1 to 256 bytes") }
            guard !id.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
                throw fail("id", "must not contain spaces or control characters")
            }
        }
        if let known = draft.known, known > today {
            throw fail("known", "\(known) is in the future (today is \(today)); known can never be after recorded")
        }
        for (field, value) in [("type", draft.type), ("source", draft.source), ("actor", draft.actor)] {
            guard !value.isEmpty else { throw fail(field, "must not be empty") }
            guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw fail(field, "must not contain control characters")
            }
        }
    }

    /// A random version-4 UUID in lowercase, for events that bring no id of their own.
    static func generateID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { b -> String in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
