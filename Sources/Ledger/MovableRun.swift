/// Values built on one core, to be joined with the other cores' into one array by moving them,
/// not copying: copying a part retains every reference its values hold, and freeing the part
/// releases them all again — for a large batch, as much work as building it.
///
/// Holds at most the capacity it was made with. ``joined(_:_:)`` takes the values and frees the
/// storage: call it exactly once for each run (a run never joined leaks its values). It lives in
/// the module that uses it so that it is specialized for the types it carries: through a
/// generic call per value it cost more than building the values.
struct MovableRun<Element: Sendable>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    private let capacity: Int
    private var stored = 0

    var count: Int { stored }

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: max(1, capacity))
    }

    mutating func append(_ value: consuming Element) {
        precondition(stored < capacity, "a MovableRun holds at most \(capacity) values")
        (base + stored).initialize(to: consume value)
        stored += 1
    }

    /// `prefix`'s values (copied), then each run's (moved), in order; each run's storage is freed.
    static func joined(_ prefix: [Element], _ runs: [MovableRun<Element>]) -> [Element] {
        let total = prefix.count + runs.reduce(0) { $0 + $1.count }
        return [Element](unsafeUninitializedCapacity: total) { buffer, initialized in
            var at = buffer.baseAddress!
            prefix.withUnsafeBufferPointer { at.initialize(from: $0.baseAddress!, count: $0.count) }
            at += prefix.count
            for run in runs {
                at.moveInitialize(from: run.base, count: run.count)
                at += run.count
                run.base.deallocate()
            }
            initialized = total
        }
    }
}
