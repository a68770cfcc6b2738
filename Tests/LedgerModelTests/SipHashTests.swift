import Testing
@testable import LedgerModel

/// SipHash against the reference implementation's vectors (github.com/veorq/SipHash,
/// `vectors.h`): key 00 01 … 0f, message 00 01 … (n − 1). The vectors are SipHash-2-4; the
/// ledger runs the same code with one compression round and three finalisation rounds.
struct SipHashTests {
    static let key: (UInt64, UInt64) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908)

    /// The 128-bit output's sixteen bytes, by message length.
    static let vectors128: [Int: String] = [
        0: "a3817f04ba25a8e66df67214c7550293", 1: "da87c1d86b99af44347659119b22fc45",
        2: "8177228da4a45dc7fca38bdef60affe4", 3: "9c70b60c5267a94e5f33b6b02985ed51",
        4: "f88164c12d9c8faf7d0f6e7c7bcd5579", 5: "1368875980776f8854527a07690e9627",
        6: "14eeca338b208613485ea0308fd7a15e", 7: "a1f1ebbed8dbc153c0b84aa61ff08239",
        8: "3b62a9ba6258f5610f83e264f31497b4", 9: "264499060ad9baabc47f8b02bb6d71ed",
        15: "5493e99933b0a8117e08ec0f97cfc3d9", 16: "6ee2a4ca67b054bbfd3315bf85230577",
        17: "473d06e8738db89854c066c47ae47740", 35: "a705f0e69da9a8f907241a2e923c8cc8",
        36: "3dc47d1f29c448461e9e76ed904f6711", 63: "5150d1772f50834a503e069a973fbd7c",
    ]

    /// The 64-bit output, read little-endian, by message length.
    static let vectors64: [Int: UInt64] = [
        0: 0x726f_db47_dd0e_0e31, 1: 0x74f8_39c5_93dc_67fd, 7: 0xab02_00f5_8b01_d137, 8: 0x93f5_f579_9a93_2462,
        15: 0xa129_ca61_49be_45e5, 16: 0x3f2a_cc7f_57c2_9bdb, 63: 0x958a_324c_eb06_4572,
    ]

    static func message(_ length: Int) -> [UInt8] { (0..<length).map { UInt8($0) } }

    static func hex(_ words: (UInt64, UInt64)) -> String {
        [words.0, words.1].flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func theReferenceVectorsOf128Bits() {
        for (length, expected) in Self.vectors128 {
            let hash = Self.message(length).withUnsafeBytes {
                SipHash.hash128($0, key: Self.key, compressionRounds: 2, finalizationRounds: 4)
            }
            #expect(Self.hex(hash) == expected, "length \(length)")
        }
    }

    @Test func theReferenceVectorsOf64Bits() {
        for (length, expected) in Self.vectors64 {
            let hash = Self.message(length).withUnsafeBytes {
                SipHash.hash64($0, key: Self.key, compressionRounds: 2, finalizationRounds: 4)
            }
            #expect(hash == expected, "length \(length)")
        }
    }

    /// An id's key is the same from its string and from its bytes, differs between ids that differ
    /// in one byte anywhere (or in length), and — for ids that are not ASCII — follows Swift's
    /// string equality (é as one character or as e and an accent).
    @Test func anIDsKeyIsItsBytesAndOnlyItsBytes() {
        let ids = ["ev-1", "gen/borough-1|MOPAC7.vwi/2009-04/p", "", "x", String(repeating: "a", count: 64)]
        for id in ids {
            #expect(EventIDs.Key(id) == Array(id.utf8).withUnsafeBytes { EventIDs.Key(utf8: $0) })
            var bytes = Array(id.utf8)
            for i in bytes.indices {
                let original = bytes[i]
                bytes[i] = original == 0x41 ? 0x42 : 0x41
                #expect(EventIDs.Key(String(decoding: bytes, as: UTF8.self)) != EventIDs.Key(id), "\(id) at \(i)")
                bytes[i] = original
            }
            #expect(EventIDs.Key(id + "\u{0}") != EventIDs.Key(id))
        }
        #expect(EventIDs.Key("caf\u{E9}") == EventIDs.Key("cafe\u{301}"))
        #expect(EventIDs.Key("caf\u{E9}") == Array("cafe\u{301}".utf8).withUnsafeBytes { EventIDs.Key(utf8: $0) })
    }
}
