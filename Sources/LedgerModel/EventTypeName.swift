/// The name of an event type: `subject.verb`, e.g. `outturn.recorded`, `target.revised`.
///
/// Each half is a lowercase word that may contain hyphens (`board.held`,
/// `priority.set`). The domain's catalogue of known types builds on this shape.
public struct EventTypeName: Sendable, Hashable, CustomStringConvertible {
    public let subject: String
    public let verb: String

    /// Parses `word.word`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(EventTypeName.isWord) else { return nil }
        subject = String(parts[0])
        verb = String(parts[1])
    }

    public var description: String { "\(subject).\(verb)" }

    /// A lowercase ASCII word: starts with a letter; letters, digits and single inner hyphens.
    static func isWord(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first >= 0x61, first <= 0x7A, text.utf8.last != 0x2D else { return false }
        var previousWasHyphen = false
        for c in text.utf8 {
            let isHyphen = c == 0x2D
            guard (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || isHyphen, !(isHyphen && previousWasHyphen) else { return false }
            previousWasHyphen = isHyphen
        }
        return true
    }
}
