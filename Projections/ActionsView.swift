import LedgerModel

/// One row of `outturn actions`: an action, where it stands, and whether it is overdue.
public struct ActionRow: Sendable, Equatable {
    public var action: String
    public var partnership: String
    public var plan: String
    public var title: String
    public var leads: [String]
    public var status: ActionStatus
    public var due: DateOrPeriod?
    public var timescale: String?
    /// Due before the view's date and neither complete nor cancelled.
    public var overdue: Bool
    /// The latest update's progress text.
    public var lastUpdate: String?
    /// When the latest update was known, and the quarter it reports.
    public var lastUpdateKnown: Day?
    public var lastUpdateQuarter: Period?
    public var resources: Resources?
}

extension LedgerState {
    /// One row per action; `today` decides what is overdue.
    public func actionRows(today: Day, partnership: String? = nil, overdueOnly: Bool = false) -> [ActionRow] {
        actions.keys.sorted().compactMap { id -> ActionRow? in
            guard let a = action(id), partnership == nil || a.partnership == partnership else { return nil }
            let update = latestUpdate(of: id)
            let status = update?.payload.status ?? .notStarted
            let overdue = !status.isClosed && (a.due.map { $0.lastDay < today } ?? false)
            guard !overdueOnly || overdue else { return nil }
            return ActionRow(action: id, partnership: a.partnership, plan: a.plan, title: a.title, leads: a.leads, status: status,
                             due: a.due, timescale: a.timescale, overdue: overdue, lastUpdate: update?.payload.progress,
                             lastUpdateKnown: update?.known, lastUpdateQuarter: update?.payload.quarter, resources: a.resources)
        }
    }
}
