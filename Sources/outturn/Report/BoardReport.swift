#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog
import Ledger
import LedgerModel
import Projections

/// The board report: one partnership's status, target progress, actions and changes since
/// the previous board, as one self-contained HTML page.
///
/// A pure value: the command gathers the replays and the verify result, and this only
/// arranges them, so the same ledger at the same point gives the same bytes — an auditor
/// can re-create the page a board was given. Nothing here reads a clock, a file or the
/// network; the page loads nothing (no script, no external URL), and prints to A4.
struct BoardReport {
    /// The board before this point in time, and the ledger as it stood at its seal.
    struct PreviousBoard {
        var record: BoardRecord
        var state: LedgerState
    }

    var ledgerPath: String
    /// The partnership reported on; nil when the ledger registers none.
    var partnership: String?
    /// The replay at the chosen point in time.
    var result: Ledger.ReplayResult
    /// The hash at a board's seal (for `--board`).
    var sealHash: String?
    var verify: Log.VerifyReport
    var previous: PreviousBoard?
    /// The day that decides what is overdue.
    var viewDate: Day
    /// The point in time as the user chose it, in option form (`--board csp@2016-04-21`), or nil for now.
    var pointOption: String?

    private var state: LedgerState { result.replay.state }
    private var point: PointInTime { result.replay.pointInTime }

    /// The status rows of the partnership (none without one).
    var statusRows: [StatusRow] { partnership.map { state.statusRows(partnership: $0) } ?? [] }
    var progressRows: [ProgressRow] { partnership.map { state.progressRows(partnership: $0) } ?? [] }
    var actionRows: [ActionRow] { partnership.map { state.actionRows(today: viewDate, partnership: $0) } ?? [] }

    /// The whole page.
    var html: String {
        var out = "<!DOCTYPE html>\n"
        page.render(into: &out)
        return out
    }

    private var partnershipName: String {
        guard let partnership else { return "no partnership registered" }
        return state.partnership(partnership)?.name ?? partnership
    }

    private var page: HTMLNode {
        .el("html", ["lang": "en-GB"],
            .el("head",
                .el("meta", ["charset": "utf-8"]),
                .el("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
                .el("title", .text("Performance report — \(partnershipName) — \(point)")),
                .el("style", .trusted(BoardReport.styleSheet))),
            .el("body",
                header,
                statusSection,
                progressSection,
                actionsSection,
                changesSection,
                footer))
    }

    // MARK: - Header

    private var header: HTMLNode {
        var rows: [(String, [HTMLNode])] = []
        if let partnership, let p = state.partnership(partnership) {
            rows.append(("Partnership", [.text(p.name), .text(" "), code(partnership)] + (p.borough.map { [.text(", borough of \($0)")] } ?? [])))
        } else if let partnership {
            rows.append(("Partnership", [code(partnership), .text(" "), empty("not yet registered at this point in time")]))
        } else {
            rows.append(("Partnership", [empty("no partnership registered in this ledger")]))
        }
        rows.append(("Plan", planNodes))
        rows.append(("Point in time", [.text(point.description)]))
        rows.append(("How chosen", [.text(howChosen)]))
        let counted = result.replay.state.appliedCount
        rows.append(("Events counted", [.text("\(UK.number(Double(counted))) of \(UK.number(Double(result.head.seq))) events in the ledger")]))
        rows.append(("Ledger", [code(ledgerPath), .text(" — head seq \(result.head.seq), hash "),
                                .el("code", ["class": "hash", "id": "head-hash"], .text(result.head.hash.hex))]))
        rows.append(("Verify", verifyNodes))
        rows.append(("Previous board", previousBoardNodes))
        rows.append(("Overdue judged at", [.text(viewDate.description)]))
        return .el("header",
                   .el("h1", .text("Performance report: \(partnershipName)")),
                   .el("dl", ["class": "meta"], children: rows.flatMap { label, value in
                       [.el("dt", .text(label)), .el("dd", children: value)]
                   }))
    }

    private var planNodes: [HTMLNode] {
        guard let partnership else { return [empty("no plan adopted")] }
        let prefix = partnership + "/"
        let plans = state.plans.keys.filter { $0.hasPrefix(prefix) }.sorted().compactMap { state.plan(partnership, String($0.dropFirst(prefix.count))) }
        guard !plans.isEmpty else { return [empty("no plan adopted")] }
        // The plans covering the view's date; all of them when none does.
        let inForce = plans.filter { $0.span.firstDay <= viewDate && viewDate <= $0.span.lastDay }
        let shown = inForce.isEmpty ? plans : inForce
        var nodes: [HTMLNode] = []
        for (i, p) in shown.enumerated() {
            if i > 0 { nodes.append(.el("br")) }
            var words = " — \(p.from == p.to ? p.from.description : "\(p.from) to \(p.to)")"
            if let version = p.version { words += ", version \(version)" }
            if let by = p.approvedBy { words += ", approved by \(by)" + (p.approvedOn.map { " on \($0)" } ?? "") }
            nodes += [.text(p.title), .text(" "), code(p.plan), .text(words)]
        }
        if inForce.isEmpty { nodes.append(.el("span", ["class": "empty"], .text(" (none covers \(viewDate))"))) }
        return nodes
    }

    private var howChosen: String {
        let option = pointOption.map { "\($0): " } ?? "no --as-of or --board given: "
        switch point {
        case .now:
            return option + "every event in the ledger counts, as recorded when the report was made."
        case .asOf(let day):
            return option + "the events the partnership knew by \(day), as the ledger holds them now (later corrections of earlier facts included)."
        case .recorded(let day):
            return option + "the events the ledger itself had recorded by the end of \(day) (UTC)."
        case .sealed(let seq, let board, let date):
            return option + "exactly what the ledger held at the seal of board \(board) held on \(date): every event up to seq \(seq)"
                + (sealHash.map { ", whose hash is \($0)" } ?? "") + " — however figures were revised, backdated or retracted afterwards."
        }
    }

    private var verifyNodes: [HTMLNode] {
        if let problem = verify.problem {
            return [.el("strong", ["class": "verify-failed", "id": "verify"], .text("✖ FAILED")),
                    .text(" at seq \(problem.seq): \(problem.kind.rawValue) — \(problem.detail). The chain is broken from that line on; do not rely on this report.")]
        }
        var words = " — \(UK.number(Double(verify.events))) events, hash chain whole from seq 1 to head \(verify.head.hex)."
        if verify.tornBytes > 0 { words += " A torn last line of \(verify.tornBytes) bytes (never acknowledged) is ignored." }
        if verify.unfinishedBytes > 0 { words += " \(verify.unfinishedBytes) bytes of an interrupted append are ignored." }
        return [.el("strong", ["class": "verify-passed", "id": "verify"], .text("✔ passed")), .text(words)]
    }

    private var previousBoardNodes: [HTMLNode] {
        guard let previous else { return [empty("none before this point in time")] }
        let r = previous.record
        return [.text("\(r.board.board) held on \(r.board.date), sealed at seq \(r.sealSeq), hash "),
                .el("code", ["class": "hash"], .text(r.sealHash))]
    }

    // MARK: - Status

    private var statusSection: HTMLNode {
        let rows = statusRows
        var body: [HTMLNode] = [.el("h2", .text("Status"))]
        guard !rows.isEmpty else {
            body.append(.el("p", ["class": "empty", "id": "status-table"], .text("No indicators: no outturn recorded and no target set at this point in time.")))
            return .el("section", ["id": "status"], children: body)
        }
        body.append(.el("p", ["class": "lede"], .text("The latest outturn of each indicator, the target in force for its period, RAG, the direction of travel against the previous comparable period, and the change against the baseline.")))
        let head = tableHead([("Indicator", 21, false), ("Period", 8, false), ("Outturn", 11, true), ("Target", 18, false),
                              ("RAG", 11, false), ("Direction", 10, false), ("vs baseline", 8, true), ("Trend", 13, false)])
        body.append(.el("table", ["id": "status-table", "class": "status"], head, .el("tbody", children: rows.map(statusRow))))
        return .el("section", ["id": "status"], children: body)
    }

    private func statusRow(_ r: StatusRow) -> HTMLNode {
        let def = state.indicator(r.indicator)
        var outturn: [HTMLNode]
        if let v = r.value {
            outturn = [.text(UK.figure(v, def))]
        } else if let change = r.change {
            let against = r.period.flatMap { state.figure(area: r.partnership, indicator: r.indicator, period: $0)?.change?.against }
            outturn = [.text(UK.percent(change * 100, signed: true) + (against.map { " vs \($0)" } ?? ""))]
        } else {
            outturn = [empty("no outturn recorded")]
        }
        if let source = r.figureSource { outturn.append(.el("span", ["class": "sub"], .text(source))) }
        let series = state.series(area: r.partnership, indicator: r.indicator).filter(\.value.isFinite)
        let trend: HTMLNode
        if series.count >= 2 {
            let words = series.map { "\($0.period): \(UK.figure($0.value, def))" }.joined(separator: "; ")
            trend = Sparkline.node(series.map(\.value), title: "\(r.indicatorName): \(words)", width: 80, height: 24)
        } else if series.count == 1 {
            trend = empty("one period only")
        } else {
            trend = empty(r.change != nil ? "changes only" : "no trend")
        }
        return .el("tr", ["data-indicator": r.indicator, "data-rag": r.rag.rawValue],
                   .el("th", ["scope": "row"], .el("span", ["class": "name"], .text(r.indicatorName)), code(r.indicator, block: true)),
                   .el("td", children: [textOr(r.period.map { $0.description }, "no outturn recorded")]),
                   .el("td", ["class": "num"], children: outturn),
                   .el("td", children: [textOr(r.target, "target not yet set")]),
                   .el("td", children: [ragBadge(r.rag)] + (r.ragNote.map { [.el("span", ["class": "sub"], .text($0))] } ?? [])),
                   .el("td", children: [r.direction.map { .el("span", ["class": "direction \($0 == .worsening ? "worse" : "")"], .text(directionWords($0))) }
                       ?? empty(def?.polarity == .band ? "not judged (band)" : "no comparable period")]),
                   .el("td", ["class": "num"], children: [textOr(r.baselineChangePercent.map { UK.percent($0, signed: true) }, "–")]),
                   .el("td", ["class": "trend"], trend))
    }

    private func directionWords(_ d: DirectionOfTravel) -> String {
        switch d {
        case .improving: "improving"
        case .worsening: "worsening"
        case .noChange: "no change"
        }
    }

    /// RAG as a word, a symbol and a colour: the word and symbol survive a greyscale printer,
    /// and each colour also differs in lightness, border and weight.
    private func ragBadge(_ rag: RAG) -> HTMLNode {
        let (symbol, cssClass): (String, String) = switch rag {
        case .green: ("✔", "rag-green")
        case .amber: ("▲", "rag-amber")
        case .red: ("✖", "rag-red")
        case .noData: ("–", "rag-nodata")
        }
        return .el("span", ["class": "rag \(cssClass)"], .el("span", ["class": "rag-symbol", "aria-hidden": "true"], .text(symbol)), .text(" " + rag.rawValue))
    }

    // MARK: - Progress

    private var progressSection: HTMLNode {
        let rows = progressRows
        var body: [HTMLNode] = [.el("h2", .text("Target progress"))]
        guard !rows.isEmpty else {
            body.append(.el("p", ["class": "empty"], .text("No targets set at this point in time.")))
            return .el("section", ["id": "progress"], children: body)
        }
        body.append(.el("p", ["class": "lede"], .text("Every target in force, MOPAC's first: the outturns against the baseline and the straight glide path to the target.")))
        body += rows.enumerated().map { progressArticle($0.element, index: $0.offset) }
        return .el("section", ["id": "progress"], children: body)
    }

    private func progressArticle(_ r: ProgressRow, index: Int) -> HTMLNode {
        let def = state.indicator(r.indicator)
        let target = state.target(r.target)?.target
        var title: [HTMLNode] = [.text(def?.name ?? r.indicator), .text(" "), code(r.target)]
        if r.stretch { title.append(.el("span", ["class": "tag"], .text("stretch"))) }
        title.append(.el("span", ["class": "tag"], .text("set by \(r.setBy)")))

        var facts: [(String, [HTMLNode])] = [("Target", [.text(r.description)])]
        if let label = r.baselineLabel {
            facts.append(("Baseline", [.text(label + ": "), textOr(r.baseline.map { UK.figure($0, def) }, "no baseline value")]))
        } else if case .change? = target?.kind {
            facts.append(("Baseline", [empty("baseline not set")]))
        }
        if let period = r.outturnPeriod {
            let value = textOr(r.value.map { UK.figure($0, def) } ?? r.changePercent.map { UK.percent($0, signed: true) }, "no value")
            facts.append(("Outturn", [value, .text(" for \(period)")]))
        } else {
            facts.append(("Outturn", [empty("no outturn recorded")]))
        }
        if let change = r.changePercent, r.baseline != nil { facts.append(("Change achieved", [.text(UK.percent(change, signed: true))])) }
        if let change = r.targetChangePercent { facts.append(("Change asked for", [.text(UK.percent(change, signed: true))])) }
        if let expected = r.expected {
            let label = target.map { if case .value = $0.kind { "Target value" } else { "Expected by now" } } ?? "Expected"
            facts.append((label, [.text(UK.figure(expected, def) + (r.outturnPeriod.map { label == "Expected by now" ? " for \($0)" : "" } ?? ""))]))
        }
        facts.append(("RAG", [ragBadge(r.rag)] + (r.ragNote.map { [.text(" " + $0)] } ?? [])))

        var children: [HTMLNode] = [
            .el("h3", children: title),
            .el("dl", ["class": "facts"], children: facts.flatMap { [.el("dt", .text($0.0)), .el("dd", children: $0.1)] }),
        ]
        if let target {
            // A chart with nothing to draw would only be empty axes: say so in words instead.
            if state.series(area: r.partnership, indicator: r.indicator, like: r.outturnPeriod).isEmpty, chartReference(target, r) == nil {
                children.append(.el("p", ["class": "empty chart-empty"], .text("No chart: no outturn recorded and no target figure to draw yet.")))
            } else {
                children.append(progressChart(r, target: target, def: def))
            }
        }
        children.append(componentsTable(r, def: def))
        return .el("article", ["class": "target", "id": "target-\(index + 1)", "data-target": r.target], children: children)
    }

    /// The one figure a target is drawn against, if it has one: its value, its band, its
    /// glide path's baseline, or a direction target's comparator.
    private func chartReference(_ t: TargetSet, _ r: ProgressRow) -> Double? {
        switch t.kind {
        case .value(let v): return v
        case .band(let low, _): return low
        case .change: return state.glideLine(t)?.startValue ?? r.baseline
        case .direction(_, let against): return comparator(t, against)?.value
        }
    }

    /// A direction target's comparator and its figure: a baseline's value or a period's outturn.
    private func comparator(_ t: TargetSet, _ against: LedgerModel.Comparator?) -> (label: String, value: Double, months: ClosedRange<Double>)? {
        switch against {
        case .baseline(let id)?:
            guard let b = state.baseline(id), let v = state.baselineValue(b), let first = b.periods.map(\.first).min(), let last = b.lastMonth
            else { return nil }
            return ("baseline \(b.label)", v, Double(first.index)...Double(last.index + 1))
        case .period(let p)?:
            guard let v = state.figure(area: t.partnership, indicator: t.indicator, period: p)?.value else { return nil }
            return ("\(p)", v, Double(p.first.index)...Double(p.last.index + 1))
        case nil:
            return nil
        }
    }

    /// The outturns against the baseline, the glide path and the target, over time.
    private func progressChart(_ r: ProgressRow, target t: TargetSet, def: IndicatorDefined?) -> HTMLNode {
        let series = state.series(area: r.partnership, indicator: r.indicator, like: r.outturnPeriod).filter(\.value.isFinite)
        let glide = state.glideLine(t)
        // A change target's baseline is drawn over its own periods; a direction target's
        // comparator (a baseline or a period) as a line from its periods onwards.
        var baseline: BaselineSet?
        if case .change(_, let id, _) = t.kind { baseline = state.baseline(id) }
        var comparatorLine: (label: String, value: Double, months: ClosedRange<Double>)?
        if case .direction(_, let against) = t.kind { comparatorLine = comparator(t, against) }
        // Time runs over everything drawn, whole years at either end.
        func end(_ m: Month) -> Double { Double(m.index + 1) }
        func start(_ m: Month) -> Double { Double(m.index) }
        var months: [Double] = [start(t.period.first), end(t.period.last)]
        for p in series { months += [start(p.period.first), end(p.period.last)] }
        for p in baseline?.periods ?? [] { months += [start(p.first), end(p.last)] }
        if let glide { months.append(end(glide.start)) }
        if let c = comparatorLine { months += [c.months.lowerBound, c.months.upperBound] }
        let lo = ((months.min() ?? 0) / 12).rounded(.down) * 12
        let hi = max(((months.max() ?? 12) / 12).rounded(.up) * 12, lo + 12)

        var values = series.map(\.value)
        if let b = r.baseline { values.append(b) }
        if let glide { values += [glide.startValue, glide.endValue] }
        if let e = r.expected { values.append(e) }
        if case .band(let low, let high) = t.kind { values += [low, high] }
        if case .value(let goal) = t.kind { values.append(goal) }
        if let c = comparatorLine { values.append(c.value) }
        values = values.filter(\.isFinite)
        let (yDomain, step) = LinearScale.niceDomain(min(values.min() ?? 0, 0), (values.max() ?? 1) * 1.08)

        let name = def?.name ?? r.indicator
        var description = "\(name), \(r.target): "
        description += series.isEmpty ? "no outturn recorded" : series.map { "\($0.period) \(UK.figure($0.value, def))" }.joined(separator: ", ")
        if let glide { description += "; glide path from \(UK.figure(glide.startValue, def)) to \(UK.figure(glide.endValue, def)) by \(t.period)" }
        var chart = SVGChart(title: description, months: lo...hi, values: yDomain)
        var legend: [HTMLNode] = []

        chart.timeBand(start(t.period.first)...end(t.period.last), label: "target period \(t.period)", cssClass: "target-period")
        legend.append(legendItem("target-period", "target period \(t.period)"))
        if case .band(let low, let high) = t.kind {
            chart.valueBand(low...high, label: "band \(UK.figure(low, def))–\(UK.figure(high, def))")
            legend.append(legendItem("value-band", "target band \(UK.figure(low, def))–\(UK.figure(high, def))"))
        }
        chart.yAxis(step: step) { UK.figure($0, def, decimals: step < 1 ? 1 : 0) }
        chart.timeAxis()

        if let baseline, let first = baseline.periods.map(\.first).min(), let last = baseline.lastMonth {
            if let b = r.baseline {
                chart.line([(start(first), b), (end(last), b)], cssClass: "baseline")
                legend.append(legendItem("baseline", "baseline: \(baseline.label), \(UK.figure(b, def))"))
            } else {
                chart.timeBracket(start(first)...end(last), label: "baseline: no value set")
                legend.append(legendItem("bracket", "baseline periods (\(baseline.label)): no value set, so no glide path"))
            }
        }
        if let glide {
            let from = (end(glide.start), glide.startValue), to = (end(glide.end), glide.endValue)
            chart.line([from, to], cssClass: "glide")
            chart.diamond(at: to, cssClass: "target-marker")
            chart.label("target \(UK.figure(glide.endValue, def))", at: to, dx: -8, dy: 16, anchor: "end")
            legend.append(legendItem("glide", "glide path to the target"))
            legend.append(legendItem("target-marker", "target \(UK.figure(glide.endValue, def)) by \(t.period)"))
        }
        if case .value(let goal) = t.kind {
            chart.line([(lo, goal), (end(t.period.last), goal)], cssClass: "glide")
            chart.diamond(at: (end(t.period.last), goal), cssClass: "target-marker")
            chart.label("target \(UK.figure(goal, def))", at: (end(t.period.last), goal), dx: -8, dy: 16, anchor: "end")
            legend.append(legendItem("target-marker", "target value \(UK.figure(goal, def)) by \(t.period)"))
        }
        if case .change = t.kind, let expected = r.expected, let period = r.outturnPeriod, r.value != nil {
            chart.ring(at: (end(period.last), expected), cssClass: "expected")
            legend.append(legendItem("expected", "expected for \(period) on the glide path: \(UK.figure(expected, def))"))
        }
        if series.isEmpty {
            chart.note(r.value == nil && r.changePercent != nil ? "only changes recorded: nothing to plot" : "no outturn recorded",
                       atX: (chart.plot.left + chart.plot.right) / 2, y: (chart.plot.top + chart.plot.bottom) / 2)
        } else {
            let points = series.map { (end($0.period.last), $0.value) }
            chart.line(points, cssClass: "outturn", dots: true)
            let labelled = series.count <= 8 ? Array(series.indices) : [series.count - 1]
            for i in labelled { chart.label(UK.figure(series[i].value, def), at: points[i], dy: -9) }
            let shape = series.last.map { periodShape($0.period) } ?? ""
            legend.insert(legendItem("outturn", "outturns (\(shape)), plotted at the end of each period"), at: 0)
        }
        if case .direction(let direction, let against) = t.kind {
            if let c = comparatorLine {
                chart.line([(c.months.lowerBound, c.value), (hi, c.value)], cssClass: "baseline")
                legend.append(legendItem("baseline", "comparator \(c.label): \(UK.figure(c.value, def)) (\(direction.rawValue) against it)"))
            } else {
                let words = against.map { "\($0), which has no figure yet" } ?? "the previous comparable period"
                legend.append(.el("li", .text("\(direction.rawValue) target: judged against \(words)")))
            }
        }

        return .el("figure", ["class": "chart"],
                   chart.node,
                   .el("figcaption", .el("ul", ["class": "legend"], children: legend)))
    }

    private func periodShape(_ p: Period) -> String {
        switch p.kind {
        case .month: "months"
        case .quarter: "quarters"
        case .financialYear: "financial years"
        case .calendarYear: "calendar years"
        case .span: "\(p.monthCount)-month spans"
        }
    }

    /// A legend entry with a swatch drawn in the chart's own style, so it reads in greyscale too.
    private func legendItem(_ cssClass: String, _ words: String) -> HTMLNode {
        let swatch: HTMLNode
        switch cssClass {
        case "target-period", "value-band":
            swatch = .el("rect", ["class": cssClass, "x": "1", "y": "1", "width": "26", "height": "10"])
        case "target-marker":
            swatch = .el("polygon", ["class": cssClass, "points": "14,0.5 19.5,6 14,11.5 8.5,6"])
        case "expected":
            swatch = .el("circle", ["class": cssClass, "cx": "14", "cy": "6", "r": "4.5"])
        case "outturn":
            swatch = .fragment([.el("polyline", ["class": cssClass, "points": "1,6 27,6"]), .el("circle", ["class": "outturn-dot", "cx": "14", "cy": "6", "r": "3.5"])])
        case "bracket":
            swatch = .el("path", ["class": cssClass, "d": "M1,2 V9 H27 V2"])
        default:
            swatch = .el("polyline", ["class": cssClass, "points": "1,6 27,6"])
        }
        return .el("li", .el("svg", ["class": "swatch", "viewBox": "0 0 28 12", "width": "28", "height": "12", "aria-hidden": "true"], swatch),
                   .text(" " + words))
    }

    /// A composite's components with their share of the change (or their names, with what is missing).
    private func componentsTable(_ r: ProgressRow, def: IndicatorDefined?) -> HTMLNode {
        guard let composition = def?.composition, composition != .none else { return .fragment([]) }
        // Without a baseline or an outturn the projection lists no components: name them anyway.
        let components: [(indicator: String, progress: ComponentProgress?)] = r.components.isEmpty
            ? composition.components.map { ($0, nil) }
            : r.components.map { ($0.indicator, $0) }
        let kind: String = if case .ratio = composition { "ratio of" } else { "sum of" }
        let head = tableHead([("Component", 30, false), ("Baseline", 14, true), ("Outturn" + (r.outturnPeriod.map { " \($0)" } ?? ""), 14, true),
                              ("Change", 14, true), ("Change %", 14, true), ("Share of change", 14, true)])
        let rows = components.map { id, c -> HTMLNode in
            let cdef = state.indicator(id)
            let name: HTMLNode = .el("th", ["scope": "row"], .el("span", ["class": "name"], .text(cdef?.name ?? id)), code(id, block: true))
            let baseline = textOr(c?.baseline.map { UK.figure($0, cdef) }, "no baseline value")
            let value = textOr(c?.value.map { UK.figure($0, cdef) }, "no outturn recorded")
            let change = textOr(c?.change.map { UK.signed(UK.figure($0, cdef), $0) }, "–")
            let percent = textOr(c?.changePercent.map { UK.percent($0, signed: true) }, "–")
            let share = textOr(c?.shareOfChangePercent.map { UK.percent($0) }, "–")
            let cells = [baseline, value, change, percent, share].map { HTMLNode.el("td", ["class": "num"], $0) }
            return .el("tr", attributes: [("data-component", id)], children: [name] + cells)
        }
        return .el("table", ["class": "components"],
                   .el("caption", .text("\(def?.name ?? r.indicator) is the \(kind) \(components.count) components")),
                   head, .el("tbody", children: rows))
    }

    // MARK: - Actions

    private var actionsSection: HTMLNode {
        let rows = actionRows
        var body: [HTMLNode] = [.el("h2", .text("Actions"))]
        guard !rows.isEmpty else {
            body.append(.el("p", ["class": "empty", "id": "actions-table"], .text("No actions recorded at this point in time.")))
            return .el("section", ["id": "actions"], children: body)
        }
        let overdue = rows.filter(\.overdue).count
        body.append(.el("p", ["class": "lede"], .text("\(UK.count(rows.count, "action")), \(overdue) overdue at \(viewDate) (due before that date and neither complete nor cancelled).")))
        let head = tableHead([("Action", 22, false), ("Leads", 12, false), ("Status", 10, false), ("Due", 12, false),
                              ("Latest progress", 32, false), ("Resources", 12, false)])
        let body_ = rows.map { a -> HTMLNode in
            var due: [HTMLNode] = [textOr(a.due?.description ?? a.timescale, "no due date")]
            if a.due != nil, let words = a.timescale { due.append(.el("span", ["class": "sub"], .text(words))) }
            if a.overdue { due.append(.el("span", ["class": "overdue"], .el("span", ["aria-hidden": "true"], .text("⚠")), .text(" OVERDUE"))) }
            var progress: [HTMLNode] = [textOr(a.lastUpdate, a.lastUpdateKnown == nil ? "no update recorded" : "no progress text")]
            if let known = a.lastUpdateKnown {
                progress.append(.el("span", ["class": "sub"], .text("updated \(known)" + (a.lastUpdateQuarter.map { ", for \($0)" } ?? ""))))
            }
            return .el("tr", attributes: [("data-action", a.action)] + (a.overdue ? [("class", "is-overdue")] : []), children: [
                .el("th", ["scope": "row"], .el("span", ["class": "name"], .text(a.title)), code(a.action, block: true)),
                .el("td", children: [a.leads.isEmpty ? empty("none named") : .text(a.leads.joined(separator: ", "))]),
                .el("td", .el("span", ["class": "action-status status-\(a.status.rawValue)"], .text(a.status.rawValue))),
                .el("td", children: due),
                .el("td", ["class": "progress-text"], children: progress),
                .el("td", children: [textOr(a.resources.map { UK.money($0) }, "none stated")]),
            ])
        }
        body.append(.el("table", ["id": "actions-table", "class": "actions"], head, .el("tbody", children: body_)))
        return .el("section", ["id": "actions"], children: body)
    }

    // MARK: - Changes since the previous board

    /// The diff rows between the previous board's seal and this point that concern the partnership.
    var changes: [DiffRow] {
        guard let previous, let partnership else { return [] }
        let rows = Diff.rows(from: previous.state, to: state, todayA: previous.record.board.date.lastDay, todayB: viewDate)
        return rows.filter { row in
            switch row.view {
            case "status": return row.key.hasPrefix(partnership + "/")
            case "progress":
                return (state.target(row.key)?.target.partnership ?? previous.state.target(row.key)?.target.partnership) == partnership
            case "actions":
                return (state.action(row.key)?.partnership ?? previous.state.action(row.key)?.partnership) == partnership
            default: return false
            }
        }
    }

    private var changesSection: HTMLNode {
        var body: [HTMLNode] = [.el("h2", .text("What changed since the previous board"))]
        guard let previous else {
            body.append(.el("p", ["class": "empty", "id": "no-previous-board"],
                            .text("No previous board: the ledger records no board of this partnership before this point in time, so there is nothing to compare with.")))
            return .el("section", ["id": "changes"], children: body)
        }
        let rows = changes
        let r = previous.record
        body.append(.el("p", ["class": "lede"], .text("From board \(r.board.board) held on \(r.board.date) (its seal: seq \(r.sealSeq)) to \(point): \(rows.count) \(rows.count == 1 ? "change" : "changes"). Beneath each, the ledger entries recorded after that seal that touch it.")))
        guard !rows.isEmpty else {
            body.append(.el("p", ["class": "empty"], .text("Nothing changed in status, progress or actions since that board.")))
            return .el("section", ["id": "changes"], children: body)
        }
        // One block per changed row, in the diff's order.
        var groups: [(view: String, key: String, rows: [DiffRow])] = []
        for row in rows {
            if let last = groups.last, last.view == row.view, last.key == row.key { groups[groups.count - 1].rows.append(row) }
            else { groups.append((row.view, row.key, [row])) }
        }
        let entries = result.replay.audit.entries.filter { $0.seq > r.sealSeq }
        for group in groups {
            let behind = entries.filter { auditEntry($0, concerns: group.view, key: group.key) }
            body.append(changeArticle(group.view, group.key, group.rows, behind: behind))
        }
        return .el("section", ["id": "changes"], children: body)
    }

    private func changeArticle(_ view: String, _ key: String, _ rows: [DiffRow], behind: [AuditEntry]) -> HTMLNode {
        let title: String
        /// The indicator whose unit the changed figures are in.
        var def: IndicatorDefined?
        switch view {
        case "status":
            let id = partnership.map { String(key.dropFirst($0.count + 1)) } ?? key
            def = state.indicator(id) ?? previous?.state.indicator(id)
            title = "Status of " + (def?.name ?? id)
        case "progress":
            let indicator = (state.target(key) ?? previous?.state.target(key))?.target.indicator
            def = indicator.flatMap { state.indicator($0) ?? previous?.state.indicator($0) }
            title = "Progress of " + (def?.name ?? indicator ?? "a withdrawn target") + " against target"
        default:
            title = "Action " + (state.action(key)?.title ?? previous?.state.action(key)?.title ?? "")
        }
        func value(_ text: String?, field: String) -> HTMLNode {
            guard let text else { return empty("none") }
            switch field {
            case "value", "baseline", "expected":
                return .text(Double(text).map { UK.figure($0, def) } ?? text)
            case "changePercent", "baselineChangePercent":
                return .text(Double(text).map { UK.percent($0, signed: true) } ?? text)
            default:
                return .text(UK.diffValue(text))
            }
        }
        let fields = rows.map { row -> HTMLNode in
            .el("tr",
                .el("th", ["scope": "row"], .text(fieldWords(row.field))),
                .el("td", value(row.from, field: row.field)),
                .el("td", value(row.to, field: row.field)))
        }
        var children: [HTMLNode] = [
            .el("h3", .text(title + " "), code(key)),
            .el("table", ["class": "diff"],
                tableHead([("Field", 24, false), ("At the previous board", 38, false), ("In this report", 38, false)]),
                .el("tbody", children: fields)),
        ]
        if behind.isEmpty {
            children.append(.el("p", ["class": "empty"], .text("No ledger entry since the previous board touches this: the change follows from the point in time itself (a due date passing, a glide path moving on).")))
        } else {
            children.append(auditTable(behind))
        }
        return .el("article", ["class": "change", "data-view": view, "data-key": key], children: children)
    }

    private func fieldWords(_ field: String) -> String {
        switch field {
        case "(row)": "row"
        case "period": "period"
        case "value": "outturn"
        case "change": "change"
        case "changePercent": "change achieved"
        case "target": "target"
        case "rag": "RAG"
        case "direction": "direction of travel"
        case "baselineChangePercent": "vs baseline"
        case "baseline": "baseline"
        case "expected": "expected"
        case "status": "status"
        case "due": "due"
        case "overdue": "overdue"
        case "lastUpdate": "latest progress"
        default: field
        }
    }

    /// Whether an audit entry is behind a changed row: it names the indicator (or one of its
    /// components) for this partnership, the target, or the action.
    private func auditEntry(_ e: AuditEntry, concerns view: String, key: String) -> Bool {
        guard let partnership else { return false }
        let samePartnership = !e.tags.contains { $0.hasPrefix("partnership:") } || e.tags.contains("partnership:\(partnership)")
        switch view {
        case "status":
            let family = indicatorFamily(String(key.dropFirst(partnership.count + 1)))
            return samePartnership && e.tags.contains { family.contains($0) }
        case "progress":
            if e.tags.contains("target:\(key)") { return true }
            guard let t = state.target(key)?.target ?? previous?.state.target(key)?.target else { return false }
            let family = indicatorFamily(t.indicator)
            return samePartnership && e.tags.contains { family.contains($0) }
        default:
            return e.tags.contains("action:\(key)")
        }
    }

    /// `indicator:X` tags for an indicator and every indicator it is built from.
    private func indicatorFamily(_ id: String) -> Set<String> {
        var seen: Set<String> = []
        var queue = [id]
        while let next = queue.popLast(), seen.count < 256 {
            guard seen.insert(next).inserted else { continue }
            queue += (state.indicator(next) ?? previous?.state.indicator(next))?.composition.components ?? []
        }
        return Set(seen.map { "indicator:\($0)" })
    }

    private func auditTable(_ entries: [AuditEntry]) -> HTMLNode {
        let head = tableHead([("Seq", 6, true), ("Recorded / known", 17, false), ("Event", 17, false), ("Source / actor", 12, false),
                              ("Before", 24, false), ("After", 24, false)])
        let rows = entries.map { e -> HTMLNode in
            var event: [HTMLNode] = [.text(e.type), .el("span", ["class": "sub"], .text(e.subject))]
            if e.backdated { event.append(.el("span", ["class": "flag"], .text("backdated"))) }
            if let by = e.retractedBy { event.append(.el("span", ["class": "flag"], .text("retracted by seq \(by)"))) }
            return .el("tr", ["data-seq": String(e.seq)],
                       .el("td", ["class": "num"], .text(String(e.seq))),
                       .el("td", .text(e.recorded.replacing("T", with: " ")), .el("span", ["class": "sub"], .text("known \(e.known)"))),
                       .el("td", children: event),
                       .el("td", .text(e.source), .el("span", ["class": "sub"], .text(e.actor))),
                       .el("td", children: [textOr(e.before, "–")]),
                       .el("td", children: [textOr(e.after, "–")]))
        }
        return .el("table", ["class": "audit"], .el("caption", .text("Ledger entries behind this change")), head, .el("tbody", children: rows))
    }

    // MARK: - Footer

    private var footer: HTMLNode {
        var command = "outturn report --ledger \(shellWord(ledgerPath))"
        if let pointOption { command += " " + pointOption }
        if let partnership { command += " --partnership \(shellWord(partnership))" }
        command += " --out report.html"
        return .el("footer",
                   .el("p", .text("Made by outturn from the ledger alone: every figure above is derived from its events. To re-create this page: "),
                       .el("code", ["id": "recreate"], .text(command)), .text(". "),
                       .text(stability)))
    }

    /// Whether running the command again later gives the same page, in words.
    private var stability: String {
        switch point {
        case .now:
            "Without --as-of or --board it shows the ledger as it stands when run."
        case .asOf:
            "Run again later, entries appended since but known by that date (backdated corrections) count too; --board, or --as-of with --recorded, fixes the page as it stood."
        case .recorded, .sealed:
            "Run again later, it gives the same page: only the ledger's head and the verify line move on as events are appended."
        }
    }

    /// A word a POSIX shell reads back as itself.
    private func shellWord(_ s: String) -> String {
        let plain = s.unicodeScalars.allSatisfy { isAlphanumeric($0) || "-_./@:=+,".unicodeScalars.contains($0) }
        return plain && !s.isEmpty ? s : "'" + s.replacing("'", with: "'\\''") + "'"
    }

    // MARK: - Small pieces

    private func code(_ text: String, block: Bool = false) -> HTMLNode {
        .el("code", ["class": block ? "id" : "id inline"], .text(text))
    }

    private func empty(_ words: String) -> HTMLNode {
        .el("span", ["class": "empty"], .text(words))
    }

    /// A table's header row. The widths (percent) fix the columns, so a long word in one cell
    /// wraps inside it rather than widening the table past the page.
    private func tableHead(_ columns: [(title: String, width: Int, numeric: Bool)]) -> HTMLNode {
        .el("thead", .el("tr", children: columns.map { c in
            .el("th", attributes: [("scope", "col"), ("style", "width:\(c.width)%")] + (c.numeric ? [("class", "num")] : []), children: [.text(c.title)])
        }))
    }

    /// The text, or an explicit empty state in words.
    private func textOr(_ text: String?, _ emptyWords: String) -> HTMLNode {
        text.map(HTMLNode.text) ?? empty(emptyWords)
    }
}

/// Numbers as a UK reader expects them: 12,187; −13.6%; £60,000 — with a true minus sign.
enum UK {
    /// Grouped in thousands, at most `decimals` places (trailing zeros dropped).
    static func number(_ v: Double, decimals: Int = 1) -> String {
        guard v.isFinite else { return "–" }
        let scale = pow(10, Double(decimals))
        let rounded = (v * scale).rounded() / scale
        return minus(ukNumber(rounded == 0 ? 0 : rounded))
    }

    /// A figure in its indicator's unit: a count, £ for money, % for percents, "per 1,000" for rates.
    static func figure(_ v: Double, _ indicator: IndicatorDefined?, decimals: Int? = nil) -> String {
        switch indicator?.unit {
        case .currency?: return (v < 0 ? "−" : "") + "£" + number(abs(v), decimals: decimals ?? 0)
        case .percent?: return number(v, decimals: decimals ?? 1) + "%"
        case .rate?: return number(v, decimals: decimals ?? 2) + (indicator?.per.map { " per \(number($0, decimals: 0))" } ?? "")
        case .ratio?: return number(v, decimals: decimals ?? 2)
        case .count?, nil: return number(v, decimals: decimals ?? 1)
        }
    }

    /// A percentage to one decimal, always showing it (−13.6%, 12.0%); `signed` adds + to rises.
    static func percent(_ p: Double, signed: Bool = false) -> String {
        guard p.isFinite else { return "–" }
        let text = minus(ukNumber((p * 10).rounded() / 10 == 0 ? 0 : p, decimals: 1)) + "%"
        return signed && (p * 10).rounded() > 0 ? "+" + text : text
    }

    /// "1 action", "3 actions".
    static func count(_ n: Int, _ noun: String) -> String { "\(number(Double(n))) \(noun)\(n == 1 ? "" : "s")" }

    /// `+272` for a rise, `−490` for a fall (the text already carries the minus).
    static func signed(_ text: String, _ v: Double) -> String { v > 0 ? "+" + text : text }

    /// Money: £60,000 per year (LCPF).
    static func money(_ r: Resources) -> String {
        let symbol = ["GBP": "£", "EUR": "€", "USD": "$"][r.currency.uppercased()]
        let amount = number(r.amount, decimals: 2)
        var text = symbol.map { $0 + amount } ?? "\(amount) \(r.currency)"
        if let per = r.per { text += " per \(per)" }
        if let fund = r.fund { text += " (\(fund))" }
        return text
    }

    /// A value as the diff gives it ("10534", "-13.6", "-13.6%"), formatted when it is a number.
    static func diffValue(_ s: String) -> String {
        if s.hasSuffix("%"), let v = Double(s.dropLast()) { return percent(v) }
        if let v = Double(s), s.first?.isNumber == true || s.first == "-" { return number(v, decimals: 2) }
        return s
    }

    private static func minus(_ s: String) -> String {
        s.hasPrefix("-") ? "−" + s.dropFirst() : s
    }
}

extension BoardReport {
    /// The page's only style sheet, inline so the file stands alone.
    ///
    /// Why these rules: A4 pages with repeated table headers and nothing split mid-row or
    /// mid-chart; colours kept when printing (RAG must print), and every RAG state also
    /// told apart by word, symbol, lightness, border and weight, so a greyscale copy still
    /// reads; `overflow-wrap:anywhere` so a 300-character word in a feed's note wraps
    /// inside its cell instead of pushing the table off the page.
    static let styleSheet: StaticString = """
        @page { size: A4; margin: 14mm 12mm 16mm; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; background: #fff; }
        body { font-family: "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; line-height: 1.35;
               color: #111; background: #fff; margin: 0 auto; max-width: 186mm; padding: 10mm 0 12mm; }
        @media print { body { max-width: none; padding: 0; } }
        h1 { font-size: 17pt; margin: 0 0 3mm; line-height: 1.2; }
        h2 { font-size: 13pt; border-bottom: 2px solid #111; padding-bottom: 1mm; margin: 8mm 0 2mm; break-after: avoid; page-break-after: avoid; }
        h3 { font-size: 11pt; margin: 0 0 2mm; break-after: avoid; page-break-after: avoid; }
        h1, h2, h3, p, li, dt, dd, th, td, caption, figcaption, code { overflow-wrap: anywhere; word-break: normal; }
        p.lede { margin: 0 0 2mm; color: #333; }
        dl.meta { display: grid; grid-template-columns: 34mm minmax(0, 1fr); gap: 1mm 3mm; margin: 0; padding: 3mm;
                  border: 1px solid #111; font-size: 9pt; }
        dl.meta dt { font-weight: bold; }
        dl.meta dd { margin: 0; min-width: 0; }
        dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.5mm 3mm; margin: 0 0 2mm; font-size: 9pt; }
        dl.facts dt { font-weight: bold; }
        dl.facts dd { margin: 0; min-width: 0; }
        code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.85em; }
        code.hash { font-size: 8pt; }
        code.id { color: #444; font-size: 7.5pt; }
        code.id:not(.inline) { display: block; }
        table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 8.5pt; table-layout: fixed; }
        caption { text-align: left; font-weight: bold; padding: 1mm 0; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th, td { border-bottom: 1px solid #999; padding: 1mm 1.4mm; text-align: left; vertical-align: top; min-width: 0; }
        thead th { border-bottom: 1.5px solid #111; background: #e8e8e8; }
        tbody th { font-weight: normal; }
        tbody th .name { font-weight: bold; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .sub { display: block; color: #444; font-size: 7.5pt; white-space: normal; }
        .empty { font-style: italic; color: #555; }
        .tag { display: inline-block; margin-left: 2mm; padding: 0 1.5mm; border: 1px solid #555; border-radius: 1mm;
               font-size: 7.5pt; font-weight: normal; vertical-align: middle; }
        .flag { display: inline-block; margin-top: 0.5mm; padding: 0 1mm; border: 1px dashed #333; font-size: 7pt; }
        .rag { display: inline-block; padding: 0.2mm 1.6mm; border: 1px solid #111; border-radius: 1mm; white-space: nowrap; font-size: 8pt; }
        .rag-green { background: #dcf2dc; color: #0b3d0b; }
        .rag-amber { background: repeating-linear-gradient(135deg, #f7c04a 0 2px, #fff0c8 2px 5px); color: #2b1d00;
                     font-weight: bold; border-style: dashed; }
        .rag-red { background: #a4161a; color: #fff; font-weight: bold; border: 2px solid #000; }
        .rag-nodata { background: #fff; color: #333; font-style: italic; border-style: dotted; }
        .direction.worse { font-weight: bold; }
        .overdue { display: inline-block; margin-top: 0.5mm; padding: 0.2mm 1.4mm; background: #a4161a; color: #fff;
                   font-weight: bold; border: 2px solid #000; font-size: 7.5pt; white-space: nowrap; }
        tr.is-overdue > * { border-left: 0; }
        tr.is-overdue > th { box-shadow: inset 3px 0 0 #000; }
        .action-status { white-space: nowrap; }
        .status-off-track, .status-at-risk { font-weight: bold; }
        .verify-passed { color: #0b3d0b; }
        .verify-failed { color: #fff; background: #a4161a; padding: 0 1mm; }
        svg.sparkline { display: block; }
        svg.sparkline .spark { fill: none; stroke: #1f3b73; stroke-width: 1.6; stroke-linejoin: round; }
        svg.sparkline .spark-dot { fill: #1f3b73; }
        article.target { border: 1px solid #999; padding: 3mm; margin: 0 0 4mm; break-inside: avoid; page-break-inside: avoid; }
        article.change { margin: 0 0 4mm; break-inside: avoid; page-break-inside: avoid; }
        figure.chart { margin: 0 0 2mm; break-inside: avoid; page-break-inside: avoid; }
        svg.chart { display: block; width: 100%; height: auto; font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
        svg .grid { stroke: #d9d9d9; stroke-width: 1; }
        svg .axis { stroke: #222; stroke-width: 1; }
        svg .tick { font-size: 10px; fill: #333; }
        svg .label { font-size: 10px; fill: #111; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
        svg .band-label { font-size: 10px; font-weight: bold; fill: #333; }
        svg .note { font-size: 13px; font-style: italic; fill: #555; }
        svg .target-period { fill: #ececec; stroke: #666; stroke-dasharray: 4 3; }
        svg .value-band { fill: #d6e6f5; stroke: #3d6690; stroke-width: 1; }
        svg .outturn { fill: none; stroke: #1f3b73; stroke-width: 2.5; stroke-linejoin: round; }
        svg .outturn-dot { fill: #1f3b73; stroke: #fff; stroke-width: 1; }
        svg .glide { fill: none; stroke: #a4161a; stroke-width: 1.8; stroke-dasharray: 7 4; }
        svg .baseline { fill: none; stroke: #444; stroke-width: 2; stroke-dasharray: 2 3; }
        svg .baseline-dot { fill: #444; }
        svg .target-marker { fill: #a4161a; stroke: #000; stroke-width: 1; }
        svg .expected { fill: #fff; stroke: #a4161a; stroke-width: 2; }
        svg .bracket { fill: none; stroke: #444; stroke-width: 1.2; }
        ul.legend { list-style: none; margin: 1mm 0 0; padding: 0; font-size: 8pt; columns: 2; column-gap: 6mm; }
        ul.legend li { break-inside: avoid; margin: 0 0 0.6mm; }
        svg.swatch { vertical-align: middle; }
        footer { margin-top: 8mm; padding-top: 2mm; border-top: 1px solid #111; font-size: 8pt; color: #333; }
        """
}
