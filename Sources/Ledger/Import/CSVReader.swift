/// A small, strict RFC 4180 reader: quoted fields (with `""` for a quote, and line breaks
/// inside quotes), CRLF or LF line ends, an optional UTF-8 byte-order mark.
///
/// Works on bytes and builds a `String` per field only. Every row remembers the line it
/// started on, so errors can name it.
struct CSVReader {
    struct Row {
        /// The 1-based line the row starts on.
        var line: Int
        var fields: [String]
    }

    /// Parses the whole input; blank lines are skipped. Throws on a quote left open or
    /// characters after a closing quote.
    static func rows(_ bytes: [UInt8]) throws(LedgerError) -> [Row] {
        var rows: [Row] = []
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1
        var fields: [String] = []
        var rowLine = 1
        var field: [UInt8] = []
        var atFieldStart = true
        func endRow() {
            if !(fields.isEmpty && field.isEmpty && atFieldStart) {
                fields.append(String(decoding: field, as: UTF8.self))
                rows.append(Row(line: rowLine, fields: fields))
            }
            fields = []
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        while i < n {
            let c = bytes[i]
            if atFieldStart && c == UInt8(ascii: "\"") {
                // A quoted field: up to the closing quote, `""` standing for one quote.
                let openLine = line
                i += 1
                var closed = false
                while i < n {
                    let q = bytes[i]
                    if q == UInt8(ascii: "\"") {
                        if i + 1 < n, bytes[i + 1] == UInt8(ascii: "\"") { field.append(q); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    if q == 0x0A { line += 1 }
                    field.append(q)
                    i += 1
                }
                guard closed else { throw LedgerError(.badInput, "column \(fields.count + 1): a quoted field is never closed", line: openLine) }
                atFieldStart = false
                if i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D {
                    throw LedgerError(.badInput, "column \(fields.count + 1): characters after a closing quote", line: line)
                }
                continue
            }
            switch c {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            case 0x0D where i + 1 < n && bytes[i + 1] == 0x0A:
                break // the \n that follows ends the row
            case 0x0A, 0x0D:
                endRow()
                line += 1
                rowLine = line
            default:
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        endRow()
        return rows
    }
}
