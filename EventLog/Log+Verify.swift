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
        var ids: [String: Int] = [:]
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
            for (id, entry) in segment.ids {
                if let earlier = ids[id] {
                    consider(entry.index, entry.offset, .duplicateID, "id \"\(id)\" was already used by seq \(earlier)")
                }
            }
            if let found {
                report.problem = found.problem
                report.events = base + found.index
                report.head = found.index == 0 ? previousHash : try Log.hashOfLine(file, from: bounds[k], index: found.index - 1)
                return report
            }
            for (id, entry) in segment.ids { ids[id] = base + entry.index + 1 }
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
        /// Each id's position in the stretch (for duplicates across stretches).
        var ids: [String: (index: Int, offset: Int)] = [:]

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
    static func checkSegment(_ file: FileDescriptor, from: Int, to: Int) throws -> Segment {
        var segment = Segment()
        var firstSeq = 0
        _ = try LineReader.forEachLine(in: file, from: from, to: to) { offset, line in
            let index = segment.count
            func fail(_ kind: VerifyProblem.Kind, _ detail: @escaping @Sendable (Int) -> String) -> Bool {
                segment.finding = Segment.Finding(index: index, offset: offset, kind: kind, detail: detail)
                return false
            }
            let record: LogRecord
            do { record = try LogRecord.decode(line: line) } catch {
                let reason = "\(error)"
                return fail(.malformedLine) { "line \($0) (byte \(offset)): \(reason)" }
            }
            if index == 0 {
                segment.first = Segment.First(seq: record.seq, prev: record.prev, recorded: record.recorded)
                firstSeq = record.seq
            } else {
                if record.seq != firstSeq + index {
                    let found = record.seq
                    return fail(.seqGap) { Segment.gapDetail(line: $0, found: found) }
                }
            }
            let computed = LogRecord.computeHash(line: line)
            if computed != record.hash {
                let claimed = record.hash
                return fail(.hashMismatch) { _ in "the line's bytes hash to \(computed.hex) but it claims \(claimed.hex) (the line was altered)" }
            }
            if index > 0, record.prev != segment.lastHash {
                let (prev, previous) = (record.prev, segment.lastHash)
                return fail(.brokenLink) { Segment.linkDetail(prev: prev, line: $0, previous: previous) }
            }
            if index > 0, let previous = segment.lastRecorded, record.recorded < previous {
                let recorded = record.recorded
                return fail(.timeGoesBackwards) { "recorded \(recorded) is before seq \($0 - 1)'s \(previous)" }
            }
            if record.known > record.recorded.date {
                let (known, recorded) = (record.known, record.recorded)
                return fail(.knownAfterRecorded) { _ in "known \(known) is after recorded \(recorded)" }
            }
            if let earlier = segment.ids[record.id] {
                let id = record.id
                let distance = index - earlier.index
                return fail(.duplicateID) { "id \"\(id)\" was already used by seq \($0 - distance)" }
            }
            segment.ids[record.id] = (index, offset)
            segment.lastHash = record.hash
            segment.lastRecorded = record.recorded
            segment.count += 1
            return true
        }
        return segment
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
