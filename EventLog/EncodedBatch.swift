extension Log {
    /// The new lines of a batch, encoded: the bytes to write after the head, each line's hash,
    /// and the id index's entries for them.
    struct EncodedBatch: Sendable {
        /// The lines, in pieces to write one after another.
        var lines: [[UInt8]] = []
        /// The id index's lines, in pieces to append one after another.
        var indexLines: [[UInt8]] = []
        /// `hashes[i]` is the hash of the batch's i-th new record; its `prev` is `hashes[i - 1]`
        /// (the head's hash for the first).
        var hashes: [SHA256Digest] = []
        /// The bytes of all the lines.
        var byteCount = 0

        /// A contiguous run of the batch's lines, encoded by one core.
        private struct Piece: Sendable {
            var bytes: [UInt8] = []
            var lines: [LogRecord.UnlinkedLine] = []
            /// The content digest of each record of the run (for the index).
            var digests: [SHA256Digest] = []
        }

        /// Encodes `records` (their seq, id and known assigned) to follow `head`; `indexing`: also
        /// write the index's lines (with each record's content digest).
        ///
        /// Each core encodes and hashes a run of lines up to their links; then the chain is linked
        /// in order (a block or two of hashing per line); then each core writes its run's index lines.
        init(_ records: [PendingRecord], after head: Head, recorded: Timestamp, indexing: Bool) {
            let recordedText = Array(recorded.description.utf8)
            var pieces = concurrentChunks(count: records.count) { range in
                // Read in place: copying each record would retain its strings (on the core that is
                // validating the same records).
                records.withUnsafeBufferPointer { Self.encode($0, range, recordedText: recordedText, indexing: indexing) }
            }

            hashes.reserveCapacity(records.count)
            var prev = head.hash
            for k in pieces.indices {
                let unlinked = pieces[k].lines
                pieces[k].bytes.withUnsafeMutableBytes { buffer in
                    for line in unlinked {
                        prev = line.link(to: prev, in: buffer)
                        hashes.append(prev)
                    }
                }
                lines.append(pieces[k].bytes)
            }
            byteCount = lines.reduce(0) { $0 + $1.count }

            guard indexing else { return }
            var starts = [head.end]  // where each piece begins in the log
            var firsts = [0]         // the batch position of each piece's first line
            for piece in pieces.dropLast() {
                starts.append(starts[starts.count - 1] + piece.bytes.count)
                firsts.append(firsts[firsts.count - 1] + piece.lines.count)
            }
            let (chain, runs, pieceStarts, pieceFirsts) = (hashes, pieces, starts, firsts)
            indexLines = concurrentMap(count: runs.count, minimumPerChunk: 1) { k in
                let piece = runs[k]
                var out: [UInt8] = []
                out.reserveCapacity((IDIndex.fixedLineLength + 40 + (records.first?.record.id.utf8.count ?? 0)) * piece.lines.count * 9 / 8)
                for j in piece.lines.indices {
                    let i = pieceFirsts[k] + j
                    let record = records[i].record
                    let end = j + 1 < piece.lines.count ? piece.lines[j + 1].start : piece.bytes.count
                    IDIndex.encode(id: record.id, entry: IDIndex.Entry(seq: record.seq, known: record.known, contentDigest: piece.digests[j]),
                                   mark: IDIndex.Mark(seq: record.seq, end: pieceStarts[k] + end, hash: chain[i]), into: &out)
                }
                return out
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
