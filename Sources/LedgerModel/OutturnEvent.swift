/// An outturn event reduced to what a view's fold reads of it — its seq, its two days (for the
/// point in time), its id's hashes and its payload — made ready on a replay's reading threads:
/// its area and indicator already hashed, the rest packed as ``OutturnTable`` keeps it.
///
/// Nine in ten events of a London-wide ledger are outturns, and a replay moves each from the
/// reading threads to the folding one: at 120 bytes instead of a whole event's 280, with three
/// strings instead of eight to retain and release, and nothing left to hash or pack on the
/// folding thread. A replay that audits, or keeps lines for a checkpoint, needs whole events
/// and never uses it.
public struct OutturnEvent: Sendable {
    let series: OutturnTable.SeriesKey
    let packed: OutturnTable.Packed
    let note: String?
    /// The recorded day, packed as the known day is.
    private let recorded: Int32
    public let idKey: EventIDs.Key

    public init(seq: Int, known: Day, recordedDay: Day, idKey: EventIDs.Key, outturn: OutturnRecorded) {
        series = OutturnTable.SeriesKey(area: outturn.area, indicator: outturn.indicator)
        packed = OutturnTable.Packed(seq: seq, known: known, outturn)
        note = outturn.note
        recorded = OutturnTable.Packed.pack(recordedDay)
        self.idKey = idKey
    }

    /// The outturn of a whole event, if it is one.
    public init?(_ event: LedgerEvent) {
        guard case .outturnRecorded(let o) = event.event else { return nil }
        self.init(seq: event.seq, known: event.known, recordedDay: event.recordedDay, idKey: event.idKey, outturn: o)
    }

    public var seq: Int { packed.seq }
    public var known: Day { OutturnTable.Packed.unpack(packed.known) }
    public var recordedDay: Day { OutturnTable.Packed.unpack(recorded) }
    /// The payload as it was given.
    public var outturn: OutturnRecorded { packed.entry(series, note: note).payload }
}
