#if canImport(Glibc)
import Glibc
import Synchronization

/// A thread made before the work it will run is known, waiting for it on a core other than the
/// one its maker runs on. On this 2-core virtual machine a new thread first ran about half a
/// millisecond after it was made, and a waiting thread woke as late when the kernel chose to
/// wake it on its waker's busy core; kept to the other core until woken, it runs some tens of
/// microseconds after (a C program's threads measured 270 µs unpinned, 33 µs pinned). A view
/// makes one first thing, and the decoding it hands over a little later then runs beside the
/// fold instead of mostly after it.
///
/// One at a time: ``start()`` makes none while one waits, so a process that starts many views
/// (a test run) never gathers idle threads. Each runs one piece of work, then ends.
package final class StandbyThread: @unchecked Sendable {
    /// The thread waiting for work, if any (taken by the first ``take(_:)``).
    private static let waiting = Mutex<StandbyThread?>(nil)

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let handed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Set once, under `lock`, by ``take(_:)``; read by the thread under it.
    private var work: (@Sendable () -> Void)?
    /// The cores the process may run on, which the thread takes back once woken, if it was kept
    /// off one (set before ``take(_:)`` can hand it work).
    private var pinnedFrom: CoreSet?

    private init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(handed, nil)
    }

    deinit {
        pthread_cond_destroy(handed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        handed.deallocate()
    }

    /// Makes a thread to wait for the next ``take(_:)``, unless one waits already (or none can be made).
    package static func start() {
        waiting.withLock { waiting in
            guard waiting == nil else { return }
            let thread = StandbyThread()
            guard let id = startDetachedThread({ thread.waitAndRun() }) else { return }
            waiting = thread
            // Kept off this core while it waits (if the process may run on another).
            guard let allowed = CoreSet.allowed() else { return }
            var others = allowed
            others.remove(Int(sched_getcpu()))
            if !others.isEmpty, withUnsafeBytes(of: &others.bits, { pthread_setaffinity_np(id, $0.count, $0.baseAddress!) }) == 0 {
                thread.pinnedFrom = allowed
            }
        }
    }

    /// Hands `work` to the waiting thread: false if none waits (the caller runs it elsewhere).
    package static func take(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = waiting.withLock({ waiting in defer { waiting = nil }; return waiting }) else { return false }
        pthread_mutex_lock(thread.lock)
        thread.work = work
        pthread_cond_signal(thread.handed)
        pthread_mutex_unlock(thread.lock)
        return true
    }

    private func waitAndRun() {
        pthread_mutex_lock(lock)
        while work == nil { pthread_cond_wait(handed, lock) }
        let work = self.work!
        pthread_mutex_unlock(lock)
        if var allowed = pinnedFrom { _ = withUnsafeBytes(of: &allowed.bits) { sched_setaffinity(0, $0.count, $0.baseAddress!) } }
        work()
    }
}

/// A set of cores as the kernel's affinity calls take it (`cpu_set_t`: 1,024 bits).
private struct CoreSet {
    var bits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
               UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// The cores this process may run on; nil if the kernel will not say.
    static func allowed() -> CoreSet? {
        var set = CoreSet()
        let status = withUnsafeMutableBytes(of: &set.bits) { sched_getaffinity(0, $0.count, $0.baseAddress!) }
        return status == 0 ? set : nil
    }

    var isEmpty: Bool { withUnsafeBytes(of: bits) { !$0.contains { $0 != 0 } } }

    mutating func remove(_ core: Int) {
        guard core >= 0, core < MemoryLayout.size(ofValue: bits) * 8 else { return }
        withUnsafeMutableBytes(of: &bits) { $0[core / 8] &= ~UInt8(1 << (core % 8)) }
    }
}

// The C library's affinity calls, which its Swift module leaves out (they are GNU extensions,
// declared only with _GNU_SOURCE); their arguments are plain integers and pointers, passed
// alike by Swift and C on the platforms this builds for.
@_silgen_name("sched_getcpu") private func sched_getcpu() -> Int32
@_silgen_name("sched_getaffinity") private func sched_getaffinity(_ pid: Int32, _ size: Int, _ set: UnsafeMutableRawPointer) -> Int32
@_silgen_name("sched_setaffinity") private func sched_setaffinity(_ pid: Int32, _ size: Int, _ set: UnsafeRawPointer) -> Int32
@_silgen_name("pthread_setaffinity_np") private func pthread_setaffinity_np(_ thread: pthread_t, _ size: Int, _ set: UnsafeRawPointer) -> Int32
#endif
