/// SipHash (Aumasson and Bernstein, 2012): a keyed hash of short inputs, here with a 128-bit
/// output — for the event-id table, which keeps two 64-bit hashes of each id instead of the id.
///
/// Swift's `Hasher` is SipHash-1-3 with a 64-bit output; two of them (one salted) over a 40-byte
/// id read the id twice through its byte buffer, and were a tenth of a replay's decoding. One
/// pass with the 128-bit finalisation gives both halves. The rounds are parameters so the
/// reference vectors (SipHash-2-4) test the same code that runs with 1 and 3.
enum SipHash {
    /// The 128-bit hash of `bytes` under `key`, as two words: the first and second eight bytes of
    /// the output, read little-endian.
    @inline(__always)
    static func hash128(_ bytes: UnsafeRawBufferPointer, key: (UInt64, UInt64),
                        compressionRounds c: Int = 1, finalizationRounds d: Int = 3) -> (UInt64, UInt64) {
        var state = State(key: key, wide: true)
        state.absorb(bytes, rounds: c)
        state.v2 ^= 0xEE
        state.rounds(d)
        let first = state.v0 ^ state.v1 ^ state.v2 ^ state.v3
        state.v1 ^= 0xDD
        state.rounds(d)
        return (first, state.v0 ^ state.v1 ^ state.v2 ^ state.v3)
    }

    /// The 64-bit hash (the reference's other output), for testing the rounds against its vectors.
    static func hash64(_ bytes: UnsafeRawBufferPointer, key: (UInt64, UInt64),
                       compressionRounds c: Int, finalizationRounds d: Int) -> UInt64 {
        var state = State(key: key, wide: false)
        state.absorb(bytes, rounds: c)
        state.v2 ^= 0xFF
        state.rounds(d)
        return state.v0 ^ state.v1 ^ state.v2 ^ state.v3
    }

    private struct State {
        var v0, v1, v2, v3: UInt64

        @inline(__always)
        init(key: (UInt64, UInt64), wide: Bool) {
            v0 = key.0 ^ 0x736f_6d65_7073_6575 // "somepseu"
            v1 = key.1 ^ 0x646f_7261_6e64_6f6d ^ (wide ? 0xEE : 0) // "dorandom"
            v2 = key.0 ^ 0x6c79_6765_6e65_7261 // "lygenera"
            v3 = key.1 ^ 0x7465_6462_7974_6573 // "tedbytes"
        }

        /// Every eight bytes as a word, then the last 0–7 under the length's low byte.
        @inline(__always)
        mutating func absorb(_ bytes: UnsafeRawBufferPointer, rounds: Int) {
            let count = bytes.count
            var at = 0
            while at + 8 <= count {
                absorb(bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian, rounds: rounds)
                at += 8
            }
            var last = UInt64(truncatingIfNeeded: count) << 56
            var shift: UInt64 = 0
            while at < count {
                last |= UInt64(bytes[at]) << shift
                shift += 8
                at += 1
            }
            absorb(last, rounds: rounds)
        }

        @inline(__always)
        mutating func absorb(_ word: UInt64, rounds: Int) {
            v3 ^= word
            self.rounds(rounds)
            v0 ^= word
        }

        @inline(__always)
        mutating func rounds(_ count: Int) {
            for _ in 0..<count {
                v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
                v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
                v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
                v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
            }
        }
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
