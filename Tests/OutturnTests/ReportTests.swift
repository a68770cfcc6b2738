import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `outturn report`: the board pack as one HTML page, read back by parsing it (and, where
/// Debian's Chromium is installed, by a real browser).
struct ReportTests {
    static let example = CLI.packageRoot.appendingPathComponent("Examples/lewisham-2015-16.jsonl").path

    // MARK: - The example ledger

    @Test func exampleReportHasEveryStatusRowWithItsRAGWordAndTheHeadHash() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("report.html")
        let r = try CLI.run(["report", "--ledger", Self.example, "--out", out], in: CLI.packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("wrote \(out): lewisham"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let page = try TagScanner.parse(html)

        // Every status row `outturn status` gives, with its RAG as a word.
        let status = try #require(try JSONSerialization.jsonObject(with: Data(
            try CLI.run(["status", "--ledger", Self.example, "--format", "json"], in: CLI.packageRoot).stdout.utf8)) as? [[String: Any]])
        let table = try #require(page.first(id: "status-table"))
        let rows = table.all("tr").filter { $0.attributes["data-indicator"] != nil }
        #expect(rows.count == status.count)
        for expected in status {
            let indicator = try #require(expected["indicator"] as? String)
            let rag = try #require(expected["rag"] as? String)
            let row = try #require(rows.first { $0.attributes["data-indicator"] == indicator }, "no row for \(indicator)")
            #expect(row.attributes["data-rag"] == rag)
            let cells = row.children.compactMap(\.element)
            #expect(cells.count == 8)
            #expect(cells[0].text.contains(indicator))
            #expect(cells[4].text.contains(rag), "\(indicator): RAG cell '\(cells[4].text)'")
        }
        #expect(table.text.contains("target not yet set"))

        // The head hash, exactly as verify prints it, and verify's verdict.
        let verify = try CLI.run(["verify", "--ledger", Self.example], in: CLI.packageRoot).stdout
        let head = try #require(verify.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.first(id: "head-hash")?.text == head)
        #expect(page.first(id: "verify")?.text.contains("passed") == true)

        // Self-contained: no script, no external address, nothing loaded.
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        #expect(html.range(of: "http", options: .caseInsensitive) == nil)
        #expect(page.all("*").allSatisfy { $0.attributes["src"] == nil && $0.attributes["href"] == nil })
        #expect(page.all("link").isEmpty && page.all("img").isEmpty && page.all("iframe").isEmpty)

        // UK figures and explicit empty states.
        #expect(table.text.contains("10,534"))
        #expect(page.text.contains("\u{2212}20.0%"))
        #expect(page.text.contains("no baseline value"))
        #expect(page.first(id: "no-previous-board") != nil)

        // Targets, MOPAC's first, each with a chart marking the target period; MOPAC 7 lists its seven parts.
        let targets = page.all("article").filter { $0.attributes["data-target"] != nil }
        #expect(targets.map { $0.attributes["data-target"] ?? "" } == ["lewisham-mopac7-20pc", "lewisham-mopac7-20pc-stretch", "lewisham-marac-28-35"])
        for target in targets {
            let chart = try #require(target.all("svg").first { $0.attributes["class"] == "chart" })
            #expect(chart.all("polyline").contains { $0.attributes["class"] == "outturn" })
            #expect(chart.all("text").contains { $0.text == "target period 2015/16" })
            #expect(chart.all("text").contains { $0.text == "2014" })
        }
        #expect(targets[0].all("tr").filter { $0.attributes["data-component"] != nil }.count == 7)
        #expect(targets[2].all("rect").contains { $0.attributes["class"] == "value-band" })
    }

    @Test func helpHasAnExampleThatWorksWhenPasted() throws {
        let dir = try TemporaryDirectory()
        let help = try CLI.run(["report", "--help"], in: dir.url)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: outturn report"))
        let examples = try #require(help.stdout.components(separatedBy: "EXAMPLES:\n").last).split(separator: "\n")
        #expect(!examples.isEmpty)
        let before = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("Examples").path).sorted()
        for example in examples {
            // The examples write to /tmp/…; write to a private folder instead.
            let command = example.trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: "/tmp/", with: dir.url.path + "/")
                .replacingOccurrences(of: "outturn ", with: CLI.executable.path + " ")
            let r = try Shell.run(command, in: CLI.packageRoot)
            #expect(r.status == 0, "\(example): \(r.stderr)")
            #expect(r.stdout.hasPrefix("wrote "), "\(example)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.path("report.html")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("Examples").path).sorted() == before)
    }

    @Test func usageErrorsExit64() throws {
        let dir = try TemporaryDirectory()
        for arguments in [["report", "--ledger", Self.example], ["report", "--ledger", Self.example, "--out", "x", "--board", "2015-01-01"],
                          ["report", "--ledger", Self.example, "--out", "x", "--format", "json"]] {
            let r = try CLI.run(arguments, in: dir.url)
            #expect(r.status == 64, "\(arguments)")
            #expect(r.stderr.contains("See 'outturn report --help'."))
        }
        let unknown = try CLI.run(["report", "--ledger", Self.example, "--partnership", "croydon", "--out", dir.path("x.html")], in: dir.url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no partnership \"croydon\""))
    }

    @Test func aBrokenChainIsStatedAtTheTopAndExits1() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("tampered.jsonl")
        var lines = try Events.lines(ofFile: Self.example)
        let i = try #require(lines.firstIndex { $0.contains(#""value":2531"#) })
        lines[i] = lines[i].replacingOccurrences(of: #""value":2531"#, with: #""value":2530"#)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: ledger))
        let r = try CLI.run(["report", "--ledger", ledger, "--out", "-"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stderr.contains("seq \(i + 1): hash mismatch"))
        let verify = try #require(try TagScanner.parse(r.stdout).first(id: "verify"))
        #expect(verify.text == "✖ FAILED")
    }

    // MARK: - At a board

    @Test func boardReportShowsWhatTheBoardSawAndWhatChangedSinceThePreviousBoard() throws {
        let dir = try TemporaryDirectory()
        let ledger = try BoardLedger.build(in: dir)
        let out = dir.path("board.html")
        let r = try CLI.run(["report", "--ledger", ledger, "--board", "stp-board@2016-01-20", "--out", out], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let page = try TagScanner.parse(html)
        let lines = try Events.lines(ofFile: ledger)

        // The header: the point in time with the seal, the whole ledger's head.
        let meta = try #require(page.all("dl").first { $0.attributes["class"] == "meta" }).text
        let sealSeq = BoardLedger.secondBoardSeq - 1
        #expect(meta.contains("board stp-board on 2016-01-20 (sealed at seq \(sealSeq))"))
        #expect(meta.contains(try BoardLedger.hash(lines[sealSeq - 1])), "the seal's hash")
        #expect(page.first(id: "head-hash")?.text == (try BoardLedger.hash(try #require(lines.last))))

        // The status the board saw: the provisional 2015/16 figure, not the later revision.
        let burglary = try #require(page.first(id: "status-table")?.all("tr").first { $0.attributes["data-indicator"] == "crime.a" })
        #expect(burglary.text.contains("1,150"))
        #expect(!html.contains("1,480"), "the revision after the board")
        let total = try #require(page.first(id: "status-table")?.all("tr").first { $0.attributes["data-indicator"] == "crime.total" })
        #expect(total.attributes["data-rag"] == "green")
        #expect(total.text.contains("\u{2212}7.3%"))

        // The glide path and the target drawn for the MOPAC target, which comes first.
        let first = try #require(page.all("article").first { $0.attributes["data-target"] != nil })
        #expect(first.attributes["data-target"] == "total-20pc")
        #expect(first.all("polyline").contains { $0.attributes["class"] == "glide" })
        #expect(first.all("polygon").contains { $0.attributes["class"] == "target-marker" })
        #expect(first.all("text").contains { $0.text == "target period 2017/18" })

        // Actions: the overdue one marked, with its latest progress text; money as £.
        let actions = try #require(page.first(id: "actions-table"))
        let a1 = try #require(actions.all("tr").first { $0.attributes["data-action"] == "A1" })
        #expect(a1.attributes["class"] == "is-overdue")
        #expect(a1.text.contains("OVERDUE") && a1.text.contains("Contractor delayed") && a1.text.contains("£60,000 per year (LCPF)"))
        #expect(actions.all("tr").first { $0.attributes["data-action"] == "A2" }?.attributes["class"] == nil)

        // What changed since the first board, and the ledger entries behind each change.
        let changes = try #require(page.first(id: "changes"))
        #expect(changes.text.contains("From board stp-board held on 2015-07-15"))
        let changed = changes.all("article")
        let burglaryChange = try #require(changed.first { $0.attributes["data-key"] == "testborough/crime.a" })
        #expect(burglaryChange.text.contains("1,250") && burglaryChange.text.contains("1,150"))
        let seqs = burglaryChange.all("tr").compactMap { $0.attributes["data-seq"] }
        #expect(seqs == [String(BoardLedger.burglary2015Seq)])
        let totalChange = try #require(changed.first { $0.attributes["data-key"] == "testborough/crime.total" })
        #expect(totalChange.all("tr").compactMap { $0.attributes["data-seq"] }.count == 3, "a composite's change comes from its components' outturns")
        #expect(changed.contains { $0.attributes["data-key"] == "A1" && $0.text.contains("at-risk") })
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        #expect(html.range(of: "http", options: .caseInsensitive) == nil)

        // At the first board there is no previous one, and the page says so.
        let firstBoard = dir.path("first.html")
        #expect(try CLI.run(["report", "--ledger", ledger, "--board", "stp-board@2015-07-15", "--out", firstBoard], in: dir.url).status == 0)
        let firstPage = try TagScanner.parse(try String(contentsOfFile: firstBoard, encoding: .utf8))
        #expect(firstPage.first(id: "no-previous-board")?.text.contains("No previous board") == true)
        #expect(firstPage.first(id: "status-table")?.all("tr").first { $0.attributes["data-indicator"] == "crime.a" }?.text.contains("1,250") == true)
    }

    @Test func boardReportIsReproducibleAndOnlyItsHeaderMovesOnAfterAnAppend() throws {
        let dir = try TemporaryDirectory()
        let ledger = try BoardLedger.build(in: dir)
        func report(_ name: String) throws -> String {
            let r = try CLI.run(["report", "--ledger", ledger, "--board", "stp-board@2016-01-20", "--out", dir.path(name)], in: dir.url)
            #expect(r.status == 0, "\(r.stderr)")
            return try String(contentsOfFile: dir.path(name), encoding: .utf8)
        }
        let a = try report("a.html"), b = try report("b.html")
        #expect(a == b, "the same ledger and board give the same bytes")
        let later = #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2015/16","value":999}}"#
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2016-06-01"], stdin: later, in: dir.url).status == 0)
        let c = try report("c.html")
        #expect(a != c, "the header names the ledger's new head")
        let (before, after) = (try TagScanner.parse(a), try TagScanner.parse(c))
        for section in ["status", "progress", "actions", "changes"] {
            #expect(before.first(id: section)?.text == after.first(id: section)?.text, "\(section)")
        }
    }

    // MARK: - Hostile text

    @Test func hostileLedgerTextComesOutEscapedAndWraps() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("hostile.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let word = String(repeating: "W", count: 300)
        let script = "<script>alert(1)</script>"
        let events = [
            #"{"type":"partnership.registered","data":{"partnership":"hostile","name":"Tom & Jerry's \"Safer\" <Borough>"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"hostile","plan":"p1","title":"Plan <i>1</i> & \"more\"","from":"2015/16","to":"2016/17"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"evil","name":"\#(script) \"quoted\" & 'single' \#(word)","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"hostile","indicator":"evil","period":"2014/15","value":100}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"hostile","indicator":"evil","period":"2015/16","value":90}}"#,
            #"{"type":"target.set","data":{"target":"evil-target","partnership":"hostile","indicator":"evil","period":"2016/17","setBy":"local","kind":"value","value":80}}"#,
            #"{"type":"action.created","data":{"action":"act-1","partnership":"hostile","plan":"p1","title":"Title \#(word)","leads":["<img src=x onerror=alert(1)>"],"due":"2015-12-31"}}"#,
            #"{"type":"board.held","data":{"partnership":"hostile","board":"b\"oard<x>","date":"2016-01-20"}}"#,
            #"{"type":"action.updated","data":{"action":"act-1","status":"off-track","progress":"\#(script) \"quotes\" & ampersands </td></tr></table> \#(word) end"}}"#,
        ].joined(separator: "\n")
        let appended = try CLI.run(["append", "--ledger", ledger, "--known", "2016-01-20"], stdin: events, in: dir.url)
        #expect(appended.status == 0, "\(appended.stderr)")
        let out = dir.path("hostile.html")
        let r = try CLI.run(["report", "--ledger", ledger, "--out", out], in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)

        // Nothing from the ledger became markup.
        for markup in ["<script", "<img", "<i>", "<Borough>", "<x>", "</td></tr></table> "] {
            #expect(html.range(of: markup, options: .caseInsensitive) == nil, "\(markup)")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Tom &amp; Jerry's \"Safer\" &lt;Borough&gt;"))

        // The page still parses, and reads back exactly what the ledger says.
        let page = try TagScanner.parse(html)
        #expect(page.all("script").isEmpty && page.all("img").isEmpty && page.all("i").isEmpty)
        let row = try #require(page.first(id: "status-table")?.all("tr").first { $0.attributes["data-indicator"] == "evil" })
        #expect(row.text.contains("\(script) \"quoted\" & 'single' \(word)"))
        let action = try #require(page.first(id: "actions-table")?.all("tr").first { $0.attributes["data-action"] == "act-1" })
        #expect(action.text.contains("\(script) \"quotes\" & ampersands </td></tr></table> \(word) end"))
        #expect(action.text.contains("<img src=x onerror=alert(1)>"))
        #expect(page.first(id: "changes")?.text.contains("b\"oard<x> held on 2016-01-20") == true)

        // Long words wrap inside fixed columns instead of widening the page.
        let style = try #require(page.all("style").first).text
        #expect(style.contains("overflow-wrap: anywhere"))
        #expect(style.contains("table-layout: fixed"))
        #expect(page.first(id: "status-table")?.all("th").first?.attributes["style"] == "width:21%")
    }

    /// The reader the tests above rely on would catch unescaped text: a stray tag breaks the
    /// tree or shows up as an element, and entities decode back to the ledger's text.
    @Test func tagScannerCatchesMarkupThatEscapedEscaping() throws {
        let good = try TagScanner.parse(#"<!DOCTYPE html><p class="a">x &amp; &lt;script&gt; <br><svg><line x1="1" /></svg></p>"#)
        #expect(good.all("p").first?.text == "x & <script> ")
        #expect(good.all("line").count == 1 && good.all("script").isEmpty)
        #expect(try TagScanner.parse("<td>a <script>alert(1)</script></td>").all("script").count == 1)
        #expect(throws: ReportTestError.self) { try TagScanner.parse("<table><tr><td>a </td></tr></table> </td></tr></table>") }
        #expect(throws: ReportTestError.self) { try TagScanner.parse("<td title=\"a\"b\">x</td>") }
        #expect(throws: ReportTestError.self) { try TagScanner.parse("<div><span>x</div>") }
    }

    // MARK: - In a real browser

    /// Debian's `chromium`, if it is on PATH. Without it the browser test is reported as
    /// skipped — never as passed; `.ci/run` installs it so CI always runs it.
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/chromium"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }()

    // Skipped (and reported as skipped) where Chromium is not installed.
    @Test(.enabled(if: ReportTests.chromium != nil, "needs Debian's chromium on PATH (.ci/run installs it)"))
    func chromiumReadsTheStatusTableAndRendersAPNGAndAnA4PDF() throws {
        let chromium = try #require(Self.chromium)
        let dir = try TemporaryDirectory()
        let ledger = try BoardLedger.build(in: dir)
        let out = dir.path("board.html")
        #expect(try CLI.run(["report", "--ledger", ledger, "--board", "stp-board@2016-01-20", "--out", out], in: dir.url).status == 0)
        let url = URL(fileURLWithPath: out).absoluteString
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.path("profile"))"]

        let dom = try Shell.execute(chromium, common + ["--dump-dom", url], in: dir.url)
        #expect(dom.status == 0, "\(dom.stderr)")
        let parsed = try TagScanner.parse(dom.stdout)
        let rows = try #require(parsed.first(id: "status-table")).all("tr").compactMap { $0.attributes["data-indicator"] }
        #expect(Set(rows) == ["crime.a", "crime.b", "crime.total", "satisfaction"])
        #expect(parsed.all("script").isEmpty)

        let png = dir.path("board.png"), pdf = dir.path("board.pdf")
        let shot = try Shell.execute(chromium, common + ["--hide-scrollbars", "--screenshot=\(png)", "--window-size=1240,1754", url], in: dir.url)
        #expect(shot.status == 0, "\(shot.stderr)")
        let print = try Shell.execute(chromium, common + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", url], in: dir.url)
        #expect(print.status == 0, "\(print.stderr)")
        let pngBytes = try Data(contentsOf: URL(fileURLWithPath: png))
        let pdfBytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
        #expect(pngBytes.count > 1000 && pngBytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(pdfBytes.count > 1000 && pdfBytes.starts(with: Array("%PDF-".utf8)))
        // @page asks for A4: 595 × 842 points.
        #expect(String(decoding: pdfBytes, as: UTF8.self).contains(try Regex(#"/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]"#)))
    }
}

/// A small ledger with two boards, built through `outturn append` as a feed would.
enum BoardLedger {
    /// Seqs fixed by the order of the events below.
    static let burglary2015Seq = 22
    static let secondBoardSeq = 26

    static func build(in dir: TemporaryDirectory) throws -> String {
        let ledger = dir.path("board.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let first = [
            #"{"type":"partnership.registered","data":{"partnership":"testborough","name":"Safer Testborough Partnership","borough":"Testborough"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"testborough","plan":"stp-2015-18","title":"Safer Testborough Plan 2015–18","from":"2015/16","to":"2017/18","version":"1.0"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime.a","name":"Burglary","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime.b","name":"Robbery","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime.total","name":"Neighbourhood crime","unit":"count","polarity":"lower-better","sum":["crime.a","crime.b"]}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"satisfaction","name":"Victim satisfaction","unit":"percent","polarity":"higher-better"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.a","period":"2012/13","value":1400}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2012/13","value":700}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.a","period":"2013/14","value":1300}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2013/14","value":650}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.a","period":"2014/15","value":1250}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2014/15","value":640,"status":"provisional"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"satisfaction","period":"2014/15","numerator":780,"denominator":1000}}"#,
            #"{"type":"baseline.set","data":{"baseline":"total-2014-15","partnership":"testborough","indicator":"crime.total","label":"2014/15","periods":["2014/15"],"method":"mean"}}"#,
            #"{"type":"target.set","data":{"target":"total-20pc","partnership":"testborough","indicator":"crime.total","period":"2017/18","setBy":"MOPAC","kind":"change","change":-0.2,"baseline":"total-2014-15"}}"#,
            #"{"type":"target.set","data":{"target":"satisfaction-80","partnership":"testborough","indicator":"satisfaction","period":"2015/16","setBy":"local","kind":"value","value":80}}"#,
            #"{"type":"action.created","data":{"action":"A1","partnership":"testborough","plan":"stp-2015-18","title":"Target-harden repeat burglary victims' homes","leads":["Police","Housing"],"due":"2015-12-31","resources":{"amount":60000,"currency":"GBP","per":"year","fund":"LCPF"}}}"#,
            #"{"type":"action.created","data":{"action":"A2","partnership":"testborough","plan":"stp-2015-18","title":"Street-based youth outreach","leads":["Youth service"],"due":"2016/17","timescale":"By March 2017"}}"#,
            #"{"type":"action.updated","data":{"action":"A1","status":"on-track","progress":"Survey of 120 homes done; locks fitted in 40.","quarter":"2015/16 Q1"}}"#,
            #"{"type":"board.held","data":{"partnership":"testborough","board":"stp-board","date":"2015-07-15"}}"#,
        ]
        let second = [
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2014/15","value":660,"status":"final","note":"Validated"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.a","period":"2015/16","value":1150,"status":"provisional"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.b","period":"2015/16","value":620,"status":"provisional"}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"satisfaction","period":"2015/16","numerator":770,"denominator":1000,"status":"provisional"}}"#,
            #"{"type":"action.updated","data":{"action":"A1","status":"at-risk","progress":"Contractor delayed: 70 of 120 homes done.","quarter":"2015/16 Q3"}}"#,
            #"{"type":"board.held","data":{"partnership":"testborough","board":"stp-board","date":"2016-01-20"}}"#,
        ]
        let third = [#"{"type":"outturn.recorded","data":{"partnership":"testborough","indicator":"crime.a","period":"2015/16","value":1480,"status":"final"}}"#]
        for (batch, known) in [(first, "2015-07-15"), (second, "2016-01-20"), (third, "2016-05-01")] {
            let r = try CLI.run(["append", "--ledger", ledger, "--known", known], stdin: batch.joined(separator: "\n"), in: dir.url)
            guard r.status == 0 else { throw ReportTestError("append failed: \(r.stderr)") }
        }
        return ledger
    }

    /// The `hash` field of a ledger line.
    static func hash(_ line: String) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let hash = object["hash"] as? String
        else { throw ReportTestError("no hash in \(line)") }
        return hash
    }
}

struct ReportTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command line through `/bin/sh`, or a program directly, and collects its output.
enum Shell {
    static func run(_ command: String, in directory: URL) throws -> CLI.Result {
        try execute("/bin/sh", ["-c", command], in: directory)
    }

    /// Runs `program arguments…`; stops it if it is still running after `timeout` seconds (a hung browser must not hang the tests).
    static func execute(_ program: String, _ arguments: [String], in directory: URL, timeout: Double = 60) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let id = UUID().uuidString
        let out = directory.appendingPathComponent(".shell-out-\(id)"), err = directory.appendingPathComponent(".shell-err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate(); break }
            usleep(20_000)
        }
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8))
    }
}

// MARK: - A small HTML reader for the tests

/// One parsed node: an element or decoded text.
enum ScannedNode {
    case element(ScannedElement)
    case text(String)

    var element: ScannedElement? { if case .element(let e) = self { e } else { nil } }
}

/// An element as the scanner read it.
struct ScannedElement {
    var name: String
    var attributes: [String: String]
    var children: [ScannedNode]

    /// All the text inside, entities decoded.
    var text: String {
        children.map { node in
            switch node {
            case .text(let t): t
            case .element(let e): e.text
            }
        }.joined()
    }

    /// Every element below this one named `name` ("*" for all), in document order.
    func all(_ name: String) -> [ScannedElement] {
        var found: [ScannedElement] = []
        for case .element(let e) in children {
            if name == "*" || e.name == name { found.append(e) }
            found += e.all(name)
        }
        return found
    }

    func first(id: String) -> ScannedElement? { all("*").first { $0.attributes["id"] == id } }
}

/// Reads HTML as our report writes it — and as Chromium's DOM dump gives it back — into a
/// tree, and throws on anything not well formed: a close tag that does not match the open
/// one, an unclosed element, an unquoted attribute. (Foundation's `XMLDocument` is not
/// available on Linux.)
enum TagScanner {
    static let void: Set<String> = ["meta", "br", "hr", "img", "link", "col", "wbr", "input", "source"]
    static let raw: Set<String> = ["style", "script", "title"]

    static func parse(_ html: String) throws -> ScannedElement {
        var stack = [ScannedElement(name: "#document", attributes: [:], children: [])]
        let s = Array(html.unicodeScalars)
        var i = 0
        var text = ""
        func flushText() {
            if !text.isEmpty { stack[stack.count - 1].children.append(.text(decode(text))); text = "" }
        }
        func close() throws {
            let done = stack.removeLast()
            guard !stack.isEmpty else { throw ReportTestError("closed the document") }
            stack[stack.count - 1].children.append(.element(done))
        }
        while i < s.count {
            guard s[i] == "<" else { text.unicodeScalars.append(s[i]); i += 1; continue }
            flushText()
            guard let end = s[i...].firstIndex(of: ">") else { throw ReportTestError("unterminated tag at \(i)") }
            let tag = String(String.UnicodeScalarView(s[(i + 1)..<end]))
            i = end + 1
            if tag.hasPrefix("!") { continue }
            if tag.hasPrefix("/") {
                let name = tag.dropFirst().trimmingCharacters(in: .whitespaces).lowercased()
                guard stack.count > 1, stack[stack.count - 1].name == name else {
                    throw ReportTestError("</\(name)> closes <\(stack.last?.name ?? "")>")
                }
                try close()
                continue
            }
            let selfClosing = tag.hasSuffix("/")
            let (name, attributes) = try parseTag(selfClosing ? String(tag.dropLast()) : tag)
            stack.append(ScannedElement(name: name, attributes: attributes, children: []))
            if selfClosing || void.contains(name) { try close(); continue }
            if raw.contains(name) {
                // Raw text up to the matching close tag (in our pages, <style>; <title> is escaped text).
                let closing = Array("</\(name)>".unicodeScalars)
                var j = i
                while j + closing.count <= s.count, Array(s[j..<(j + closing.count)]) != closing { j += 1 }
                guard j + closing.count <= s.count else { throw ReportTestError("<\(name)> is never closed") }
                let body = String(String.UnicodeScalarView(s[i..<j]))
                stack[stack.count - 1].children.append(.text(name == "title" ? decode(body) : body))
                i = j + closing.count
                try close()
            }
        }
        flushText()
        guard stack.count == 1 else { throw ReportTestError("unclosed: \(stack.dropFirst().map(\.name))") }
        return stack[0]
    }

    private static func parseTag(_ tag: String) throws -> (String, [String: String]) {
        let s = Array(tag.unicodeScalars)
        var i = 0
        func skipSpace() { while i < s.count, s[i].properties.isWhitespace { i += 1 } }
        func word() -> String {
            var w = ""
            while i < s.count, !s[i].properties.isWhitespace, s[i] != "=" { w.unicodeScalars.append(s[i]); i += 1 }
            return w
        }
        let name = word().lowercased()
        guard !name.isEmpty else { throw ReportTestError("empty tag") }
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard i < s.count else { break }
            let key = word()
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_:".unicodeScalars.contains($0) })
            else { throw ReportTestError("bad attribute name '\(key)' in <\(tag)>") }
            skipSpace()
            guard i < s.count, s[i] == "=" else { attributes[key] = ""; continue }
            i += 1
            skipSpace()
            guard i < s.count, s[i] == "\"" else { throw ReportTestError("unquoted attribute \(key) in <\(tag)>") }
            i += 1
            var value = ""
            while i < s.count, s[i] != "\"" { value.unicodeScalars.append(s[i]); i += 1 }
            guard i < s.count else { throw ReportTestError("unterminated attribute \(key) in <\(tag)>") }
            i += 1
            attributes[key] = decode(value)
        }
        return (name, attributes)
    }

    /// The entities our escaping writes, plus numeric ones.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.firstIndex(of: ";"), rest.distance(from: rest.startIndex, to: semi) <= 10 else {
                out += "&"; rest = rest.dropFirst(); continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]
            if let v = named[String(entity)] {
                out += v
            } else if entity.hasPrefix("#x"), let n = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(n) {
                out.unicodeScalars.append(u)
            } else if entity.hasPrefix("#"), let n = UInt32(entity.dropFirst()), let u = Unicode.Scalar(n) {
                out.unicodeScalars.append(u)
            } else {
                out += "&" + entity + ";"
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
