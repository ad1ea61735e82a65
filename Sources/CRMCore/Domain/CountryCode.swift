/// An ISO 3166-1 alpha-2 country code, upper-case (`FR`, `DE`).
///
/// Only officially assigned codes are accepted. User-assigned codes such as
/// XK (Kosovo) and reserved ones such as EL and UK are not country codes.
public struct CountryCode: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    /// Looks up a code case-insensitively. Returns nil when the code is
    /// not assigned.
    public init?(_ code: String) {
        guard case let .success(country) = CountryCode.parse(code) else { return nil }
        self = country
    }

    private init(validatedCode: String) {
        self.code = validatedCode
    }

    /// Validates a code after trimming whitespace and upper-casing ASCII
    /// letters, so ` fr ` is FR.
    public static func parse(_ text: String) -> Result<CountryCode, InvalidIdentifier> {
        let bytes = IdentifierText.asciiUppercased(IdentifierText.bytesRemovingWhitespace(text))
        if bytes.isEmpty {
            return .failure(InvalidIdentifier(.countryCode, .empty))
        }
        guard bytes.allSatisfy(IdentifierText.isLetter) else {
            return .failure(InvalidIdentifier(.countryCode, .badFormat(expected: "2 letters")))
        }
        guard bytes.count == 2 else {
            return .failure(InvalidIdentifier(.countryCode, .wrongLength(expected: 2, actual: bytes.count)))
        }

        let code = String(decoding: bytes, as: UTF8.self)
        guard assigned.contains(code) else {
            return .failure(InvalidIdentifier(.countryCode, .unknownCountry(code)))
        }
        return .success(CountryCode(validatedCode: code))
    }

    /// Whether the country is one of the 27 member states of the European
    /// Union (since 1 February 2020). French outermost regions with codes
    /// of their own, such as GF and RE, belong to the EU through France but
    /// are not member states, so this is false for them.
    public var isEUMember: Bool { CountryCode.euMembers.contains(code) }

    public var description: String { code }

    /// Every officially assigned alpha-2 code, 249 of them, in
    /// alphabetical order.
    public static let allCodes: [String] = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
        BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
        DE DJ DK DM DO DZ
        EC EE EG EH ER ES ET
        FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
        HK HM HN HR HT HU
        ID IE IL IM IN IO IQ IR IS IT
        JE JM JO JP
        KE KG KH KI KM KN KP KR KW KY KZ
        LA LB LC LI LK LR LS LT LU LV LY
        MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
        NA NC NE NF NG NI NL NO NP NR NU NZ
        OM
        PA PE PF PG PH PK PL PM PN PR PS PT PW PY
        QA
        RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
        TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
        UA UG UM US UY UZ
        VA VC VE VG VI VN VU
        WF WS
        YE YT
        ZA ZM ZW
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    /// The member states of the European Union.
    public static let euMemberCodes: [String] = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    static let assigned = Set(allCodes)
    static let euMembers = Set(euMemberCodes)
}
