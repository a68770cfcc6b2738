extension Log {
    /// The new records of a batch, as ``AppendOptions/beforeWrite`` sees them.
    ///
    /// Their lines are being encoded and hashed on another thread meanwhile, so each record's
    /// `prev` and `hash` are zero here: ask ``chain(_:)`` for them (it waits for the hashing).
    /// Validation rarely needs them, and then only for a few records.
    public struct PendingBatch: Sendable {
        /// The records about to be written, in seq order.
        public let records: [PendingRecord]
        let encoder: BatchEncoder

        /// The `prev` and `hash` of `records[i]`, once the batch's lines are hashed as far as it.
        public func chain(_ i: Int) -> (prev: SHA256Digest, hash: SHA256Digest) {
            encoder.chain(i)
        }
    }
}
