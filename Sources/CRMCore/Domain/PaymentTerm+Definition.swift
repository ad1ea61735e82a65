/// The reason a payment-term definition or code was rejected.
public enum PaymentTermDefinitionError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknownKind(name: String, definition: String)
    /// The kind takes `expected` numbers but the definition has another count.
    case wrongNumberCount(kind: String, expected: Int, definition: String)
    case invalidDays(text: String, definition: String)
    case invalidDayOfMonth(text: String, definition: String)
    case invalidCode(String)

    static let forms = "receipt, net:DAYS, eom-a:DAYS, eom-b:DAYS, eom-day:DAYS:DAY, next-eom"

    /// A message for the administrator who typed the definition.
    public var message: String {
        switch self {
        case .empty:
            return "empty payment-term definition: expected one of \(Self.forms)"
        case let .unknownKind(name, definition):
            return "unknown payment-term kind \"\(name)\" in \"\(definition)\": expected one of \(Self.forms)"
        case let .wrongNumberCount(kind, expected, definition):
            let form = PaymentTerm.Kind.syntax[kind] ?? kind
            let count: String
            switch expected {
            case 0: count = "no number"
            case 1: count = "1 number"
            default: count = "\(expected) numbers"
            }
            return "invalid payment-term definition \"\(definition)\": \(kind) takes \(count), as in \(form)"
        case let .invalidDays(text, definition):
            return "invalid number of days \"\(text)\" in \"\(definition)\": "
                + "expected a whole number from 0 to \(PaymentTerm.Kind.maximumDays)"
        case let .invalidDayOfMonth(text, definition):
            return "invalid day of month \"\(text)\" in \"\(definition)\": expected a whole number from 1 to 31"
        case let .invalidCode(code):
            return "invalid payment-term code \"\(code)\": expected 1 to 32 upper-case letters, digits, '-' or '_'"
        }
    }

    public var description: String { message }

    /// The failure as the core's error type, of kind `invalid`.
    public var crmError: CRMError { .invalid(message) }
}

extension PaymentTerm.Kind {
    /// The largest number of days a definition accepts.
    public static let maximumDays = 365

    /// Each kind name and how it is written.
    static let syntax: [String: String] = [
        "receipt": "receipt",
        "net": "net:DAYS",
        "eom-a": "eom-a:DAYS",
        "eom-b": "eom-b:DAYS",
        "eom-day": "eom-day:DAYS:DAY",
        "next-eom": "next-eom",
    ]

    /// The definition text of this kind, such as `eom-day:30:10`. Parsing
    /// it gives the kind back.
    public var definition: String {
        switch self {
        case .onReceipt: return "receipt"
        case let .net(days): return "net:\(days)"
        case let .daysThenEndOfMonth(days): return "eom-a:\(days)"
        case let .endOfMonthThenDays(days): return "eom-b:\(days)"
        case let .daysThenEndOfMonthThenDay(days, day): return "eom-day:\(days):\(day)"
        case .endOfNextMonth: return "next-eom"
        }
    }

    /// Reads a definition in the form `PaymentTerm` documents, such as
    /// `net:30` or `eom-day:30:10`.
    ///
    /// Messages quote the definition as given, without surrounding
    /// whitespace, and name the kind in lower case.
    public static func parse(definition text: String) -> Result<Self, PaymentTermDefinitionError> {
        let definition = IdentifierText.trimmingWhitespace(text)
        if definition.isEmpty { return .failure(.empty) }

        let parts = definition.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let numbers = Array(parts.dropFirst())
        let name = asciiLowercased(parts[0])
        guard syntax[name] != nil else {
            return .failure(.unknownKind(name: parts[0], definition: definition))
        }

        let expected: Int
        switch name {
        case "receipt", "next-eom": expected = 0
        case "eom-day": expected = 2
        default: expected = 1
        }
        guard numbers.count == expected else {
            return .failure(.wrongNumberCount(kind: name, expected: expected, definition: definition))
        }
        if expected == 0 {
            return .success(name == "receipt" ? .onReceipt : .endOfNextMonth)
        }

        guard let days = wholeNumber(numbers[0], in: 0...maximumDays) else {
            return .failure(.invalidDays(text: numbers[0], definition: definition))
        }
        switch name {
        case "net":
            return .success(.net(days: days))
        case "eom-a":
            return .success(.daysThenEndOfMonth(days: days))
        case "eom-b":
            return .success(.endOfMonthThenDays(days: days))
        default:
            guard let day = wholeNumber(numbers[1], in: 1...31) else {
                return .failure(.invalidDayOfMonth(text: numbers[1], definition: definition))
            }
            return .success(.daysThenEndOfMonthThenDay(days: days, day: day))
        }
    }

    /// Reads 1 to 3 ASCII digits as a number within `range`. Returns nil
    /// for anything else, including signs, spaces and other scripts' digits.
    private static func wholeNumber(_ text: String, in range: ClosedRange<Int>) -> Int? {
        let bytes = Array(text.utf8)
        guard (1...3).contains(bytes.count), bytes.allSatisfy(IdentifierText.isDigit),
              let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    private static func asciiLowercased(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }
        return String(result)
    }
}

extension PaymentTerm {
    /// Creates an administrator's term from its code, labels and definition
    /// text. The code is 1 to 32 upper-case ASCII letters, digits, `-` or
    /// `_`. Without a French label, the English one serves for both.
    public static func define(
        code: String, englishLabel: String, frenchLabel: String? = nil, definition: String
    ) -> Result<PaymentTerm, PaymentTermDefinitionError> {
        let codeBytes = Array(code.utf8)
        let isCodeByte: (UInt8) -> Bool = {
            IdentifierText.isDigit($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
        guard (1...32).contains(codeBytes.count), codeBytes.allSatisfy(isCodeByte) else {
            return .failure(.invalidCode(code))
        }

        return Kind.parse(definition: definition).map { kind in
            PaymentTerm(code: code, englishLabel: englishLabel, frenchLabel: frenchLabel ?? englishLabel, kind: kind)
        }
    }
}
