import Dispatch

/// Turns each record of the log into the caller's value, on the reading thread.
///
/// A value type handed to that thread: it may keep state from record to record (a cache of
/// the last timestamp's text, say), because it sees every record, in order, alone.
public protocol RecordDecoder: Sendable {
    associatedtype Output: Sendable
    mutating func decode(_ record: LogRecord) -> Output

    /// What to hand over instead of decoding a record the caller does not need, judged from
    /// its envelope alone (`type` is the type's bytes); nil to decode it. Called before
    /// `decode`, for canonical lines only.
    mutating func skip(seq: Int, type: UnsafeRawBufferPointer, known: CalendarDate, recorded: Timestamp) -> Output?
}

extension RecordDecoder {
    public mutating func skip(seq: Int, type: UnsafeRawBufferPointer, known: CalendarDate, recorded: Timestamp) -> Output? { nil }
}

extension Log {
    /// Calls `body` with each committed record, decoded by `decoder`, in seq order — as
    /// ``forEachRecord(upTo:_:)`` does, but with reading, parsing and `decoder` on a second
    /// thread while `body` runs on this one.
    ///
    /// A replay is two halves of about equal cost: turning bytes into events, and folding
    /// events into state. Only the folding must be in order on one thread, so on two cores
    /// the halves overlap. `body` returns false to stop; a malformed line is thrown when the
    /// events before it have been handed over, exactly as `forEachRecord` throws it — unless
    /// `decoder` skipped it: a line the caller does not need is not parsed beyond its envelope.
    public func forEachDecoded<D: RecordDecoder>(upTo end: Int? = nil, decoder: D, _ body: (D.Output) throws -> Bool) throws {
        let end = try end ?? committedEnd()
        let channel = Channel<D.Output>(capacity: 4)
        let (file, path) = (self.file, self.path)
        DispatchQueue.global().async {
            var decoder = decoder
            var batch: [D.Output] = []
            batch.reserveCapacity(Channel<D.Output>.batchSize)
            var expectedSeq = 1
            do {
                _ = try LineReader.forEachLine(in: file, to: end) { offset, line in
                    let canonical = CanonicalLine.scan(line)
                    if let canonical, let skipped = decoder.skip(seq: canonical.seq, type: UnsafeRawBufferPointer(rebasing: line[canonical.type]),
                                                                      known: canonical.known, recorded: canonical.recorded) {
                        batch.append(skipped)
                    } else {
                        batch.append(decoder.decode(try Log.decode(line, seq: expectedSeq, offset: offset, path: path, canonical: canonical)))
                    }
                    expectedSeq += 1
                    if batch.count == Channel<D.Output>.batchSize {
                        channel.send(.batch(batch))
                        batch.removeAll(keepingCapacity: true)
                        return !channel.isCancelled
                    }
                    return true
                }
                if !batch.isEmpty { channel.send(.batch(batch)) }
                channel.send(.end)
            } catch {
                if !batch.isEmpty { channel.send(.batch(batch)) }
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
                for item in items {
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

/// A bounded queue of batches from the reading thread to the folding one.
private final class Channel<Item: Sendable>: @unchecked Sendable {
    enum Message {
        case batch([Item])
        case end
        case failed(any Error)
    }

    /// Items per hand-over: large enough that the hand-over's cost vanishes, small enough to start folding at once.
    static var batchSize: Int { 2048 }

    private let lock = DispatchQueue(label: "outturn.log.channel")
    private var messages: [Message] = []
    private var cancelled = false
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)

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
