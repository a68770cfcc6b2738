import EventLog
import Foundation
import Ledger
import LedgerModel
import Projections

/// A ledger in a temporary directory, appended to through the real façade (so every event
/// passes the domain's validation), removed when the test is done.
final class LedgerFixture {
    let directory: String
    let path: String
    let ledger: Ledger

    init() throws {
        directory = NSTemporaryDirectory() + "ledger-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/ledger.jsonl"
        try Ledger.create(path: path)
        ledger = try Ledger(path: path)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Appends JSON Lines (one event per string) as one batch.
    @discardableResult
    func append(_ lines: [String], known: String? = nil, source: String = "test") throws -> Log.AppendResult {
        let input = Array((lines.joined(separator: "\n") + "\n").utf8)
        return try ledger.append(jsonLines: input, defaults: InputDefaults(source: source, actor: "tests", known: known.flatMap { CalendarDate(iso: $0) }))
    }

    /// The state as of a point in time.
    func state(_ point: PointInTime = .now) throws -> LedgerState {
        try ledger.replay(point).replay.state
    }

    func replay(_ point: PointInTime = .now) throws -> Replay {
        try ledger.replay(point).replay
    }

    var bytes: Data { (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }
}

/// The package's root folder, and the seeds beside it (`../shared/seeds`).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    static func seed(_ prefix: String) throws -> String {
        let folder = shared.appendingPathComponent("seeds")
        let name = try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix(prefix) } ?? prefix
        return try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
}
