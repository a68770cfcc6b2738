// swift-tools-version: 6.0
// Outturn — an event-sourced performance ledger for community safety partnerships.
// No package dependencies: Foundation and Glibc only (see DESIGN.md, "Layout").
import PackageDescription

let package = Package(
    name: "outturn",
    products: [
        .executable(name: "outturn", targets: ["outturn"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    targets: [
        // The append-only, hash-chained, crash-safe log file. Knows nothing of the domain.
        // The library modules are optimised even in debug builds: the tests append, validate and
        // verify 100,000-event batches through real processes, which unoptimised code makes crawl.
        .target(name: "EventLog", path: "EventLog", swiftSettings: [.unsafeFlags(["-O"])]),
        // The domain vocabulary: event types, periods, values, validation.
        .target(name: "LedgerModel", path: "Sources/LedgerModel", swiftSettings: [.unsafeFlags(["-O"])]),
        // Pure folds over events: status, progress, actions, audit, compare, diff.
        .target(name: "Projections", dependencies: ["LedgerModel"], path: "Projections", swiftSettings: [.unsafeFlags(["-O"])]),
        // The façade: open a ledger, append, import, replay to a point in time.
        .target(name: "Ledger", dependencies: ["EventLog", "LedgerModel", "Projections"], path: "Sources/Ledger", swiftSettings: [.unsafeFlags(["-O"])]),
        // The command-line tool.
        .executableTarget(name: "outturn", dependencies: ["Ledger"], path: "Sources/outturn"),

        .testTarget(name: "EventLogTests", dependencies: ["EventLog"], path: "Tests/EventLogTests"),
        .testTarget(name: "LedgerModelTests", dependencies: ["LedgerModel"], path: "Tests/LedgerModelTests"),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "LedgerModel", "EventLog"], path: "Tests/ProjectionsTests"),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "EventLog", "LedgerModel", "Projections"], path: "Tests/LedgerTests"),
        // End-to-end: runs the built `outturn` binary as real processes.
        .testTarget(name: "OutturnTests", dependencies: ["outturn"], path: "Tests/OutturnTests"),
    ]
)
