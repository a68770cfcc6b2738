#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open ledger log file: append-only JSON Lines, hash-chained, crash-safe.
///
/// Files beside the log, all named after it:
/// - `<log>.undo` — the undo journal of an append in progress (see ``append(_:options:)``);
/// - `<log>.torn` — torn tails moved aside, kept for forensics;
/// - `<log>.idx` — the id index, a rebuildable cache.
///
/// Readers take a shared `flock` only long enough to learn where the committed bytes end,
/// then read without holding it: the bytes of committed lines never change.
public final class Log {
    public let path: String
    let file: FileDescriptor
    /// The checkpoint this process last found valid, and the version of the file it came from:
    /// a second reader in the same process (finding a board, then replaying to its seal) need
    /// not map and check it again.
    var checkedCheckpoint: (file: FileSystem.Identity, format: String, checkpoint: Checkpoint)?

    var undoPath: String { path + ".undo" }
    var tornPath: String { path + ".torn" }

    /// Opens an existing log for reading and appending.
    public init(path: String) throws(EventLogError) {
        self.path = path
        do {
            file = try FileDescriptor.open(path, O_RDWR)
        } catch let error where error.code == .notFound {
            throw EventLogError(.notFound, "no such ledger (create one with 'outturn init --ledger \(path)')", path: path)
        } catch let error where error.errno == EACCES || error.errno == EROFS {
            file = try FileDescriptor.open(path, O_RDONLY) // read-only access is enough to read and verify
        }
    }

    deinit {
        file.close()
    }

    /// Creates a new, empty log; fails with `.cannotCreate` if anything exists at `path`.
    public static func create(at path: String) throws(EventLogError) {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, verb: "create")
        } catch let error where error.errno == EEXIST {
            throw EventLogError(.cannotCreate, "already exists; a ledger is never overwritten", path: path)
        } catch {
            throw EventLogError(.cannotCreate, error.message, path: path, errno: error.errno)
        }
        defer { fd.close() }
        try fd.sync()
        try FileSystem.syncDirectory(of: path)
    }

    /// The last event of the log.
    public struct Head: Sendable, Equatable {
        /// 0 for an empty log.
        public var seq: Int
        /// ``SHA256Digest/zero`` for an empty log.
        public var hash: SHA256Digest
        public var recorded: Timestamp?
        /// The byte offset just past the last committed line.
        public var end: Int
    }

    /// Where the committed, complete lines end, as of now (under a brief shared lock).
    ///
    /// A pending undo journal means an append died mid-batch: its bytes are not committed.
    /// A torn tail (bytes after the last `\n`) is never committed.
    public func committedEnd(lockTimeout: Double? = nil) throws(EventLogError) -> Int {
        try file.lock(exclusive: false, timeout: lockTimeout)
        defer { file.unlock() }
        let size = try file.size()
        if let undo = try pendingUndoSize(), undo <= size { return undo }
        return try lastLineEnd(before: size)
    }

    /// The head of the log up to `end` (a committed end).
    public func head(upTo end: Int) throws(EventLogError) -> Head {
        guard end > 0 else { return Head(seq: 0, hash: .zero, recorded: nil, end: 0) }
        let start = try lastLineStart(before: end)
        let bytes = try file.readBytes(count: end - 1 - start, at: start)
        let record: LogRecord
        do {
            record = try bytes.withUnsafeBytes { (raw) throws(LineError) in try LogRecord.decode(line: raw) }
        } catch {
            throw EventLogError(.corrupt, "the last line of '\(path)' is malformed (\(error)); run 'outturn verify'", path: path)
        }
        return Head(seq: record.seq, hash: record.hash, recorded: record.recorded, end: end)
    }

    /// Calls `body` with each committed event, decoded, in seq order; `body` returns false to stop.
    /// Memory is bounded by the largest line.
    ///
    /// `ofTypes` limits the pass to a few kinds of event (the boards and retractions a seal
    /// needs): a line in the canonical layout is then judged by its type's bytes and decoded
    /// only if it is wanted, on every core (``forEachDecoded(after:upTo:decoder:_:)``), so the
    /// pass costs little more than reading the file. (A cold board view reads the whole log
    /// this way before its replay: on one core, it had cost a third of a full replay.)
    ///
    /// `after` starts the pass just past that event (a checkpoint's), instead of at seq 1.
    public func forEachRecord(after start: Head? = nil, upTo end: Int? = nil, ofTypes types: [String]? = nil,
                              _ body: (LogRecord) throws -> Bool) throws {
        let end = try end ?? committedEnd()
        if let types {
            try forEachDecoded(after: start, upTo: end, decoder: RecordsOfTypes(types)) { record in
                guard let record else { return true }
                return try body(record)
            }
            return
        }
        var expectedSeq = start?.seq ?? 0
        _ = try LineReader.forEachLine(in: file, from: start?.end ?? 0, to: end) { offset, line in
            expectedSeq += 1
            return try body(try Log.decode(line, seq: expectedSeq, offset: offset, path: path))
        }
    }

    /// The records of some types, each line judged by its type's bytes where it is canonical
    /// (decoded whole, and so checked, only otherwise); nil for the others.
    struct RecordsOfTypes: RecordDecoder {
        let names: [String]
        let bytes: [[UInt8]]

        init(_ names: [String]) { (self.names, bytes) = (names, names.map { Array($0.utf8) }) }

        func skip(_ envelope: LineEnvelope) -> LogRecord?? {
            bytes.contains { $0.elementsEqual(envelope.type) } ? nil : .some(nil)
        }

        func decode(_ record: LogRecord) -> LogRecord? { names.contains(record.type) ? record : nil }
    }

    /// Decodes a committed line, or names it as corrupt: where it is and what is wrong with it.
    static func decode(_ line: UnsafeRawBufferPointer, seq: Int, offset: Int, path: String,
                       canonical: CanonicalLine? = nil) throws(EventLogError) -> LogRecord {
        do {
            if let canonical { return try LogRecord.decode(line: line, canonical: canonical) }
            return try LogRecord.decode(line: line)
        } catch {
            throw EventLogError(.corrupt, "seq \(seq) (byte \(offset) of '\(path)') is malformed: \(error); run 'outturn verify'", path: path)
        }
    }

    // MARK: - Offsets

    /// The offset just past the last `\n` before `size` (0 when there is none).
    /// (Read backwards 4 KiB first, then in chunks doubling to 64 KiB: a line is a few hundred
    /// bytes, and every command finds the log's last line and a view the checkpoint's too.)
    func lastLineEnd(before size: Int) throws(EventLogError) -> Int {
        var position = size
        var chunk = 4 * 1024
        while position > 0 {
            let start = max(0, position - chunk)
            let bytes = try file.readBytes(count: position - start, at: start)
            if let nl = bytes.lastIndex(of: 0x0A) { return start + nl + 1 }
            position = start
            chunk = min(2 * chunk, 64 * 1024)
        }
        return 0
    }

    /// The offset where the line ending (with its `\n`) at `end` starts.
    func lastLineStart(before end: Int) throws(EventLogError) -> Int {
        try lastLineEnd(before: end - 1)
    }
}
