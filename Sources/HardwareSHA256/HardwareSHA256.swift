// The SHA-256 compression function on the x86-64 SHA extensions (SHA-NI): the processor's
// own round instructions, about seven times the throughput of the portable rounds in
// EventLog's SHA256. A module of its own because it is compiled with the instruction set
// extensions enabled (see Package.swift); nothing else is, so no other code can come to
// depend on instructions an older processor lacks. EventLog calls it only when the
// processor says it has them, and falls back to its portable rounds otherwise.
//
// The round structure follows FIPS 180-4 §6.2.2 as the instructions split it: SHA256RNDS2
// does two rounds from the state held as (A, B, E, F) and (C, D, G, H); SHA256MSG1 and
// SHA256MSG2 compute the message schedule four words at a time.

#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
import _Builtin_intrinsics.intel.cpuid
#endif

public enum HardwareSHA256 {
    /// Whether this processor has the SHA extensions (and SSSE3 and SSE4.1, which the code also
    /// uses), asked once of CPUID.
    public static let isAvailable: Bool = {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        guard __get_cpuid(1, &a, &b, &c, &d) == 1 else { return false }
        let ssse3 = c & (1 << 9) != 0, sse41 = c & (1 << 19) != 0
        guard __get_cpuid_count(7, 0, &a, &b, &c, &d) == 1 else { return false }
        let sha = b & (1 << 29) != 0
        return ssse3 && sse41 && sha
        #else
        return false
        #endif
    }()

    /// Advances the hash words `h` (H0…H7) over `blocks` consecutive 64-byte blocks at `data`
    /// (no alignment needed). Call only when ``isAvailable``.
    public static func compress(_ h: UnsafeMutablePointer<UInt32>, _ data: UnsafeRawPointer, blocks: Int) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        precondition(isAvailable, "the processor has no SHA extensions")
        HardwareSHA256.roundConstants.withUnsafeBytes { k in
            compressBlocks(h, data, blocks: blocks, k.baseAddress!)
        }
        #else
        preconditionFailure("the SHA extensions exist only on x86-64")
        #endif
    }

    /// The 64 round constants K of FIPS 180-4 §4.2.2 (first 32 bits of the fractional parts of
    /// the cube roots of the first 64 primes): for these rounds and EventLog's portable ones.
public static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

}

#if arch(x86_64) && canImport(_Builtin_intrinsics)
private typealias Lanes = SIMD4<UInt32>

private func compressBlocks(_ h: UnsafeMutablePointer<UInt32>, _ data: UnsafeRawPointer, blocks: Int, _ k: UnsafeRawPointer) {
    // Big-endian words from little-endian lanes: reverse the bytes of each 32-bit lane.
    let byteSwap = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203)
    // The instructions keep the state as (F, E, B, A) and (H, G, D, C), lane 0 first.
    var abef = vector(Lanes(h[5], h[4], h[1], h[0]))
    var cdgh = vector(Lanes(h[7], h[6], h[3], h[2]))
    var block = data
    for _ in 0..<blocks {
        let (savedABEF, savedCDGH) = (abef, cdgh)
        // W[0…15] straight from the block, four words to a register.
        var w0 = _mm_shuffle_epi8(load(block), byteSwap)
        var w1 = _mm_shuffle_epi8(load(block + 16), byteSwap)
        var w2 = _mm_shuffle_epi8(load(block + 32), byteSwap)
        var w3 = _mm_shuffle_epi8(load(block + 48), byteSwap)
        fourRounds(&abef, &cdgh, w0, k, 0)
        fourRounds(&abef, &cdgh, w1, k, 1)
        fourRounds(&abef, &cdgh, w2, k, 2)
        fourRounds(&abef, &cdgh, w3, k, 3)
        // W[16…63]: each register of four words replaces the one sixteen words back.
        var group = 4
        while group < 16 {
            w0 = nextWords(w0, w1, w2, w3); fourRounds(&abef, &cdgh, w0, k, group)
            w1 = nextWords(w1, w2, w3, w0); fourRounds(&abef, &cdgh, w1, k, group &+ 1)
            w2 = nextWords(w2, w3, w0, w1); fourRounds(&abef, &cdgh, w2, k, group &+ 2)
            w3 = nextWords(w3, w0, w1, w2); fourRounds(&abef, &cdgh, w3, k, group &+ 3)
            group &+= 4
        }
        abef = _mm_add_epi32(abef, savedABEF)
        cdgh = _mm_add_epi32(cdgh, savedCDGH)
        block += 64
    }
    let (x, y) = (lanes(abef), lanes(cdgh))
    h[0] = x[3]; h[1] = x[2]; h[4] = x[1]; h[5] = x[0]
    h[2] = y[3]; h[3] = y[2]; h[6] = y[1]; h[7] = y[0]
}

/// Rounds 4g…4g+3: W + K for the four, two rounds with the low pair, two with the high pair.
@inline(__always)
private func fourRounds(_ abef: inout __m128i, _ cdgh: inout __m128i, _ w: __m128i, _ k: UnsafeRawPointer, _ group: Int) {
    let wk = _mm_add_epi32(w, load(k + group &* 16))
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk)
    abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_unpackhi_epi64(wk, wk))
}

/// W[t…t+3] from W[t-16…t-13] (`a`), W[t-12…t-9] (`b`), W[t-8…t-5] (`c`) and W[t-4…t-1] (`d`):
/// MSG1 adds σ0 of the words fifteen back, the add brings in W[t-7…t-4], MSG2 adds σ1 two back.
@inline(__always)
private func nextWords(_ a: __m128i, _ b: __m128i, _ c: __m128i, _ d: __m128i) -> __m128i {
    let (cl, dl) = (lanes(c), lanes(d))
    let sevenBack = vector(Lanes(cl[1], cl[2], cl[3], dl[0]))
    return _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(a, b), sevenBack), d)
}

@inline(__always) private func load(_ p: UnsafeRawPointer) -> __m128i {
    _mm_loadu_si128(p.assumingMemoryBound(to: __m128i_u.self))
}

@inline(__always) private func lanes(_ v: __m128i) -> Lanes { unsafeBitCast(v, to: Lanes.self) }
@inline(__always) private func vector(_ v: Lanes) -> __m128i { unsafeBitCast(v, to: __m128i.self) }

#endif
