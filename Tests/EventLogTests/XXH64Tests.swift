import Testing
@testable import EventLog

/// XXH64 against the reference implementation's outputs (python-xxhash 3, which wraps the C
/// library, and vectors published with other ports): every length path — under 4, under 8,
/// under 32 and 32-byte stripes, with and without a tail.
struct XXH64Tests {
    /// A fixed pattern of 1,000 bytes: byte i is (31·i + 7) mod 251.
    static let pattern: [UInt8] = (0..<1000).map { UInt8((31 * $0 + 7) % 251) }

    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999 as UInt64),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("ABC", 0xE66A_E735_4FCF_EE98),
        ("xxhash", 0x32DD_3895_2C4B_C720),
        ("abcdefghijklmnopqrstuvwxyz12345", 0x4676_0590_1B01_D6F6),
        ("The quick brown fox jumps over the lazy dog", 0x0B24_2D36_1FDA_71BC),
    ])
    func publishedVectors(text: String, expected: UInt64) {
        #expect(XXH64.hash(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        (31, 0x3391_303D_485E_846E as UInt64), (32, 0x40B7_AFF7_5D45_BBC8), (33, 0x4997_CAE4_951C_17A5),
        (63, 0x2944_B4DA_FC69_B206), (64, 0xBB76_F6EF_19BD_5A1B), (65, 0x814E_0C65_4A9F_D640),
        (100, 0xF0B2_9A91_5621_716D), (1000, 0x9E33_00C1_CDE3_C58D),
    ])
    func everyLengthPath(length: Int, expected: UInt64) {
        #expect(XXH64.hash(Array(Self.pattern.prefix(length))) == expected)
    }

    @Test func seeds() {
        #expect(XXH64.hash([], seed: 668_718_853) == 0x04E8_3058_2A31_A119)
        #expect(XXH64.hash(Self.pattern, seed: 0x6F75_7474_7572) == 0xF45B_885A_E9F3_6435)
    }

    /// The checksum of a large buffer changes with any single flipped bit, and does not
    /// depend on how many cores worked it out.
    @Test func checksumSeesEveryByte() {
        let piece = XXH64.checksumPiece
        #expect(piece == 1 << 16)
        var big = [UInt8](repeating: 0, count: piece * 3 + 12_345)
        for i in stride(from: 0, to: big.count, by: 4093) { big[i] = UInt8(i % 256) }
        let sum = big.withUnsafeBytes { XXH64.checksum($0) }
        #expect(sum == big.withUnsafeBytes { XXH64.checksum($0) })
        for position in [0, piece, piece + 1, big.count - 1] {
            big[position] ^= 0x10
            #expect(big.withUnsafeBytes { XXH64.checksum($0) } != sum, "byte \(position)")
            big[position] ^= 0x10
        }
        // In parts, split anywhere (across a piece's boundary too), the same checksum.
        for cuts in [[0], [1, 100], [piece - 3, piece + 5], [piece / 2, piece * 2 + 7, big.count - 1], [big.count]] {
            let bounds = [0] + cuts + [big.count]
            let parts = zip(bounds, bounds.dropFirst()).map { Array(big[$0..<$1]) }
            func nest(_ i: Int, _ opened: [UnsafeRawBufferPointer]) -> UInt64 {
                i < parts.count ? parts[i].withUnsafeBytes { nest(i + 1, opened + [$0]) } : XXH64.checksum(parts: opened)
            }
            #expect(nest(0, []) == sum, "cut at \(cuts)")
        }
        // The checksum is the hash of the pieces' digests, each the hash of its piece.
        let digests = big.withUnsafeBytes { XXH64.pieceDigests(parts: [$0]) }
        #expect(digests.count == 4 * 8 && XXH64.hash(digests) == sum)
        #expect(Array(digests[24..<32]) == withUnsafeBytes(of: XXH64.hash(Array(big[(piece * 3)...])).littleEndian) { Array($0) })
        // One piece: the checksum is the hash of that piece's digest.
        let small = Array(Self.pattern)
        var digest: [UInt8] = []
        withUnsafeBytes(of: XXH64.hash(small).littleEndian) { digest.append(contentsOf: $0) }
        #expect(small.withUnsafeBytes { XXH64.checksum($0) } == XXH64.hash(digest))
    }
}
