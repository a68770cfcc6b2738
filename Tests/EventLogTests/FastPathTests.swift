import Foundation
import Testing
@testable import EventLog

/// The fast paths of reading the log must never change an answer: a canonical line read by
/// position is the record the full parse gives, the validator never accepts what the parser
/// rejects, and ids told apart by fingerprint are told apart exactly even when fingerprints collide.
struct FastPathTests {
    static let t0 = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    /// Payloads covering what data holds: escapes, non-ASCII, nesting, numbers of every shape, empty containers.
    static let payloads: [JSONObject] = [
        JSONObject(),
        JSONObject([("partnership", .string("lewisham")), ("value", .number(JSONNumber(12)))]),
        JSONObject([("note", .string("n\u{e9}e \"quoted\"\n\ttab \\ slash / \u{1F600}")), ("v", .number(JSONNumber(literal: "-0.5e-3")!))]),
        JSONObject([("list", .array([.null, .bool(true), .bool(false), .array([]), .object(JSONObject())])),
                    ("nested", .object(JSONObject([("a", .object(JSONObject([("b", .array([.number(JSONNumber(1))]))])))])))]),
        JSONObject([("caf\u{e9}", .string("key with an accent")), ("k\"q", .string("key with a quote"))]),
    ]

    static func lines(ids: [String] = ["gen/a|b/2016-12/p", "x", "a b"], types: [String] = ["outturn.recorded", "t\u{e9}st"]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var prev = SHA256Digest.zero
        var seq = 0
        for id in ids {
            for type in types {
                for data in payloads {
                    seq += 1
                    var buffer: [UInt8] = []
                    prev = LogRecord.encode(seq: seq, id: id, recorded: t0, known: CalendarDate(year: 2023, month: 2, day: 28)!,
                                            type: type, source: "met-police", actor: "feed \"bot\"", data: data, prev: prev, into: &buffer)
                    lines.append(Array(buffer.dropLast()))
                }
            }
        }
        return lines
    }

    func decodeBothWays(_ line: [UInt8]) -> (fast: Result<LogRecord, LineError>, full: Result<LogRecord, LineError>) {
        line.withUnsafeBytes { raw in
            (Result { () throws(LineError) in try LogRecord.decode(line: raw) },
             Result { () throws(LineError) in try LogRecord.decodeInFull(line: raw) })
        }
    }

    @Test func canonicalLinesReadExactlyAsTheFullParseReadsThem() throws {
        var scanned = 0
        for line in Self.lines() {
            let (fast, full) = decodeBothWays(line)
            #expect(try fast.get() == full.get())
            if line.withUnsafeBytes({ CanonicalLine.scan($0) }) != nil { scanned += 1 }
        }
        // The envelope strings the writer escapes (a quote in the actor, é in a type) leave the fast
        // path; the plain ones must take it, or it would be a fast path in name only.
        let plain = Self.lines(ids: ["gen/a|b/2016-12/p", "a b"], types: ["outturn.recorded"]).map { line in
            line.withUnsafeBytes { raw in
                String(decoding: raw, as: UTF8.self).replacingOccurrences(of: #""actor":"feed \"bot\"""#, with: #""actor":"bot""#)
            }
        }
        #expect(scanned == 0) // every line above has the escaped actor
        for text in plain {
            let line = Array(text.utf8)
            let canonical = try #require(line.withUnsafeBytes { CanonicalLine.scan($0) }, "\(text)")
            #expect(canonical.seq >= 1)
        }
    }

    /// Lines scanned in a run share a cache of the last instant, day, type, source and actor read:
    /// each reads exactly as it reads alone — each the same as the line before, different, differing
    /// in one byte, a prefix of the one before, too long to keep, or broken.
    @Test func aRunOfLinesReadsAsEachLineAlone() {
        var random = SplitMix64(seed: 30)
        let instants = [Self.t0, Timestamp(millisecondsSince1970: 1_700_000_000_001), Timestamp(millisecondsSince1970: 1_600_000_000_000)]
        let days = [CalendarDate(year: 2023, month: 2, day: 28)!, CalendarDate(year: 2023, month: 3, day: 1)!, CalendarDate(year: 1999, month: 12, day: 31)!]
        var cache = CanonicalLine.Cache()
        var (read, reused, rejected) = (0, 0, 0)
        var prev = SHA256Digest.zero
        for seq in 1...3000 {
            var buffer: [UInt8] = []
            let recorded = instants[Int(random.next() % 2 == 0 ? 0 : random.next() % 3)]
            let known = days[Int(random.next() % 2 == 0 ? 0 : random.next() % 3)]
            // Sources and actors the same as the line before, or not: shorter, longer, one a prefix of
            // another, longer than the 32 bytes a cache keeps, escaped (off the fast path), empty.
            let sources = ["met-police", "met", "met-police-feed", String(repeating: "s", count: 40), "met-\"police\"", ""]
            let source = sources[Int(random.next() % 2 == 0 ? 0 : random.next() % UInt64(sources.count))]
            let actor = sources[Int(random.next() % 2 == 0 ? 1 : random.next() % UInt64(sources.count))]
            let type = random.next() % 4 == 0 ? "outturn.recorde" : "outturn.recorded"
            prev = LogRecord.encode(seq: seq, id: "ev-\(seq)", recorded: recorded, known: known, type: type,
                                    source: source, actor: actor, data: Self.payloads[1], prev: prev, into: &buffer)
            var line = Array(buffer.dropLast())
            if random.next() % 4 == 0 {
                // One byte of the instant or the day changed: another valid time, or none.
                let text = String(decoding: line, as: UTF8.self)
                let field = text.range(of: [#""recorded":""#, #""known":""#, #""source":""#, #""actor":""#][Int(random.next() % 4)])!
                let at = text.utf8.distance(from: text.startIndex, to: field.upperBound) + Int(random.next() % 10)
                line[at] = Array("0123456789-T:.Zx\"\\".utf8)[Int(random.next() % 18)]
            }
            let alone = line.withUnsafeBytes { CanonicalLine.scan($0) }
            let inRun = line.withUnsafeBytes { CanonicalLine.scan($0, cache: &cache) }
            #expect(inRun == alone, "seq \(seq): \(String(decoding: line, as: UTF8.self))")
            if alone == nil { rejected += 1 } else { read += 1 }
            if alone != nil, alone?.recorded == recorded, alone?.known == known { reused += 1 }
        }
        #expect(read > 2000 && rejected > 50 && reused > 1000, "\(read) read, \(rejected) rejected, \(reused) as written")
    }

    @Test func aMutatedLineIsReadTheSameWayByBothPathsOrRejectedByBoth() {
        var random = SplitMix64(seed: 20261130)
        let interesting: [UInt8] = Array(#"" \{}[],:0123456789-.eEabcdefxyz"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
        let originals = Self.lines(types: ["outturn.recorded"]).map { line in
            // Plain actors, so the originals take the fast path and the mutations probe it.
            Array(String(decoding: line, as: UTF8.self).replacingOccurrences(of: #""actor":"feed \"bot\"""#, with: #""actor":"bot""#).utf8)
        }
        var disagreements: [String] = []
        for round in 0..<6000 {
            var line = originals[Int(random.next() % UInt64(originals.count))]
            for _ in 0...(random.next() % 2) {
                let at = Int(random.next() % UInt64(line.count))
                switch random.next() % 3 {
                case 0: line[at] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: line.remove(at: at)
                default: line.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: at)
                }
            }
            let (fast, full) = decodeBothWays(line)
            switch (fast, full) {
            case (.success(let a), .success(let b)) where a == b: break
            case (.failure(let a), .failure(let b)) where a == b: break
            default: disagreements.append("round \(round): \(String(decoding: line, as: UTF8.self))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }

    @Test func theValidatorNeverAcceptsWhatTheParserRejects() {
        var validator = JSONValidator()
        func agree(_ text: [UInt8]) -> Bool {
            let accepted = text.withUnsafeBytes { validator.isValid($0) }
            let parsed = (try? JSONReader.parse(text)) != nil
            return !accepted || parsed
        }
        let corpus = [
            #"{}"#, #"[]"#, #" {"a" : [1, 2.5e3, -0, true, false, null] } "#, #"{"a":1,"a":2}"#, #"{"a":1,"b":{"a":2}}"#,
            #"{"\u0061":1,"a":2}"#, #"{"a":"\ud83d\ude00"}"#, #"{"a":"\ud83d"}"#, #"{"a":"\udc00x"}"#, #"{"a":"\x"}"#,
            #"[1,]"#, #"{"a":1,}"#, #"01"#, #"1."#, #"-"#, #"tru"#, #"nul"#, #"{"a" 1}"#, #"["a\u00"]"#, #""unterminated"#,
            "{\"a\":\"tab\there\"}", #"{"caf\u00e9":1}"#, "{\"caf\u{e9}\":1,\"caf\u{e9}\":2}", #"[[[[[]]]]]"#, #"{"a":[}"#,
        ].map { Array($0.utf8) } + [[0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                                     Array(repeating: UInt8(ascii: "["), count: 600) + Array(repeating: UInt8(ascii: "]"), count: 600)]
        for text in corpus {
            #expect(agree(text), "\(String(decoding: text, as: UTF8.self).prefix(80))")
        }
        // What the writer produces with plain keys, the validator must decide itself.
        for payload in Self.payloads.prefix(4) {
            var bytes: [UInt8] = []
            JSONWriter.write(.object(payload), into: &bytes)
            #expect(bytes.withUnsafeBytes { validator.isValid($0) }, "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Mutations of every payload: never a false yes.
        var random = SplitMix64(seed: 7)
        let interesting: [UInt8] = Array(#"" \{}[],:0123456789-+.eEtrufalsn/ub"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xFF]
        var falseYes = 0
        for payload in Self.payloads {
            var original: [UInt8] = []
            JSONWriter.write(.object(payload), into: &original)
            for _ in 0..<3000 {
                var text = original
                for _ in 0...(random.next() % 3) where !text.isEmpty {
                    let at = Int(random.next() % UInt64(text.count))
                    switch random.next() % 3 {
                    case 0: text[at] = interesting[Int(random.next() % UInt64(interesting.count))]
                    case 1: text.remove(at: at)
                    default: text.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: at)
                    }
                }
                if !agree(text) { falseYes += 1 }
            }
        }
        #expect(falseYes == 0)
    }

    @Test func idsWithOneFingerprintAreStillToldApartExactly() throws {
        let directory = NSTemporaryDirectory() + "fastpath-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/l.jsonl"
        // ids: 20 different ones, then three of them again (one escaped, so it comes by the full parse).
        let ids = (0..<20).map { "id-\($0)" } + ["id-3", "id-17", "id-0"]
        var buffer: [UInt8] = []
        var prev = SHA256Digest.zero
        for (n, id) in ids.enumerated() {
            prev = LogRecord.encode(seq: n + 1, id: id, recorded: Self.t0, known: CalendarDate(year: 2023, month: 1, day: 1)!,
                                    type: "a.b", source: "s", actor: "a", data: JSONObject(), prev: prev, into: &buffer)
        }
        var text = String(decoding: buffer, as: UTF8.self)
        let last = try #require(text.range(of: #""id":"id-0""#, options: .backwards))
        text.replaceSubrange(last, with: #""id":"id-\u0030""#) // its hash no longer matches, but seq 21's repeat comes first
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let log = try Log(path: path)

        for fingerprint: @Sendable (UnsafeRawBufferPointer) -> UInt64 in [Log.Segment.IDs.fingerprint, { _ in 42 }, { UInt64($0.count) }] {
            var first = Log.Segment.IDs(fingerprint: fingerprint)
            var second = Log.Segment.IDs(fingerprint: fingerprint)
            var repeats: [Int: Int] = [:]
            var index = 0
            _ = try LineReader.forEachLine(in: log.file, to: Int.max) { offset, line in
                let record = try LogRecord.decode(line: line)
                let id = Array(record.id.utf8)
                let found = try id.withUnsafeBytes { raw in
                    index < 10 ? try first.insert(raw, at: (index, offset), file: log.file) : try second.insert(raw, at: (index, offset), file: log.file)
                }
                if let found { repeats[index] = found.index }
                index += 1
                return true
            }
            // Within the second stretch only id-17 (index 17) recurs (at 21); the others recur across stretches.
            #expect(repeats == [21: 17])
            var shared: [String: [Int]] = [:]
            try second.forEachShared(with: first, file: log.file) { id, mine, theirs in shared[id, default: []].append(contentsOf: [mine.index, theirs.index]) }
            #expect(shared == ["id-3": [20, 3], "id-0": [22, 0]])
        }
        // And verify, end to end, names the first repeat whichever way it splits the log.
        #expect(try log.verify(parallelAbove: .max).problem?.detail == #"id "id-3" was already used by seq 4"#)
        #expect(try log.verify(parallelAbove: 0).problem?.detail == #"id "id-3" was already used by seq 4"#)
    }
}
