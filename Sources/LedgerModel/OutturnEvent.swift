/// An outturn event reduced to what a view's fold reads of it: its seq, its two days (for the
/// point in time), its id's hashes and its payload — none of the envelope's strings.
///
/// Nine in ten events of a London-wide ledger are outturns, and a replay moves each from the
/// reading threads to the folding one: at 176 bytes instead of a whole event's 280, and with
/// three strings instead of eight to retain and release, that hand-over costs a third less.
/// A replay that audits, or keeps lines for a checkpoint, needs whole events and never uses it.
public struct OutturnEvent: Sendable, Equatable {
    public var seq: Int
    public var known: Day
    public var recordedDay: Day
    public var idKey: EventIDs.Key
    public var outturn: OutturnRecorded

    public init(seq: Int, known: Day, recordedDay: Day, idKey: EventIDs.Key, outturn: OutturnRecorded) {
        (self.seq, self.known, self.recordedDay, self.idKey, self.outturn) = (seq, known, recordedDay, idKey, outturn)
    }

    /// The outturn of a whole event, if it is one.
    public init?(_ event: LedgerEvent) {
        guard case .outturnRecorded(let o) = event.event else { return nil }
        self.init(seq: event.seq, known: event.known, recordedDay: event.recordedDay, idKey: event.idKey, outturn: o)
    }
}
