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
        /// against the ledger so far — read it with `forEachRecord(upTo: head.end)`. It runs
        /// while the batch's lines are encoded on another thread: see ``PendingBatch``.
        public var beforeWrite: ((Head, PendingBatch) throws -> Void)?
        /// The ids the batch will carry, when the caller knows them before `prepare` runs: the
        /// id index is then read on another thread (which also makes them a set: for a large
        /// batch, a fair part of an append) while `prepare` reads the log.
        public var expectedIDs: [String]?
        /// True when the caller has already checked every draft `prepare` returns with
        /// ``Log/check(_:index:today:)`` (a `DraftChecker`), on or before today: the append then
        /// does not check them again, one by one, with the lock held.
        public var draftsChecked: Bool

        public init(lockTimeout: Double? = 30, now: Timestamp? = nil, expectedIDs: [String]? = nil, draftsChecked: Bool = false,
                    beforeWrite: ((Head, PendingBatch) throws -> Void)? = nil) {
            self.lockTimeout = lockTimeout
            self.now = now
            self.expectedIDs = expectedIDs
            self.draftsChecked = draftsChecked
            self.beforeWrite = beforeWrite
        }
    }

    /// A record about to be written, and the position of its draft in the batch.
    public struct PendingRecord: Sendable {
        public var index: Int
        /// Its `prev` and `hash` are zero until the batch is hashed (``PendingBatch/chain(_:)``).
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
    /// then write every new line between the undo journal's two fsyncs. The lines are encoded
    /// and hashed on every core (see ``EncodedBatch``), and, with `beforeWrite`, while it runs.
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
        let (path, file) = (self.path, self.file)
        let early = options.expectedIDs.flatMap { ids in
            head.end == 0 || ids.isEmpty ? nil : BackgroundTask { () -> (ids: Set<String>, index: Result<IDIndex, any Error>) in
                let ids = Set(ids)
                return (ids, Result { try IDIndex.load(logPath: path, log: file, committedEnd: head.end, wanted: ids) })
            }
        }
        let drafts: [EventDraft]
        do { drafts = try prepare(head) } catch {
            _ = early?.value // never leave the reader running past the append
            throw error
        }
        if !options.draftsChecked {
            var checker = DraftChecker(today: now.date)
            try drafts.withUnsafeBufferPointer { drafts throws(EventLogError) in
                for i in drafts.indices { try checker.check(drafts[i], index: i) } // in place: no copy of each draft
            }
        }
        let recorded = max(now, head.recorded ?? now)
        let needsIndex = drafts.contains { $0.id != nil }
        let wanted = head.end == 0 ? [] : Set(drafts.compactMap(\.id)) // an empty log has no ids to keep
        // Always wait for the early read (it may write the index): use it if it covered the batch's ids.
        let earlyRead = early.map { $0.value }
        let loadedEarly = earlyRead.flatMap { wanted.isSubset(of: $0.ids) ? try? $0.index.get() : nil }
        let index = needsIndex ? try loadedEarly ?? IDIndex.load(logPath: path, log: file, committedEnd: head.end, wanted: wanted) : nil
        let indexIsCurrent = needsIndex || IDIndex.isCurrent(logPath: path, head: head.seq == 0 ? nil : IDIndex.Mark(seq: head.seq, end: head.end, hash: head.hash))

        // Which drafts are new, and their seq. A draft whose id the log or the batch already has
        // is the same event again (reported `existing`) or a conflict — only those need their
        // content digest now; the new ones' digests are the index's, computed with their lines.
        // In order, one hash of each id: `assigned[i]` is the new seq of draft i, or minus the
        // seq of the event whose id it repeats.
        var assigned = [Int](repeating: 0, count: drafts.count)
        var inBatch: [String: (draft: Int, seq: Int, known: CalendarDate)] = [:]
        var repeats: [Repeat] = []
        var seq = head.seq
        // Read in place: copying each draft would retain (and release) all its strings.
        drafts.withUnsafeBufferPointer { drafts in
            for i in drafts.indices {
                if let id = drafts[i].id {
                    if let existing = index?[id] {
                        repeats.append(Repeat(draft: i, seq: existing.seq, known: existing.known, digest: existing.contentDigest))
                        assigned[i] = -existing.seq
                        continue
                    }
                    if inBatch.isEmpty { inBatch.reserveCapacity(drafts.count - i) }
                    // One hash of the id: claim it, and give it back to the first draft that had it.
                    if let first = inBatch.updateValue((i, seq + 1, drafts[i].known ?? recorded.date), forKey: id) {
                        inBatch[id] = first
                        repeats.append(Repeat(draft: i, seq: first.seq, known: first.known, sameAs: first.draft))
                        assigned[i] = -first.seq
                        continue
                    }
                }
                seq += 1
                assigned[i] = seq
            }
        }
        let (records, outcomes) = Self.pendingRecords(drafts, assigned: assigned, after: head.seq, newCount: seq - head.seq,
                                                      recorded: recorded)
        try checkRepeats(repeats, of: drafts)
        guard !records.isEmpty else {
            return AppendResult(outcomes: outcomes, recovery: recovery, head: head)
        }

        let encoded = try Log.encode(records, after: head, recorded: recorded, indexing: indexIsCurrent, beforeWrite: options.beforeWrite)

        // The index is a cache checked against the log before each use, so it is written on
        // another core while the log's lines are written and synced (if the batch then fails,
        // the index no longer matches the log, and the next append rebuilds it).
        let indexPath = path + ".idx"
        let indexing = indexIsCurrent ? BackgroundTask { [records] in try? appendToFile(indexPath, pieces: encoded.indexLines(records, after: head)) } : nil
        defer { _ = indexing?.value }
        try withUndoJournal(sizeBefore: head.end) { () throws(EventLogError) in
            // Each core writes a piece at its own offset: copying a large batch into the page
            // cache is mostly finding fresh pages for it, which two cores can do at once.
            var offsets = [head.end]
            for piece in encoded.lines.dropLast() { offsets.append(offsets[offsets.count - 1] + piece.count) }
            let (pieces, starts) = (encoded.lines, offsets)
            let failures = concurrentMap(count: pieces.count, minimumPerChunk: 1) { k in
                Result { () throws(EventLogError) in try file.write(pieces[k], at: starts[k]) }
            }
            for case .failure(let error) in failures { throw error }
            try file.sync()
        }
        // The batch's records and drafts' strings are freed on another core, after the caller has them.
        releaseInBackground((consume records, consume inBatch, consume repeats))
        return AppendResult(outcomes: outcomes, recovery: recovery,
                            head: Head(seq: seq, hash: encoded.hashes[encoded.hashes.count - 1], recorded: recorded,
                                       end: head.end + encoded.byteCount))
    }

    /// The records of a batch's new drafts, in seq order, and every draft's outcome, in draft
    /// order — built on every core (each copies its draft's strings, which is most of the time
    /// a large batch spends here). `assigned[i]`: see ``append(options:prepare:)``.
    private static func pendingRecords(_ drafts: [EventDraft], assigned: [Int], after headSeq: Int, newCount: Int,
                                       recorded: Timestamp) -> (records: [PendingRecord], outcomes: [AppendOutcome]) {
        var records: [PendingRecord] = []
        let outcomes = [AppendOutcome](unsafeUninitializedCapacity: drafts.count) { outcomeSlots, outcomeCount in
            records = [PendingRecord](unsafeUninitializedCapacity: newCount) { recordSlots, recordCount in
                // Safe: each draft's outcome and record have slots of their own (a new draft's record is
                // at its seq less the head's, less one), all written before the arrays are used.
                nonisolated(unsafe) let (outcomeAt, recordAt) = (outcomeSlots.baseAddress, recordSlots.baseAddress)
                _ = concurrentChunks(count: drafts.count, minimumPerChunk: 4096) { range in
                    var generatedIDs = GeneratedIDs()
                    drafts.withUnsafeBufferPointer { drafts in
                        for i in range {
                            guard assigned[i] > 0 else {
                                (outcomeAt! + i).initialize(to: AppendOutcome(seq: -assigned[i], id: drafts[i].id!, existing: true))
                                continue
                            }
                            let id = drafts[i].id ?? generatedIDs.next()
                            (recordAt! + (assigned[i] - headSeq - 1)).initialize(to: PendingRecord(index: i, record: LogRecord(
                                seq: assigned[i], id: id, recorded: recorded, known: drafts[i].known ?? recorded.date, type: drafts[i].type,
                                source: drafts[i].source, actor: drafts[i].actor, data: drafts[i].data, prev: .zero, hash: .zero)))
                            (outcomeAt! + i).initialize(to: AppendOutcome(seq: assigned[i], id: id, existing: false))
                        }
                    }
                }
                recordCount = newCount
            }
            outcomeCount = drafts.count
        }
        return (records, outcomes)
    }

    /// The batch's lines, encoded and hashed (in order: the chain) while `beforeWrite`, if any,
    /// validates the batch (see ``BatchEncoder``).
    private static func encode(_ records: [PendingRecord], after head: Head, recorded: Timestamp, indexing: Bool,
                               beforeWrite: ((Head, PendingBatch) throws -> Void)?) throws -> EncodedBatch {
        let encoder = BatchEncoder(records, after: head, recorded: recorded, indexing: indexing, inBackground: beforeWrite != nil)
        do {
            try beforeWrite?(head, PendingBatch(records: records, encoder: encoder))
        } catch {
            _ = encoder.finish() // never leave the workers running past the append
            throw error
        }
        return encoder.finish()
    }

    /// A draft whose id is already taken: by an event of the log (with its content digest), or
    /// by an earlier draft of the batch (`sameAs`).
    struct Repeat {
        var draft: Int
        var seq: Int
        var known: CalendarDate
        var digest: SHA256Digest?
        var sameAs: Int?
    }

    /// Throws `.conflict` for the first repeat whose content or known date differs from the
    /// event that has its id (as checking draft by draft would).
    func checkRepeats(_ repeats: [Repeat], of drafts: [EventDraft]) throws(EventLogError) {
        guard !repeats.isEmpty else { return }
        let needed = Array(Set(repeats.flatMap { [$0.draft] + ($0.sameAs.map { [$0] } ?? []) }))
        let computed = concurrentMap(count: needed.count) { drafts[needed[$0]].contentDigest }
        let digests = Dictionary(uniqueKeysWithValues: zip(needed, computed))
        for r in repeats {
            let draft = drafts[r.draft], digest = digests[r.draft]!
            let existing = r.digest ?? digests[r.sameAs!]!
            guard existing == digest, draft.known == nil || draft.known == r.known else {
                let what = existing != digest ? "different content" : "a different known date (\(r.known))"
                throw EventLogError(.conflict, "id \"\(draft.id ?? "")\" is already seq \(r.seq) with \(what)", path: path, eventIndex: r.draft)
            }
        }
    }

    /// Rejects a draft the log cannot hold, naming the field: a malformed id, a `known` after
    /// `today`, an empty or control-character type, source or actor. `append` checks every draft;
    /// callers may check first to report envelope problems before anything else.
    public static func check(_ draft: EventDraft, index: Int, today: CalendarDate) throws(EventLogError) {
        var checker = DraftChecker(today: today)
        try checker.check(draft, index: index)
    }

    /// Checks drafts one after another as ``check(_:index:today:)`` does, remembering the last
    /// type, source and actor that passed: a batch's drafts mostly share them.
    public struct DraftChecker {
        let today: CalendarDate
        private var passed: (type: String, source: String, actor: String)?

        public init(today: CalendarDate) { self.today = today }

        public mutating func check(_ draft: EventDraft, index: Int) throws(EventLogError) {
            func fail(_ field: String, _ reason: String) -> EventLogError {
                EventLogError(.invalidEvent, "field \"\(field)\": \(reason)", eventIndex: index, field: field)
            }
            if let id = draft.id {
                guard !id.isEmpty, id.utf8.count <= 256 else { throw fail("id", "must be 1 to 256 bytes") }
                guard !id.containsUTF8Byte(where: { $0 < 0x21 || $0 == 0x7F }) else {
                    throw fail("id", "must not contain spaces or control characters")
                }
            }
            if let known = draft.known, known > today {
                throw fail("known", "\(known) is in the future (today is \(today)); known can never be after recorded")
            }
            if let passed, passed.type == draft.type, passed.source == draft.source, passed.actor == draft.actor { return }
            func checkText(_ field: String, _ value: String) throws(EventLogError) {
                guard !value.isEmpty else { throw fail(field, "must not be empty") }
                guard !value.containsUTF8Byte(where: { $0 < 0x20 || $0 == 0x7F }) else {
                    throw fail(field, "must not contain control characters")
                }
            }
            try checkText("type", draft.type)
            try checkText("source", draft.source)
            try checkText("actor", draft.actor)
            passed = (draft.type, draft.source, draft.actor)
        }
    }
}
