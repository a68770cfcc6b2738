#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash recovery: the undo journal and torn tails.
///
/// An append writes `<log>.undo` — one line `outturn-undo <size> <sha256 of "outturn-undo <size>">`
/// naming the log's size before the batch — and fsyncs it *before* writing the batch; it
/// empties the journal only after the batch is fsynced. So if the process dies anywhere in
/// between, the journal is still there, and the next writer (under the exclusive lock)
/// truncates the log back to that size: the batch is all there or not there at all. The
/// checksum makes a half-written journal (a crash while writing it, before any log byte
/// was written) read as "nothing to undo", never as a wrong size.
extension Log {
    /// What recovery did before an append.
    public struct Recovery: Sendable, Equatable {
        /// Bytes of an unfinished batch removed by the undo journal.
        public var rolledBackBytes = 0
        /// Bytes of a torn last line moved to `<log>.torn`.
        public var tornBytes = 0
    }

    static func undoRecord(size: Int) -> [UInt8] {
        let body = "outturn-undo \(size)"
        return Array("\(body) \(SHA256.hash(body).hex)\n".utf8)
    }

    /// The log size recorded by an unfinished append, or nil when there is none (or the
    /// journal is incomplete, which means the append died before writing to the log).
    func pendingUndoSize() throws(EventLogError) -> Int? {
        guard FileSystem.exists(undoPath) else { return nil }
        let bytes: [UInt8]
        do { bytes = try readWholeFile(undoPath) } catch where error.code == .notFound { return nil }
        guard bytes.last == 0x0A else { return nil }
        let parts = bytes.dropLast().split(separator: 0x20)
        guard parts.count == 3, let size = Int(String(decoding: parts[1], as: UTF8.self)),
              Log.undoRecord(size: size) == bytes else { return nil }
        return size
    }

    /// Rolls back an unfinished batch and moves a torn tail aside. Call with the exclusive lock held.
    func recover() throws(EventLogError) -> Recovery {
        var recovery = Recovery()
        var size = try file.size()
        if let before = try pendingUndoSize(), before <= size {
            recovery.rolledBackBytes = size - before
            try file.truncate(to: before)
            try file.sync()
            size = before
        }
        if FileSystem.exists(undoPath) {
            try FileDescriptor.withOpened(undoPath, O_WRONLY) { (undo) throws(EventLogError) in
                try undo.truncate(to: 0)
                try undo.sync()
            }
        }
        let end = try lastLineEnd(before: size)
        if end < size {
            // A line without its `\n` was never acknowledged: keep it for forensics, then cut it off.
            var torn = try file.readBytes(count: size - end, at: end)
            torn.append(0x0A)
            let created = !FileSystem.exists(tornPath)
            try appendToFile(tornPath, torn, sync: true)
            if created { try FileSystem.syncDirectory(of: tornPath) }
            try file.truncate(to: end)
            try file.sync()
            recovery.tornBytes = size - end
        }
        return recovery
    }

    /// Runs `write` protected by the undo journal: journal the size, fsync, write, fsync, clear.
    func withUndoJournal(sizeBefore: Int, _ write: () throws(EventLogError) -> Void) throws(EventLogError) {
        let created = !FileSystem.exists(undoPath)
        let undo = try FileDescriptor.open(undoPath, O_WRONLY | O_CREAT, verb: "create")
        defer { undo.close() }
        let record = Log.undoRecord(size: sizeBefore)
        try undo.truncate(to: 0)
        try undo.write(record, at: 0)
        try undo.sync()
        if created { try FileSystem.syncDirectory(of: undoPath) }
        do {
            try write()
        } catch {
            // Leave the log as it was; if even that fails, the journal stays for the next writer.
            try file.truncate(to: sizeBefore)
            try file.sync()
            try undo.truncate(to: 0)
            try undo.sync()
            throw error
        }
        try undo.truncate(to: 0)
        try undo.sync()
    }
}
