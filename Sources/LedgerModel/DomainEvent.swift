/// Every event type of the ledger, typed. The payloads are in `Events.swift`.
///
/// The kinds a ledger holds few of are `indirect` (boxed): an event is as large as its largest
/// direct payload, and a replay moves a million of them, nearly all outturns.
public enum DomainEvent: Sendable, Equatable {
    indirect case partnershipRegistered(PartnershipRegistered)
    indirect case planAdopted(PlanAdopted)
    indirect case planRevised(PlanRevised)
    indirect case prioritySet(PrioritySet)
    indirect case priorityRetired(PriorityRetired)
    indirect case indicatorDefined(IndicatorDefined)
    indirect case baselineSet(BaselineSet)
    indirect case targetSet(TargetSet)
    indirect case targetRevised(TargetRevised)
    indirect case targetWithdrawn(TargetWithdrawn)
    case outturnRecorded(OutturnRecorded)
    indirect case actionCreated(ActionCreated)
    case actionUpdated(ActionUpdated)
    case boardHeld(BoardHeld)
    case eventRetracted(EventRetracted)

    /// The type names as they appear in the log, in the order of DESIGN.md.
    public static let typeNames = [
        "partnership.registered", "plan.adopted", "plan.revised", "priority.set", "priority.retired",
        "indicator.defined", "baseline.set", "target.set", "target.revised", "target.withdrawn",
        "outturn.recorded", "action.created", "action.updated", "board.held", "event.retracted",
    ]

    public var typeName: String {
        switch self {
        case .partnershipRegistered: "partnership.registered"
        case .planAdopted: "plan.adopted"
        case .planRevised: "plan.revised"
        case .prioritySet: "priority.set"
        case .priorityRetired: "priority.retired"
        case .indicatorDefined: "indicator.defined"
        case .baselineSet: "baseline.set"
        case .targetSet: "target.set"
        case .targetRevised: "target.revised"
        case .targetWithdrawn: "target.withdrawn"
        case .outturnRecorded: "outturn.recorded"
        case .actionCreated: "action.created"
        case .actionUpdated: "action.updated"
        case .boardHeld: "board.held"
        case .eventRetracted: "event.retracted"
        }
    }
}

/// One event of the ledger: its envelope and its typed payload.
public struct LedgerEvent: Sendable, Equatable {
    public var seq: Int
    public let id: String
    /// The id's hashes for ``EventIDs``, worked out with the event (on a replay's reading thread).
    public let idKey: EventIDs.Key
    /// When the ledger wrote it, in milliseconds since 1970 (UTC).
    public var recorded: Int64
    /// The recorded instant as the log writes it (RFC 3339), for display.
    public var recordedText: String
    /// The date the partnership knew or decided it.
    public var known: Day
    public var source: String
    public var actor: String
    /// The hash of the event before it: for a board, its seal. A replay fills it (and `hash`)
    /// for boards only — nothing else reads them, and hex for a million events is not free.
    public var prev: String
    public var hash: String
    public var event: DomainEvent
    /// The recorded date (UTC), for comparing with `known`.
    public let recordedDay: Day

    /// `keepsID: false` keeps only the id's hashes (``idKey``), leaving `id` empty: for a replay
    /// that never shows an id, where a million of them would be made and freed for nothing.
    public init(seq: Int, id: String, keepsID: Bool = true, recorded: Int64, recordedText: String, known: Day, source: String,
                actor: String, prev: String, hash: String, event: DomainEvent, recordedDay: Day? = nil) {
        self.seq = seq
        self.id = keepsID ? id : ""
        self.idKey = EventIDs.Key(id)
        self.recorded = recorded
        self.recordedText = recordedText
        self.known = known
        self.source = source
        self.actor = actor
        self.prev = prev
        self.hash = hash
        self.event = event
        self.recordedDay = recordedDay ?? Day(iso: String(recordedText.prefix(10))) ?? known
    }

    /// Entered with a `known` date before the day it was recorded (migrated history, a late correction).
    public var isBackdated: Bool { known < recordedDay }
}
