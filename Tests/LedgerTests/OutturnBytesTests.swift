import Foundation
import Testing
@testable import EventLog
@testable import Ledger
import LedgerModel

/// The replay's fast path for outturn lines (``OutturnBytes``, through the decoder's
/// `decode(_: LineEnvelope)`) gives exactly what decoding the line's JSON tree gives — or
/// declines, and the line is decoded that way instead. Tried on every line of a generated
/// history, on objects built field by field in every shape an outturn can take (and many it
/// cannot), on byte-level damage to them, and on numbers against `Double(String)`.
struct OutturnBytesTests {
    /// What the usual path makes of `data`: the lenient decoding of its JSON tree, if any.
    static func decodedTheUsualWay(_ data: [UInt8]) -> OutturnRecorded? {
        let parsed = data.withUnsafeBytes { try? JSONReader.parse($0) }
        guard case .object(let object)? = parsed,
              case .outturnRecorded(let outturn)? = try? EventDecoder.decode(type: "outturn.recorded", data: object, strict: false)
        else { return nil }
        return outturn
    }

    static func fast(_ data: [UInt8]) -> OutturnRecorded? { data.withUnsafeBytes { OutturnBytes.decode($0) } }

    /// Whenever the fast path answers, the usual path gives the same outturn.
    static func expectAgreement(_ data: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = fast(data) else { return false }
        #expect(decodedTheUsualWay(data) == fast, "\(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
        return true
    }

    @Test func everyLineOfAGeneratedHistoryDecodesAsItsRecordDoes() throws {
        var bytes: [UInt8] = []
        var prev = SHA256Digest.zero, seq = 0
        SyntheticHistory(boroughs: 3, indicators: 16, years: 2, seed: 5).forEachEvent { draft in
            seq += 1
            prev = LogRecord.encode(seq: seq, id: draft.id ?? "e\(seq)", recorded: Timestamp(millisecondsSince1970: 1_700_000_000_000 + Int64(seq)),
                                    known: draft.known ?? CalendarDate(isoBytes: Array("2020-01-01".utf8)[...])!, type: draft.type,
                                    source: draft.source, actor: draft.actor, data: draft.data, prev: prev, into: &bytes)
            return true
        }
        var fastOnes = 0, outturns = 0
        try bytes.withUnsafeBytes { all in
            var start = 0
            for end in all.indices where all[end] == 0x0A {
                let line = UnsafeRawBufferPointer(rebasing: all[start..<end])
                start = end + 1
                let canonical = try #require(CanonicalLine.scan(line))
                var decoder = Ledger.LedgerEventDecoder(point: nil)
                let usual = decoder.decode(try LogRecord.decode(line: line), line: line)
                if case .event(let event, _) = usual, case .outturnRecorded = event.event { outturns += 1 }
                guard let fast = decoder.decode(LineEnvelope(line, canonical)) else { continue }
                fastOnes += 1
                guard case .event(let a, let aLine) = fast, case .event(let b, let bLine) = usual else {
                    Issue.record("seq \(canonical.seq): the fast path gave \(fast), the usual one \(usual)")
                    continue
                }
                #expect(a == b && aLine == bLine, "seq \(canonical.seq)")
                // A replay that writes no checkpoint keeps only the id's hashes: the same hashes.
                var idless = Ledger.LedgerEventDecoder(point: nil, keepsIDs: false)
                if case .event(let c, _)? = idless.decode(LineEnvelope(line, canonical)) {
                    #expect(c.id.isEmpty && c.idKey == b.idKey && c.event == b.event, "seq \(canonical.seq)")
                } else {
                    Issue.record("seq \(canonical.seq): no event without its id")
                }
            }
        }
        // Every outturn the generator writes is in the layout the fast path reads; nothing else takes it.
        #expect(outturns > 1000 && fastOnes == outturns)
    }

    @Test func objectsOfEveryShapeDecodeAsTheirTreeDoes() {
        var random = SplitMix64(seed: 42)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        /// Mostly one of `good`, now and then one of `bad`.
        func pick(_ good: [String], or bad: [String]) -> String { random.next() % 8 == 0 ? pick(bad) : pick(good) }
        let slugs = ["\"borough-1\"", "\"london\"", "\"MOPAC7.burglary\""]
        let badStrings = ["\"\"", "\"caf\u{e9}\"", "\"a\\\"b\"", "\"tab\\there\"", "null", "1", "true", "[]", "{}"]
        let goodPeriods = ["\"2014-12\"", "\"2015/16\"", "\"2015/16 Q3\"", "\"2014\"", "\"2021-09..2022-08\"", "\"0001-01\"", "\"9999-12\""]
        let badPeriods = ["\"2014-13\"", "\"14-12\"", "\"2014-1\"", "\"0000-01\"", "\"soon\"", "null", "2014"]
        let goodNumbers = ["0", "-0", "7", "186", "33.7", "-0.15", "0.05", "123456789012345", "12345678.9012345", "0.000000000000001", "3.14159"]
        let badNumbers = ["1e3", "1E-2", "01", "1.", ".5", "-", "1234567890123456", "9007199254740993", "\"5\"", "null", "true"]
        let goodStatuses = ["\"provisional\"", "\"final\"", "\"projected\""]
        let badStatuses = ["\"Final\"", "\"\"", "null"]
        func text() -> String { pick(slugs, or: badStrings) }
        func period() -> String { pick(goodPeriods, or: badPeriods) }
        func number() -> String { pick(goodNumbers, or: badNumbers) }
        var accepted = 0
        for _ in 0..<20_000 {
            var members: [(String, String)] = []
            switch random.next() % 10 {
            case 0: members.append(("area", text()))
            case 1: members.append(("partnership", text())); members.append(("area", text()))
            case 2: break
            default: members.append(("partnership", text()))
            }
            if random.next() % 12 != 0 { members.append(("indicator", text())) }
            if random.next() % 12 != 0 { members.append(("period", period())) }
            switch random.next() % 6 {
            case 0: members.append(("numerator", number())); members.append(("denominator", number()))
            case 1: members.append(("change", number())); members.append(("against", period()))
            case 2: members.append(("numerator", number()))
            case 3: members.append(("value", number())); if random.next() % 2 == 0 { members.append(("change", number())) }
            default: members.append(("value", number()))
            }
            if random.next() % 2 == 0 { members.append(("status", pick(goodStatuses, or: badStatuses))) }
            if random.next() % 5 == 0 { members.append(("note", text())) }
            if random.next() % 20 == 0 { members.append(("source", text())) }           // a field outturns lack
            if random.next() % 20 == 0, let first = members.first { members.append(first) }    // a duplicate key
            for i in members.indices.reversed() where random.next() % 3 == 0 {                  // any order
                members.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
            let spaced = random.next() % 25 == 0
            let text = "{" + members.map { "\"\($0.0)\":" + (spaced ? " " : "") + $0.1 }.joined(separator: ",") + "}"
            if Self.expectAgreement(Array(text.utf8)) { accepted += 1 }
        }
        // The fast path takes the ordinary shapes (a good share of these), and declines the rest.
        #expect(accepted > 2_000)
        #expect(Self.fast(Array(#"{"partnership":"borough-9","indicator":"MOPAC7.vwi","period":"2018-06","value":186,"status":"provisional"}"#.utf8)) != nil)
        #expect(Self.fast(Array(#"{"area":"london","indicator":"rate","period":"2015/16","numerator":70,"denominator":114,"note":"n"}"#.utf8)) != nil)
        #expect(Self.fast(Array(#"{"partnership":"borough-9","indicator":"x","period":"2018-06","change":-0.15,"against":"2014"}"#.utf8)) != nil)
    }

    @Test func damagedBytesAreDeclinedOrDecodedAsTheirTreeIs() {
        let good = Array(#"{"partnership":"borough-9","indicator":"MOPAC7.vwi","period":"2018-06","value":186.5,"status":"provisional","note":"ok"}"#.utf8)
        #expect(Self.expectAgreement(good))
        var random = SplitMix64(seed: 7)
        let alphabet = Array(#"{}[]",:.-+0123456789eE aZ\/"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            var bytes = good
            for _ in 0..<(1 + random.next() % 3) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                }
                if bytes.isEmpty { break }
            }
            _ = Self.expectAgreement(bytes)
        }
    }

    @Test func numbersReadAsDoubleOfTheirTextDoes() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<50_000 {
            let digits = 1 + Int(random.next() % 15)
            var text = (0..<digits).map { _ in String(random.next() % 10) }.joined()
            while text.count > 1 && text.first == "0" { text.removeFirst() }
            let point = Int(random.next() % UInt64(text.count + 1))
            if point > 0 && point < text.count { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
            if point == 0, text.count < 15, random.next() % 2 == 0 { text = "0." + text }
            if random.next() % 3 == 0 { text = "-" + text }
            let data = Array(#"{"area":"london","indicator":"x","period":"2014","value":\#(text)}"#.utf8)
            guard let fast = Self.fast(data) else { Issue.record("\(text) was declined"); continue }
            guard case .number(let value) = fast.value else { Issue.record("\(text): \(fast.value)"); continue }
            #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
    }
}
