#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where each id's entry is in the id index (`<log>.idx.hash`): an append finds its ids by
/// hashing them, instead of reading the index's million lines.
///
/// A cache of a cache: deleting it loses nothing. It is written whole (a temporary file renamed
/// over it), never changed in place, and covers the index's first `covered` bytes; the index
/// lines after those (an append adds a few) are read one by one, and once they grow past an
/// eighth of what the table covers it is built again. It is used only while it matches the
/// index: the same file (device and inode: the index is rebuilt by renaming a new one over it),
/// at least `covered` bytes long, with the same bytes just before `covered`. Every block of
/// slots is checksummed and checked when a lookup first reads it, so a torn or damaged table
/// is rebuilt rather than believed — a slot lost would let an id already in the log in again.
///
/// An entry found is only a candidate: its index line is read and its id compared.
///
/// Ids are hashed as bytes, so a table is used only when the ids looked up, and every id it
/// covers, are ASCII (a Swift string equal to an ASCII one may be spelt in other bytes: the
/// Kelvin sign and K); otherwise the index is read whole, as without a table.
///
/// Layout (little-endian): a 96-byte header — "outturn-idhash-1" · covered · the seq of the
/// line ending there · slot count · entry count · the index's device and inode · the XXH64 of
/// the 256 index bytes before `covered` · the XXH64 of the block checksums · 1 if some id it
/// covers is not ASCII, else 0 · padding; then one
/// XXH64 per block of 512 slots; then the slots, 8 bytes each: 0 for none, else the id's
/// fingerprint (the top 24 bits of its XXH64) above the offset of its index line plus one.
struct IDHashTable {
    static let magic = Array("outturn-idhash-1".utf8)
    static let headerSize = 96
    static let slotsPerBlock = 512
    static let offsetBits: UInt64 = 40
    static let offsetMask: UInt64 = (1 << offsetBits) - 1

    /// The index bytes the table covers, and the seq of the entry ending there.
    let covered: Int
    let coveredSeq: Int
    /// Whether some id it covers is not ASCII (the table is then not used).
    let coversOtherThanASCII: Bool
    private let file: MappedBytes
    private let slots: UnsafeRawBufferPointer
    private let blockSums: UnsafeRawBufferPointer
    private let mask: Int
    /// Blocks whose checksum has been checked (and matched).
    private var checked: [Bool]

    static func path(logPath: String) -> String { logPath + ".idx.hash" }

    /// The table at `path`, if it matches `index` (the index file, mapped); nil otherwise.
    init?(path: String, index: MappedBytes, identity: FileSystem.Identity) {
        guard let file = MappedBytes(path: path), file.bytes.count >= Self.headerSize else { return nil }
        let b = file.bytes
        func word(_ i: Int) -> UInt64 { UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 16 + i * 8, as: UInt64.self)) }
        guard b.prefix(16).elementsEqual(Self.magic) else { return nil }
        let (covered, coveredSeq, slotCount, _) = (Int(truncatingIfNeeded: word(0)), Int(truncatingIfNeeded: word(1)),
                                                   Int(truncatingIfNeeded: word(2)), word(3))
        guard slotCount >= Self.slotsPerBlock, slotCount.nonzeroBitCount == 1, slotCount <= 1 << 40,
              word(4) == identity.device, word(5) == identity.inode,
              covered >= 0, covered <= index.bytes.count, word(6) == Self.tailSum(index.bytes, covered) else { return nil }
        let blocks = slotCount / Self.slotsPerBlock
        guard b.count == Self.headerSize + blocks * 8 + slotCount * 8 else { return nil }
        blockSums = UnsafeRawBufferPointer(rebasing: b[Self.headerSize..<Self.headerSize + blocks * 8])
        guard XXH64.hash(blockSums) == word(7) else { return nil }
        slots = UnsafeRawBufferPointer(rebasing: b[(Self.headerSize + blocks * 8)...])
        (self.file, self.covered, self.coveredSeq, mask) = (file, covered, coveredSeq, slotCount - 1)
        coversOtherThanASCII = word(8) != 0
        checked = Array(repeating: false, count: blocks)
    }

    /// The offsets of the index lines that may hold `id` (each to be read and compared), or nil
    /// if a block of slots it reads is damaged.
    mutating func candidates(_ id: UnsafeRawBufferPointer) -> [Int]? {
        let hash = XXH64.hash(id)
        let fingerprint = hash >> Self.offsetBits
        var found: [Int] = []
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let block = i / Self.slotsPerBlock
            if !checked[block] {
                let bytes = UnsafeRawBufferPointer(rebasing: slots[block * Self.slotsPerBlock * 8..<(block + 1) * Self.slotsPerBlock * 8])
                guard XXH64.hash(bytes) == UInt64(littleEndian: blockSums.loadUnaligned(fromByteOffset: block * 8, as: UInt64.self)) else { return nil }
                checked[block] = true
            }
            let slot = UInt64(littleEndian: slots.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            if slot == 0 { return found }
            if slot >> Self.offsetBits == fingerprint { found.append(Int(slot & Self.offsetMask) - 1) }
            i = (i + 1) & mask
        }
    }

    /// Builds the table for the index lines whose ids and offsets are given, covering the index's
    /// first `covered` bytes (`index`: the index, mapped), and writes it to `path`.
    static func write(path: String, entries: [(hash: UInt64, offset: Int)], covered: Int, coveredSeq: Int, coversOtherThanASCII: Bool,
                      index: MappedBytes, identity: FileSystem.Identity) throws(EventLogError) {
        var slotCount = slotsPerBlock
        while slotCount < entries.count * 2 { slotCount *= 2 }
        let mask = slotCount - 1
        var slots = [UInt64](repeating: 0, count: slotCount)
        for entry in entries {
            var i = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = (entry.hash >> offsetBits) << offsetBits | UInt64(entry.offset + 1)
        }
        for i in slots.indices where slots[i] != 0 { slots[i] = slots[i].littleEndian }
        let slotBytes = slots.withUnsafeBytes { Array($0) }
        let blocks = slotCount / slotsPerBlock
        var sums: [UInt8] = []
        sums.reserveCapacity(blocks * 8)
        slotBytes.withUnsafeBytes { raw in
            for block in 0..<blocks {
                sums.appendLittleEndian(XXH64.hash(UnsafeRawBufferPointer(rebasing: raw[block * slotsPerBlock * 8..<(block + 1) * slotsPerBlock * 8])))
            }
        }
        var header = magic
        for word in [UInt64(covered), UInt64(coveredSeq), UInt64(slotCount), UInt64(entries.count), identity.device, identity.inode,
                     tailSum(index.bytes, covered), sums.withUnsafeBytes { XXH64.hash($0) }, coversOtherThanASCII ? 1 : 0] {
            header.appendLittleEndian(word)
        }
        header += [UInt8](repeating: 0, count: headerSize - header.count)
        try writeWholeFile(path, pieces: [header, sums, slotBytes])
    }

    /// The XXH64 of the 256 bytes before `end` (fewer at the start of the file).
    static func tailSum(_ bytes: UnsafeRawBufferPointer, _ end: Int) -> UInt64 {
        XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[max(0, end - 256)..<end]))
    }
}
