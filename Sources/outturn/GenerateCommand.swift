#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog
import Ledger

/// `outturn generate`: a realistic synthetic London-wide ledger, for benchmarks and scale tests.
struct GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Write a synthetic London-wide ledger (about 1.1 million events by default) through the normal append path."
    static let usage = "outturn generate --ledger PATH [--boroughs N] [--indicators N] [--years N] [--seed N] [--events N] [--batch N]"
    static let discussion = """
        Boroughs with three-year plans, priorities, 120 indicators (MOPAC 7 and its seven
        components, a solved-rate ratio, percents, rates, counts), baselines, targets of all
        four kinds with revisions, monthly outturns reported provisional and then, for many,
        final, a few retractions, actions with quarterly updates, and a board every quarter.
        Appended in large batches through the same validated path as `append`, so the
        ledger is exactly what feeds would have built. The same options and seed always give
        the same events. --events N stops after N events (adding years while they stay in
        the past, then boroughs, if the history is shorter). Progress goes to standard error.
        """
    static let options: [OptionSpec] = [
        .ledger,
        OptionSpec(name: "--boroughs", valueName: "N", help: "Partnerships (default 32)."),
        OptionSpec(name: "--indicators", valueName: "N", help: "Indicators (default 120, at least 12)."),
        OptionSpec(name: "--years", valueName: "N", help: "Years of monthly history (default 15)."),
        OptionSpec(name: "--seed", valueName: "N", help: "Random seed (default 1)."),
        OptionSpec(name: "--events", valueName: "N", help: "Stop after N events."),
        OptionSpec(name: "--batch", valueName: "N", help: "Events per append batch (default 100000)."),
    ]
    static let examples = ["outturn generate --ledger /tmp/london.jsonl --boroughs 2 --indicators 12 --years 1"]

    let ledgerPath: String
    let history: SyntheticHistory
    let limit: Int?
    let batch: Int

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
        func number(_ name: String, _ fallback: Int) throws(CLIError) -> Int {
            guard let text = arguments.value(name) else { return fallback }
            guard let n = Int(text), n > 0 else { throw CLIError.usage("\(name) '\(text)' is not a positive whole number") }
            return n
        }
        var history = SyntheticHistory(boroughs: try number("--boroughs", 32), indicators: try number("--indicators", 120),
                                       years: try number("--years", 15), seed: UInt64(try number("--seed", 1)))
        limit = arguments.value("--events") == nil ? nil : try number("--events", 0)
        if let limit, history.estimatedCount < limit {
            // More years while they stay in the past (known dates can never be in the future), then more boroughs.
            let lastWholeYears = Timestamp.now().date.year - history.firstYear - 2
            history.years = max(history.years, min(lastWholeYears, history.years * limit / max(1, history.estimatedCount) + 1))
            if history.estimatedCount < limit {
                history.boroughs = history.boroughs * limit / max(1, history.estimatedCount) + 1
            }
        }
        self.history = history
        batch = try number("--batch", 100_000)
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        if !FileSystem.exists(ledgerPath) {
            do { try Ledger.create(path: ledgerPath) } catch { throw CLIError(error, what: ledgerPath) }
        }
        let ledger = try ProcessLifetime.openLedger(ledgerPath)
        let showProgress = isatty(2) == 1
        var pending: [EventDraft] = []
        pending.reserveCapacity(batch)
        var written = 0, total = 0
        var failure: CLIError?
        let started = monotonicSeconds()
        func flush() {
            guard !pending.isEmpty, failure == nil else { return }
            do {
                let result = try ledger.append(pending)
                written += result.outcomes.filter { !$0.existing }.count
            } catch {
                failure = CLIError(error, what: ledgerPath)
            }
            pending.removeAll(keepingCapacity: true)
            if showProgress {
                output.note("generate: \(total) events (\(Int(Double(total) / max(0.001, monotonicSeconds() - started))) a second)")
            }
        }
        history.forEachEvent { draft in
            pending.append(draft)
            total += 1
            if pending.count >= batch { flush() }
            return failure == nil && (limit.map { total < $0 } ?? true)
        }
        flush()
        if let failure { throw failure }
        output.print("generated \(total) events (\(written) new) in \(ledgerPath)")
        return .ok
    }
}
