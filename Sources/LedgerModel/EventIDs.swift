/// Every event id the fold has applied, and its seq: what a retraction by id resolves against.
///
/// One insert per event of a replay, so it is built for that: an open-addressing table of
/// the ids' hash values (worked out when the event was decoded, on the reading thread),
/// with each seq's id kept to confirm a match. As exact as a `[String: Int]` — ids compare
/// as Swift strings — at a fraction of its cost, which was a sixth of a whole replay.
public struct EventIDs: Sendable {
    /// Slots: the id's hash value and its seq; seq 0 marks an empty slot (seqs start at 1).
    private var hashes: [Int] = []
    private var seqs: [Int] = []
    private var count = 0
    /// The id of each applied seq, indexed by seq ("" for seqs not applied).
    private var ids: [String] = []

    public init() {}

    /// Records that `id` (whose `hashValue` is `hash`) is `seq`. Seqs arrive in increasing order.
    public mutating func insert(_ id: String, hash: Int, seq: Int) {
        if ids.count <= seq { ids.append(contentsOf: repeatElement("", count: seq + 1 - ids.count)) }
        ids[seq] = id
        if (count + 1) * 2 > hashes.count { grow() }
        place(hash: hash, seq: seq)
        count += 1
    }

    /// The latest seq recorded for `id`, if any.
    public func seq(of id: String) -> Int? { seq(of: id, hash: id.hashValue) }

    /// As above, with the hash value given (tests give colliding ones).
    func seq(of id: String, hash: Int) -> Int? {
        guard !hashes.isEmpty else { return nil }
        let mask = hashes.count - 1
        var slot = Self.start(hash, mask)
        var found: Int?
        while seqs[slot] != 0 {
            if hashes[slot] == hash, ids[seqs[slot]] == id { found = max(found ?? 0, seqs[slot]) }
            slot = (slot + 1) & mask
        }
        return found
    }

    private static func start(_ hash: Int, _ mask: Int) -> Int {
        // Hash values are already well mixed; fold the high bits in for small tables.
        Int(truncatingIfNeeded: UInt(bitPattern: hash) ^ (UInt(bitPattern: hash) >> 32)) & mask
    }

    private mutating func place(hash: Int, seq: Int) {
        let mask = hashes.count - 1
        var slot = Self.start(hash, mask)
        while seqs[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        seqs[slot] = seq
    }

    private mutating func grow() {
        let (oldHashes, oldSeqs) = (hashes, seqs)
        let capacity = max(1024, hashes.count * 2)
        hashes = Array(repeating: 0, count: capacity)
        seqs = Array(repeating: 0, count: capacity)
        for slot in oldSeqs.indices where oldSeqs[slot] != 0 { place(hash: oldHashes[slot], seq: oldSeqs[slot]) }
    }
}
