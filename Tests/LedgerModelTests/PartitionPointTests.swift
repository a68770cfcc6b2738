import Testing
@testable import LedgerModel

/// `partitionPoint` finds where a sorted table's run of "before" positions ends — as a walk
/// from the start would — in any range of it, empty ones too, and passes on an error thrown.
struct PartitionPointTests {
    struct Unreadable: Error {}

    @Test func findsWhereTheRunEndsAsAWalkWould() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 7, 64, 1_000] {
            let values = (0..<count).map { _ in Int.random(in: 0..<50, using: &generator) }.sorted()
            for lower in Set([0, count / 3, count]) {
                for value in -1...51 {
                    let range = lower..<count
                    let walked = range.first { values[$0] >= value } ?? count
                    #expect(partitionPoint(range) { values[$0] < value } == walked, "count \(count), from \(lower), value \(value)")
                }
            }
        }
    }

    @Test func passesOnAnErrorThrownWhileHalving() {
        #expect(throws: Unreadable.self) { _ = try partitionPoint(0..<10) { i in if i == 5 { throw Unreadable() }; return i < 7 } }
        #expect((try? partitionPoint(0..<10) { $0 < 7 }) == 7)
    }
}
