import LedgerModel

/// One line of the audit trail: an event, what it touched, and what changed.
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int
    public var recorded: String
    public var recordedDay: Day
    public var known: Day
    public var type: String
    public var source: String
    public var actor: String
    /// What it touched, e.g. `lewisham/MOPAC7/2014`, `target mopac7-20pc`, `action H1.2`.
    public var subject: String
    public var before: String?
    public var after: String?
    /// Known before the day it was recorded (migrated history, a late correction).
    public var backdated: Bool
    /// Tags for filtering: `indicator:X`, `target:T`, `action:A`, `plan:P`, `partnership:P`.
    public var tags: [String]
    /// The seq of the retraction that later took this event back, if one did.
    public var retractedBy: Int?
}

/// Every event with its before → after, built in the same replay pass as the state.
public struct AuditTrail: Sendable {
    public private(set) var entries: [AuditEntry] = []
    private var indexOfSeq: [Int: Int] = [:]

    public init() {}

    /// Records `event` as seen against `state` (the state just before it).
    mutating func record(_ e: LedgerEvent, in state: LedgerState) {
        var subject = ""
        var before: String?
        var after: String?
        var tags: [String] = []
        switch e.event {
        case .partnershipRegistered(let p):
            subject = p.partnership; after = p.name; tags = ["partnership:\(p.partnership)"]
        case .planAdopted(let p):
            subject = "plan \(p.partnership)/\(p.plan)"
            after = (p.version.map { "version \($0): " } ?? "") + "\(p.title) (\(p.from)–\(p.to))"
            tags = ["plan:\(p.plan)", "partnership:\(p.partnership)"]
        case .planRevised(let p):
            subject = "plan \(p.partnership)/\(p.plan)"
            // Versions first: that is what a plan's revisions are read by; the title only when it changes.
            let old = state.plan(p.partnership, p.plan)
            before = old.map { ($0.version.map { "version \($0)" } ?? "unversioned") + (p.title != nil ? ": \($0.title)" : "") }
            after = ((p.version ?? old?.version).map { "version \($0)" } ?? "unversioned") + (p.title.map { ": \($0)" } ?? "") + " — \(p.reason)"
            tags = ["plan:\(p.plan)", "partnership:\(p.partnership)"]
        case .prioritySet(let p):
            subject = "priority \(p.partnership)/\(p.plan)/\(p.priority)"
            before = state.priority(p.partnership, p.plan, p.priority)?.title
            after = p.title
            tags = ["plan:\(p.plan)", "partnership:\(p.partnership)"]
        case .priorityRetired(let p):
            subject = "priority \(p.partnership)/\(p.plan)/\(p.priority)"
            before = state.priority(p.partnership, p.plan, p.priority)?.title
            after = "retired: \(p.reason)"
            tags = ["plan:\(p.plan)", "partnership:\(p.partnership)"]
        case .indicatorDefined(let i):
            subject = "indicator \(i.indicator)"
            after = "\(i.name) (\(i.unit.rawValue), \(i.polarity.rawValue))"
            tags = ["indicator:\(i.indicator)"]
        case .baselineSet(let b):
            subject = "baseline \(b.baseline)"
            before = state.baseline(b.baseline).map(describeBaseline)
            after = describeBaseline(b)
            tags = ["indicator:\(b.indicator)", "partnership:\(b.partnership)", "baseline:\(b.baseline)"]
        case .targetSet(let t):
            subject = "target \(t.target)"
            after = state.describe(t)
            tags = ["target:\(t.target)", "indicator:\(t.indicator)", "partnership:\(t.partnership)"]
        case .targetRevised(let r):
            subject = "target \(r.target)"
            if let (old, _) = state.target(r.target) {
                before = state.describe(old)
                after = state.describe(r.applied(to: old)) + ": \(r.reason)"
                tags = ["indicator:\(old.indicator)", "partnership:\(old.partnership)"]
            }
            tags.append("target:\(r.target)")
        case .targetWithdrawn(let w):
            subject = "target \(w.target)"
            if let (old, _) = state.target(w.target) {
                before = state.describe(old)
                tags = ["indicator:\(old.indicator)", "partnership:\(old.partnership)"]
            }
            after = "withdrawn: \(w.reason)"
            tags.append("target:\(w.target)")
        case .outturnRecorded(let o):
            subject = "\(o.area)/\(o.indicator)/\(o.period)"
            before = state.recordedOutturn(OutturnKey(area: o.area, indicator: o.indicator, period: o.period)).map { describeOutturn($0.payload) }
            after = describeOutturn(o)
            tags = ["indicator:\(o.indicator)", "partnership:\(o.area)"]
        case .actionCreated(let a):
            subject = "action \(a.action)"
            after = a.title + (a.due.map { " (due \($0))" } ?? "")
            tags = ["action:\(a.action)", "plan:\(a.plan)", "partnership:\(a.partnership)"]
        case .actionUpdated(let u):
            subject = "action \(u.action)"
            before = state.latestUpdate(of: u.action).map { $0.payload.status.rawValue } ?? (state.action(u.action) != nil ? ActionStatus.notStarted.rawValue : nil)
            after = u.status.rawValue + (u.progress.map { ": \($0)" } ?? "")
            tags = ["action:\(u.action)"]
            if let a = state.action(u.action) { tags += ["plan:\(a.plan)", "partnership:\(a.partnership)"] }
        case .boardHeld(let b):
            subject = "board \(b.partnership)/\(b.board)"
            after = "held \(b.date); sealed seq \(e.seq - 1) (\(e.prev.prefix(12))…)"
            tags = ["partnership:\(b.partnership)", "board:\(b.board)"]
        case .eventRetracted(let r):
            if let seq = state.resolve(r.event), let i = indexOfSeq[seq] {
                let retracted = entries[i]
                subject = retracted.subject
                before = retracted.after
                tags = retracted.tags
                entries[i].retractedBy = e.seq
            } else {
                subject = r.event.description
            }
            after = "retracted \(r.event): \(r.reason)"
        }
        indexOfSeq[e.seq] = entries.count
        entries.append(AuditEntry(seq: e.seq, recorded: e.recordedText, recordedDay: e.recordedDay, known: e.known,
                                  type: e.event.typeName, source: e.source, actor: e.actor, subject: subject, before: before,
                                  after: after, backdated: e.isBackdated, tags: tags, retractedBy: nil))
    }

    private func describeBaseline(_ b: BaselineSet) -> String {
        "\(b.label): " + (b.value.map(formatNumber) ?? "\(b.method.rawValue) of \(b.periods.map(\.description).joined(separator: ", "))")
    }

    private func describeOutturn(_ o: OutturnRecorded) -> String {
        "\(o.value) (\(o.status.rawValue))" + (o.note.map { " — \($0)" } ?? "")
    }

    /// The entries that carry `tag` (e.g. `indicator:MOPAC7`), recorded on or after `since`.
    public func entries(tagged tag: String? = nil, since: Day? = nil) -> [AuditEntry] {
        entries.filter { entry in
            (tag.map { entry.tags.contains($0) } ?? true) && (since.map { entry.recordedDay >= $0 } ?? true)
        }
    }
}
