#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One subcommand of `outturn`: its options, its help, and what it does.
protocol Command {
    static var name: String { get }
    /// One line for `outturn help`.
    static var summary: String { get }
    /// `outturn append [--ledger PATH] …`
    static var usage: String { get }
    /// Paragraphs shown in `--help` between the usage and the options.
    static var discussion: String { get }
    static var options: [OptionSpec] { get }
    /// Commands that work when pasted, shown under EXAMPLES.
    static var examples: [String] { get }
    /// How many positional arguments it takes at most.
    static var maxPositionals: Int { get }

    /// Validates the arguments (usage errors throw `CLIError.usage`).
    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError)
    /// Does the work; returns the exit code.
    func run(_ output: inout Output) throws(CLIError) -> ExitCode
}

extension Command {
    static var maxPositionals: Int { 0 }

    /// The full `--help` text.
    static var helpText: String {
        var text = "OVERVIEW: \(summary)\n\nUSAGE: \(usage)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        text += "\nOPTIONS:\n"
        let all = options + [.help]
        let labels = all.map { spec in spec.valueName.map { "\(spec.name) \($0)" } ?? spec.name }
        let width = (labels.map(\.count).max() ?? 0) + 2
        for (label, spec) in zip(labels, all) {
            text += "  " + label + String(repeating: " ", count: width - label.count) + spec.help + "\n"
        }
        if !examples.isEmpty {
            text += "\nEXAMPLES:\n" + examples.map { "  \($0)\n" }.joined()
        }
        return text
    }

    /// The ledger path from `--ledger` or `$OUTTURN_LEDGER`.
    static func ledgerPath(_ arguments: ParsedArguments, _ environment: [String: String]) throws(CLIError) -> String {
        if let path = arguments.value("--ledger") ?? environment["OUTTURN_LEDGER"], !path.isEmpty { return path }
        throw CLIError.usage("no ledger given: pass --ledger PATH or set OUTTURN_LEDGER")
    }
}

/// Buffered standard output and standard error, written with `write(2)`.
struct Output {
    private var stdout: [UInt8] = []

    mutating func print(_ line: String) {
        stdout.append(contentsOf: line.utf8)
        stdout.append(0x0A)
        if stdout.count >= 1 << 16 { flush() }
    }

    /// A line written straight into the buffer by `write`: for a line per event of a large
    /// batch, which would otherwise make a string of each.
    mutating func printLine(_ write: (inout [UInt8]) -> Void) {
        write(&stdout)
        stdout.append(0x0A)
        if stdout.count >= 1 << 16 { flush() }
    }

    /// Writes text as it is (it carries its own line ends: CSV's are \r\n).
    mutating func write(_ text: String) {
        stdout.append(contentsOf: text.utf8)
        if stdout.count >= 1 << 16 { flush() }
    }

    /// A diagnostic line on standard error: `outturn: <message>`.
    func note(_ message: String) {
        Output.writeAll(2, Array("outturn: \(message)\n".utf8))
    }

    mutating func flush() {
        Output.writeAll(1, stdout)
        stdout.removeAll(keepingCapacity: true)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return }
                done += n
            }
        }
    }
}
