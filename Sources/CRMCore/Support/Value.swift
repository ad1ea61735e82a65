/// A dynamically typed value: the payloads and results exchanged with
/// plugins, and every JSON document the command line reads or writes.
///
/// Integers and floats are distinct cases so that a plugin result of
/// `30.0` can be rejected where an integer is required. Objects keep their
/// keys in insertion order, so JSON output is stable.
public enum Value: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)
    case array([Value])
    case object([(String, Value)])

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.float(a), .float(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The name of the value's type as Lua would print it, used in messages.
    public var typeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .float: return "float"
        case .string: return "string"
        case .array, .object: return "table"
        }
    }

    /// Looks up a key of an object; nil for other cases or a missing key.
    public subscript(key: String) -> Value? {
        guard case let .object(fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    public var integerValue: Int64? {
        if case let .integer(number) = self { return number }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(flag) = self { return flag }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Builds object values field by field, leaving out nil optionals.
public struct ObjectBuilder {
    public private(set) var fields: [(String, Value)] = []

    public init() {}

    public mutating func set(_ key: String, _ value: Value) {
        fields.append((key, value))
    }

    public mutating func set(_ key: String, _ text: String?) {
        fields.append((key, text.map(Value.string) ?? .null))
    }

    public mutating func set(_ key: String, _ number: Int64?) {
        fields.append((key, number.map(Value.integer) ?? .null))
    }

    public mutating func set(_ key: String, _ flag: Bool) {
        fields.append((key, .bool(flag)))
    }

    public var value: Value { .object(fields) }
}
