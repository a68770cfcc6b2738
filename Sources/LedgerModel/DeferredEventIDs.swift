import Synchronization

/// Event ids a state holds without having hashed them: those of the events folded in from a
/// checkpoint. Hashing a million ids would cost a checkpoint most of what it saves, and they
/// are needed only when a later retraction names one, so the table is built on first use.
///
/// Shared between copies of a state (a reference), and safe to consult from several threads.
public final class DeferredEventIDs: Sendable {
    private let build: @Sendable () -> EventIDs
    private let table = Mutex<EventIDs?>(nil)

    /// `build` makes the table of every deferred id and its seq; it runs at most once.
    public init(_ build: @escaping @Sendable () -> EventIDs) {
        self.build = build
    }

    /// The seq of the deferred event with this id, if there is one.
    public func seq(of id: String) -> Int? {
        table.withLock { table in
            if table == nil { table = build() }
            return table!.seq(of: id)
        }
    }
}
