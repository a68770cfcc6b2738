import Dispatch

/// Turns each record of the log into the caller's value, on the reading threads.
///
/// A value type: each reading thread decodes a run of consecutive records with its own copy,
/// so what it keeps from record to record must be a cache (the last timestamp's text, say),
/// never something the answer depends on.
public protocol RecordDecoder: Sendable {
    associatedtype Output: Sendable
    mutating func decode(_ record: LogRecord) -> Output

    /// As `decode(_:)`, with the line the record was read from (valid only during the call),
    /// for a decoder that keeps some lines as they are.
    mutating func decode(_ record: LogRecord, line: UnsafeRawBufferPointer) -> Output

    /// What to hand over instead of decoding a record the caller does not need, judged from
    /// its envelope alone; nil to decode it. Called first, for canonical lines only.
    mutating func skip(_ envelope: LineEnvelope) -> Output?

    /// The output for a canonical line read straight from its bytes, without building its
    /// `data` as a JSON tree (the bulk of a replay's decoding); nil to decode it the usual way.
    /// Called after `skip`. Sound, not complete: return a value only for a line whose `data`
    /// this reading has found to be valid JSON, and only the value `decode(_:line:)` would give.
    mutating func decode(_ envelope: LineEnvelope) -> Output?
}

extension RecordDecoder {
    public mutating func decode(_ record: LogRecord, line: UnsafeRawBufferPointer) -> Output { decode(record) }

    public mutating func skip(_ envelope: LineEnvelope) -> Output? { nil }

    public mutating func decode(_ envelope: LineEnvelope) -> Output? { nil }
}

/// The envelope of a line in the canonical layout `append` writes, with the bytes of its
/// strings (their contents, between the quotes: ASCII from space up, no escapes) and of its
/// `data` object — which is not yet known to be valid JSON. Valid only during the call.
public struct LineEnvelope {
    public let seq: Int
    public let recorded: Timestamp
    public let known: CalendarDate
    public let id: UnsafeRawBufferPointer
    public let type: UnsafeRawBufferPointer
    public let source: UnsafeRawBufferPointer
    public let actor: UnsafeRawBufferPointer
    public let data: UnsafeRawBufferPointer
    /// The digests' hex, checked to be hex and parsed only if asked for.
    private let prevHex, hashHex: UnsafeRawBufferPointer
    public var prev: SHA256Digest { SHA256Digest(hex: prevHex)! }
    public var hash: SHA256Digest { SHA256Digest(hex: hashHex)! }

    init(_ line: UnsafeRawBufferPointer, _ c: CanonicalLine) {
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[range]) }
        (seq, recorded, known, prevHex, hashHex) = (c.seq, c.recorded, c.known, bytes(c.prev), bytes(c.hash))
        (id, type, source, actor, data) = (bytes(c.id), bytes(c.type), bytes(c.source), bytes(c.actor), bytes(c.data))
    }
}

extension Log {
    /// Calls `body` with each committed record, decoded by `decoder`, in seq order — as
    /// ``forEachRecord(upTo:_:)`` does, but with reading, parsing and `decoder` on a second
    /// thread while `body` runs on this one.
    ///
    /// A replay is two halves of about equal cost: turning bytes into events, and folding
    /// events into state. Only the folding must be in order on one thread: the reading thread
    /// decodes each 4 MB of lines on every core at once, and the halves overlap. `body` returns
    /// false to stop; a malformed line is thrown when the events before it have been handed
    /// over, exactly as `forEachRecord` throws it — unless `decoder` skipped it: a line the
    /// caller does not need is not parsed beyond its envelope.
    ///
    /// `after` starts the pass just past that event (a checkpoint's), instead of at seq 1.
    ///
    /// Up to ``inlineBytes`` (the lines after a checkpoint, as often as not) are read and
    /// decoded on this thread: a second thread costs more than they do.
    public func forEachDecoded<D: RecordDecoder>(after start: Head? = nil, upTo end: Int? = nil, decoder: D,
                                                 _ body: (D.Output) throws -> Bool) throws {
        let end = try end ?? committedEnd()
        let (startSeq, startOffset) = (start?.seq ?? 0, start?.end ?? 0)
        if end - startOffset <= Self.inlineBytes {
            var expectedSeq = startSeq + 1
            _ = try LineReader.forEachChunk(in: file, from: startOffset, to: end, chunkSize: max(1, end - startOffset)) { chunkOffset, chunk in
                var lines: [Range<Int>] = []
                LineReader.forEachLineRange(in: chunk) { lines.append($0); return true }
                let run = Log.decodeRun(chunk, lines: lines, 0..<lines.count, firstSeq: expectedSeq, chunkOffset: chunkOffset, path: self.path, decoder: decoder)
                while let item = run.outputs.take() {
                    guard try body(item) else { return false }
                }
                if let error = run.error { throw error }
                expectedSeq += lines.count
                return true
            }
            return
        }
        let channel = Channel<D.Output>(capacity: 4)
        let (file, path) = (self.file, self.path)
        DispatchQueue.global().async {
            var expectedSeq = startSeq + 1
            var lines: [Range<Int>] = []
            do {
                _ = try LineReader.forEachChunkReadingAhead(in: file, from: startOffset, to: end, chunkSize: 4 << 20) { chunkOffset, chunk in
                    lines.removeAll(keepingCapacity: true)
                    LineReader.forEachLineRange(in: chunk) { lines.append($0); return true }
                    // Safe: the chunk is only read, and only until concurrentChunks returns.
                    nonisolated(unsafe) let bytes = chunk
                    let (firstSeq, starts) = (expectedSeq, lines)
                    let runs = concurrentChunks(count: starts.count, minimumPerChunk: 1024) { range in
                        Log.decodeRun(bytes, lines: starts, range, firstSeq: firstSeq, chunkOffset: chunkOffset, path: path, decoder: decoder)
                    }
                    for run in runs {
                        if run.outputs.count > 0 { channel.send(.batch(run.outputs)) }
                        if let error = run.error { throw error }
                    }
                    expectedSeq += starts.count
                    return !channel.isCancelled
                }
                channel.send(.end)
            } catch {
                channel.send(.failed(error))
            }
        }
        // Whatever happens here, the reader must be let finish: it holds the file descriptor.
        var stopped = false
        defer {
            if !stopped { channel.cancelAndDrain() }
        }
        while true {
            switch channel.receive() {
            case .batch(let items):
                while let item = items.take() {
                    guard try body(item) else {
                        stopped = true
                        channel.cancelAndDrain()
                        return
                    }
                }
            case .end:
                stopped = true
                return
            case .failed(let error):
                stopped = true
                throw error
            }
        }
    }
}

extension Log {
    /// How many bytes of lines ``forEachDecoded(after:upTo:decoder:_:)`` reads on the calling thread.
    static let inlineBytes = 1 << 20

    /// Decodes the lines `range` of a chunk with a copy of `decoder`: their outputs in order,
    /// and the error of the first malformed line (the outputs stop before it).
    static func decodeRun<D: RecordDecoder>(_ bytes: UnsafeRawBufferPointer, lines: [Range<Int>], _ range: Range<Int>, firstSeq: Int,
                                            chunkOffset: Int, path: String, decoder: D) -> (outputs: HandOver<D.Output>, error: EventLogError?) {
        var decoder = decoder
        let outputs = HandOver<D.Output>(capacity: range.count)
        var times = CanonicalLine.Cache()
        for i in range {
            let line = UnsafeRawBufferPointer(rebasing: bytes[lines[i]])
            let canonical = CanonicalLine.scan(line, cache: &times)
            if let canonical {
                let envelope = LineEnvelope(line, canonical)
                if let output = decoder.skip(envelope) ?? decoder.decode(envelope) {
                    outputs.append(output)
                    continue
                }
            }
            do {
                let record = try Log.decode(line, seq: firstSeq + i, offset: chunkOffset + lines[i].lowerBound, path: path, canonical: canonical)
                outputs.append(decoder.decode(record, line: line))
            } catch {
                return (outputs, error)
            }
        }
        return (outputs, nil)
    }
}

/// A run of outputs decoded on a reading thread, handed to the folding one and taken out one at
/// a time: moved, never copied (a copy retains every reference an output holds, and freeing the
/// run releases them all again — for a million events, a tenth of the fold).
final class HandOver<Item>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Item>
    private let capacity: Int
    private(set) var count = 0
    private var taken = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: max(1, capacity))
    }

    /// Adds an output (on the thread that fills it, before it is handed over).
    func append(_ item: consuming Item) {
        precondition(count < capacity, "a hand-over holds at most \(capacity) outputs")
        (base + count).initialize(to: item)
        count += 1
    }

    /// The next output, moved out; nil when all have been taken (on the thread it was handed to).
    func take() -> Item? {
        guard taken < count else { return nil }
        taken += 1
        return (base + taken - 1).move()
    }

    deinit {
        (base + taken).deinitialize(count: count - taken)
        base.deallocate()
    }
}

/// A bounded queue of batches from the reading thread to the folding one.
private final class Channel<Item: Sendable>: @unchecked Sendable {
    enum Message {
        case batch(HandOver<Item>)
        case end
        case failed(any Error)
    }


    private let lock = DispatchQueue(label: "outturn.log.channel")
    private var messages: [Message] = []
    private var cancelled = false
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)

    /// At most `capacity` hand-overs (each a run of a 4 MB chunk's lines) wait at once.
    init(capacity: Int) { free = DispatchSemaphore(value: capacity) }

    var isCancelled: Bool { lock.sync { cancelled } }

    /// Blocks while the queue is full.
    func send(_ message: Message) {
        free.wait()
        lock.sync { messages.append(message) }
        filled.signal()
    }

    /// Blocks until a message arrives.
    func receive() -> Message {
        filled.wait()
        let message = lock.sync { messages.removeFirst() }
        free.signal()
        return message
    }

    /// Asks the reader to stop and consumes what it still sends, up to its last message.
    func cancelAndDrain() {
        lock.sync { cancelled = true }
        while true {
            switch receive() {
            case .batch: continue
            case .end, .failed: return
            }
        }
    }
}
