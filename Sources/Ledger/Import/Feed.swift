import EventLog
import LedgerModel

/// A feed file read into cells: one figure per area, indicator and period, each
/// remembering where in the file it came from.
public struct Feed: Sendable {
    public struct Cell: Sendable {
        public var area: String
        /// True when the file named the column `partnership` (false: `area`, or a Met borough).
        public var isPartnership: Bool
        public var indicator: String
        public var period: Period
        public var value: Double
        public var status: OutturnStatus?
        public var note: String?
        public var known: CalendarDate?
        public var line: Int
        public var column: Int
    }

    /// An indicator the feed defines on first sight (a Met crime category).
    public struct Definition: Sendable {
        public var indicator: String
        public var name: String
        public var line: Int
    }

    public var cells: [Cell] = []
    public var definitions: [Definition] = []
}

/// The formats `outturn import` reads.
public enum FeedFormat: String, Sendable, CaseIterable {
    /// The Met's wide borough-level crime file (either header shape).
    case mpsBorough = "mps-borough"
    /// A long CSV from any partner: area (or partnership), indicator, period, value, [status], [note], [known].
    case csv

    public func parse(_ bytes: [UInt8], feedName: String) throws(LedgerError) -> Feed {
        switch self {
        case .mpsBorough: try MPSBoroughFeed.parse(bytes, feedName: feedName)
        case .csv: try PartnerCSVFeed.parse(bytes)
        }
    }
}

/// A name as a slug: lowercase letters and digits joined by single hyphens, `&` read as "and"
/// ("Barking and Dagenham" → `barking-and-dagenham`, "Theft/Taking Of Motor Vehicle" →
/// `theft-taking-of-motor-vehicle`).
public func slug(_ name: String) -> String {
    var out: [UInt8] = []
    var pendingHyphen = false
    for c in name.utf8 {
        if c == UInt8(ascii: "&") {
            if !out.isEmpty { out.append(0x2D) }
            out.append(contentsOf: "and".utf8)
            pendingHyphen = true
            continue
        }
        let lower = (c >= 0x41 && c <= 0x5A) ? c + 32 : c
        if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
            if pendingHyphen && !out.isEmpty { out.append(0x2D) }
            pendingHyphen = false
            out.append(lower)
        } else {
            pendingHyphen = true
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The Met Police's borough-level crime file: `Borough,Major Category,Minor Category,YYYYMM…`
/// or `MajorText,MinorText,BoroughName,YYYYMM…`; one integer count per cell, zeros included.
enum MPSBoroughFeed {
    static func parse(_ bytes: [UInt8], feedName: String) throws(LedgerError) -> Feed {
        let rows = try CSVReader.rows(bytes)
        guard let header = rows.first else { throw LedgerError(.badInput, "the file is empty", line: 1) }
        let (boroughColumn, majorColumn, minorColumn): (Int, Int, Int)
        let names = header.fields.prefix(3).map { $0.trimmingCharacters() }
        switch names {
        case ["Borough", "Major Category", "Minor Category"]: (boroughColumn, majorColumn, minorColumn) = (0, 1, 2)
        case ["MajorText", "MinorText", "BoroughName"]: (boroughColumn, majorColumn, minorColumn) = (2, 0, 1)
        default:
            throw LedgerError(.badInput, "unknown header \"\(header.fields.prefix(3).joined(separator: ","))\": expected Borough,Major Category,Minor Category,YYYYMM… or MajorText,MinorText,BoroughName,YYYYMM…", line: header.line, field: "header")
        }
        var months: [Month] = []
        for (i, text) in header.fields.enumerated().dropFirst(3) {
            let t = text.trimmingCharacters()
            guard t.utf8.count == 6, let y = Int(t.prefix(4)), let m = Int(t.suffix(2)), let month = Month(year: y, month: m) else {
                throw LedgerError(.badInput, "column \(i + 1): header \"\(text)\" is not a month (YYYYMM)", line: header.line, field: "header")
            }
            months.append(month)
        }
        guard !months.isEmpty else {
            throw LedgerError(.badInput, "the header has no month columns (YYYYMM) after the three name columns", line: header.line, field: "header")
        }
        var feed = Feed()
        feed.cells.reserveCapacity((rows.count - 1) * months.count)
        var seenRows: [[String]: Int] = [:]
        var defined: Set<String> = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.fields.count else {
                throw LedgerError(.badInput, "has \(row.fields.count) columns, the header has \(header.fields.count) (a truncated or overlong row)", line: row.line, field: "columns")
            }
            let borough = row.fields[boroughColumn], major = row.fields[majorColumn], minor = row.fields[minorColumn]
            for (column, value) in [(boroughColumn, borough), (majorColumn, major), (minorColumn, minor)] where slug(value).isEmpty {
                throw LedgerError(.badInput, "column \(column + 1) (\(header.fields[column])): empty name", line: row.line, field: header.fields[column])
            }
            if let first = seenRows.updateValue(row.line, forKey: [borough, major, minor]) {
                throw LedgerError(.badInput, "duplicate row for \(borough) / \(major) / \(minor) (first on line \(first))", line: row.line, field: "row")
            }
            let indicator = "\(feedName).\(slug(major)).\(slug(minor))"
            if defined.insert(indicator).inserted {
                feed.definitions.append(Feed.Definition(indicator: indicator, name: "\(major) / \(minor)", line: row.line))
            }
            let area = slug(borough)
            for (i, month) in months.enumerated() {
                let text = row.fields[i + 3]
                guard let count = MPSBoroughFeed.count(text), count >= 0 else {
                    throw LedgerError(.badInput, "column \(i + 4) (\(header.fields[i + 3])): \"\(text)\" is not a count", line: row.line, field: header.fields[i + 3])
                }
                feed.cells.append(Feed.Cell(area: area, isPartnership: false, indicator: indicator, period: .month(month), value: Double(count),
                                            status: nil, note: nil, known: nil, line: row.line, column: i + 4))
            }
        }
        return feed
    }

    /// A cell's count as `Int(text.trimmingCharacters())` reads it — an optional sign and decimal
    /// digits, perhaps padded with spaces or tabs — read from the bytes when they are all ASCII
    /// (the file's hundred and fifty thousand cells, each trimmed as characters, were a third of reading it).
    static func count(_ text: String) -> Int? {
        var bytes = text.utf8[...]
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return Int(text.trimmingCharacters()) }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times10.subtractingReportingOverflow(Int(byte - 0x30)) : times10.addingReportingOverflow(Int(byte - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }
}

/// A partner's long CSV: a header naming `area` (or `partnership`), `indicator`, `period`,
/// `value`, and optionally `status`, `note`, `known`; one figure per row.
enum PartnerCSVFeed {
    static let required = ["indicator", "period", "value"]
    static let optional = ["status", "note", "known"]

    static func parse(_ bytes: [UInt8]) throws(LedgerError) -> Feed {
        let rows = try CSVReader.rows(bytes)
        guard let header = rows.first else { throw LedgerError(.badInput, "the file is empty", line: 1) }
        var index: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            let key = name.trimmingCharacters()
            guard ["area", "partnership"].contains(key) || required.contains(key) || optional.contains(key) else {
                throw LedgerError(.badInput, "column \(i + 1): unknown header \"\(name)\" (expected area or partnership, indicator, period, value, and optionally status, note, known)", line: header.line, field: name)
            }
            guard index.updateValue(i, forKey: key) == nil else {
                throw LedgerError(.badInput, "column \(i + 1): header \"\(name)\" appears twice", line: header.line, field: name)
            }
        }
        let areaKey = index["partnership"] != nil ? "partnership" : "area"
        for key in [areaKey] + required where index[key] == nil {
            throw LedgerError(.badInput, "the header has no \"\(key)\" column", line: header.line, field: key)
        }
        if index["partnership"] != nil, index["area"] != nil {
            throw LedgerError(.badInput, "the header names both area and partnership: give one", line: header.line, field: "area")
        }
        var feed = Feed()
        var seen: [String: Int] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == header.fields.count else {
                throw LedgerError(.badInput, "has \(row.fields.count) columns, the header has \(header.fields.count)", line: row.line, field: "columns")
            }
            func field(_ key: String) -> (text: String, column: Int)? {
                index[key].map { (row.fields[$0].trimmingCharacters(), $0 + 1) }
            }
            func fail(_ key: String, _ reason: String) -> LedgerError {
                LedgerError(.badInput, "column \(field(key)?.column ?? 0) (\(key)): \(reason)", line: row.line, field: key)
            }
            guard let area = field(areaKey)?.text, !area.isEmpty, slug(area) == area else {
                throw fail(areaKey, "\"\(field(areaKey)?.text ?? "")\" is not a slug (lowercase with hyphens, e.g. barking-and-dagenham)")
            }
            guard let indicator = field("indicator")?.text, !indicator.isEmpty, !indicator.contains(" ") else {
                throw fail("indicator", "\"\(field("indicator")?.text ?? "")\" is not an indicator id")
            }
            guard let periodText = field("period")?.text, let period = Period(periodText) else {
                throw fail("period", "\"\(field("period")?.text ?? "")\" is not a period (2015/16, 2015/16 Q1, 2014-12, 2014, 2021-09..2022-08)")
            }
            guard let valueText = field("value")?.text, let value = Double(valueText), value.isFinite else {
                throw fail("value", "\"\(field("value")?.text ?? "")\" is not a number")
            }
            var status: OutturnStatus?
            if let text = field("status")?.text, !text.isEmpty {
                guard let s = OutturnStatus(rawValue: text) else { throw fail("status", "\"\(text)\" is not provisional, final or projected") }
                status = s
            }
            var known: CalendarDate?
            if let text = field("known")?.text, !text.isEmpty {
                guard let d = CalendarDate(iso: text) else { throw fail("known", "\"\(text)\" is not a date (YYYY-MM-DD)") }
                known = d
            }
            let note = field("note")?.text
            let key = "\(area)\u{1}\(indicator)\u{1}\(period)"
            if let first = seen.updateValue(row.line, forKey: key) {
                throw LedgerError(.badInput, "duplicate row for \(area) / \(indicator) / \(period) (first on line \(first))", line: row.line, field: "row")
            }
            feed.cells.append(Feed.Cell(area: area, isPartnership: areaKey == "partnership", indicator: indicator, period: period, value: value,
                                        status: status, note: note.flatMap { $0.isEmpty ? nil : $0 }, known: known,
                                        line: row.line, column: field("value")?.column ?? 0))
        }
        return feed
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation needed).
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
