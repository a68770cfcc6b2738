import Testing

@testable import EventLog

@Suite("JSONWriter")
struct JSONWriterTests {
    /// Checks write → parse gives an equal value and write(parse(write(x))) == write(x), in both key orders.
    func expectRoundTrip(_ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for sortedKeys in [false, true] {
            var written: [UInt8] = []
            JSONWriter.write(value, into: &written, sortedKeys: sortedKeys)
            let reparsed = try JSONReader.parse(written)
            #expect(reparsed == value, sourceLocation: sourceLocation)
            var rewritten: [UInt8] = []
            JSONWriter.write(reparsed, into: &rewritten, sortedKeys: sortedKeys)
            #expect(rewritten == written, sourceLocation: sourceLocation)
            #expect(JSONWriter.string(value, sortedKeys: sortedKeys) == String(decoding: written, as: UTF8.self))
        }
    }

    @Test func writesCompactForm() throws {
        let value = try JSONReader.parse(" { \"b\" : [ 1 , 0.20 , -3e+2 ] ,\n \"a\" : { } , \"c\" : [ ] , \"d\" : null , \"e\" : true , \"f\" : false } ")
        #expect(JSONWriter.string(value) == #"{"b":[1,0.20,-3e+2],"a":{},"c":[],"d":null,"e":true,"f":false}"#)
    }

    @Test("round trip of the valid corpus", arguments: jsonValidCases)
    func validCorpusRoundTrips(_ testCase: JSONValidCase) throws {
        try expectRoundTrip(try JSONReader.parse(testCase.input))
    }

    @Test func randomDocumentsRoundTrip() throws {
        var generator = JSONDocumentGenerator(seed: 0xC0FF_EE00)
        for _ in 0..<500 {
            let value = try JSONReader.parse(generator.document())
            try expectRoundTrip(value)
        }
    }

    @Test func constructedValuesRoundTrip() throws {
        let value = jsonObj(
            ("text", .string("quote \" backslash \\ slash / tab \t nul \u{0} del \u{7F} é 😀 \u{10FFFF}")),
            ("numbers", .array([.number(JSONNumber(-12187)), .number(JSONNumber(0.1)), .number(JSONNumber(1e300)), jsonNum("0.20")])),
            ("nested", jsonObj(("z", .null), ("a", .array([.bool(true), .bool(false), .object(JSONObject())])))),
            ("", .string("")))
        try expectRoundTrip(value)
    }

    @Test func escapesEveryControlCharacter() throws {
        let short: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        for code in UInt8(0x00)...UInt8(0x1F) {
            let string = String(Character(Unicode.Scalar(code)))
            var buffer: [UInt8] = []
            JSONWriter.writeString(string, into: &buffer)
            let hex = String(code, radix: 16)
            let expected = "\"" + (short[code] ?? "\\u00" + String(repeating: "0", count: 2 - hex.count) + hex) + "\""
            #expect(String(decoding: buffer, as: UTF8.self) == expected, "control 0x\(hex)")
            #expect(try JSONReader.parse(buffer) == .string(string))
        }
        #expect(JSONWriter.string(.string("\u{1B}[0m\u{1F}")) == #""\u001b[0m\u001f""#)
    }

    @Test func escapesOnlyQuoteBackslashAndControls() {
        var buffer: [UInt8] = []
        JSONWriter.writeString("a\"b\\c/d\u{7F}é€😀", into: &buffer)
        #expect(buffer == Array(#""a\"b\\c/d"#.utf8) + [0x7F] + Array("é€😀\"".utf8))
        buffer.removeAll()
        JSONWriter.writeString("", into: &buffer)
        #expect(buffer == Array(#""""#.utf8))
    }

    @Test func writeAppendsToExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        JSONWriter.write(.array([.null, jsonNum("1")]), into: &buffer)
        JSONWriter.writeString("x", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:[null,1]"x""#)
    }

    @Test func sortedKeysOrdersByUTF8Bytes() throws {
        let value = try JSONReader.parse(#"{"b":1,"é":2,"a":{"y":1,"x":2},"Z":3,"aa":4,"":5,"😀":6,"\u007f":7}"#)
        #expect(JSONWriter.string(value, sortedKeys: true) == "{\"\":5,\"Z\":3,\"a\":{\"x\":2,\"y\":1},\"aa\":4,\"b\":1,\"\u{7F}\":7,\"é\":2,\"😀\":6}")
        #expect(JSONWriter.string(value) == "{\"b\":1,\"é\":2,\"a\":{\"y\":1,\"x\":2},\"Z\":3,\"aa\":4,\"\":5,\"😀\":6,\"\u{7F}\":7}")
    }

    @Test("sorted keys come out in UTF-8 byte order for objects of every size, in any order given")
    func sortedKeysForObjectsOfEverySize() throws {
        // Small objects are ordered by insertion, large ones (over 32 keys) by a sort: both must
        // give the bytes' order. Keys share prefixes and include non-ASCII ones.
        let pool = (0..<45).map { n in ["k\(n)", "K\(n)", "é\(n)", "k\(n)x", "\(n)"][n % 5] }
        var random = JSONTestRandom(seed: 0x50_47ED)
        for size in 0...pool.count {
            var keys = Array(pool.prefix(size))
            for i in keys.indices.reversed() { keys.swapAt(i, random.int(0...i)) }
            let object = JSONObject(keys.enumerated().map { ($0.element, .number(JSONNumber($0.offset))) })
            let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let written = JSONWriter.string(.object(object), sortedKeys: true)
            let reread = try #require(JSONReader.parse(written).objectValue)
            #expect(reread.keys == expected, "size \(size)")
            #expect(reread == object, "size \(size)")
        }
    }

    @Test func isInSortedOrderExactlyWhenTheSortedWriteChangesNothing() throws {
        // Nested objects, objects in arrays, keys that differ only past a shared prefix, and
        // non-ASCII keys (byte order, not Unicode order): the claim is checked against the writer.
        let documents = [
            #"{}"#, #"{"a":1}"#, #"{"a":1,"b":2}"#, #"{"b":1,"a":2}"#, #"{"a":1,"aa":2}"#, #"{"aa":1,"a":2}"#,
            #"{"a":{"x":1,"y":2},"b":[{"p":1,"q":2}]}"#, #"{"a":{"y":1,"x":2},"b":1}"#, #"{"a":[1,{"q":1,"p":2}]}"#,
            #"{"Z":1,"a":2}"#, #"{"a":1,"Z":2}"#, #"{"z":1,"é":2}"#, #"{"é":1,"z":2}"#, #"{"é":1,"😀":2}"#, #"{"":1,"a":2}"#,
            #"{"area":"lewisham","indicator":"met.x","period":"2010-05","value":5}"#,
        ]
        for text in documents {
            guard case .object(let object) = try JSONReader.parse(text) else { Issue.record("not an object: \(text)"); continue }
            let sortedWriteChangesNothing = JSONWriter.string(.object(object), sortedKeys: true) == JSONWriter.string(.object(object))
            #expect(JSONWriter.isInSortedOrder(object) == sortedWriteChangesNothing, "\(text)")
        }
        #expect(try JSONWriter.isInSortedOrder(#require(JSONReader.parse(#"{"a":{"y":1,"x":2}}"#).objectValue)) == false)
    }

    @Test func aContentDigestFromSortedDataBytesEqualsTheOneFromTheData() throws {
        // A batch hashes the data bytes it just wrote instead of writing them again: the digests
        // must be the ones the id index has always held.
        for text in [#"{"area":"lewisham","indicator":"met.x","period":"2010-05","value":5}"#, #"{"a":{"b":[1,"x\n"]}}"#, "{}"] {
            guard case .object(let object) = try JSONReader.parse(text) else { Issue.record("not an object"); continue }
            var bytes: [UInt8] = []
            JSONWriter.write(.object(object), into: &bytes)
            let fromBytes = bytes.withUnsafeBytes { LogRecord.contentDigest(type: "outturn.recorded", sortedDataBytes: $0) }
            #expect(fromBytes == LogRecord.contentDigest(type: "outturn.recorded", data: object), "\(text)")
        }
    }

    @Test func aContentDigestFromMembersHashedInKeyOrderEqualsTheOneFromTheData() throws {
        // A batch whose data's keys are out of order hashes the members it wrote, in the order of
        // their keys, instead of writing the data again sorted: the digests must not change. Every
        // member's value here is in sorted order (nested objects and arrays included), as the
        // shortcut requires; keys that share prefixes and non-ASCII keys test the order.
        let documents = [
            #"{"indicator":"b-1","name":"Batch 1","unit":"count","polarity":"lower-better"}"#,
            #"{"value":5,"period":"2010-05","indicator":"met.x","area":"lewisham"}"#,
            #"{"b":1,"a":2}"#, #"{"aa":1,"a":2,"":3}"#, #"{"é":1,"z":2,"😀":3,"Z":4}"#,
            #"{"z":{"a":1,"b":[1,{"p":1,"q":2}]},"y":[],"x":{},"w":null,"v":true,"u":"q\"uote\n"}"#,
            #"{"a":1}"#, "{}", #"{"a":1,"b":2}"#,
        ]
        for text in documents {
            let object = try #require(JSONReader.parse(text).objectValue)
            #expect(JSONWriter.membersAreInSortedOrder(object), "\(text)")
            var bytes = Array("prefix".utf8), starts: [Int] = []
            let dataStart = bytes.count
            JSONWriter.write(object: object, into: &bytes, memberStarts: &starts)
            #expect(String(decoding: bytes[dataStart...], as: UTF8.self) == JSONWriter.string(.object(object)), "\(text)")
            let fromMembers = bytes.withUnsafeBytes {
                LogRecord.contentDigest(type: "indicator.defined", data: object, written: $0, at: dataStart..<bytes.count, memberStarts: starts)
            }
            #expect(fromMembers == LogRecord.contentDigest(type: "indicator.defined", data: object), "\(text)")
        }
        // A member whose own keys are out of order is not in sorted order: the shortcut is not taken.
        #expect(try !JSONWriter.membersAreInSortedOrder(#require(JSONReader.parse(#"{"a":{"y":1,"x":2}}"#).objectValue)))
    }

    @Test func objectEqualityIgnoresOrderButWriterPreservesIt() throws {
        let ab = JSONObject([("a", jsonNum("1")), ("b", .array([jsonNum("2")]))])
        let ba = JSONObject([("b", .array([jsonNum("2")])), ("a", jsonNum("1"))])
        #expect(ab == ba)
        #expect(ab.hashValue == ba.hashValue)
        #expect(Set([JSONValue.object(ab), .object(ba)]).count == 1)
        #expect(JSONWriter.string(.object(ab)) == #"{"a":1,"b":[2]}"#)
        #expect(JSONWriter.string(.object(ba)) == #"{"b":[2],"a":1}"#)
        #expect(JSONWriter.string(.object(ab), sortedKeys: true) == JSONWriter.string(.object(ba), sortedKeys: true))
        #expect(try JSONReader.parse(#"{"x":1,"y":2}"#) == JSONReader.parse(#"{"y":2,"x":1}"#))
        #expect(ab != JSONObject([("a", jsonNum("1"))]))
        #expect(ab != JSONObject([("a", jsonNum("1")), ("c", .array([jsonNum("2")]))]))
        #expect(ab != JSONObject([("a", jsonNum("1.0")), ("b", .array([jsonNum("2")]))]))
    }

    @Test func objectSubscriptAppendsReplacesAndRemoves() {
        var object = JSONObject()
        #expect(object.isEmpty)
        object["b"] = jsonNum("1")
        object["a"] = jsonNum("2")
        object["b"] = .string("replaced")
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == .string("replaced"))
        object["b"] = nil
        object["missing"] = nil
        #expect(object.keys == ["a"] && object.count == 1)
        // Across the size at which lookups switch to a hash index.
        for i in 0..<40 { object["k\(i)"] = .number(JSONNumber(i)) }
        #expect(object.count == 41 && object["k33"] == .number(JSONNumber(33)))
        for i in stride(from: 0, to: 40, by: 2) { object["k\(i)"] = nil }
        #expect(object.count == 21 && object["k2"] == nil && object["k3"] == .number(JSONNumber(3)))
        for i in stride(from: 1, to: 40, by: 2) { object["k\(i)"] = nil }
        #expect(object.keys == ["a"])
        object["k1"] = .null
        #expect(object.keys == ["a", "k1"])
    }
}
