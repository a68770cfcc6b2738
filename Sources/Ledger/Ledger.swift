import EventLog
import Projections
import LedgerModel

/// A ledger: the log file of one or more partnerships' plans, and what can be done with it.
///
/// The façade the command line and scripts use: it turns input into events, appends them
/// as one batch, and translates every failure into a ``LedgerError``.
public final class Ledger {
    public let path: String
    let log: Log
    /// How replays use the checkpoint beside the log (see ``replay(_:auditing:checkpoints:)``).
    public var checkpoints = CheckpointPolicy.standard
    /// The state at the head this process last appended, so a run of appends (a generator, a
    /// long import) validates each batch without replaying the log again. Trusted only while
    /// the log's head is still that head; one that is not whole (see `appendValidated`'s
    /// `onlyValidates`) serves only batches that need no more — and, if it holds only some
    /// targets and actions (`subjects`), only batches that name no others; if it holds no
    /// partnership's own events (`sharedOnly`), only batches that read none.
    private var lastState: (head: Log.Head, state: LedgerState, isWhole: Bool, subjects: Set<String>?, sharedOnly: Bool)?

    /// Opens the ledger at `path`; `.notFound` if there is none.
    public init(path: String) throws(LedgerError) {
        self.path = path
        do { log = try Log(path: path) } catch { throw LedgerError(error) }
    }

    /// Creates an empty ledger; `.cannotCreate` if anything is already at `path`.
    public static func create(path: String) throws(LedgerError) {
        do { try Log.create(at: path) } catch { throw LedgerError(error) }
    }

    /// Parses JSON Lines input and appends every event in it as one batch: all or nothing.
    /// A bad line rejects the whole batch, naming the line and field; nothing is written.
    public func append(jsonLines input: [UInt8], defaults: InputDefaults, lockTimeout: Double? = 30,
                       keepsState: Bool = true) throws(LedgerError) -> Log.AppendResult {
        let (drafts, lines) = try EventInput.parse(input, defaults: defaults)
        return try append(consume drafts, lines: lines, lockTimeout: lockTimeout, keepsState: keepsState)
    }

    /// Checks each draft's envelope, then decodes its type and fields, before the lock is taken
    /// (so bad input fails fast, line by line, the envelope's problems first). The typed events
    /// are handed on to validation, so each is decoded once.
    static func decodeAll(_ drafts: [EventDraft], lines: [Int]) throws(LedgerError) -> [DomainEvent?] {
        // On every core at once (each draft depends only on itself); the error reported is the
        // first draft's, as checking them in order would report it.
        let today = Timestamp.now().date
        let parts = concurrentChunks(count: drafts.count, minimumPerChunk: 4096) { chunk -> (events: MovableRun<DomainEvent?>, error: LedgerError?) in
            var checker = Log.DraftChecker(today: today)
            var events = MovableRun<DomainEvent?>(capacity: chunk.count)
            for i in chunk {
                do throws(EventLogError) { try checker.check(drafts[i], index: i) } catch { return (events, LedgerError(error, lines: lines)) }
                do throws(DomainError) {
                    events.append(try EventDecoder.decode(type: drafts[i].type, data: drafts[i].data, strict: true))
                } catch {
                    return (events, LedgerError(.badInput, error.description, line: i < lines.count ? lines[i] : nil, field: error.field))
                }
            }
            return (events, nil)
        }
        let events = MovableRun.joined([], parts.map(\.events))
        if let error = parts.lazy.compactMap(\.error).first { throw error }
        return events
    }

    /// Appends drafts as one batch, each validated by the domain against the ledger so far;
    /// `lines[i]` is the input line of `drafts[i]`, for errors. `keepsState: false`, for a caller
    /// that appends once (a command): see ``appendValidated(lockTimeout:onlyValidates:subjects:sharedOnly:expectedIDs:draftsChecked:keepsState:prepare:)``.
    public func append(_ drafts: consuming [EventDraft], lines: [Int] = [], lockTimeout: Double? = 30,
                       keepsState: Bool = true) throws(LedgerError) -> Log.AppendResult {
        let ids = drafts.compactMap(\.id)
        // Handed to the append, which frees it on another core: holding on to it here would free
        // a large batch's drafts on this one, after the append, when nothing else is left to do.
        var handedOver: PreparedBatch? = PreparedBatch(drafts: drafts, events: try Ledger.decodeAll(drafts, lines: lines), lines: lines)
        drafts = []
        let onlyValidates = !handedOver!.retracts
        // (`decodeAll` has checked every draft's envelope.)
        return try appendValidated(lockTimeout: lockTimeout, onlyValidates: onlyValidates, subjects: onlyValidates ? handedOver!.subjects : nil,
                                   sharedOnly: onlyValidates && handedOver!.readsOnlySharedEvents, expectedIDs: ids,
                                   draftsChecked: true, keepsState: keepsState) { _ in
            defer { handedOver = nil }
            return handedOver!
        }
    }

    /// Appends the batch `prepare` makes from the ledger's state at the head (read under the lock),
    /// validating every event against that state before anything is written.
    ///
    /// `onlyValidates`: the caller promises `prepare` ignores the state and the batch retracts
    /// nothing, so the state need hold only what validation reads (see
    /// ``typesValidationIgnores``) — a single append to a large ledger then reads past its
    /// outturns instead of folding them. Such a state is not kept for the next append.
    ///
    /// `subjects` (with `onlyValidates`): every target and action the batch names; the state then
    /// need hold no others (see ``state(of:at:forValidation:subjects:sharedOnly:checkpoints:)``).
    /// `sharedOnly` (with `onlyValidates`): the batch reads no partnership's own events (see
    /// ``PreparedBatch/readsOnlySharedEvents``); the state then need hold none.
    ///
    /// `expectedIDs`: the batch's ids, when known before `prepare` (see ``Log/AppendOptions/expectedIDs``).
    /// `draftsChecked`: every draft `prepare` returns has had its envelope checked (see
    /// ``Log/AppendOptions/draftsChecked``).
    ///
    /// `keepsState: false`: the caller appends once, so validation need not fold in what it
    /// ignores (unless the batch retracts: a retraction may point at any earlier event of it);
    /// the state is then not kept for the next append.
    func appendValidated(lockTimeout: Double?, onlyValidates: Bool = false, subjects: Set<String>? = nil, sharedOnly: Bool = false,
                         expectedIDs: [String]? = nil, draftsChecked: Bool = false,
                         keepsState: Bool = true,
                         prepare: @escaping (LedgerState) throws -> PreparedBatch) throws(LedgerError) -> Log.AppendResult {
        let (log, checkpoints) = (self.log, self.checkpoints)
        let cached = lastState
        var state = LedgerState()
        var batch = PreparedBatch()
        var after: LedgerState?
        var isWhole = false
        var held: Set<String>? // the targets and actions the state holds, if not all
        var heldSharedOnly = false // whether it holds no partnership's own events
        let options = Log.AppendOptions(lockTimeout: lockTimeout, expectedIDs: expectedIDs, draftsChecked: draftsChecked) { _, pending in
            after = try Ledger.validate(pending.records, from: state, lines: batch.lines, decoded: batch.events, chain: pending.chain,
                                        foldingAll: keepsState || batch.retracts)
        }
        do {
            let result = try log.append(options: options) { head in
                if let cached, cached.head == head,
                   cached.isWhole || onlyValidates && (cached.subjects == nil || subjects?.isSubset(of: cached.subjects!) == true)
                   && (!cached.sharedOnly || sharedOnly) {
                    (state, isWhole, held, heldSharedOnly) = (cached.state, cached.isWhole, cached.subjects, cached.sharedOnly)
                } else {
                    (state, isWhole, held, heldSharedOnly) = try Ledger.scopedState(of: log, at: head, forValidation: onlyValidates,
                                                                                    subjects: onlyValidates ? subjects : nil,
                                                                                    sharedOnly: onlyValidates && sharedOnly, checkpoints: checkpoints)
                }
                batch = try prepare(state)
                return batch.drafts
            }
            lastState = keepsState ? (result.head, after ?? state, isWhole, held, heldSharedOnly) : nil
            // The batch's hundreds of thousands of values are freed on another core: moved there,
            // not copied (were the copies let go of first, this core would free them after all).
            releaseInBackground((replace(&batch, with: PreparedBatch()), replace(&state, with: LedgerState()), replace(&after, with: nil)))
            return result
        } catch let error as EventLogError {
            throw LedgerError(error, lines: batch.lines)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.io, "\(error)")
        }
    }

    /// Walks the whole chain; see ``Log/verify(lockTimeout:)``.
    public func verify(lockTimeout: Double? = 30) throws(LedgerError) -> Log.VerifyReport {
        do {
            return try log.verify(lockTimeout: lockTimeout)
        } catch let error as EventLogError {
            throw LedgerError(error)
        } catch {
            throw LedgerError(.io, "\(error)")
        }
    }
}

/// `value`'s contents, leaving `replacement` in its place: the caller then holds the only
/// reference to what was there (to hand to ``releaseInBackground(_:)``, or to move on).
func replace<T>(_ value: inout T, with replacement: T) -> T {
    var taken = replacement
    swap(&taken, &value)
    return taken
}
