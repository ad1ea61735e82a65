/// An International Bank Account Number (ISO 13616): a country code, 2
/// check digits and the national account number (BBAN), whose length is
/// fixed for each country.
public struct IBAN: Hashable, Sendable, CustomStringConvertible {
    /// The electronic form: upper-case, no spaces, `FR7630006000011234567890189`.
    public let electronicForm: String

    private init(electronicForm: String) {
        self.electronicForm = electronicForm
    }

    /// The 2-letter country code that starts the IBAN.
    public var countryCode: String { String(electronicForm.prefix(2)) }

    /// The 2 check digits after the country code.
    public var checkDigits: String { String(electronicForm.dropFirst(2).prefix(2)) }

    /// The national account number after the check digits.
    public var bban: String { String(electronicForm.dropFirst(4)) }

    /// The print form: groups of 4 characters separated by spaces, the
    /// last group possibly shorter, `FR76 3000 6000 0112 3456 7890 189`.
    public var formatted: String {
        IBAN.grouped(electronicForm)
    }

    public var description: String { electronicForm }

    /// Splits text into groups of 4 characters separated by spaces. Use it
    /// to show an IBAN as it is being typed, before it validates.
    public static func grouped(_ text: String) -> String {
        let sizes = Array(repeating: 4, count: (text.count + 3) / 4)
        return IdentifierText.grouped(text, sizes: sizes)
    }

    /// Validates an IBAN after removing whitespace and upper-casing ASCII
    /// letters, so `fr76 3000 6000 ...` is accepted.
    ///
    /// The length and the mod-97 check are verified. The layout of the
    /// BBAN, which positions hold digits or letters, is not.
    public static func parse(_ text: String) -> Result<IBAN, InvalidIdentifier> {
        let bytes = IdentifierText.asciiUppercased(IdentifierText.bytesRemovingWhitespace(text))
        if bytes.isEmpty { return failure(.empty) }
        guard bytes.allSatisfy({ IdentifierText.isDigit($0) || IdentifierText.isLetter($0) }) else {
            return failure(.notAlphanumeric)
        }
        guard bytes.count >= 4, bytes[0..<2].allSatisfy(IdentifierText.isLetter),
              bytes[2..<4].allSatisfy(IdentifierText.isDigit) else {
            return failure(.badFormat(expected: "2 letters of the country code, then 2 check digits"))
        }

        let country = String(decoding: bytes[0..<2], as: UTF8.self)
        guard let length = lengths[country] else {
            let isAssigned = CountryCode.assigned.contains(country)
            return failure(isAssigned ? .unsupportedCountry(country) : .unknownCountry(country))
        }
        guard bytes.count == length else {
            return failure(.wrongLength(expected: length, actual: bytes.count))
        }

        // Check digits run from 02 to 98. 00, 01 and 99 would pass the
        // remainder test whenever 97, 98 or 02 is the right value.
        let check = String(decoding: bytes[2..<4], as: UTF8.self)
        guard check != "00", check != "01", check != "99", remainderModulo97(bytes) == 1 else {
            return failure(.badCheckKey(.ibanMod97))
        }
        return .success(IBAN(electronicForm: String(decoding: bytes, as: UTF8.self)))
    }

    private static func failure(_ problem: IdentifierProblem) -> Result<IBAN, InvalidIdentifier> {
        .failure(InvalidIdentifier(.iban, problem))
    }

    /// Computes the ISO 7064 mod 97-10 remainder of an upper-case
    /// alphanumeric IBAN.
    ///
    /// The first 4 characters move to the end, each letter becomes 2 digits
    /// (A = 10 ... Z = 35), and the remainder of that long number is taken
    /// one digit at a time, so no intermediate value exceeds 969.
    static func remainderModulo97(_ bytes: [UInt8]) -> Int {
        var remainder = 0
        for byte in bytes[4...] + bytes[0..<4] {
            if IdentifierText.isDigit(byte) {
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            } else {
                let value = Int(byte - UInt8(ascii: "A")) + 10
                remainder = (remainder * 10 + value / 10) % 97
                remainder = (remainder * 10 + value % 10) % 97
            }
        }
        return remainder
    }

    /// IBAN length by country: every SEPA country and other countries that
    /// use IBANs. French overseas departments and territories use FR IBANs,
    /// and Jersey, Guernsey and the Isle of Man use GB IBANs.
    // NOTE: the lengths outside SEPA were not checked against the current
    // SWIFT IBAN registry. A country missing here is rejected as having no
    // IBAN format.
    public static let lengths: [String: Int] = [
        // SEPA
        "AD": 24, "AL": 28, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
        "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23,
        "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "NL": 18,
        "NO": 15, "PL": 28, "PT": 25, "RO": 24, "RS": 22, "SE": 24, "SI": 19, "SK": 24,
        "SM": 27, "VA": 22,
        // Outside SEPA. XK (Kosovo) is in the registry without an ISO 3166-1 code.
        "AE": 23, "AZ": 28, "BA": 20, "BH": 22, "BR": 29, "BY": 28, "CR": 22, "DO": 28,
        "EG": 29, "FO": 18, "GE": 22, "GL": 18, "GT": 28, "IL": 23, "IQ": 23, "JO": 30,
        "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LY": 25, "MR": 27, "MU": 30, "PK": 24,
        "PS": 29, "QA": 29, "SA": 24, "SC": 31, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
        "TR": 26, "UA": 29, "VG": 24, "XK": 20,
    ]
}
