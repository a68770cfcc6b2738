import Glibc
package enum Trace {
    static let on = getenv("OUTTURN_TRACE") != nil
    package static func mark(_ what: String) {
        guard on else { return }
        var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t)
        let line = "\(Double(t.tv_sec % 1000) * 1000 + Double(t.tv_nsec) / 1e6) \(what)\n"; _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
