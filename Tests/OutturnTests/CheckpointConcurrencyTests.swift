import Foundation
import Testing

/// Views that write checkpoints while appends land, all as real processes at once: a checkpoint
/// is written to a temporary file and renamed into place, and covers only what was committed
/// when its view read the ledger, so none of this may leave a checkpoint that changes an answer,
/// a temporary file, or a broken ledger.
struct CheckpointConcurrencyTests {
    @Test func viewsWritingCheckpointsWhileAppendsLandChangeNoAnswer() throws {
        let dir = try TemporaryDirectory()
        let ledger = try CheckpointCommandTests.generate(dir)
        // Every view writes a new checkpoint once a single event follows the last one.
        let eager = ["OUTTURN_CHECKPOINT_EVERY": "1"]
        let view = ["status", "--partnership", "borough-1", "--ledger", ledger, "--format", "csv"]
        var started: [(Process, URL, URL)] = []
        for round in 0..<4 {
            // Two appenders (each a batch of 50 outturns for a new indicator) and two views, at once.
            for writer in 0..<2 {
                var lines = #"{"type":"indicator.defined","id":"concurrent-\#(round)-\#(writer)","data":{"indicator":"concurrent-\#(round)-\#(writer)","name":"Concurrent","unit":"count","polarity":"lower-better"}}"# + "\n"
                for month in 1...50 {
                    let period = String(format: "%04d-%02d", 2009 + (month - 1) / 12, (month - 1) % 12 + 1)
                    lines += #"{"type":"outturn.recorded","id":"concurrent-\#(round)-\#(writer)/\#(period)","known":"2015-01-01","data":{"partnership":"borough-1","indicator":"concurrent-\#(round)-\#(writer)","period":"\#(period)","value":\#(month)}}"# + "\n"
                }
                let input = dir.url.appendingPathComponent("batch-\(round)-\(writer).jsonl")
                try Data(lines.utf8).write(to: input)
                started.append(try CLI.start(["append", "--ledger", ledger, "--file", input.path, "--source", "test"], in: dir.url))
            }
            for _ in 0..<2 { started.append(try CLI.start(view, environment: eager, in: dir.url)) }
        }
        for process in started {
            let result = try CLI.finish(process)
            #expect(result.status == 0, "\(result.stderr.prefix(300))")
        }

        let verify = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ok: 12408 events"), "\(verify.stdout)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // The checkpoint now there, and one written afresh, give what the ledger itself gives.
        let without = try CLI.run(view, environment: CheckpointCommandTests.off, in: dir.url)
        let with = try CLI.run(view, in: dir.url)
        let rewritten = try CLI.run(view, environment: eager, in: dir.url)
        #expect(without.status == 0 && with.status == 0 && rewritten.status == 0)
        #expect(with.stdout == without.stdout)
        #expect(rewritten.stdout == without.stdout)
        #expect(without.stdout.contains("concurrent-3-1"), "the appended indicators should show")
    }
}
