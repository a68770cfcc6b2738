import Foundation
import Testing
@testable import EventLog

/// The log in-process: written events read back exactly, recovery, the index cache,
/// and verify against every kind of damage — including a log cut at every byte offset.
struct LogTests {
    final class Scratch {
        let directory: String
        init() throws {
            directory = NSTemporaryDirectory() + "eventlog-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
        func path(_ name: String) -> String { directory + "/" + name }
    }

    static let t0 = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    func draft(_ n: Int, id: String? = nil, known: CalendarDate? = nil) -> EventDraft {
        EventDraft(id: id, known: known, type: "outturn.recorded", source: "met-police", actor: "test",
                   data: JSONObject([("partnership", .string("lewisham")), ("value", .number(JSONNumber(n))),
                                     ("note", .string("n\u{e9}e \"\(n)\"\n"))]))
    }

    func records(_ log: Log) throws -> [LogRecord] {
        var all: [LogRecord] = []
        try log.forEachRecord { all.append($0); return true }
        return all
    }

    /// The head is found by reading backwards from the end in growing chunks (4 KiB first): lines
    /// longer than the first chunk, than the largest, and of every length between are found whole.
    @Test(arguments: [10, 4_000, 4_200, 9_000, 70_000, 200_000])
    func theHeadIsFoundBehindALastLineOfAnyLength(noteLength: Int) throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        let long = EventDraft(id: "long", known: nil, type: "outturn.recorded", source: "met-police", actor: "test",
                              data: JSONObject([("note", .string(String(repeating: "x", count: noteLength)))]))
        let result = try log.append([draft(1), draft(2), long], options: .init(now: Self.t0))
        let reopened = try Log(path: path)
        let end = try reopened.committedEnd()
        #expect(end == (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue)
        let head = try reopened.head(upTo: end)
        #expect(head.seq == 3 && head.hash == result.head.hash && head.end == end)
        #expect(try reopened.lastLineStart(before: end) > 0 && end - (try reopened.lastLineStart(before: end)) > noteLength)
    }

    @Test func appendedEventsReadBackExactlyWithAGaplessChain() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        let drafts = (0..<25).map { draft($0, id: $0.isMultiple(of: 2) ? "k\($0)" : nil, known: CalendarDate(year: 2015, month: 6, day: 30)) }
        let first = try log.append(Array(drafts[0..<10]), options: .init(now: Self.t0))
        let second = try log.append(Array(drafts[10...]), options: .init(now: Timestamp(millisecondsSince1970: Self.t0.millisecondsSince1970 - 5000)))
        #expect(first.outcomes.map(\.seq) == Array(1...10))
        #expect(second.outcomes.map(\.seq) == Array(11...25))

        let read = try records(Log(path: path))
        #expect(read.count == 25)
        var prev = SHA256Digest.zero
        for (i, record) in read.enumerated() {
            #expect(record.seq == i + 1)
            #expect(record.data == drafts[i].data)
            #expect(record.type == "outturn.recorded")
            #expect(record.known == CalendarDate(year: 2015, month: 6, day: 30))
            #expect(record.prev == prev)
            prev = record.hash
            if let id = drafts[i].id { #expect(record.id == id) } else { #expect(record.id.count == 36) }
        }
        // A clock that went backwards does not make `recorded` go backwards.
        #expect(read[10].recorded == Self.t0)
        #expect(second.head.seq == 25 && second.head.hash == prev)
        let report = try Log(path: path).verify()
        #expect(report.problem == nil && report.events == 25 && report.head == prev)
    }

    @Test func aBatchWhoseEnvelopesChangeFromLineToLineReadsBackExactly() throws {
        // A batch writes the envelope's middle (known, type, source, actor) once and copies it
        // while it stays the same: every change, in any one field, must start a new one. Large
        // enough to be encoded on every core; checked against the lines one-record appends write.
        let scratch = try Scratch()
        let (batchPath, onePath) = (scratch.path("batch.jsonl"), scratch.path("one.jsonl"))
        try Log.create(at: batchPath)
        try Log.create(at: onePath)
        func envelopeDraft(_ n: Int) -> EventDraft {
            let known: CalendarDate? = n % 7 == 3 ? CalendarDate(year: 2015, month: 6, day: 30) : nil
            let type = n % 11 == 5 ? "action.updated" : "outturn.recorded"
            let source = n % 13 == 1 ? "probation" : "met-police"
            let actor = n / 2000 == 1 ? "feed \"b\"" : "feed"
            return EventDraft(id: "e\(n)", known: known, type: type, source: source, actor: actor,
                              data: JSONObject([("value", .number(JSONNumber(n)))]))
        }
        let drafts = (0..<6000).map(envelopeDraft)
        let batchLog = try Log(path: batchPath)
        _ = try batchLog.append(drafts, options: .init(now: Self.t0))
        let oneLog = try Log(path: onePath)
        for draft in drafts.prefix(300) { _ = try oneLog.append([draft], options: .init(now: Self.t0)) }
        let read = try records(batchLog)
        #expect(read.count == drafts.count)
        var wrong: [Int] = []
        for (record, draft) in zip(read, drafts) where record.id != draft.id || record.type != draft.type || record.source != draft.source
            || record.actor != draft.actor || record.known != (draft.known ?? Self.t0.date) || record.data != draft.data {
            wrong.append(record.seq)
        }
        #expect(wrong == [])
        // Byte for byte what appending one at a time writes.
        let batchBytes = try readWholeFile(batchPath), oneBytes = try readWholeFile(onePath)
        #expect(Array(batchBytes.prefix(oneBytes.count)) == oneBytes)
        #expect(try batchLog.verify().problem == nil)
    }

    @Test func theHashIsSHA256OfTheLineUpToTheHashField() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append([draft(1, id: "a")], options: .init(now: Self.t0))
        let line = try String(contentsOfFile: path, encoding: .utf8).dropLast()
        let cut = try #require(line.range(of: #","hash":""#))
        let hashed = String(line[..<cut.lowerBound])
        #expect(line.hasPrefix(#"{"seq":1,"id":"a","recorded":"2023-11-14T22:13:20.000Z","known":"2023-11-14","type":"outturn.recorded","source":"met-police","actor":"test","data":{"partnership":"lewisham","value":1,"note":"n\#u{e9}e \"1\"\n"},"prev":"0000000000000000000000000000000000000000000000000000000000000000""#))
        #expect(line.hasSuffix(#","hash":""# + SHA256.hash(hashed).hex + #""}"#))
    }

    @Test func idempotencyReportsExistingSeqsAndRejectsConflicts() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append([draft(1, id: "a"), draft(2, id: "b")])
        let again = try log.append([draft(2, id: "b"), draft(3, id: "c"), draft(3, id: "c")])
        #expect(again.outcomes == [.init(seq: 2, id: "b", existing: true), .init(seq: 3, id: "c", existing: false),
                                   .init(seq: 3, id: "c", existing: true)])
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(throws: EventLogError.self) { try log.append([draft(4, id: "d"), draft(99, id: "a")]) }
        do {
            _ = try log.append([draft(4, id: "d"), draft(99, id: "a")])
        } catch let error as EventLogError {
            #expect(error.code == .conflict && error.eventIndex == 1)
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == size)
        // An explicit, different known date for the same id is a conflict too.
        #expect(throws: EventLogError.self) { try log.append([draft(1, id: "a", known: CalendarDate(year: 2001, month: 1, day: 1))]) }
    }

    @Test func aRepeatedIdInOneBatchKeepsTheFirstDraftsSeqAndAConflictNamesTheRepeat() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        let result = try log.append([draft(1, id: "c"), draft(2, id: "d"), draft(1, id: "c"), draft(1, id: "c")])
        #expect(result.outcomes == [.init(seq: 1, id: "c", existing: false), .init(seq: 2, id: "d", existing: false),
                                    .init(seq: 1, id: "c", existing: true), .init(seq: 1, id: "c", existing: true)])
        #expect(try records(log).map(\.id) == ["c", "d"])
        do {
            _ = try log.append([draft(5, id: "e"), draft(6, id: "f"), draft(7, id: "e")])
            Issue.record("a repeated id with different content was appended")
        } catch let error as EventLogError {
            #expect(error.code == .conflict && error.eventIndex == 2, "\(error)")
        }
        #expect(try records(log).count == 2)
    }

    @Test func everyDraftOfABatchIsCheckedEvenWhenItsNeighboursShareItsEnvelope() throws {
        // The checker remembers the type, source and actor that last passed: a draft differing in
        // any one of them is checked again, wherever it is in the batch.
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        let cases: [(field: String, change: (inout EventDraft) -> Void)] = [
            ("actor", { $0.actor = "te\u{7}st" }), ("source", { $0.source = "" }), ("type", { $0.type = "outturn\nrecorded" }),
            ("id", { $0.id = "has space" }),
        ]
        for (field, change) in cases {
            var batch = (0..<5).map { draft($0, id: "x\($0)") }
            change(&batch[3])
            do {
                _ = try log.append(batch)
                Issue.record("a bad \(field) at position 3 was appended")
            } catch let error as EventLogError {
                #expect(error.code == .invalidEvent && error.eventIndex == 3 && error.field == field, "\(error)")
            }
        }
        #expect(try records(log).isEmpty)
    }

    @Test func theIndexIsACacheThatIsRebuiltWhenMissingStaleOrGarbled() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append((0..<20).map { draft($0, id: "e\($0)") })
        let idx = path + ".idx"
        let good = try String(contentsOfFile: idx, encoding: .utf8)
        #expect(good.split(separator: "\n").count == 20)

        // "ahead": entries for a batch the log no longer has (the index is written beside the
        // log's lines, so a batch that fails after it leaves them).
        let ghost = "21\t999999\t" + String(repeating: "a", count: 64) + "\t2015-01-01\t" + String(repeating: "b", count: 64) + "\tghost\n"
        for damage in ["delete", "truncate", "garble", "stale", "ahead"] {
            switch damage {
            case "delete": try FileManager.default.removeItem(atPath: idx)
            case "truncate": try String(good.dropLast(10)).write(toFile: idx, atomically: false, encoding: .utf8)
            case "garble": try good.replacingOccurrences(of: "\t5\t", with: "\t6\t").write(toFile: idx, atomically: false, encoding: .utf8)
            case "ahead": try (good + ghost).write(toFile: idx, atomically: false, encoding: .utf8)
            default: try (good.split(separator: "\n").prefix(7).joined(separator: "\n") + "\n").write(toFile: idx, atomically: false, encoding: .utf8)
            }
            let r = try log.append([draft(5, id: "e5"), draft(19, id: "e19")])
            #expect(r.outcomes.map(\.seq) == [6, 20], "after \(damage)")
            #expect(r.outcomes.allSatisfy { $0.existing }, "after \(damage)")
            #expect(try String(contentsOfFile: idx, encoding: .utf8) == good, "after \(damage)")
        }
        // Appends without ids keep the index current, so a later id lookup still finds everything.
        _ = try log.append([draft(100), draft(101)])
        #expect(try log.append([draft(7, id: "e7")]).outcomes == [.init(seq: 8, id: "e7", existing: true)])
        #expect(try String(contentsOfFile: idx, encoding: .utf8).split(separator: "\n").count == 22)
        // An entry the log does not have is never taken for an event it does.
        try (String(contentsOfFile: idx, encoding: .utf8) + ghost.replacingOccurrences(of: "21\t", with: "23\t"))
            .write(toFile: idx, atomically: false, encoding: .utf8)
        #expect(try log.append([draft(50, id: "ghost")]).outcomes == [.init(seq: 23, id: "ghost", existing: false)])
    }

    @Test func aBatchOfThousandsOfIdsFindsExactlyThoseTheLogHas() throws {
        // Many wanted ids of the same lengths, half already in the log: each found with its seq,
        // none of the others (the index looks wanted ids up by a hash of their bytes).
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append((0..<4000).map { draft($0, id: "met-police/lewisham/met.x/\(2000 + $0 % 100)-\($0)") })
        try FileManager.default.removeItem(atPath: path + ".idx") // rebuilt from the log by the next append
        _ = try log.append([draft(0, id: "met-police/lewisham/met.x/2000-0")])
        let again = (0..<6000).filter { $0 % 2 == 0 }.map { draft($0, id: "met-police/lewisham/met.x/\(2000 + $0 % 100)-\($0)") }
        let result = try log.append(again)
        for (n, outcome) in zip((0..<6000).filter { $0 % 2 == 0 }, result.outcomes) {
            if n < 4000 {
                #expect(outcome.existing && outcome.seq == n + 1, "\(outcome)")
            } else {
                #expect(!outcome.existing, "\(outcome)")
            }
        }
        #expect(result.outcomes.count { !$0.existing } == 1000 && result.head.seq == 5000)
    }

    @Test func aLargeBatchOfNewRepeatedAndIdlessDraftsGetsTheSeqsAndRecordsOfOneDraftAtATime() throws {
        // A batch's records and outcomes are built on every core, in runs of drafts: each run must
        // give its drafts the seqs, ids and records that taking them one at a time gives —
        // whatever the runs before it held (new ids, ids the log has, ids repeated from another
        // run, no id at all).
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append((0..<500).map { draft($0, id: "old-\($0)") })
        let count = 12_000
        let drafts = (0..<count).map { n -> EventDraft in
            switch n % 7 {
            case 0: draft(n % 500, id: "old-\(n % 500)")                                // the log has it
            case 3: draft(n % 5000, id: "again-\(n % 5000)")                            // first in one run, again in later ones
            case 5: draft(n)                                                           // no id: the log makes one
            default: draft(n, id: "new-\(n)")
            }
        }
        // One draft at a time: the seq each new draft gets, and the seq each repeat reports.
        var seq = 500
        var firstSeq: [String: Int] = [:]
        var expected: [(seq: Int, existing: Bool)] = []
        for (n, d) in drafts.enumerated() {
            if let id = d.id, id.hasPrefix("old-") { expected.append((n % 7 == 0 ? n % 500 + 1 : -1, true)); continue }
            if let id = d.id, let first = firstSeq[id] { expected.append((first, true)); continue }
            seq += 1
            if let id = d.id { firstSeq[id] = seq }
            expected.append((seq, false))
        }
        let result = try log.append(drafts)
        #expect(result.outcomes.count == count)
        #expect(result.outcomes.map(\.seq) == expected.map(\.seq))
        #expect(result.outcomes.map(\.existing) == expected.map(\.existing))
        #expect(zip(result.outcomes, drafts).allSatisfy { $1.id == nil || $0.id == $1.id })
        #expect(result.head.seq == seq)
        // Every new draft's record is in the log at its seq, with the id its outcome gave.
        let written = try records(log)
        #expect(written.count == seq && written.map(\.seq) == Array(1...seq))
        for (d, outcome) in zip(drafts, result.outcomes) where !outcome.existing {
            let record = written[outcome.seq - 1]
            #expect(record.id == outcome.id && record.data == d.data, "seq \(outcome.seq)")
        }
        let generated = result.outcomes.enumerated().filter { drafts[$0.offset].id == nil }.map(\.element.id)
        #expect(Set(generated).count == generated.count && generated.allSatisfy { $0.utf8.count == 36 })
        #expect(try log.verify().problem == nil)
    }

    @Test func theIndexFindsIdsAsStringsCompareEvenWhenTheirBytesDiffer() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        // "K" and the Kelvin sign (U+212A) are one character to Swift; "é" precomposed and decomposed too.
        _ = try Log(path: path).append([draft(1, id: "K-1"), draft(2, id: "\u{212A}-2"), draft(3, id: "caf\u{e9}"), draft(4, id: "plain")])
        let again = try Log(path: path) // a fresh process's view: the index read back from its file
        let r = try again.append([draft(1, id: "\u{212A}-1"), draft(2, id: "K-2"), draft(3, id: "cafe\u{301}"), draft(4, id: "plain"), draft(5, id: "new")])
        #expect(r.outcomes.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(r.outcomes.map(\.existing) == [true, true, true, true, false])
    }

    @Test func idsExpectedBeforePrepareGiveTheSameAnswersWhetherOrNotTheyCoverTheBatch() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append((0..<30).map { draft($0, id: "e\($0)") })
        // The index is read early for the expected ids; a batch with others is looked up again.
        for expected: [String] in [["e3", "e29", "n1"], ["e3"], [], ["nothing-here"], ["e3", "e3"]] {
            let log = try Log(path: path)
            let n = try log.head(upTo: try log.committedEnd()).seq
            let r = try log.append(options: .init(expectedIDs: expected)) { _ in
                [self.draft(3, id: "e3"), self.draft(29, id: "e29"), self.draft(n, id: "n\(n)")]
            }
            #expect(r.outcomes.map(\.existing) == [true, true, false], "\(expected)")
            #expect(r.outcomes.map(\.seq) == [4, 30, n + 1], "\(expected)")
            #expect(throws: EventLogError.self) { // different content under a taken id: found either way
                try log.append(options: .init(expectedIDs: expected)) { _ in [self.draft(99, id: "e3")] }
            }
        }
        #expect(try Log(path: path).verify().problem == nil)
    }

    @Test func anUnfinishedBatchIsInvisibleToReadersAndRolledBackByTheNextWriter() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append((0..<5).map { draft($0) })
        let committed = try Data(contentsOf: URL(fileURLWithPath: path))
        // Simulate a writer killed after journaling and writing two complete lines of its batch.
        let other = scratch.path("other.jsonl")
        try Log.create(at: other)
        _ = try Log(path: other).append((0..<7).map { draft($0) })
        let otherBytes = try Data(contentsOf: URL(fileURLWithPath: other))
        try Data(Log.undoRecord(size: committed.count)).write(to: URL(fileURLWithPath: path + ".undo"))
        let extra = otherBytes.split(separator: UInt8(ascii: "\n"))[5...6].map { Data($0) + Data("\n".utf8) }.reduce(Data(), +)
        try (committed + extra).write(to: URL(fileURLWithPath: path))

        let log = try Log(path: path)
        #expect(try records(log).count == 5)
        let report = try log.verify()
        #expect(report.problem == nil && report.events == 5 && report.unfinishedBytes == extra.count)

        let r = try log.append([draft(9, id: "after")])
        #expect(r.recovery.rolledBackBytes == extra.count)
        #expect(r.outcomes == [.init(seq: 6, id: "after", existing: false)])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(committed.count) == committed)
        #expect(try log.verify().events == 6)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".undo")).isEmpty)
    }

    @Test func aHalfWrittenUndoJournalMeansNothingToUndo() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append((0..<3).map { draft($0) })
        let committed = try Data(contentsOf: URL(fileURLWithPath: path))
        let record = Log.undoRecord(size: 10)
        for cut in 0..<record.count {
            try Data(record.prefix(cut)).write(to: URL(fileURLWithPath: path + ".undo"))
            let log = try Log(path: path)
            #expect(try log.pendingUndoSize() == nil, "cut at \(cut)")
            #expect(try log.verify().events == 3)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == committed)
    }

    /// A reopened log cut at every byte offset reads as exactly the complete lines before the cut.
    @Test func aLogCutAtEveryByteOffsetReadsAsItsCompleteLines() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append((0..<4).map { draft($0, id: "c\($0)") })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let lineEnds = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        let full = try records(Log(path: path))
        let cutPath = scratch.path("cut.jsonl")
        for cut in 0...bytes.count {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            let log = try Log(path: cutPath)
            let complete = lineEnds.filter { $0 <= cut }.count
            #expect(try records(log) == Array(full.prefix(complete)), "cut at \(cut)")
            let report = try log.verify()
            #expect(report.problem == nil && report.events == complete && report.tornBytes == cut - (complete == 0 ? 0 : lineEnds[complete - 1]))
        }
    }

    /// Verify splits a large log across cores; whatever the damage and wherever it falls — at the
    /// join between the stretches or inside one — it reports exactly what a single pass reports.
    @Test func verifyInStretchesReportsExactlyWhatOnePassReports() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append((0..<40).map { draft($0, id: "v\($0)") }, options: .init(now: Self.t0))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let damaged = scratch.path("d.jsonl")
        func check(_ name: String, _ edited: [String]) throws {
            try (edited.joined(separator: "\n") + "\n").write(toFile: damaged, atomically: false, encoding: .utf8)
            let log = try Log(path: damaged)
            let one = try log.verify(parallelAbove: .max)
            let split = try log.verify(parallelAbove: 0)
            #expect(one == split, "\(name): one pass \(String(describing: one.problem)), in stretches \(String(describing: split.problem))")
        }
        try check("whole", lines)
        for i in [0, 1, 18, 19, 20, 21, 22, 39] {
            var e = lines; e[i] = e[i].replacingOccurrences(of: "\"value\":", with: "\"value\":1"); try check("altered \(i)", e)
            e = lines; e.remove(at: i); try check("deleted \(i)", e)
            if i < 39 { e = lines; e.swapAt(i, i + 1); try check("swapped \(i)", e) }
            e = lines; e.insert(lines[i], at: i); try check("duplicated \(i)", e)
            e = lines; e[i] = String(e[i].dropLast(5)); try check("garbled \(i)", e)
            e = lines; e.insert(lines[min(i + 5, 39)], at: i); try check("repeated later line at \(i)", e)
        }
        // An id used again across the join (its line otherwise intact, chain re-hashed by the encoder).
        var buffer: [UInt8] = []
        var prev = SHA256Digest.zero
        for n in 0..<40 {
            prev = LogRecord.encode(seq: n + 1, id: n == 30 ? "same" : (n == 3 ? "same" : "u\(n)"), recorded: Self.t0,
                                    known: CalendarDate(year: 2023, month: 1, day: 1)!, type: "a.b", source: "s", actor: "a",
                                    data: JSONObject(), prev: prev, into: &buffer)
        }
        try Data(buffer).write(to: URL(fileURLWithPath: damaged))
        let log = try Log(path: damaged)
        let split = try log.verify(parallelAbove: 0)
        #expect(split == (try log.verify(parallelAbove: .max)))
        #expect(split.problem?.kind == .duplicateID && split.problem?.seq == 31 && split.problem?.detail == "id \"same\" was already used by seq 4")
    }

    @Test func lineReaderHandlesLinesLongerThanItsBuffer() throws {
        let scratch = try Scratch()
        let path = scratch.path("lines")
        let lines = [String(repeating: "a", count: 5000), "", "b", String(repeating: "c", count: 70)]
        try Data((lines.joined(separator: "\n") + "\nxyz").utf8).write(to: URL(fileURLWithPath: path))
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        var seen: [String] = []
        let summary = try LineReader.forEachLine(in: fd, to: try fd.size(), chunkSize: 64) { _, line in
            seen.append(String(decoding: line, as: UTF8.self))
            return true
        }
        #expect(seen == lines)
        #expect(summary.tornBytes == 3)
    }

    /// Reading the next chunk ahead on another thread hands out exactly the chunks' lines the plain
    /// reader hands out, and returns the same end and torn tail: over files with lines longer than a
    /// buffer, empty lines, torn tails, ranges starting and ending mid-file, stopping early, and a
    /// body that throws (the read ahead finished before the error comes back).
    @Test func readingAheadReadsWhatReadingInTurnReads() throws {
        struct Stop: Error {}
        let scratch = try Scratch()
        var random = SplitMix64(seed: 4)
        for round in 0..<60 {
            let path = scratch.path("ahead-\(round)")
            var text = ""
            for _ in 0..<Int(random.next() % 40) {
                text += String(repeating: "x", count: Int(random.next() % (random.next() % 4 == 0 ? 300 : 30))) + "\n"
            }
            if random.next() % 3 == 0 { text += String(repeating: "t", count: Int(random.next() % 20) + 1) } // a torn tail
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let fd = try FileDescriptor.open(path, O_RDONLY)
            defer { fd.close() }
            let size = try fd.size()
            let start = random.next() % 4 == 0 ? Int(random.next() % UInt64(size + 1)) : 0
            let end = random.next() % 4 == 0 ? start + Int(random.next() % UInt64(size - start + 1)) : size
            let chunkSize = [64, 100, 257, 4096][Int(random.next() % 4)]
            let stopAfter = random.next() % 3 == 0 ? Int(random.next() % 4) : Int.max
            let throwsAt = round % 5 == 0 ? 3 : Int.max
            typealias Reader = (FileDescriptor, Int, Int, Int, (Int, UnsafeRawBufferPointer) throws -> Bool) throws -> (end: Int, tornBytes: Int)
            func pass(stoppingAfter stop: Int, throwingAt throwAt: Int, _ read: Reader) -> (lines: [String], end: Int, result: String) {
                var (lines, chunks, lineEnd) = ([String](), 0, start)
                do {
                    let result = try read(fd, start, end, chunkSize) { offset, bytes in
                        chunks += 1
                        LineReader.forEachLineRange(in: bytes) { range in
                            lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
                            lineEnd = offset + range.upperBound + 1
                            return true
                        }
                        if chunks == throwAt { throw Stop() }
                        return chunks <= stop
                    }
                    return (lines, lineEnd, "\(result.end) \(result.tornBytes)")
                } catch {
                    return (lines, lineEnd, "\(error)")
                }
            }
            let all = pass(stoppingAfter: .max, throwingAt: .max) { try LineReader.forEachChunk(in: $0, from: $1, to: $2, chunkSize: $3, $4) }
            let whole = pass(stoppingAfter: .max, throwingAt: .max) { try LineReader.forEachChunkReadingAhead(in: $0, from: $1, to: $2, chunkSize: $3, $4) }
            #expect(whole.lines == all.lines && whole.result == all.result, "round \(round)")
            // Stopped or failed part-way: the lines handed out so far, in order, then where they end or the error.
            let part = pass(stoppingAfter: stopAfter, throwingAt: throwsAt) { try LineReader.forEachChunkReadingAhead(in: $0, from: $1, to: $2, chunkSize: $3, $4) }
            #expect(Array(all.lines.prefix(part.lines.count)) == part.lines, "round \(round)")
            #expect(part.result == "Stop()" || part.result == "\(part.end) 0" || part.result == all.result,
                    "round \(round): \(part.result)")
        }
    }

    @Test func verifyCatchesTimeGoingBackwardsAndKnownAfterRecorded() throws {
        let scratch = try Scratch()
        // Write lines by hand with the real encoder, so their hashes are right and only the times are wrong.
        func ledger(_ times: [(Int64, CalendarDate)]) throws -> Log.VerifyReport {
            var buffer: [UInt8] = []
            var prev = SHA256Digest.zero
            for (i, (ms, known)) in times.enumerated() {
                prev = LogRecord.encode(seq: i + 1, id: "t\(i)", recorded: Timestamp(millisecondsSince1970: ms), known: known,
                                        type: "a.b", source: "s", actor: "a", data: JSONObject(), prev: prev, into: &buffer)
            }
            let path = scratch.path("t-\(UUID().uuidString)")
            try Data(buffer).write(to: URL(fileURLWithPath: path))
            return try Log(path: path).verify()
        }
        let day = CalendarDate(year: 2023, month: 11, day: 14)!
        #expect(try ledger([(1_700_000_000_000, day), (1_700_000_000_000, day)]).problem == nil)
        let back = try ledger([(1_700_000_000_000, day), (1_699_999_999_999, day)])
        #expect(back.problem?.kind == .timeGoesBackwards && back.problem?.seq == 2)
        let future = try ledger([(1_700_000_000_000, CalendarDate(year: 2023, month: 11, day: 15)!)])
        #expect(future.problem?.kind == .knownAfterRecorded && future.problem?.seq == 1)
    }
}

struct TimestampTests {
    @Test func formatsAndParsesRFC3339WithMilliseconds() {
        let t = Timestamp(millisecondsSince1970: 1_700_000_000_123)
        #expect(t.description == "2023-11-14T22:13:20.123Z")
        #expect(Timestamp(rfc3339: "2023-11-14T22:13:20.123Z") == t)
        #expect(Timestamp(millisecondsSince1970: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSince1970: -1).description == "1969-12-31T23:59:59.999Z")
        for bad in ["2023-11-14T22:13:20Z", "2023-11-14 22:13:20.123Z", "2023-02-30T00:00:00.000Z", "2023-11-14T24:00:00.000Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    /// The text written digit by digit is the one the fields give, and reads back as the same
    /// time — from year 1 to 9999, every field's digits exercised.
    @Test func everyTimeIsWrittenAsItsFieldsAndReadBack() {
        var random = SplitMix64(seed: 2026)
        let first: Int64 = -62_135_596_800_000, last: Int64 = 253_402_300_799_999 // 0001-01-01 … 9999-12-31T23:59:59.999
        for i in 0..<20_000 {
            let ms = i < 2 ? [first, last][i] : first + Int64(random.next() % UInt64(last - first + 1))
            let t = Timestamp(millisecondsSince1970: ms)
            let inDay = Int((ms % 86_400_000 + 86_400_000) % 86_400_000)
            let d = t.date
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let year = String(repeating: "0", count: 4 - String(d.year).count) + String(d.year)
            let millis = String(repeating: "0", count: 3 - String(inDay % 1000).count) + String(inDay % 1000)
            let expected = "\(year)-\(two(d.month))-\(two(d.day))T\(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60)):\(two(inDay / 1000 % 60)).\(millis)Z"
            #expect(t.description == expected)
            #expect(Timestamp(rfc3339: t.description) == t, "\(t.description)")
        }
    }

    @Test func calendarDatesRoundTripThroughDayNumbersAcrossLeapYears() {
        for days in stride(from: -719_162, through: 2_932_896, by: 97) { // 0001-01-01 to 9999-12-31
            let date = CalendarDate(daysSince1970: days)
            #expect(date.daysSince1970 == days)
            #expect(CalendarDate(iso: date.description) == date)
        }
        #expect(CalendarDate(iso: "2016-02-29") != nil)
        #expect(CalendarDate(iso: "2015-02-29") == nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "1900-02-29") == nil)
        #expect(CalendarDate(iso: "2015-13-01") == nil)
        #expect(CalendarDate(iso: "2015-6-30") == nil)
    }
}
