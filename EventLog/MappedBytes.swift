#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's bytes mapped into memory, read-only, for as long as this object lives.
///
/// For a large derived file read whole on every run (a checkpoint): the pages come straight
/// from the page cache, with no copy into a fresh, zeroed buffer. Safe only for files that
/// are never truncated or rewritten in place: replaced by renaming a new file over them (a
/// checkpoint), or only appended to, and then only by a writer holding a lock the reader
/// holds too (the id index, under the log's lock).
public final class MappedBytes: @unchecked Sendable {
    /// The mapped bytes (from `offset` of the file); valid while this object lives.
    public let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int

    /// Maps the whole of `path`; nil if it cannot be opened or mapped.
    init?(path: String, skipping offset: Int = 0) {
        guard let fd = try? FileDescriptor.open(path, O_RDONLY) else { return nil }
        defer { fd.close() }
        guard let size = try? fd.size(), size >= offset else { return nil }
        if size == 0 {
            (mapping, mappedLength, bytes) = (nil, 0, UnsafeRawBufferPointer(start: nil, count: 0))
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd.rawValue, 0), address != MAP_FAILED else { return nil }
        (mapping, mappedLength) = (address, size)
        bytes = UnsafeRawBufferPointer(start: address + offset, count: size - offset)
    }

    /// The same mapping, from `offset` bytes further on.
    private init(sharing other: MappedBytes, from offset: Int) {
        (mapping, mappedLength) = (nil, 0)
        bytes = UnsafeRawBufferPointer(rebasing: other.bytes[offset...])
        owner = other
    }

    /// Keeps the original mapping alive for a view of part of it.
    private var owner: MappedBytes?

    /// The bytes from `offset` on, sharing this mapping.
    func dropping(_ offset: Int) -> MappedBytes { MappedBytes(sharing: self, from: offset) }

    /// Maps the pages holding `bytes` (part of a mapping) into this process in one call, where
    /// touching them one by one would take a fault each (a 64 KiB piece: 16). Where the kernel
    /// cannot (before Linux 5.14), they are faulted in as they are read, as before.
    static func populate(_ bytes: UnsafeRawBufferPointer) {
        #if os(Linux)
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: base) / page * page
        let populateRead: Int32 = 22 // MADV_POPULATE_READ
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(bitPattern: base) + bytes.count - start, populateRead)
        #endif
    }

    /// Lets the pages wholly inside `range` (of `bytes`) go from this process's memory: read
    /// again, they come back from the file. For a part already read and not needed soon.
    public func release(_ range: Range<Int>) {
        Self.release(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Lets the pages wholly inside `bytes` (part of a mapping) go, as ``release(_:)`` does.
    static func release(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + bytes.count) / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
    }

    deinit {
        if let mapping { munmap(mapping, mappedLength) }
    }
}
