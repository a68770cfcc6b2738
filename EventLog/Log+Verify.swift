import Dispatch

extension Log {
    /// The first thing wrong with a log's chain.
    public struct VerifyProblem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case malformedLine = "malformed line"
            case seqGap = "seq gap"
            case hashMismatch = "hash mismatch"
            case brokenLink = "broken link"
            case timeGoesBackwards = "time goes backwards"
            case knownAfterRecorded = "known after recorded"
            case duplicateID = "duplicate id"
        }
        /// The seq that should be at the broken line (seqs run 1, 2, 3 … so it is the line number).
        public var seq: Int
        /// The byte offset of the broken line.
        public var offset: Int
        public var kind: Kind
        public var detail: String
        public var description: String { "seq \(seq): \(kind.rawValue): \(detail)" }
    }

    /// What `verify` found.
    public struct VerifyReport: Sendable, Equatable {
        /// Events checked (up to the first problem).
        public var events: Int
        /// The hash of the last good event (``SHA256Digest/zero`` for none).
        public var head: SHA256Digest
        /// Committed bytes read.
        public var bytes: Int
        /// Bytes of a torn tail after the last line (ignored; the next append moves them aside).
        public var tornBytes: Int
        /// Bytes of an unfinished batch that the next append will roll back.
        public var unfinishedBytes: Int
        /// The first problem, or nil when the chain is whole.
        public var problem: VerifyProblem?
    }

    /// Walks the whole chain: each line well formed, seqs gapless from 1, each hash the
    /// SHA-256 of its line's bytes, each `prev` the hash before it, `recorded` never
    /// decreasing, `known` never after `recorded`, ids unique. Names the first problem.
    ///
    /// Each line's hash depends only on its own bytes, so a large log is checked in one
    /// stretch per core at once; only the joins between stretches (seq, `prev`, time, ids
    /// seen before) are checked in order afterwards. `parallelAbove` is the size in bytes
    /// from which it splits (tests lower it to exercise the joins).
    public func verify(lockTimeout: Double? = 30, parallelAbove: Int = 4 << 20) throws -> VerifyReport {
        let size = try file.size()
        let end = try committedEnd(lockTimeout: lockTimeout)
        let committedLineEnd = try lastLineEnd(before: size)
        var report = VerifyReport(events: 0, head: .zero, bytes: end, tornBytes: size - committedLineEnd,
                                  unfinishedBytes: max(0, committedLineEnd - end), problem: nil)
        // Stretches that start and end on line boundaries.
        let parts = end > parallelAbove ? 2 : 1
        var bounds = [0]
        for i in 1..<parts {
            let cut = try lastLineEnd(before: end * i / parts)
            if cut > bounds[bounds.count - 1] { bounds.append(cut) }
        }
        bounds.append(end)
        let segments = try Log.checkSegments(file, bounds: bounds)

        var previousHash = SHA256Digest.zero
        var previousRecorded: Timestamp?
        var earlier: [(base: Int, ids: Segment.IDs)] = []
        for (k, segment) in segments.enumerated() {
            let base = report.events // lines before this stretch
            var found: (index: Int, problem: VerifyProblem)?
            func consider(_ index: Int, _ offset: Int, _ kind: VerifyProblem.Kind, _ detail: String) {
                if index < (found?.index ?? Int.max) {
                    found = (index, VerifyProblem(seq: base + index + 1, offset: offset, kind: kind, detail: detail))
                }
            }
            if let first = segment.first {
                if first.seq != base + 1 {
                    consider(0, bounds[k], .seqGap, Segment.gapDetail(line: base + 1, found: first.seq))
                } else if first.prev != previousHash {
                    consider(0, bounds[k], .brokenLink, Segment.linkDetail(prev: first.prev, line: base + 1, previous: previousHash))
                } else if let previous = previousRecorded, first.recorded < previous {
                    consider(0, bounds[k], .timeGoesBackwards, "recorded \(first.recorded) is before seq \(base)'s \(previous)")
                }
            }
            if let finding = segment.finding {
                consider(finding.index, finding.offset, finding.kind, finding.detail(base + finding.index + 1))
            }
            for (before, ids) in earlier {
                try segment.ids.forEachShared(with: ids, file: file) { id, mine, theirs in
                    consider(mine.index, mine.offset, .duplicateID, "id \"\(id)\" was already used by seq \(before + theirs.index + 1)")
                }
            }
            if let found {
                report.problem = found.problem
                report.events = base + found.index
                report.head = found.index == 0 ? previousHash : try Log.hashOfLine(file, from: bounds[k], index: found.index - 1)
                return report
            }
            earlier.append((base, segment.ids))
            report.events = base + segment.count
            if segment.count > 0 {
                previousHash = segment.lastHash
                previousRecorded = segment.lastRecorded
            }
        }
        report.head = previousHash
        return report
    }

    /// One stretch of lines as verify sees it: its joins, and its first problem on its own terms.
    struct Segment: Sendable {
        struct First: Sendable {
            var seq: Int
            var prev: SHA256Digest
            var recorded: Timestamp
        }
        struct Finding: Sendable {
            var index: Int
            var offset: Int
            var kind: VerifyProblem.Kind
            /// The message, given the seq the line should have.
            var detail: @Sendable (Int) -> String
        }
        var count = 0
        var first: First?
        var lastHash = SHA256Digest.zero
        var lastRecorded: Timestamp?
        var finding: Finding?
        /// Each id's position in the stretch (for duplicates within it and across stretches).
        var ids = IDs()

        static func gapDetail(line: Int, found: Int) -> String {
            found > line
                ? "line \(line) holds seq \(found): seq \(line) is missing (a line deleted or lines reordered)"
                : "line \(line) holds seq \(found) again (a line duplicated or lines reordered)"
        }

        static func linkDetail(prev: SHA256Digest, line: Int, previous: SHA256Digest) -> String {
            "prev is \(prev.hex) but seq \(line - 1) has hash \(previous.hex) (a line before it was altered, removed or replaced)"
        }
    }

    /// Checks each stretch `[bounds[i], bounds[i+1])`, one per thread.
    static func checkSegments(_ file: FileDescriptor, bounds: [Int]) throws -> [Segment] {
        let count = bounds.count - 1
        guard count > 1 else { return [try checkSegment(file, from: bounds[0], to: bounds[1])] }
        let results = UnsafeMutableBufferPointer<Result<Segment, any Error>>.allocate(capacity: count)
        defer { results.deallocate() }
        // Safe: each iteration writes only its own element, and all are read after concurrentPerform returns.
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: count) { i in
            (slots.baseAddress! + i).initialize(to: Result { try checkSegment(file, from: bounds[i], to: bounds[i + 1]) })
        }
        defer { _ = results.baseAddress.map { $0.deinitialize(count: count) } }
        return try results.map { try $0.get() }
    }

    /// Walks one stretch, checking each line and its links to the lines before it in the stretch.
    ///
    /// A line in the layout `append` writes is read by position and its `data` checked without
    /// building it (``CanonicalLine``, ``JSONValidator``); any other line gets the full parse,
    /// which also words the problem.
    static func checkSegment(_ file: FileDescriptor, from: Int, to: Int) throws -> Segment {
        var segment = Segment()
        segment.ids.reserve((to - from) / 300)
        var firstSeq = 0
        var validator = JSONValidator()
        var times = CanonicalLine.Cache()
        _ = try LineReader.forEachLine(in: file, from: from, to: to) { offset, line in
            let index = segment.count
            func fail(_ kind: VerifyProblem.Kind, _ detail: @escaping @Sendable (Int) -> String) -> Bool {
                segment.finding = Segment.Finding(index: index, offset: offset, kind: kind, detail: detail)
                return false
            }
            let envelope: Envelope
            if let canonical = CanonicalLine.scan(line, cache: &times), validator.isValid(UnsafeRawBufferPointer(rebasing: line[canonical.data])) {
                envelope = Envelope(canonical, line)
            } else {
                do { envelope = Envelope(try LogRecord.decodeInFull(line: line)) } catch {
                    let reason = "\(error)"
                    return fail(.malformedLine) { "line \($0) (byte \(offset)): \(reason)" }
                }
            }
            if index == 0 {
                segment.first = Segment.First(seq: envelope.seq, prev: envelope.prev, recorded: envelope.recorded)
                firstSeq = envelope.seq
            } else {
                if envelope.seq != firstSeq + index {
                    let found = envelope.seq
                    return fail(.seqGap) { Segment.gapDetail(line: $0, found: found) }
                }
            }
            let computed = LogRecord.computeHash(line: line)
            if computed != envelope.hash {
                let claimed = envelope.hash
                return fail(.hashMismatch) { _ in "the line's bytes hash to \(computed.hex) but it claims \(claimed.hex) (the line was altered)" }
            }
            if index > 0, envelope.prev != segment.lastHash {
                let (prev, previous) = (envelope.prev, segment.lastHash)
                return fail(.brokenLink) { Segment.linkDetail(prev: prev, line: $0, previous: previous) }
            }
            if index > 0, let previous = segment.lastRecorded, envelope.recorded < previous {
                let recorded = envelope.recorded
                return fail(.timeGoesBackwards) { "recorded \(recorded) is before seq \($0 - 1)'s \(previous)" }
            }
            if envelope.known > envelope.recorded.date {
                let (known, recorded) = (envelope.known, envelope.recorded)
                return fail(.knownAfterRecorded) { _ in "known \(known) is after recorded \(recorded)" }
            }
            if let earlier = try envelope.withID(line, { id in try segment.ids.insert(id, at: (index, offset), file: file) }) {
                let id = envelope.withID(line) { String(decoding: $0, as: UTF8.self) }
                let distance = index - earlier.index
                return fail(.duplicateID) { "id \"\(id)\" was already used by seq \($0 - distance)" }
            }
            segment.lastHash = envelope.hash
            segment.lastRecorded = envelope.recorded
            segment.count += 1
            return true
        }
        return segment
    }

    /// What verify checks of a line, however it was read.
    struct Envelope {
        var seq: Int
        /// The id's bytes in the line (canonical lines), else its unescaped UTF-8: ids are told apart byte for byte.
        private var idRange: Range<Int> = 0..<0
        private var decodedID: [UInt8]?
        var recorded: Timestamp
        var known: CalendarDate
        var prev: SHA256Digest
        var hash: SHA256Digest

        init(_ canonical: CanonicalLine, _ line: UnsafeRawBufferPointer) {
            (seq, recorded, known) = (canonical.seq, canonical.recorded, canonical.known)
            (prev, hash) = (CanonicalLine.digest(canonical.prev, in: line), CanonicalLine.digest(canonical.hash, in: line))
            idRange = canonical.id
        }

        init(_ record: LogRecord) {
            (seq, recorded, known, prev, hash) = (record.seq, record.recorded, record.known, record.prev, record.hash)
            decodedID = Array(record.id.utf8)
        }

        /// Calls `body` with the id's bytes; `line` is the line this envelope was read from.
        func withID<R>(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            if let decodedID { return try decodedID.withUnsafeBytes(body) }
            return try body(UnsafeRawBufferPointer(rebasing: line[idRange]))
        }

        /// The envelope of the line starting at `offset` (for telling two ids with one fingerprint apart).
        static func id(ofLineAt offset: Int, in file: FileDescriptor) throws -> [UInt8] {
            var id: [UInt8] = []
            _ = try LineReader.forEachLine(in: file, from: offset, to: Int.max) { _, line in
                if let canonical = CanonicalLine.scan(line) {
                    id = Array(UnsafeRawBufferPointer(rebasing: line[canonical.id]))
                } else if let record = try? LogRecord.decodeInFull(line: line) {
                    id = Array(record.id.utf8)
                }
                return false
            }
            return id
        }
    }

    /// The hash of the `index`-th line of the stretch starting at `from` (for reporting the last good head).
    static func hashOfLine(_ file: FileDescriptor, from: Int, index: Int) throws -> SHA256Digest {
        var hash = SHA256Digest.zero
        var n = 0
        _ = try LineReader.forEachLine(in: file, from: from, to: Int.max) { _, line in
            if let record = try? LogRecord.decode(line: line) { hash = record.hash }
            n += 1
            return n <= index
        }
        return hash
    }
}

extension Log.Segment {
    /// The ids of a stretch and where each first appears.
    ///
    /// Kept by a 64-bit fingerprint of their bytes, not the bytes: 1.1 million ids as Strings
    /// were a third of verify's time. Exact all the same: when a fingerprint is already taken,
    /// the earlier line is read again and its id compared; a different id with the same
    /// fingerprint (vanishingly rare) goes to a table keyed by its bytes.
    struct IDs: Sendable {
        typealias Position = (index: Int, offset: Int)
        private var byFingerprint: [UInt64: Position] = [:]
        private var exact: [[UInt8]: Position] = [:]
        /// ``fingerprint(_:)``; tests substitute a poor one to force collisions.
        let fingerprintOf: @Sendable (UnsafeRawBufferPointer) -> UInt64

        init(fingerprint: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64 = IDs.fingerprint) {
            fingerprintOf = fingerprint
        }

        mutating func reserve(_ count: Int) { byFingerprint.reserveCapacity(count) }

        /// Records `id` at `position`; returns where it appeared before, if it did.
        mutating func insert(_ id: UnsafeRawBufferPointer, at position: Position, file: FileDescriptor) throws -> Position? {
            let print = fingerprintOf(id)
            guard let other = byFingerprint[print] else {
                byFingerprint[print] = position
                return nil
            }
            let bytes = Array(id)
            if try Log.Envelope.id(ofLineAt: other.offset, in: file) == bytes { return other }
            if let earlier = exact[bytes] { return earlier }
            exact[bytes] = position
            return nil
        }

        /// Where `id` appears, if it does.
        func find(_ id: [UInt8], file: FileDescriptor) throws -> Position? {
            let print = id.withUnsafeBytes { fingerprintOf($0) }
            guard let other = byFingerprint[print] else { return nil }
            if try Log.Envelope.id(ofLineAt: other.offset, in: file) == id { return other }
            return exact[id]
        }

        /// Calls `body(id, here, there)` for each id this stretch shares with `other`.
        func forEachShared(with other: IDs, file: FileDescriptor, _ body: (String, Position, Position) -> Void) throws {
            for (print, mine) in byFingerprint where other.byFingerprint[print] != nil {
                let id = try Log.Envelope.id(ofLineAt: mine.offset, in: file)
                if let theirs = try other.find(id, file: file) { body(String(decoding: id, as: UTF8.self), mine, theirs) }
            }
            for (id, mine) in exact {
                if let theirs = try other.find(id, file: file) { body(String(decoding: id, as: UTF8.self), mine, theirs) }
            }
        }

        /// A 64-bit fingerprint of bytes: SplitMix64's finaliser over each 8-byte word.
        static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            @inline(__always) func mix(_ x: UInt64) -> UInt64 {
                var z = x
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            var hash = 0x9E37_79B9_7F4A_7C15 &* UInt64(bytes.count &+ 1)
            var i = 0
            while i + 8 <= bytes.count {
                hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < bytes.count {
                var tail: UInt64 = 0
                for j in i..<bytes.count { tail |= UInt64(bytes[j]) << UInt64(8 * (j - i)) }
                hash = mix(hash ^ tail)
            }
            return mix(hash)
        }
    }
}
