import Testing
@testable import Ledger

/// A checkpoint's strings, made only when asked for: each as written, found as strings compare,
/// and a section that does not hold what its count says is malformed.
struct CheckpointStringsTests {
    /// A strings section as the builder writes one.
    func section(_ strings: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for string in strings { CheckpointStrings.write(string, to: &bytes) }
        return bytes
    }

    @Test func aStringsLengthWordIsItsLengthAndWhetherItIsASCII() {
        #expect(section(["ab"]) == [2, 0, 0, 0, 0x61, 0x62])
        #expect(section(["caf\u{e9}"]) == [5, 0, 0, 0x80, 0x63, 0x61, 0x66, 0xC3, 0xA9])
        #expect(section([""]) == [0, 0, 0, 0])
    }

    @Test func eachStringIsTheOneWrittenAndFoundAsStringsCompare() throws {
        let written = ["borough-1", "MOPAC7.burglary", "", "caf\u{e9}", "\u{212A}-1", "target:borough-2/t-9", "borough-1"]
        let bytes = section(written)
        try bytes.withUnsafeBytes { raw in
            let strings = try CheckpointStrings(raw, count: written.count)
            #expect(strings.count == written.count)
            for (i, string) in written.enumerated() {
                #expect(try strings.string(UInt32(i)) == string && strings.utf8Count(i) == string.utf8.count)
                #expect(Array(strings.utf8(i)) == Array(string.utf8))
                #expect(try strings.string(UInt32(i)) == string) // made once, then kept
            }
            #expect(throws: StateCheckpoint.Malformed.self) { try strings.string(UInt32(written.count)) }
            // The first of equal strings; ASCII by bytes, the rest as Swift compares them.
            #expect(strings.firstIndex(of: "borough-1") == 0)
            #expect(strings.firstIndex(of: "MOPAC7.burglary") == 1)
            #expect(strings.firstIndex(of: "cafe\u{301}") == 3)
            #expect(strings.firstIndex(of: "K-1") == 4)
            #expect(strings.firstIndex(of: "borough-10") == nil && strings.firstIndex(of: "borough") == nil)
            // Several at once, as one pass finds them (the one that is not there found nowhere).
            #expect(strings.indices(of: ["MOPAC7.burglary", "K-1", "target:borough-2/t-9", "absent"]) == [1, 4, 5])
            #expect(strings.indices(of: ["\u{212A}-1", "caf\u{e9}"]) == [3, 4])
            #expect(strings.indices(of: []).isEmpty)
        }
    }

    @Test func aSectionThatDoesNotHoldItsStringsIsMalformed() {
        let bytes = section(["one", "two"])
        bytes.withUnsafeBytes { raw in
            #expect(throws: StateCheckpoint.Malformed.self) { _ = try CheckpointStrings(raw, count: 3) }
            #expect(throws: StateCheckpoint.Malformed.self) { _ = try CheckpointStrings(UnsafeRawBufferPointer(rebasing: raw.dropLast()), count: 2) }
            #expect((try? CheckpointStrings(raw, count: 2))?.count == 2)
        }
        // A length word past the section's end, with or without the not-ASCII bit, or all ones.
        for word: [UInt8] in [[9, 0, 0, 0], [4, 0, 0, 0x80], [0xFF, 0xFF, 0xFF, 0x7F], [0xFF, 0xFF, 0xFF, 0xFF], [1, 0]] {
            (section(["one"]) + word + [0x61, 0x62, 0x63]).withUnsafeBytes { raw in
                #expect(throws: StateCheckpoint.Malformed.self, "\(word)") { _ = try CheckpointStrings(raw, count: 2) }
            }
        }
    }
}
