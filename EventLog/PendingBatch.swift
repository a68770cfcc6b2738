extension Log {
    /// The new records of a batch, as ``AppendOptions/beforeWrite`` sees them.
    ///
    /// Their lines are being encoded and hashed on another thread meanwhile, so each record's
    /// `prev` and `hash` are zero here: ask ``chain(_:)`` for them (it waits for the hashing).
    /// Validation rarely needs them, and then only for a few records.
    public struct PendingBatch: Sendable {
        /// The records about to be written, in seq order.
        public let records: [PendingRecord]
        let encoding: BackgroundTask<EncodedBatch>
        let headHash: SHA256Digest

        /// The `prev` and `hash` of `records[i]`, once the batch's lines are hashed.
        public func chain(_ i: Int) -> (prev: SHA256Digest, hash: SHA256Digest) {
            let hashes = encoding.value.hashes
            return (i == 0 ? headHash : hashes[i - 1], hashes[i])
        }
    }
}
