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

    /// As ``forEachChunk(in:from:to:chunkSize:_:)``, reading the next chunk on another thread while
    /// `body` handles this one: a replay's decoding keeps both cores busy, and copying the next
    /// bytes out of the page cache (and finding their last line end) then fills the gaps left
    /// while its threads wait on one another, instead of stopping them all.
    static func forEachChunkReadingAhead(in fd: FileDescriptor, from start: Int = 0, to end: Int, chunkSize: Int = 4 << 20,
                                         _ body: (_ offset: Int, _ bytes: UnsafeRawBufferPointer) throws -> Bool) throws -> (end: Int, tornBytes: Int) {
        // Two buffers in turn: one being handled, the other being filled. Neither is let go while
        // a read into it may still be running.
        let capacity = max(chunkSize, 64)
        var spare = ChunkBuffer(capacity: capacity)
        var ahead = BackgroundTask { [fd] in ChunkBuffer(capacity: capacity).filled(from: fd, at: start, to: end) }
        while true {
            let chunk = ahead.value
            guard chunk.error == nil, chunk.complete > 0 else { // the end of the range, a torn tail, or a failed read
                chunk.buffer.deallocate()
                spare.deallocate()
                if let error = chunk.error { throw error }
                return (chunk.offset, chunk.filled)
            }
            let (next, buffer) = (chunk.offset + chunk.complete, spare)
            ahead = BackgroundTask { [fd] in buffer.filled(from: fd, at: next, to: end) }
            let more: Bool
            do {
                more = try body(chunk.offset, UnsafeRawBufferPointer(start: chunk.buffer.base, count: chunk.complete))
            } catch {
                chunk.buffer.deallocate()
                ahead.value.buffer.deallocate()
                throw error
            }
            guard more else {
                chunk.buffer.deallocate()
                ahead.value.buffer.deallocate()
                return (next, 0)
            }
            spare = chunk.buffer
        }
    }
}

/// A buffer of a file's bytes from some offset, for ``LineReader/forEachChunkReadingAhead(in:from:to:chunkSize:_:)``:
/// filled on one thread, handled on another, never both at once.
private struct ChunkBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        (base, self.capacity) = (.allocate(byteCount: capacity, alignment: 16), capacity)
    }

    func deallocate() { base.deallocate() }

    /// What one fill read: the bytes from `offset` (`filled` of them), of which the first
    /// `complete` are whole lines (0 at the end of the range, or before a torn tail).
    struct Filled: @unchecked Sendable {
        var buffer: ChunkBuffer
        var offset: Int
        var filled = 0
        var complete = 0
        var error: EventLogError?
    }

    /// Reads from `offset` until the buffer is full or `end`, growing it while it holds no whole line.
    func filled(from fd: FileDescriptor, at offset: Int, to end: Int) -> Filled {
        var result = Filled(buffer: self, offset: offset)
        do {
            while offset + result.filled < end {
                if result.filled == result.buffer.capacity { result.buffer.grow() } // one line longer than the buffer
                let want = min(result.buffer.capacity - result.filled, end - (offset + result.filled))
                let got = try fd.read(into: result.buffer.base + result.filled, count: want, at: offset + result.filled)
                if got == 0 { break } // the file is shorter than `end`: stop at what is there
                result.filled += got
                var complete = result.filled
                while complete > 0, result.buffer.base.load(fromByteOffset: complete - 1, as: UInt8.self) != 0x0A { complete -= 1 }
                result.complete = complete
                if complete > 0, result.filled == result.buffer.capacity || offset + result.filled >= end { break }
            }
        } catch {
            result.error = error
        }
        return result
    }

    private mutating func grow() {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
        bigger.copyMemory(from: base, byteCount: capacity)
        base.deallocate()
        (base, capacity) = (bigger, capacity * 2)
    }
}
