/// A person at an account.
public struct Contact: Equatable, Sendable {
    public let id: Int64
    /// The account the contact works for; nil for a contact imported
    /// without a known company, until it is linked.
    public var accountId: Int64?
    public var firstName: String?
    public var lastName: String
    public var role: String?
    public var email: String?
    public var phone: String?
    public var mobile: String?
    public var optedOut: Bool
    public let createdAt: String
    public var updatedAt: String

    static let select = """
        SELECT c.id, c.account_id, c.first_name, c.last_name, c.role, c.email, c.phone, c.mobile, c.opted_out,
               c.created_at, c.updated_at
        FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
        """

    init(row: Row) {
        id = row.int(0)!
        accountId = row.int(1)
        firstName = row.string(2)
        lastName = row.string(3)!
        role = row.string(4)
        email = row.string(5)
        phone = row.string(6)
        mobile = row.string(7)
        optedOut = row.bool(8)
        createdAt = row.string(9)!
        updatedAt = row.string(10)!
    }

    public var fullName: String { [firstName, lastName].compactMap { $0 }.joined(separator: " ") }

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("accountId", accountId)
        object.set("firstName", firstName)
        object.set("lastName", lastName)
        object.set("role", role)
        object.set("email", email)
        object.set("phone", phone)
        object.set("mobile", mobile)
        object.set("optedOut", optedOut)
        object.set("createdAt", createdAt)
        object.set("updatedAt", updatedAt)
        return object.value
    }
}

/// The fields of a contact that a user can set; an empty value clears one.
public enum ContactField: String, CaseIterable, Sendable {
    case firstName = "first-name"
    case lastName = "last-name"
    case role, email, phone, mobile
    case optedOut = "opt-out"

    var column: String {
        switch self {
        case .firstName: return "first_name"
        case .lastName: return "last_name"
        case .optedOut: return "opted_out"
        default: return rawValue
        }
    }

    public var option: String { "--\(rawValue)" }
}

/// Contact workflows. Visibility follows the contact's account.
public enum Contacts {
    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Contact {
        let scope = Accounts.visibility(context)
        guard let contact = try context.database.first("\(Contact.select) WHERE c.id = ? AND \(scope.sql)",
                                                       [id] + scope.parameters).map(Contact.init) else {
            throw CRMError.notFound("contact \(id) not found (or not yours to see); see `crm contact list`")
        }
        return contact
    }

    public static func list(_ context: CRMContext, account: Int64?, limit: Int, offset: Int) throws(CRMError) -> [Contact] {
        let scope = Accounts.visibility(context)
        var sql = "\(Contact.select) WHERE \(scope.sql) AND a.archived_at IS NULL"
        var parameters = scope.parameters
        if let account {
            _ = try Accounts.get(context, id: account)
            sql += " AND c.account_id = ?"
            parameters.append(account)
        }
        sql += " ORDER BY c.name_key, c.id LIMIT ? OFFSET ?"
        return try context.database.query(sql, parameters + [limit, offset]).map(Contact.init)
    }

    /// Validates raw command-line values into column values.
    static func check(_ values: [ContactField: String]) throws(CRMError) -> [ContactField: SQLValue] {
        var checked: [ContactField: SQLValue] = [:]
        for (field, raw) in values {
            let text = raw.trimmingSpaces
            try AccountValidation.checkPrintable(text, option: field.option, maximum: 200)
            switch field {
            case .lastName:
                guard !text.isEmpty else { throw CRMError.usage("--last-name must not be empty") }
                checked[field] = .text(text)
            case .email:
                if text.isEmpty { checked[field] = .null; continue }
                guard let normalised = normalisedEmail(text) else {
                    throw CRMError.invalid("invalid --email '\(raw)': expected an address such as name@example.com")
                }
                checked[field] = .text(normalised)
            case .optedOut:
                checked[field] = .integer(try AccountValidation.parseBool(text, option: field.option) ? 1 : 0)
            default:
                checked[field] = text.isEmpty ? .null : .text(text)
            }
        }
        return checked
    }

    static func phoneKey(_ phones: [String?]) -> String? {
        let keys = phones.compactMap { $0 }.map { String($0.unicodeScalars.filter { $0.properties.numericType != nil && $0.isASCII }.map(Character.init)) }
            .filter { !$0.isEmpty }
        return keys.isEmpty ? nil : keys.joined(separator: " ")
    }

    private static func duplicateEmail(_ context: CRMContext, account: Int64, email: String, except: Int64?) throws(CRMError) {
        if let other = try context.database.first(
            "SELECT id FROM contacts WHERE account_id = ? AND email_key = ? AND id IS NOT ?",
            [account, email.lowercased(), except]) {
            throw CRMError.conflict("account \(account) already has a contact with the e-mail '\(email)' "
                                    + "(contact \(other.int(0)!)); e-mails are unique per account, whatever their case")
        }
    }

    public static func add(_ context: CRMContext, account accountId: Int64, fields: [ContactField: String]) throws(CRMError) -> Contact {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Contact in
            let account = try Accounts.get(context, id: accountId)
            try Accounts.requireWrite(context, account)
            guard account.archivedAt == nil else { throw CRMError.conflict("account \(accountId) is archived") }
            guard fields[.lastName] != nil else {
                throw CRMError.usage("missing --last-name: a contact needs at least a last name")
            }
            let checked = try check(fields)
            let email = checked[.email]?.text
            if let email { try duplicateEmail(context, account: accountId, email: email, except: nil) }
            let now = context.clock.timestamp
            let id = try database.insert("""
                INSERT INTO contacts (account_id, first_name, last_name, role, email, email_key, phone, mobile, opted_out,
                                      name_key, phone_key, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [accountId, checked[.firstName] ?? .null, checked[.lastName]!, checked[.role] ?? .null,
                      email, email?.lowercased(), checked[.phone] ?? .null, checked[.mobile] ?? .null,
                      checked[.optedOut] ?? .integer(0),
                      searchKey([checked[.firstName]?.text, checked[.lastName]?.text].compactMap { $0 }.joined(separator: " ")),
                      phoneKey([checked[.phone]?.text, checked[.mobile]?.text]), now, now])
            try context.audit(entity: "contact", id: id, account: accountId, action: "create", field: nil, old: nil, new: nil)
            return try get(context, id: id)
        }
    }

    /// Links a contact to an account, or moves it to another one. A contact
    /// that belongs to no account (imported without a known company) is
    /// linked by an admin.
    public static func link(_ context: CRMContext, id: Int64, account accountId: Int64) throws(CRMError) -> Contact {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Contact in
            let contact = try get(context, id: id)
            if let current = contact.accountId {
                guard current != accountId else {
                    throw CRMError.conflict("contact \(id) already belongs to account \(accountId)")
                }
                try Accounts.requireWrite(context, try Accounts.get(context, id: current))
            } else {
                try context.require(.admin, to: "link a contact that belongs to no account")
            }
            let target = try Accounts.get(context, id: accountId)
            try Accounts.requireWrite(context, target)
            guard target.archivedAt == nil else { throw CRMError.conflict("account \(accountId) is archived") }
            if let email = contact.email { try duplicateEmail(context, account: accountId, email: email, except: id) }
            try database.query("UPDATE contacts SET account_id = ?, updated_at = ? WHERE id = ?",
                               [accountId, context.clock.timestamp, id])
            try context.audit(entity: "contact", id: id, account: accountId, action: "update", field: "account",
                              old: contact.accountId.map { String($0) }, new: String(accountId))
            return try get(context, id: id)
        }
    }

    public static func edit(_ context: CRMContext, id: Int64, fields: [ContactField: String]) throws(CRMError) -> Contact {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Contact in
            let before = try get(context, id: id)
            if let accountId = before.accountId {
                try Accounts.requireWrite(context, try Accounts.get(context, id: accountId))
            } else {
                try context.require(.admin, to: "change a contact that belongs to no account")
            }
            let checked = try check(fields)
            if let email = checked[.email]?.text {
                if let accountId = before.accountId {
                    try duplicateEmail(context, account: accountId, email: email, except: id)
                }
            }
            let old = try database.first("SELECT \(ContactField.allCases.map(\.column).joined(separator: ", ")) FROM contacts WHERE id = ?", [id])!
            var changed = false
            for (index, field) in ContactField.allCases.enumerated() {
                guard let value = checked[field], old[index] != value else { continue }
                try database.query("UPDATE contacts SET \(field.column) = ? WHERE id = ?", [value, id])
                if field == .email {
                    try database.query("UPDATE contacts SET email_key = lower(email) WHERE id = ?", [id])
                }
                try context.audit(entity: "contact", id: id, account: before.accountId, action: "update",
                                  field: field.rawValue, old: old[index].text ?? old[index].integer.map { String($0) },
                                  new: value.text ?? value.integer.map { String($0) })
                changed = true
            }
            guard changed else { return before }
            let after = try get(context, id: id)
            try database.query("UPDATE contacts SET name_key = ?, phone_key = ?, updated_at = ? WHERE id = ?",
                               [searchKey(after.fullName), phoneKey([after.phone, after.mobile]), context.clock.timestamp, id])
            return try get(context, id: id)
        }
    }

    /// Lower-cases the domain and checks the shape of an e-mail address.
    static func normalisedEmail(_ text: String) -> String? {
        guard isValidEmail(text) else { return nil }
        let parts = text.split(separator: "@")
        return "\(parts[0])@\(parts[1].lowercased())"
    }
}
