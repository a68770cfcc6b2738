import LedgerModel

/// One difference between two points in time: in which view, for what, which field, from → to.
public struct DiffRow: Sendable, Equatable {
    public var view: String
    public var key: String
    public var field: String
    public var from: String?
    public var to: String?
}

/// What changed between two replays: status, progress and actions compared field by field.
public enum Diff {
    public static func rows(from a: LedgerState, to b: LedgerState, todayA: Day, todayB: Day) -> [DiffRow] {
        var rows: [DiffRow] = []
        func compare(view: String, _ left: [String: [(String, String?)]], _ right: [String: [(String, String?)]]) {
            for key in Set(left.keys).union(right.keys).sorted() {
                let l = left[key], r = right[key]
                if l == nil { rows.append(DiffRow(view: view, key: key, field: "(row)", from: nil, to: "added")) }
                if r == nil { rows.append(DiffRow(view: view, key: key, field: "(row)", from: "present", to: "removed")) }
                // Field by field, the same both ways: an added row's fields come from nothing, a removed row's go to nothing.
                let lFields = Dictionary(uniqueKeysWithValues: (l ?? []).map { ($0.0, $0.1) })
                let rFields = Dictionary(uniqueKeysWithValues: (r ?? []).map { ($0.0, $0.1) })
                for field in (l ?? r ?? []).map(\.0) where (lFields[field] ?? nil) != (rFields[field] ?? nil) {
                    rows.append(DiffRow(view: view, key: key, field: field, from: lFields[field] ?? nil, to: rFields[field] ?? nil))
                }
            }
        }
        compare(view: "status", statusFields(a), statusFields(b))
        compare(view: "progress", progressFields(a), progressFields(b))
        compare(view: "actions", actionFields(a, todayA), actionFields(b, todayB))
        return rows
    }

    private static func number(_ v: Double?) -> String? { v.map(formatNumber) }

    private static func statusFields(_ s: LedgerState) -> [String: [(String, String?)]] {
        Dictionary(uniqueKeysWithValues: s.statusRows().map { r in
            ("\(r.partnership)/\(r.indicator)", [
                ("period", r.period?.description), ("value", number(r.value)), ("change", r.change.map { formatNumber(roundedPercent($0)) + "%" }),
                ("target", r.target), ("rag", r.rag.rawValue), ("direction", r.direction?.rawValue),
                ("baselineChangePercent", r.baselineChangePercent.map { formatNumber($0) + "%" }),
            ])
        })
    }

    private static func progressFields(_ s: LedgerState) -> [String: [(String, String?)]] {
        Dictionary(uniqueKeysWithValues: s.progressRows().map { r in
            (r.target, [
                ("target", r.description), ("baseline", number(r.baseline)), ("period", r.outturnPeriod?.description),
                ("value", number(r.value)), ("changePercent", r.changePercent.map { formatNumber($0) + "%" }),
                ("expected", r.expected.map { formatNumber(($0 * 10).rounded() / 10) }),
                ("rag", r.rag.rawValue),
            ])
        })
    }

    private static func actionFields(_ s: LedgerState, _ today: Day) -> [String: [(String, String?)]] {
        Dictionary(uniqueKeysWithValues: s.actionRows(today: today).map { r in
            (r.action, [
                ("status", r.status.rawValue), ("due", r.due?.description), ("overdue", r.overdue ? "yes" : "no"),
                ("lastUpdate", r.lastUpdate),
            ])
        })
    }
}
