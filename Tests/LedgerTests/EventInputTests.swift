import EventLog
import LedgerModel
import Testing
@testable import Ledger

/// The JSON Lines input of `outturn append`: what is accepted, what each error says.
struct EventInputTests {
    let defaults = InputDefaults(source: "met-police", actor: "bot", known: CalendarDate(iso: "2015-04-30"))

    @Test func blankLinesAndCarriageReturnsAreSkippedAndLinesKeepTheirNumbers() throws {
        let text = "\r\n" + #"{"type":"board.held","data":{"x":1}}"# + "\r\n   \n" + #"{"type":"plan.revised","data":{},"source":"mopac","known":"2014-01-01","actor":"me","id":"k1"}"#
        let (drafts, lines) = try EventInput.parse(Array(text.utf8), defaults: defaults)
        #expect(lines == [2, 4])
        #expect(drafts[0] == EventDraft(id: nil, known: CalendarDate(iso: "2015-04-30"), type: "board.held", source: "met-police", actor: "bot",
                                        data: JSONObject([("x", .number(JSONNumber(1)))])))
        #expect(drafts[1] == EventDraft(id: "k1", known: CalendarDate(iso: "2014-01-01"), type: "plan.revised", source: "mopac", actor: "me", data: JSONObject()))
    }

    @Test(arguments: [
        ("{", nil as String?),
        (#"{"type":"board.held"}"#, "data"),
        (#"{"type":"Board.held","data":{}}"#, "type"),
        (#"{"type":"board.held.x","data":{}}"#, "type"),
        (#"{"type":"a.b","data":{}}"#, "type"),
        (#"{"type":"board.held","data":{},"hash":"x"}"#, "hash"),
        (#"{"type":"board.held","data":{},"source":7}"#, "source"),
        (#"{"type":"board.held","data":{},"known":"2015-02-29"}"#, "known"),
    ])
    func eachBadLineNamesItsLineAndField(line: String, field: String?) {
        let text = #"{"type":"board.held","data":{}}"# + "\n" + line + "\n"
        do {
            _ = try EventInput.parse(Array(text.utf8), defaults: defaults)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.code == .badInput)
            #expect(error.line == 2)
            #expect(error.field == field)
            #expect(error.description.hasPrefix("line 2: "))
        }
    }

    /// Large inputs are parsed and decoded on every core at once: the drafts come back in the
    /// input's order, and of several bad lines the first is the one named, wherever they fall.
    @Test(arguments: [[], [9000], [7000, 9000], [3, 9500], [12_000, 4]])
    func aLargeInputKeepsItsOrderAndNamesItsFirstBadLine(badLines: [Int]) throws {
        let count = 12_000
        var text = ""
        for n in 1...count {
            text += badLines.contains(n) ? #"{"type":"board.held","data":{},"seq":1}"# : #"{"type":"board.held","id":"b\#(n)","data":{"board":"b\#(n)"}}"#
            text += n == 5 ? "\n\n" : "\n"
        }
        do {
            let (drafts, lines) = try EventInput.parse(Array(text.utf8), defaults: defaults)
            #expect(badLines.isEmpty)
            #expect(drafts.map(\.id) == (1...count).map { "b\($0)" })
            #expect(lines == (1...count).map { $0 <= 5 ? $0 : $0 + 1 })
        } catch {
            let first = try #require(badLines.min())
            #expect(error.line == (first <= 5 ? first : first + 1) && error.field == "seq", "\(error)")
        }
    }

    @Test(arguments: [[], [5000], [4000, 11_000], [11_500, 2]])
    func aLargeBatchIsDecodedInOrderAndNamesItsFirstBadEvent(badEvents: [Int]) throws {
        let drafts = (0..<12_000).map { n in
            EventDraft(id: "a\(n)", known: nil, type: "action.updated", source: "s", actor: "a",
                       data: JSONObject([("action", .string("a\(n)")), ("status", .string(badEvents.contains(n) ? "sideways" : "on-track"))]))
        }
        let lines = (0..<12_000).map { $0 + 1 }
        do {
            let events = try Ledger.decodeAll(drafts, lines: lines)
            #expect(badEvents.isEmpty)
            #expect(events.map { event -> String? in if case .actionUpdated(let u)? = event { u.action } else { nil } } == drafts.map(\.id))
        } catch {
            let first = try #require(badEvents.min())
            #expect(error.line == first + 1 && error.field == "status", "\(error)")
        }
    }

    @Test func onlyTheDomainsEventTypesAreAccepted() {
        for good in DomainEvent.typeNames {
            #expect(EventInput.isEventType(good), "\(good)")
        }
        for bad in ["", "outturn", "Outturn.recorded", "outturn.", ".recorded", "a..b", "a.b.c", "a--b.c", "-a.b", "a b.c", "board.convened"] {
            #expect(!EventInput.isEventType(bad), "\(bad)")
        }
    }
}
