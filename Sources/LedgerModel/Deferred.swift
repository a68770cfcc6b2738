import Synchronization

/// A value a state holds without having built it: built on first use, once, because it is
/// needed only when a later retraction asks for it.
///
/// Shared between copies of a state (a reference), and safe to consult from several threads.
public final class Deferred<Value: Sendable>: Sendable {
    private let build: @Sendable () -> Value
    private let value = Mutex<Value?>(nil)

    /// `build` makes the value; it runs at most once.
    public init(_ build: @escaping @Sendable () -> Value) {
        self.build = build
    }

    /// Whether the value has been built (whether anything has needed it).
    public var isBuilt: Bool { value.withLock { $0 != nil } }

    /// What `body` finds in the value (built now if it has not been).
    public func read<R>(_ body: (Value) -> R) -> R {
        value.withLock { value in
            if value == nil { value = build() }
            return body(value!)
        }
    }
}

/// Event ids a state holds without having hashed them: those of the events folded in from a
/// checkpoint. Hashing a million ids would cost a checkpoint most of what it saves, and they
/// are needed only when a later retraction names one.
public typealias DeferredEventIDs = Deferred<EventIDs>

extension Deferred where Value == EventIDs {
    /// The seq of the deferred event with this id, if there is one.
    public func seq(of id: String) -> Int? { read { $0.seq(of: id) } }
}
