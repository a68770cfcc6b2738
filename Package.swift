// swift-tools-version: 6.0
// Outturn — an event-sourced performance ledger for community safety partnerships.
// No package dependencies: Foundation and Glibc only (see DESIGN.md, "Layout").
import PackageDescription

// HardwareSHA256 alone is compiled with the x86-64 SHA extensions (and the SSSE3 and SSE4.1
// they come with) enabled; it uses them only when CPUID reports them.
#if arch(x86_64)
let instructionSetExtensions = ["-Xcc", "-msha", "-Xcc", "-mssse3", "-Xcc", "-msse4.1"]
#else
let instructionSetExtensions: [String] = []
#endif

// The library modules are optimised even in debug builds (the tests append, validate and verify
// 100,000-event batches through real processes, which unoptimised code makes crawl), and across
// modules, so generic code such as the replay's reading pipeline is specialised where it is used.
//
// Every module reaches a concrete generic type's metadata through its accessor function, not by
// demangling its name at first use (the compiler's default, for smaller code): a view is a
// short process that meets hundreds of such types once each, and demangling them took a tenth
// of a warm as-of view's time.
let directMetadata = ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]
let optimised: [SwiftSetting] = [.unsafeFlags(["-O", "-cross-module-optimization"] + directMetadata)]

let package = Package(
    name: "outturn",
    products: [
        .executable(name: "outturn", targets: ["outturn"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    targets: [
        // The append-only, hash-chained, crash-safe log file. Knows nothing of the domain.
        .target(name: "EventLog", dependencies: ["HardwareSHA256"], path: "EventLog", swiftSettings: optimised),
        // SHA-256's compression function on the processor's SHA instructions, where it has them.
        .target(name: "HardwareSHA256", path: "Sources/HardwareSHA256", swiftSettings: [.unsafeFlags(["-O"] + instructionSetExtensions)]),
        // The domain vocabulary: event types, periods, values, validation.
        .target(name: "LedgerModel", path: "Sources/LedgerModel", swiftSettings: optimised),
        // Pure folds over events: status, progress, actions, audit, compare, diff.
        .target(name: "Projections", dependencies: ["LedgerModel"], path: "Projections", swiftSettings: optimised),
        // The façade: open a ledger, append, import, replay to a point in time.
        .target(name: "Ledger", dependencies: ["EventLog", "LedgerModel", "Projections"], path: "Sources/Ledger", swiftSettings: optimised),
        // The command-line tool.
        .executableTarget(name: "outturn", dependencies: ["Ledger"], path: "Sources/outturn", swiftSettings: [.unsafeFlags(directMetadata)]),

        .testTarget(name: "EventLogTests", dependencies: ["EventLog"], path: "Tests/EventLogTests"),
        .testTarget(name: "LedgerModelTests", dependencies: ["LedgerModel"], path: "Tests/LedgerModelTests"),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "LedgerModel", "EventLog"], path: "Tests/ProjectionsTests"),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "EventLog", "LedgerModel", "Projections"], path: "Tests/LedgerTests"),
        // End-to-end: runs the built `outturn` binary as real processes.
        .testTarget(name: "OutturnTests", dependencies: ["outturn"], path: "Tests/OutturnTests"),
    ]
)
