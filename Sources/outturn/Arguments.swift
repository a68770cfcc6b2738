/// One option a command accepts, as `--help` shows it.
struct OptionSpec {
    /// `--ledger`
    let name: String
    /// `PATH`; nil for a flag that takes no value.
    let valueName: String?
    let help: String
    /// Whether it may be given more than once (`--period P …`).
    var repeatable = false

    static let ledger = OptionSpec(name: "--ledger", valueName: "PATH", help: "The ledger file (default: $OUTTURN_LEDGER).")
    static let help = OptionSpec(name: "--help", valueName: nil, help: "Show this help (also -h).")
}

/// The command line after parsing: option values, flags and positional arguments.
struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// Hand-written parsing in swift-argument-parser's conventions: `--name value`,
/// `--name=value`, `-h`, `--` to end options, and `-` as a positional (standard input).
enum ArgumentParsing {
    static func parse(_ arguments: [String], options: [OptionSpec], maxPositionals: Int) throws(CLIError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var i = 0
        var onlyPositionals = false
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                guard parsed.positionals.count < maxPositionals else {
                    throw CLIError.usage("unexpected argument '\(argument)'")
                }
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            if argument == "-h" { parsed.flags.insert("--help"); continue }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw CLIError.usage("unknown option '\(name)'")
            }
            if spec.valueName == nil {
                guard inlineValue == nil else { throw CLIError.usage("option '\(name)' takes no value") }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard i < arguments.count else { throw CLIError.usage("option '\(name)' needs a value (\(spec.valueName ?? ""))") }
                value = arguments[i]
                i += 1
            }
            if !spec.repeatable, parsed.values[name] != nil {
                throw CLIError.usage("option '\(name)' given more than once")
            }
            parsed.values[name, default: []].append(value)
        }
        return parsed
    }
}
