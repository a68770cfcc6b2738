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
}
