/// xxHash64 (Yann Collet's XXH64): a fast, well-mixed 64-bit checksum — not a cryptographic
/// hash. It guards caches beside the log against damage (a flipped bit, a torn copy), never
/// the log itself, which SHA-256 chains.
///
/// Checked against the reference implementation's outputs (see XXH64Tests).
public enum XXH64 {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The digest of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        var offset = 0
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
            while offset + 32 <= count {
                v1 = round(v1, word(bytes, offset))
                v2 = round(v2, word(bytes, offset + 8))
                v3 = round(v3, word(bytes, offset + 16))
                v4 = round(v4, word(bytes, offset + 24))
                offset += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            for v in [v1, v2, v3, v4] { h = (h ^ round(0, v)) &* prime1 &+ prime4 }
        } else {
            h = seed &+ prime5
        }
        h &+= UInt64(count)
        while offset + 8 <= count {
            h ^= round(0, word(bytes, offset))
            h = rotl(h, 27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= count {
            h ^= UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) &* prime1
            h = rotl(h, 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < count {
            h ^= UInt64(bytes[offset]) &* prime5
            h = rotl(h, 11) &* prime1
            offset += 1
        }
        h ^= h >> 33
        h &*= prime2
        h ^= h >> 29
        h &*= prime3
        h ^= h >> 32
        return h
    }

    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// The bytes a checksum digests one at a time (the last piece may be shorter): small enough
    /// that a reader of a few parts of a large body checks little more than it reads (a view
    /// of one indicator of a London-wide checkpoint, a few hundred KB of its 139 MB), large
    /// enough that the digests of a body stay a small file (8 bytes a piece).
    public static let checksumPiece = 1 << 16

    /// The checksum of a large buffer, worked out on every core: the XXH64 of each 64 KiB
    /// piece, then the XXH64 of those digests (little-endian, in order: ``pieceDigests(parts:)``).
    /// The same bytes give the same checksum on any machine; the digests let a reader check
    /// only the pieces it reads.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        checksum(parts: [bytes])
    }

    /// The checksum of `parts` one after another, as if they were one buffer (so a writer can
    /// check what it writes without joining it first).
    public static func checksum(parts: [UnsafeRawBufferPointer]) -> UInt64 {
        hash(pieceDigests(parts: parts))
    }

    /// The XXH64 of each piece of `parts` joined (one piece for no bytes), as the little-endian
    /// bytes the checksum digests.
    public static func pieceDigests(parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        let piece = checksumPiece
        let total = parts.reduce(0) { $0 + $1.count }
        let pieces = max(1, (total + piece - 1) / piece)
        nonisolated(unsafe) let shared = parts // only read, and only until concurrentMap returns
        let digests = concurrentMap(count: pieces, minimumPerChunk: max(1, (1 << 20) / piece)) { i in
            hash(range: i * piece..<min(total, (i + 1) * piece), of: shared)
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(digests.count * 8)
        for digest in digests { joined.appendLittleEndian(digest) }
        return joined
    }

    /// The XXH64 of the bytes `range` of `parts` joined: in place when one part holds them all.
    private static func hash(range: Range<Int>, of parts: [UnsafeRawBufferPointer]) -> UInt64 {
        var gathered: [UInt8] = []
        var start = 0
        for part in parts {
            let (lower, upper) = (max(range.lowerBound, start), min(range.upperBound, start + part.count))
            if lower < upper {
                let slice = UnsafeRawBufferPointer(rebasing: part[(lower - start)..<(upper - start)])
                if lower..<upper == range { return hash(slice) }
                if gathered.isEmpty { gathered.reserveCapacity(range.count) }
                gathered.append(contentsOf: slice)
            }
            start += part.count
        }
        return hash(gathered)
    }

    @inline(__always) private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* prime2, 31) &* prime1
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 {
        (x << r) | (x >> (64 - r))
    }
}
