extension LogRecord {
    /// The digest that decides whether two events with one id are "the same content": SHA-256
    /// of the type, `\n`, and the data with its keys sorted — nothing the log or the run assigns.
    ///
    /// `scratch` is a buffer reused from call to call (a batch computes one digest per event).
    static func contentDigest(type: String, data: JSONObject, scratch: inout [UInt8]) -> SHA256Digest {
        scratch.removeAll(keepingCapacity: true)
        JSONWriter.write(object: data, into: &scratch, sortedKeys: true)
        return scratch.withUnsafeBytes { contentDigest(type: type, sortedDataBytes: $0) }
    }

    /// As above, from the data already written with its keys sorted: a batch whose data's keys
    /// are in order (``JSONWriter/isInSortedOrder(_:)``) hashes the bytes it wrote into the line.
    static func contentDigest(type: String, sortedDataBytes dataBytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(type)
        withUnsafeBytes(of: UInt8(0x0A)) { hasher.update($0) }
        hasher.update(dataBytes)
        return hasher.finalize()
    }

    /// As above, from `data` as written in its stored order: `bytes[dataRange]`, its members
    /// starting at `memberStarts` (``JSONWriter/write(object:into:memberStarts:)``). When every
    /// member's value is in sorted order (``JSONWriter/membersAreInSortedOrder(_:)``: the usual
    /// flat data of an event), the sorted form is those members' bytes in the order of their keys,
    /// so they are hashed in that order rather than written again.
    static func contentDigest(type: String, data: JSONObject, written bytes: UnsafeRawBufferPointer, at dataRange: Range<Int>,
                              memberStarts: [Int]) -> SHA256Digest {
        precondition(memberStarts.count == data.count)
        assert(JSONWriter.membersAreInSortedOrder(data))
        var hasher = SHA256()
        hasher.update(type)
        let punctuation: [UInt8] = [0x0A, JSONByte.openBrace, JSONByte.comma, JSONByte.closeBrace]
        punctuation.withUnsafeBytes { marks in
            hasher.update(UnsafeRawBufferPointer(rebasing: marks[0..<2])) // "\n{"
            JSONWriter.withKeyOrder(data) { order in
                for n in order.indices {
                    if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: marks[2..<3])) }
                    let k = order[n]
                    // A member runs to the comma before the next one, the last to the closing brace.
                    let end = k + 1 < memberStarts.count ? memberStarts[k + 1] - 1 : dataRange.upperBound - 1
                    hasher.update(UnsafeRawBufferPointer(rebasing: bytes[memberStarts[k]..<end]))
                }
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: marks[3..<4])) // "}"
        }
        return hasher.finalize()
    }
}
