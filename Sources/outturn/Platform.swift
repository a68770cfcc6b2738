#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The little the command line needs from the system, on the C library alone: without
// Foundation the executable is a fifth of the size and starts sooner (a whole-process view or
// append is a few milliseconds, of which starting was a fair part).

/// The process's environment, as `NAME=value` pairs read into a dictionary (the first of a
/// repeated name wins, as `getenv` finds it).
func processEnvironment() -> [String: String] {
    var environment: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let pair = String(cString: pointer)
        if let equals = pair.firstIndex(of: "=") {
            let name = String(pair[..<equals])
            if environment[name] == nil { environment[name] = String(pair[pair.index(after: equals)...]) }
        }
        entry += 1
    }
    return environment
}

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

/// Whether anything is at `path`.
func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

/// Whether `path` is a folder.
func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
}

/// Writes `bytes` to `path` whole or not at all: to a file beside it, synced, then renamed over
/// it — so a reader never sees half, and a failed write leaves what was there. The system's
/// reason if it fails.
func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    var failure: String?
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 { if errno == EINTR { continue }; failure = String(cString: strerror(errno)); return }
            done += n
        }
    }
    if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if failure != nil { unlink(temporary) }
    return failure
}

/// Seconds on a clock that only goes forward (for rates).
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
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
