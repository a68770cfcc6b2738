#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thin wrapper over a POSIX file descriptor: every log file operation goes through here.
///
/// Each method retries `EINTR` (never on `close`), loops over short reads and writes, and
/// throws an ``EventLogError`` naming the syscall, the path and the errno. A failed
/// `fsync` is an error, never retried as if the data were safe.
struct FileDescriptor: Sendable {
    let rawValue: Int32
    let path: String

    /// Opens `path` with `open(2)` flags; `mode` applies when `O_CREAT` creates the file.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644, verb: String = "open") throws(EventLogError) -> FileDescriptor {
        let fd = valueOrErrno { Glibc.open(path, flags | O_CLOEXEC, mode) }
        switch fd {
        case .success(let fd): return FileDescriptor(rawValue: fd, path: path)
        case .failure(let failure): throw EventLogError.syscall(verb, path: path, errno: failure)
        }
    }

    /// Runs `body` with the file opened, closing it on every path out.
    static func withOpened<R>(_ path: String, _ flags: Int32, mode: mode_t = 0o644, verb: String = "open",
                              _ body: (FileDescriptor) throws(EventLogError) -> R) throws(EventLogError) -> R {
        let fd = try open(path, flags, mode: mode, verb: verb)
        defer { fd.close() }
        return try body(fd)
    }

    /// Closes the descriptor. Not retried on `EINTR` (the descriptor is gone either way).
    func close() {
        _ = Glibc.close(rawValue)
    }

    /// The file's size in bytes (`fstat`).
    func size() throws(EventLogError) -> Int {
        var st = stat()
        if fstat(rawValue, &st) != 0 { throw EventLogError.syscall("stat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (`pread`); returns how many were read (0 at end of file).
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws(EventLogError) -> Int {
        var done = 0
        while done < count {
            let result = valueOrErrno { pread(rawValue, buffer + done, count - done, off_t(offset + done)) }
            switch result {
            case .success(0): return done
            case .success(let n): done += n
            case .failure(let failure): throw EventLogError.syscall("read", path: path, errno: failure)
            }
        }
        return done
    }

    /// Reads exactly the bytes `[offset, offset + count)`; fewer at end of file.
    func readBytes(count: Int, at offset: Int) throws(EventLogError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: EventLogError?
        // Read straight into the array's storage: no pass of zeros first (a feed's file is megabytes).
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            switch Result(catching: { () throws(EventLogError) in try read(into: buffer.baseAddress!, count: count, at: offset) }) {
            case .success(let n): initialized = n
            case .failure(let error): (failure, initialized) = (error, 0)
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes all of `bytes` at `offset` (`pwrite`), looping over short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(EventLogError) {
        var done = 0
        while done < bytes.count {
            let result = valueOrErrno { pwrite(rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            switch result {
            case .success(let n): done += n
            case .failure(let failure): throw EventLogError.syscall("write", path: path, errno: failure)
            }
        }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(EventLogError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(EventLogError) in try write(raw, at: offset) } }.get()
    }

    /// Flushes the file's data and metadata to stable storage (`fsync`).
    func sync() throws(EventLogError) {
        let result = valueOrErrno { fsync(rawValue) }
        if case .failure(let failure) = result { throw EventLogError.syscall("synchronize", path: path, errno: failure) }
    }

    /// Cuts the file to `size` bytes (`ftruncate`).
    func truncate(to size: Int) throws(EventLogError) {
        let result = valueOrErrno { ftruncate(rawValue, off_t(size)) }
        if case .failure(let failure) = result { throw EventLogError.syscall("truncate", path: path, errno: failure) }
    }

    /// Takes an exclusive or shared `flock`, waiting at most `timeout` seconds (nil: forever).
    /// Throws `.lockTimeout` when another process holds it past the deadline.
    func lock(exclusive: Bool, timeout: Double?) throws(EventLogError) {
        let operation = exclusive ? LOCK_EX : LOCK_SH
        if timeout == nil {
            let result = valueOrErrno { flock(rawValue, operation) }
            if case .failure(let failure) = result { throw EventLogError.syscall("lock", path: path, errno: failure) }
            return
        }
        let deadline = monotonicSeconds() + (timeout ?? 0)
        var pause: UInt32 = 200 // microseconds, doubling to 20 ms
        while true {
            let result = valueOrErrno { flock(rawValue, operation | LOCK_NB) }
            switch result {
            case .success: return
            case .failure(let failure) where failure.rawValue == EWOULDBLOCK:
                if monotonicSeconds() >= deadline {
                    throw EventLogError(.lockTimeout, "could not lock '\(path)': another process held it for more than \(formatSeconds(timeout ?? 0)) s (use --wait to wait longer)", path: path)
                }
                usleep(pause)
                pause = min(pause * 2, 20_000)
            case .failure(let failure):
                throw EventLogError.syscall("lock", path: path, errno: failure)
            }
        }
    }

    /// Releases the `flock`.
    func unlock() {
        _ = flock(rawValue, LOCK_UN)
    }
}

/// Runs a syscall, retrying while it fails with `EINTR`; returns its non-negative result or the errno.
@inline(__always)
func valueOrErrno<I: FixedWidthInteger>(_ call: () -> I) -> Result<I, Errno> {
    while true {
        let value = call()
        if value >= 0 { return .success(value) }
        let code = errno
        if code != EINTR { return .failure(Errno(code)) }
    }
}

/// An `errno` value carried in a `Result`.
struct Errno: Error, Equatable {
    var rawValue: Int32
    init(_ rawValue: Int32) { self.rawValue = rawValue }
}

extension EventLogError {
    static func syscall(_ verb: String, path: String, errno: Errno) -> EventLogError {
        syscall(verb, path: path, errno: errno.rawValue)
    }
}

/// Seconds on the monotonic clock, for timeouts (and a command's rates).
package func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// File-system operations on paths (not on an open descriptor).
package enum FileSystem {
    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Whether `path` is a folder.
    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// What tells one version of a file from another: one renamed over it is another inode;
    /// one changed in place has another size or modification time.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
    }

    /// The identity of the file at `path`, or nil if there is none.
    static func identity(of path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int(st.st_size),
                        modified: Int(st.st_mtim.tv_sec), modifiedNanoseconds: Int(st.st_mtim.tv_nsec))
    }

    /// Renames `from` to `to`, replacing `to` (`rename(2)` is atomic).
    static func rename(_ from: String, to: String) throws(EventLogError) {
        if Glibc.rename(from, to) != 0 { throw EventLogError.syscall("rename", path: from, errno: errno) }
    }

    /// Fsyncs the directory holding `path`, so a file created or removed there survives a power cut.
    static func syncDirectory(of path: String) throws(EventLogError) {
        let dir = directory(of: path)
        try FileDescriptor.withOpened(dir, O_RDONLY | O_DIRECTORY) { (fd) throws(EventLogError) in try fd.sync() }
    }

    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
