import Dispatch

extension Log {
    /// The new lines of a batch, encoded: the bytes to write after the head, and each line's hash.
    struct EncodedBatch: Sendable {
        /// The lines, in pieces to write one after another.
        var lines: [[UInt8]] = []
        /// `hashes[i]` is the hash of the batch's i-th new record; its `prev` is `hashes[i - 1]`
        /// (the head's hash for the first).
        var hashes: [SHA256Digest] = []
        /// The bytes of all the lines.
        var byteCount = 0
        /// For each piece of `lines`: where each of its lines starts in it and, when the batch is
        /// indexed, each record's content digest — what the id index's lines need.
        fileprivate var runs: [(lineStarts: [Int], digests: [SHA256Digest])] = []
        fileprivate var indexed = false

        /// The id index's lines for the batch's `records` (the ones it was encoded from), which
        /// follow `head`, in pieces to append one after another. Empty unless it was encoded with
        /// `indexing`. Built on every core; an append builds them while it writes the log.
        func indexLines(_ records: [PendingRecord], after head: Head) -> [[UInt8]] {
            guard indexed else { return [] }
            var starts = [head.end]  // where each piece begins in the log
            var firsts = [0]         // the batch position of each piece's first line
            for k in lines.indices.dropLast() {
                starts.append(starts[k] + lines[k].count)
                firsts.append(firsts[k] + runs[k].lineStarts.count)
            }
            let (pieceStarts, pieceFirsts) = (starts, firsts)
            return concurrentMap(count: runs.count, minimumPerChunk: 1) { k in
                let (lineStarts, digests) = runs[k]
                var out: [UInt8] = []
                out.reserveCapacity((IDIndex.fixedLineLength + 40 + (records.first?.record.id.utf8.count ?? 0)) * lineStarts.count * 9 / 8)
                for j in lineStarts.indices {
                    let i = pieceFirsts[k] + j
                    let record = records[i].record
                    let end = j + 1 < lineStarts.count ? lineStarts[j + 1] : lines[k].count
                    IDIndex.encode(id: record.id, entry: IDIndex.Entry(seq: record.seq, known: record.known, contentDigest: digests[j]),
                                   mark: IDIndex.Mark(seq: record.seq, end: pieceStarts[k] + end, hash: hashes[i]), into: &out)
                }
                return out
            }
        }
    }

    /// Encodes a batch's lines to follow `head`, in runs, on every core, and links the chain run
    /// by run, in order, on the thread that asks for it (``chain(_:)``, ``finish()``) — so the
    /// linking, which must go line after line, overlaps the encoding of the runs after it instead
    /// of following all of it.
    ///
    /// Each line is encoded and hashed up to its link by a worker; linking writes its `prev`,
    /// finishes its hash (a block or two) and writes that. With `indexing`, each record's content
    /// digest is worked out with its line, for the id index.
    final class BatchEncoder: @unchecked Sendable {
        /// Lines per run: small enough that the last run's linking, which nothing overlaps, is short.
        static let runLength = 2048

        private let records: [PendingRecord]
        private let ranges: [Range<Int>]
        /// Safety: `pieces[k]` is written once by the worker that encodes run k, which then signals
        /// `encoded[k]`; the linker reads and changes it only after waiting for that signal.
        private var pieces: [Piece?]
        private let encoded: [DispatchSemaphore]
        /// The linker's state, changed only with `linking` held.
        private let linking = DispatchSemaphore(value: 1)
        private var hashes: [SHA256Digest] = []
        private var linkedRuns = 0
        private var prev: SHA256Digest
        private let headHash: SHA256Digest
        private let indexing: Bool
        private var workers: BackgroundTask<Void>?

        /// A contiguous run of the batch's lines, encoded by one core.
        private struct Piece: Sendable {
            var bytes: [UInt8] = []
            var lines: [LogRecord.UnlinkedLine] = []
            /// The content digest of each record of the run (for the index).
            var digests: [SHA256Digest] = []
        }

        /// Starts encoding `records` (their seq, id and known assigned) on other threads; with
        /// `inBackground: false`, encodes them on this one before returning.
        init(_ records: [PendingRecord], after head: Head, recorded: Timestamp, indexing: Bool, inBackground: Bool) {
            self.records = records
            ranges = stride(from: 0, to: records.count, by: Self.runLength).map { $0..<min($0 + Self.runLength, records.count) }
            pieces = Array(repeating: nil, count: ranges.count)
            encoded = ranges.map { _ in DispatchSemaphore(value: 0) }
            (prev, headHash, self.indexing) = (head.hash, head.hash, indexing)
            hashes.reserveCapacity(records.count)
            let recordedText = Array(recorded.description.utf8)
            let work: @Sendable () -> Void = { [self] in
                DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
                    // Read in place: copying each record would retain its strings (on the core that
                    // is validating the same records).
                    let piece = records.withUnsafeBufferPointer { Self.encode($0, ranges[k], recordedText: recordedText, indexing: indexing) }
                    pieces[k] = piece
                    encoded[k].signal()
                }
            }
            if inBackground { workers = BackgroundTask(work) } else { work() }
        }

        /// The `prev` and `hash` of the batch's i-th record, linking the chain as far as it, if
        /// it is not yet (and waiting for its run to be encoded).
        func chain(_ i: Int) -> (prev: SHA256Digest, hash: SHA256Digest) {
            precondition(records.indices.contains(i), "no record \(i) in a batch of \(records.count)")
            linking.wait()
            defer { linking.signal() }
            link(through: i)
            return (i == 0 ? headHash : hashes[i - 1], hashes[i])
        }

        /// Links every line and hands over the encoded batch.
        func finish() -> EncodedBatch {
            linking.wait()
            defer { linking.signal() }
            link(through: records.count - 1)
            _ = workers?.value
            var batch = EncodedBatch()
            batch.hashes = hashes
            batch.lines = pieces.map { $0!.bytes }
            batch.byteCount = batch.lines.reduce(0) { $0 + $1.count }
            batch.runs = pieces.map { ($0!.lines.map(\.start), $0!.digests) }
            batch.indexed = indexing
            return batch
        }

        /// Links whole runs, in order, until line `i` is linked. Call with `linking` held.
        private func link(through i: Int) {
            while hashes.count <= i {
                let k = linkedRuns
                encoded[k].wait()
                let unlinked = pieces[k]!.lines
                pieces[k]!.bytes.withUnsafeMutableBytes { buffer in
                    for line in unlinked {
                        prev = line.link(to: prev, in: buffer)
                        hashes.append(prev)
                    }
                }
                linkedRuns += 1
            }
        }

        /// The lines `range` of `records`, encoded and hashed up to their links, with their
        /// content digests when `indexing`.
        private static func encode(_ records: UnsafeBufferPointer<PendingRecord>, _ range: Range<Int>, recordedText: [UInt8],
                                   indexing: Bool) -> Piece {
            var piece = Piece()
            piece.lines.reserveCapacity(range.count)
            // The envelope's middle (known, type, source, actor) is the same from line to line, mostly.
            var middle: (known: CalendarDate, type: String, source: String, actor: String, bytes: [UInt8])?
            var scratch: [UInt8] = []
            var memberStarts: [Int] = []
            for i in range {
                let record = UnsafePointer(records.baseAddress! + i) // .pointee reads in place
                let (known, type, source, actor) = (record.pointee.record.known, record.pointee.record.type,
                                                    record.pointee.record.source, record.pointee.record.actor)
                if middle.map({ $0.known != known || $0.type != type || $0.source != source || $0.actor != actor }) ?? true {
                    middle = (known, type, source, actor, LogRecord.UnlinkedLine.middle(
                        recorded: recordedText, known: Array(known.description.utf8), type: type, source: source, actor: actor))
                }
                memberStarts.removeAll(keepingCapacity: true)
                let line = LogRecord.UnlinkedLine(seq: record.pointee.record.seq, id: record.pointee.record.id, middle: middle!.bytes,
                                                  data: record.pointee.record.data, into: &piece.bytes, memberStarts: &memberStarts)
                piece.lines.append(line)
                if indexing {
                    // Data whose keys are in order was just written as the digest needs it; data whose
                    // members are, each, has its members hashed in the order of their keys.
                    let data = record.pointee.record.data
                    piece.digests.append(JSONWriter.isInSortedOrder(data)
                        ? piece.bytes.withUnsafeBytes { LogRecord.contentDigest(type: type, sortedDataBytes: UnsafeRawBufferPointer(rebasing: $0[line.data])) }
                        : JSONWriter.membersAreInSortedOrder(data)
                        ? piece.bytes.withUnsafeBytes { LogRecord.contentDigest(type: type, data: data, written: $0, at: line.data, memberStarts: memberStarts) }
                        : LogRecord.contentDigest(type: type, data: data, scratch: &scratch))
                }
                if i == range.lowerBound {
                    // Lines of one batch are alike: reserve for the run from its first line, so the
                    // buffer is not copied as it grows (capacity never touched costs no memory).
                    piece.bytes.reserveCapacity((piece.bytes.count * 5 / 4 + 64) * range.count)
                }
            }
            return piece
        }
    }
}
