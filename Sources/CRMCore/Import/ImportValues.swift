/// How numbers and numeric dates are written in a file.
public enum ImportLocale: String, CaseIterable, Sendable {
    /// `1 234,56` (space, no-break space or `.` between thousands) and
    /// day-first dates.
    case fr
    /// `1,234.56` and month-first dates such as `02/23/26`.
    case en
}

/// An exact decimal read from text: no binary floating point is involved.
struct ImportDecimal: Equatable {
    var negative: Bool
    var whole: String
    var fraction: String

    /// The value in minor units of a currency with `exponent` decimals,
    /// rounded half-up (ties away from zero); nil when it does not fit.
    func minorUnits(exponent: Int) -> Int64? {
        let kept = String(fraction.prefix(exponent))
        let padded = kept + String(repeating: "0", count: exponent - kept.count)
        guard whole.count + padded.count <= 18, var value = Int64(whole + padded) else { return nil }
        if fraction.count > exponent {
            let next = fraction[fraction.index(fraction.startIndex, offsetBy: exponent)]
            if next >= "5" { value += 1 }
        }
        return negative ? -value : value
    }

    /// Canonical text: `2.5`, `-1200`, `1250000.5`.
    var text: String {
        var trimmedFraction = fraction
        while trimmedFraction.hasSuffix("0") { trimmedFraction.removeLast() }
        let wholeDigits = String(whole.drop { $0 == "0" })
        let body = (wholeDigits.isEmpty ? "0" : wholeDigits) + (trimmedFraction.isEmpty ? "" : "." + trimmedFraction)
        return (negative && body != "0" ? "-" : "") + body
    }

    /// Whole number, when the decimal has no fraction and fits.
    var integer: Int64? {
        guard fraction.allSatisfy({ $0 == "0" }), let value = Int64(whole) else { return nil }
        return negative ? -value : value
    }

    /// Parses a number written in `locale`; a trailing `%` is dropped.
    /// Returns nil for text that is not a number.
    static func parse(_ text: String, locale: ImportLocale) -> ImportDecimal? {
        var characters = Array(text.trimmingSpaces)
        if characters.last == "%" { characters.removeLast() }
        var negative = false
        if characters.first == "-" || characters.first == "+" {
            negative = characters.first == "-"
            characters.removeFirst()
        }
        let grouping: Set<Character> = ["\u{00A0}", "\u{202F}", " ", "'"]
        characters.removeAll { grouping.contains($0) }
        let decimalSign: Character = locale == .fr ? "," : "."
        let thousandsSign: Character = locale == .fr ? "." : ","

        var digits = String(characters)
        if locale == .fr, !digits.contains(","), isDecimalDot(digits) {
            // `7.5` in a French file is a decimal written the English way.
            digits = digits.replacingCharacter(".", with: ",")
        }
        let parts = digits.split(separator: decimalSign, maxSplits: 1, omittingEmptySubsequences: false)
        var whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        if whole.contains(thousandsSign) {
            let groups = whole.split(separator: thousandsSign, omittingEmptySubsequences: false)
            guard groups.dropFirst().allSatisfy({ $0.count == 3 }), !groups[0].isEmpty, groups[0].count <= 3 else {
                return nil
            }
            whole = groups.joined()
        }
        let isDigits: (String) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard !whole.isEmpty, isDigits(whole), isDigits(fraction), parts.count == 1 || !fraction.isEmpty else {
            return nil
        }
        return ImportDecimal(negative: negative, whole: whole, fraction: fraction)
    }

    /// A single dot not followed by exactly three digits is a decimal sign.
    private static func isDecimalDot(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[1].count != 3
    }
}

extension String {
    func replacingCharacter(_ old: Character, with new: Character) -> String {
        String(map { $0 == old ? new : $0 })
    }
}

/// Reads the calendar dates of imported files.
enum ImportDate {
    enum Order { case dayFirst, monthFirst }

    /// Parses `YYYY-MM-DD`, `YYYY/MM/DD` or a day and month in `order`
    /// followed by a 2- or 4-digit year, separated by `/`, `-` or `.`. A
    /// time after a space or `T` is ignored. Returns nil for a date that
    /// does not exist: nothing rolls over to the next valid day.
    static func parse(_ text: String, order: Order) -> CivilDate? {
        var datePart = Substring(text.trimmingSpaces)
        if let cut = datePart.firstIndex(where: { $0 == " " || $0 == "T" }) { datePart = datePart[..<cut] }
        let pieces = datePart.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
        guard pieces.count == 3, pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let numbers = pieces.map { Int($0)! }
        if pieces[0].count == 4 {
            guard pieces[1].count <= 2, pieces[2].count <= 2 else { return nil }
            return CivilDate(year: numbers[0], month: numbers[1], day: numbers[2])
        }
        guard pieces[0].count <= 2, pieces[1].count <= 2, pieces[2].count == 4 || pieces[2].count == 2 else {
            return nil
        }
        var year = numbers[2]
        // Two-digit years: 00 to 69 are 2000 to 2069, 70 to 99 are 1970 to 1999.
        if pieces[2].count == 2 { year += year < 70 ? 2000 : 1900 }
        switch order {
        case .dayFirst: return CivilDate(year: year, month: numbers[1], day: numbers[0])
        case .monthFirst: return CivilDate(year: year, month: numbers[0], day: numbers[1])
        }
    }
}

/// Country names as they appear in exports, folded with `searchKey`,
/// mapped to ISO 3166-1 alpha-2 codes. Two-letter codes go through
/// `CountryCode.parse` first.
enum CountryNames {
    static func code(for text: String) -> String? {
        let trimmed = text.trimmingSpaces
        if trimmed.count == 2, case let .success(country) = CountryCode.parse(trimmed) { return country.code }
        if trimmed.count == 3, let code = alpha3[trimmed.uppercased()] { return code }
        if trimmed.lowercased().hasPrefix("base."), trimmed.count == 7 {
            return code(for: String(trimmed.suffix(2)))
        }
        return names[searchKey(trimmed)]
    }

    static let alpha3: [String: String] = [
        "FRA": "FR", "USA": "US", "GBR": "GB", "DEU": "DE", "BEL": "BE", "CHE": "CH", "ESP": "ES", "ITA": "IT",
        "NLD": "NL", "LUX": "LU", "SWE": "SE", "SGP": "SG", "CAN": "CA", "BRA": "BR", "JPN": "JP", "TUR": "TR",
    ]

    static let names: [String: String] = {
        let table: [(String, [String])] = [
            ("FR", ["france", "république française", "french republic"]),
            ("US", ["united states", "united states of america", "etats-unis", "états-unis", "u.s.a.", "u.s."]),
            ("GB", ["united kingdom", "uk", "great britain", "royaume-uni", "england", "angleterre"]),
            ("DE", ["germany", "allemagne", "deutschland"]),
            ("BE", ["belgium", "belgique", "belgie", "belgië"]),
            ("CH", ["switzerland", "suisse", "schweiz"]),
            ("ES", ["spain", "espagne", "españa"]),
            ("IT", ["italy", "italie", "italia"]),
            ("NL", ["netherlands", "pays-bas", "the netherlands", "nederland"]),
            ("LU", ["luxembourg"]),
            ("PT", ["portugal"]),
            ("IE", ["ireland", "irlande"]),
            ("AT", ["austria", "autriche"]),
            ("SE", ["sweden", "suède", "sverige"]),
            ("NO", ["norway", "norvège"]),
            ("DK", ["denmark", "danemark"]),
            ("FI", ["finland", "finlande"]),
            ("PL", ["poland", "pologne"]),
            ("CZ", ["czech republic", "czechia", "république tchèque"]),
            ("GR", ["greece", "grèce"]),
            ("TR", ["turkey", "türkiye", "turquie"]),
            ("SG", ["singapore", "singapour"]),
            ("JP", ["japan", "japon"]),
            ("CN", ["china", "chine"]),
            ("IN", ["india", "inde"]),
            ("KR", ["korea, republic of", "south korea", "republic of korea", "corée du sud"]),
            ("CA", ["canada"]),
            ("MX", ["mexico", "mexique"]),
            ("BR", ["brazil", "brésil", "brasil"]),
            ("AR", ["argentina", "argentine"]),
            ("AU", ["australia", "australie"]),
            ("NZ", ["new zealand", "nouvelle-zélande"]),
            ("ZA", ["south africa", "afrique du sud"]),
            ("MA", ["morocco", "maroc"]),
            ("DZ", ["algeria", "algérie"]),
            ("TN", ["tunisia", "tunisie"]),
            ("SN", ["senegal", "sénégal"]),
            ("CI", ["côte d'ivoire", "ivory coast"]),
            ("FK", ["falkland islands (malvinas)", "falkland islands", "îles malouines"]),
            ("MC", ["monaco"]),
            ("AE", ["united arab emirates", "émirats arabes unis"]),
            ("IL", ["israel", "israël"]),
            ("RU", ["russia", "russian federation", "russie"]),
            ("UA", ["ukraine"]),
            ("RO", ["romania", "roumanie"]),
            ("HU", ["hungary", "hongrie"]),
        ]
        var result: [String: String] = [:]
        for (code, spellings) in table {
            for spelling in spellings { result[searchKey(spelling)] = code }
        }
        return result
    }()
}

/// Payment terms and methods as French and English exports spell them,
/// folded with `searchKey`, mapped to the codes stored on accounts.
enum PaymentNames {
    static func term(for text: String) -> String? {
        let key = searchKey(text)
        if let term = PaymentTerm.bundled(code: text.trimmingSpaces) { return term.code }
        if let term = PaymentTerm.bundled(label: text) { return term.code }
        return termAliases[key]
    }

    static func method(for text: String) -> String? {
        if case let .success(method) = PaymentMethod.parse(text) { return method.code }
        let key = searchKey(text)
        if let method = PaymentMethod.allCases.first(where: {
            searchKey($0.frenchLabel) == key || searchKey($0.englishLabel) == key
        }) {
            return method.code
        }
        return methodAliases[key]
    }

    static let termAliases: [String: String] = {
        let table: [(String, [String])] = [
            ("RECEIPT", ["comptant", "à réception", "a reception", "immediate", "immediate payment", "on receipt",
                         "account.account_payment_term_immediate"]),
            ("NET30", ["30 jours", "30 days", "30 jours date de facture", "net 30",
                       "account.account_payment_term_30days"]),
            ("NET45", ["45 jours", "45 days", "45 jours date de facture", "net 45",
                       "account.account_payment_term_45days"]),
            ("NET60", ["60 jours", "60 days", "60 jours date de facture", "net 60",
                       "account.account_payment_term_60days"]),
            ("NEXT-EOM", ["fin du mois suivant", "end of following month",
                          "account.account_payment_term_end_following_month"]),
            ("30EOM", ["30 jours fin de mois", "30j fin de mois", "30 jours fdm"]),
            ("45EOM", ["45 jours fin de mois", "45j fin de mois", "45 jours fdm"]),
        ]
        var result: [String: String] = [:]
        for (code, spellings) in table {
            for spelling in spellings { result[searchKey(spelling)] = code }
        }
        return result
    }()

    static let methodAliases: [String: String] = {
        let table: [(String, [String])] = [
            ("TRANSFER", ["virement", "virement bancaire", "bank transfer", "wire transfer", "vir"]),
            ("SEPA_DD", ["prélèvement", "prélèvement sepa", "direct debit", "sepa", "prlv"]),
            ("CHEQUE", ["chèque", "cheque", "check", "chq"]),
            ("CARD", ["carte", "carte bancaire", "cb", "credit card"]),
            ("LCR", ["lcr", "traite", "lettre de change", "bill of exchange"]),
            ("CASH", ["espèces", "especes", "liquide", "cash"]),
        ]
        var result: [String: String] = [:]
        for (code, spellings) in table {
            for spelling in spellings { result[searchKey(spelling)] = code }
        }
        return result
    }()
}
