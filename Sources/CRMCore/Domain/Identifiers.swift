/// The identifier a validation failure is about. Its raw value names the
/// field in messages.
public enum IdentifierKind: String, Sendable, CaseIterable {
    case siren = "SIREN"
    case siret = "SIRET"
    case vatNumber = "VAT number"
    case iban = "IBAN"
    case email = "e-mail address"
    case countryCode = "country code"

    /// The rule the identifier follows, appended to every message about it.
    var rule: String {
        switch self {
        case .siren:
            return "a SIREN has 9 digits with a Luhn key"
        case .siret:
            return "a SIRET has 14 digits, the SIREN then a 5-digit establishment number, with a Luhn key"
        case .vatNumber:
            return "an EU VAT number is a country prefix such as FR or EL followed by the national number"
        case .iban:
            return "an IBAN is a country code, 2 check digits and the national account number"
        case .email:
            return "an e-mail address looks like name@example.com"
        case .countryCode:
            return "a country code is 2 letters from ISO 3166-1, such as FR"
        }
    }
}

/// The check that an identifier failed.
public enum CheckKey: Sendable, Equatable {
    /// The Luhn key over all digits (SIREN, SIRET).
    case luhn
    /// The Luhn key of the SIREN inside a SIRET or a French VAT number.
    case sirenLuhn
    /// The digit sum of a La Poste SIRET, which must be divisible by 5.
    case laPosteDigitSum
    /// The 2-digit key of a French VAT number, computed from the SIREN.
    case frenchVATKey
    /// The ISO 7064 mod-97 check of an IBAN.
    case ibanMod97
}

/// The reason an identifier is invalid.
public enum IdentifierProblem: Equatable, Sendable {
    /// Nothing remains once spaces are removed.
    case empty
    /// Counted in digits for SIREN and SIRET, in characters otherwise.
    case wrongLength(expected: Int, actual: Int)
    case notDigits
    case notAlphanumeric
    case badCheckKey(CheckKey)
    /// The prefix is not an ISO 3166-1 alpha-2 code.
    case unknownCountry(String)
    /// The country exists but has no IBAN, or is not an EU member state.
    case unsupportedCountry(String)
    /// A known mistake in the prefix, such as GR where VAT numbers use EL.
    case wrongPrefix(expected: String, actual: String)
    /// The layout does not match, and `expected` describes the right one.
    case badFormat(expected: String)
    case missingAtSign
    case tooManyAtSigns
    case emptyLocalPart
    /// The local part contains a space or a control character.
    case invalidLocalPart
    case localPartTooLong(maximum: Int)
    case domainWithoutDot
    /// A domain label is empty, longer than 63 characters, starts or ends
    /// with a hyphen, or contains something other than letters, digits
    /// and hyphens.
    case invalidDomainLabel
    /// The whole value is longer than `maximum` bytes of UTF-8.
    case tooLong(maximum: Int)
}

/// A failed identifier validation: which field, why, and a message for the
/// user. The message never repeats the value, so it is safe to log even
/// when the value came from a file or the database.
public struct InvalidIdentifier: Error, Equatable, Sendable, CustomStringConvertible {
    public let kind: IdentifierKind
    public let problem: IdentifierProblem

    public init(_ kind: IdentifierKind, _ problem: IdentifierProblem) {
        self.kind = kind
        self.problem = problem
    }

    /// A user-facing message naming the field, the problem and the rule:
    /// `invalid SIREN: the Luhn check key does not match (a SIREN has 9
    /// digits with a Luhn key)`.
    public var message: String {
        "invalid \(kind.rawValue): \(reason) (\(kind.rule))"
    }

    public var description: String { message }

    /// The failure as the core's error type, of kind `invalid`.
    public var crmError: CRMError { .invalid(message) }

    private var reason: String {
        switch problem {
        case .empty:
            return "the value is empty"
        case let .wrongLength(expected, actual):
            let unit = kind == .siren || kind == .siret ? "digits" : "characters"
            let scope = kind == .iban ? " for this country" : ""
            return "expected \(expected) \(unit)\(scope), got \(actual)"
        case .notDigits:
            return "only digits are allowed"
        case .notAlphanumeric:
            return "only letters and digits are allowed"
        case let .badCheckKey(check):
            return Self.reason(for: check)
        case let .unknownCountry(code):
            return "\"\(code)\" is not an ISO 3166-1 country code"
        case let .unsupportedCountry(code):
            if kind == .iban { return "no IBAN format is known for \(code)" }
            return "\(code) is not an EU member state"
        case let .wrongPrefix(expected, actual):
            return "the prefix is \(expected), not \(actual)"
        case let .badFormat(expected):
            return "expected \(expected)"
        case .missingAtSign:
            return "the @ sign is missing"
        case .tooManyAtSigns:
            return "only one @ sign is allowed"
        case .emptyLocalPart:
            return "nothing comes before the @ sign"
        case .invalidLocalPart:
            return "the part before the @ sign contains a space or a control character"
        case let .localPartTooLong(maximum):
            return "the part before the @ sign is longer than \(maximum) bytes"
        case .domainWithoutDot:
            return "the domain after the @ sign has no dot"
        case .invalidDomainLabel:
            return "each part of the domain must be letters, digits or inner hyphens, at most 63 characters"
        case let .tooLong(maximum):
            return "the value is longer than \(maximum) bytes"
        }
    }

    private static func reason(for check: CheckKey) -> String {
        switch check {
        case .luhn:
            return "the Luhn check key does not match"
        case .sirenLuhn:
            return "the SIREN part fails its Luhn check"
        case .laPosteDigitSum:
            return "the digit sum is not divisible by 5, which La Poste SIRETs (starting 356000000) require"
        case .frenchVATKey:
            return "the 2-digit key does not match the SIREN"
        case .ibanMod97:
            return "the check digits do not match"
        }
    }
}

/// A SIREN: the 9-digit number that identifies a French company, kept as
/// text because leading zeros are significant (`016750697`).
public struct SIREN: Hashable, Sendable, CustomStringConvertible {
    /// The 9 ASCII digits.
    public let digits: String

    /// Wraps digits that already passed `parse`.
    init(validatedDigits: String) {
        self.digits = validatedDigits
    }

    /// Validates a SIREN after removing whitespace, so `732 829 320` is
    /// accepted.
    public static func parse(_ text: String) -> Result<SIREN, InvalidIdentifier> {
        let bytes = IdentifierText.bytesRemovingWhitespace(text)
        if let problem = IdentifierText.digitProblem(bytes, expectedCount: 9) {
            return .failure(InvalidIdentifier(.siren, problem))
        }
        guard IdentifierText.passesLuhn(bytes) else {
            return .failure(InvalidIdentifier(.siren, .badCheckKey(.luhn)))
        }
        return .success(SIREN(validatedDigits: String(decoding: bytes, as: UTF8.self)))
    }

    /// The SIREN in groups of 3, `732 829 320`.
    public var formatted: String {
        IdentifierText.grouped(digits, sizes: [3, 3, 3])
    }

    public var description: String { digits }
}

/// A SIRET: the 14-digit number of one establishment of a French company,
/// the SIREN followed by a 5-digit establishment number (the NIC).
///
/// The whole number carries a Luhn key, and so does its SIREN. La Poste
/// numbers all its establishments under SIREN 356000000, more than a Luhn
/// key can tell apart, so its SIRETs follow another rule: the sum of the 14
/// digits is divisible by 5. Its head office, 35600000000048, keeps the
/// Luhn rule.
public struct SIRET: Hashable, Sendable, CustomStringConvertible {
    /// The 14 ASCII digits.
    public let digits: String

    static let laPosteSIREN = "356000000"
    static let laPosteHeadOffice = "35600000000048"

    private init(digits: String) {
        self.digits = digits
    }

    /// Validates a SIRET after removing whitespace, so
    /// `732 829 320 00074` is accepted.
    public static func parse(_ text: String) -> Result<SIRET, InvalidIdentifier> {
        let bytes = IdentifierText.bytesRemovingWhitespace(text)
        if let problem = IdentifierText.digitProblem(bytes, expectedCount: 14) {
            return .failure(InvalidIdentifier(.siret, problem))
        }

        let digits = String(decoding: bytes, as: UTF8.self)
        if digits.hasPrefix(laPosteSIREN), digits != laPosteHeadOffice {
            let sum = bytes.reduce(0) { $0 + Int($1 - UInt8(ascii: "0")) }
            guard sum % 5 == 0 else {
                return .failure(InvalidIdentifier(.siret, .badCheckKey(.laPosteDigitSum)))
            }
            return .success(SIRET(digits: digits))
        }

        guard IdentifierText.passesLuhn(bytes[0..<9]) else {
            return .failure(InvalidIdentifier(.siret, .badCheckKey(.sirenLuhn)))
        }
        guard IdentifierText.passesLuhn(bytes) else {
            return .failure(InvalidIdentifier(.siret, .badCheckKey(.luhn)))
        }
        return .success(SIRET(digits: digits))
    }

    /// The company's SIREN, the first 9 digits.
    public var siren: SIREN {
        // `parse` checked the SIREN part, and La Poste's SIREN 356000000
        // passes Luhn as well.
        SIREN(validatedDigits: String(digits.prefix(9)))
    }

    /// The establishment number (NIC), the last 5 digits.
    public var nic: String { String(digits.suffix(5)) }

    /// The SIRET grouped as `732 829 320 00074`.
    public var formatted: String {
        IdentifierText.grouped(digits, sizes: [3, 3, 3, 5])
    }

    public var description: String { digits }
}

/// Byte-level helpers shared by the identifier validators. Identifiers are
/// ASCII, so working on UTF-8 bytes keeps every check exact: a non-ASCII
/// digit such as `٣` is never taken for `3`.
enum IdentifierText {
    static func bytesRemovingWhitespace(_ text: String) -> [UInt8] {
        bytes(of: text) { $0.properties.isWhitespace }
    }

    /// Returns the UTF-8 bytes of `text` without the scalars that
    /// `isRemoved` selects.
    static func bytes(of text: String, removing isRemoved: (Unicode.Scalar) -> Bool) -> [UInt8] {
        var remaining = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isRemoved(scalar) {
            remaining.append(scalar)
        }
        return Array(String(remaining).utf8)
    }

    /// Returns `text` without leading and trailing whitespace, no-break
    /// spaces included.
    static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    /// Upper-cases ASCII letters only. `String.uppercased()` would turn
    /// `ß` into `SS` and let a non-ASCII letter pass as ASCII.
    static func asciiUppercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) ? $0 - 32 : $0 }
    }

    /// Returns the first problem of a digit string that must have
    /// `expectedCount` digits, or nil when there is none.
    static func digitProblem(_ bytes: [UInt8], expectedCount: Int) -> IdentifierProblem? {
        if bytes.isEmpty { return .empty }
        if !bytes.allSatisfy(isDigit) { return .notDigits }
        if bytes.count != expectedCount { return .wrongLength(expected: expectedCount, actual: bytes.count) }
        return nil
    }

    /// Returns whether ASCII digits pass the Luhn check. From the right,
    /// every second digit is doubled (less 9 when above 9), and the total
    /// must end in 0.
    static func passesLuhn(_ digits: some BidirectionalCollection<UInt8>) -> Bool {
        var total = 0
        for (position, byte) in digits.reversed().enumerated() {
            var value = Int(byte - UInt8(ascii: "0"))
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            total += value
        }
        return total % 10 == 0
    }

    /// Splits `text` into groups of the given sizes, joined by spaces. Any
    /// characters left over form a last group.
    static func grouped(_ text: String, sizes: [Int]) -> String {
        var groups: [Substring] = []
        var rest = Substring(text)
        for size in sizes where !rest.isEmpty {
            groups.append(rest.prefix(size))
            rest = rest.dropFirst(size)
        }
        if !rest.isEmpty { groups.append(rest) }
        return groups.joined(separator: " ")
    }
}
