import EventLog
import Ledger
import LedgerModel
import Projections

/// `outturn report`: the board report as one self-contained HTML page.
///
/// Boards read papers, not terminals. This gathers one partnership's views at a point in
/// time, the ledger's head and verify result, and the changes since the previous board,
/// and hands them to ``BoardReport`` to lay out; it is the only part that touches files.
struct ReportCommand: Command {
    static let name = "report"
    static let summary = "The board report: status, targets with charts, actions and changes, as one HTML page."
    static let usage = "outturn report --out FILE [--ledger PATH] [--partnership P] [--as-of DATE [--recorded] | --board NAME[@DATE]]"
    static let discussion = """
        Writes one self-contained HTML file (inline CSS and SVG; no script, no external
        URL) that prints cleanly to A4: a header naming the partnership, the plan, the point
        in time and how it was chosen, the ledger's head seq and hash and whether verify
        passed; the status table with RAG as a word, symbol and colour and a trend line per
        indicator; each target, MOPAC's first, with a chart of its outturns against the
        baseline and the glide path; the actions, overdue ones marked; and what changed
        since the previous board, with the ledger entries behind each change.

        --board shows exactly what the board saw (the ledger at its seal), so the page can be
        re-created later: run again, only its header's ledger head and verify line move on
        as events are appended. With several partnerships in the ledger, choose one with
        --partnership. --out - writes the page to standard output.

        Exit 0 when written; 1 when verify finds the chain broken (the page is still written,
        and says so at the top).
        """
    static let options: [OptionSpec] = [.ledger] + ViewOptions.pointInTimeSpecs + [
        ViewOptions.partnership,
        OptionSpec(name: "--out", valueName: "FILE", help: "Where to write the HTML page (required; - for standard output)."),
    ]
    static let examples = [
        "outturn report --ledger Examples/lewisham-2015-16.jsonl --out /tmp/report.html",
        "outturn report --ledger Examples/lewisham-2015-16.jsonl --as-of 2015-04-01 --out /tmp/report-2015-04-01.html",
        "outturn report --ledger Examples/havering-2017-20.jsonl --board hcsp-2017-04 --out /tmp/havering-board.html",
    ]

    let view: ViewOptions
    let partnership: String?
    let out: String
    /// The point-in-time options as given, for the page's "how chosen" and its re-create command.
    let pointOption: String?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        partnership = arguments.value("--partnership")
        guard let out = arguments.value("--out"), !out.isEmpty else { throw CLIError.usage("--out FILE is required (- for standard output)") }
        self.out = out
        switch view.point {
        case .now: pointOption = nil
        case .asOf(let day, let recorded): pointOption = "--as-of \(day)" + (recorded ? " --recorded" : "")
        case .board: pointOption = arguments.value("--board").map { "--board \($0)" }
        }
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let ledger = try view.openLedger()
        let everything = try replay(ledger, .now)
        let chosen = try choosePartnership(in: everything.replay.state, ledger: ledger)
        let point = try ViewOptions.resolve(view.point, in: ledger, partnership: chosen)
        let result = point == .now ? everything : try replay(ledger, point)
        let verify: Log.VerifyReport
        do { verify = try ledger.verify() } catch { throw CLIError(error, what: ledger.path) }

        var sealHash: String?
        if case .sealed(let seq, _, _) = point {
            sealHash = everything.replay.state.boards.first { $0.sealSeq == seq }?.sealHash
        }
        // The previous board: the latest of this partnership's boards that the point in time counts.
        var previous: BoardReport.PreviousBoard?
        if let chosen, let record = result.replay.state.boards.last(where: { $0.board.partnership == chosen && result.replay.state.isLive($0.seq) }) {
            let atSeal = try replay(ledger, .sealed(seq: record.sealSeq, board: record.board.board, date: record.board.date))
            previous = BoardReport.PreviousBoard(record: record, state: atSeal.replay.state)
        }
        let report = BoardReport(ledgerPath: ledger.path, partnership: chosen, result: result, sealHash: sealHash, verify: verify,
                                 previous: previous, viewDate: ViewOptions.viewDate(point), pointOption: pointOption)
        let html = report.html

        if out == "-" {
            output.write(html)
        } else {
            let folder = FileSystem.directory(of: out)
            guard FileSystem.isDirectory(folder) else {
                throw CLIError(code: .cannotCreate, message: "\(out): cannot write the report: no such folder \(folder)")
            }
            // Atomic: a reader never sees half a report, and a failed run leaves the old one.
            do { try writeWholeFile(out, Array(html.utf8)) } catch {
                throw CLIError(code: .cannotCreate, message: "\(out): cannot write the report: \(error.message)")
            }
            let actions = report.actionRows
            output.print("wrote \(out): \(chosen ?? "no partnership"), \(point); \(UK.count(report.statusRows.count, "indicator")), "
                         + "\(UK.count(report.progressRows.count, "target")), \(UK.count(actions.count, "action")) (\(actions.filter(\.overdue).count) overdue), "
                         + "\(previous == nil ? "no previous board" : "\(report.changes.count) changes since the previous board"); "
                         + "verify \(verify.problem == nil ? "passed" : "FAILED")")
        }
        if let problem = verify.problem {
            output.note("verify: \(ledger.path): \(problem) (the report says so at the top)")
            return .failure
        }
        if result.unknownEvents > 0 {
            output.note("note: \(result.unknownEvents) events of types this version does not know were ignored")
        }
        return .ok
    }

    private func replay(_ ledger: Ledger, _ point: PointInTime) throws(CLIError) -> Ledger.ReplayResult {
        do { return try ledger.replay(point) } catch { throw CLIError(error, what: ledger.path) }
    }

    /// The partnership to report on: the one asked for, else the only one registered.
    private func choosePartnership(in state: LedgerState, ledger: Ledger) throws(CLIError) -> String? {
        let registered = state.partnerships.keys.filter { state.partnership($0) != nil }.sorted()
        if let partnership {
            guard registered.contains(partnership) else {
                throw CLIError(code: .failure, message: "\(ledger.path): no partnership \"\(partnership)\" is registered"
                               + (registered.isEmpty ? "" : " (partnerships: \(registered.joined(separator: ", ")))"))
            }
            return partnership
        }
        guard registered.count <= 1 else {
            throw CLIError.usage("the ledger holds several partnerships (\(registered.joined(separator: ", "))): choose one with --partnership")
        }
        return registered.first
    }
}
