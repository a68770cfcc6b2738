import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The log's promises, checked with real `outturn` processes: concurrent appenders,
/// re-runs, tampering, torn tails and SIGKILL mid-batch.
@Suite(.serialized)
struct AppendProcessTests {
    /// The seqs (first field of each line) in a ledger file, in file order.
    func seqs(_ path: String) throws -> [Int] {
        try Events.lines(ofFile: path).map { line in
            let after = line.dropFirst(#"{"seq":"#.count)
            return Int(after.prefix(while: \.isNumber)) ?? -1
        }
    }

    @Test func fourConcurrentAppendersNeitherInterleaveNorLoseEvents() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("ledger.jsonl")
        #expect(try CLI.run(["init", "--ledger", ledger], in: dir.url).status == 0)
        var inputs: [URL] = []
        for p in 0..<4 {
            let url = dir.file("feed-\(p).jsonl")
            try Data(Events.jsonLines(prefix: "feed\(p)", count: 250).utf8).write(to: url)
            inputs.append(url)
        }
        let started = try inputs.map { try CLI.start(["append", "--ledger", ledger, "--file", $0.path], in: dir.url) }
        let results = try started.map(CLI.finish)
        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutLines.count == 250)
        }

        let verify = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("ok: 1000 events, head "))
        #expect(try seqs(ledger) == Array(1...1000))

        // Every id exactly once, and each process's reported seqs are the ones in the file.
        let lines = try Events.lines(ofFile: ledger)
        var seqOfID: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            let id = try #require(line.firstMatch(of: /"id":"([^"]+)"/)).1
            #expect(seqOfID.updateValue(i + 1, forKey: String(id)) == nil, "id \(id) twice")
        }
        #expect(seqOfID.count == 1000)
        for result in results {
            for line in result.stdoutLines {
                let parts = line.split(separator: " ")
                #expect(parts.count == 2)
                #expect(seqOfID[String(parts[1])] == Int(parts[0]))
            }
        }

        // The same 1,000 events again: nothing new, every line `existing`, the file unchanged.
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger))
        for input in inputs {
            let again = try CLI.run(["append", "--ledger", ledger, "--file", input.path], in: dir.url)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdoutLines.count == 250)
            #expect(again.stdoutLines.allSatisfy { $0.hasSuffix(" existing") })
            for line in again.stdoutLines {
                let parts = line.split(separator: " ")
                #expect(seqOfID[String(parts[1])] == Int(parts[0]))
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == before)
    }

    /// A ledger of `count` events built through the CLI, as a copyable fixture.
    func makeLedger(_ dir: TemporaryDirectory, count: Int, name: String = "base.jsonl") throws -> String {
        let ledger = dir.path(name)
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let result = try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "base", count: count), in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        return ledger
    }

    func tampered(_ dir: TemporaryDirectory, from ledger: String, name: String, _ edit: (inout [String]) -> Void) throws -> String {
        var lines = try Events.lines(ofFile: ledger)
        edit(&lines)
        let path = dir.path(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func verifyNamesTheFirstBrokenSeqForEveryKindOfTampering() throws {
        let dir = try TemporaryDirectory()
        let ledger = try makeLedger(dir, count: 1000)
        #expect(try CLI.run(["verify", "--ledger", ledger], in: dir.url).status == 0)

        // One byte changed in line 500 (a digit of its note), nothing else touched.
        let changed = try tampered(dir, from: ledger, name: "changed.jsonl") { lines in
            lines[499] = lines[499].replacingOccurrences(of: "row 499 of", with: "row 498 of")
        }
        let c = try CLI.run(["verify", "--ledger", changed], in: dir.url)
        #expect(c.status == 1)
        #expect(c.stderr.contains("seq 500: hash mismatch"), "\(c.stderr)")

        let deleted = try tampered(dir, from: ledger, name: "deleted.jsonl") { $0.remove(at: 499) }
        let d = try CLI.run(["verify", "--ledger", deleted], in: dir.url)
        #expect(d.status == 1)
        #expect(d.stderr.contains("seq 500: seq gap"), "\(d.stderr)")

        let swapped = try tampered(dir, from: ledger, name: "swapped.jsonl") { $0.swapAt(499, 500) }
        let s = try CLI.run(["verify", "--ledger", swapped], in: dir.url)
        #expect(s.status == 1)
        #expect(s.stderr.contains("seq 500: seq gap"), "\(s.stderr)")

        // A careful forger recomputes line 500's own hash: the next line's prev still gives it away.
        let forged = try tampered(dir, from: ledger, name: "forged.jsonl") { lines in
            var line = lines[499].replacingOccurrences(of: "row 499 of", with: "row 498 of")
            let cut = line.range(of: #","hash":""#)!.lowerBound
            let hashed = String(line[..<cut])
            line = hashed + #","hash":""# + sha256Hex(hashed) + #""}"#
            lines[499] = line
        }
        let f = try CLI.run(["verify", "--ledger", forged], in: dir.url)
        #expect(f.status == 1)
        #expect(f.stderr.contains("seq 501: broken link"), "\(f.stderr)")

        let garbled = try tampered(dir, from: ledger, name: "garbled.jsonl") { $0[499] = String($0[499].dropLast(3)) }
        let g = try CLI.run(["verify", "--ledger", garbled], in: dir.url)
        #expect(g.status == 1)
        #expect(g.stderr.contains("seq 500: malformed line"), "\(g.stderr)")
    }

    @Test func aTornTailIsIgnoredByReadersAndMovedAsideByTheNextAppend() throws {
        let dir = try TemporaryDirectory()
        let ledger = try makeLedger(dir, count: 10)
        let whole = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let torn = Data(#"{"seq":11,"id":"half-writ"#.utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: ledger))
        try handle.seekToEnd()
        try handle.write(contentsOf: torn)
        try handle.close()

        let v = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.hasPrefix("ok: 10 events"))
        #expect(v.stderr.contains("torn last line of \(torn.count) bytes"))

        let a = try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "after", count: 1), in: dir.url)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout == "11 after-0\n")
        #expect(a.stderr.contains("moved a torn last line"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger + ".torn")) == torn + Data("\n".utf8))
        let now = try Data(contentsOf: URL(fileURLWithPath: ledger))
        #expect(now.prefix(whole.count) == whole)
        #expect(try CLI.run(["verify", "--ledger", ledger], in: dir.url).stdout.hasPrefix("ok: 11 events"))
    }

    @Test func aBatchKilledMidAppendIsAllThereOrNotAtAll() throws {
        let dir = try TemporaryDirectory()
        let base = try makeLedger(dir, count: 10)
        let input = dir.file("big.jsonl")
        try Data(Events.jsonLines(prefix: "big", count: 100_000).utf8).write(to: input)

        // How long a whole append takes here, so kills land across all of it.
        let timing = dir.path("timing.jsonl")
        try FileManager.default.copyItem(atPath: base, toPath: timing)
        let clock = ContinuousClock()
        let full = try clock.measure {
            let r = try CLI.run(["append", "--ledger", timing, "--file", input.path], in: dir.url)
            #expect(r.status == 0)
        }
        let fullSeconds = Double(full.components.seconds) + Double(full.components.attoseconds) / 1e18

        var generator = SystemRandomNumberGenerator()
        var outcomes: [Int: Int] = [:]
        for round in 0..<20 {
            let ledger = dir.path("killed-\(round).jsonl")
            try FileManager.default.copyItem(atPath: base, toPath: ledger)
            let started = try CLI.start(["append", "--ledger", ledger, "--file", input.path], in: dir.url)
            let delay = Double.random(in: 0...(fullSeconds * 1.1), using: &generator)
            usleep(UInt32(delay * 1_000_000))
            kill(started.0.processIdentifier, SIGKILL)
            _ = try CLI.finish(started)

            let v = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
            #expect(v.status == 0, "round \(round): \(v.stderr)")
            let count = Int(v.stdout.split(separator: " ")[1]) ?? -1
            #expect(count == 10 || count == 100_010, "round \(round): \(count) events after a kill at \(delay) s")
            outcomes[count, default: 0] += 1

            // The next append finishes the recovery and lands cleanly on top.
            let a = try CLI.run(["append", "--ledger", ledger], stdin: Events.jsonLines(prefix: "next", count: 1), in: dir.url)
            #expect(a.status == 0, "round \(round): \(a.stderr)")
            #expect(a.stdout == "\(count + 1) next-0\n")
            let after = try CLI.run(["verify", "--ledger", ledger], in: dir.url)
            #expect(after.stdout.hasPrefix("ok: \(count + 1) events"), "round \(round): \(after.stdout) \(after.stderr)")
            try FileManager.default.removeItem(atPath: ledger)
            for suffix in [".idx", ".undo", ".torn"] { try? FileManager.default.removeItem(atPath: ledger + suffix) }
        }
        print("SIGKILL rounds: \(outcomes) (events: rounds); a full append took \(fullSeconds) s")
    }
}

/// SHA-256 by `sha256sum`, to forge a line as an attacker would.
func sha256Hex(_ text: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try? process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}

/// Another appender holding the ledger: `append` waits up to `--wait`, then exits 75 and writes nothing.
struct LockWaitTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs util-linux's flock(1) to hold the lock"))
    func anAppendWaitsForTheLockThenGivesUpWithExit75() throws {
        let dir = try TemporaryDirectory()
        let ledger = dir.path("l.jsonl")
        try CLI.run(["init", "--ledger", ledger], in: dir.url)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", ledger, "sleep", "3"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        usleep(300_000) // let it take the lock
        let r = try CLI.run(["append", "--ledger", ledger, "--wait", "0.5"], stdin: Events.jsonLines(prefix: "w", count: 1), in: dir.url)
        #expect(r.status == 75, "\(r.stderr)")
        #expect(r.stderr.contains("another process held it for more than 0.5 s (use --wait to wait longer)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)).isEmpty)
        holder.waitUntilExit()
        let after = try CLI.run(["append", "--ledger", ledger, "--wait", "5"], stdin: Events.jsonLines(prefix: "w", count: 1), in: dir.url)
        #expect(after.status == 0 && after.stdout == "1 w-0\n")
    }
}
