/// A checkpoint's interned strings, read where they lie and made `String`s only when first
/// asked for: a view of one partnership asks for a few hundred of the thousands a London-wide
/// checkpoint holds (making all 6,800 took half a millisecond of a 9 ms view), and the subjects
/// it leaves out are fingerprinted from their bytes (see ``SubjectSet``).
final class CheckpointStrings {
    /// The strings section, in the mapped checkpoint (which outlives every fold that reads it).
    private let section: UnsafeRawBufferPointer
    /// Where each string's UTF-8 bytes are in `section`.
    private var ranges: [Range<Int>] = []
    /// Each string once made.
    private var made: [String?]

    /// Finds the `count` strings of a section written as they are (each a little-endian UInt32
    /// length, then that many bytes); `Malformed` if it does not hold them exactly.
    init(_ section: UnsafeRawBufferPointer, count: Int) throws {
        self.section = section
        var reader = ByteReader(section)
        ranges.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try reader.uint32())
            let start = reader.position
            _ = try reader.bytes(length)
            ranges.append(start..<reader.position)
        }
        made = Array(repeating: nil, count: count)
    }

    var count: Int { ranges.count }

    /// The string at `index`; `Malformed` if there is none.
    func string(_ index: UInt32) throws -> String {
        guard index < ranges.count else { throw StateCheckpoint.Malformed() }
        if let string = made[Int(index)] { return string }
        let string = String(decoding: utf8(Int(index)), as: UTF8.self)
        made[Int(index)] = string
        return string
    }

    /// The bytes of the string at `index` (in range).
    func utf8(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: section[ranges[index]])
    }

    /// How many UTF-8 bytes the string at `index` (in range) has.
    func utf8Count(_ index: Int) -> Int { ranges[index].count }

    /// The first string equal to `string` as strings compare (canonical equivalence): where both
    /// are ASCII, by their bytes; else made and compared.
    func firstIndex(of string: String) -> Int? {
        let wanted = Array(string.utf8)
        let wantedIsASCII = wanted.allSatisfy { $0 < 0x80 }
        for index in ranges.indices {
            let bytes = utf8(index)
            if wantedIsASCII, bytes.allSatisfy({ $0 < 0x80 }) {
                if bytes.elementsEqual(wanted) { return index }
            } else if (try? self.string(UInt32(index))) == string {
                return index
            }
        }
        return nil
    }
}
