import EventLog
import Ledger

/// `outturn append`: appends JSON Lines events as one all-or-nothing batch.
struct AppendCommand: Command {
    static let name = "append"
    static let summary = "Append events (JSON Lines) to a ledger as one all-or-nothing batch."
    static let usage = "outturn append [--ledger PATH] [--file F | -] [--source S] [--actor A] [--known DATE] [--wait SECONDS]"
    static let discussion = """
        Reads one event per line: {"type":…, "data":{…}, "id"?:…, "known"?:…, "source"?:…, "actor"?:…}
        from F, or from standard input when F is '-' or not given. Every event is written,
        or none is: a malformed line stops the whole batch (exit 65, naming the line and
        field) and the ledger is left byte for byte as it was.

        Re-running is safe: an event whose "id" is already in the ledger is not written
        again, and is reported with its existing seq. The same id with different content
        is a conflict (exit 65). Give your feed's own keys as ids to make a script re-runnable.

        Prints one line per event: "<seq> <id>", or "<seq> <id> existing".
        """
    static let options: [OptionSpec] = [
        .ledger,
        OptionSpec(name: "--file", valueName: "F", help: "Read events from F ('-' or none: standard input)."),
        OptionSpec(name: "--source", valueName: "S", help: "Source of events that name none, e.g. met-police (default: manual)."),
        OptionSpec(name: "--actor", valueName: "A", help: "Who or what appends (default: $USER)."),
        OptionSpec(name: "--known", valueName: "DATE", help: "Date known, YYYY-MM-DD, for events that give none (default: today)."),
        OptionSpec(name: "--wait", valueName: "SECONDS", help: "How long to wait for another appender's lock (default: 30); then exit 75."),
    ]
    static let maxPositionals = 1
    static let examples = [
        #"echo '{"type":"partnership.registered","id":"lewisham/partnership","known":"2015-04-01","data":{"partnership":"lewisham","name":"Safer Lewisham Partnership","borough":"Lewisham"}}' | outturn append --ledger /tmp/lewisham.jsonl --source lewisham-council"#,
        "outturn append --ledger /tmp/lewisham.jsonl --file Examples/lewisham-2015-16/plan.jsonl --source lewisham-council",
    ]

    let ledgerPath: String
    let inputPath: String?
    let defaults: InputDefaults
    let wait: Double

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
        if arguments.value("--file") != nil, !arguments.positionals.isEmpty {
            throw CLIError.usage("give the input either as --file F or as an argument, not both")
        }
        let file = arguments.value("--file") ?? arguments.positionals.first
        inputPath = file == "-" ? nil : file
        defaults = InputDefaults(source: arguments.value("--source") ?? "manual", actor: actorOption(arguments, environment),
                                 known: try knownOption(arguments))
        wait = try parseWait(arguments)
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let input = try readInput(inputPath)
        let what = inputPath ?? "standard input"
        let ledger = try ProcessLifetime.openLedger(ledgerPath)
        let result: Log.AppendResult
        do {
            // One append per run: validation need not fold in what it never reads (outturns, action updates, boards).
            result = try ledger.append(jsonLines: input, defaults: defaults, lockTimeout: wait, keepsState: false)
        } catch where error.line != nil || error.code == .badInput || error.code == .conflict {
            throw CLIError(error, what: what)
        } catch {
            throw CLIError(error, what: ledgerPath)
        }
        if result.recovery.rolledBackBytes > 0 {
            output.note("\(ledgerPath): rolled back an unfinished batch of \(result.recovery.rolledBackBytes) bytes left by an interrupted append")
        }
        if result.recovery.tornBytes > 0 {
            output.note("\(ledgerPath): moved a torn last line of \(result.recovery.tornBytes) bytes to \(ledgerPath).torn")
        }
        for outcome in result.outcomes {
            output.printLine { line in
                line.appendDecimal(outcome.seq)
                line.append(literal: " ")
                line.append(utf8: outcome.id)
                if outcome.existing { line.append(literal: " existing") }
            }
        }
        return .ok
    }
}

/// `--actor`, else `$USER`, else "outturn".
func actorOption(_ arguments: ParsedArguments, _ environment: [String: String]) -> String {
    arguments.value("--actor") ?? environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "outturn"
}

/// `--known DATE`, or nil (the recorded date).
func knownOption(_ arguments: ParsedArguments) throws(CLIError) -> CalendarDate? {
    guard let text = arguments.value("--known") else { return nil }
    guard let date = CalendarDate(iso: text) else { throw CLIError.usage("--known '\(text)' is not a date (expected YYYY-MM-DD)") }
    return date
}

/// `--wait SECONDS`, 30 by default.
func parseWait(_ arguments: ParsedArguments) throws(CLIError) -> Double {
    guard let text = arguments.value("--wait") else { return 30 }
    guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
        throw CLIError.usage("--wait '\(text)' is not a number of seconds")
    }
    return seconds
}

/// The bytes of an input file, or of standard input when `path` is nil.
func readInput(_ path: String?) throws(CLIError) -> [UInt8] {
    guard let path else {
        return readStandardInput()
    }
    do {
        return try readWholeFile(path)
    } catch where error.code == .notFound {
        throw CLIError(code: .noInput, message: "\(path): no such file")
    } catch {
        throw CLIError(code: .noInput, message: "\(path): cannot be read")
    }
}
