#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the `\n`-terminated lines of a byte range of a file, in large chunks.
///
/// Memory is bounded by the chunk size or the largest line, whichever is larger — never
/// by the file. Lines are handed out as spans into a reused buffer (no copy, no `String`),
/// valid only during the call. Bytes after the last `\n` are a torn tail: not handed out.
struct LineReader {
    /// What one pass found.
    struct Summary {
        /// The lines handed out.
        var lines: Int
        /// The offset just past the last complete line.
        var end: Int
        /// Bytes after the last `\n` (a torn tail), 0 when the range ends on a line end.
        var tornBytes: Int
    }

    /// Calls `body(offset, line)` for each complete line in `[start, end)`, the line without its `\n`.
    /// `body` returns false to stop early.
    static func forEachLine(in fd: FileDescriptor, from start: Int = 0, to end: Int, chunkSize: Int = 1 << 20,
                            _ body: (_ offset: Int, _ line: UnsafeRawBufferPointer) throws -> Bool) throws -> Summary {
        var lines = 0
        var stoppedAt: Int?
        let read = try forEachChunk(in: fd, from: start, to: end, chunkSize: chunkSize) { chunkOffset, chunk in
            try forEachLineRange(in: chunk) { range in
                lines += 1
                guard try body(chunkOffset + range.lowerBound, UnsafeRawBufferPointer(rebasing: chunk[range])) else {
                    stoppedAt = chunkOffset + range.upperBound + 1
                    return false
                }
                return true
            }
        }
        if let stoppedAt { return Summary(lines: lines, end: stoppedAt, tornBytes: 0) }
        return Summary(lines: lines, end: read.end, tornBytes: read.tornBytes)
    }

    /// Calls `body` with the range of each line of `bytes` (without its `\n`; a last line
    /// without one is not a line); `body` returns false to stop, and so then does this.
    @discardableResult
    static func forEachLineRange(in bytes: UnsafeRawBufferPointer, _ body: (Range<Int>) throws -> Bool) rethrows -> Bool {
        var lineStart = 0
        while lineStart < bytes.count, let nl = memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart) {
            let lineEnd = bytes.baseAddress!.distance(to: UnsafeRawPointer(nl))
            guard try body(lineStart..<lineEnd) else { return false }
            lineStart = lineEnd + 1
        }
        return true
    }

    /// Calls `body(offset, bytes)` with the file's complete lines in `[start, end)`, a bufferful
    /// at a time: `bytes` (at file offset `offset`) holds whole lines, each ending in `\n`, and
    /// is valid only during the call. `body` returns false to stop early. Returns where the
    /// complete lines end and the bytes of a torn tail after them.
    static func forEachChunk(in fd: FileDescriptor, from start: Int = 0, to end: Int, chunkSize: Int = 1 << 20,
                             _ body: (_ offset: Int, _ bytes: UnsafeRawBufferPointer) throws -> Bool) throws -> (end: Int, tornBytes: Int) {
        var capacity = max(chunkSize, 64)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0          // bytes valid in buffer
        var bufferOffset = start // file offset of buffer[0]
        while bufferOffset + filled < end {
            if filled == capacity { // one line longer than the buffer: grow it
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let want = min(capacity - filled, end - (bufferOffset + filled))
            let got = try fd.read(into: buffer + filled, count: want, at: bufferOffset + filled)
            if got == 0 { break } // the file is shorter than `end`: stop at what is there
            filled += got
            // Whole lines end at the last newline read so far.
            var complete = filled
            while complete > 0, buffer.load(fromByteOffset: complete - 1, as: UInt8.self) != 0x0A { complete -= 1 }
            guard complete > 0 else { continue }
            guard try body(bufferOffset, UnsafeRawBufferPointer(start: buffer, count: complete)) else {
                return (bufferOffset + complete, 0)
            }
            filled -= complete
            if filled > 0 { memmove(buffer, buffer + complete, filled) }
            bufferOffset += complete
        }
        return (bufferOffset, filled)
    }
}
