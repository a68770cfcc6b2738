import Ledger

/// The exit codes of DESIGN.md ("The command line"); sysexits.h where one fits.
enum ExitCode: Int32 {
    case ok = 0
    /// `verify` found tampering, or a lookup found nothing.
    case failure = 1
    case usage = 64
    /// Bad input data (a malformed line, a conflict).
    case dataError = 65
    /// A missing input file or ledger.
    case noInput = 66
    case cannotCreate = 73
    case ioError = 74
    /// The log stayed locked past `--wait`.
    case locked = 75
}

/// A failure the command line reports as one line, `outturn: <what>: <why>`, with an exit code.
struct CLIError: Error {
    var code: ExitCode
    var message: String
    /// Usage errors add the command's usage line and a pointer to `--help`.
    var isUsage = false

    static func usage(_ message: String) -> CLIError {
        CLIError(code: .usage, message: message, isUsage: true)
    }

    /// `what` is the subject of the message: the input file, the ledger path.
    init(_ error: LedgerError, what: String) {
        let code: ExitCode = switch error.code {
        case .badInput, .conflict: .dataError
        case .notFound: .noInput
        case .cannotCreate: .cannotCreate
        case .io: .ioError
        case .locked: .locked
        case .corrupt: .failure
        }
        self.init(code: code, message: "\(what): \(error)")
    }

    init(code: ExitCode, message: String, isUsage: Bool = false) {
        self.code = code
        self.message = message
        self.isUsage = isUsage
    }
}
