#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A checkpoint: what a reader folded from the log's first events, saved beside the log
/// (`<log>.ckpt`) so the next reader can start from there instead of from seq 1.
///
/// The log knows nothing of what is folded: the body is the caller's bytes, in a format the
/// caller names. What the log adds is the stamp — the seq, hash and end offset of the last
/// event the body covers — and the check that the log still holds exactly that event there.
/// A checkpoint is a cache: one that is missing, of another format, cut short, or stamped
/// with an event the log does not hold (a log restored from a backup, rewritten, or replaced)
/// is ignored, and deleting it never loses anything.
extension Log {
    /// A checkpoint found beside the log.
    public struct Checkpoint: Sendable {
        /// The last event the body covers, and where its line ends.
        public var covers: Head
        /// The caller's bytes, mapped from the file (see ``MappedBytes``). Read with
        /// ``CheckpointChecking/asRead``, only the ranges ``check(_:)`` has passed are checked.
        public var body: MappedBytes
        let pieces: PieceChecks

        /// Whether the body's bytes in `range` match their checksums: each 64 KiB piece that
        /// holds some of them is checked once (on every core), then remembered. The pieces'
        /// pages are let go once checked, when more than 256 KiB are (see ``MappedBytes/release(_:)``):
        /// a reader touches them again as it reads, so a large body is never resident all at
        /// once — unless `keepingPages`, for a part about to be read whole (faulted in once, not twice).
        public func check(_ range: Range<Int>, keepingPages: Bool = false) -> Bool {
            pieces.check(range, of: body.bytes, keepingPages: keepingPages)
        }
    }

    /// How much of a checkpoint's body is checked when it is read.
    public enum CheckpointChecking: Sendable {
        /// All of it, before it is returned.
        case whole
        /// Only what ``Checkpoint/check(_:)`` is asked about — when the digests of its pieces
        /// (`<log>.ckpt.sums`) match the stamp; otherwise all of it, as `whole`. For a reader
        /// of a few parts of a large body (an append validating against one).
        case asRead
    }

    public var checkpointPath: String { path + ".ckpt" }
    /// The digests of the checkpoint body's pieces (``XXH64/pieceDigests(parts:)``), whose
    /// XXH64 is the stamp's checksum: a cache beside a cache.
    var checkpointSumsPath: String { path + ".ckpt.sums" }

    /// The checkpoint beside the log, if it is in `format` and covers a prefix of the log's
    /// committed lines up to `end`, and its body (checked as `checking` says) matches its
    /// stamp's checksum; nil otherwise.
    public func readCheckpoint(format: String, upTo end: Int, checking: CheckpointChecking = .whole) -> Checkpoint? {
        guard let identity = FileSystem.identity(of: checkpointPath) else { return nil }
        // The same file as last time: checked then, and the log's committed lines never change.
        if let checked = checkedCheckpoint, checked.file == identity, checked.format == format {
            let checkpoint = checked.checkpoint
            guard checkpoint.covers.end <= end, checking == .asRead || checkpoint.check(0..<checkpoint.body.bytes.count) else { return nil }
            return checkpoint
        }
        guard let file = MappedBytes(path: checkpointPath),
              let newline = file.bytes.prefix(512).firstIndex(of: 0x0A),
              let stamp = Stamp(String(decoding: file.bytes[..<newline], as: UTF8.self)),
              stamp.format == format, stamp.length == file.bytes.count - newline - 1,
              stamp.head.end <= end else { return nil }
        // The log must hold the stamped event, ending at the stamped offset.
        guard stamp.head.end == 0 ? stamp.head.seq == 0 : (try? head(upTo: stamp.head.end)).map({
            $0.seq == stamp.head.seq && $0.hash == stamp.head.hash
        }) == true else { return nil }
        let body = file.dropping(newline + 1)
        let pieces: PieceChecks
        if checking == .asRead, let sums = try? readWholeFile(checkpointSumsPath), let lazy = PieceChecks(digests: sums, bodyLength: body.bytes.count),
           XXH64.hash(sums) == stamp.checksum {
            pieces = lazy
        } else {
            let digests = XXH64.pieceDigests(parts: [body.bytes])
            guard XXH64.hash(digests) == stamp.checksum else { return nil }
            body.release(0..<body.bytes.count) // touched again as it is read
            pieces = PieceChecks(allCheckedOf: body.bytes.count)
            // Digests missing, or another checkpoint's (two views wrote at once): the next reader
            // of this one need not check it whole. A cache: not writing it is no failure.
            if checking == .asRead { try? writeWholeFile(checkpointSumsPath, digests) }
        }
        let checkpoint = Checkpoint(covers: stamp.head, body: body, pieces: pieces)
        checkedCheckpoint = (identity, format, checkpoint)
        return checkpoint
    }

    /// Replaces the checkpoint beside the log, atomically (a temporary file renamed over it),
    /// after the digests of its pieces. Returns false if it cannot be written — a read-only
    /// directory, a full disk: a cache is never worth failing a reader for.
    @discardableResult
    public func writeCheckpoint(format: String, covering head: Head, body pieces: [[UInt8]]) -> Bool {
        let digests = Self.withUnsafeBytes(of: pieces) { XXH64.pieceDigests(parts: $0) }
        let stamp = Stamp(format: format, head: head, length: pieces.reduce(0) { $0 + $1.count }, checksum: XXH64.hash(digests))
        do {
            // The digests first: a reader that finds them with the checkpoint before (theirs do not
            // match its stamp) checks that one whole.
            try writeWholeFile(checkpointSumsPath, digests)
            try writeWholeFile(checkpointPath, pieces: [Array((stamp.text + "\n").utf8)] + pieces)
        } catch { return false }
        return true
    }

    /// Calls `body` with every piece's bytes at once (each valid only during the call).
    private static func withUnsafeBytes<R>(of pieces: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        func nest(_ i: Int, _ opened: [UnsafeRawBufferPointer]) -> R {
            guard i < pieces.count else { return body(opened) }
            return pieces[i].withUnsafeBytes { nest(i + 1, opened + [$0]) }
        }
        return nest(0, [])
    }

    /// The checkpoint's first line:
    /// `outturn-checkpoint <format> seq=… end=… hash=… length=… sum=<XXH64 checksum of the body>`.
    struct Stamp {
        var format: String
        var head: Head
        var length: Int
        var checksum: UInt64

        init(format: String, head: Head, length: Int, checksum: UInt64) {
            (self.format, self.head, self.length, self.checksum) = (format, head, length, checksum)
        }

        var text: String {
            let sum = String(checksum, radix: 16)
            return "outturn-checkpoint \(format) seq=\(head.seq) end=\(head.end) hash=\(head.hash.hex) length=\(length) sum="
                + String(repeating: "0", count: 16 - sum.count) + sum
        }

        init?(_ text: String) {
            let words = text.split(separator: " ")
            guard words.count == 7, words[0] == "outturn-checkpoint" else { return nil }
            var fields: [Substring: Substring] = [:]
            for word in words[2...] {
                guard let equals = word.firstIndex(of: "=") else { return nil }
                fields[word[..<equals]] = word[word.index(after: equals)...]
            }
            guard let seq = fields["seq"].flatMap({ Int($0) }), let end = fields["end"].flatMap({ Int($0) }),
                  let length = fields["length"].flatMap({ Int($0) }), let hex = fields["hash"],
                  let hash = SHA256Digest(hex: String(hex)), let sum = fields["sum"], sum.count == 16,
                  let checksum = UInt64(sum, radix: 16), seq >= 0, end >= 0, length >= 0 else { return nil }
            self.init(format: String(words[1]), head: Head(seq: seq, hash: hash, recorded: nil, end: end), length: length, checksum: checksum)
        }
    }
}

/// Which pieces of a checkpoint's body have been checked against their digests. Shared by the
/// copies of a checkpoint (the log keeps the one it read), and safe to use from several threads.
final class PieceChecks: Sendable {
    private let digests: [UInt64]
    private let checked: Mutex<[Bool]>

    /// Lazily checked pieces, with `digests` as written beside the checkpoint; nil if they are
    /// not as many as a body of `bodyLength` bytes has pieces.
    init?(digests bytes: [UInt8], bodyLength: Int) {
        let count = Self.pieces(bodyLength)
        guard bytes.count == count * 8 else { return nil }
        digests = (0..<count).map { i in bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) } }
        checked = Mutex(Array(repeating: false, count: count))
    }

    /// A body checked whole already.
    init(allCheckedOf bodyLength: Int) {
        digests = []
        checked = Mutex(Array(repeating: true, count: Self.pieces(bodyLength)))
    }

    /// How many pieces a body of `length` bytes has (one, if it is empty), as ``XXH64/pieceDigests(parts:)`` cuts it.
    private static func pieces(_ length: Int) -> Int {
        max(1, (length + XXH64.checksumPiece - 1) / XXH64.checksumPiece)
    }

    func check(_ range: Range<Int>, of body: UnsafeRawBufferPointer, keepingPages: Bool) -> Bool {
        guard range.lowerBound >= 0, range.upperBound <= body.count else { return false }
        guard !range.isEmpty else { return true }
        let piece = XXH64.checksumPiece
        let wanted = (range.lowerBound / piece)...((range.upperBound - 1) / piece)
        let unchecked = checked.withLock { checked in wanted.filter { !checked[$0] } }
        guard !unchecked.isEmpty else { return true }
        // Outside the lock, on every core (two readers may both check a piece: no harm).
        nonisolated(unsafe) let body = body
        let digests = self.digests
        // (Pages are let go only from a check of more than 256 KiB: letting go costs a call into
        // the kernel and the processors' page tables, which a small read pays again in faults.)
        let releases = !keepingPages && unchecked.count > (256 << 10) / piece
        // (On this thread below 1 MiB a core: a view of one indicator checks a few hundred KB,
        // less than a hop to another thread costs.)
        let matches = concurrentMap(count: unchecked.count, minimumPerChunk: max(1, (1 << 20) / XXH64.checksumPiece)) { k in
            let i = unchecked[k]
            let bytes = UnsafeRawBufferPointer(rebasing: body[i * piece..<min(body.count, (i + 1) * piece)])
            MappedBytes.populate(bytes)
            defer { if releases { MappedBytes.release(bytes) } }
            return XXH64.hash(bytes) == digests[i]
        }
        guard !matches.contains(false) else { return false }
        checked.withLock { checked in for i in unchecked { checked[i] = true } }
        return true
    }
}
