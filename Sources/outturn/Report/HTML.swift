/// A piece of an HTML document, built as a value and rendered once.
///
/// Why a tree rather than string concatenation: every ledger string enters the page as
/// ``text(_:)`` or as an attribute value, and ``render(into:)`` escapes both — so a
/// progress note holding `<script>` can only ever come out as text. The one way to put
/// markup in unescaped is ``trusted(_:)``, which takes a `StaticString`: a literal written
/// in this source, never a value read from a ledger.
enum HTMLNode {
    /// `<name attributes…>children…</name>`; names are literals in our code, values are escaped.
    case element(String, [(String, String)], [HTMLNode])
    /// Text content, escaped on output.
    case text(String)
    /// Markup known at compile time (the style sheet, the doctype).
    case trusted(StaticString)
    /// Several nodes side by side, with no element around them.
    case fragment([HTMLNode])

    /// Elements followed by a line break, where whitespace never shows: the page then reads
    /// (and two reports diff) line by line, a table row to a line.
    static let lineBreakAfter: Set<String> = [
        "html", "head", "body", "meta", "title", "style", "header", "footer", "section", "article", "figure", "figcaption",
        "h1", "h2", "h3", "p", "dl", "dt", "dd", "ul", "li", "table", "caption", "thead", "tbody", "tr", "svg", "g",
    ]

    /// HTML's void elements: written `<meta … />`, never with a closing tag.
    static let voidElements: Set<String> = ["meta", "br", "hr", "img", "link", "col", "wbr"]

    /// Builds an element; `attributes` keep their order so the page is byte-for-byte reproducible.
    static func el(_ name: String, _ attributes: KeyValuePairs<String, String>, _ children: HTMLNode...) -> HTMLNode {
        .element(name, attributes.map { ($0.key, $0.value) }, children)
    }

    /// Builds an element without attributes.
    static func el(_ name: String, _ children: HTMLNode...) -> HTMLNode {
        .element(name, [], children)
    }

    /// Builds an element from a list of children computed elsewhere.
    static func el(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], children: [HTMLNode]) -> HTMLNode {
        .element(name, attributes.map { ($0.key, $0.value) }, children)
    }

    /// Builds an element whose attributes are computed (optional ones left out by the caller).
    static func el(_ name: String, attributes: [(String, String)], children: [HTMLNode]) -> HTMLNode {
        .element(name, attributes, children)
    }

    /// The node as markup.
    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    /// Appends the node's markup to `out`.
    func render(into out: inout String) {
        switch self {
        case .text(let text):
            out += HTML.escapeText(text)
        case .trusted(let markup):
            out += markup.description
        case .fragment(let nodes):
            for node in nodes { node.render(into: &out) }
        case .element(let name, let attributes, let children):
            out += "<" + name
            for (key, value) in attributes { out += " \(key)=\"\(HTML.escapeAttribute(value))\"" }
            if children.isEmpty, HTMLNode.voidElements.contains(name) || HTML.svgElements.contains(name) {
                out += " />"
            } else {
                out += ">"
                for child in children { child.render(into: &out) }
                out += "</\(name)>"
            }
            if HTMLNode.lineBreakAfter.contains(name) { out += "\n" }
        }
    }
}

/// Escaping for text taken from a ledger.
enum HTML {
    /// SVG elements that may close themselves when empty (`<line … />`), as HTML's foreign-content rules allow.
    static let svgElements: Set<String> = ["line", "polyline", "polygon", "path", "circle", "rect", "ellipse"]

    /// Text content: `&`, `<` and `>` become entities, and control characters that HTML forbids
    /// become U+FFFD — a NUL in a feed's note must not end or corrupt the page.
    static func escapeText(_ text: String) -> String {
        escape(text, quotes: false)
    }

    /// An attribute value (always written inside double quotes): as text, plus both quotes,
    /// so a value can never end its attribute early.
    static func escapeAttribute(_ text: String) -> String {
        escape(text, quotes: true)
    }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                // C0 and C1 controls, DEL and noncharacters are not allowed in an HTML document.
                let v = scalar.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
