import EventLog
import LedgerModel

/// A ledger: the log file of one or more partnerships' plans, and what can be done with it.
///
/// The façade the command line and scripts use: it turns input into events, appends them
/// as one batch, and translates every failure into a ``LedgerError``.
public final class Ledger {
    public let path: String
    let log: Log

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
    public func append(jsonLines input: [UInt8], defaults: InputDefaults, lockTimeout: Double? = 30) throws(LedgerError) -> Log.AppendResult {
        let (drafts, lines) = try EventInput.parse(input, defaults: defaults)
        return try append(drafts, lines: lines, lockTimeout: lockTimeout)
    }

    /// Checks each draft's envelope, then its type and fields, before the lock is taken (so bad
    /// input fails fast, line by line, the envelope's problems first).
    static func decodeAll(_ drafts: [EventDraft], lines: [Int]) throws(LedgerError) {
        let today = Timestamp.now().date
        for (i, draft) in drafts.enumerated() {
            do { try Log.check(draft, index: i, today: today) } catch { throw LedgerError(error, lines: lines) }
            do {
                _ = try EventDecoder.decode(type: draft.type, data: draft.data, strict: true)
            } catch {
                throw LedgerError(.badInput, error.description, line: i < lines.count ? lines[i] : nil, field: error.field)
            }
        }
    }

    /// Appends drafts as one batch, each validated by the domain against the ledger so far;
    /// `lines[i]` is the input line of `drafts[i]`, for errors.
    public func append(_ drafts: [EventDraft], lines: [Int] = [], lockTimeout: Double? = 30) throws(LedgerError) -> Log.AppendResult {
        try Ledger.decodeAll(drafts, lines: lines)
        let log = self.log
        do {
            return try log.append(drafts, options: Log.AppendOptions(lockTimeout: lockTimeout) { head, pending in
                try Ledger.validate(pending, head: head, log: log, lines: lines)
            })
        } catch let error as EventLogError {
            throw LedgerError(error, lines: lines)
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
