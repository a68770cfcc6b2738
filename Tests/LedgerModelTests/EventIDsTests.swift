import Testing
@testable import LedgerModel

/// The fold's id table must answer exactly as a `[String: Int]` would, however the hash values collide.
struct EventIDsTests {
    @Test func answersAsADictionaryWouldWithRealAndCollidingHashes() {
        let ids = (0..<5000).map { "gen/borough-\($0 % 32)|indicator-\($0)/2016-12/p" } + ["caf\u{e9}", "cafe\u{301}", "x"]
        for hashOf in [{ (id: String) in id.hashValue }, { _ in 42 }, { (id: String) in id.count }] { // any hash consistent with String equality
            var table = EventIDs()
            var reference: [String: Int] = [:]
            for (i, id) in ids.enumerated() {
                table.insert(id, hash: hashOf(id), seq: i + 1)
                reference[id] = i + 1
            }
            // An id seen again later (a tampered log, or a test): the latest seq wins, as assignment would.
            table.insert("x", hash: hashOf("x"), seq: ids.count + 1)
            reference["x"] = ids.count + 1
            for id in ids + ["never", "gen/borough-1|indicator-1/2016-12/q"] {
                #expect(table.seq(of: id, hash: hashOf(id)) == reference[id], "\(id)")
            }
        }
    }

    @Test func canonicallyEquivalentIdsAreOneIdAsSwiftStringsAre() {
        var table = EventIDs()
        table.insert("caf\u{e9}", hash: "caf\u{e9}".hashValue, seq: 3)
        #expect(table.seq(of: "cafe\u{301}") == 3)
        #expect(EventIDs().seq(of: "anything") == nil)
    }
}
