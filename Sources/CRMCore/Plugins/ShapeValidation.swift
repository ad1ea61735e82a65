/// A value that does not have the shape the catalogue declares. The
/// message starts with the path of the offending part, such as
/// `result[1].inDays must be an integer, got float`.
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension Shape {
    /// Largest magnitude of a `.money` value, in minor units: 10^15.
    public static let maxMoneyMagnitude: Int64 = 1_000_000_000_000_000
}

/// Checks `value` against `shape` and returns it normalised: records keep
/// their declared field order and drop absent optional fields, and a
/// `recordOrShorthand` string becomes a record. `path` names the value in
/// messages (`result`, `argument`).
///
/// Integers must be Lua integers (a float is rejected even when integral,
/// and so are NaN and infinities), records reject unknown fields after
/// checking the declared ones, and an empty table is accepted as an empty
/// list or an empty record.
public func validate(_ value: Value, against shape: Shape, path: String) throws(ShapeError) -> Value {
    switch shape {
    case .string:
        guard case .string = value else { throw ShapeError("\(path) must be a string, got \(describe(value))") }
        return value
    case .integer:
        guard case .integer = value else { throw ShapeError("\(path) must be an integer, got \(describe(value))") }
        return value
    case .boolean:
        guard case .bool = value else { throw ShapeError("\(path) must be a boolean, got \(describe(value))") }
        return value
    case .money:
        return try validateMoney(value, path: path)
    case .date:
        guard case let .string(text) = value else {
            throw ShapeError("\(path) must be a date string (YYYY-MM-DD), got \(describe(value))")
        }
        guard CivilDate(parsing: text) != nil else {
            throw ShapeError("\(path) must be a real calendar day written YYYY-MM-DD")
        }
        return value
    case let .oneOf(options):
        guard case let .string(text) = value else {
            throw ShapeError("\(path) must be one of \(options.joined(separator: ", ")), got \(describe(value))")
        }
        guard options.contains(text) else {
            throw ShapeError("\(path) must be one of \(options.joined(separator: ", "))")
        }
        return value
    case let .list(element):
        return try validateList(value, element: element, path: path)
    case let .record(fields):
        return try validateRecord(value, fields: fields, path: path)
    case let .recordOrShorthand(fields, shorthandField):
        if case .string = value {
            return try validateRecord(.object([(shorthandField, value)]), fields: fields, path: path)
        }
        return try validateRecord(value, fields: fields, path: path)
    case .any:
        return value
    }
}

private func validateMoney(_ value: Value, path: String) throws(ShapeError) -> Value {
    guard case let .integer(amount) = value else {
        throw ShapeError("\(path) must be an integer amount in minor units, got \(describe(value))")
    }
    guard amount.magnitude <= Shape.maxMoneyMagnitude.magnitude else {
        throw ShapeError("\(path) must be an amount between -10^15 and 10^15 minor units")
    }
    return value
}

private func validateList(_ value: Value, element: Shape, path: String) throws(ShapeError) -> Value {
    switch value {
    case let .array(items):
        var checked: [Value] = []
        checked.reserveCapacity(items.count)
        for (offset, item) in items.enumerated() {
            checked.append(try validate(item, against: element, path: "\(path)[\(offset + 1)]"))
        }
        return .array(checked)
    case let .object(fields) where fields.isEmpty:
        return .array([])
    default:
        throw ShapeError("\(path) must be a list, got \(describe(value))")
    }
}

private func validateRecord(_ value: Value, fields: [Field], path: String) throws(ShapeError) -> Value {
    let pairs: [(String, Value)]
    switch value {
    case let .object(members): pairs = members
    case .array([]): pairs = []
    default: throw ShapeError("\(path) must be a table with named fields, got \(describe(value))")
    }

    var checked: [(String, Value)] = []
    for field in fields {
        let fieldPath = "\(path).\(field.name)"
        guard let item = pairs.first(where: { $0.0 == field.name })?.1, !item.isNull else {
            if field.optional { continue }
            throw ShapeError("\(fieldPath) is missing")
        }
        checked.append((field.name, try validate(item, against: field.shape, path: fieldPath)))
    }

    let declared = Set(fields.map(\.name))
    if let unknown = pairs.map(\.0).filter({ !declared.contains($0) }).sorted().first {
        throw ShapeError("\(path) has an unknown field '\(unknown)'")
    }
    return .object(checked)
}

/// Names the kind of a value in messages: Lua's type names, with lists,
/// records and empty tables distinguished.
private func describe(_ value: Value) -> String {
    switch value {
    case .array([]): return "empty table"
    case let .object(fields) where fields.isEmpty: return "empty table"
    case .array: return "list"
    case .object: return "table with named fields"
    default: return value.typeName
    }
}
