/// A checkpoint's interned strings, read where they lie and made `String`s only when first
/// asked for: a view of one partnership asks for a few hundred of the thousands a London-wide
/// checkpoint holds (making all 6,800 took half a millisecond of a 9 ms view), and the subjects
/// it leaves out are fingerprinted from their bytes (see ``SubjectSet``).
///
/// Each string is written as a little-endian UInt32 — its length, the top bit set if any of its
/// bytes is not ASCII — then its UTF-8 bytes: so a view finds its partnership and indicators
/// among them comparing the bytes of strings of their length alone, making only the (rare)
/// strings that are not ASCII, which may equal an ASCII one as strings compare.
final class CheckpointStrings {
    /// The strings section, in the mapped checkpoint (which outlives every fold that reads it).
    private let section: UnsafeRawBufferPointer
    /// Where each string's UTF-8 bytes end in `section` (each begins 4 bytes after the one
    /// before ends): 4 bytes a string, not a range's 16.
    private var ends: [UInt32] = []
    /// Each string once made (by index: a few hundred of thousands, so not an array of them all,
    /// which cost more to fill with nothing and to free than the strings made).
    private var made: [Int: String] = [:]
    /// The strings marked as not ASCII (most sections have none).
    private var notASCII: Set<Int> = []

    /// The top bit of a string's length word: set for a string with bytes that are not ASCII.
    static let notASCIIFlag: UInt32 = 0x8000_0000

    /// Appends `string` as a section holds it.
    static func write(_ string: String, to out: inout [UInt8]) {
        let bytes = Array(string.utf8)
        let word = UInt32(bytes.count) | (bytes.allSatisfy { $0 < 0x80 } ? 0 : notASCIIFlag)
        withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
    }

    /// A string's length, from its length word.
    static func length(_ word: UInt32) -> Int { Int(word & ~notASCIIFlag) }

    /// Finds the `count` strings of a section written as they are (each a little-endian UInt32
    /// length, then that many bytes); `Malformed` if it does not hold them exactly.
    init(_ section: UnsafeRawBufferPointer, count: Int) throws {
        self.section = section
        guard section.count <= UInt32.max, count >= 0 else { throw StateCheckpoint.Malformed() }
        // (One tight pass over the length words, every bound checked: a view walks 6,800.)
        var (position, isWhole, notASCII) = (0, true, Set<Int>())
        ends = [UInt32](unsafeUninitializedCapacity: count) { ends, made in
            while made < count {
                guard section.count - position >= 4 else { isWhole = false; return }
                let word = UInt32(littleEndian: section.loadUnaligned(fromByteOffset: position, as: UInt32.self))
                let length = Self.length(word)
                guard section.count - position - 4 >= length else { isWhole = false; return }
                if word & Self.notASCIIFlag != 0 { notASCII.insert(made) }
                position += 4 + length
                ends[made] = UInt32(position)
                made += 1
            }
        }
        guard isWhole else { throw StateCheckpoint.Malformed() }
        self.notASCII = notASCII
    }

    var count: Int { ends.count }

    /// Where the string at `index` (in range) lies in the section.
    private func range(_ index: Int) -> Range<Int> {
        let end = Int(ends[index])
        let start = (index == 0 ? 0 : Int(ends[index - 1])) + 4
        return start..<end
    }

    /// The string at `index`; `Malformed` if there is none.
    func string(_ index: UInt32) throws -> String {
        guard index < ends.count else { throw StateCheckpoint.Malformed() }
        if let string = made[Int(index)] { return string }
        let string = String(decoding: utf8(Int(index)), as: UTF8.self)
        made[Int(index)] = string
        return string
    }

    /// The bytes of the string at `index` (in range).
    func utf8(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: section[range(index)])
    }

    /// How many UTF-8 bytes the string at `index` (in range) has.
    func utf8Count(_ index: Int) -> Int { range(index).count }

    /// The first string equal to `string` as strings compare (see ``indices(of:)``).
    func firstIndex(of string: String) -> Int? {
        indices(of: [string]).min().map(Int.init)
    }

    /// The indices of the strings equal to one of `strings` as strings compare (canonical
    /// equivalence), in one pass: where both are ASCII, by their bytes (only those of a wanted
    /// string's length); else made and compared. (A view looks up its partnership and the
    /// indicators it keeps among thousands.)
    func indices(of strings: Set<String>) -> Set<UInt32> {
        let wanted = strings.map { Array($0.utf8) }
        guard !wanted.isEmpty else { return [] }
        let wantedAreASCII = wanted.allSatisfy { $0.allSatisfy { $0 < 0x80 } }
        var found: Set<UInt32> = []
        for index in ends.indices {
            if wantedAreASCII, !notASCII.contains(index) {
                let bytes = utf8(index)
                if wanted.contains(where: { $0.count == bytes.count && bytes.elementsEqual($0) }) { found.insert(UInt32(index)) }
            } else if let string = try? self.string(UInt32(index)), strings.contains(string) {
                found.insert(UInt32(index))
            }
        }
        return found
    }
}
