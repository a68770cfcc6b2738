#if canImport(Glibc)
import Dispatch
import Glibc
import Synchronization
import Testing
@testable import EventLog

/// A standby thread runs what it is handed exactly once, on a thread of its own, and a
/// `BackgroundTask` that finds one waiting gives it its work. (Other tests start and take
/// standby threads at the same time, so each hand-over here starts its own first, and one
/// that finds none waiting is no failure, only not counted.)
struct StandbyThreadTests {
    @Test func everyPieceOfWorkHandedOverRunsOnceOnAnotherThread() {
        let runs = Mutex<[Int: (count: Int, onCaller: Bool)]>([:])
        let finished = DispatchSemaphore(value: 0)
        let caller = pthread_self()
        var handed: [Int] = []
        for n in 0..<200 {
            StandbyThread.start()
            let took = StandbyThread.take {
                let onCaller = pthread_equal(pthread_self(), caller) != 0
                runs.withLock { $0[n, default: (0, false)].count += 1; $0[n]!.onCaller = $0[n]!.onCaller || onCaller }
                finished.signal()
            }
            if took { handed.append(n) }
        }
        #expect(handed.count > 100, "a waiting thread was found for most of 200 hand-overs")
        for _ in handed { #expect(finished.wait(timeout: .now() + 10) == .success) }
        let seen = runs.withLock { $0 }
        #expect(Set(seen.keys) == Set(handed))
        #expect(seen.values.allSatisfy { $0.count == 1 && !$0.onCaller })
    }

    @Test func aBackgroundTaskGetsItsResultFromWhicheverThreadRanIt() {
        for n in 0..<50 {
            StandbyThread.start()
            let caller = pthread_self()
            let task = BackgroundTask { (n * n, pthread_equal(pthread_self(), caller) != 0) }
            let (square, onCaller) = task.value
            #expect(square == n * n)
            #expect(!onCaller)
        }
    }
}
#endif
