#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The little the command line needs from the system, on the C library alone: without
// Foundation the executable is 22 MB instead of 78 and starts sooner (a whole-process view or
// append is a few milliseconds, of which starting was a fair part).

/// The environment variables the command line reads, as `getenv` finds them: the three it
/// reads, by name, not the whole environment made into a dictionary.
func processEnvironment() -> [String: String] {
    var environment: [String: String] = [:]
    for name in environmentNamesRead {
        if let value = getenv(name) { environment[name] = String(cString: value) }
    }
    return environment
}

/// Every variable a command reads: the default ledger, the checkpoints' interval, the default actor.
private let environmentNamesRead = ["OUTTURN_LEDGER", "OUTTURN_CHECKPOINT_EVERY", "USER"]

/// Everything on standard input, read until its end.
func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 { bytes.append(contentsOf: chunk[..<count]) } else if count == 0 || errno != EINTR { break }
    }
    return bytes
}

/// `value` with `decimals` digits after the point, as C's `%.Nf` writes it (`String(format:)`
/// wrote it so too).
func fixed(_ value: Double, decimals: Int) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 400) { buffer in
        _ = withVaList([value]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.\(decimals)f", $0) }
        return String(cString: buffer.baseAddress!)
    }
}

extension String {
    /// The string padded with spaces on the right to `width` characters (not cut if longer).
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// Whether a scalar is a letter, a mark or a number (Unicode's general categories L, M and N):
/// what Foundation's `CharacterSet.alphanumerics` holds.
func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark,
         .decimalNumber, .letterNumber, .otherNumber: true
    default: false
    }
}
