#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ids for events that come without one: random (version 4) UUIDs in lower-case hex,
/// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
///
/// The randomness is the system's, drawn a few kilobytes at a time: a feed of tens of
/// thousands of figures without ids needs as many, and one system call per byte (as
/// `UInt8.random` makes) cost 12 µs an id — more than the rest of the append.
struct GeneratedIDs {
    /// Random bytes not yet used.
    private var pool: [UInt8] = []
    private var used = 0

    /// How many random bytes are drawn at once.
    static let poolSize = 4096

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func next() -> String {
        if used + 16 > pool.count {
            pool = Self.randomBytes(Self.poolSize)
            used = 0
        }
        defer { used += 16 }
        return pool.withUnsafeBufferPointer { pool in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for i in 0..<16 {
                    var byte = pool[used + i]
                    if i == 6 { byte = byte & 0x0F | 0x40 } // version 4
                    if i == 8 { byte = byte & 0x3F | 0x80 } // RFC 4122 variant
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = Self.hexDigits[Int(byte >> 4)]
                    text[at + 1] = Self.hexDigits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    /// `count` bytes from the system's source of randomness.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var filled = 0
            #if os(Linux)
            let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            if urandom >= 0 {
                while filled < count {
                    let got = read(urandom, buffer.baseAddress! + filled, count - filled)
                    if got > 0 { filled += got } else if got == 0 || errno != EINTR { break }
                }
                close(urandom)
            }
            #else
            arc4random_buf(buffer.baseAddress!, count)
            filled = count
            #endif
            // Where it cannot be read (a sandbox without /dev), the standard library's generator.
            var generator = SystemRandomNumberGenerator()
            while filled < count {
                buffer[filled] = UInt8.random(in: 0...255, using: &generator)
                filled += 1
            }
        }
        return bytes
    }
}
