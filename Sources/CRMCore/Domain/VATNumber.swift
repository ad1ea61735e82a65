/// An intra-EU VAT number: a 2-letter prefix and the national number. The
/// prefix is the member state's ISO code except for Greece, which uses EL.
///
/// Each member state's layout is checked. The French key is checked
/// exactly. Other national check digits are not verified.
public struct VATNumber: Hashable, Sendable, CustomStringConvertible {
    /// `FR`, `DE`, `EL`...
    public let prefix: String
    /// The part after the prefix, upper-case, without separators.
    public let nationalNumber: String

    private init(prefix: String, nationalNumber: String) {
        self.prefix = prefix
        self.nationalNumber = nationalNumber
    }

    /// The full number, `FR44732829320`.
    public var text: String { prefix + nationalNumber }

    public var description: String { text }

    /// The member state: GR for the prefix EL, the prefix itself otherwise.
    public var country: CountryCode {
        CountryCode(prefix == "EL" ? "GR" : prefix)!
    }

    /// Builds the French VAT number of a company: `FR`, the key, then the
    /// SIREN.
    public init(french siren: SIREN) {
        let key = VATNumber.frenchKey(for: siren)
        let keyText = key < 10 ? "0\(key)" : String(key)
        self.init(prefix: "FR", nationalNumber: keyText + siren.digits)
    }

    /// Computes the French key, `(12 + 3 × (SIREN mod 97)) mod 97`, a
    /// number from 0 to 96.
    public static func frenchKey(for siren: SIREN) -> Int {
        (12 + 3 * (Int(siren.digits)! % 97)) % 97
    }

    /// Validates a VAT number after removing whitespace, dots and hyphens
    /// and upper-casing ASCII letters, so `fr 44 732.829.320` is accepted.
    ///
    /// A French number with a numeric key must hold a SIREN that passes
    /// Luhn and the key computed from it. A French number with a letter in
    /// its key belongs to a company without a SIREN and is checked for
    /// layout only.
    public static func parse(_ text: String) -> Result<VATNumber, InvalidIdentifier> {
        let bytes = IdentifierText.asciiUppercased(IdentifierText.bytes(of: text) {
            $0.properties.isWhitespace || $0 == "." || $0 == "-"
        })
        if bytes.isEmpty { return failure(.empty) }
        guard bytes.count >= 2, bytes[0..<2].allSatisfy(IdentifierText.isLetter) else {
            return failure(.badFormat(expected: "a 2-letter country prefix"))
        }

        let prefix = String(decoding: bytes[0..<2], as: UTF8.self)
        let national = Array(bytes[2...])
        if prefix == "GR" {
            return failure(.wrongPrefix(expected: "EL", actual: "GR"))
        }
        guard let format = formats[prefix] else {
            let isAssigned = CountryCode.assigned.contains(prefix)
            return failure(isAssigned ? .unsupportedCountry(prefix) : .unknownCountry(prefix))
        }
        guard national.allSatisfy({ IdentifierText.isDigit($0) || IdentifierText.isLetter($0)
                                    || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "*") }) else {
            return failure(.notAlphanumeric)
        }
        guard format.patterns.contains(where: { matches(national, pattern: $0) }) else {
            return failure(.badFormat(expected: "\(prefix) followed by \(format.description)"))
        }

        if prefix == "FR", let problem = frenchKeyProblem(national) {
            return failure(problem)
        }
        return .success(VATNumber(prefix: prefix, nationalNumber: String(decoding: national, as: UTF8.self)))
    }

    private static func failure(_ problem: IdentifierProblem) -> Result<VATNumber, InvalidIdentifier> {
        .failure(InvalidIdentifier(.vatNumber, problem))
    }

    /// Checks the key of a French national part that already matches its
    /// layout, 2 key characters and 9 digits.
    private static func frenchKeyProblem(_ national: [UInt8]) -> IdentifierProblem? {
        guard national[0..<2].allSatisfy(IdentifierText.isDigit) else { return nil }

        let sirenDigits = String(decoding: national[2...], as: UTF8.self)
        guard case let .success(siren) = SIREN.parse(sirenDigits) else {
            return .badCheckKey(.sirenLuhn)
        }
        let key = Int(String(decoding: national[0..<2], as: UTF8.self))!
        return key == frenchKey(for: siren) ? nil : .badCheckKey(.frenchVATKey)
    }

    /// Returns whether ASCII bytes match a layout. In a layout, `#` is a
    /// digit, `@` a letter, `?` a letter or digit, and `%` a letter, `+` or
    /// `*`. Any other character matches itself.
    static func matches(_ bytes: [UInt8], pattern: String) -> Bool {
        let slots = Array(pattern.utf8)
        guard bytes.count == slots.count else { return false }

        for (byte, slot) in zip(bytes, slots) {
            let isDigit = IdentifierText.isDigit(byte)
            let isLetter = IdentifierText.isLetter(byte)
            let fits: Bool
            switch slot {
            case UInt8(ascii: "#"): fits = isDigit
            case UInt8(ascii: "@"): fits = isLetter
            case UInt8(ascii: "?"): fits = isDigit || isLetter
            case UInt8(ascii: "%"): fits = isLetter || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "*")
            default: fits = byte == slot
            }
            if !fits { return false }
        }
        return true
    }

    struct Format {
        let patterns: [String]
        /// The layout in words, for messages.
        let description: String
    }

    private static func digits(_ count: Int) -> String {
        String(repeating: "#", count: count)
    }

    /// The national layouts by prefix.
    // NOTE: these layouts were not checked against the VIES documentation
    // of each member state. XI, the prefix that VIES gives traders in
    // Northern Ireland, is rejected because XI is no ISO 3166-1 code.
    static let formats: [String: Format] = [
        "AT": Format(patterns: ["U" + digits(8)], description: "U and 8 digits"),
        "BE": Format(patterns: ["0" + digits(9), "1" + digits(9)], description: "10 digits starting with 0 or 1"),
        "BG": Format(patterns: [digits(9), digits(10)], description: "9 or 10 digits"),
        "CY": Format(patterns: [digits(8) + "@"], description: "8 digits and a letter"),
        "CZ": Format(patterns: [digits(8), digits(9), digits(10)], description: "8, 9 or 10 digits"),
        "DE": Format(patterns: [digits(9)], description: "9 digits"),
        "DK": Format(patterns: [digits(8)], description: "8 digits"),
        "EE": Format(patterns: [digits(9)], description: "9 digits"),
        "EL": Format(patterns: [digits(9)], description: "9 digits"),
        // The first or the last character is a letter, or both are.
        "ES": Format(patterns: ["@" + digits(7) + "?", digits(8) + "@"],
                     description: "9 characters: 7 digits between a first and a last character, at least one of them a letter"),
        "FI": Format(patterns: [digits(8)], description: "8 digits"),
        "FR": Format(patterns: ["??" + digits(9)], description: "a 2-character key and the 9-digit SIREN"),
        "HR": Format(patterns: [digits(11)], description: "11 digits"),
        "HU": Format(patterns: [digits(8)], description: "8 digits"),
        // Current numbers are 7 digits and 1 or 2 letters. Older ones put
        // a letter, + or * in second place.
        "IE": Format(patterns: [digits(7) + "@", digits(7) + "@@", "#%" + digits(5) + "@"],
                     description: "7 digits and 1 or 2 letters"),
        "IT": Format(patterns: [digits(11)], description: "11 digits"),
        "LT": Format(patterns: [digits(9), digits(12)], description: "9 or 12 digits"),
        "LU": Format(patterns: [digits(8)], description: "8 digits"),
        "LV": Format(patterns: [digits(11)], description: "11 digits"),
        "MT": Format(patterns: [digits(8)], description: "8 digits"),
        "NL": Format(patterns: [digits(9) + "B" + digits(2)], description: "9 digits, B and 2 digits"),
        "PL": Format(patterns: [digits(10)], description: "10 digits"),
        "PT": Format(patterns: [digits(9)], description: "9 digits"),
        "RO": Format(patterns: (2...10).map(digits), description: "2 to 10 digits"),
        "SE": Format(patterns: [digits(10) + "01"], description: "12 digits ending in 01"),
        "SI": Format(patterns: [digits(8)], description: "8 digits"),
        "SK": Format(patterns: [digits(10)], description: "10 digits"),
    ]
}
