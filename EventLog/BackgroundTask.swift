import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Work started on another thread now, whose result is waited for when it is needed — so a
/// batch's lines can be encoded and hashed while the domain validates it.
///
/// A reference type because the worker and the waiter share one result slot. The work never
/// waits for anything, so waiting for it cannot deadlock.
///
/// The work gets a thread of its own, started at once: the shared pool of Dispatch starts its
/// first threads lazily, and a view that starts short work early (a fraction of a millisecond)
/// found it begun a millisecond late. (Dispatch's pool is the fallback if no thread can be made.)
package final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Written once by the worker before it leaves `done`; read only after waiting on `done`.
    private var result: Value?

    package init(_ work: @escaping @Sendable () -> Value) {
        done.enter()
        let run: @Sendable () -> Void = { [self] in
            result = work()
            done.leave()
        }
        #if canImport(Glibc)
        if StandbyThread.take(run) || startDetachedThread(run) != nil { return }
        #endif
        DispatchQueue.global(qos: .userInitiated).async(execute: run)
    }

    /// The work's result, waiting for it to finish.
    package var value: Value {
        done.wait()
        return result!
    }
}

#if canImport(Glibc)
/// Starts a thread of its own, detached, running `run`: its id, or nil if none could be made.
func startDetachedThread(_ run: @escaping @Sendable () -> Void) -> pthread_t? {
    let box = Unmanaged.passRetained(Work(run))
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let started = pthread_create(&thread, &attributes, { argument in
        Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue().run()
        return nil
    }, box.toOpaque())
    guard started == 0 else {
        box.release()
        return nil
    }
    return thread
}

/// The closure a started thread runs.
private final class Work: @unchecked Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
#endif

/// Lets go of `value` on another thread: a large batch is hundreds of thousands of strings and
/// arrays, which take a tenth of a second to free — time the caller (a command about to exit,
/// as often as not) need not wait for. Pass the last reference, or nothing is freed there.
package func releaseInBackground<T>(_ value: consuming T) {
    let box = ReleaseBox(value)
    DispatchQueue.global(qos: .utility).async { box.drop() }
}

/// Carries a value to the thread that releases it; nothing reads it there.
private final class ReleaseBox<T>: @unchecked Sendable {
    private var value: T?
    init(_ value: consuming T) { self.value = value }
    func drop() { value = nil }
}
