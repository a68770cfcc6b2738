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
        var capacity = max(chunkSize, 64)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0          // bytes valid in buffer
        var bufferOffset = start // file offset of buffer[0]
        var lines = 0
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
            var lineStart = 0
            while lineStart < filled, let nl = memchr(buffer + lineStart, 0x0A, filled - lineStart) {
                let lineEnd = buffer.distance(to: nl)
                lines += 1
                let keepGoing = try body(bufferOffset + lineStart, UnsafeRawBufferPointer(start: buffer + lineStart, count: lineEnd - lineStart))
                lineStart = lineEnd + 1
                if !keepGoing {
                    return Summary(lines: lines, end: bufferOffset + lineStart, tornBytes: 0)
                }
            }
            if lineStart > 0 {
                filled -= lineStart
                if filled > 0 { memmove(buffer, buffer + lineStart, filled) }
                bufferOffset += lineStart
            }
        }
        return Summary(lines: lines, end: bufferOffset, tornBytes: filled)
    }
}
