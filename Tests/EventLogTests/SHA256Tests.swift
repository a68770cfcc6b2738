import Foundation
import Testing

@testable import EventLog

@Suite("SHA-256")
struct SHA256Tests {
    /// The first `count` bytes of a deterministic pattern: byte i is (31·i + 7) mod 256.
    private static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(($0 &* 31 &+ 7) & 0xff) }
    }

    // MARK: Known answers

    /// FIPS 180-4 / NIST example messages and their digests.
    static let nistVectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test(arguments: nistVectors)
    func matchesTheNISTExampleDigests(_ vector: (message: String, digest: String)) {
        #expect(SHA256.hash(vector.message).hex == vector.digest)
        #expect(SHA256.hash(Array(vector.message.utf8)).hex == vector.digest)
        let viaPointer = Array(vector.message.utf8).withUnsafeBytes { SHA256.hash($0) }
        #expect(viaPointer.hex == vector.digest)
        var hasher = SHA256()
        hasher.update(vector.message)
        #expect(hasher.finalize().hex == vector.digest)
    }

    @Test func hashesOneMillionLowercaseAs() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message).hex == expected)

        // The same message fed in uneven pieces that straddle block boundaries.
        var hasher = SHA256()
        var offset = 0
        while offset < message.count {
            let end = min(offset + 997, message.count)
            message[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
        }
        #expect(hasher.finalize().hex == expected)
    }

    @Test func matchesSha256sumForEveryLengthUpTo200() throws {
        let tool = "/usr/bin/sha256sum"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "needs \(tool)")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sha256-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let lengths = Array(0...200)
        let names = lengths.map { String(format: "len-%03d.bin", $0) }
        for (length, name) in zip(lengths, names) {
            try Data(Self.pattern(length)).write(to: directory.appendingPathComponent(name))
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = names
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)

        // Each line is "<64 hex>  <name>".
        var expected: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            try #require(parts.count == 2, "unexpected sha256sum line: \(line)")
            expected[parts[1].trimmingCharacters(in: .whitespaces)] = String(parts[0])
        }
        try #require(expected.count == lengths.count)

        for (length, name) in zip(lengths, names) {
            let digest = SHA256.hash(Self.pattern(length))
            #expect(digest.hex == expected[name], "length \(length)")
        }
    }

    // MARK: Both implementations

    /// `message` hashed by `implementation`, fed in pieces of `piece` bytes.
    private static func digest(_ message: [UInt8], _ implementation: SHA256.Implementation, piece: Int = .max) -> SHA256Digest {
        var hasher = SHA256(implementation: implementation)
        var offset = 0
        repeat {
            let end = offset + min(piece, message.count - offset)
            message[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
        } while offset < message.count
        return hasher.finalize()
    }

    @Test(arguments: SHA256.Implementation.available)
    func eachImplementationGivesTheNISTDigests(_ implementation: SHA256.Implementation) {
        for vector in Self.nistVectors {
            #expect(Self.digest(Array(vector.message.utf8), implementation).hex == vector.digest, "\(implementation) \(vector.message)")
        }
        let millionAs = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.digest(millionAs, implementation, piece: 4093).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func theImplementationsAgreeOnEveryLengthAndSplit() {
        // Every length to 600 bytes (nine blocks and every tail), random content, fed whole and
        // in pieces that straddle block boundaries: one compress call of many blocks and many of one.
        var generator = SplitMix64(seed: 0x5A)
        var disagreements: [Int] = []
        for length in 0...600 {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let portable = Self.digest(message, .portable)
            for implementation in SHA256.Implementation.available {
                for piece in [Int.max, 1, 63, 64, 65, 200] where Self.digest(message, implementation, piece: piece) != portable {
                    disagreements.append(length)
                }
            }
        }
        #expect(disagreements == [])
    }

    @Test func theSHAExtensionsAreUsedExactlyWhenTheKernelReportsThem() throws {
        // The kernel's own reading of CPUID, as an independent check of ours.
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        let kernelSays = flags.contains("sha_ni") && flags.contains("ssse3") && flags.contains("sse4_1")
        #expect((SHA256.Implementation.fastest == .shaExtensions) == kernelSays)
        #expect(SHA256.Implementation.available.contains(.shaExtensions) == kernelSays)
    }

    // MARK: Incremental hashing

    @Test func splittingTheInputAtEveryOffsetGivesTheOneShotDigest() {
        let message = Self.pattern(300)
        let oneShot = SHA256.hash(message)
        let badSplits = (0...message.count).filter { split in
            var hasher = SHA256()
            hasher.update(Array(message[..<split]))
            hasher.update(Array(message[split...]))
            return hasher.finalize() != oneShot
        }
        #expect(badSplits == [])
    }

    @Test func splittingTheInputIntoThreePiecesGivesTheOneShotDigest() {
        let message = Self.pattern(150)
        let oneShot = SHA256.hash(message)
        var badSplits: [[Int]] = []
        for first in stride(from: 0, through: message.count, by: 7) {
            for second in first...message.count {
                var hasher = SHA256()
                message[..<first].withUnsafeBytes { hasher.update($0) }
                message[first..<second].withUnsafeBytes { hasher.update($0) }
                message[second...].withUnsafeBytes { hasher.update($0) }
                if hasher.finalize() != oneShot { badSplits.append([first, second]) }
            }
        }
        #expect(badSplits == [])
    }

    @Test func feedingOneByteAtATimeGivesTheOneShotDigest() {
        let message = Self.pattern(300)
        var hasher = SHA256()
        for byte in message { hasher.update([byte]) }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test func emptyUpdatesChangeNothing() {
        var hasher = SHA256()
        hasher.update([])
        hasher.update("")
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        hasher.update("abc")
        hasher.update([])
        #expect(hasher.finalize() == SHA256.hash("abc"))
    }

    @Test func finalizingTwiceGivesTheSameDigest() {
        var hasher = SHA256()
        hasher.update(Self.pattern(100))
        let first = hasher.finalize()
        #expect(hasher.finalize() == first)
        #expect(first == SHA256.hash(Self.pattern(100)))
    }

    @Test func aStringHashesAsItsUTF8Bytes() {
        let text = "café — ünïcödé ✓ 𝄞"
        #expect(SHA256.hash(text) == SHA256.hash(Array(text.utf8)))
        var hasher = SHA256()
        hasher.update(text)
        #expect(hasher.finalize() == SHA256.hash(Array(text.utf8)))
    }

    // MARK: Digest

    @Test func digestHexRoundTrips() throws {
        for length in [0, 1, 55, 56, 64, 100] {
            let digest = SHA256.hash(Self.pattern(length))
            let parsed = try #require(SHA256Digest(hex: digest.hex))
            #expect(parsed == digest)
            let parsedRaw = Array(digest.hex.utf8).withUnsafeBytes { SHA256Digest(hex: $0) }
            #expect(parsedRaw == digest)
        }
    }

    @Test func digestHexRejectsWrongLengths() {
        let hex = SHA256.hash("abc").hex
        #expect(SHA256Digest(hex: String(hex.dropLast())) == nil)      // 63
        #expect(SHA256Digest(hex: hex + "0") == nil)                    // 65
        #expect(SHA256Digest(hex: "") == nil)
        #expect(SHA256Digest(hex: hex + hex) == nil)
        #expect(SHA256Digest(hex: UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
    }

    @Test func digestHexRejectsUppercaseAndNonHexCharacters() {
        let hex = SHA256.hash("abc").hex
        #expect(SHA256Digest(hex: hex.uppercased()) == nil)
        // Characters just outside '0'...'9' and 'a'...'f', plus uppercase and other junk.
        for bad in ["/", ":", "`", "g", "A", "F", "G", " ", "\0", "\u{7f}"] {
            for position in [0, 15, 16, 40, 63] {
                var characters = Array(hex)
                characters[position] = Character(bad)
                #expect(SHA256Digest(hex: String(characters)) == nil, "\(bad.debugDescription) at \(position)")
            }
        }
        // 64 bytes, but one character is multi-byte UTF-8, so the byte count is wrong.
        #expect(SHA256Digest(hex: String(hex.dropLast()) + "é") == nil)
        // Bytes with the high bit set.
        var raw = Array(hex.utf8)
        raw[10] = 0xB0
        #expect(raw.withUnsafeBytes { SHA256Digest(hex: $0) } == nil)
    }

    @Test func digestHexParsesExactlyLowercaseHexAtEveryPosition() {
        // Every byte value at every position: the eight-at-a-time parser must agree with the
        // definition (accept '0'…'9' and 'a'…'f', nothing else) and put each nibble in its place.
        let digest = SHA256.hash("every byte")
        let hex = Array(digest.hex.utf8)
        for position in 0..<64 {
            for byte in 0...255 {
                var raw = hex
                raw[position] = UInt8(byte)
                let parsed = raw.withUnsafeBytes { SHA256Digest(hex: $0) }
                let isHex = (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
                if isHex {
                    #expect(parsed?.hex == String(decoding: raw, as: UTF8.self), "byte \(byte) at \(position)")
                } else if parsed != nil {
                    Issue.record("accepted byte \(byte) at \(position)")
                }
            }
        }
    }

    @Test func writeHexWritesTheSameCharactersAsHex() {
        for length in [0, 3, 64, 200] {
            let digest = SHA256.hash(Self.pattern(length))
            var buffer = [UInt8](repeating: 0xEE, count: 66)
            buffer.withUnsafeMutableBytes { digest.writeHex(to: $0.baseAddress! + 1) }
            #expect(String(decoding: buffer[1...64], as: UTF8.self) == digest.hex)
            #expect(buffer[0] == 0xEE && buffer[65] == 0xEE, "writes exactly 64 bytes")
        }
    }

    @Test func hexIsLowercaseAndDescriptionEqualsHex() {
        let digest = SHA256.hash("abc")
        #expect(digest.hex.utf8.count == 64)
        #expect(digest.hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(digest.description == digest.hex)
        #expect("\(digest)" == digest.hex)
    }

    @Test func zeroDigestIsSixtyFourZeros() {
        #expect(SHA256Digest.zero.hex == String(repeating: "0", count: 64))
        #expect(SHA256Digest.zero.bytes == [UInt8](repeating: 0, count: 32))
        #expect(SHA256Digest(hex: String(repeating: "0", count: 64)) == .zero)
        #expect(SHA256.hash("") != .zero)
    }

    @Test func bytesAreTheHexDigitsInOrder() {
        let digest = SHA256.hash("abc")
        #expect(digest.bytes.count == 32)
        #expect(digest.bytes.map { String(format: "%02x", $0) }.joined() == digest.hex)
        #expect(digest.bytes.prefix(4) == [0xba, 0x78, 0x16, 0xbf])
    }

    @Test func digestsCompareAndHashByValue() {
        let a = SHA256.hash("abc"), b = SHA256.hash(Array("abc".utf8)), c = SHA256.hash("abd")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        // Digests differing only in the last byte are distinct.
        var hex = Array(a.hex)
        hex[63] = hex[63] == "0" ? "1" : "0"
        #expect(SHA256Digest(hex: String(hex)) != a)
    }

    /// The check a replay makes of each line's digests accepts exactly what parsing them accepts:
    /// 64 lowercase hex characters, one byte changed anywhere to anything.
    @Test func checkingHexAcceptsExactlyWhatParsingAccepts() {
        var random = SplitMix64(seed: 64)
        let digest = SHA256.hash(Array("outturn".utf8)).hex
        var (accepted, rejected) = (0, 0)
        for round in 0..<20_000 {
            var bytes = Array(digest.utf8)
            if round % 5 != 0 { bytes[Int(random.next() % 64)] = UInt8(truncatingIfNeeded: random.next()) }
            if round % 97 == 0 { bytes.removeLast() }
            let parsed = bytes.withUnsafeBytes { SHA256Digest(hex: $0) } != nil
            #expect(bytes.withUnsafeBytes { SHA256Digest.isHex($0) } == parsed, "\(bytes)")
            if parsed { accepted += 1 } else { rejected += 1 }
        }
        #expect(accepted > 4000 && rejected > 4000)
    }

    /// A digest's hex, written eight characters at a time, is each of its words in base 16, padded:
    /// for words of every nibble, and round trips through parsing.
    @Test func hexIsEachWordInBase16() {
        var random = SplitMix64(seed: 16)
        let edge: [UInt64] = [0, .max, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0x9999_9999_aaaa_aaaa, 0x0a0a_0a0a_a0a0_a0a0]
        for round in 0..<5000 {
            let words = round < edge.count ? [edge[round], edge[(round + 1) % edge.count], 1, 0xf] : (0..<4).map { _ in random.next() }
            let digest = SHA256Digest(words[0], words[1], words[2], words[3])
            let expected = words.map { String(repeating: "0", count: 16 - String($0, radix: 16).count) + String($0, radix: 16) }.joined()
            #expect(digest.hex == expected)
            #expect(SHA256Digest(hex: expected) == digest)
        }
    }
}
