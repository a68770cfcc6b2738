import Dispatch

/// Work started on another thread now, whose result is waited for when it is needed — so a
/// batch's lines can be encoded and hashed while the domain validates it.
///
/// A reference type because the worker and the waiter share one result slot. The work never
/// waits for anything, so waiting for it cannot deadlock.
package final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Written once by the worker before it leaves `done`; read only after waiting on `done`.
    private var result: Value?

    package init(_ work: @escaping @Sendable () -> Value) {
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = work()
            done.leave()
        }
    }

    /// The work's result, waiting for it to finish.
    package var value: Value {
        done.wait()
        return result!
    }
}

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
