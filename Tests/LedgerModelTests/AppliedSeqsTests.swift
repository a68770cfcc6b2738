import Testing
@testable import LedgerModel

/// The seqs a fold applied hold exactly the seqs inserted, whether kept by word (a narrowed
/// view's few hundred), in one array (room made for many), or moved from one to the other.
struct AppliedSeqsTests {
    @Test(arguments: [(count: 300, reserved: false), (count: 300, reserved: true), (count: 40_000, reserved: false)])
    func holdsExactlyTheSeqsInserted(count: Int, reserved: Bool) {
        var generator = SystemRandomNumberGenerator()
        let limit = 1_100_000
        var applied = AppliedSeqs()
        if reserved { applied.reserveCapacity(upTo: limit, count: limit) }
        var inserted: Set<Int> = [0, limit - 1]
        while inserted.count < count { inserted.insert(Int.random(in: 0..<limit, using: &generator)) }
        for seq in inserted.shuffled() { applied.insert(seq) }
        // (40,000 spread seqs fill more words than are kept by word: they were moved into one array.)
        var wrong = 0
        for seq in 0..<limit where applied.contains(seq) != inserted.contains(seq) { wrong += 1 }
        #expect(wrong == 0)
        #expect(!applied.contains(-1) && !applied.contains(limit) && !applied.contains(.max))
    }

    @Test func roomForAFewKeepsThemByWord() {
        var applied = AppliedSeqs()
        applied.reserveCapacity(upTo: 500, count: 10) // too few to make the array
        applied.insert(64)
        applied.insert(1_000_000)
        #expect(applied.contains(64) && applied.contains(1_000_000) && !applied.contains(65) && !applied.contains(999_999))
    }
}
