import Testing
@testable import LedgerModel

/// `SeqMap` must answer as a `Dictionary` of the same keys and values would, after any mix of
/// settings, overwrites and removals (removal moves keys back within their probe runs: the
/// keys chosen here collide often), and compare equal whatever order it was filled in.
struct SeqMapTests {
    /// A small deterministic generator (SplitMix64), so a failure repeats.
    struct Numbers {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test(arguments: [50, 2_000, 1 << 20])
    func answersAsADictionaryAfterSettingsOverwritesAndRemovals(keyRange: Int) {
        var numbers = Numbers(state: UInt64(keyRange))
        var map = SeqMap()
        var expected: [Int: Int] = [:]
        for step in 0..<60_000 {
            let key = 1 + numbers.next(keyRange)
            switch numbers.next(10) {
            case 0..<6: map[key] = step; expected[key] = step
            case 6..<8: map[key] = nil; expected[key] = nil
            default: #expect(map[key] == expected[key])
            }
            if step % 5_000 == 0 { #expect(map.count == expected.count) }
        }
        #expect(map.count == expected.count)
        #expect(map.isEmpty == expected.isEmpty)
        for key in 0...min(keyRange + 1, 5_000) { #expect(map[key] == expected[key], "key \(key)") }
        for (key, value) in expected { #expect(map[key] == value) }
        #expect(Set(map.keys) == Set(expected.keys))
        #expect(Dictionary(uniqueKeysWithValues: map.pairs.map { ($0.key, $0.value) }) == expected)
        #expect(map[0] == nil && map[-3] == nil, "no key below 1 is ever held")
    }

    @Test func equalWhateverOrderItWasFilledInAndNotOtherwise() {
        let pairs = (1...3_000).map { ($0 * 7_919 % 100_003 + 1, $0) }
        var forwards = SeqMap(), backwards = SeqMap()
        for (k, v) in pairs { forwards[k] = v }
        backwards.reserveCapacity(pairs.count)
        for (k, v) in pairs.reversed() { backwards[k] = v }
        #expect(forwards == backwards)
        backwards[pairs[0].0] = -1
        #expect(forwards != backwards, "one value differs")
        backwards[pairs[0].0] = nil
        #expect(forwards != backwards, "one key fewer")
        #expect(SeqMap() == SeqMap())
    }

    @Test func membersAnswerAsASetAndRiseWhateverTheOrderOfInserts() {
        var numbers = Numbers(state: 7)
        var members = SeqMembers(), expected: Set<Int> = []
        for _ in 0..<20_000 {
            let seq = 1 + numbers.next(1_100_000)
            members.insert(seq)
            expected.insert(seq)
        }
        #expect(members.count == expected.count)
        #expect(Set(members) == expected)
        #expect(Array(members) == expected.sorted())
        for _ in 0..<20_000 {
            let seq = 1 + numbers.next(1_100_000)
            #expect(members.contains(seq) == expected.contains(seq))
        }
    }
}
