#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the EventLog module: what failed, on which path, and why.
///
/// `code` says which kind of failure it is, so callers (the CLI) can map it to an exit
/// code; `message` is one human line that names the fix where there is one.
public struct EventLogError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure. New cases may be added.
    public enum Code: Sendable, Equatable {
        /// The ledger file does not exist.
        case notFound
        /// The ledger (or a file beside it) could not be created, e.g. it exists already.
        case cannotCreate
        /// A system call failed.
        case io
        /// The lock was held by another appender for longer than the caller would wait.
        case lockTimeout
        /// An appended event's id is present with different content.
        case conflict
        /// An event handed to `append` is not acceptable (bad id, bad `known`, …).
        case invalidEvent
        /// The log's bytes are not a valid chain (found while reading, not by `verify`).
        case corrupt
    }

    public var code: Code
    public var message: String
    /// The file the failure concerns, when there is one.
    public var path: String?
    /// The `errno` of the failed system call, when there is one.
    public var errno: Int32?
    /// The position in the appended batch of the event at fault, when there is one.
    public var eventIndex: Int?
    /// The event field at fault, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, path: String? = nil, errno: Int32? = nil,
                eventIndex: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
        self.eventIndex = eventIndex
        self.field = field
    }

    public var description: String { message }

    /// An error for a failed system call: "could not <verb> '<path>': <strerror> (errno N)".
    static func syscall(_ verb: String, path: String, errno: Int32) -> EventLogError {
        let reason = String(cString: strerror(errno))
        let code: Code = errno == ENOENT ? .notFound : (errno == EEXIST ? .cannotCreate : .io)
        return EventLogError(code, "could not \(verb) '\(path)': \(reason) (errno \(errno))", path: path, errno: errno)
    }
}
