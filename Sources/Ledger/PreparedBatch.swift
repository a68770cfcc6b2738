import EventLog
import LedgerModel

/// A batch ready to append: the drafts, their typed events where the writer has them, and
/// where each came from in the input.
///
/// A writer that built its drafts from typed values (an import) hands the typed events on, so
/// validation does not decode again what was just encoded. A nil event is decoded from its
/// draft, strictly — so whatever the writer cannot vouch for is checked as any input is.
struct PreparedBatch {
    var drafts: [EventDraft] = []
    /// `events[i]` is `drafts[i]`'s payload, or nil (decode it); may be shorter than `drafts`.
    var events: [DomainEvent?] = []
    /// `lines[i]` is the input line of `drafts[i]`, for errors; may be shorter than `drafts`.
    var lines: [Int] = []

    /// Whether any event of the batch is a retraction (which may point at any earlier event).
    var retracts: Bool {
        // By position: `drafts.contains` would copy each draft out (retaining all its strings).
        drafts.indices.contains { drafts[$0].type == "event.retracted" }
    }

    /// Whether validating the batch reads no event of any partnership's own (its plans,
    /// priorities, baselines, targets, actions and boards, and their retractions): its events are
    /// figures, indicators, partnerships and boards alone, and it names no target or action. False
    /// if some event's payload is not decoded yet.
    var readsOnlySharedEvents: Bool {
        // (Events of these types name no target or action: see ``subjects``.)
        guard events.count == drafts.count else { return false }
        return events.allSatisfy { event in
            switch event {
            case .outturnRecorded?, .indicatorDefined?, .partnershipRegistered?, .boardHeld?: true
            default: false
            }
        }
    }

    /// The targets and actions the batch names (`target:<id>`, `action:<id>`: see
    /// ``StateCheckpoint/Subject``), or nil if some event's payload is not decoded yet.
    var subjects: Set<String>? {
        guard events.count == drafts.count, events.allSatisfy({ $0 != nil }) else { return nil }
        return Set(events.compactMap { $0.flatMap(StateCheckpoint.Subject.of)?.0.text })
    }
}
