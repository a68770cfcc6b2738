import Testing
@testable import LedgerModel

/// The fold's id table must answer as a `[String: Int]` would: ids compare as Swift strings.
struct EventIDsTests {
    @Test func answersAsADictionaryWouldWithRealAndCollidingSlots() {
        let ids = (0..<5000).map { "gen/borough-\($0 % 32)|indicator-\($0)/2016-12/p" } + ["caf\u{e9}", "cafe\u{301}", "x"]
        // Real keys, then keys whose first hash always collides (every id probes one long run of slots).
        for keyOf in [{ (id: String) in EventIDs.Key(id) }, { (id: String) in EventIDs.Key(first: 42, second: EventIDs.Key(id).second) }] {
            var table = EventIDs()
            var reference: [String: Int] = [:]
            for (i, id) in ids.enumerated() {
                table.insert(keyOf(id), seq: i + 1)
                reference[id] = i + 1
            }
            // An id seen again later (a tampered log, or a test): the latest seq wins, as assignment would.
            table.insert(keyOf("x"), seq: ids.count + 1)
            reference["x"] = ids.count + 1
            for id in ids + ["never", "gen/borough-1|indicator-1/2016-12/q"] {
                #expect(table.seq(of: keyOf(id)) == reference[id], "\(id)")
            }
        }
    }

    /// Ids are placed in the table a batch at a time; before that they are looked up where they
    /// wait. Across several batches, asked after every insert now and then: the same answers,
    /// an id inserted again in a later batch answering with its latest seq.
    @Test func answersAsADictionaryWouldAcrossBatchesAndWhileIdsWait() {
        let count = EventIDs.batchSize * 3 + 17
        var table = EventIDs()
        var reference: [String: Int] = [:]
        for i in 0..<count {
            // Every thousandth id is one seen a batch or so before (a tampered log): the latest wins.
            let id = i % 1000 == 999 && i > EventIDs.batchSize ? "id-\(i - EventIDs.batchSize - 5)" : "id-\(i)"
            table.insert(EventIDs.Key(id), seq: i + 1)
            reference[id] = i + 1
            if i % 977 == 0 || i % EventIDs.batchSize == EventIDs.batchSize - 1 {
                for probe in ["id-\(i)", "id-\(i / 2)", "id-\(max(0, i - EventIDs.batchSize - 5))", "never-\(i)"] {
                    #expect(table.seq(of: probe) == reference[probe], "\(probe) after \(i + 1) inserts")
                }
            }
        }
        for i in 0..<count + 10 {
            #expect(table.seq(of: "id-\(i)") == reference["id-\(i)"], "id-\(i)")
        }
        // Placed whole (as a table built and then only read is), it answers the same.
        table.placePending()
        for i in 0..<count + 10 {
            #expect(table.seq(of: "id-\(i)") == reference["id-\(i)"], "id-\(i), all placed")
        }
    }

    @Test func canonicallyEquivalentIdsAreOneIdAsSwiftStringsAre() {
        var table = EventIDs()
        table.insert(EventIDs.Key("caf\u{e9}"), seq: 3)
        #expect(table.seq(of: "cafe\u{301}") == 3)
        #expect(EventIDs().seq(of: "anything") == nil)
        #expect(EventIDs.Key("a") != EventIDs.Key("b"))
    }
}
