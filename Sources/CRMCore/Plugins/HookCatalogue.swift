/// The shape of a value exchanged with plugins, used to check payloads and
/// results and to generate the plugin docs and editor definitions.
public indirect enum Shape: Equatable, Sendable {
    case string
    /// A Lua integer; a float is rejected even when integral (`30.0`).
    case integer
    case boolean
    /// An amount in the currency's minor unit, as a Lua integer.
    case money
    /// A calendar day as a `YYYY-MM-DD` string.
    case date
    /// One of a fixed set of strings.
    case oneOf([String])
    case list(Shape)
    case record([Field])
    /// A string that the result validation maps onto a record field: the
    /// solvency rule may return `"approve"` for `{decision = "approve"}`.
    case recordOrShorthand(record: [Field], shorthandField: String)
    case any

    /// Name of the shape as written in docs and type definitions.
    public var luaTypeName: String {
        switch self {
        case .string, .date, .oneOf: return "string"
        case .integer, .money: return "integer"
        case .boolean: return "boolean"
        case let .list(element): return element.luaTypeName + "[]"
        case .record, .recordOrShorthand: return "table"
        case .any: return "any"
        }
    }
}

/// A named field of a payload or result record.
public struct Field: Equatable, Sendable {
    public let name: String
    public let shape: Shape
    public let optional: Bool
    public let summary: String

    public init(_ name: String, _ shape: Shape, optional: Bool = false, _ summary: String) {
        self.name = name
        self.shape = shape
        self.optional = optional
        self.summary = summary
    }
}

/// An extension point: an event hook or a rule.
public struct HookSpec: Sendable {
    public enum Kind: String, Sendable {
        /// Runs after the change and before the commit; may write through the API.
        case event
        /// Runs before the change it decides; pure, and its result is validated.
        case rule
    }

    public let name: String
    public let kind: Kind
    public let summary: String
    /// When the core calls it, in one sentence.
    public let firedWhen: String
    public let payload: [Field]
    /// The result shape of a rule; nil for events, whose return is ignored.
    public let result: Shape?
    /// A Lua example body, used in the docs.
    public let example: String
}

/// A function of the `crm` table that plugins receive.
public struct APIFunctionSpec: Sendable {
    public struct Parameter: Sendable {
        public let name: String
        public let shape: Shape
        public let optional: Bool

        public init(_ name: String, _ shape: Shape, optional: Bool = false) {
            self.name = name
            self.shape = shape
            self.optional = optional
        }
    }

    public let name: String
    public let parameters: [Parameter]
    public let returns: Shape?
    /// True for functions that change the database; rules may not call them.
    public let writes: Bool
    public let summary: String

    public init(name: String, parameters: [Parameter], returns: Shape?, writes: Bool, summary: String) {
        self.name = name
        self.parameters = parameters
        self.returns = returns
        self.writes = writes
        self.summary = summary
    }
}

extension Shape {
    /// The same shape with every record field optional: a payload typed for
    /// a trial run may leave out what the plugin does not read.
    public var withOptionalFields: Shape {
        switch self {
        case let .record(fields):
            return .record(fields.map { Field($0.name, $0.shape.withOptionalFields, optional: true, $0.summary) })
        case let .list(element):
            return .list(element.withOptionalFields)
        default:
            return self
        }
    }
}
