extension LogRecord {
    /// The digest that decides whether two events with one id are "the same content": SHA-256
    /// of the type, `\n`, and the data with its keys sorted — nothing the log or the run assigns.
    ///
    /// `scratch` is a buffer reused from call to call (a batch computes one digest per event).
    static func contentDigest(type: String, data: JSONObject, scratch: inout [UInt8]) -> SHA256Digest {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: type.utf8)
        scratch.append(0x0A)
        JSONWriter.write(.object(data), into: &scratch, sortedKeys: true)
        return SHA256.hash(scratch)
    }

    /// As above, for a record whose data was just written with its keys in sorted order
    /// (``JSONWriter/isInSortedOrder(_:)``): `dataBytes` are those bytes, not written again.
    static func contentDigest(type: String, sortedDataBytes dataBytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(type)
        hasher.update(UnsafeRawBufferPointer(start: [UInt8(0x0A)], count: 1))
        hasher.update(dataBytes)
        return hasher.finalize()
    }
}
