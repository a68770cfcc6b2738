import Projections
import Testing

/// A status row measures its figure against the latest baseline set for its partnership and
/// indicator (one its target does not name): the latest by seq, not retracted, and only ever
/// its own partnership's.
struct StatusBaselineTests {
    @Test func eachRowMeasuresAgainstItsOwnLatestLiveBaseline() throws {
        let fixture = try LedgerFixture()
        try fixture.append([
            #"{"type":"partnership.registered","data":{"partnership":"lewisham","name":"Safer Lewisham"}}"#,
            #"{"type":"partnership.registered","data":{"partnership":"southwark","name":"Safer Southwark"}}"#,
            #"{"type":"indicator.defined","data":{"indicator":"crime","name":"Crime","unit":"count","polarity":"lower-better"}}"#,
            #"{"type":"baseline.set","data":{"baseline":"b-old","partnership":"lewisham","indicator":"crime","label":"2012/13","periods":["2012/13"],"method":"value","value":100}}"#,
            #"{"type":"baseline.set","data":{"baseline":"s-only","partnership":"southwark","indicator":"crime","label":"2013/14","periods":["2013/14"],"method":"value","value":50}}"#,
            #"{"type":"baseline.set","id":"newer","data":{"baseline":"b-new","partnership":"lewisham","indicator":"crime","label":"2013/14","periods":["2013/14"],"method":"value","value":200}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"lewisham","indicator":"crime","period":"2014/15","value":150}}"#,
            #"{"type":"outturn.recorded","data":{"partnership":"southwark","indicator":"crime","period":"2014/15","value":75}}"#,
        ])
        func percents() throws -> [String: Double?] {
            Dictionary(uniqueKeysWithValues: try fixture.state().statusRows().map { ($0.partnership, $0.baselineChangePercent) })
        }
        #expect(try percents() == ["lewisham": -25.0, "southwark": 50.0])
        try fixture.append([#"{"type":"event.retracted","data":{"event":"newer","reason":"set in error"}}"#])
        #expect(try percents() == ["lewisham": 50.0, "southwark": 50.0])
    }
}
