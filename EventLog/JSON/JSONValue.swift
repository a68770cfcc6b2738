// A small, strict JSON value model for the event log.
//
// Numbers keep their exact source literal and objects keep their source key
// order, so a value read from a log line can be written back byte for byte.

/// One JSON value.
///
/// Equality is structural: numbers compare by literal (`1.0 != 1`), strings by
/// Swift `String` equality (canonical equivalence), objects ignore key order
/// (see `JSONObject`).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, or nil if this is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, or nil if this is not an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, or nil if this is not an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The boolean, or nil if this is not `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, or nil if this is not a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// True only for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type's name for error messages: "null", "boolean", "number", "string", "array", "object".
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A number kept as its exact source literal (so 0.20 and 12187 round-trip byte for byte; equality is by literal).
///
/// `0.20`, `0.2` and `2e-1` are therefore three different values; compare
/// `double` (or `int`) when numeric equality is wanted.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal, valid RFC 8259 number grammar (`-? int frac? exp?`).
    public let literal: String

    /// Wraps `literal`; nil unless it is exactly one valid JSON number (no whitespace, no `+`, no leading zeros).
    public init?(literal: String) {
        var text = literal
        let valid = text.withUTF8 { utf8 -> Bool in
            let bytes = UnsafeRawBufferPointer(utf8)
            guard let end = try? JSONReader.scanNumber(bytes, from: 0) else { return false }
            return end == bytes.count
        }
        guard valid else { return nil }
        self.literal = literal
    }

    /// Wraps a literal the reader has already validated.
    init(validatedLiteral literal: String) {
        self.literal = literal
    }

    /// The decimal form of `value`, e.g. `12187`, `-3`.
    public init(_ value: Int) {
        self.literal = String(value)
    }

    /// The shortest form that reads back as exactly `value`, as Swift's `description` writes it.
    ///
    /// That form is always valid JSON for a finite double: integral values keep a
    /// fraction (`3.0`), large and small ones use an exponent (`1e+20`, `1e-05`),
    /// and negative zero is `-0.0`. Precondition: `value.isFinite`.
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON cannot represent \(value)")
        let text = value.description
        assert(JSONNumber(literal: text) != nil, "Double.description gave non-JSON \(text)")
        self.literal = text
    }

    /// The nearest double; ±infinity when the literal is beyond `Double`'s range (e.g. `1e400`).
    public var double: Double {
        // The literal is valid JSON number grammar, which Double's parser always accepts.
        Double(literal) ?? .nan
    }

    /// The exact value if the literal is an integer (no fraction, no exponent) within `Int`'s range; otherwise nil.
    public var int: Int? {
        for byte in literal.utf8 where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            return nil
        }
        return Int(literal)
    }

    public var description: String { literal }
}

/// An object that keeps its keys in source order. Duplicate keys are not representable.
///
/// Iteration, `keys` and `JSONWriter` follow that order. Equality does not: two
/// objects are equal iff they have the same set of keys with equal values, in any
/// order (and `hashValue` agrees). Keys are compared with Swift `String`
/// equality, so canonically equivalent spellings (NFC "é" and NFD "e\u{301}")
/// are the same key.
public struct JSONObject: Hashable, Sendable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    /// The members in order; keys are unique.
    private(set) var entries: [Element]
    /// Key → position in `entries`; present only once the object has `indexThreshold` members.
    private var index: [String: Int]?

    /// Below this many members a linear scan beats hashing.
    static let indexThreshold = 16

    /// An empty object.
    public init() {
        entries = []
        index = nil
    }

    /// An object with `pairs` in the given order. Precondition: no two keys are equal.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            precondition(position(of: key) == nil, "duplicate key \"\(key)\" in JSONObject")
            append(key, value)
        }
    }

    /// Wraps members whose keys the caller knows to be unique (distinct literals, say).
    package init(uniqueEntries: [Element]) {
        entries = uniqueEntries
        index = nil
        if entries.count >= Self.indexThreshold { rebuildIndex() }
    }

    /// The value for `key`, or nil. Setting a new key appends it, setting an existing key replaces its value in place, setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                    if entries.count < Self.indexThreshold { index = nil } else { rebuildIndex() }
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of members.
    public var count: Int { entries.count }

    /// True when there are no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        entries.makeIterator()
    }

    public var underestimatedCount: Int { entries.count }

    /// Same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (key, value) in lhs.entries {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Hashes the members independently of their order, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in entries {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum &+= member.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }

    /// Where `key` is among the members (0 for the first), or nil.
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key == key }
    }

    /// The member at `position` (0 for the first).
    public func member(at position: Int) -> Element { entries[position] }

    private mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key: key, value: value))
        if index != nil {
            index?[key] = entries.count - 1
        } else if entries.count >= Self.indexThreshold {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        var built = [String: Int](minimumCapacity: entries.count)
        for (position, entry) in entries.enumerated() { built[entry.key] = position }
        index = built
    }
}
