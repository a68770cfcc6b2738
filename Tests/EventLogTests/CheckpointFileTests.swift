import Foundation
import Testing
@testable import EventLog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checkpoint file beside a log, read and written directly: its stamp names the format,
/// the last event it covers (seq, hash, where its line ends), the body's length and its
/// XXH64 checksum, and the log accepts it only if every one of those still holds. Replacing
/// it never disturbs a reader that has it mapped; failing to write it leaves nothing behind.
struct CheckpointFileTests {
    final class Scratch {
        let directory: String
        init() throws {
            directory = NSTemporaryDirectory() + "checkpoint-file-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
        func path(_ name: String) -> String { directory + "/" + name }
    }

    static let t0 = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    static func drafts(_ range: Range<Int>, tag: String = "a") -> [EventDraft] {
        range.map { n in
            EventDraft(id: "\(tag)-\(n)", known: CalendarDate(year: 2015, month: 6, day: 30), type: "outturn.recorded", source: "test",
                       actor: "test", data: JSONObject([("value", .number(JSONNumber(n))), ("tag", .string(tag))]))
        }
    }

    /// A log of `count` events; its path, the log and the offset just past each seq's line.
    static func log(_ scratch: Scratch, count: Int = 10, tag: String = "a", name: String = "l.jsonl") throws -> (String, Log, [Int]) {
        let path = scratch.path(name)
        try Log.create(at: path)
        let log = try Log(path: path)
        if count > 0 { _ = try log.append(drafts(0..<count, tag: tag), options: .init(now: t0)) }
        var ends = [0]
        try log.forEachRecord { _ in true }
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        for (i, byte) in bytes.enumerated() where byte == 0x0A { ends.append(i + 1) }
        #expect(ends.count == count + 1)
        return (path, log, ends)
    }

    /// A body with every byte value, newlines among them.
    static func body(_ length: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    /// The stamp's `sum=` value for `body`: ``XXH64/checksum(_:)``, 16 hex digits.
    static func sum(_ body: some Collection<UInt8>) -> String {
        let hex = String(Array(body).withUnsafeBytes { XXH64.checksum($0) }, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The checksum as documented for a body of one piece (64 KiB) or less, worked out without
    /// `checksum`: the XXH64 of the little-endian bytes of the body's XXH64.
    static func documentedSum(_ body: [UInt8]) -> String {
        precondition(body.count <= 1 << 16)
        var digest: [UInt8] = []
        withUnsafeBytes(of: XXH64.hash(body).littleEndian) { digest.append(contentsOf: $0) }
        let hex = String(XXH64.hash(digest), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func file(_ path: String) throws -> [UInt8] { try Array(Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    // MARK: - Round trip

    /// The body, cut into pieces in a few ways: whole, with empty pieces around it, in three
    /// uneven pieces, and one piece per byte (for short bodies).
    static func pieces(_ body: [UInt8], _ cut: Int) -> [[UInt8]] {
        switch cut {
        case 0: return [body]
        case 1: return [[], body, []]
        case 2:
            let (a, b) = (body.count / 3, body.count / 3 + body.count / 5)
            return [Array(body[..<a]), Array(body[a..<b]), Array(body[b...])]
        default: return body.count <= 600 ? body.map { [$0] } : [body]
        }
    }

    @Test(arguments: [0, 1, 511, 512, 513, 65_536], [0, 1, 2, 3])
    func aCheckpointReadsBackAsWritten(length: Int, cut: Int) throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        let end = try log.committedEnd()
        #expect(end == ends[10])
        let head = try log.head(upTo: end)
        let body = Self.body(length)
        #expect(log.checkpointPath == path + ".ckpt")
        #expect(log.writeCheckpoint(format: "test-1", covering: head, body: Self.pieces(body, cut)))

        // The stamp, as documented (its sum the checksum of the body), then the body, the pieces one after another.
        let file = try Self.file(path + ".ckpt")
        let newline = try #require(file.firstIndex(of: 0x0A))
        #expect(Self.sum(body) == Self.documentedSum(body))
        #expect(String(decoding: file[..<newline], as: UTF8.self)
                == "outturn-checkpoint test-1 seq=10 end=\(end) hash=\(head.hash.hex) length=\(length) sum=\(Self.documentedSum(body))")
        #expect(Array(file[(newline + 1)...]) == body)

        let read = try #require(log.readCheckpoint(format: "test-1", upTo: end))
        #expect(read.covers.seq == 10 && read.covers.hash == head.hash && read.covers.end == end)
        #expect(Array(read.body.bytes) == body)
        // A fresh log object reads it too.
        #expect(try Log(path: path).readCheckpoint(format: "test-1", upTo: end).map { Array($0.body.bytes) } == body)
    }

    @Test func aCheckpointOfAnEarlierEventStaysValidAsTheLogGrows() throws {
        let scratch = try Scratch()
        let (_, log, ends) = try Self.log(scratch)
        let head = try log.head(upTo: ends[4])
        #expect(head.seq == 4)
        #expect(log.writeCheckpoint(format: "f", covering: head, body: [[1, 2], [3]]))
        #expect(try log.readCheckpoint(format: "f", upTo: log.committedEnd())?.covers.seq == 4)
        _ = try log.append(Self.drafts(10..<20), options: .init(now: Self.t0))
        let read = try #require(try log.readCheckpoint(format: "f", upTo: log.committedEnd()))
        #expect(read.covers.seq == 4 && read.covers.end == ends[4] && Array(read.body.bytes) == [1, 2, 3])
        // Read up to exactly its end: still valid; up to one byte less: not.
        #expect(log.readCheckpoint(format: "f", upTo: ends[4]) != nil)
        #expect(log.readCheckpoint(format: "f", upTo: ends[4] - 1) == nil)
    }

    @Test func aCheckpointOfAnEmptyLogCoversNothing() throws {
        let scratch = try Scratch()
        let (_, log, _) = try Self.log(scratch, count: 0)
        let head = try log.head(upTo: log.committedEnd())
        #expect(head.seq == 0 && head.end == 0)
        #expect(log.writeCheckpoint(format: "f", covering: head, body: [[9]]))
        let read = try #require(log.readCheckpoint(format: "f", upTo: 0))
        #expect(read.covers.seq == 0 && Array(read.body.bytes) == [9])
    }

    /// The stamp is written before its checksum is known and the checksum filled in place: a
    /// checksum with leading zero digits must still be written as 16 digits and read back.
    @Test func everyChecksumIsStampedAsSixteenDigitsAndReadBack() throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        let head = try log.head(upTo: ends[10])
        var leadingZeros = 0
        for length in 0..<80 {
            let body = Self.body(length, seed: UInt8(length))
            #expect(log.writeCheckpoint(format: "f", covering: head, body: [body]))
            let file = try Self.file(path + ".ckpt")
            let line = String(decoding: file[..<file.firstIndex(of: 0x0A)!], as: UTF8.self)
            let sum = try #require(line.split(separator: " ").last)
            #expect(sum == "sum=\(Self.sum(body))" && sum.count == 20, "\(line)")
            if sum.hasPrefix("sum=0") { leadingZeros += 1 }
            #expect(log.readCheckpoint(format: "f", upTo: ends[10]).map { Array($0.body.bytes) } == body, "length \(length): \(line)")
        }
        #expect(leadingZeros > 0, "no checksum with a leading zero among 80: the case is not exercised")
    }

    // MARK: - Every mismatch is refused

    enum Mismatch: String, CaseIterable, Sendable {
        case missingFile, emptyFile, garbageFirstLine, noNewline, stampPastTheFirst512Bytes
        case otherFormat, formatPrefix, bodyOneByteLonger, bodyOneByteShorter, lengthNotANumber
        case seqOneMore, seqOneLess, negativeSeq, hashOfTheEventBefore, hashNotHex, hashFlipped
        case endOfTheLineBefore, endInsideALine, endPastTheLog, upToBeforeItsEnd, tornTail
        case extraField, missingField, misspelledWord, logReplacedByAnother, logCutAndRewritten
        // The checksum.
        case sumMissing, sumOneDigitFlipped, sumOfAnotherBody, sumNotHex, sumSeventeenDigits, sumFifteenDigits
        case bodyFirstByteFlipped, bodyMiddleByteFlipped, bodyLastByteFlipped, bodyBitFlippedInANewline
        case bodyReplacedBySameLength, bodyTwoBytesSwapped
    }

    /// The stamp's text with one field replaced.
    static func restamp(_ file: [UInt8], _ field: String, _ value: String) -> [UInt8] {
        let newline = file.firstIndex(of: 0x0A)!
        let words = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ").map { word in
            word.hasPrefix(field + "=") ? "\(field)=\(value)" : String(word)
        }
        return Array(words.joined(separator: " ").utf8) + file[newline...]
    }

    /// The stamp's text with one word left out.
    static func unstamp(_ file: [UInt8], _ field: String) -> [UInt8] {
        let newline = file.firstIndex(of: 0x0A)!
        let words = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ").filter { !$0.hasPrefix(field + "=") }
        return Array(words.joined(separator: " ").utf8) + file[newline...]
    }

    /// The file with the body's byte at `offset` (from the body's start) changed by `change`.
    static func editBody(_ file: [UInt8], at offset: Int, _ change: (inout UInt8) -> Void) -> [UInt8] {
        var file = file
        change(&file[file.firstIndex(of: 0x0A)! + 1 + offset])
        return file
    }

    @Test(arguments: Mismatch.allCases)
    func aCheckpointThatDoesNotMatchTheLogIsRefused(_ mismatch: Mismatch) throws {
        let scratch = try Scratch()
        let (path, original, ends) = try Self.log(scratch)
        var log = original
        let head = try log.head(upTo: ends[7])
        let body = Self.body(300)
        #expect(log.writeCheckpoint(format: "test-1", covering: head, body: [body]))
        #expect(log.readCheckpoint(format: "test-1", upTo: ends[10]) != nil, "the undamaged checkpoint should be read")
        let ckpt = path + ".ckpt"
        let file = try Self.file(ckpt)
        var format = "test-1"
        var upTo = ends[10]
        switch mismatch {
        case .missingFile: try FileManager.default.removeItem(atPath: ckpt)
        case .emptyFile: try Self.write([], to: ckpt)
        case .garbageFirstLine: try Self.write(Array("garbage\n".utf8) + Self.body(300), to: ckpt)
        case .noNewline: try Self.write(Array(file[..<file.firstIndex(of: 0x0A)!]), to: ckpt)
        case .stampPastTheFirst512Bytes:
            try Self.write(Array(file[..<file.firstIndex(of: 0x0A)!]) + Array(repeating: UInt8(ascii: " "), count: 600) + file[file.firstIndex(of: 0x0A)!...], to: ckpt)
        case .otherFormat: format = "test-2"
        case .formatPrefix: format = "test"
        case .bodyOneByteLonger: try Self.write(file + [0], to: ckpt)
        case .bodyOneByteShorter: try Self.write(Array(file.dropLast()), to: ckpt)
        case .lengthNotANumber: try Self.write(Self.restamp(file, "length", "300x"), to: ckpt)
        case .seqOneMore: try Self.write(Self.restamp(file, "seq", "8"), to: ckpt)
        case .seqOneLess: try Self.write(Self.restamp(file, "seq", "6"), to: ckpt)
        case .negativeSeq: try Self.write(Self.restamp(file, "seq", "-7"), to: ckpt)
        case .hashOfTheEventBefore: try Self.write(Self.restamp(file, "hash", try log.head(upTo: ends[6]).hash.hex), to: ckpt)
        case .hashNotHex: try Self.write(Self.restamp(file, "hash", String(repeating: "g", count: 64)), to: ckpt)
        case .hashFlipped:
            var hex = Array(head.hash.hex.utf8)
            hex[10] = hex[10] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            try Self.write(Self.restamp(file, "hash", String(decoding: hex, as: UTF8.self)), to: ckpt)
        case .endOfTheLineBefore: try Self.write(Self.restamp(file, "end", "\(ends[6])"), to: ckpt)
        case .endInsideALine: try Self.write(Self.restamp(file, "end", "\(ends[7] - 15)"), to: ckpt)
        case .endPastTheLog: try Self.write(Self.restamp(file, "end", "\(ends[10] + 100)"), to: ckpt)
        case .upToBeforeItsEnd: upTo = ends[6]
        case .tornTail:
            // The checkpoint claims an event whose line is not committed (no newline yet).
            let logBytes = try Self.file(path)
            try Self.write(Array(logBytes[..<(ends[10] - 1)]), to: path)
            log = try Log(path: path)
            let torn = try Log(path: path)
            #expect(try torn.committedEnd() == ends[9])
            try Self.write(Self.restamp(Self.restamp(file, "end", "\(ends[10])"), "seq", "10"), to: ckpt)
            upTo = try torn.committedEnd()
        case .extraField: try Self.write(Array("outturn-checkpoint test-1 seq=7 end=\(ends[7]) hash=\(head.hash.hex) length=300 sum=\(Self.sum(body)) x=1".utf8) + file[file.firstIndex(of: 0x0A)!...], to: ckpt)
        case .missingField: try Self.write(Self.unstamp(file, "hash"), to: ckpt)
        case .misspelledWord: try Self.write(Array("outturn-checkpiont test-1 seq=7 end=\(ends[7]) hash=\(head.hash.hex) length=300 sum=\(Self.sum(body))".utf8) + file[file.firstIndex(of: 0x0A)!...], to: ckpt)
        case .sumMissing: try Self.write(Self.unstamp(file, "sum"), to: ckpt)
        case .sumOneDigitFlipped:
            var hex = Array(Self.sum(body).utf8)
            hex[15] = hex[15] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            try Self.write(Self.restamp(file, "sum", String(decoding: hex, as: UTF8.self)), to: ckpt)
        case .sumOfAnotherBody: try Self.write(Self.restamp(file, "sum", Self.sum(Self.body(300, seed: 1))), to: ckpt)
        case .sumNotHex: try Self.write(Self.restamp(file, "sum", String(repeating: "g", count: 16)), to: ckpt)
        case .sumSeventeenDigits: try Self.write(Self.restamp(file, "sum", "0" + Self.sum(body)), to: ckpt)
        case .sumFifteenDigits: try Self.write(Self.restamp(file, "sum", String(Self.sum(body).dropFirst())), to: ckpt)
        case .bodyFirstByteFlipped: try Self.write(Self.editBody(file, at: 0) { $0 ^= 0x01 }, to: ckpt)
        case .bodyMiddleByteFlipped: try Self.write(Self.editBody(file, at: 150) { $0 ^= 0x80 }, to: ckpt)
        case .bodyLastByteFlipped: try Self.write(Self.editBody(file, at: 299) { $0 ^= 0x10 }, to: ckpt)
        case .bodyBitFlippedInANewline:
            let at = try #require(body.firstIndex(of: 0x0A))
            try Self.write(Self.editBody(file, at: at) { $0 ^= 0x01 }, to: ckpt)
        case .bodyReplacedBySameLength:
            let newline = file.firstIndex(of: 0x0A)!
            try Self.write(Array(file[...newline]) + Self.body(300, seed: 1), to: ckpt)
        case .bodyTwoBytesSwapped:
            var swapped = file
            let start = file.firstIndex(of: 0x0A)! + 1
            #expect(swapped[start + 10] != swapped[start + 11])
            swapped.swapAt(start + 10, start + 11)
            try Self.write(swapped, to: ckpt)
        case .logReplacedByAnother:
            // Another log of as many events, in the same place (restored from elsewhere).
            let other = try Scratch()
            let (otherPath, _, otherEnds) = try Self.log(other, tag: "b")
            #expect(otherEnds[7] == ends[7])
            try Self.write(try Self.file(otherPath), to: path)
            log = try Log(path: path)
        case .logCutAndRewritten:
            // Cut back to seq 5, then five other events appended: seq 7 is another event now.
            let logBytes = try Self.file(path)
            try Self.write(Array(logBytes[..<ends[5]]), to: path)
            log = try Log(path: path)
            _ = try log.append(Self.drafts(5..<10, tag: "c"), options: .init(now: Self.t0))
            upTo = try log.committedEnd()
        }
        #expect(log.readCheckpoint(format: format, upTo: upTo) == nil, "\(mismatch): the log should refuse the checkpoint")
        // And a checkpoint written over it afresh is read again.
        if mismatch != .tornTail, mismatch != .upToBeforeItsEnd {
            let head = try log.head(upTo: log.committedEnd())
            #expect(log.writeCheckpoint(format: "test-1", covering: head, body: [[1]]))
            #expect(try log.readCheckpoint(format: "test-1", upTo: log.committedEnd()).map { Array($0.body.bytes) } == [1])
        }
    }

    /// The log checks nothing else of the body: a body edited with its checksum worked out
    /// again is accepted as the caller's bytes (what a caller's own checks are for).
    @Test func aBodyEditedWithItsChecksumWorkedOutAgainIsAccepted() throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        let body = Self.body(300)
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[7]), body: [body]))
        var edited = body
        edited[150] ^= 0x80
        let file = Self.editBody(try Self.file(path + ".ckpt"), at: 150) { $0 ^= 0x80 }
        try Self.write(file, to: path + ".ckpt")
        #expect(log.readCheckpoint(format: "f", upTo: ends[10]) == nil, "the edit without its checksum should be refused")
        try Self.write(Self.restamp(file, "sum", Self.sum(edited)), to: path + ".ckpt")
        #expect(log.readCheckpoint(format: "f", upTo: ends[10]).map { Array($0.body.bytes) } == edited)
    }

    // MARK: - Replaced while mapped

    @Test func aMappedCheckpointKeepsItsBytesWhenAnotherIsRenamedOverIt() throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        let a = Self.body(1 << 20, seed: 1), b = Self.body(1 << 16, seed: 2), c = Self.body(3 << 20, seed: 3)
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[5]), body: [a]))
        let first = try #require(log.readCheckpoint(format: "f", upTo: ends[10]))
        let inode = try FileManager.default.attributesOfItem(atPath: path + ".ckpt")[.systemFileNumber] as? NSNumber

        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[8]), body: [b]))
        #expect(try FileManager.default.attributesOfItem(atPath: path + ".ckpt")[.systemFileNumber] as? NSNumber != inode,
                "the checkpoint should be replaced by a rename, not rewritten in place")
        let second = try #require(log.readCheckpoint(format: "f", upTo: ends[10]))
        #expect(second.covers.seq == 8 && Array(second.body.bytes) == b)
        #expect(first.covers.seq == 5)
        #expect(Array(first.body.bytes) == a, "the old mapping changed under its reader")

        // Replaced again, then removed: both earlier readers still read what they mapped.
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[10]), body: [c]))
        try FileManager.default.removeItem(atPath: path + ".ckpt")
        #expect(Array(first.body.bytes) == a)
        #expect(Array(second.body.bytes) == b)
        #expect(log.readCheckpoint(format: "f", upTo: ends[10]) == nil)

        // A body view outlives the checkpoint value it came from.
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[10]), body: [c]))
        var body: MappedBytes? = log.readCheckpoint(format: "f", upTo: ends[10])?.body
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[10]), body: [a]))
        #expect(body.map { Array($0.bytes) } == c)
        body = nil
        #expect(log.readCheckpoint(format: "f", upTo: ends[10]).map { Array($0.body.bytes) } == a)
    }

    @Test func mappedBytesMapsAWholeFileOrPartOfIt() throws {
        let scratch = try Scratch()
        let path = scratch.path("m")
        let bytes = Self.body(70_000)
        try Self.write(bytes, to: path)
        let mapped = try #require(MappedBytes(path: path))
        #expect(Array(mapped.bytes) == bytes)
        #expect(Array(mapped.dropping(69_999).bytes) == [bytes[69_999]])
        #expect(mapped.dropping(70_000).bytes.isEmpty)
        let skipped = try #require(MappedBytes(path: path, skipping: 12))
        #expect(Array(skipped.bytes) == Array(bytes[12...]))
        #expect(MappedBytes(path: path, skipping: 70_001) == nil)
        try Self.write([], to: path)
        #expect(try #require(MappedBytes(path: path)).bytes.isEmpty)
        #expect(MappedBytes(path: scratch.path("none")) == nil)
    }

    // MARK: - A checkpoint that cannot be written

    /// A checkpoint is a cache: when it cannot be written the writer says so and carries on.
    @Test func aCheckpointThatCannotBeWrittenReturnsFalseAndReadsAsNone() throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        // A directory where the checkpoint would go: the rename over it fails.
        try FileManager.default.createDirectory(atPath: path + ".ckpt", withIntermediateDirectories: false)
        #expect(!log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[10]), body: [Self.body(1000)]))
        #expect(log.readCheckpoint(format: "f", upTo: ends[10]) == nil)
    }

    /// ... and leaves nothing behind (a failed write to a full disk would otherwise leave a
    /// temporary file, a new one for every process that tries).
    @Test func aCheckpointThatCannotBeWrittenLeavesNoTemporaryFile() throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        try FileManager.default.createDirectory(atPath: path + ".ckpt", withIntermediateDirectories: false)
        _ = log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[10]), body: [Self.body(1000)])
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.contains(".tmp") }
        #expect(left.isEmpty, "left beside the log: \(left)")
    }

    /// Fails a write part-way through its body (the file-size limit stands in for a full
    /// disk), in this process: for an exit test. Says on standard error (and exits 0, so that
    /// the test can show it) if the write did not return false, left a temporary file, or
    /// disturbed the checkpoint there.
    static func failAWritePartWay(in directory: String) throws {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(0)
        }
        let path = directory + "/l.jsonl"
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append(drafts(0..<10), options: .init(now: t0))
        let end = try log.committedEnd()
        let old = body(1000, seed: 5)
        guard log.writeCheckpoint(format: "f", covering: try log.head(upTo: end), body: [old]) else { fail("the first write failed") }
        signal(SIGXFSZ, SIG_IGN)
        #if canImport(Glibc)
        let fileSize = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
        #else
        let fileSize = RLIMIT_FSIZE
        #endif
        var limit = rlimit()
        guard getrlimit(fileSize, &limit) == 0 else { fail("getrlimit") }
        limit.rlim_cur = 64 << 10
        guard setrlimit(fileSize, &limit) == 0 else { fail("setrlimit") }
        let written = log.writeCheckpoint(format: "f", covering: try log.head(upTo: end),
                                          body: [body(40 << 10, seed: 6), body(40 << 10, seed: 7)])
        let left = (try? FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp") }) ?? ["?"]
        let read = log.readCheckpoint(format: "f", upTo: end).map { Array($0.body.bytes) }
        var problems: [String] = []
        if written { problems.append("the write past the file-size limit returned true") }
        if !left.isEmpty { problems.append("left beside the log: \(left)") }
        if read != old { problems.append("the checkpoint there was \(read == nil ? "lost" : "changed")") }
        if !problems.isEmpty { fail(problems.joined(separator: "; ")) }
    }

    /// A write that fails part-way (a full disk) returns false, removes its temporary file
    /// and leaves the checkpoint that was there as it was.
    @Test func aWriteThatFailsPartWayLeavesNoTemporaryFileAndTheOldCheckpoint() async throws {
        let scratch = try Scratch()
        let directory = scratch.directory
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [directory = directory as String] in
            try CheckpointFileTests.failAWritePartWay(in: directory)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.isEmpty, "\(stderr)")
        withExtendedLifetime(scratch) {}
    }

    // MARK: - Checked as it is read

    /// A body of a little over three pieces, a byte flipped in its third piece, with the digests
    /// written beside it as they were: read `asRead`, only the pieces asked about are checked.
    static func flippedInThePiece(_ scratch: Scratch) throws -> (String, Log, Int) {
        let (path, log, ends) = try Self.log(scratch)
        let piece = XXH64.checksumPiece
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[7]), body: [Self.body(piece * 3 + 100)]))
        #expect(FileManager.default.fileExists(atPath: path + ".ckpt.sums"))
        try Self.write(Self.editBody(try Self.file(path + ".ckpt"), at: piece * 2 + 17) { $0 ^= 0x04 }, to: path + ".ckpt")
        return (path, log, ends[10])
    }

    @Test func readAsItIsReadOnlyThePiecesAskedAboutAreChecked() throws {
        let scratch = try Scratch()
        let (path, _, end) = try Self.flippedInThePiece(scratch)
        let piece = XXH64.checksumPiece
        // The digests beside it hash to the stamp's checksum.
        let sums = try Self.file(path + ".ckpt.sums")
        let line = String(decoding: try Self.file(path + ".ckpt").prefix { $0 != 0x0A }, as: UTF8.self)
        #expect(sums.count == 4 * 8 && line.hasSuffix("sum=" + String(repeating: "0", count: 16 - String(XXH64.hash(sums), radix: 16).count) + String(XXH64.hash(sums), radix: 16)))

        let lazy = try #require(try Log(path: path).readCheckpoint(format: "f", upTo: end, checking: .asRead))
        #expect(lazy.check(0..<piece * 2))
        #expect(lazy.check(piece * 3..<piece * 3 + 100))
        #expect(!lazy.check(piece * 2 + 17..<piece * 2 + 18), "the flipped byte's piece")
        #expect(!lazy.check(0..<piece * 3 + 100))
        #expect(!lazy.check(piece..<piece * 3 + 101), "past the body")
        #expect(lazy.check(5..<5))
        // Read whole, it is refused; and so when the same log read it lazily first.
        #expect(try Log(path: path).readCheckpoint(format: "f", upTo: end) == nil)
        let log = try Log(path: path)
        #expect(log.readCheckpoint(format: "f", upTo: end, checking: .asRead) != nil)
        #expect(log.readCheckpoint(format: "f", upTo: end) == nil)
    }

    enum Sums: String, CaseIterable, Sendable { case missing, empty, oneDigestFlipped, oneDigestMore, ofTheCheckpointBefore }

    /// Digests that do not hash to the stamp's checksum (or are not as many as the body has
    /// pieces) are not used: the body is checked whole, as if read with `whole`.
    @Test(arguments: Sums.allCases)
    func digestsThatDoNotMatchTheStampAreNotUsed(_ damage: Sums) throws {
        let scratch = try Scratch()
        let (path, log, end) = try Self.flippedInThePiece(scratch)
        let sumsPath = path + ".ckpt.sums"
        var sums = try Self.file(sumsPath)
        switch damage {
        case .missing: try FileManager.default.removeItem(atPath: sumsPath)
        case .empty: try Self.write([], to: sumsPath)
        case .oneDigestFlipped: sums[20] ^= 1; try Self.write(sums, to: sumsPath)
        case .oneDigestMore: try Self.write(sums + sums.prefix(8), to: sumsPath)
        case .ofTheCheckpointBefore:
            // A checkpoint written, then another renamed over it, and the first one's digests put back.
            let first = try Self.file(sumsPath)
            #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: end), body: [Self.body(XXH64.checksumPiece * 3 + 100, seed: 9)]))
            let file = try Self.file(path + ".ckpt")
            try Self.write(Self.editBody(file, at: XXH64.checksumPiece * 2 + 17) { $0 ^= 0x04 }, to: path + ".ckpt")
            try Self.write(first, to: sumsPath)
        }
        #expect(try Log(path: path).readCheckpoint(format: "f", upTo: end, checking: .asRead) == nil, "\(damage)")
    }

    /// Digests missing or of another checkpoint (two writers at once) are written again by the
    /// first reader that checks the checkpoint whole, so the next one checks only what it reads.
    @Test(arguments: [Sums.missing, .oneDigestFlipped])
    func aReaderThatChecksACheckpointWholeWritesItsDigests(_ damage: Sums) throws {
        let scratch = try Scratch()
        let (path, log, ends) = try Self.log(scratch)
        let piece = XXH64.checksumPiece
        #expect(log.writeCheckpoint(format: "f", covering: try log.head(upTo: ends[7]), body: [Self.body(piece * 2 + 100)]))
        let good = try Self.file(path + ".ckpt.sums")
        if damage == .missing { try FileManager.default.removeItem(atPath: path + ".ckpt.sums") } else {
            var sums = good
            sums[3] ^= 1
            try Self.write(sums, to: path + ".ckpt.sums")
        }
        #expect(try Log(path: path).readCheckpoint(format: "f", upTo: ends[10], checking: .asRead) != nil)
        #expect(try Self.file(path + ".ckpt.sums") == good, "\(damage)")
        // Read with `whole`, nothing is written.
        try FileManager.default.removeItem(atPath: path + ".ckpt.sums")
        #expect(try Log(path: path).readCheckpoint(format: "f", upTo: ends[10]) != nil)
        #expect(!FileManager.default.fileExists(atPath: path + ".ckpt.sums"))
    }
}
