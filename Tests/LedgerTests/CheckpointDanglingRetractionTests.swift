import Foundation
import Testing
@testable import EventLog
@testable import Ledger
import LedgerModel
import Projections

/// A log written by hand can hold a retraction that names no earlier event — an id or a seq
/// that only a later line has. `append` refuses such a retraction, but a replay reads the log
/// as it is: the retraction retracts nothing, and the later event stands. A checkpoint folds
/// its outturns before its other events, so it must keep "retracts nothing" rather than look
/// the reference up again, when the later outturn would already be there.
struct CheckpointDanglingRetractionTests {
    static func line(_ seq: Int, _ id: String, _ type: String, _ data: [(String, JSONValue)], prev: SHA256Digest,
                     into buffer: inout [UInt8]) -> SHA256Digest {
        LogRecord.encode(seq: seq, id: id, recorded: Timestamp(millisecondsSince1970: 1_700_000_000_000 + Int64(seq)),
                         known: CalendarDate(year: 2015, month: 6, day: 30)!, type: type, source: "test", actor: "test",
                         data: JSONObject(data), prev: prev, into: &buffer)
    }

    @Test(arguments: ["by id", "by seq"])
    func aRetractionOfALaterEventRetractsNothingWithACheckpointAsWithout(reference: String) throws {
        let directory = NSTemporaryDirectory() + "dangling-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/l.jsonl"
        var buffer: [UInt8] = []
        var prev = SHA256Digest.zero
        prev = Self.line(1, "p", "partnership.registered", [("partnership", .string("lewisham")), ("name", .string("Safer Lewisham"))],
                         prev: prev, into: &buffer)
        prev = Self.line(2, "i", "indicator.defined", [("indicator", .string("burglary")), ("name", .string("Burglary")),
                                                       ("unit", .string("count")), ("polarity", .string("lower-better"))],
                         prev: prev, into: &buffer)
        // Seq 3 names seq 4 (or its id), which comes after it.
        let target: JSONValue = reference == "by id" ? .string("later") : .number(JSONNumber(4))
        prev = Self.line(3, "r", "event.retracted", [("event", target), ("reason", .string("written by hand"))], prev: prev, into: &buffer)
        prev = Self.line(4, "later", "outturn.recorded", [("partnership", .string("lewisham")), ("indicator", .string("burglary")),
                                                          ("period", .string("2015-06")), ("value", .number(JSONNumber(42)))],
                         prev: prev, into: &buffer)
        try Data(buffer).write(to: URL(fileURLWithPath: path))

        let ledger = try Ledger(path: path)
        let plain = try ledger.replay(.now, auditing: false, checkpoints: .off).replay.state
        #expect(plain.retracted.isEmpty, "the retraction names no earlier event: it retracts nothing")
        #expect(plain.recordedOutturn(OutturnKey(area: "lewisham", indicator: "burglary", period: Period("2015-06")!)) != nil)

        // Written by a replay of everything, and by one at a point in time (which resolves retractions itself).
        for writer in [PointInTime.now, .asOf(Day(iso: "2015-12-31")!)] {
            try? FileManager.default.removeItem(atPath: path + ".ckpt")
            _ = try ledger.replay(writer, auditing: false, checkpoints: Ledger.CheckpointPolicy(reads: true, writesAfter: 1))
            let log = try Log(path: path)
            #expect(log.readCheckpoint(format: StateCheckpoint.format, upTo: try log.committedEnd())?.covers.seq == 4, "\(writer)")
            let read = try ledger.replay(.now, auditing: false, checkpoints: Ledger.CheckpointPolicy(reads: true, writesAfter: nil))
            #expect(read.replay.state.deferredIDs != nil, "\(writer): the checkpoint should be read")
            #expect(read.replay.state.retracted == plain.retracted, "\(writer)")
            #expect(read.replay.state.statusRows() == plain.statusRows(), "\(writer)")
        }
    }
}
