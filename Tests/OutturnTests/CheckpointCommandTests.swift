import Foundation
import Testing

/// Checkpoints end to end, through the built `outturn`: a view of a ledger of 12,000 events is
/// byte for byte the same with checkpoints (the default: one is written once 10,000 events have
/// no checkpoint) and without (`OUTTURN_CHECKPOINT_EVERY=0`, which neither reads nor writes one),
/// before and after more events are appended, and whatever has happened to the `.ckpt` file
/// (whose stamp carries the body's XXH64 checksum, checked here independently).
struct CheckpointCommandTests {
    /// The views compared, each as CSV. Each replays the whole ledger; the rows shown are one
    /// partnership's of the 32 (printing every row takes most of a debug build's time).
    static let views: [[String]] = [
        ["status", "--as-of", "2009-05-31", "--partnership", "borough-1"],
        ["replay", "--board", "borough-2-board", "--partnership", "borough-2"],
        ["progress", "--partnership", "borough-1"],
        ["actions", "--partnership", "borough-3"],
    ]
    static let off = ["OUTTURN_CHECKPOINT_EVERY": "0"]
    /// Crashes are expected in some tests: no backtrace (it only takes time).
    static let quiet = ["SWIFT_BACKTRACE": "enable=no"]

    /// A generated ledger of 12,000 events in `dir`.
    static func generate(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.path("london.jsonl")
        let r = try CLI.run(["generate", "--ledger", path, "--events", "12000"], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path + ".ckpt"), "generate should not write a checkpoint")
        return path
    }

    /// Runs every view at once (each its own process) and collects the results in order.
    static func run(_ views: [[String]], ledger: String, environment: [String: String] = [:], in dir: TemporaryDirectory) throws -> [CLI.Result] {
        let started = try views.map { try CLI.start($0 + ["--ledger", ledger, "--format", "csv"], environment: quiet.merging(environment) { $1 }, in: dir.url) }
        return try started.map { try CLI.finish($0) }
    }

    static func expectSame(_ a: [CLI.Result], _ b: [CLI.Result], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (view, (x, y)) in zip(views, zip(a, b)) {
            #expect(x.status == 0 && y.status == 0, "\(label), \(view): exit \(x.status) / \(y.status): \(x.stderr.prefix(300)) / \(y.stderr.prefix(300))", sourceLocation: sourceLocation)
            #expect(x.stdout == y.stdout, "\(label), \(view): the output differs", sourceLocation: sourceLocation)
            #expect(x.stderr == y.stderr, "\(label), \(view): standard error differs: \(x.stderr.prefix(300)) / \(y.stderr.prefix(300))", sourceLocation: sourceLocation)
        }
    }

    /// A generated ledger, `views`' answers without checkpoints, and the checkpoint a view
    /// then writes: what the damage tests start from.
    static func ledgerWithCheckpoint(_ dir: TemporaryDirectory, views: (String) throws -> [[String]])
        throws -> (ledger: String, views: [[String]], without: [CLI.Result], good: [UInt8]) {
        let ledger = try generate(dir)
        let views = try views(ledger)
        let without = try run(views, ledger: ledger, environment: off, in: dir)
        _ = try run(views, ledger: ledger, in: dir)
        return (ledger, views, without, try checkpointFile(ledger))
    }

    static func checkpointFile(_ ledger: String) throws -> [UInt8] {
        try Array(Data(contentsOf: URL(fileURLWithPath: ledger + ".ckpt")))
    }

    /// The stamp line and whether the body's length is the stamped one.
    static func stamp(_ ledger: String) throws -> (line: String, lengthMatches: Bool) {
        let file = try checkpointFile(ledger)
        let newline = try #require(file.firstIndex(of: 0x0A))
        let line = String(decoding: file[..<newline], as: UTF8.self)
        let length = line.split(separator: " ").first { $0.hasPrefix("length=") }.flatMap { Int($0.dropFirst(7)) }
        return (line, length == file.count - newline - 1)
    }

    /// The stamp's `sum=` value for a body: its XXH64 checksum (worked out here, independently
    /// of the package), 16 hex digits.
    static func sum(_ body: some Collection<UInt8>) -> String {
        let hex = String(ReferenceXXH64.checksum(Array(body)), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A checkpoint beside `ledger`, in the current format, covering `seq`, whose body is the
    /// stamped length and has the stamped checksum.
    static func expectWholeCheckpoint(_ ledger: String, seq: Int, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (line, lengthMatches) = try stamp(ledger)
        let words = line.split(separator: " ")
        #expect(line.hasPrefix("outturn-checkpoint ledger-state-13 seq=\(seq) end=") && words.count == 7, "\(label): \(line)", sourceLocation: sourceLocation)
        #expect(lengthMatches, "\(label): the body is not the stamped length", sourceLocation: sourceLocation)
        let file = try checkpointFile(ledger)
        let body = file[(file.firstIndex(of: 0x0A)! + 1)...]
        #expect(words.last.map(String.init) == "sum=" + sum(body), "\(label): the stamped checksum is not the body's: \(line)", sourceLocation: sourceLocation)
    }

    /// The checkpoint file with its stamp's checksum worked out again for the body it has now.
    static func resummed(_ file: [UInt8]) -> [UInt8] {
        let newline = file.firstIndex(of: 0x0A)!
        var words = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        words[words.count - 1] = "sum=" + sum(file[(newline + 1)...])
        return Array(words.joined(separator: " ").utf8) + file[newline...]
    }

    static func inode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }

    static func int64(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    /// Offsets in the checkpoint file (see `StateCheckpoint`'s layout: a table of seven
    /// sections' counts and byte lengths, then the sections — events of unknown types, strings,
    /// outturns, …): the body's start, the strings' count, and the record of the last outturn in
    /// seq order (the records are sorted by area, indicator and period; each starts with its seq).
    static func layout(_ file: [UInt8]) throws -> (body: Int, stringCount: Int, lastOutturn: Int) {
        let body = try #require(file.firstIndex(of: 0x0A)) + 1
        let (strings, outturns) = (body + 16, body + 32) // their table entries
        let outturnsStart = body + 7 * 16 + int64(file, at: body + 8) + int64(file, at: strings + 8)
        let count = int64(file, at: outturns)
        #expect(count > 0 && int64(file, at: outturns + 8) == count * 64)
        let records = (0..<count).map { outturnsStart + 64 * $0 }
        let last = try #require(records.max { int64(file, at: $0) < int64(file, at: $1) })
        return (body, strings, last)
    }

    // MARK: -

    @Test func viewsAreTheSameWithAndWithoutCheckpoints() throws {
        let dir = try TemporaryDirectory()
        let ledger = try Self.generate(dir)

        let without = try Self.run(Self.views, ledger: ledger, environment: Self.off, in: dir)
        #expect(!FileManager.default.fileExists(atPath: ledger + ".ckpt"), "OUTTURN_CHECKPOINT_EVERY=0 wrote a checkpoint")
        #expect(without.allSatisfy { $0.status == 0 && $0.stdout.count > 200 }, "\(without.map(\.stderr))")

        // The first view with the default writes one, covering all 12,000 events.
        let first = try Self.run([Self.views[0]], ledger: ledger, in: dir)
        #expect(first.first?.stdout == without.first?.stdout)
        try Self.expectWholeCheckpoint(ledger, seq: 12_000, "after the first view")
        let inode = try Self.inode(ledger + ".ckpt")

        // Every view reads it, and answers as without it; none rewrites it.
        let with = try Self.run(Array(Self.views.dropFirst()), ledger: ledger, in: dir)
        Self.expectSame(first + with, without, "with a checkpoint at the head")
        #expect(try Self.inode(ledger + ".ckpt") == inode, "a view rewrote a checkpoint that is up to date")

        // Events after the checkpoint — a revision, and a retraction of an outturn it covers — are read after it.
        let lines = try Events.lines(ofFile: ledger)
        let target = try #require(lines.last { $0.contains(#""known":"2009-05-20","type":"outturn.recorded""#)
            && $0.contains(#""partnership":"borough-1","indicator":"MOPAC7."#) })
        func field(_ name: String, in text: String) -> String? {
            guard let start = text.range(of: "\"\(name)\":\"")?.upperBound, let end = text[start...].firstIndex(of: "\"") else { return nil }
            return String(text[start..<end])
        }
        let (id, indicator, period) = (try #require(field("id", in: target)), try #require(field("indicator", in: target)), try #require(field("period", in: target)))
        let more = """
            {"type":"event.retracted","data":{"event":"\(id)","reason":"keyed twice"}}
            {"type":"outturn.recorded","data":{"partnership":"borough-1","indicator":"\(indicator)","period":"\(period)","value":12345,"status":"final"}}
            """
        let appended = try CLI.run(["append", "--ledger", ledger, "--known", "2009-05-25"], stdin: more, in: dir.url)
        #expect(appended.status == 0, "\(appended.stderr)")
        let after = Array(Self.views.prefix(2))
        let withoutAfter = try Self.run(after, ledger: ledger, environment: Self.off, in: dir)
        let withAfter = try Self.run(after, ledger: ledger, in: dir)
        Self.expectSame(withAfter, withoutAfter, "with a checkpoint two events behind")
        #expect(withoutAfter[0].stdout != without[0].stdout, "the appended events should change the status as of 2009-05-31")
        #expect(withoutAfter[0].stdout.contains("12,345") || withoutAfter[0].stdout.contains("12345"))
        // Two events are fewer than 10,000: the checkpoint stays as it was.
        try Self.expectWholeCheckpoint(ledger, seq: 12_000, "after the append")
        #expect(try Self.inode(ledger + ".ckpt") == inode)
    }

    @Test func aDamagedCheckpointChangesNothingAndIsRebuilt() throws {
        let dir = try TemporaryDirectory()
        let (ledger, views, without, good) = try Self.ledgerWithCheckpoint(dir) { _ in [Self.views[0]] }
        let newline = try #require(good.firstIndex(of: 0x0A))
        let stamp = String(decoding: good[..<newline], as: UTF8.self)
        let hash = try #require(stamp.split(separator: " ").first { $0.hasPrefix("hash=") })
        let length = good.count - newline - 1
        let sum = try #require(stamp.split(separator: " ").last { $0.hasPrefix("sum=") })
        // (A byte the view reads: each part is checked only as it is read, and every view reads the strings.)
        var flipped = good
        flipped[newline + 1 + 7 * 16 + 6] ^= 0x04
        let damages: [(String, [UInt8])] = [
            ("garbage first line", Array("garbage\n".utf8) + good[(newline + 1)...]),
            ("cut in half", Array(good[..<(good.count / 2)])),
            ("empty", []),
            ("a stamp with another hash", Array(stamp.replacingOccurrences(of: hash, with: "hash=" + String(repeating: "0", count: 64)).utf8) + good[newline...]),
            ("a stamp without its checksum", Array(stamp.replacingOccurrences(of: " " + sum, with: "").utf8) + good[newline...]),
            ("a trailing byte in the body", Array(stamp.replacingOccurrences(of: "length=\(length)", with: "length=\(length + 1)").utf8) + good[newline...] + [0]),
            ("a flipped byte in the body's strings", flipped),
        ]
        for (what, bytes) in damages {
            try Data(bytes).write(to: URL(fileURLWithPath: ledger + ".ckpt"))
            let with = try Self.run(views, ledger: ledger, in: dir)
            Self.expectSame(with, Array(without), "a checkpoint \(what)")
            try Self.expectWholeCheckpoint(ledger, seq: 12_000, "rebuilt after a checkpoint \(what)")
            #expect(try Self.checkpointFile(ledger) == good, "rebuilt after a checkpoint \(what): not the checkpoint first written")
        }
    }

    /// `OUTTURN_CHECKPOINT_EVERY=0` neither writes a checkpoint nor reads one (here, one whose
    /// body reads well, checksum and all, but says something else: one outturn's value); N
    /// writes one once N events have none.
    @Test func checkpointsOffNeitherWritesNorReadsOneAndTheIntervalIsHonoured() throws {
        let dir = try TemporaryDirectory()
        let ledger = try Self.generate(dir)
        let view = try Self.lastOutturnsStatus(ledger)
        let without = try Self.run([view], ledger: ledger, environment: Self.off, in: dir)
        #expect(!FileManager.default.fileExists(atPath: ledger + ".ckpt"), "OUTTURN_CHECKPOINT_EVERY=0 wrote a checkpoint")
        _ = try Self.run([view], ledger: ledger, environment: ["OUTTURN_CHECKPOINT_EVERY": "20000"], in: dir)
        #expect(!FileManager.default.fileExists(atPath: ledger + ".ckpt"), "12,000 events are fewer than 20,000")
        _ = try Self.run([view], ledger: ledger, environment: ["OUTTURN_CHECKPOINT_EVERY": "5000"], in: dir)
        try Self.expectWholeCheckpoint(ledger, seq: 12_000, "OUTTURN_CHECKPOINT_EVERY=5000")

        var file = try Self.checkpointFile(ledger)
        file[try Self.layout(file).lastOutturn + 46] ^= 0x10
        file = Self.resummed(file)
        try Data(file).write(to: URL(fileURLWithPath: ledger + ".ckpt"))
        let off = try Self.run([view], ledger: ledger, environment: Self.off, in: dir)
        #expect(off[0].status == 0 && off[0].stdout == without[0].stdout, "OUTTURN_CHECKPOINT_EVERY=0 read the checkpoint")
        #expect(try Self.checkpointFile(ledger) == file, "OUTTURN_CHECKPOINT_EVERY=0 touched the checkpoint")
        // A view that reads checkpoints reads this one, and answers otherwise (else the above proves nothing).
        let on = try Self.run([view], ledger: ledger, in: dir)
        #expect(on[0].status == 0 && on[0].stdout != without[0].stdout, "the edited checkpoint changes no answer: the test cannot tell whether it is read")
    }

    /// `status` now for the partnership of the ledger's last outturn (see `layout`'s `lastOutturn`).
    static func lastOutturnsStatus(_ ledger: String) throws -> [String] {
        let last = try #require(try Events.lines(ofFile: ledger).last { $0.contains(#""type":"outturn.recorded""#) })
        let start = try #require(last.range(of: #""partnership":""#)?.upperBound)
        let partnership = String(last[start...].prefix { $0 != "\"" })
        return ["status", "--partnership", partnership]
    }

    // MARK: - Damage in the body

    /// One flipped byte in the body — here the top byte of the strings' count — must neither
    /// crash a view nor change it, whether the stamp's checksum gives it away or (worked out
    /// again over the damaged body) does not; and the view replaces it with a good one.
    @Test(arguments: [false, true])
    func aCheckpointWithAFlippedCountDoesNotCrashAView(checksumWorkedOutAgain: Bool) throws {
        let dir = try TemporaryDirectory()
        let (ledger, views, without, good) = try Self.ledgerWithCheckpoint(dir) { _ in [Self.views[0]] }
        var file = good
        file[try Self.layout(file).stringCount + 7] ^= 0x01
        if checksumWorkedOutAgain { file = Self.resummed(file) }
        try Data(file).write(to: URL(fileURLWithPath: ledger + ".ckpt"))
        let first = try Self.run(views, ledger: ledger, in: dir)
        #expect(first[0].status == 0, "the view exited \(first[0].status): \(first[0].stderr.prefix(200))")
        #expect(first[0].stdout == without[0].stdout)
        #expect(try Self.checkpointFile(ledger) == good, "the damaged checkpoint should be replaced by the one first written")
        let second = try Self.run(views, ledger: ledger, in: dir)
        #expect(second[0].status == 0 && second[0].stdout == without[0].stdout, "the next view: exit \(second[0].status)")
    }

    /// One flipped byte inside an outturn's value leaves the body well-formed: the checksum
    /// must give it away, so a view still answers as the log does.
    @Test func aCheckpointWithAFlippedValueDoesNotChangeAView() throws {
        let dir = try TemporaryDirectory()
        let (ledger, views, without, good) = try Self.ledgerWithCheckpoint(dir) { [try Self.lastOutturnsStatus($0)] }
        var file = good
        file[try Self.layout(file).lastOutturn + 46] ^= 0x10
        try Data(file).write(to: URL(fileURLWithPath: ledger + ".ckpt"))
        let with = try Self.run(views, ledger: ledger, in: dir)
        #expect(with[0].status == 0)
        #expect(with[0].stdout == without[0].stdout, "a checkpoint with one flipped byte changed `outturn status`")
        #expect(try Self.checkpointFile(ledger) == good, "the damaged checkpoint should be replaced by the one first written")
    }

    /// `outturn audit` replays auditing, which never reads the checkpoint; with one up to date
    /// beside the log it must not rebuild and rewrite it either (the policy writes only when
    /// 10,000 events follow the one there).
    @Test func anAuditDoesNotRewriteACheckpointThatIsUpToDate() throws {
        let dir = try TemporaryDirectory()
        let ledger = try Self.generate(dir)
        _ = try Self.run([Self.views[0]], ledger: ledger, in: dir)
        let inode = try Self.inode(ledger + ".ckpt")
        let arguments = ["audit", "--ledger", ledger, "--indicator", "MOPAC7.vwi", "--format", "csv"]
        let audit = try CLI.run(arguments, in: dir.url)
        #expect(audit.status == 0)
        #expect(audit.stdout == (try CLI.run(arguments, environment: Self.off, in: dir.url)).stdout)
        #expect(try Self.inode(ledger + ".ckpt") == inode, "`outturn audit` rewrote a checkpoint 0 events behind the head")
    }

    // MARK: - Generating small ledgers

    /// `generate` with fewer than 21 indicators (12, the least it takes, leaves 10 with
    /// outturns) must not index past them: every seed, over years enough for target revisions.
    @Test func generateWithFewIndicatorsDoesNotCrash() throws {
        let dir = try TemporaryDirectory()
        let runs = [(12, 1), (12, 2), (12, 12), (12, 3), (13, 1), (15, 2), (20, 12), (21, 1)]
        let started = try runs.map { indicators, seed in
            try CLI.start(["generate", "--ledger", dir.path("g-\(indicators)-\(seed).jsonl"), "--boroughs", "2", "--indicators", "\(indicators)",
                           "--years", "3", "--seed", "\(seed)"], environment: Self.quiet, in: dir.url)
        }
        for ((indicators, seed), result) in zip(runs, try started.map { try CLI.finish($0) }) {
            #expect(result.status == 0, "generate --indicators \(indicators) --seed \(seed) exited \(result.status): \(result.stderr.prefix(300))")
            #expect(result.stdout.contains("generated "), "\(result.stdout)")
        }
    }

    /// The independent XXH64 above, against published vectors and the piecewise scheme.
    @Test func theReferenceChecksumIsXXH64() {
        #expect(ReferenceXXH64.hash(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(ReferenceXXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(ReferenceXXH64.hash(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x0B24_2D36_1FDA_71BC)
        let pattern: [UInt8] = (0..<1000).map { UInt8((31 * $0 + 7) % 251) }
        #expect(ReferenceXXH64.hash(pattern) == 0x9E33_00C1_CDE3_C58D)
        #expect(ReferenceXXH64.hash(Array(pattern.prefix(33))) == 0x4997_CAE4_951C_17A5)
    }
}

/// XXH64, written here from the specification so the checkpoint's stamp is checked against
/// something other than the code that wrote it; `checksum` is the piecewise checksum a
/// checkpoint's stamp carries (the XXH64 of each 64 KiB piece's little-endian digest, in order).
enum ReferenceXXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F, p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63, p5: UInt64 = 0x27D4_EB2F_1656_67C5

    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    static func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 { rotl(acc &+ lane &* p2, 31) &* p1 }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            func u64(_ i: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
            func u32(_ i: Int) -> UInt64 { UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))) }
            let n = raw.count
            var i = 0
            var h: UInt64
            if n >= 32 {
                var v = [p1 &+ p2, p2, 0, 0 &- p1]
                while i + 32 <= n {
                    for lane in 0..<4 { v[lane] = round(v[lane], u64(i + 8 * lane)) }
                    i += 32
                }
                h = rotl(v[0], 1) &+ rotl(v[1], 7) &+ rotl(v[2], 12) &+ rotl(v[3], 18)
                for lane in v { h = (h ^ round(0, lane)) &* p1 &+ p4 }
            } else {
                h = p5
            }
            h = h &+ UInt64(n)
            while i + 8 <= n {
                h = rotl(h ^ round(0, u64(i)), 27) &* p1 &+ p4
                i += 8
            }
            if i + 4 <= n {
                h = rotl(h ^ (u32(i) &* p1), 23) &* p2 &+ p3
                i += 4
            }
            while i < n {
                h = rotl(h ^ (UInt64(raw[i]) &* p5), 11) &* p1
                i += 1
            }
            h ^= h >> 33
            h = h &* p2
            h ^= h >> 29
            h = h &* p3
            h ^= h >> 32
            return h
        }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        let piece = 1 << 16
        var digests: [UInt8] = []
        var start = 0
        repeat {
            let digest = hash(Array(bytes[start..<min(bytes.count, start + piece)]))
            withUnsafeBytes(of: digest.littleEndian) { digests.append(contentsOf: $0) }
            start += piece
        } while start < bytes.count
        return hash(digests)
    }
}
