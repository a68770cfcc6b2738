import EventLog
import Ledger
import LedgerModel
import Projections

/// The options every view shares: the ledger, the output format, and the point in time.
struct ViewOptions {
    static let pointInTimeSpecs: [OptionSpec] = [
        OptionSpec(name: "--as-of", valueName: "DATE", help: "Only what the partnership knew by DATE (YYYY-MM-DD)."),
        OptionSpec(name: "--recorded", valueName: nil, help: "With --as-of: what the ledger had recorded by DATE instead."),
        OptionSpec(name: "--board", valueName: "NAME[@DATE]", help: "Exactly what the ledger held at that board's seal (latest such board unless @DATE)."),
    ]
    static let specs: [OptionSpec] = [.ledger, OutputFormat.option] + pointInTimeSpecs
    static let partnership = OptionSpec(name: "--partnership", valueName: "P", help: "Only this partnership (e.g. lewisham).")
    static let indicator = OptionSpec(name: "--indicator", valueName: "I", help: "Only this indicator (e.g. MOPAC7).")

    let ledgerPath: String
    let format: OutputFormat
    let point: PointSpec

    /// A point in time as the user gave it, before it is resolved against the ledger.
    enum PointSpec {
        case now
        case asOf(Day, recorded: Bool)
        case board(String, date: String?)

        /// `2015-06-30` is a date; anything else names a board (`csp` or `csp@2017-04-20`).
        static func parse(_ text: String) -> PointSpec {
            if let day = Day(iso: text) { return .asOf(day, recorded: false) }
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            return .board(parts[0], date: parts.count > 1 ? parts[1] : nil)
        }
    }

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try InitCommand.ledgerPath(arguments, environment)
        format = try OutputFormat.parse(arguments)
        let asOf = arguments.value("--as-of")
        let board = arguments.value("--board")
        switch (asOf, board) {
        case (nil, nil):
            if arguments.flag("--recorded") { throw CLIError.usage("--recorded needs --as-of DATE") }
            point = .now
        case (let text?, nil):
            guard let day = Day(iso: text) else { throw CLIError.usage("--as-of '\(text)' is not a date (YYYY-MM-DD)") }
            point = .asOf(day, recorded: arguments.flag("--recorded"))
        case (nil, let text?):
            if arguments.flag("--recorded") { throw CLIError.usage("--recorded goes with --as-of, not --board") }
            guard case .board = PointSpec.parse(text) else { throw CLIError.usage("--board takes a board's name, not a date (use --as-of)") }
            point = PointSpec.parse(text)
        case (_?, _?):
            throw CLIError.usage("give --as-of or --board, not both")
        }
    }

    func openLedger() throws(CLIError) -> Ledger {
        try ProcessLifetime.openLedger(ledgerPath)
    }

    /// Resolves a point in time against the ledger (a board name to its seal).
    static func resolve(_ spec: PointSpec, in ledger: Ledger, partnership: String?) throws(CLIError) -> PointInTime {
        switch spec {
        case .now: return .now
        case .asOf(let day, let recorded): return recorded ? .recorded(day) : .asOf(day)
        case .board(let name, let date):
            do {
                return try ledger.boardSeal(name, date: date, partnership: partnership)
            } catch where error.code == .notFound {
                throw CLIError(code: .failure, message: "\(ledger.path): \(error)")
            } catch {
                throw CLIError(error, what: ledger.path)
            }
        }
    }

    /// Replays the ledger at the chosen point in time.
    /// `auditing` builds the audit trail too (only the views that show it need it).
    /// `indicator`: the rows shown are of that indicator alone (a status or compare view's: see ``Ledger/replay(_:auditing:checkpoints:partnership:indicator:)``).
    /// `readsUpdates: false`: the view shows no action, action update or board.
    func replay(partnership: String? = nil, indicator: String? = nil, readsUpdates: Bool = true, auditing: Bool = false) throws(CLIError) -> Ledger.ReplayResult {
        let ledger = try openLedger()
        let point = try ViewOptions.resolve(self.point, in: ledger, partnership: partnership)
        do {
            let result = try ledger.replay(point, auditing: auditing, partnership: partnership, indicator: indicator, readsUpdates: readsUpdates)
            ProcessLifetime.keep(result)
            return result
        } catch { throw CLIError(error, what: ledgerPath) }
    }

    /// The day that decides what is overdue: the point in time's, else today (UTC).
    static func viewDate(_ point: PointInTime) -> Day {
        if let day = point.viewDate { return day }
        return Day(Timestamp.now().date) ?? Day(iso: "2000-01-01")!
    }

    /// The line above a table saying what point in time it shows (nothing for "now").
    static func heading(_ result: Ledger.ReplayResult) -> String? {
        let point = result.replay.pointInTime
        if point == .now { return nil }
        return "Point in time: \(point) — \(result.replay.state.appliedCount) of \(result.head.seq) events count."
    }

    /// Prints a view: a heading line for tables at a past point in time, then the rows.
    func print(_ table: Table, _ result: Ledger.ReplayResult, to output: inout Output) {
        if format == .table, let heading = ViewOptions.heading(result) { output.print(heading + "\n") }
        output.write(table.render(format))
        if result.unknownEvents > 0 {
            output.note("note: \(result.unknownEvents) events of types this version does not know were ignored")
        }
    }
}


/// Values the process keeps until it exits instead of freeing them.
///
/// A view's replay holds the whole folded ledger — millions of small objects on a large one.
/// Freeing them one by one just before `exit` took longer than printing the view; the
/// operating system reclaims the memory at once.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) { kept.append(value) }

    /// `OUTTURN_CHECKPOINT_EVERY=N` writes a checkpoint beside the log once N events follow
    /// the last (default 10,000); `0` neither reads nor writes one (every view from seq 1).
    static func checkpointPolicy(_ environment: [String: String]) -> Ledger.CheckpointPolicy {
        guard let text = environment["OUTTURN_CHECKPOINT_EVERY"], let every = Int(text), every >= 0 else { return .standard }
        return every == 0 ? .off : Ledger.CheckpointPolicy(reads: true, writesAfter: every)
    }

    /// Opens the ledger at `path` for a command, kept until exit (it caches the state its appends validated against).
    static func openLedger(_ path: String) throws(CLIError) -> Ledger {
        do {
            let ledger = try Ledger(path: path)
            ledger.checkpoints = checkpointPolicy(processEnvironment())
            keep(ledger)
            return ledger
        } catch { throw CLIError(error, what: path) }
    }
}
