extension LogRecord {
    /// A log line written but for its link to the chain: the hex of `prev` and `hash` are
    /// still blank, and the hasher has read every byte of the hashed part before `prev`'s hex.
    ///
    /// `prev` comes last in the hashed part, so most of each line's SHA-256 does not depend on
    /// the line before: a batch encodes and hashes its lines up to there on every core at once,
    /// and only the last block or two of each is hashed in order, when the chain is linked.
    struct UnlinkedLine {
        /// Where the line starts in its buffer.
        var start: Int
        /// Where the 64 hex digits of `prev` start in its buffer.
        var prevAt: Int
        /// Where the `data` object's bytes are in its buffer.
        var data: Range<Int>
        /// SHA-256 fed with the buffer's bytes `start..<prevAt`.
        var hasher: SHA256

        /// Where the 64 hex digits of `hash` start: after `prev`'s, `"`, and `,"hash":"`.
        var hashAt: Int { prevAt + 64 + 1 + 9 }

        /// Appends the line (with its final `\n`) to `buffer`, blanks for the two hashes.
        ///
        /// The hashed part is the bytes from `{` up to, not including, `,"hash":`.
        init(seq: Int, id: String, recorded: [UInt8], known: [UInt8], type: String, source: String,
             actor: String, data: JSONObject, into buffer: inout [UInt8]) {
            self.init(seq: seq, id: id, middle: UnlinkedLine.middle(recorded: recorded, known: known, type: type, source: source, actor: actor),
                      data: data, into: &buffer)
        }

        /// As above, with the envelope's middle already written (see ``middle(recorded:known:type:source:actor:)``).
        init(seq: Int, id: String, middle: [UInt8], data: JSONObject, into buffer: inout [UInt8]) {
            var memberStarts: [Int] = []
            self.init(seq: seq, id: id, middle: middle, data: data, into: &buffer, memberStarts: &memberStarts)
        }

        /// As above, appending where each of the data's members starts in `buffer` to `memberStarts`
        /// (see ``JSONWriter/write(object:into:memberStarts:)``).
        init(seq: Int, id: String, middle: [UInt8], data: JSONObject, into buffer: inout [UInt8], memberStarts: inout [Int]) {
            start = buffer.count
            buffer.append(literal: #"{"seq":"#)
            buffer.appendDecimal(seq)
            buffer.append(literal: #","id":"#)
            JSONWriter.writeString(id, into: &buffer)
            buffer.append(contentsOf: middle)
            let dataStart = buffer.count
            JSONWriter.write(object: data, into: &buffer, memberStarts: &memberStarts)
            self.data = dataStart..<buffer.count
            buffer.append(literal: #","prev":""#)
            prevAt = buffer.count
            hasher = SHA256()
            let (start, prevAt) = (start, prevAt)
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[start..<prevAt])) }
            buffer.appendBlankHex()
            buffer.append(literal: #"","hash":""#)
            buffer.appendBlankHex()
            buffer.append(literal: "\"}\n")
        }

        /// The part of a line between its id and its data — `,"recorded":"…","known":"…","type":…,
        /// "source":…,"actor":…,"data":` — which most lines of a batch share: written once, copied.
        static func middle(recorded: [UInt8], known: [UInt8], type: String, source: String, actor: String) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.append(literal: #","recorded":""#)
            bytes.append(contentsOf: recorded)
            bytes.append(literal: #"","known":""#)
            bytes.append(contentsOf: known)
            bytes.append(literal: #"","type":"#)
            JSONWriter.writeString(type, into: &bytes)
            bytes.append(literal: #","source":"#)
            JSONWriter.writeString(source, into: &bytes)
            bytes.append(literal: #","actor":"#)
            JSONWriter.writeString(actor, into: &bytes)
            bytes.append(literal: #","data":"#)
            return bytes
        }

        /// Writes `prev` into the line, finishes its hash, writes that too, and returns it.
        func link(to prev: SHA256Digest, in buffer: UnsafeMutableRawBufferPointer) -> SHA256Digest {
            let base = buffer.baseAddress!
            prev.writeHex(to: base + prevAt)
            var hasher = hasher
            hasher.update(UnsafeRawBufferPointer(start: base + prevAt, count: 64 + 1))
            let hash = hasher.finalize()
            hash.writeHex(to: base + hashAt)
            return hash
        }
    }
}
