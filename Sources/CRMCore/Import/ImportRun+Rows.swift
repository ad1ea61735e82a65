/// Turning one source row into checked drafts.
extension ImportRun {
    /// The dummy id Salesforce writes in an empty lookup field.
    static let salesforceEmptyId = "000000000000000AAA"
    /// SIRENE's mask for fields of a partly diffusible unit.
    static let sireneMasked = "[ND]"

    /// Field values of a row: trimmed, empty ones left out. Several
    /// columns may fill one field: the last non-empty one wins, except for
    /// notes and tags, which add up.
    func values(of record: CSVRecord) -> [ImportField: String] {
        var result: [ImportField: String] = [:]
        for (index, field) in layout.fields.enumerated() {
            guard let field, index < record.fields.count else { continue }
            var text = record.fields[index]
            if layout.source == .dolibarr { text = text.replacingOccurrences(of: "\\n", with: "\n") }
            text = text.trimmingSpaces
            if text.isEmpty { continue }
            if layout.source == .salesforce, text == ImportRun.salesforceEmptyId { continue }
            if layout.source == .sirene, text == ImportRun.sireneMasked { continue }
            if field == .firstName, result[.firstName] != nil { continue }
            if field == .note, let earlier = result[.note] { text = earlier + "\n\n" + text }
            result[field] = text
        }
        return result
    }

    /// Checks the column count: a row with more or fewer fields than the
    /// header is rejected, except Dolibarr's empty trailing field.
    func hasExpectedColumnCount(_ record: inout CSVRecord) -> Bool {
        let expected = layout.header.count
        if record.fields.count == expected + 1, record.fields.last?.trimmingSpaces == "" {
            record.fields.removeLast()
        }
        return record.fields.count == expected
    }

    /// Keeps the keys of a row that an earlier batch already stored, so a
    /// resumed run detects duplicates as an uninterrupted one does.
    func rememberKeys(_ record: CSVRecord) {
        var copy = record
        guard hasExpectedColumnCount(&copy) else { return }
        let fields = values(of: copy)
        if let id = fields[.id] ?? (layout.source == .sirene ? fields[.siren] : nil) { seenExternalIds.insert(id) }
        if options.entity == .contacts {
            if let email = fields[.email] { seenEmails.insert(email.lowercased()) }
        } else if let siren = fields[.siren], case let .success(parsed) = SIREN.parse(siren) {
            seenSirens.insert(parsed.digits)
        }
    }

    func handle(_ original: CSVRecord) throws(CRMError) {
        var record = original
        if layout.source == .odoo, isOdooContinuation(record) {
            try extendPreviousAccount(record)
            return
        }
        summary.rowsRead += 1
        guard hasExpectedColumnCount(&record) else {
            try reject(line: record.line, code: "wrong_column_count", column: nil,
                       "the row has \(record.fields.count) fields but the header has \(layout.header.count); "
                       + "check the delimiter and quotes of this line")
            return
        }
        let fields = values(of: record)
        if let deleted = fields[.deleted], isTrue(deleted) {
            try log(ImportIssue(line: record.line, severity: .skipped, code: "deleted_in_source",
                                   column: layout.column(of: .deleted),
                                   message: "the record is marked deleted in the source; it is not imported"))
            return
        }
        switch options.entity {
        case .accounts:
            if layout.source == .odoo, fields[.isCompany].map(isTrue) == false {
                try handleOdooPerson(fields, line: record.line)
            } else if let draft = try accountDraft(fields, line: record.line) {
                try store(draft)
            }
        case .contacts:
            if let draft = try contactDraft(fields, line: record.line, requireEmailShape: true) {
                try store(draft)
            }
        case .opportunities:
            if let draft = try opportunityDraft(fields, line: record.line) {
                try store(draft)
            }
        }
    }

    func isTrue(_ text: String) -> Bool {
        ["1", "true", "yes", "oui", "vrai", "y", "o"].contains(text.lowercased())
    }

    // MARK: Odoo

    /// A one2many line: no id and no name, only the extra values of the
    /// record above it.
    private func isOdooContinuation(_ record: CSVRecord) -> Bool {
        for (index, field) in layout.fields.enumerated() where field == .id || field == .name {
            if index < record.fields.count, !record.fields[index].trimmingSpaces.isEmpty { return false }
        }
        return true
    }

    private func extendPreviousAccount(_ record: CSVRecord) throws(CRMError) {
        var copy = record
        _ = hasExpectedColumnCount(&copy)
        let fields = values(of: copy)
        guard let accountId = lastAccountId else {
            try reject(line: record.line, code: "orphan_continuation_row", column: nil,
                       "a continuation row (no id, no name) must follow the record it belongs to")
            summary.rowsRead += 1
            return
        }
        if let iban = fields[.iban] {
            switch IBAN.parse(iban) {
            case let .success(parsed): try addBankAccount(accountId, parsed.electronicForm)
            case let .failure(problem):
                try warn(line: record.line, code: "invalid_iban", field: .iban, problem.message + "; the IBAN is not kept")
            }
        }
        for tag in splitList(fields[.tags]) { try addTag(accountId, tag) }
    }

    private func handleOdooPerson(_ fields: [ImportField: String], line: Int) throws(CRMError) {
        let kind = fields[.addressType] ?? "contact"
        if kind == "delivery" || kind == "invoice" || kind == "other" {
            var address = AddressDraft(line: line, externalId: fields[.id], kind: kind, label: fields[.name] ?? kind)
            address.street = [fields[.street], fields[.street2]].compactMap { $0 }.joined(separator: "\n")
            if address.street == "" { address.street = nil }
            address.postalCode = fields[.postalCode]
            address.city = fields[.city]
            address.country = fields[.country].flatMap(CountryNames.code)
            address.parentReference = fields[.parent]
            try store(address)
            return
        }
        var personFields = fields
        personFields[.account] = fields[.parent]
        if let draft = try contactDraft(personFields, line: line, requireEmailShape: true) {
            try store(draft)
        }
    }

    func splitList(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }.map { tag in
            tag.hasPrefix("__export__.") ? String(tag.dropFirst("__export__.".count)) : tag
        }
    }

    // MARK: Accounts

    func accountDraft(_ fields: [ImportField: String], line: Int) throws(CRMError) -> AccountDraft? {
        var name = fields[.name]
        if name == nil, let last = fields[.lastName] {
            name = [fields[.firstName], last].compactMap { $0 }.joined(separator: " ")
        }
        guard let legalName = name.map({ cleanText($0) }), !legalName.isEmpty else {
            if layout.source == .sirene, fields[.diffusion] == "P" {
                try reject(line: line, code: "non_diffusible_no_name", field: .name,
                           "the unit is partly diffusible and its name is masked ([ND]); it cannot be imported "
                           + "without a name")
            } else {
                try reject(line: line, code: "missing_required_name", field: .name,
                           "the name is empty; an account needs a name")
            }
            return nil
        }
        var draft = AccountDraft(line: line, externalId: fields[.id], legalName: String(legalName.prefix(200)))
        if layout.source == .sirene { draft.externalId = fields[.siren] }
        // An owner column counts only when a mapping or the layout names it;
        // a name that is not a user who may own records falls back to --owner.
        draft.ownerId = try owner(named: fields[.owner].map { options.mapping?.translate(.owner, $0) ?? cleanText($0) }, line: line)

        guard try readIdentifiers(fields, into: &draft) else { return nil }
        try readAddress(fields, into: &draft)
        try readCompanyDetails(fields, into: &draft)
        try readMoney(fields, into: &draft)
        try readCommercialTerms(fields, into: &draft)
        draft.tags = splitList(fields[.tags])
        if let note = fields[.note] { draft.notes.append(layout.source == .odoo ? plainText(html: note) : note) }
        if let iban = fields[.iban] {
            switch IBAN.parse(iban) {
            case let .success(parsed):
                draft.columns[.iban] = .text(parsed.electronicForm)
                draft.ibans.append(parsed.electronicForm)
            case let .failure(problem):
                try warn(line: line, code: "invalid_iban", field: .iban, problem.message + "; the IBAN is not kept")
            }
        }
        draft.parentReference = fields[.parent]
        if fields[.lastName] != nil || fields[.fullName] != nil, fields[.name] != nil {
            var personFields = fields
            personFields.removeValue(forKey: .note)
            draft.contact = try contactDraft(personFields, line: line, requireEmailShape: false)
            if draft.contact != nil {
                draft.columns[AccountColumn.email] = nil
                draft.columns[AccountColumn.phone] = nil
            }
        }
        return draft
    }

    /// SIREN and SIRET: a bad one rejects the row, because they identify
    /// the company. Excel's scientific notation is rejected, never guessed.
    private func readIdentifiers(_ fields: [ImportField: String], into draft: inout AccountDraft) throws(CRMError) -> Bool {
        let line = draft.line
        var siren: String?
        if let text = fields[.siren] {
            guard let digits = try checkedIdentifier(text, field: .siren, line: line, length: 9, parse: { t in
                SIREN.parse(t).map(\.digits)
            }) else { return false }
            siren = digits
        }
        if let text = fields[.siret] {
            guard let digits = try checkedIdentifier(text, field: .siret, line: line, length: 14, parse: { t in
                SIRET.parse(t).map(\.digits)
            }) else { return false }
            let prefix = String(digits.prefix(9))
            if let siren, siren != prefix {
                try reject(line: line, code: "invalid_siret", field: .siret,
                           "the SIRET does not start with the row's SIREN; a SIRET is the SIREN plus 5 digits")
                return false
            }
            siren = prefix
            draft.columns[.siret] = .text(digits)
        }
        if let siren { draft.columns[.siren] = .text(siren) }
        if let vat = fields[.vat] {
            switch VATNumber.parse(vat) {
            case let .success(number): draft.columns[.vatNumber] = .text(number.text)
            case let .failure(problem):
                try warn(line: line, code: "invalid_vat", field: .vat,
                         problem.message + "; the field is cleared and the row imported", detail: vat)
            }
        }
        return true
    }

    private func checkedIdentifier(_ text: String, field: ImportField, line: Int, length: Int,
                                   parse: (String) -> Result<String, InvalidIdentifier>) throws(CRMError) -> String? {
        let code = field == .siren ? "invalid_siren" : "invalid_siret"
        let name = field == .siren ? "SIREN" : "SIRET"
        if text.contains("E+") || text.contains("e+") {
            try reject(line: line, code: code, field: field,
                       "the \(name) was turned into scientific notation by a spreadsheet and its digits are lost; "
                       + "export it again as text", detail: text)
            return nil
        }
        var candidate = text
        let digitsOnly = text.filter { !$0.isWhitespace }
        if digitsOnly.allSatisfy({ $0.isASCII && $0.isNumber }), digitsOnly.count < length,
           digitsOnly.count >= length - 2 {
            // A spreadsheet dropped leading zeros. Zeros in front do not
            // change a Luhn sum, so the key still checks the restored value.
            candidate = String(repeating: "0", count: length - digitsOnly.count) + digitsOnly
        }
        switch parse(candidate) {
        case let .success(digits):
            if candidate != text {
                try warn(line: line, code: "identifier_padded", field: field,
                         "the \(name) lost its leading zeros; they were restored")
            }
            return digits
        case let .failure(problem):
            try reject(line: line, code: code, field: field, problem.message, detail: text)
            return nil
        }
    }

    private func readAddress(_ fields: [ImportField: String], into draft: inout AccountDraft) throws(CRMError) {
        let line = draft.line
        let street = [fields[.street], fields[.street2]].compactMap { $0 }.joined(separator: "\n")
        if !street.isEmpty { draft.columns[.street] = .text(String(cleanText(street, keepNewlines: true).prefix(500))) }
        if let city = fields[.city] { draft.columns[.city] = .text(cleanText(city)) }
        var country = "FR"
        if let text = fields[.country] {
            if let mapped = options.mapping?.translate(.country, text) ?? CountryNames.code(for: text) {
                country = mapped
            } else {
                try warn(line: line, code: "unknown_country", field: .country,
                         "the country is not recognised; the account is stored with country FR", detail: text)
            }
        }
        draft.columns[.country] = .text(country)
        if let postal = fields[.postalCode] {
            var code = postal
            if country == "FR", code.count == 4, code.allSatisfy({ $0.isASCII && $0.isNumber }) {
                code = "0" + code
                try warn(line: line, code: "postal_code_padded", field: .postalCode,
                         "the French postal code had 4 digits (a spreadsheet dropped its leading zero); "
                         + "it was padded to 5")
            }
            let allowed = code.count <= 16 && code.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == " " || $0 == "-")
            }
            if allowed {
                draft.columns[.postalCode] = .text(code)
            } else {
                try warn(line: line, code: "invalid_postal_code", field: .postalCode,
                         "the postal code has characters other than letters, digits, spaces and hyphens; it is cleared")
            }
        }
        if let phone = fields[.phone] { draft.columns[.phone] = .text(cleanText(phone)) }
        if let website = fields[.website] { draft.columns[.website] = .text(cleanText(website)) }
        if let email = fields[.email] {
            if let normalised = Contacts.normalisedEmail(email) {
                draft.columns[.email] = .text(normalised)
            } else {
                try warn(line: line, code: "invalid_email", field: .email,
                         "the e-mail address is not valid; the field is cleared", detail: email)
            }
        }
    }

    private func readCompanyDetails(_ fields: [ImportField: String], into draft: inout AccountDraft) throws(CRMError) {
        let line = draft.line
        if let trade = fields[.tradeName] { draft.columns[.tradeName] = .text(cleanText(trade)) }
        if let form = fields[.legalForm] { draft.columns[.legalForm] = .text(cleanText(form)) }
        if let activity = fields[.activityCode] { draft.columns[.activityCode] = .text(activity) }
        if let category = fields[.category] {
            draft.columns[.category] = .text(options.mapping?.translate(.category, category) ?? cleanText(category))
        }
        if let text = fields[.creationDate] {
            draft.columns[.creationDate] = try date(text, field: .creationDate, line: line, notAfterToday: true)
        }
        if let text = fields[.customerSince] {
            draft.columns[.customerSince] = try date(text, field: .customerSince, line: line, notAfterToday: false)
        }
        if let text = fields[.active] {
            let mapped = options.mapping?.translate(.active, text) ?? text
            let active: Bool
            switch layout.source {
            case .sirene: active = mapped != "C"
            default: active = !["0", "c", "closed", "false", "no", "non", "inactive", "inactif", "ferme"]
                .contains(searchKey(mapped))
            }
            draft.columns[.active] = active ? 1 : 0
            if !active {
                try warn(line: line, code: "inactive", field: .active,
                         "the company is closed or ceased in the source; it is imported as inactive")
            }
        }
        if let text = fields[.status] {
            if let status = accountStatus(text) { draft.columns[.status] = .text(status) }
        }
        if let text = fields[.supplier] { draft.columns[.supplier] = isTrue(text) ? 1 : 0 }
        if let text = fields[.employees] {
            if let count = ImportDecimal.parse(text, locale: locale)?.integer, count >= 0 {
                draft.columns[.employeeCount] = .integer(count)
            } else {
                try warn(line: line, code: "invalid_number", field: .employees,
                         "the number of employees is not a whole number; it is cleared", detail: text)
            }
        }
        if let text = fields[.customerCode] {
            if text.lowercased() == "auto" {
                draft.generateCustomerCode = true
            } else {
                draft.columns[.customerCode] = .text(cleanText(text))
            }
        }
        if let text = fields[.currency] {
            if let currency = Currency(code: text.trimmingSpaces) {
                draft.columns[.currency] = .text(currency.code)
            } else {
                try warn(line: line, code: "unknown_currency", field: .currency,
                         "the currency is not an ISO 4217 code this CRM knows; EUR is used", detail: text)
            }
        }
    }

    /// Dolibarr's client codes, Salesforce's account types and the
    /// mapping's status values.
    private func accountStatus(_ text: String) -> String? {
        if let mapped = options.mapping?.translate(.status, text) { return mapped == "customer" ? "customer" : "prospect" }
        switch layout.source {
        case .dolibarr:
            switch text {
            case "1", "3": return "customer"
            case "2": return "prospect"
            default: return nil
            }
        default:
            let key = searchKey(text)
            if key.contains("customer") || key.contains("client") { return "customer" }
            if key.contains("prospect") { return "prospect" }
            return nil
        }
    }

    private func readMoney(_ fields: [ImportField: String], into draft: inout AccountDraft) throws(CRMError) {
        let line = draft.line
        let currency = Currency(code: draft.columns[.currency]?.text ?? "EUR") ?? .euro
        if let text = fields[.annualRevenue] {
            draft.columns[.annualRevenue] = try amount(text, field: .annualRevenue, line: line, currency: currency)
        }
        if let text = fields[.discount] {
            if let rate = ImportDecimal.parse(text, locale: locale) {
                draft.columns[.discountPercent] = .text(rate.text)
            } else {
                try warn(line: line, code: "invalid_number", field: .discount,
                         "the discount rate is not a number; it is cleared", detail: text)
            }
        }
        if let text = fields[.creditLimit] {
            let limit = try amount(text, field: .creditLimit, line: line, currency: currency)
            if let minor = limit.integer, minor < 0 {
                try warn(line: line, code: "invalid_number", field: .creditLimit,
                         "a credit limit cannot be negative; it is cleared")
            } else if limit != .null {
                draft.columns[.creditLimit] = limit
            }
        }
    }

    private func readCommercialTerms(_ fields: [ImportField: String], into draft: inout AccountDraft) throws(CRMError) {
        let line = draft.line
        if let text = fields[.paymentTerm] {
            if let code = options.mapping?.translate(.paymentTerm, text) ?? PaymentNames.term(for: text) {
                draft.columns[.paymentTerm] = .text(code)
            } else {
                try warn(line: line, code: "unknown_payment_term", field: .paymentTerm,
                         "the payment term is not one this CRM knows; map it in a --mapping file", detail: text)
            }
        }
        if let text = fields[.paymentMethod] {
            if let code = options.mapping?.translate(.paymentMethod, text) ?? PaymentNames.method(for: text) {
                draft.columns[.paymentMethod] = .text(code)
            } else {
                try warn(line: line, code: "unknown_payment_method", field: .paymentMethod,
                         "the payment method is not one this CRM knows; map it in a --mapping file", detail: text)
            }
        }
        if !canSetTerms {
            for column in [AccountColumn.creditLimit, .paymentTerm, .paymentMethod] where draft.columns[column] != nil {
                draft.columns[column] = nil
                try warn(line: line, code: "needs_admin_role", field: column.field,
                         "payment terms, method and credit limit are set by accounting; an admin import keeps "
                         + "them, this one leaves them empty")
            }
        }
    }

    func amount(_ text: String, field: ImportField, line: Int, currency: Currency) throws(CRMError) -> SQLValue {
        guard let decimal = ImportDecimal.parse(text, locale: locale),
              let minor = decimal.minorUnits(exponent: currency.exponent) else {
            try warn(line: line, code: "invalid_number", field: field,
                     "the amount is not a number in the \(locale.rawValue) format (see --locale); it is cleared",
                     detail: text)
            return .null
        }
        return .integer(minor)
    }

    func date(_ text: String, field: ImportField, line: Int, notAfterToday: Bool) throws(CRMError) -> SQLValue {
        guard let date = ImportDate.parse(text, order: dateOrder) else {
            try warn(line: line, code: "invalid_date", field: field,
                     "the date does not exist or is not a date; the field is cleared", detail: text)
            return .null
        }
        if notAfterToday, date > context.clock.today {
            try warn(line: line, code: "invalid_date", field: field,
                     "the date is after today; the field is cleared", detail: text)
            return .null
        }
        return .text(date.description)
    }

    /// Removes control characters other than line breaks and trims.
    func cleanText(_ text: String, keepNewlines: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" { scalars.append(keepNewlines ? "\n" : " "); continue }
            if scalar == "\t" { scalars.append(" "); continue }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
            scalars.append(scalar)
        }
        return String(scalars).trimmingSpaces
    }

    /// Odoo's HTML fields as plain text: paragraphs and line breaks kept,
    /// tags removed, the common entities decoded.
    func plainText(html: String) -> String {
        var text = html
        for (tag, replacement) in [("</p><p>", "\n\n"), ("<br>", "\n"), ("<br/>", "\n"), ("<br />", "\n"),
                                   ("</p>", "\n\n"), ("</div>", "\n")] {
            text = text.replacingOccurrences(of: tag, with: replacement)
        }
        var result = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; continue }
            if !inTag { result.append(character) }
        }
        for (entity, character) in [("&nbsp;", "\u{00A0}"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""),
                                    ("&#39;", "'"), ("&amp;", "&")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        return result.trimmingSpaces
    }

    // MARK: Contacts

    func contactDraft(_ fields: [ImportField: String], line: Int,
                      requireEmailShape: Bool) throws(CRMError) -> ContactDraft? {
        var first = fields[.firstName]
        var last = fields[.lastName]
        if last == nil, let full = fields[.fullName] ?? (options.entity == .contacts || layout.source == .odoo
                                                          ? fields[.name] : nil) {
            let parts = cleanText(full).split(separator: " ", maxSplits: 1)
            if parts.count == 2 {
                first = String(parts[0])
                last = String(parts[1])
            } else {
                last = parts.first.map(String.init)
            }
        }
        guard let lastName = last.map({ cleanText($0) }), !lastName.isEmpty else {
            try reject(line: line, code: "missing_required_name", field: .lastName,
                       "the last name is empty; a contact needs at least a last name")
            return nil
        }
        var draft = ContactDraft(line: line, externalId: options.entity == .contacts || layout.source == .odoo
                                 ? fields[.id] : nil)
        draft.columns[.lastName] = .text(String(lastName.prefix(200)))
        if let first { draft.columns[.firstName] = .text(cleanText(first)) }
        if let salutation = fields[.salutation] { draft.columns[.salutation] = .text(cleanText(salutation)) }
        if let title = fields[.title] { draft.columns[.role] = .text(cleanText(title)) }
        if let phone = fields[.phone] { draft.columns[.phone] = .text(cleanText(phone)) }
        if let mobile = fields[.mobile] { draft.columns[.mobile] = .text(cleanText(mobile)) }
        if let email = fields[.email] {
            guard let normalised = Contacts.normalisedEmail(email) else {
                if requireEmailShape {
                    try reject(line: line, code: "invalid_email", field: .email,
                               "the e-mail address is not valid; correct it or leave it empty", detail: email)
                    return nil
                }
                try warn(line: line, code: "invalid_email", field: .email,
                         "the e-mail address is not valid; the field is cleared", detail: email)
                return draft
            }
            draft.columns[.email] = .text(normalised)
        }
        if let opted = fields[.optedOut] { draft.columns[.optedOut] = isTrue(opted) ? 1 : 0 }
        if let text = fields[.birthdate] {
            draft.columns[.birthdate] = try date(text, field: .birthdate, line: line, notAfterToday: true)
        }
        draft.accountReference = fields[.account]
        return draft
    }
}
