// SHA-256 as specified in FIPS 180-4, section 6.2, written for throughput:
// blocks are read straight from the caller's memory, the message schedule lives
// in a stack buffer, and hashing a short buffer performs no heap allocation. Where the
// processor has the SHA extensions, the blocks go to its own round instructions instead
// (HardwareSHA256): the same function, about seven times the throughput.

import HardwareSHA256

/// FIPS 180-4 SHA-256, incremental or one-shot.
///
/// Feed bytes with `update` in any number of pieces, then call `finalize()` once;
/// the digest depends only on the concatenation of the pieces. A value type: copying
/// a partially-fed hasher forks it. Messages must be shorter than 2^61 bytes.
public struct SHA256: Sendable {
    /// The eight working hash words H0…H7.
    var state: State
    /// Bytes not yet compressed (fewer than 64), held in place of an Array.
    var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    /// How many bytes of `pending` are in use (0..<64).
    var pendingCount: Int
    /// Total message length so far, in bytes.
    var length: UInt64

    /// How the blocks are compressed: the processor's SHA instructions where it has them.
    public enum Implementation: Sendable, CaseIterable {
        /// The rounds written out here, for any processor.
        case portable
        /// The x86-64 SHA extensions.
        case shaExtensions

        /// The fastest this processor can run.
        public static let fastest: Implementation = HardwareSHA256.isAvailable ? .shaExtensions : .portable

        /// The implementations this processor can run (tests check each against the vectors).
        public static var available: [Implementation] { HardwareSHA256.isAvailable ? allCases : [.portable] }
    }

    /// Creates a hasher for an empty message, compressing with `implementation` (which must be available).
    public init(implementation: Implementation = .fastest) {
        state = State(implementation: implementation)
        pending = (0, 0, 0, 0, 0, 0, 0, 0)
        pendingCount = 0
        length = 0
    }

    /// Appends `bytes` to the message. Whole 64-byte blocks are compressed in place, without copying.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var source = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(truncatingIfNeeded: remaining)

        if pendingCount > 0 {
            let take = Swift.min(64 - pendingCount, remaining)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) { buffer in
                (buffer.baseAddress! + offset).copyMemory(from: source, byteCount: take)
            }
            pendingCount += take
            source += take
            remaining -= take
            guard pendingCount == 64 else { return }
            var words = state
            withUnsafeBytes(of: &pending) { buffer in
                words.compress(buffer.baseAddress!, blocks: 1)
            }
            state = words
            pendingCount = 0
        }

        let blocks = remaining >> 6
        if blocks > 0 {
            state.compress(source, blocks: blocks)
            source += blocks << 6
            remaining &= 63
        }

        if remaining > 0 {
            let count = remaining
            withUnsafeMutableBytes(of: &pending) { buffer in
                buffer.baseAddress!.copyMemory(from: source, byteCount: count)
            }
            pendingCount = remaining
        }
    }

    /// Appends the contents of `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Appends the UTF-8 encoding of `string` to the message.
    public mutating func update(_ string: String) {
        string.withUTF8Bytes { update(UnsafeRawBufferPointer($0)) }
    }

    /// Pads the message and returns its digest.
    ///
    /// Call it after the last `update`. It leaves the hasher as it was, so calling it
    /// again (with no update in between) returns the same digest.
    public mutating func finalize() -> SHA256Digest {
        var words = state
        var block = pending
        let used = pendingCount
        let bitLength = length &<< 3
        withUnsafeMutableBytes(of: &block) { buffer in
            let base = buffer.baseAddress!
            base.storeBytes(of: 0x80, toByteOffset: used, as: UInt8.self)
            if used >= 56 {
                // No room for the 8-byte length: finish this block, then a block of zeros.
                (base + used + 1).initializeMemory(as: UInt8.self, repeating: 0, count: 63 - used)
                words.compress(UnsafeRawPointer(base), blocks: 1)
                base.initializeMemory(as: UInt8.self, repeating: 0, count: 56)
            } else {
                (base + used + 1).initializeMemory(as: UInt8.self, repeating: 0, count: 55 - used)
            }
            base.storeBytes(of: bitLength.bigEndian, toByteOffset: 56, as: UInt64.self)
            words.compress(UnsafeRawPointer(base), blocks: 1)
        }
        return SHA256Digest(
            UInt64(words.h0) << 32 | UInt64(words.h1),
            UInt64(words.h2) << 32 | UInt64(words.h3),
            UInt64(words.h4) << 32 | UInt64(words.h5),
            UInt64(words.h6) << 32 | UInt64(words.h7))
    }

    /// The SHA-256 digest of `bytes`. Allocates nothing on the heap.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The SHA-256 digest of the UTF-8 encoding of `string`.
    public static func hash(_ string: String) -> SHA256Digest {
        var string = string
        return string.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}

extension SHA256 {
    /// The intermediate hash value H0…H7 and the compression function that advances it.
    struct State: Sendable {
        var h0: UInt32, h1: UInt32, h2: UInt32, h3: UInt32
        var h4: UInt32, h5: UInt32, h6: UInt32, h7: UInt32
        let implementation: Implementation

        /// The initial hash value H(0) of FIPS 180-4 §5.3.3.
        init(implementation: Implementation) {
            h0 = 0x6a09_e667; h1 = 0xbb67_ae85; h2 = 0x3c6e_f372; h3 = 0xa54f_f53a
            h4 = 0x510e_527f; h5 = 0x9b05_688c; h6 = 0x1f83_d9ab; h7 = 0x5be0_cd19
            self.implementation = implementation
        }

        /// Processes `blocks` consecutive 64-byte blocks starting at `data` (no alignment needed).
        mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
            switch implementation {
            case .shaExtensions:
                var words = (h0, h1, h2, h3, h4, h5, h6, h7)
                withUnsafeMutableBytes(of: &words) { buffer in
                    HardwareSHA256.compress(buffer.baseAddress!.assumingMemoryBound(to: UInt32.self), data, blocks: blocks)
                }
                (h0, h1, h2, h3, h4, h5, h6, h7) = words
            case .portable:
                compressPortably(data, blocks: blocks)
            }
        }

        /// The rounds of FIPS 180-4 §6.2.2, written out.
        private mutating func compressPortably(_ data: UnsafeRawPointer, blocks: Int) {
            // One stack buffer: words 0..<16 hold the message schedule as a ring (W[t] lives in
            // slot t % 16), words 16..<80 a copy of the round constants K, so every round
            // addresses both from one base register.
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { scratch in
                let w = scratch.baseAddress!
                roundConstants.withUnsafeBufferPointer { constants in
                    (w + 16).initialize(from: constants.baseAddress!, count: 64)
                }
                var block = data
                for _ in 0..<blocks {
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    var bc = b ^ c
                    // Rounds 0..<16 take W straight from the block; rounds 16..<64 extend the
                    // schedule as they go, which keeps its dependency chain off the critical path.
                    sixteenRounds(&a, &b, &c, &d, &e, &f, &g, &h, &bc, w, 0, block, load: true)
                    var t = 16
                    while t < 64 {
                        sixteenRounds(&a, &b, &c, &d, &e, &f, &g, &h, &bc, w, t, block, load: false)
                        t &+= 16
                    }
                    // Intermediate hash value (§6.2.2 step 4).
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                    block += 64
                }
            }
        }
    }
}

/// Rounds t..<t+16 (§6.2.2 steps 1–3), with the working variables renamed instead of shuffled.
/// `bc` carries b ^ c from round to round for Maj.
@inline(__always)
private func sixteenRounds(
    _ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32,
    _ e: inout UInt32, _ f: inout UInt32, _ g: inout UInt32, _ h: inout UInt32,
    _ bc: inout UInt32, _ w: UnsafeMutablePointer<UInt32>, _ t: Int,
    _ block: UnsafeRawPointer, load: Bool
) {
    sha256Round(a, b, &d, e, f, g, &h, &bc, scheduleWord(0, w, t, block, load))
    sha256Round(h, a, &c, d, e, f, &g, &bc, scheduleWord(1, w, t, block, load))
    sha256Round(g, h, &b, c, d, e, &f, &bc, scheduleWord(2, w, t, block, load))
    sha256Round(f, g, &a, b, c, d, &e, &bc, scheduleWord(3, w, t, block, load))
    sha256Round(e, f, &h, a, b, c, &d, &bc, scheduleWord(4, w, t, block, load))
    sha256Round(d, e, &g, h, a, b, &c, &bc, scheduleWord(5, w, t, block, load))
    sha256Round(c, d, &f, g, h, a, &b, &bc, scheduleWord(6, w, t, block, load))
    sha256Round(b, c, &e, f, g, h, &a, &bc, scheduleWord(7, w, t, block, load))
    sha256Round(a, b, &d, e, f, g, &h, &bc, scheduleWord(8, w, t, block, load))
    sha256Round(h, a, &c, d, e, f, &g, &bc, scheduleWord(9, w, t, block, load))
    sha256Round(g, h, &b, c, d, e, &f, &bc, scheduleWord(10, w, t, block, load))
    sha256Round(f, g, &a, b, c, d, &e, &bc, scheduleWord(11, w, t, block, load))
    sha256Round(e, f, &h, a, b, c, &d, &bc, scheduleWord(12, w, t, block, load))
    sha256Round(d, e, &g, h, a, b, &c, &bc, scheduleWord(13, w, t, block, load))
    sha256Round(c, d, &f, g, h, a, &b, &bc, scheduleWord(14, w, t, block, load))
    sha256Round(b, c, &e, f, g, h, &a, &bc, scheduleWord(15, w, t, block, load))
}

/// W[t+i] + K[t+i], storing W[t+i] in ring slot `i`. With `load`, W comes from the block
/// (t is 0); otherwise W[t+i] = σ1(W[t+i-2]) + W[t+i-7] + σ0(W[t+i-15]) + W[t+i-16].
@inline(__always)
private func scheduleWord(
    _ i: Int, _ w: UnsafeMutablePointer<UInt32>, _ t: Int, _ block: UnsafeRawPointer, _ load: Bool
) -> UInt32 {
    let word: UInt32
    if load {
        word = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i &<< 2, as: UInt32.self))
    } else {
        let x = w[(i &+ 1) & 15], y = w[(i &+ 14) & 15]
        let sigma0 = rotr(rotr(x, 11) ^ x, 7) ^ (x &>> 3)       // ROTR7 ^ ROTR18 ^ SHR3
        let sigma1 = rotr(rotr(y, 2) ^ y, 17) ^ (y &>> 10)      // ROTR17 ^ ROTR19 ^ SHR10
        word = w[i] &+ sigma0 &+ w[(i &+ 9) & 15] &+ sigma1
    }
    w[i] = word
    return word &+ w[16 &+ t &+ i]
}

/// One SHA-256 round in renamed-register form: `d` receives the new e, `h` the new a.
///
/// `kw` is K[t] + W[t]. `bc` holds b ^ c on entry and a ^ b on exit, which is the next
/// round's b ^ c; Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)). The Σ and σ functions are
/// written as nested rotations, which needs fewer register copies than three separate ones.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
    _ bc: inout UInt32, _ kw: UInt32
) {
    // Everything not derived from e is summed first, so the path e → new e is Σ1 then two adds.
    let partial = h &+ kw &+ (g ^ (e & (f ^ g)))   // h + K[t] + W[t] + Ch(e, f, g)
    let sigma1 = rotr(rotr(rotr(e, 14) ^ e, 5) ^ e, 6)      // ROTR6 ^ ROTR11 ^ ROTR25
    let t1 = partial &+ sigma1
    let sigma0 = rotr(rotr(rotr(a, 9) ^ a, 11) ^ a, 2)      // ROTR2 ^ ROTR13 ^ ROTR22
    let ab = a ^ b
    let majority = b ^ (ab & bc)
    bc = ab
    d &+= t1
    h = t1 &+ sigma0 &+ majority
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}

private let roundConstants = HardwareSHA256.roundConstants

/// A 32-byte SHA-256 digest, stored as four big-endian-ordered words so it is cheap to copy, compare and hash.
///
/// Equality and hashing are over the 32 bytes. `hex`/`description` give the usual 64
/// lowercase hex characters, which `init?(hex:)` parses back.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    // Digest bytes 0–7, 8–15, 16–23, 24–31, each read as a big-endian integer.
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// The all-zero digest (32 zero bytes); its `hex` is 64 `0`s. Useful as a chain's "no predecessor".
    public static let zero = SHA256Digest(0, 0, 0, 0)

    /// The 32 digest bytes, in the standard order. Allocates an Array; prefer `writeHex` on hot paths.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, initialized in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            raw.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
            initialized = 32
        }
    }

    /// The digest as 64 lowercase hexadecimal characters.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            writeHex(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            return 64
        }
    }

    /// Same as `hex`.
    public var description: String { hex }

    /// Writes the 64 lowercase ASCII hex characters to `destination` (which must have room for 64 bytes). No allocation.
    public func writeHex(to destination: UnsafeMutableRawPointer) {
        Self.writeHex(w0, to: destination)
        Self.writeHex(w1, to: destination + 16)
        Self.writeHex(w2, to: destination + 32)
        Self.writeHex(w3, to: destination + 48)
    }

    @inline(__always)
    private static func writeHex(_ word: UInt64, to destination: UnsafeMutableRawPointer) {
        var i = 0
        while i < 16 {
            let nibble = UInt8(truncatingIfNeeded: word &>> UInt64(60 &- (i &<< 2))) & 0x0f
            // '0'...'9' are 0x30..., 'a'...'f' are 0x61... (0x61 - 10 = 0x57).
            destination.storeBytes(of: nibble &+ (nibble < 10 ? 0x30 : 0x57), toByteOffset: i, as: UInt8.self)
            i &+= 1
        }
    }

    /// Parses exactly 64 lowercase hex ASCII bytes; nil otherwise (uppercase rejected).
    public init?(hex: UnsafeRawBufferPointer) {
        guard hex.count == 64, let base = hex.baseAddress,
              let w0 = Self.parseWord(base),
              let w1 = Self.parseWord(base + 16),
              let w2 = Self.parseWord(base + 32),
              let w3 = Self.parseWord(base + 48)
        else { return nil }
        self.init(w0, w1, w2, w3)
    }

    /// Whether `hex` is exactly 64 lowercase hex characters — what `init?(hex:)` accepts — without
    /// parsing them (a replay checks every line's two digests and reads neither).
    public static func isHex(_ hex: UnsafeRawBufferPointer) -> Bool {
        guard hex.count == 64, let base = hex.baseAddress else { return false }
        var all = true
        for offset in stride(from: 0, to: 64, by: 8) { all = all && isHexEight(base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        return all
    }

    /// Parses exactly 64 lowercase hex characters; nil otherwise (uppercase rejected).
    public init?(hex: String) {
        var hex = hex
        guard let digest = hex.withUTF8({ SHA256Digest(hex: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = digest
    }

    /// Sixteen lowercase hex characters at `source` as a big-endian word, or nil.
    @inline(__always)
    private static func parseWord(_ source: UnsafeRawPointer) -> UInt64? {
        guard let high = parseEight(source.loadUnaligned(as: UInt64.self)),
              let low = parseEight(source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) else { return nil }
        return high << 32 | low
    }

    /// Whether all eight bytes of `x` are lowercase hex characters.
    @inline(__always)
    private static func isHexEight(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // Every byte below 0x80, so adding at most 0x50 to it never carries into the next.
        guard x & highs == 0 else { return false }
        let atLeast0 = x &+ ones &* (0x80 - 0x30), above9 = x &+ ones &* (0x80 - 0x3A)
        let atLeastA = x &+ ones &* (0x80 - 0x61), aboveF = x &+ ones &* (0x80 - 0x67)
        return (atLeast0 & ~above9 | atLeastA & ~aboveF) & highs == highs
    }

    /// Eight lowercase hex characters (loaded little-endian: the first character in the low byte)
    /// as their 32-bit value, or nil. Checks and converts all eight bytes at once (SWAR): verify
    /// and replay read two digests per line.
    @inline(__always)
    private static func parseEight(_ x: UInt64) -> UInt64? {
        guard isHexEight(x) else { return nil }
        let ones: UInt64 = 0x0101_0101_0101_0101
        // '0'…'9' are 0x30…0x39, 'a'…'f' 0x61…0x66: the low nibble, plus 9 for letters (bit 6).
        let n = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
        // Pack the nibbles, first character most significant: pairs, then pairs of pairs, then halves.
        let pairs = (n & 0x000F_000F_000F_000F) << 4 | (n >> 8) & 0x000F_000F_000F_000F
        let quads = (pairs & 0x0000_00FF_0000_00FF) << 8 | (pairs >> 16) & 0x0000_00FF_0000_00FF
        return (quads & 0xFFFF) << 16 | (quads >> 32) & 0xFFFF
    }
}
