import EventLog
import LedgerModel

/// Collects a replay's events, in seq order, into a ``StateCheckpoint`` body.
///
/// It can start empty (a replay from seq 1) or from an earlier checkpoint's body (a replay
/// that folded that checkpoint, then the lines after it), so a checkpoint grows with the log
/// without the log being read from the start again. It resolves each retraction against
/// every event before it, whatever the replay's own point in time leaves out.
struct StateCheckpointBuilder {
    private var stringIndex: [String: UInt32] = [:]
    private var strings: [UInt8] = []
    private var outturns: [UInt8] = []
    private var outturnCount = 0
    private var others: [UInt8] = []
    private var otherCount = 0
    private var ids: [UInt8] = []
    private var idCount = 0
    private var unknowns: [UInt8] = []
    private var unknownCount = 0
    /// Seqs of events of the kinds this version knows (a retraction by seq names one of them).
    private var isKnown: [Bool] = [false]
    /// Ids added since the builder started, by their hashes.
    private var newIDs = EventIDs()
    /// Ids of the checkpoint the builder resumed, hashed only if a retraction needs them.
    private var priorIDs: DeferredEventIDs?
    /// Set when an event came without the line it must be kept as: the body would lack it.
    private(set) var isIncomplete = false

    init() {}

    /// Starts from an earlier checkpoint's body: its events come first.
    init(resuming body: MappedBytes) throws {
        let raw = body.bytes
        var reader = ByteReader(raw)
        let sections = try StateCheckpoint.Sections(&reader)
        for (index, string) in try sections.strings(raw).enumerated() { stringIndex[string] = UInt32(index) }
        unknowns = Array(raw[sections.unknowns])
        unknownCount = sections.unknownCount
        strings = Array(raw[sections.strings])
        outturns = Array(raw[sections.outturns])
        outturnCount = sections.outturnCount
        others = Array(raw[sections.others])
        otherCount = sections.otherCount
        ids = Array(raw[sections.ids])
        idCount = sections.idCount
        var idReader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[sections.ids]))
        while !idReader.isAtEnd {
            markKnown(Int(try idReader.int64()))
            _ = try idReader.bytes(Int(try idReader.uint32()))
        }
        priorIDs = StateCheckpoint.deferredIDs(body, sections)
    }

    /// Adds the next event. `line` is its log line (needed for every kind but outturns).
    mutating func add(_ event: LedgerEvent, line: [UInt8]?) {
        if case .outturnRecorded(let outturn) = event.event {
            var record: [UInt8] = []
            record.reserveCapacity(StateCheckpoint.outturnSize)
            OutturnRecord.write(event, outturn, to: &record, intern: { intern($0) })
            outturns.append(contentsOf: record)
            outturnCount += 1
        } else if let line {
            var target: Int?
            if case .eventRetracted(let r) = event.event { target = resolve(r.event) }
            StateCheckpoint.OtherEvent.write(event, retracting: target, line: line, to: &others)
            otherCount += 1
        } else {
            isIncomplete = true
        }
        markKnown(event.seq)
        newIDs.insert(event.idKey, seq: event.seq)
        let id = Array(event.id.utf8)
        ids.appendLittleEndian(Int64(event.seq))
        ids.appendLittleEndian(UInt32(id.count))
        ids.append(contentsOf: id)
        idCount += 1
    }

    /// Adds an event of a type this version does not know: no view uses it, but a replay counts it.
    mutating func addUnknown(seq: Int, known: Day?, recordedDay: Day?) {
        guard let known, let recordedDay else { return isIncomplete = true }
        StateCheckpoint.Envelope(seq: seq, known: known, recordedDay: recordedDay).write(to: &unknowns)
        unknownCount += 1
    }

    /// What a retraction added now retracts, as the fold of the whole log resolves it.
    private func resolve(_ reference: EventReference) -> Int? {
        switch reference {
        case .seq(let seq): seq >= 0 && seq < isKnown.count && isKnown[seq] ? seq : nil
        case .id(let id): newIDs.seq(of: id) ?? priorIDs?.seq(of: id)
        }
    }

    private mutating func markKnown(_ seq: Int) {
        if isKnown.count <= seq { isKnown.append(contentsOf: repeatElement(false, count: seq + 1 - isKnown.count)) }
        isKnown[seq] = true
    }

    private mutating func intern(_ string: String) -> UInt32 {
        if let index = stringIndex[string] { return index }
        let index = UInt32(stringIndex.count)
        stringIndex[string] = index
        let bytes = Array(string.utf8)
        strings.appendLittleEndian(UInt32(bytes.count))
        strings.append(contentsOf: bytes)
        return index
    }

    /// The checkpoint's body.
    func body() -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(unknowns.count + strings.count + outturns.count + others.count + ids.count + 5 * 16)
        body.appendSection(count: unknownCount, unknowns)
        body.appendSection(count: stringIndex.count, strings)
        body.appendSection(count: outturnCount, Self.sorted(outturns, count: outturnCount))
        body.appendSection(count: otherCount, others)
        body.appendSection(count: idCount, ids)
        return body
    }

    /// The outturn records in the order a checkpoint keeps them (``OutturnRecord/precedes(_:_:)``).
    private static func sorted(_ records: [UInt8], count: Int) -> [UInt8] {
        let size = StateCheckpoint.outturnSize
        return records.withUnsafeBytes { raw in
            func record(_ i: Int32) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[Int(i) * size..<(Int(i) + 1) * size]) }
            var order = Array(0..<Int32(count))
            // Records come in seq order, and a resumed checkpoint's come sorted: often little to do.
            if !zip(order, order.dropFirst()).allSatisfy({ !OutturnRecord.precedes(record($1), record($0)) }) {
                order.sort { OutturnRecord.precedes(record($0), record($1)) }
            }
            var out: [UInt8] = []
            out.reserveCapacity(records.count)
            for i in order { out.append(contentsOf: record(i)) }
            return out
        }
    }
}
