/// Turns raw account field values (as typed on the command line or read
/// from a file) into checked column values, with messages naming the option.
enum AccountValidation {
    static let maximumTextLength = 200

    static func checkPrintable(_ text: String, option: String, maximum: Int, allowNewlines: Bool = false) throws(CRMError) {
        guard text.count <= maximum else {
            throw CRMError.usage("\(option) is \(text.count) characters long; the maximum is \(maximum)")
        }
        let forbidden = text.unicodeScalars.contains {
            ($0.value < 0x20 && !(allowNewlines && $0 == "\n")) || $0.value == 0x7F
        }
        guard !forbidden else { throw CRMError.usage("\(option) contains a control character; remove it") }
    }

    static func parseBool(_ text: String, option: String) throws(CRMError) -> Bool {
        switch text.lowercased() {
        case "yes", "true", "1", "y": return true
        case "no", "false", "0", "n": return false
        default: throw CRMError.usage("invalid \(option) '\(text)': expected yes or no")
        }
    }

    private static func unwrap<T>(_ result: Result<T, InvalidIdentifier>, option: String) throws(CRMError) -> T {
        switch result {
        case let .success(value): return value
        case let .failure(problem): throw CRMError.invalid("\(option): \(problem.message)")
        }
    }

    /// Checks every given field. `existing` is the account being edited, so
    /// cross-field rules (SIRET against SIREN, credit limit currency) see
    /// the values that will be stored.
    static func check(_ context: CRMContext, _ values: [AccountField: String],
                      existing: Account?) throws(CRMError) -> [AccountField: SQLValue] {
        var checked: [AccountField: SQLValue] = [:]
        for field in AccountField.allCases {
            guard let raw = values[field] else { continue }
            let text = raw.trimmingSpaces
            try checkPrintable(text, option: field.option, maximum: field == .street ? 500 : maximumTextLength,
                               allowNewlines: field == .street)
            if text.isEmpty {
                guard ![.legalName, .country, .owner, .currency, .active].contains(field) else {
                    throw CRMError.usage("\(field.option) must not be empty")
                }
                checked[field] = .null
                continue
            }
            checked[field] = try checkValue(context, field, text, existing: existing)
        }
        try checkSIRETAgainstSIREN(&checked, existing: existing)
        if let creditText = values[.creditLimit]?.trimmingSpaces, !creditText.isEmpty {
            let currencyCode = checked[.currency]?.text ?? existing?.currency.code ?? "EUR"
            let currency = Currency(code: currencyCode) ?? .euro
            switch Money.parse(creditText, currency: currency) {
            case let .success(money) where money.minor >= 0:
                checked[.creditLimit] = .integer(money.minor)
            case .success:
                throw CRMError.invalid("invalid --credit-limit '\(creditText)': a credit limit cannot be negative")
            case let .failure(failure):
                throw CRMError.invalid("invalid --credit-limit '\(creditText)': " + moneyReason(failure, currency: currency))
            }
        }
        return checked
    }

    static func moneyReason(_ failure: Money.ParseFailure, currency: Currency) -> String {
        switch failure {
        case .notANumber: return "expected an amount such as 5000.00"
        case let .tooManyDecimals(allowed):
            return "\(currency.code) amounts have at most \(allowed) decimal\(allowed == 1 ? "" : "s")"
        case .outOfRange: return "the amount is too large"
        }
    }

    private static func checkValue(_ context: CRMContext, _ field: AccountField, _ text: String,
                                   existing: Account?) throws(CRMError) -> SQLValue {
        let database = context.database
        switch field {
        case .siren:
            return .text(try unwrap(SIREN.parse(text), option: field.option).digits)
        case .siret:
            return .text(try unwrap(SIRET.parse(text), option: field.option).digits)
        case .vatNumber:
            return .text(try unwrap(VATNumber.parse(text), option: field.option).text)
        case .iban:
            return .text(try unwrap(IBAN.parse(text), option: field.option).electronicForm)
        case .country:
            return .text(try unwrap(CountryCode.parse(text), option: field.option).code)
        case .currency:
            guard let currency = Currency(code: text) else {
                throw CRMError.invalid("invalid --currency '\(text)': expected an ISO 4217 code such as EUR, USD or JPY")
            }
            return .text(currency.code)
        case .owner:
            let user = try Users.require(database, name: text, option: "--owner")
            guard user.active else { throw CRMError.invalid("the user '\(text)' in --owner is disabled") }
            guard user.role != .accounting else {
                throw CRMError.invalid("'\(text)' in --owner has the accounting role; an account owner is a sales rep, "
                                       + "a manager or an admin")
            }
            return .integer(user.id)
        case .sector:
            return .integer(try Sectors.require(database, code: text, option: "--sector").id)
        case .creationDate:
            guard let date = CivilDate(parsing: text) else {
                throw CRMError.invalid("invalid --creation-date '\(text)': expected a date that exists, as YYYY-MM-DD")
            }
            guard date <= context.clock.today else {
                throw CRMError.invalid("invalid --creation-date '\(text)': the date is after today (\(context.clock.today))")
            }
            return .text(date.description)
        case .parent:
            let parentId = try Accounts.parseId(text, option: "--parent")
            _ = try Accounts.get(context, id: parentId)
            if let existing { try checkNoCycle(database, account: existing.id, parent: parentId) }
            return .integer(parentId)
        case .active:
            return .integer(try parseBool(text, option: field.option) ? 1 : 0)
        case .postalCode:
            guard text.count <= 16, text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == " " || $0 == "-") }) else {
                throw CRMError.invalid("invalid --postal-code '\(text)': use up to 16 letters, digits, spaces or hyphens")
            }
            return .text(text)
        case .creditLimit:
            return .null  // Checked after the currency is known.
        case .customerCode:
            if let other = try database.first("SELECT id FROM accounts WHERE customer_code = ? AND id IS NOT ?",
                                              [text, existing?.id]) {
                throw CRMError.conflict("the customer code '\(text)' is already used by account \(other.int(0)!)")
            }
            return .text(text)
        default:
            return .text(text)
        }
    }

    /// A SIRET's first 9 digits are the SIREN: fill a missing SIREN from the
    /// SIRET and reject a pair that disagrees.
    private static func checkSIRETAgainstSIREN(_ checked: inout [AccountField: SQLValue], existing: Account?) throws(CRMError) {
        let siret = checked[.siret].map { $0.text } ?? existing?.siret
        guard let siret else { return }
        let siren = checked[.siren].map { $0.text } ?? existing?.siren
        let prefix = String(siret.prefix(9))
        if let siren {
            guard siren == prefix else {
                throw CRMError.invalid("the SIRET does not belong to the SIREN: a SIRET starts with the company's 9-digit SIREN")
            }
        } else {
            checked[.siren] = .text(prefix)
        }
    }

    private static func checkNoCycle(_ database: Database, account: Int64, parent: Int64) throws(CRMError) {
        var current: Int64? = parent
        var steps = 0
        while let id = current, steps < 1000 {
            if id == account {
                throw CRMError.invalid("--parent \(parent) would make account \(account) its own ancestor")
            }
            current = try database.scalar("SELECT parent_id FROM accounts WHERE id = ?", [id]).integer
            steps += 1
        }
    }
}

/// Tells whether text is a valid e-mail address.
func isValidEmail(_ text: String) -> Bool {
    if case .success = EmailAddress.parse(text) { return true }
    return false
}
