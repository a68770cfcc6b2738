#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog
import Ledger

/// `outturn import`: a partner's feed file, re-runnably, as one batch.
struct ImportCommand: Command {
    static let name = "import"
    static let summary = "Import a feed file (the Met's borough crime CSV, or any partner's long CSV), re-runnably."
    static let usage = "outturn import --format mps-borough|csv FILE [--ledger PATH] [--source S] [--actor A] [--known DATE] [--dry-run] [--wait SECONDS]"
    static let discussion = """
        Records every figure in FILE as an outturn.recorded for its area, indicator and
        period — zeros included, since zero is a figure — in one all-or-nothing batch.
        Re-running is safe: a figure the ledger already holds with the same value is not
        appended again, and a changed figure (a restatement) is appended as a revision whose
        audit entry shows old → new. So the same file twice appends nothing, and a later
        edition appends exactly the cells that are new or changed.

        --format mps-borough reads the Met Police's borough-level crime file (header
        Borough,Major Category,Minor Category,YYYYMM… or MajorText,MinorText,BoroughName,YYYYMM…):
        areas are the boroughs' slugs (lewisham, barking-and-dagenham, unknown), and each
        crime category becomes an indicator <source>.<major>.<minor>, defined on first sight.

        --format csv reads a long CSV with a header naming area (or partnership), indicator,
        period, value, and optionally status, note, known; its indicators must be defined.

        Prints "imported FILE: N new, M revised, K unchanged". A malformed row, a
        non-numeric count, a duplicate row or an unknown header: exit 65 naming the line
        and column, nothing written.
        """
    static let options: [OptionSpec] = [
        .ledger,
        OptionSpec(name: "--format", valueName: "FORMAT", help: "mps-borough or csv (required)."),
        OptionSpec(name: "--source", valueName: "S", help: "The feed's name, e.g. met-police (default: met-police for mps-borough, partner for csv)."),
        OptionSpec(name: "--actor", valueName: "A", help: "Who or what imports (default: $USER)."),
        OptionSpec(name: "--known", valueName: "DATE", help: "Date the figures were known, YYYY-MM-DD (default: today; a csv known column wins)."),
        OptionSpec(name: "--dry-run", valueName: nil, help: "Print what would be appended (new, revised, unchanged) and write nothing."),
        OptionSpec(name: "--wait", valueName: "SECONDS", help: "How long to wait for another appender's lock (default: 30); then exit 75."),
    ]
    static let maxPositionals = 1
    static let examples = [
        "outturn import --ledger Examples/lewisham-2015-16.jsonl --format csv Examples/feeds/partner-outturns.csv --source lewisham-marac --dry-run",
        "outturn import --ledger /tmp/lewisham.jsonl --format mps-borough ../shared/data/mps/borough-crime-old-scheme-2008-01_2016-12.csv --known 2017-01-31",
    ]

    let ledgerPath: String
    let format: FeedFormat
    let file: String
    let source: String
    let actor: String
    let known: CalendarDate?
    let dryRun: Bool
    let wait: Double

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
        guard let text = arguments.value("--format") else { throw CLIError.usage("--format is required (mps-borough or csv)") }
        guard let format = FeedFormat(rawValue: text) else { throw CLIError.usage("--format '\(text)' is not one of mps-borough, csv") }
        self.format = format
        guard let file = arguments.positionals.first else { throw CLIError.usage("no FILE to import") }
        self.file = file
        source = arguments.value("--source") ?? (format == .mpsBorough ? "met-police" : "partner")
        guard !source.isEmpty, !source.contains(" "), !source.contains("/") else {
            throw CLIError.usage("--source '\(source)' must be a single word such as met-police")
        }
        actor = actorOption(arguments, environment)
        known = try knownOption(arguments)
        dryRun = arguments.flag("--dry-run")
        wait = try parseWait(arguments)
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let bytes = try readInput(file)
        let feed: Feed
        // Met categories are named for the feed, `met.<major>.<minor>`, whatever the source is called.
        do { feed = try format.parse(bytes, feedName: format == .mpsBorough ? "met" : source) } catch { throw CLIError(error, what: file) }
        let showProgress = isatty(2) == 1 && feed.cells.count > 20_000
        if showProgress { output.note("import: \(file): \(feed.cells.count) figures read; comparing with the ledger…") }
        let ledger = try ProcessLifetime.openLedger(ledgerPath)
        let summary: Ledger.ImportSummary
        do {
            summary = try ledger.importFeed(feed, source: source, actor: actor, known: known, dryRun: dryRun, lockTimeout: wait)
        } catch where error.code == .badInput || error.code == .conflict {
            throw CLIError(error, what: file)
        } catch {
            throw CLIError(error, what: ledgerPath)
        }
        releaseInBackground(consume feed)
        let counts = "\(summary.new) new, \(summary.revised) revised, \(summary.unchanged) unchanged"
            + (summary.indicatorsDefined > 0 ? "; \(summary.indicatorsDefined) indicators defined" : "")
        output.print(dryRun ? "would import \(file): \(counts) (dry run: nothing written)" : "imported \(file): \(counts)")
        return .ok
    }
}
