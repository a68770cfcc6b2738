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
    /// decreasing, `known` never after `recorded`, ids unique. Stops at the first problem.
    public func verify(lockTimeout: Double? = 30) throws -> VerifyReport {
        let size = try file.size()
        let end = try committedEnd(lockTimeout: lockTimeout)
        let committedLineEnd = try lastLineEnd(before: size)
        var report = VerifyReport(events: 0, head: .zero, bytes: end, tornBytes: size - committedLineEnd,
                                  unfinishedBytes: max(0, committedLineEnd - end), problem: nil)
        var previousRecorded: Timestamp?
        var ids: [String: Int] = [:]
        _ = try LineReader.forEachLine(in: file, to: end) { offset, line in
            let expected = report.events + 1
            func fail(_ kind: VerifyProblem.Kind, _ detail: String) -> Bool {
                report.problem = VerifyProblem(seq: expected, offset: offset, kind: kind, detail: detail)
                return false
            }
            let record: LogRecord
            do { record = try LogRecord.decode(line: line) } catch {
                return fail(.malformedLine, "line \(expected) (byte \(offset)): \(error)")
            }
            if record.seq != expected {
                return fail(.seqGap, record.seq > expected
                    ? "line \(expected) holds seq \(record.seq): seq \(expected) is missing (a line deleted or lines reordered)"
                    : "line \(expected) holds seq \(record.seq) again (a line duplicated or lines reordered)")
            }
            let computed = LogRecord.computeHash(line: line)
            if computed != record.hash {
                return fail(.hashMismatch, "the line's bytes hash to \(computed.hex) but it claims \(record.hash.hex) (the line was altered)")
            }
            if record.prev != report.head {
                return fail(.brokenLink, "prev is \(record.prev.hex) but seq \(expected - 1) has hash \(report.head.hex) (a line before it was altered, removed or replaced)")
            }
            if let previous = previousRecorded, record.recorded < previous {
                return fail(.timeGoesBackwards, "recorded \(record.recorded) is before seq \(expected - 1)'s \(previous)")
            }
            if record.known > record.recorded.date {
                return fail(.knownAfterRecorded, "known \(record.known) is after recorded \(record.recorded)")
            }
            if let first = ids.updateValue(record.seq, forKey: record.id) {
                return fail(.duplicateID, "id \"\(record.id)\" was already used by seq \(first)")
            }
            previousRecorded = record.recorded
            report.head = record.hash
            report.events = expected
            return true
        }
        return report
    }
}
