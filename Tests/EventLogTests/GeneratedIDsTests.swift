import Foundation
import Testing
@testable import EventLog

/// Ids made for events that bring none: version-4 UUIDs, drawn from a pool of the system's
/// random bytes that is refilled as it runs out.
struct GeneratedIDsTests {
    /// Across several refills of the pool: each id is a lower-case version-4 UUID, Foundation reads
    /// it as the same UUID, and none repeats.
    @Test func idsAreDistinctVersionFourUUIDsAcrossRefills() {
        var ids = GeneratedIDs()
        let count = GeneratedIDs.poolSize / 16 * 5 + 3 // five refills and a bit
        var seen: Set<String> = []
        let hex = Set("0123456789abcdef")
        for _ in 0..<count {
            let id = ids.next()
            let groups = id.split(separator: "-", omittingEmptySubsequences: false)
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { $0 == "-" || hex.contains($0) }, "\(id)")
            #expect(groups[2].first == "4", "\(id): not version 4")
            #expect("89ab".contains(groups[3].first!), "\(id): not the RFC 4122 variant")
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id, "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == count)
    }

    /// The pool is the system's randomness: every byte value turns up, in about equal numbers
    /// (a pool of zeros, or of one repeated block, would not).
    @Test func thePoolIsRandom() {
        let bytes = GeneratedIDs.randomBytes(1 << 16)
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        // 256 expected per value; a fair source stays well inside these bounds.
        #expect(counts.min()! > 150 && counts.max()! < 380, "\(counts.min()!)…\(counts.max()!)")
        #expect(GeneratedIDs.randomBytes(64) != GeneratedIDs.randomBytes(64))
    }
}
