import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `outturn` binary as a real process, as a user or a script would.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// The `outturn` executable next to the test bundle (SwiftPM builds it because the test target depends on it).
    static let executable: URL = {
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argv0.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            var url = directory
            for _ in 0..<4 {
                let candidate = url.appendingPathComponent("outturn")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    return candidate
                }
                url = url.deletingLastPathComponent()
            }
        }
        // Last resort: the package's own debug build folder.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/outturn")
    }()

    /// The repository's root folder (the examples' paths are relative to it).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Starts `outturn arguments…` with optional standard input; stdout and stderr go to files so
    /// a large output never blocks on a full pipe.
    static func start(_ arguments: [String], stdinFile: URL? = nil, environment: [String: String] = [:],
                      in directory: URL) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OUTTURN_LEDGER")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let id = UUID().uuidString
        let out = directory.appendingPathComponent(".out-\(id)")
        let err = directory.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdinFile {
            process.standardInput = try FileHandle(forReadingFrom: stdinFile)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        do { try process.run() } catch {
            // Nothing ran (no binary, say): nothing will collect the output files.
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
            throw error
        }
        return (process, out, err)
    }

    /// Waits for a started process and collects its result.
    static func finish(_ started: (Process, URL, URL)) throws -> Result {
        let (process, out, err) = started
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// Runs `outturn arguments…` to completion. `stdin` is written to a file and fed in.
    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], in directory: URL) throws -> Result {
        var stdinFile: URL?
        if let stdin {
            let url = directory.appendingPathComponent(".in-\(UUID().uuidString)")
            try Data(stdin.utf8).write(to: url)
            stdinFile = url
        }
        defer { if let stdinFile { try? FileManager.default.removeItem(at: stdinFile) } }
        return try finish(start(arguments, stdinFile: stdinFile, environment: environment, in: directory))
    }
}

/// A fresh temporary directory, removed when the test's scope ends.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("outturn-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Synthetic events in the input format of `outturn append`.
enum Events {
    /// `count` indicator definitions with ids `<prefix>-<n>`, one JSON object per line: events
    /// the domain accepts with nothing before them, so any number of them can be appended.
    static func jsonLines(prefix: String, count: Int, start: Int = 0) -> String {
        var text = ""
        text.reserveCapacity(count * 220)
        for n in start..<(start + count) {
            let month = n % 12 + 1
            text += #"{"type":"indicator.defined","id":"\#(prefix)-\#(n)","data":{"indicator":"\#(prefix).\#(n)","name":"row \#(n) of the \#(prefix) feed, month \#(month)","unit":"count","polarity":"lower-better"}}"#
            text += "\n"
        }
        return text
    }

    /// The ledger's lines (each without its `\n`).
    static func lines(ofFile path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
