import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `body` of each of `0..<count` cut into contiguous ranges, one per core, run at once; the
/// results in order.
///
/// For independent work on a large batch (an event's content digest, or the hashing of its line
/// up to its link to the chain, depends on nothing else), which would otherwise leave the other
/// cores idle. Below `minimumPerChunk` items per range it runs on the calling thread: a thread
/// hop costs more than it saves.
package func concurrentChunks<R: Sendable>(count: Int, minimumPerChunk: Int = 2048, _ body: @Sendable (Range<Int>) -> R) -> [R] {
    let chunks = min(System.activeProcessorCount, count / max(1, minimumPerChunk))
    guard chunks > 1 else { return [body(0..<count)] }
    return [R](unsafeUninitializedCapacity: chunks) { buffer, initialized in
        // Safe: each iteration initializes only its own slot, and all are read after concurrentPerform returns.
        nonisolated(unsafe) let slots = buffer
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            (slots.baseAddress! + chunk).initialize(to: body((count * chunk / chunks)..<(count * (chunk + 1) / chunks)))
        }
        initialized = chunks
    }
}

/// `transform(0) … transform(count - 1)`, in order, computed as ``concurrentChunks(count:minimumPerChunk:_:)`` does.
func concurrentMap<T: Sendable>(count: Int, minimumPerChunk: Int = 2048, _ transform: @Sendable (Int) -> T) -> [T] {
    let chunks = concurrentChunks(count: count, minimumPerChunk: minimumPerChunk) { range in range.map(transform) }
    return chunks.count == 1 ? chunks[0] : Array(chunks.joined())
}

/// What the machine offers.
enum System {
    /// The cores online when the process started (at least 1). Asked once: the C library reads
    /// `/sys/devices/system/cpu/online` on every call, and a view of one partnership asked it
    /// seventy times.
    static let activeProcessorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
