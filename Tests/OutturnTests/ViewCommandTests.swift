import Foundation
import Testing

/// The views as a script meets them: JSON keys it can rely on, CSV, points in time, exit codes.
struct ViewCommandTests {
    static let example = CLI.packageRoot.appendingPathComponent("Examples/lewisham-2015-16.jsonl").path

    func json(_ arguments: [String]) throws -> Any {
        let r = try CLI.run(arguments + ["--format", "json"], in: CLI.packageRoot)
        #expect(r.status == 0, "\(arguments): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    @Test func jsonRowsCarryTheDocumentedKeys() throws {
        let status = try #require(try json(["status", "--ledger", Self.example]) as? [[String: Any]])
        let statusKeys: Set = ["partnership", "indicator", "period", "value", "target", "rag", "direction", "baselineChangePercent"]
        #expect(!status.isEmpty)
        for row in status { #expect(statusKeys.isSubset(of: Set(row.keys)), "\(row.keys)") }
        let rags = Set(status.compactMap { $0["rag"] as? String })
        #expect(rags.isSubset(of: ["green", "amber", "red", "no data"]))

        let progress = try #require(try json(["progress", "--ledger", Self.example, "--set-by", "MOPAC"]) as? [[String: Any]])
        let progressKeys: Set = ["target", "partnership", "indicator", "kind", "setBy", "period", "baseline", "value", "changePercent",
                                 "targetChangePercent", "expected", "rag"]
        #expect(progress.count == 3)
        for row in progress { #expect(progressKeys.isSubset(of: Set(row.keys)), "\(row.keys)") }
        let mopac7 = try #require(progress.first { $0["target"] as? String == "lewisham-mopac7-20pc" })
        #expect((mopac7["components"] as? [[String: Any]])?.count == 7)
        #expect(mopac7["targetChangePercent"] as? Double == -20.0)

        let compare = try #require(try json(["compare", "--ledger", Self.example, "--indicator", "MOPAC7", "--baseline", "2013", "--period", "2014"]) as? [[String: Any]])
        let compareKeys: Set = ["indicator", "baselinePeriod", "baseline", "period", "value", "change", "changePercent"]
        for row in compare { #expect(compareKeys.isSubset(of: Set(row.keys))) }
        let total = try #require(compare.last)
        #expect(total["baseline"] as? Double == 12187 && total["value"] as? Double == 10534 && total["changePercent"] as? Double == -13.6)

        let audit = try #require(try json(["audit", "--ledger", Self.example]) as? [[String: Any]])
        let auditKeys: Set = ["seq", "recorded", "known", "type", "source", "actor", "subject", "before", "after", "backdated"]
        #expect(audit.count == 40)
        for row in audit { #expect(auditKeys.isSubset(of: Set(row.keys))) }
    }

    @Test func compareTableHasTheSeedsShape() throws {
        let r = try CLI.run(["compare", "--ledger", Self.example, "--indicator", "MOPAC7", "--baseline", "2013", "--period", "2014"], in: CLI.packageRoot)
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 9)
        #expect(lines[1].hasPrefix("MOPAC7.vwi") && lines[1].hasSuffix("12.0%"))
        #expect(lines[8].hasPrefix("MOPAC7 ") && lines[8].contains("12,187") && lines[8].contains("10,534") && lines[8].hasSuffix("-13.6%"))
    }

    @Test func csvHasAHeaderOfKeysAndQuotesWhereNeeded() throws {
        let r = try CLI.run(["audit", "--ledger", Self.example, "--indicator", "marac-repeat-rate", "--format", "csv"], in: CLI.packageRoot)
        #expect(r.status == 0)
        let lines = r.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "seq,recorded,known,type,source,actor,subject,before,after,backdated,retractedBy")
        #expect(lines.count == 6)
        #expect(lines.contains { $0.contains(#""115/412 (final) — MARAC numbers 2012/2013: total cases 412, total repeats 115 (28%)""#) })
    }

    @Test func csvQuotesAFieldHoldingALineBreakOfEitherKind() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("q.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let events = [
            #"{"type":"partnership.registered","data":{"partnership":"p","name":"P"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"p","plan":"p1","title":"Plan","from":"2015/16","to":"2017/18"}}"#,
            #"{"type":"action.created","data":{"action":"a-crlf","partnership":"p","plan":"p1","title":"Review\r\nphase 2","leads":["Police"],"due":"2015-12-31"}}"#,
            #"{"type":"action.created","data":{"action":"a-lf","partnership":"p","plan":"p1","title":"Audit\nphase 3","leads":["Police"],"due":"2015-12-31"}}"#,
            #"{"type":"action.created","data":{"action":"a-plain","partnership":"p","plan":"p1","title":"Plain title","leads":["Police"],"due":"2015-12-31"}}"#,
        ].joined(separator: "\n")
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2015-06-01"], stdin: events, in: dir.url).status == 0)
        let r = try CLI.run(["actions", "--ledger", ledger, "--format", "csv"], in: dir.url)
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"Review\r\nphase 2\""), "\(r.stdout.debugDescription)")
        #expect(r.stdout.contains("\"Audit\nphase 3\""))
        #expect(r.stdout.contains(",Plain title,"))
    }

    @Test func replayAtABoardShowsWhatTheBoardSawAndAnUnknownBoardExits1() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("h.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let first = [
            #"{"type":"partnership.registered","data":{"partnership":"havering","name":"Havering CSP"}}"#,
            #"{"type":"plan.adopted","data":{"partnership":"havering","plan":"hcsp","title":"Plan","from":"2017/18","to":"2019/20"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"burglary","name":"Burglary","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"outturn.recorded","id":"o1","data":{"partnership":"havering","indicator":"burglary","period":"2016/17","value":2000,"status":"provisional"}}"#,
            #"{"type":"target.set","data":{"target":"t","partnership":"havering","indicator":"burglary","period":"2017/18","setBy":"local","kind":"direction","direction":"reduce"}}"#,
            #"{"type":"board.held","data":{"partnership":"havering","board":"hcsp","date":"2017-04-20"}}"#,
        ].joined(separator: "\n")
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2017-04-20"], stdin: first, in: dir.url).status == 0)
        let later = [
            #"{"type":"outturn.recorded","data":{"partnership":"havering","indicator":"burglary","period":"2016/17","value":2100,"status":"final"}}"#,
            #"{"type":"target.revised","data":{"target":"t","kind":"value","value":1900,"reason":"numeric"}}"#,
            #"{"type":"event.retracted","data":{"event":"o1","reason":"provisional figure withdrawn"}}"#,
        ].joined(separator: "\n")
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2017-07-01"], stdin: later, in: dir.url).status == 0)

        let atBoard = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["replay", "--ledger", ledger, "--board", "hcsp", "--format", "json"], in: dir.url).stdout.utf8)) as? [String: Any])
        let boardStatus = try #require((atBoard["status"] as? [[String: Any]])?.first)
        #expect(boardStatus["value"] as? Double == 2000)
        #expect(boardStatus["target"] as? String == "reduce by 2017/18")
        #expect((atBoard["board"] as? [String: Any])?["sealSeq"] as? Int == 5)

        let heading = try CLI.run(["status", "--ledger", ledger, "--board", "hcsp"], in: dir.url).stdout.split(separator: "\n").first
        #expect(heading == "Point in time: board hcsp on 2017-04-20 (sealed at seq 5) — 5 of 9 events count.")
        let recordedBefore = try CLI.run(["status", "--ledger", ledger, "--as-of", "2001-01-01", "--recorded"], in: dir.url).stdout
        #expect(recordedBefore.hasPrefix("Point in time: as recorded by 2001-01-01 — 0 of 9 events count."), "\(recordedBefore)")

        let now = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["status", "--ledger", ledger, "--format", "json"], in: dir.url).stdout.utf8)) as? [[String: Any]])
        #expect(now.first?["value"] as? Double == 2100)
        #expect(now.first?["target"] as? String == "value 1900 by 2017/18")
        #expect(now.first?["rag"] as? String == "red")

        let diff = try CLI.run(["diff", "--ledger", ledger, "--from", "hcsp", "--format", "csv"], in: dir.url)
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("status,havering/burglary,value,2000,2100"))
        #expect(diff.stdout.contains("status,havering/burglary,target,reduce by 2017/18,value 1900 by 2017/18"))

        let missing = try CLI.run(["replay", "--ledger", ledger, "--board", "cabinet"], in: dir.url)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no board named \"cabinet\" (boards: hcsp)"))
        let wrongDate = try CLI.run(["status", "--ledger", ledger, "--board", "hcsp@2018-01-01"], in: dir.url)
        #expect(wrongDate.status == 1)

        // A board recorded by mistake and retracted can no longer be replayed at.
        let mistaken = #"{"type":"board.held","id":"oops","data":{"partnership":"havering","board":"cabinet","date":"2017-09-01"}}"# + "\n"
            + #"{"type":"event.retracted","data":{"event":"oops","reason":"not a partnership board"}}"#
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2017-09-02"], stdin: mistaken, in: dir.url).status == 0)
        let retracted = try CLI.run(["replay", "--ledger", ledger, "--board", "cabinet"], in: dir.url)
        #expect(retracted.status == 1 && retracted.stderr.contains("no board named \"cabinet\" (boards: hcsp)"), "\(retracted.stderr)")
    }

    @Test func viewsRefuseContradictoryPointsInTime() throws {
        for arguments in [["status", "--as-of", "2015-01-01", "--board", "x"], ["status", "--recorded"], ["replay"],
                          ["status", "--as-of", "yesterday"], ["compare", "--indicator", "MOPAC7"], ["status", "--format", "xml"]] {
            let r = try CLI.run(arguments + ["--ledger", Self.example], in: CLI.packageRoot)
            #expect(r.status == 64, "\(arguments)")
        }
    }

    @Test func appendAppliesTheDomainsValidationNamingLineAndField() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let input = #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"# + "\n"
            + #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"MOPAC7","period":"2014","value":10534}}"# + "\n"
        let r = try CLI.run(["append", "--ledger", ledger], stdin: input, in: dir.url)
        #expect(r.status == 65)
        #expect(r.stderr == "outturn: standard input: line 2: field \"indicator\": indicator \"MOPAC7\" is not defined (append an indicator.defined first)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)).isEmpty)
    }
}
