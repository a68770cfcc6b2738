import Foundation
import Testing

/// The command line as a new user meets it: help, usage errors, exit codes, bad input.
struct CommandLineTests {
    /// The commands whose examples the pasting test runs, in an order that builds on itself.
    static let commands = ["init", "append", "verify", "status", "progress", "actions", "audit", "compare", "replay", "diff", "import"]

    @Test(arguments: commands + ["report", "generate"])
    func everyCommandHasHelpWithAnExample(command: String) throws {
        let dir = try TemporaryDirectory()
        for help in [["--help"], ["-h"]] {
            let r = try CLI.run([command] + help, in: dir.url)
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE: outturn \(command)"))
            #expect(r.stdout.contains("EXAMPLES:\n  outturn \(command)") || r.stdout.contains("| outturn \(command)"))
            #expect(r.stdout.contains("--ledger PATH"))
        }
        let viaHelp = try CLI.run(["help", command], in: dir.url)
        #expect(viaHelp.status == 0)
        #expect(viaHelp.stdout.contains("USAGE: outturn \(command)"))
    }

    @Test func theHelpExamplesWorkWhenPasted() throws {
        let dir = try TemporaryDirectory()
        let ledger = "/tmp/lewisham.jsonl"
        // The examples name /tmp/lewisham.jsonl; run them against a private copy of that path.
        let private_ = dir.path("lewisham.jsonl")
        func paste(_ example: String) throws -> CLI.Result {
            let command = example.replacingOccurrences(of: ledger, with: private_)
                .replacingOccurrences(of: "outturn ", with: CLI.executable.path + " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = CLI.packageRoot // the examples name Examples/… from the repository root
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            process.waitUntilExit()
            return CLI.Result(status: process.terminationStatus,
                              stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                              stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        // The id index (and its hash table) is a cache an append may (re)build beside a ledger, even one it then refuses
        // (the README's error example does, in a test running alongside); the views write nothing else.
        func examplesListing() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("Examples").path)
                .filter { !$0.hasSuffix(".idx") && !$0.hasSuffix(".idx.hash") }.sorted()
        }
        let examplesBefore = try examplesListing()
        for command in Self.commands {
            let help = try CLI.run([command, "--help"], in: dir.url).stdout
            let examples = try #require(help.components(separatedBy: "EXAMPLES:\n").last).split(separator: "\n")
            #expect(!examples.isEmpty)
            for example in examples {
                let r = try paste(example.trimmingCharacters(in: .whitespaces))
                #expect(r.status == 0, "\(example): \(r.stderr)")
                #expect(!r.stdout.isEmpty, "\(example)")
            }
        }
        let verify = try CLI.run(["verify", "--ledger", private_], in: dir.url)
        #expect(verify.status == 0 && verify.stdout.hasPrefix("ok: 114"), "\(verify.stdout)") // the plan (40) and the Met file (114,081)
        #expect(try examplesListing() == examplesBefore,
                "views must not write beside the ledger they read")
    }

    @Test func usageErrorsExit64WithTheUsageLine() throws {
        let dir = try TemporaryDirectory()
        let cases: [[String]] = [
            ["append", "--ledger", "x", "--bogus"],
            ["verify"],
            ["append", "--ledger"],
            ["append", "--ledger", "x", "--known", "last tuesday"],
            ["verify", "--ledger", "x", "--format", "xml"],
            ["frobnicate"],
        ]
        for arguments in cases {
            let r = try CLI.run(arguments, in: dir.url)
            #expect(r.status == 64, "\(arguments)")
            #expect(r.stderr.hasPrefix("outturn: "), "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let r = try CLI.run(["append", "--ledger", "x", "--bogus"], in: dir.url)
        #expect(r.stderr == "outturn: unknown option '--bogus'\nUsage: \(appendUsage)\nSee 'outturn append --help'.\n")
    }

    let appendUsage = "outturn append [--ledger PATH] [--file F | -] [--source S] [--actor A] [--known DATE] [--wait SECONDS]"

    @Test func initRefusesToOverwriteAndAppendNeedsALedger() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        #expect(try CLI.run(["init", "--ledger", ledger], in: dir.url).status == 0)
        try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "a", count: 3), in: dir.url)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let again = try CLI.run(["init", "--ledger", ledger], in: dir.url)
        #expect(again.status == 73)
        #expect(again.stderr == "outturn: \(ledger): already exists; a ledger is never overwritten\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)

        let missing = try CLI.run(["append", "--ledger", dir.path("nope.jsonl")], stdin: Events.jsonLines(prefix: "a", count: 1), in: dir.url)
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no such ledger"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("nope.jsonl")))

        let noFile = try CLI.run(["append", "--ledger", ledger, "--file", dir.path("absent.jsonl")], in: dir.url)
        #expect(noFile.status == 66)
        #expect(try CLI.run(["init", "--ledger", dir.path("no/such/dir/l.jsonl")], in: dir.url).status == 73)
    }

    @Test func theLedgerDefaultsToOUTTURN_LEDGER() throws {
        let dir = try TemporaryDirectory()
        let env = ["OUTTURN_LEDGER": dir.path("env.jsonl")]
        #expect(try CLI.run(["init"], environment: env, in: dir.url).status == 0)
        let a = try CLI.run(["append", "-"], stdin: Events.jsonLines(prefix: "e", count: 2), environment: env, in: dir.url)
        #expect(a.stdout == "1 e-0\n2 e-1\n")
        #expect(try CLI.run(["verify"], environment: env, in: dir.url).stdout.hasPrefix("ok: 2 events"))
    }

    @Test func sourceActorAndKnownDefaultsAreRecordedInTheEnvelope() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        try CLI.run(["append", "--ledger", ledger], stdin: #"{"type":"partnership.registered","id":"p","data":{"partnership":"havering","name":"Havering CSP"}}"#, in: dir.url)
        let input = #"{"type":"board.held","id":"b1","data":{"partnership":"havering","board":"csp","date":"2017-04-20"}}"# + "\n"
            + #"{"type":"board.held","id":"b2","source":"havering-council","actor":"clerk","known":"2017-07-01","data":{"partnership":"havering","board":"csp","date":"2017-07-01"}}"# + "\n"
        let r = try CLI.run(["append", "--ledger", ledger, "--source", "met-police", "--actor", "feed-bot", "--known", "2017-04-20"], stdin: input, in: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try Events.lines(ofFile: ledger)
        try #require(lines.count == 3)
        #expect(lines[1].contains(#""known":"2017-04-20","type":"board.held","source":"met-police","actor":"feed-bot","data":{"partnership":"havering","board":"csp","date":"2017-04-20"},"prev":""#))
        #expect(lines[2].contains(#""known":"2017-07-01","type":"board.held","source":"havering-council","actor":"clerk","#))
        #expect(lines[1].hasPrefix(#"{"seq":2,"id":"b1","recorded":""#))
        #expect(lines[0].contains(#","prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":""#))
    }

    /// Each malformed input: exit 65, the message names the line (and field), the ledger is untouched.
    @Test(arguments: [
        (#"{"type":"outturn.recorded","data":{"value":1}"#, "line 2: not valid JSON"),
        (#"{"data":{"value":1}}"#, #"line 2: field "type": is missing"#),
        (#"{"type":"outturn.recorded","data":[1,2]}"#, #"line 2: field "data": must be an object, found array"#),
        (#"{"type":"outturn.recorded","data":{},"known":"2999-01-01"}"#, #"line 2: field "known": 2999-01-01 is in the future"#),
        (#"{"type":"outturn.recorded","data":{},"colour":"red"}"#, #"line 2: field "colour": unknown field"#),
        (#"{"type":"outturn.recorded","data":{},"id":42}"#, #"line 2: field "id": must be a string, found number"#),
        (#"{"type":"outturn.recorded","data":{},"seq":7}"#, #"line 2: field "seq": is set by the ledger"#),
        (#"{"type":"outturn","data":{}}"#, #"line 2: field "type": "outturn" is not an event type"#),
        (#"{"type":"outturn.recorded","data":{},"known":"30/06/2015"}"#, #"line 2: field "known": "30/06/2015" is not a date"#),
        (#"{"type":"outturn.recorded","data":{},"id":"has space"}"#, #"line 2: field "id": must not contain spaces"#),
        (#"[1]"#, "line 2: expected a JSON object, found array"),
    ])
    func malformedInputIsRejectedNamingTheLineAndNothingIsWritten(badLine: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "ok", count: 5), in: dir.url)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let input = Events.jsonLines(prefix: "good", count: 1) + badLine + "\n" + Events.jsonLines(prefix: "more", count: 1)
        let r = try CLI.run(["append", "--ledger", ledger], stdin: input, in: dir.url)
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("outturn: standard input: \(expected)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    @Test func theSameIDWithDifferentContentIsAConflictAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "x", count: 3), in: dir.url)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let changed = Events.jsonLines(prefix: "y", count: 1) + Events.jsonLines(prefix: "x", count: 1, start: 1).replacingOccurrences(of: "row 1 of", with: "row one of")
        let r = try CLI.run(["append", "--ledger", ledger], stdin: changed, in: dir.url)
        #expect(r.status == 65)
        #expect(r.stderr == "outturn: standard input: line 2: id \"x-1\" is already seq 2 with different content\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)

        // Key order in data is not content: the same event written differently is still the same.
        let reordered = #"{"id":"x-0","data":{"polarity":"lower-better","unit":"count","name":"row 0 of the x feed, month 1","indicator":"x.0"},"type":"indicator.defined"}"# + "\n"
        let same = try CLI.run(["append", "--ledger", ledger], stdin: reordered, in: dir.url)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout == "1 x-0 existing\n")
    }
}
