import EventLog
import Testing
@testable import Ledger

/// The JSON Lines input of `outturn append`: what is accepted, what each error says.
struct EventInputTests {
    let defaults = InputDefaults(source: "met-police", actor: "bot", known: CalendarDate(iso: "2015-04-30"))

    @Test func blankLinesAndCarriageReturnsAreSkippedAndLinesKeepTheirNumbers() throws {
        let text = "\r\n" + #"{"type":"a.b","data":{"x":1}}"# + "\r\n   \n" + #"{"type":"c.d","data":{},"source":"mopac","known":"2014-01-01","actor":"me","id":"k1"}"#
        let (drafts, lines) = try EventInput.parse(Array(text.utf8), defaults: defaults)
        #expect(lines == [2, 4])
        #expect(drafts[0] == EventDraft(id: nil, known: CalendarDate(iso: "2015-04-30"), type: "a.b", source: "met-police", actor: "bot",
                                        data: JSONObject([("x", .number(JSONNumber(1)))])))
        #expect(drafts[1] == EventDraft(id: "k1", known: CalendarDate(iso: "2014-01-01"), type: "c.d", source: "mopac", actor: "me", data: JSONObject()))
    }

    @Test(arguments: [
        ("{", nil as String?),
        (#"{"type":"a.b"}"#, "data"),
        (#"{"type":"A.b","data":{}}"#, "type"),
        (#"{"type":"a.b.c","data":{}}"#, "type"),
        (#"{"type":"a-.b","data":{}}"#, "type"),
        (#"{"type":"a.b","data":{},"hash":"x"}"#, "hash"),
        (#"{"type":"a.b","data":{},"source":7}"#, "source"),
        (#"{"type":"a.b","data":{},"known":"2015-02-29"}"#, "known"),
    ])
    func eachBadLineNamesItsLineAndField(line: String, field: String?) {
        let text = #"{"type":"a.b","data":{}}"# + "\n" + line + "\n"
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

    @Test func eventTypeNamesAreLowercaseWordPairs() {
        for good in ["outturn.recorded", "board.held", "priority.set", "event.retracted", "a1.b-c"] {
            #expect(EventInput.isEventType(good), "\(good)")
        }
        for bad in ["", "outturn", "Outturn.recorded", "outturn.", ".recorded", "a..b", "a.b.c", "a--b.c", "-a.b", "a b.c"] {
            #expect(!EventInput.isEventType(bad), "\(bad)")
        }
    }
}
