#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        /// The caller's bytes, mapped from the file (see ``MappedBytes``).
        public var body: MappedBytes
    }

    public var checkpointPath: String { path + ".ckpt" }

    /// The checkpoint beside the log, if it is in `format` and covers a prefix of the log's
    /// committed lines up to `end`; nil otherwise.
    public func readCheckpoint(format: String, upTo end: Int) -> Checkpoint? {
        guard let identity = FileSystem.identity(of: checkpointPath) else { return nil }
        // The same file as last time: checked then, and the log's committed lines never change.
        if let checked = checkedCheckpoint, checked.file == identity, checked.format == format {
            return checked.checkpoint.covers.end <= end ? checked.checkpoint : nil
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
        guard XXH64.checksum(body.bytes) == stamp.checksum else { return nil }
        let checkpoint = Checkpoint(covers: stamp.head, body: body)
        checkedCheckpoint = (identity, format, checkpoint)
        return checkpoint
    }

    /// Replaces the checkpoint beside the log, atomically (a temporary file renamed over it).
    /// Returns false if it cannot be written — a read-only directory, a full disk: a cache is
    /// never worth failing a reader for.
    @discardableResult
    public func writeCheckpoint(format: String, covering head: Head, body pieces: [[UInt8]]) -> Bool {
        let checksum = Self.withUnsafeBytes(of: pieces) { XXH64.checksum(parts: $0) }
        let stamp = Stamp(format: format, head: head, length: pieces.reduce(0) { $0 + $1.count }, checksum: checksum)
        do { try writeWholeFile(checkpointPath, pieces: [Array((stamp.text + "\n").utf8)] + pieces) } catch { return false }
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
