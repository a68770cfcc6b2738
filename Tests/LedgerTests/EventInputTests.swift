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

    @Test func onlyTheDomainsEventTypesAreAccepted() {
        for good in DomainEvent.typeNames {
            #expect(EventInput.isEventType(good), "\(good)")
        }
        for bad in ["", "outturn", "Outturn.recorded", "outturn.", ".recorded", "a..b", "a.b.c", "a--b.c", "-a.b", "a b.c", "board.convened"] {
            #expect(!EventInput.isEventType(bad), "\(bad)")
        }
    }
}
