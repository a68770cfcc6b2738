import Foundation
import EventLog
import LedgerModel
import Testing
@testable import Ledger

/// An import hands validation the typed events it encoded, instead of decoding its drafts again:
/// each must be exactly what strict decoding makes of its draft, and wherever decoding would
/// reject the draft the import must leave it to be decoded (so it is rejected as before).
struct ImportPlanTests {
    static func cell(area: String = "lewisham", isPartnership: Bool = false, indicator: String = "met.burglary.dwelling",
                     period: String = "2015-04", value: Double = 3, status: OutturnStatus? = nil, note: String? = nil) -> Feed.Cell {
        Feed.Cell(area: area, isPartnership: isPartnership, indicator: indicator, period: Period(period)!, value: value,
                  status: status, note: note, known: nil, line: 2, column: 4)
    }

    static let cells: [Feed.Cell] = [
        cell(),
        cell(value: 0),
        cell(value: -0.0),
        cell(value: 12.5),
        cell(value: 1e20),
        cell(value: -3),
        cell(isPartnership: true),
        cell(period: "2015/16"),
        cell(period: "2015/16 Q2"),
        cell(period: "2014-04..2015-09"),
        cell(status: .provisional, note: "restated"),
        cell(note: ""),
        cell(area: "Lewisham"),
        cell(area: "lewisham-"),
        cell(area: "a--b"),
        cell(area: ""),
        cell(indicator: "met.a\tb"),
        cell(indicator: "met. b"),
        cell(indicator: ""),
        cell(indicator: String(repeating: "x", count: 200)),
        cell(indicator: String(repeating: "x", count: 201)),
    ]

    @Test func typedEventsAreWhatStrictDecodingMakesOfTheDraftsAndNilWhereItRejectsThem() throws {
        var feed = Feed()
        feed.cells = Self.cells
        feed.definitions = [
            Feed.Definition(indicator: "met.burglary.dwelling", name: "Burglary / Dwelling", line: 2),
            Feed.Definition(indicator: "met.bad\u{7F}", name: "Bad", line: 3),
            Feed.Definition(indicator: "met.unnamed", name: "", line: 4),
        ]
        let (batch, _) = Ledger.plan(feed, against: LedgerState(), source: "met-police", actor: "test", known: nil)
        #expect(batch.drafts.count == feed.cells.count + feed.definitions.count)
        #expect(batch.events.count == batch.drafts.count)
        var typed = 0
        for (draft, event) in zip(batch.drafts, batch.events) {
            let decoded = try? EventDecoder.decode(type: draft.type, data: draft.data, strict: true)
            if let event {
                typed += 1
                #expect(decoded == event, "\(draft.data)")
            } else {
                #expect(decoded == nil, "typed nothing for a draft that decodes: \(draft.data)")
            }
        }
        #expect(typed == 13)
    }

    @Test func aFeedPlannedOnEveryCoreKeepsItsCellsOrder() throws {
        // Enough cells to be split across cores: the drafts, typed events and lines come back in
        // the cells' order, each draft's event what strict decoding makes of it.
        var feed = Feed()
        let areas = ["lewisham", "southwark", "havering", "barking-and-dagenham", "bad area"]
        for (a, area) in areas.enumerated() {
            for k in 0..<2 {
                for m in 0..<4000 {
                    let period = Period("\(2000 + m / 12)-\(String(format: "%02d", m % 12 + 1))")!
                    feed.cells.append(Feed.Cell(area: area, isPartnership: false, indicator: "met.x\(k)", period: period,
                                                value: Double(m % 7) + (m % 5 == 0 ? 0.5 : 0), status: nil, note: nil, known: nil,
                                                line: a * 10_000 + k * 4000 + m, column: 4))
                }
            }
        }
        let (batch, summary) = Ledger.plan(feed, against: LedgerState(), source: "met-police", actor: "test", known: nil)
        #expect(summary.new == feed.cells.count && summary.revised == 0 && summary.unchanged == 0)
        #expect(batch.lines == feed.cells.map(\.line))
        #expect(batch.drafts.map(\.id) == feed.cells.map { "met-police/\($0.area)/\($0.indicator)/\($0.period)#1" })
        var mismatches = 0
        for (draft, event) in zip(batch.drafts, batch.events) where (try? EventDecoder.decode(type: draft.type, data: draft.data, strict: true)) != event {
            mismatches += 1
        }
        #expect(batch.events.count == batch.drafts.count && mismatches == 0)
        #expect(batch.events.count { $0 == nil } == 8000) // the "bad area" rows: left to be decoded, and rejected
    }

    @Test func runsJoinInOrderByMovingTheirValues() {
        // Moved, not copied: afterwards the joined array holds the only reference to each value.
        final class Box: @unchecked Sendable { let n: Int; init(_ n: Int) { self.n = n } }
        var runs = [MovableRun<Box>(capacity: 3), MovableRun<Box>(capacity: 0), MovableRun<Box>(capacity: 5)]
        for n in 0..<3 { runs[0].append(Box(n)) }
        for n in 3..<7 { runs[2].append(Box(n)) }
        var joined = MovableRun.joined([Box(-1)], runs)
        #expect(joined.map(\.n) == Array(-1..<7))
        #expect(joined.indices.allSatisfy { isKnownUniquelyReferenced(&joined[$0]) })
    }

    @Test(arguments: [0, 1, -3, 12.5, -0.0, 1e15 - 1, 1e15, 1e20, 0.1, -2.75e-7])
    func aFigureIsWrittenAsTheLiteralThatReadsBackAsIt(_ value: Double) throws {
        let (literal, readsAs) = Ledger.numberLiteral(value)
        #expect(readsAs == value)
        #expect(literal.double == readsAs)
        let reparsed = try JSONReader.parse(Array(literal.literal.utf8))
        #expect(reparsed == .number(literal))
        if value == value.rounded(), abs(value) < 1e15 { #expect(!literal.literal.contains(".") && !literal.literal.contains("e")) }
    }

    @Test func aMetCountIsReadExactlyAsTrimmingAndIntWouldReadIt() {
        let texts = ["0", "12", " 12 ", "\t7\t", "+5", "-0", "-3", "12a", "", " ", "\t", "+", "-", "1 2", "0012",
                     "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                     "99999999999999999999", "٣", "１２", " 4\u{301}", "5\u{A0}", "e5", "0x1F", "1.0", "1e3"]
        for text in texts {
            #expect(MPSBoroughFeed.count(text) == Int(text.trimmingCharacters()), "\(text.debugDescription)")
        }
    }

    @Test func aCellStrictDecodingRejectsIsRejectedWithTheDecodersMessage() throws {
        let fixture = try LedgerFixture()
        try fixture.append([#"{"type":"indicator.defined","data":{"indicator":"met.burglary","name":"Burglary","unit":"count","polarity":"lower-better"}}"#])
        let long = String(repeating: "x", count: 201) // an identifier has at most 200 bytes
        let csv = "area,indicator,period,value\nlewisham,met.burglary,2015-04,3\nlewisham,\(long),2015-05,4\n"
        let feed = try FeedFormat.csv.parse(Array(csv.utf8), feedName: "partner")
        do {
            _ = try fixture.ledger.importFeed(feed, source: "partner", actor: "test", known: nil)
            Issue.record("imported an indicator of 201 bytes")
        } catch {
            #expect(error.code == .badInput)
            #expect(error.line == 3)
            #expect(error.field == "indicator")
            #expect(error.description.contains("is not an identifier"))
        }
        #expect(try fixture.state().outturns.isEmpty)
    }

    @Test func importsOneAfterAnotherOnOneLedgerSeeEachOthersFigures() throws {
        // An import does not keep the state it validated against, so the next one reads it afresh.
        let fixture = try LedgerFixture()
        try fixture.append([#"{"type":"indicator.defined","data":{"indicator":"met.burglary","name":"Burglary","unit":"count","polarity":"lower-better"}}"#])
        func feed(_ rows: String) throws -> Feed { try FeedFormat.csv.parse(Array(("area,indicator,period,value\n" + rows).utf8), feedName: "partner") }
        let first = try feed("lewisham,met.burglary,2015-04,3\nlewisham,met.burglary,2015-05,4\n")
        let a = try fixture.ledger.importFeed(first, source: "partner", actor: "test", known: nil)
        #expect((a.new, a.revised, a.unchanged) == (2, 0, 0))
        let b = try fixture.ledger.importFeed(first, source: "partner", actor: "test", known: nil)
        #expect((b.new, b.revised, b.unchanged, b.appended) == (0, 0, 2, 0))
        let c = try fixture.ledger.importFeed(try feed("lewisham,met.burglary,2015-04,5\nlewisham,met.burglary,2015-05,4\nlewisham,met.burglary,2015-06,1\n"),
                                              source: "partner", actor: "test", known: nil)
        #expect((c.new, c.revised, c.unchanged, c.appended) == (1, 1, 1, 2))
        // And an append through the same ledger still validates against everything.
        try fixture.append([#"{"type":"event.retracted","data":{"event":"partner/lewisham/met.burglary/2015-04#2","reason":"test"}}"#])
        #expect(try fixture.state().retracted.count == 1)
    }

    @Test func validationTakesABoardsSealFromTheChainNotFromTheUnhashedRecord() throws {
        let fixture = try LedgerFixture()
        try fixture.append([#"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"#], known: "2015-06-01")
        let board = LogRecord(seq: 2, id: "b", recorded: Timestamp(millisecondsSince1970: 1_700_000_000_000), known: CalendarDate(iso: "2015-06-01")!,
                              type: "board.held", source: "test", actor: "test",
                              data: JSONObject([("partnership", .string("lewisham")), ("board", .string("slp")), ("date", .string("2015-06-01"))]),
                              prev: .zero, hash: .zero)
        let (prev, hash) = (SHA256.hash("prev"), SHA256.hash("hash"))
        let after = try Ledger.validate([Log.PendingRecord(index: 0, record: board)], from: try fixture.state(), lines: [],
                                        chain: { position in
                                            #expect(position == 0)
                                            return (prev, hash)
                                        })
        #expect(after.boards.map(\.sealHash) == [prev.hex])
    }
}
