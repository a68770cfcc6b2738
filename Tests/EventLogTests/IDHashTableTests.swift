import Foundation
import Testing
@testable import EventLog

/// The id index's hash table (`<log>.idx.hash`) finds exactly the ids the log has, as reading
/// the whole index does, and is never believed when it does not match the index: deleted,
/// damaged in any block, cut short, left beside an index rebuilt or cut, or covering ids that
/// are not ASCII. It is rebuilt when the index has grown an eighth past it.
struct IDHashTableTests {
    typealias Scratch = LogTests.Scratch

    static func draft(_ n: Int, id: String) -> EventDraft { LogTests().draft(n, id: id) }

    /// A log of `count` events with ids `id-0`…, and an append that builds its table.
    static func log(_ count: Int, in scratch: Scratch) throws -> (Log, String) {
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        _ = try log.append((0..<count).map { draft($0, id: "id-\($0)") })
        _ = try log.append([draft(0, id: "id-0")]) // reads the index whole: writes the table
        #expect(FileManager.default.fileExists(atPath: path + ".idx.hash"))
        return (log, path)
    }

    /// The table beside the log, if it matches the index: the index bytes and seq it covers.
    static func table(_ path: String) -> (covered: Int, seq: Int)? {
        guard let index = MappedBytes(path: path + ".idx"), let identity = FileSystem.identity(of: path + ".idx"),
              let table = IDHashTable(path: path + ".idx.hash", index: index, identity: identity) else { return nil }
        return (table.covered, table.coveredSeq)
    }

    static func indexSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + ".idx")[.size] as? NSNumber)?.intValue ?? -1
    }

    /// Appends ids `id-n` for `ns` and checks each outcome: the seq of the event it already is
    /// (seq n + 1, for n below `count`), else new.
    static func expectOutcomes(_ log: Log, _ ns: [Int], count: Int, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try log.append(ns.map { draft($0, id: "id-\($0)") })
        for (n, outcome) in zip(ns, result.outcomes) {
            if n < count {
                #expect(outcome.existing && outcome.seq == n + 1, "\(label): id-\(n) → \(outcome)", sourceLocation: sourceLocation)
            } else {
                #expect(!outcome.existing, "\(label): id-\(n) → \(outcome)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func idsAreFoundThroughTheTableExactlyAsTheLogHasThem() throws {
        let scratch = try Scratch()
        let (log, path) = try Self.log(3000, in: scratch)
        let built = try #require(Self.table(path))
        #expect(built.covered == (try Self.indexSize(path)) && built.seq == 3000)
        // Ids across the whole log, and new ones beside them, whose lengths and hashes collide.
        try Self.expectOutcomes(log, Array(stride(from: 0, to: 6000, by: 7)), count: 3000, "through the table")
        // The new events' entries come after what the table covers: found by reading those lines.
        let count = 3000 + (3000..<6000).filter { $0 % 7 == 0 }.count
        #expect(Self.table(path)?.covered == built.covered, "a few lines after it do not rebuild it")
        let again = try log.append([Self.draft(3003, id: "id-3003"), Self.draft(2999, id: "id-2999"), Self.draft(5998, id: "id-5998")])
        #expect(again.outcomes.map(\.existing) == [true, true, false])
        #expect(again.outcomes[0].seq == 3001 && again.outcomes[1].seq == 3000 && count > 3400)
    }

    enum Damage: String, CaseIterable, Sendable {
        case deleted, empty, garbage, everySlotZeroed, aBlockChecksumFlipped, cutShort, indexRebuilt, indexCut
    }

    @Test(arguments: Damage.allCases)
    func aTableThatDoesNotMatchTheIndexIsNeverBelieved(_ damage: Damage) throws {
        let scratch = try Scratch()
        let (log, path) = try Self.log(2000, in: scratch)
        let tablePath = path + ".idx.hash"
        var table = try Data(contentsOf: URL(fileURLWithPath: tablePath))
        // After the header: 8 bytes of checksum per block of 512 slots, then 8 bytes per slot.
        let slotCount = (table.count - IDHashTable.headerSize) * 64 / 513
        let slotsStart = IDHashTable.headerSize + slotCount / IDHashTable.slotsPerBlock * 8
        switch damage {
        case .deleted: try FileManager.default.removeItem(atPath: tablePath)
        case .empty: try Data().write(to: URL(fileURLWithPath: tablePath))
        case .garbage: try Data(repeating: 0x5A, count: table.count).write(to: URL(fileURLWithPath: tablePath))
        case .everySlotZeroed:
            for i in slotsStart..<table.count { table[i] = 0 }
            try table.write(to: URL(fileURLWithPath: tablePath))
        case .aBlockChecksumFlipped:
            table[IDHashTable.headerSize + 3] ^= 0x01
            try table.write(to: URL(fileURLWithPath: tablePath))
        case .cutShort: try table.prefix(table.count - 4096).write(to: URL(fileURLWithPath: tablePath))
        case .indexRebuilt: try FileManager.default.removeItem(atPath: path + ".idx") // rebuilt from the log: another file
        case .indexCut:
            // The same file, cut short (then brought up to date from the log by the next append).
            let index = try Data(contentsOf: URL(fileURLWithPath: path + ".idx"))
            let lines = index.split(separator: 0x0A, omittingEmptySubsequences: false)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".idx"))
            try handle.truncate(atOffset: UInt64(lines.prefix(1000).reduce(0) { $0 + $1.count + 1 }))
            try handle.close()
        }
        // Zeroed slots still sit under a header that matches: a lookup reads a block and refuses it.
        #expect((Self.table(path) != nil) == (damage == .everySlotZeroed), "\(damage)")
        try Self.expectOutcomes(log, Array(stride(from: 0, to: 4000, by: 3)), count: 2000, "\(damage)")
        try Self.expectOutcomes(log, Array(stride(from: 1, to: 2000, by: 5)), count: 2000, "\(damage), then")
        // Rebuilt, and matching the index whole.
        let rebuilt = try #require(Self.table(path), "\(damage): rebuilt")
        let size = try Self.indexSize(path)
        #expect(rebuilt.seq >= 1000 && rebuilt.covered <= size)
    }

    @Test func theTableIsRebuiltOnceTheIndexHasGrownPastIt() throws {
        let scratch = try Scratch()
        let (log, path) = try Self.log(1000, in: scratch)
        let first = try #require(Self.table(path))
        // More than a megabyte of index lines after it (a line is about 160 bytes).
        _ = try log.append((1000..<9000).map { Self.draft($0, id: "id-\($0)") })
        #expect(Self.table(path)?.covered == first.covered)
        try Self.expectOutcomes(log, [5, 8500, 9100], count: 9000, "grown")
        let rebuilt = try #require(Self.table(path))
        #expect(rebuilt.seq == 9000 && rebuilt.covered > first.covered)
    }

    @Test func idsThatAreNotASCIIAreComparedAsStrings() throws {
        let scratch = try Scratch()
        let path = scratch.path("l.jsonl")
        try Log.create(at: path)
        let log = try Log(path: path)
        // The Kelvin sign is canonically the letter K: as Swift strings, the two ids are equal.
        let kelvin = EventDraft(id: "\u{212A}-1", type: "t", source: "s", actor: "a", data: JSONObject([("v", .number(JSONNumber(1)))]))
        _ = try log.append([kelvin] + (0..<100).map { Self.draft($0, id: "id-\($0)") })
        _ = try log.append([Self.draft(0, id: "id-0")]) // writes the table
        let k = EventDraft(id: "K-1", type: "t", source: "s", actor: "a", data: JSONObject([("v", .number(JSONNumber(1)))]))
        #expect(try log.append([k]).outcomes.map(\.existing) == [true])
        #expect(try log.append([kelvin]).outcomes.map(\.existing) == [true])
    }
}
