import EventLog

/// The one error type of the Ledger façade: what went wrong, and where in the input.
public struct LedgerError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: Sendable, Equatable {
        /// Input data is malformed or not acceptable (exit 65).
        case badInput
        /// An id already in the ledger came again with different content (exit 65).
        case conflict
        /// The ledger or an input file does not exist (exit 66).
        case notFound
        /// The ledger could not be created (exit 73).
        case cannotCreate
        /// A system call failed (exit 74).
        case io
        /// The ledger stayed locked by another appender past the wait (exit 75).
        case locked
        /// The ledger's own bytes are broken; `verify` says where (exit 1).
        case corrupt
    }

    public var code: Code
    /// What failed and why, without the input line (``description`` adds it).
    public var message: String
    /// The 1-based line of the input at fault, when there is one.
    public var line: Int?
    /// The field at fault, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, line: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.field = field
    }

    /// `line 12: field "data": must be an object`, or just the message.
    public var description: String {
        line.map { "line \($0): \(message)" } ?? message
    }

    /// Translates a log error; `lines` maps a batch position to its input line.
    init(_ error: EventLogError, lines: [Int] = []) {
        let code: Code = switch error.code {
        case .notFound: .notFound
        case .cannotCreate: .cannotCreate
        case .io: .io
        case .lockTimeout: .locked
        case .conflict: .conflict
        case .invalidEvent: .badInput
        case .corrupt: .corrupt
        }
        let line = error.eventIndex.flatMap { $0 < lines.count ? lines[$0] : nil }
        self.init(code, error.message, line: line, field: error.field ?? (error.code == .conflict ? "id" : nil))
    }
}
