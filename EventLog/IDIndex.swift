#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The id → seq cache beside the log (`<log>.idx`) that makes idempotent appends fast.
///
/// It is only a cache: deleting it loses nothing, and it is checked against the log
/// before each use. One line per event, in seq order:
/// `<seq>\t<end offset of the line in the log>\t<hash>\t<known>\t<content digest>\t<id>\n`.
/// The last entry is trusted only if the log's line ending at that offset carries that
/// hash; entries the log has beyond it are read from the log and added; anything else
/// (a torn or garbled entry, a mismatch) rebuilds the whole file from the log. An append looks
/// its ids up through ``IDHashTable`` (`<log>.idx.hash`) where it can, instead of reading
/// every line.
struct IDIndex {
    struct Entry: Equatable {
        var seq: Int
        var known: CalendarDate
        var contentDigest: SHA256Digest
    }

    /// A pointer to one log line, used to check the cache against the log.
    struct Mark: Equatable {
        var seq: Int
        var end: Int
        var hash: SHA256Digest
    }

    private(set) var entries: [String: Entry] = [:]
    /// The ids whose entries are kept (nil: all).
    private var wanted: Set<String>?
    /// The last log line the cache covers (nil: an empty log).
    private(set) var last: Mark?

    let path: String

    init(logPath: String) {
        path = logPath + ".idx"
    }

    subscript(id: String) -> Entry? { entries[id] }

    /// Loads the cache and brings it up to the log's committed end, rebuilding it when it
    /// does not match the log. Call with the log locked. Only the entries for `wanted` ids are
    /// kept in memory (a batch asks about its own ids; a million-event log has a million).
    static func load(logPath: String, log: FileDescriptor, committedEnd: Int, wanted: Set<String>) throws -> IDIndex {
        var index = IDIndex(logPath: logPath)
        index.wanted = wanted
        var valid = false
        if FileSystem.exists(index.path) {
            valid = index.read()
            if valid { valid = try index.matches(log: log, committedEnd: committedEnd) }
        }
        if !valid {
            index = IDIndex(logPath: logPath)
            index.wanted = wanted
        }
        let from = index.last?.end ?? 0
        var added: [UInt8] = []
        _ = try LineReader.forEachLine(in: log, from: from, to: committedEnd) { offset, line in
            let record: LogRecord
            do { record = try LogRecord.decode(line: line) } catch {
                throw EventLogError(.corrupt, "the log '\(logPath)' has a malformed line at byte \(offset) (\(error)); run 'outturn verify'", path: logPath)
            }
            index.add(id: record.id, entry: Entry(seq: record.seq, known: record.known, contentDigest: record.contentDigest),
                      mark: Mark(seq: record.seq, end: offset + line.count + 1, hash: record.hash), into: &added)
            return true
        }
        if !valid {
            try writeWholeFile(index.path, added)
        } else if !added.isEmpty {
            try appendToFile(index.path, added)
        }
        return index
    }

    /// Whether the cache file's last entry is `mark` (so new entries may be appended to it).
    static func isCurrent(logPath: String, head: Mark?) -> Bool {
        let path = logPath + ".idx"
        guard let head else { return !FileSystem.exists(path) || (try? readWholeFile(path))?.isEmpty == true }
        guard let tail = try? readTail(path, bytes: 4096) else { return false }
        return parseLastLine(tail) == head
    }

    /// Records a new event in memory and appends its entry line to `buffer`.
    mutating func add(id: String, entry: Entry, mark: Mark, into buffer: inout [UInt8]) {
        if wanted?.contains(id) ?? true { entries[id] = entry }
        last = mark
        IDIndex.encode(id: id, entry: entry, mark: mark, into: &buffer)
    }

    /// Appends the entry's line: `<seq>\t<end>\t<hash>\t<known>\t<content digest>\t<id>\n`.
    static func encode(id: String, entry: Entry, mark: Mark, into buffer: inout [UInt8]) {
        let tab = UInt8(ascii: "\t")
        buffer.appendDecimal(mark.seq)
        buffer.append(tab)
        buffer.appendDecimal(mark.end)
        buffer.append(tab)
        buffer.appendHex(mark.hash)
        buffer.append(tab)
        buffer.appendISO(entry.known)
        buffer.append(tab)
        buffer.appendHex(entry.contentDigest)
        buffer.append(tab)
        buffer.append(utf8: id)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// An entry line's length without its seq, end and id (for reserving a batch's lines).
    static let fixedLineLength = 5 + 64 + 10 + 64 + 1

    /// Reads the file, mapped: the wanted ids' entries and the last entry; false on any
    /// malformed entry (or one out of seq order) it reads.
    ///
    /// With a hash table that matches the file (``IDHashTable``), only the wanted ids' lines
    /// and the lines after those it covers are read. Otherwise every line's seq is checked,
    /// only the wanted ids' lines are parsed in full, and a new table is written for the next
    /// append. A line's id is compared as bytes with the wanted ids when both are ASCII (only
    /// then are equal bytes the same as equal strings), else as a Swift string.
    private mutating func read() -> Bool {
        // Mapped, not read: a million-event log's index is 200 MB, which reading would copy.
        // (Only appends change it in place, and they hold the log's lock, as the caller does.)
        guard let mapped = MappedBytes(path: path), let identity = FileSystem.identity(of: path) else { return false }
        defer { withExtendedLifetime(mapped) {} } // the bytes are valid while the mapping lives
        let bytes = mapped.bytes
        guard bytes.isEmpty || bytes[bytes.count - 1] == 0x0A else { return false } // a torn last entry
        let tablePath = path + ".hash"
        if let wanted, wanted.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }),
           var table = IDHashTable(path: tablePath, index: mapped, identity: identity), !table.coversOtherThanASCII,
           bytes.count - table.covered <= max(1 << 20, table.covered / 8),
           lookUp(wanted, in: &table, bytes),
           let lines = scan(bytes, from: table.covered, firstSeq: table.coveredSeq + 1) {
            return readLast(bytes, lines: lines)
        }
        entries = [:]
        var all: [(hash: UInt64, offset: Int)]? = []
        all?.reserveCapacity(bytes.count / 128)
        var otherThanASCII = false
        guard let lines = scan(bytes, from: 0, firstSeq: 1, hashingInto: &all, otherThanASCII: &otherThanASCII), let all,
              readLast(bytes, lines: lines) else { return false }
        // A cache of the cache: an index it cannot be written beside still serves.
        try? IDHashTable.write(path: tablePath, entries: all, covered: bytes.count, coveredSeq: lines, coversOtherThanASCII: otherThanASCII,
                               index: mapped, identity: identity)
        return true
    }

    /// Finds the wanted ids' entries through the table (each candidate line's id compared);
    /// false if the table is damaged or points at anything but an entry it covers.
    private mutating func lookUp(_ wanted: Set<String>, in table: inout IDHashTable, _ bytes: UnsafeRawBufferPointer) -> Bool {
        for id in wanted {
            let ok = id.withUTF8Bytes { idBytes -> Bool in
                guard let candidates = table.candidates(UnsafeRawBufferPointer(idBytes)) else { return false }
                for offset in candidates {
                    guard offset >= 0, offset < table.covered, offset == 0 || bytes[offset - 1] == 0x0A,
                          let newline = memchr(bytes.baseAddress! + offset, 0x0A, table.covered - offset) else { return false }
                    let line = UnsafeRawBufferPointer(rebasing: bytes[offset..<bytes.baseAddress!.distance(to: UnsafeRawPointer(newline))])
                    guard let tab = Self.lastTab(line) else { return false }
                    guard UnsafeRawBufferPointer(rebasing: line[(tab + 1)...]).elementsEqual(UnsafeRawBufferPointer(idBytes)) else { continue }
                    guard let (_, entry, mark) = IDIndex.parseLine(ArraySlice(line)), mark.seq <= table.coveredSeq else { return false }
                    entries[id] = entry
                    return true
                }
                return true
            }
            guard ok else { return false }
        }
        return true
    }

    /// Checks the seq of every line from `start` (each must be the one after the last, from
    /// `firstSeq`), keeping the wanted ids' entries; returns the last line's seq (or the one
    /// before `firstSeq`), nil if a line is malformed. `hashingInto`: every line's id hash and
    /// offset, for a table (and whether any id is not ASCII).
    private mutating func scan(_ bytes: UnsafeRawBufferPointer, from start: Int, firstSeq: Int) -> Int? {
        var (none, unused): ([(hash: UInt64, offset: Int)]?, Bool) = (nil, false)
        return scan(bytes, from: start, firstSeq: firstSeq, hashingInto: &none, otherThanASCII: &unused)
    }

    private mutating func scan(_ bytes: UnsafeRawBufferPointer, from start: Int, firstSeq: Int,
                               hashingInto all: inout [(hash: UInt64, offset: Int)]?, otherThanASCII: inout Bool) -> Int? {
        let wantedBytes = wanted.map { ids in WantedBytes(ids.filter { $0.utf8.allSatisfy { $0 < 0x80 } }.map { Array($0.utf8) }) }
        let wantedOthers = wanted.map { ids in ids.contains { $0.utf8.contains { $0 >= 0x80 } } } ?? false
        var expectedSeq = firstSeq
        var valid = true
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        LineReader.forEachLineRange(in: rest) { range in
            let line = UnsafeRawBufferPointer(rebasing: rest[range])
            guard let seq = Self.decimalPrefix(line), seq == expectedSeq, let idStart = Self.lastTab(line) else { valid = false; return false }
            expectedSeq += 1
            let id = UnsafeRawBufferPointer(rebasing: line[(idStart + 1)...])
            if all != nil {
                all!.append((XXH64.hash(id), start + range.lowerBound))
                if !otherThanASCII, id.contains(where: { $0 >= 0x80 }) { otherThanASCII = true }
            }
            if Self.isWanted(id, bytes: wantedBytes, others: wantedOthers, wanted: wanted) {
                guard let (id, entry, mark) = IDIndex.parseLine(ArraySlice(line)), mark.seq == seq else { valid = false; return false }
                entries[id] = entry
            }
            return true
        }
        return valid ? expectedSeq - 1 : nil
    }

    /// Reads the last entry, parsed in full from the file's last 4 KB (an entry is far shorter),
    /// which must be the `lines`th; true if it is (or the file is empty).
    private mutating func readLast(_ bytes: UnsafeRawBufferPointer, lines: Int) -> Bool {
        guard lines > 0 else { return true }
        guard let mark = IDIndex.parseLastLine(Array(bytes[max(0, bytes.count - 4096)...])), mark.seq == lines else { return false }
        last = mark
        return true
    }

    /// The wanted ASCII ids, looked up by a hash of their bytes: an index line is looked up a
    /// million times, against as many as a batch's ids (a scan of the ids of each length made
    /// importing twelve thousand figures into a 150,000-event ledger take a second).
    final class WantedBytes {
        private var byHash: [Int: [[UInt8]]] = [:]
        /// Whether any wanted id has this length: most lines are ruled out before hashing.
        private var hasLength: [Bool] = []

        init(_ ids: [[UInt8]]) {
            hasLength = Array(repeating: false, count: (ids.map(\.count).max() ?? 0) + 1)
            for id in ids {
                hasLength[id.count] = true
                id.withUnsafeBytes { byHash[Self.hash($0), default: []].append(id) }
            }
        }

        @inline(__always)
        func contains(_ id: UnsafeRawBufferPointer) -> Bool {
            guard id.count < hasLength.count, hasLength[id.count], let candidates = byHash[Self.hash(id)] else { return false }
            return candidates.contains { $0.elementsEqual(id) }
        }

        private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
            var hasher = Hasher()
            hasher.combine(bytes: bytes)
            return hasher.finalize()
        }
    }

    /// Whether an index line's id is one the load wants (all are, with no wanted list).
    @inline(__always)
    private static func isWanted(_ id: UnsafeRawBufferPointer, bytes: WantedBytes?, others: Bool, wanted: Set<String>?) -> Bool {
        guard let bytes, let wanted else { return true }
        if id.contains(where: { $0 >= 0x80 }) { return wanted.contains(String(decoding: id, as: UTF8.self)) }
        if bytes.contains(id) { return true }
        // An ASCII id can still equal a non-ASCII wanted one (K and the Kelvin sign): ask as strings.
        return others && wanted.contains(String(decoding: id, as: UTF8.self))
    }

    /// Where a line's last tab is (its id follows it), if it has one.
    private static func lastTab(_ line: UnsafeRawBufferPointer) -> Int? {
        var i = line.count - 1
        while i >= 0, line[i] != 0x09 { i -= 1 }
        return i >= 0 ? i : nil
    }

    /// The decimal number a line starts with (up to its first tab), or nil.
    private static func decimalPrefix(_ line: UnsafeRawBufferPointer) -> Int? {
        var value = 0, i = 0
        while i < line.count, line[i] != 0x09 {
            guard line[i] &- 0x30 < 10, i < 18 else { return nil }
            value = value * 10 + Int(line[i] &- 0x30)
            i += 1
        }
        return i > 0 && i < line.count && !(line[0] == 0x30 && i > 1) ? value : nil
    }

    /// The mark of the last entry in `tail` (the file's last bytes), or nil.
    private static func parseLastLine(_ tail: [UInt8]) -> Mark? {
        guard tail.last == 0x0A else { return nil }
        let body = tail.dropLast()
        let start = body.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
        return IDIndex.parseLine(body[start...])?.2
    }

    private static func parseLine(_ line: ArraySlice<UInt8>) -> (String, Entry, Mark)? {
        let fields = line.split(separator: 0x09, maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6,
              let seq = Int(String(decoding: fields[0], as: UTF8.self)),
              let end = Int(String(decoding: fields[1], as: UTF8.self)),
              let hash = fields[2].withUnsafeBytes({ SHA256Digest(hex: $0) }),
              let known = CalendarDate(iso: String(decoding: fields[3], as: UTF8.self)),
              let digest = fields[4].withUnsafeBytes({ SHA256Digest(hex: $0) }),
              !fields[5].isEmpty
        else { return nil }
        return (String(decoding: fields[5], as: UTF8.self), Entry(seq: seq, known: known, contentDigest: digest),
                Mark(seq: seq, end: end, hash: hash))
    }

    /// Whether the log's line ending at `last.end` carries `last.hash`.
    private func matches(log: FileDescriptor, committedEnd: Int) throws -> Bool {
        guard let last else { return true }
        guard last.end <= committedEnd, last.end >= LogRecord.hashSuffixLength + 1 else { return false }
        let tail = try log.readBytes(count: LogRecord.hashSuffixLength + 1, at: last.end - LogRecord.hashSuffixLength - 1)
        guard tail.count == LogRecord.hashSuffixLength + 1, tail.last == 0x0A else { return false }
        let hex = tail[9..<73]
        return hex.withUnsafeBytes { SHA256Digest(hex: $0) } == last.hash
    }
}

/// Whole-file helpers for the files beside the log (index, undo journal, torn tails), and a
/// command's input file.
package func readWholeFile(_ path: String) throws(EventLogError) -> [UInt8] {
    try FileDescriptor.withOpened(path, O_RDONLY) { (fd) throws(EventLogError) in
        try fd.readBytes(count: try fd.size(), at: 0)
    }
}

func readTail(_ path: String, bytes: Int) throws(EventLogError) -> [UInt8] {
    try FileDescriptor.withOpened(path, O_RDONLY) { (fd) throws(EventLogError) in
        let size = try fd.size()
        let start = max(0, size - bytes)
        return try fd.readBytes(count: size - start, at: start)
    }
}

/// Replaces `path` with `bytes` atomically (write a temporary file, then rename over): a reader
/// never sees half of it, and a failed write leaves what was there. Not fsynced: it is for
/// caches, which are rebuilt if lost, and a command's outputs (a report page).
package func writeWholeFile(_ path: String, _ bytes: [UInt8]) throws(EventLogError) {
    try writeWholeFile(path, pieces: [bytes])
}

/// Replaces `path` with `pieces`, one after another, atomically (a temporary file, removed
/// again if anything fails, renamed over `path`).
func writeWholeFile(_ path: String, pieces: [[UInt8]]) throws(EventLogError) {
    let temporary = path + ".tmp-\(getpid())"
    do {
        try FileDescriptor.withOpened(temporary, O_WRONLY | O_CREAT | O_TRUNC, verb: "create") { (fd) throws(EventLogError) in
            var offset = 0
            for bytes in pieces {
                try fd.write(bytes, at: offset)
                offset += bytes.count
            }
        }
        try FileSystem.rename(temporary, to: path)
    } catch {
        unlink(temporary)
        throw error
    }
}

func appendToFile(_ path: String, _ bytes: [UInt8], sync: Bool = false) throws(EventLogError) {
    try appendToFile(path, pieces: [bytes], sync: sync)
}

/// Appends `pieces`, one after another.
func appendToFile(_ path: String, pieces: [[UInt8]], sync: Bool = false) throws(EventLogError) {
    try FileDescriptor.withOpened(path, O_WRONLY | O_CREAT, verb: "open for appending") { (fd) throws(EventLogError) in
        var offset = try fd.size()
        for bytes in pieces {
            try fd.write(bytes, at: offset)
            offset += bytes.count
        }
        if sync { try fd.sync() }
    }
}
