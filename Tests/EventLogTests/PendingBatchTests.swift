import Foundation
import Testing
@testable import EventLog

/// A batch is validated while its lines are hashed on other threads: what `beforeWrite` is
/// told of the chain must be what is written, and a throw must still write nothing.
struct PendingBatchTests {
    func drafts(_ count: Int) -> [EventDraft] {
        (0..<count).map { n in
            EventDraft(id: n % 3 == 0 ? nil : "e\(n)", type: "outturn.recorded", source: "met-police", actor: "test",
                       data: JSONObject([("area", .string("lewisham")), ("value", .number(JSONNumber(n))), ("note", .string("n\u{e9}e \(n)"))]))
        }
    }

    @Test(arguments: [1, 5000]) func theChainBeforeWriteSeesIsTheChainWritten(count: Int) throws {
        let scratch = try LogTests.Scratch()
        let path = scratch.path("log.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append(drafts(3))
        var seen: [(prev: SHA256Digest, hash: SHA256Digest)] = []
        var seqs: [Int] = []
        let options = Log.AppendOptions(now: LogTests.t0) { _, batch in
            seqs = batch.records.map(\.record.seq)
            seen = batch.records.indices.map { batch.chain($0) }
        }
        let result = try log.append(drafts(count), options: options)
        var written: [LogRecord] = []
        try log.forEachRecord { written.append($0); return true }
        let new = Array(written.dropFirst(3))
        #expect(seqs == new.map(\.seq))
        #expect(seen.map(\.prev) == new.map(\.prev))
        #expect(seen.map(\.hash) == new.map(\.hash))
        #expect(result.head.hash == new.last?.hash)
        #expect(try log.verify().problem == nil)
        // The index cache was extended with the batch, and still matches the log.
        _ = try log.append(drafts(count))
        #expect(try log.verify().problem == nil)
    }

    @Test(arguments: [2050, 2051, 7000]) func theChainAskedInAnyOrderIsTheChainWritten(count: Int) throws {
        // The chain is linked run by run (2,048 lines each) as far as it is asked for: asking for a
        // late link first, then earlier ones, then ones at the edges of runs, gives what is written.
        let scratch = try LogTests.Scratch()
        let path = scratch.path("log.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append(drafts(3))
        var asked: [Int] = []
        var seen: [Int: (prev: SHA256Digest, hash: SHA256Digest)] = [:]
        let options = Log.AppendOptions(now: LogTests.t0) { _, batch in
            let last = batch.records.count - 1 // (two of the drafts' ids are the log's already)
            asked = [last / 2, 0, last, 2047, 2048, 1].filter { $0 <= last }
            for i in asked { seen[i] = batch.chain(i) }
        }
        _ = try log.append(drafts(count), options: options)
        var written: [LogRecord] = []
        try log.forEachRecord { written.append($0); return true }
        #expect(asked.count >= 5)
        for i in asked {
            #expect(seen[i]?.prev == written[3 + i].prev && seen[i]?.hash == written[3 + i].hash, "line \(i)")
        }
        #expect(try log.verify().problem == nil)
    }

    @Test func theIndexLinesABatchWritesAreTheOnesTheLogRebuildsThem() throws {
        // The batch's index lines are built from its runs while the log is written: deleting the
        // index and letting the next append rebuild it from the log must give the same bytes.
        let scratch = try LogTests.Scratch()
        let path = scratch.path("log.jsonl")
        try Log.create(at: path)
        _ = try Log(path: path).append(drafts(3))
        _ = try Log(path: path).append(drafts(7000).map { var d = $0; d.id = d.id.map { "b-" + $0 }; return d })
        let written = try Data(contentsOf: URL(fileURLWithPath: path + ".idx"))
        try FileManager.default.removeItem(atPath: path + ".idx")
        _ = try Log(path: path).append(Array(drafts(2).suffix(1))) // e1 again: rebuilds the index
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".idx")) == written)
        #expect(written.count > 7000 * 100)
    }

    @Test func aThrowWhileTheLinesAreHashedWritesNothing() throws {
        struct Refused: Error {}
        let scratch = try LogTests.Scratch()
        let path = scratch.path("log.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append(drafts(3))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let options = Log.AppendOptions { _, _ in throw Refused() }
        #expect(throws: Refused.self) { try log.append(drafts(5000), options: options) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}

/// What `append` hands to another thread to free is freed there, not leaked.
struct ReleaseInBackgroundTests {
    final class Tracked: @unchecked Sendable {
        let freed: DispatchSemaphore
        init(_ freed: DispatchSemaphore) { self.freed = freed }
        deinit { freed.signal() }
    }

    @Test func aValueHandedOverIsFreedOnAnotherThread() {
        let freed = DispatchSemaphore(value: 0)
        releaseInBackground([Tracked(freed), Tracked(freed)])
        #expect(freed.wait(timeout: .now() + 10) == .success)
        #expect(freed.wait(timeout: .now() + 10) == .success)
    }
}
