import EventLog

/// One value in a view's row, typed so each output format can render it properly.
enum Cell {
    case text(String?)
    /// A figure: 12,187 in a table, 12187 in JSON and CSV.
    case number(Double?)
    /// A percentage already rounded to one decimal: -13.6% in a table, -13.6 in JSON and CSV.
    case percent(Double?)
    case bool(Bool)
    case list([String])
    /// Structured JSON (a nested list); tables and CSV show it compactly.
    case json(JSONValue)
    /// Nothing, said in words in a table ("target not yet set"); null in JSON, empty in CSV.
    case empty(String)
}

/// Builds a JSON object from cells, in order.
struct JSONObjectBuilder {
    var object = JSONObject()
    func add(_ key: String, _ cell: Cell) -> JSONObjectBuilder {
        var copy = self
        copy.object[key] = Table.jsonValue(cell)
        return copy
    }
}

/// A view as columns and rows, rendered as an aligned table, JSON or CSV.
struct Table {
    struct Column {
        /// The JSON key and CSV header.
        var key: String
        /// The table header.
        var title: String
        /// Widest a table cell may be before it is cut with "…" (JSON and CSV are never cut).
        var maxWidth = 48
    }

    var columns: [Column]
    var rows: [[Cell]] = []

    init(_ columns: [(key: String, title: String)]) {
        self.columns = columns.map { Column(key: $0.key, title: $0.title) }
    }

    mutating func append(_ row: [Cell]) { rows.append(row) }

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: renderTable()
        case .json: renderJSON()
        case .csv: renderCSV()
        }
    }

    /// Aligned columns; numbers right-aligned; empty cells shown as "–".
    func renderTable() -> String {
        guard !rows.isEmpty else { return "(no rows)\n" }
        let texts = rows.map { row in zip(row, columns).map { cell, column in Table.cut(Table.tableText(cell), column.maxWidth) } }
        let headers = columns.map { $0.title.uppercased() }
        var widths = headers.map(\.count)
        for row in texts { for (i, text) in row.enumerated() { widths[i] = max(widths[i], text.count) } }
        let rightAligned = columns.indices.map { i in rows.allSatisfy { row in
            switch row[i] { case .number, .percent: true; case .text(nil), .empty: true; default: false }
        } && rows.contains { row in if case .text = row[i] { false } else { true } } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, text in
                let pad = String(repeating: " ", count: widths[i] - text.count)
                return rightAligned[i] ? pad + text : (i == cells.count - 1 ? text : text + pad)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + texts.map(line)).joined(separator: "\n") + "\n"
    }

    func renderJSON() -> String {
        JSONWriter.string(Table.jsonArray(self)) + "\n"
    }

    /// The rows as a JSON array of objects keyed by the columns' keys.
    static func jsonArray(_ table: Table) -> JSONValue {
        .array(table.rows.map { row in
            JSONValue.object(JSONObject(zip(table.columns, row).map { ($0.key, Table.jsonValue($1)) }))
        })
    }

    /// RFC 4180: a header of the keys, fields quoted when they hold a comma, quote or line break.
    func renderCSV() -> String {
        // (Joined by hand: the standard library's `joined(separator:)` on strings is not
        // specialized, and its first call looked up types by name: some hundredths of a millisecond of a view.)
        var out = ""
        func line(_ fields: [String]) {
            for (i, field) in fields.enumerated() {
                if i > 0 { out += "," }
                out += field
            }
            out += "\r\n"
        }
        line(columns.map { Table.csvField($0.key) })
        for row in rows { line(row.map { Table.csvField(Table.plainText($0)) }) }
        return out
    }

    static func tableText(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return s.map { $0.replacing("\n", with: " ") } ?? "–"
        case .number(let v): return v.map { ukNumber($0) } ?? "–"
        case .percent(let v): return v.map { ukNumber($0, decimals: 1) + "%" } ?? "–"
        case .bool(let b): return b ? "yes" : "no"
        case .list(let items): return items.isEmpty ? "–" : items.joined(separator: "; ")
        case .json(let value): return summary(value)
        case .empty(let words): return words
        }
    }

    /// A nested list as a reader wants it in a table: "london 11.6%; national 68.3".
    static func summary(_ value: JSONValue) -> String {
        guard case .array(let items) = value else { return JSONWriter.string(value) }
        if items.isEmpty { return "–" }
        return items.map { item -> String in
            guard case .object(let o) = item else { return JSONWriter.string(item) }
            let name = o["area"]?.stringValue ?? o["indicator"]?.stringValue ?? ""
            if let change = o["changePercent"]?.numberValue { return "\(name) \(change.literal)%" }
            if let v = o["value"]?.numberValue { return "\(name) \(ukNumber(v.double))" }
            return name
        }.joined(separator: "; ")
    }

    static func plainText(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return s ?? ""
        case .number(let v): return v.map(plainNumber) ?? ""
        case .percent(let v): return v.map { fixed($0, decimals: 1) } ?? ""
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return items.joined(separator: "; ")
        case .json(let value): return summary(value)
        case .empty: return ""
        }
    }

    static func jsonValue(_ cell: Cell) -> JSONValue {
        switch cell {
        case .text(let s): return s.map(JSONValue.string) ?? .null
        case .number(let v):
            guard let v, v.isFinite else { return .null }
            return .number(JSONNumber(literal: plainNumber(v)) ?? JSONNumber(v))
        case .percent(let v):
            guard let v, v.isFinite else { return .null }
            return .number(JSONNumber(literal: fixed(v, decimals: 1)) ?? JSONNumber(v))
        case .bool(let b): return .bool(b)
        case .list(let items): return .array(items.map(JSONValue.string))
        case .json(let value): return value
        case .empty: return .null
        }
    }

    static func csvField(_ text: String) -> String {
        // (By byte: "\r\n" is one Character, equal to neither "\r" nor "\n".)
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    static func cut(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}

/// A figure without grouping: integers bare, others to at most 2 decimals (12187, 59.35).
func plainNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    var s = fixed(v, decimals: 2)
    while s.hasSuffix("0") { s.removeLast() }
    return s
}

/// A figure as a UK reader expects it: 12,187; 59.3; -13.6.
func ukNumber(_ v: Double, decimals: Int? = nil) -> String {
    let text = decimals.map { fixed(v, decimals: $0) } ?? plainNumber(v)
    let negative = text.hasPrefix("-")
    let unsigned = negative ? String(text.dropFirst()) : text
    let parts = unsigned.split(separator: ".", maxSplits: 1)
    var integer = String(parts[0])
    var grouped = ""
    while integer.count > 3 {
        grouped = "," + integer.suffix(3) + grouped
        integer.removeLast(3)
    }
    grouped = integer + grouped
    return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
}

/// The output formats of every view.
enum OutputFormat: String, CaseIterable {
    case table, json, csv

    static let option = OptionSpec(name: "--format", valueName: "FORMAT", help: "table (default), json or csv.")

    static func parse(_ arguments: ParsedArguments) throws(CLIError) -> OutputFormat {
        guard let text = arguments.value("--format") else { return .table }
        guard let format = OutputFormat(rawValue: text) else {
            throw CLIError.usage("--format '\(text)' is not one of table, json, csv")
        }
        return format
    }
}
