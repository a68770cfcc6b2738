import Foundation
import Testing

/// `outturn import` against the Met's real borough crime files, with every expectation
/// computed from the files themselves.
@Suite(.serialized)
struct ImportTests {
    static let mps = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/mps")
    static let files = [
        "borough-crime-old-scheme-2008-01_2016-12.csv", "borough-crime-mid-scheme-2017-01_2018-12.csv",
        "borough-crime-new-scheme-2010-04_2022-12.csv", "borough-crime-new-scheme-2010-04_2023-09.csv",
    ]

    /// A Met file read naively, as the test's own oracle: (borough, major, minor) → month → count.
    struct Grid {
        var cells: [String: Int] = [:] // "borough|major|minor|YYYY-MM" → count
        var rows: [[String]: [String: Int]] = [:]
    }

    static func grid(_ name: String) throws -> Grid {
        let text = try String(contentsOf: mps.appendingPathComponent(name), encoding: .utf8)
        // "\r\n" is one Character in Swift: split on both line ends explicitly.
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty }
        var header = lines.removeFirst().components(separatedBy: ",")
        if header[0].hasPrefix("\u{FEFF}") { header[0].removeFirst() }
        let (b, ma, mi) = header[0] == "Borough" ? (0, 1, 2) : (2, 0, 1)
        var grid = Grid()
        for line in lines {
            let f = line.components(separatedBy: ",")
            var months: [String: Int] = [:]
            for (i, column) in header.enumerated().dropFirst(3) {
                let month = "\(column.prefix(4))-\(column.suffix(2))"
                months[month] = Int(f[i])
                grid.cells["\(f[b])|\(f[ma])|\(f[mi])|\(month)"] = Int(f[i])
            }
            grid.rows[[f[b], f[ma], f[mi]]] = months
        }
        return grid
    }

    func importFile(_ name: String, into ledger: String, in dir: TemporaryDirectory, extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["import", "--ledger", ledger, "--format", "mps-borough", Self.mps.appendingPathComponent(name).path] + extra, in: dir.url)
    }

    /// "imported F: 3 new, 1 revised, 2 unchanged…" → (3, 1, 2)
    func counts(_ line: String) -> (new: Int, revised: Int, unchanged: Int)? {
        guard let m = line.firstMatch(of: /: (\d+) new, (\d+) revised, (\d+) unchanged/) else { return nil }
        return (Int(m.1)!, Int(m.2)!, Int(m.3)!)
    }

    @Test(arguments: files)
    func eachRealFileImportsAndReimportingAppendsNothing(file: String) throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("met.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let grid = try Self.grid(file)
        let first = try importFile(file, into: ledger, in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let c = try #require(counts(first.stdout))
        #expect(c.new == grid.cells.count && c.revised == 0 && c.unchanged == 0)
        let categories = Set(grid.rows.keys.map { [$0[1], $0[2]] }).count
        #expect(first.stdout.contains("; \(categories) indicators defined"))
        let verify = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
        #expect(verify.stdout.hasPrefix("ok: \(grid.cells.count + categories) events"))

        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let dry = try importFile(file, into: ledger, in: dir, extra: ["--dry-run"])
        #expect(dry.stdout.hasPrefix("would import") && counts(dry.stdout)?.unchanged == grid.cells.count)
        let again = try importFile(file, into: ledger, in: dir)
        #expect(again.status == 0)
        #expect(counts(again.stdout)?.new == 0 && counts(again.stdout)?.revised == 0 && counts(again.stdout)?.unchanged == grid.cells.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    @Test func aLaterEditionAppendsExactlyTheRestatedAndNewCells() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("met.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let old = try Self.grid(Self.files[2]), new = try Self.grid(Self.files[3])
        let changed = Set(new.cells.filter { key, value in old.cells[key].map { $0 != value } ?? false }.keys)
        let added = Set(new.cells.keys).subtracting(old.cells.keys)
        #expect(!changed.isEmpty && !added.isEmpty)

        #expect(try importFile(Self.files[2], into: ledger, in: dir, extra: ["--known", "2023-01-20"]).status == 0)
        let firstCount = try Events.lines(ofFile: ledger).count
        let second = try importFile(Self.files[3], into: ledger, in: dir, extra: ["--known", "2023-10-20"])
        #expect(second.status == 0, "\(second.stderr)")
        let c = try #require(counts(second.stdout))
        #expect(c.revised == changed.count && c.new == added.count && c.unchanged == new.cells.count - changed.count - added.count)

        // The appended events are exactly those cells, each with the new figure.
        let names = Dictionary(new.rows.keys.map { ("met.\(slug($0[1])).\(slug($0[2]))|\(slug($0[0]))", $0) }, uniquingKeysWith: { a, _ in a })
        var appendedRevisions: Set<String> = [], appendedNew: Set<String> = []
        for line in try Events.lines(ofFile: ledger).dropFirst(firstCount) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let data = try #require(object["data"] as? [String: Any])
            if object["type"] as? String == "indicator.defined" { continue }
            let area = try #require(data["area"] as? String), indicator = try #require(data["indicator"] as? String)
            let row = try #require(names["\(indicator)|\(area)"])
            let key = "\(row[0])|\(row[1])|\(row[2])|\(try #require(data["period"] as? String))"
            #expect(data["value"] as? Int == new.cells[key], "\(key)")
            #expect(object["known"] as? String == "2023-10-20")
            if old.cells[key] != nil { appendedRevisions.insert(key) } else { appendedNew.insert(key) }
        }
        #expect(appendedRevisions == changed)
        #expect(appendedNew == added)

        // Every restatement shows in the audit trail, old → new.
        let sample = try #require(changed.sorted().first)
        let parts = sample.split(separator: "|").map(String.init)
        let audit = try CLI.run(["audit", "--ledger", ledger, "--indicator", "met.\(slug(parts[1])).\(slug(parts[2]))", "--format", "csv"], in: dir.url)
        let subject = "\(slug(parts[0]))/met.\(slug(parts[1])).\(slug(parts[2]))/\(parts[3])"
        let rows = audit.stdout.components(separatedBy: "\r\n").filter { $0.contains(",\(subject),") }
        #expect(rows.count == 2)
        #expect(rows.last?.contains(",\(subject),\(old.cells[sample]!) (final),\(new.cells[sample]!) (final),") == true, "\(rows)")
    }

    @Test func mopac7FromTheOldSchemeFileMatchesTheCSVForThreeBoroughs() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("met.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        #expect(try importFile(Self.files[0], into: ledger, in: dir).status == 0)
        let definitions = CLI.packageRoot.appendingPathComponent("Examples/mps/mopac7-old-scheme.jsonl").path
        #expect(try CLI.run(["append", "--ledger", ledger, "--file", definitions], in: dir.url).status == 0)

        let grid = try Self.grid(Self.files[0])
        let mapping: [String: [(String, String)]] = [
            "MOPAC7.vwi": ["Assault with Injury", "Wounding/GBH", "Grievous Bodily Harm", "Murder"].map { ("Violence Against the Person", $0) },
            "MOPAC7.robbery": [("Robbery", "Business Property"), ("Robbery", "Personal Property")],
            "MOPAC7.burglary": [("Burglary", "Burglary in a Dwelling"), ("Burglary", "Burglary in Other Buildings")],
            "MOPAC7.tfp": [("Theft and Handling", "Other Theft Person")],
            "MOPAC7.tomv": [("Theft and Handling", "Theft/Taking Of Motor Vehicle")],
            "MOPAC7.tfmv": [("Theft and Handling", "Theft From Motor Vehicle")],
            "MOPAC7.cd": ["Criminal Damage To Dwelling", "Criminal Damage To Motor Vehicle", "Criminal Damage To Other Building", "Other Criminal Damage"].map { ("Criminal Damage", $0) },
        ]
        func financialYear(_ start: Int) -> [String] {
            (4...12).map { String(format: "%04d-%02d", start, $0) } + (1...3).map { String(format: "%04d-%02d", start + 1, $0) }
        }
        for borough in ["Lewisham", "Southwark", "Havering"] {
            let r = try CLI.run(["compare", "--ledger", ledger, "--partnership", slug(borough), "--indicator", "MOPAC7", "--baseline", "2011/12",
                                 "--period", "2015/16", "--format", "json"], in: dir.url)
            #expect(r.status == 0, "\(r.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            #expect(rows.count == 8)
            var totals = (0, 0)
            for row in rows.dropLast() {
                let indicator = try #require(row["indicator"] as? String)
                let categories = try #require(mapping[indicator])
                func sum(_ months: [String]) -> Int {
                    categories.reduce(0) { total, c in total + months.reduce(0) { $0 + (grid.cells["\(borough)|\(c.0)|\(c.1)|\($1)"] ?? .min / 2) } }
                }
                let (base, value) = (sum(financialYear(2011)), sum(financialYear(2015)))
                #expect(row["baseline"] as? Int == base, "\(borough) \(indicator) 2011/12")
                #expect(row["value"] as? Int == value, "\(borough) \(indicator) 2015/16")
                totals.0 += base
                totals.1 += value
            }
            let total = try #require(rows.last)
            #expect(total["indicator"] as? String == "MOPAC7")
            #expect(total["baseline"] as? Int == totals.0 && total["value"] as? Int == totals.1)
            #expect(total["changePercent"] as? Double == (Double(totals.1) / Double(totals.0) * 1000 - 1000).rounded() / 10)
        }
    }

    /// On top of the seed-built Lewisham ledger: a board sees the seed's 2014 MOPAC 7 figures; the
    /// Met's feed is imported later and its restated 2014 figures appended; the board's view keeps
    /// what the board saw, the current view shows the restatements, and diff lists them.
    @Test func aFeedOnTopOfASeedLedgerLeavesTheBoardsViewAlone() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("lewisham.jsonl")
        try FileManager.default.copyItem(atPath: CLI.packageRoot.appendingPathComponent("Examples/lewisham-2015-16.jsonl").path, toPath: ledger)
        let board = #"{"type":"board.held","id":"slp-board-2015-06","data":{"partnership":"lewisham","board":"slp-board","date":"2015-06"}}"#
        #expect(try CLI.run(["append", "--ledger", ledger, "--known", "2015-06-30"], stdin: board, in: dir.url).status == 0)
        #expect(try importFile(Self.files[0], into: ledger, in: dir, extra: ["--known", "2017-01-31"]).status == 0)

        // The Met's 2014 figure for each of the seven, computed from the file, appended as revisions.
        let grid = try Self.grid(Self.files[0])
        let mapping: [(String, [(String, String)])] = [
            ("MOPAC7.vwi", ["Assault with Injury", "Wounding/GBH", "Grievous Bodily Harm", "Murder"].map { ("Violence Against the Person", $0) }),
            ("MOPAC7.robbery", [("Robbery", "Business Property"), ("Robbery", "Personal Property")]),
            ("MOPAC7.burglary", [("Burglary", "Burglary in a Dwelling"), ("Burglary", "Burglary in Other Buildings")]),
            ("MOPAC7.tfp", [("Theft and Handling", "Other Theft Person")]),
            ("MOPAC7.tomv", [("Theft and Handling", "Theft/Taking Of Motor Vehicle")]),
            ("MOPAC7.tfmv", [("Theft and Handling", "Theft From Motor Vehicle")]),
            ("MOPAC7.cd", ["Criminal Damage To Dwelling", "Criminal Damage To Motor Vehicle", "Criminal Damage To Other Building", "Other Criminal Damage"].map { ("Criminal Damage", $0) }),
        ]
        var restated: [String: Int] = [:]
        var lines: [String] = []
        for (indicator, categories) in mapping {
            let value = categories.reduce(0) { total, c in total + (1...12).reduce(0) { $0 + grid.cells["Lewisham|\(c.0)|\(c.1)|2014-\(String(format: "%02d", $1))"]! } }
            restated[indicator] = value
            lines.append(#"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"\#(indicator)","period":"2014","value":\#(value),"note":"restated from the Met feed"}}"#)
        }
        #expect(try CLI.run(["append", "--ledger", ledger, "--source", "met-police", "--known", "2017-01-31"], stdin: lines.joined(separator: "\n"), in: dir.url).status == 0)

        func compare(_ extra: [String]) throws -> [String: Double] {
            let r = try CLI.run(["compare", "--ledger", ledger, "--indicator", "MOPAC7", "--baseline", "2013", "--period", "2014", "--format", "json"] + extra, in: dir.url)
            #expect(r.status == 0, "\(r.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["indicator"] as! String, $0["value"] as! Double) })
        }
        let atBoard = try compare(["--board", "slp-board"])
        #expect(atBoard["MOPAC7"] == 10_534 && atBoard["MOPAC7.vwi"] == 2_531)
        let now = try compare([])
        #expect(now["MOPAC7"] == Double(restated.values.reduce(0, +)))
        for (indicator, value) in restated { #expect(now[indicator] == Double(value)) }
        #expect(now != atBoard)

        let diff = try CLI.run(["diff", "--ledger", ledger, "--from", "slp-board", "--format", "csv"], in: dir.url)
        for (indicator, value) in restated {
            let seed = atBoard[indicator].map { Int($0) } ?? -1
            if seed != value { #expect(diff.stdout.contains("status,lewisham/\(indicator),value,\(seed),\(value)"), "\(indicator)") }
        }
    }

    @Test(arguments: [
        ("truncated", "Borough,Major Category,Minor Category,201401,201402\nLewisham,Burglary,Burglary in a Dwelling,10,11\nLewisham,Burglary,Burglary in Other Buildings,4\n", "line 3: has 4 columns, the header has 5"),
        ("not a count", "Borough,Major Category,Minor Category,201401,201402\nLewisham,Burglary,Burglary in a Dwelling,10,12a\n", "line 2: column 5 (201402): \"12a\" is not a count"),
        ("duplicate", "MajorText,MinorText,BoroughName,201401\r\nBURGLARY,BURGLARY IN A DWELLING,Lewisham,10\r\nBURGLARY,BURGLARY IN A DWELLING,Lewisham,11\r\n", "line 3: duplicate row for Lewisham / BURGLARY / BURGLARY IN A DWELLING (first on line 2)"),
        ("no months", "Borough,Major Category,Minor Category\nLewisham,Burglary,Burglary in a Dwelling\n", "line 1: the header has no month columns"),
        ("unknown header", "Area,Type,Subtype,201401\nLewisham,Burglary,Dwelling,3\n", "line 1: unknown header \"Area,Type,Subtype\""),
        ("bad month", "Borough,Major Category,Minor Category,201413\nLewisham,Burglary,Burglary in a Dwelling,3\n", "line 1: column 4: header \"201413\" is not a month"),
    ])
    func malformedFeedsAreRejectedNamingLineAndColumnAndWriteNothing(name: String, content: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("met.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let good = dir.file("good.csv")
        try Data("\u{FEFF}Borough,Major Category,Minor Category,201401\nLewisham,Burglary,Burglary in a Dwelling,7\n".utf8).write(to: good)
        #expect(try CLI.run(["import", "--ledger", ledger, "--format", "mps-borough", good.path], in: dir.url).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let bad = dir.file("bad.csv")
        try Data(content.utf8).write(to: bad)
        let r = try CLI.run(["import", "--ledger", ledger, "--format", "mps-borough", bad.path], in: dir.url)
        #expect(r.status == 65, "\(name)")
        #expect(r.stderr.hasPrefix("outturn: \(bad.path): \(expected)"), "\(name): \(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    @Test func aPartnersLongCSVImportsRevisesAndIsValidated() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try FileManager.default.copyItem(atPath: CLI.packageRoot.appendingPathComponent("Examples/lewisham-2015-16.jsonl").path, toPath: ledger)
        let csv = dir.file("probation.csv")
        try Data("""
            partnership,indicator,period,value,status,note,known
            lewisham,marac-repeat-rate,2015/16 Q1,24.5,provisional,"Q1, first cut",2015-07-15
            lewisham,marac-repeat-rate,2015/16 Q2,27,provisional,,2015-10-15

            """.utf8).write(to: csv)
        let first = try CLI.run(["import", "--ledger", ledger, "--format", "csv", csv.path, "--source", "lewisham-marac"], in: dir.url)
        #expect(first.stdout == "imported \(csv.path): 2 new, 0 revised, 0 unchanged\n", "\(first.stderr)")
        #expect(try CLI.run(["import", "--ledger", ledger, "--format", "csv", csv.path, "--source", "lewisham-marac"], in: dir.url).stdout
                == "imported \(csv.path): 0 new, 0 revised, 2 unchanged\n")
        try Data("""
            partnership,indicator,period,value,status,known
            lewisham,marac-repeat-rate,2015/16 Q1,25.1,final,2015-10-15

            """.utf8).write(to: csv)
        #expect(try CLI.run(["import", "--ledger", ledger, "--format", "csv", csv.path, "--source", "lewisham-marac"], in: dir.url).stdout
                == "imported \(csv.path): 0 new, 1 revised, 0 unchanged\n")
        let audit = try CLI.run(["audit", "--ledger", ledger, "--indicator", "marac-repeat-rate", "--format", "csv"], in: dir.url).stdout
        #expect(audit.contains(",lewisham/marac-repeat-rate/2015/16 Q1,\"24.5 (provisional) — Q1, first cut\",25.1 (final),"))

        try Data("area,indicator,period,value\nlewisham,no-such-indicator,2015/16,3\n".utf8).write(to: csv)
        let bad = try CLI.run(["import", "--ledger", ledger, "--format", "csv", csv.path], in: dir.url)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("line 2: field \"indicator\": indicator \"no-such-indicator\" is not defined"), "\(bad.stderr)")
        try Data("area,indicator,period,amount\n".utf8).write(to: csv)
        let header = try CLI.run(["import", "--ledger", ledger, "--format", "csv", csv.path], in: dir.url)
        #expect(header.status == 65 && header.stderr.contains("line 1: column 4: unknown header \"amount\""), "\(header.stderr)")
    }
}

/// The slug of a name, as the import makes it (the test's own, for its oracle).
func slug(_ name: String) -> String {
    let lowered = name.lowercased().replacingOccurrences(of: "&", with: " and ")
    return lowered.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).joined(separator: "-")
}
