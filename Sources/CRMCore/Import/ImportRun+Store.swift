/// Writing checked drafts: duplicate rules, inserts, updates, links.
extension ImportRun {
    static let accountInsertSQL: String = {
        let columns = AccountColumn.allCases.map(\.rawValue)
            + ["owner_id", "name_key", "trade_key", "created_at", "updated_at"]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO accounts (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
    }()

    static let contactInsertSQL = """
        INSERT INTO contacts (account_id, owner_id, first_name, last_name, salutation, role, email, email_key, phone,
                              mobile, opted_out, birthdate, name_key, phone_key, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    var sourceName: String { layout.source.rawValue }

    func identity(name: String, city: String?) -> String {
        identityKey(name) + "\u{1F}" + identityKey(city ?? "")
    }

    func loadIdentities() throws(CRMError) {
        for row in try database.query("SELECT id, legal_name, city, siren FROM accounts WHERE archived_at IS NULL") {
            identities[identity(name: row.string(1)!, city: row.string(2)), default: []]
                .append((id: row.int(0)!, siren: row.string(3)))
        }
    }

    func storedEntity(_ entity: String, externalId: String) throws(CRMError) -> Int64? {
        try database.scalar("SELECT entity_id FROM external_ids WHERE entity = ? AND source = ? AND external_id = ?",
                            [entity, sourceName, externalId]).integer
    }

    func saveExternalId(_ entity: String, id: Int64, externalId: String?, source: String? = nil) throws(CRMError) {
        guard let externalId else { return }
        try database.query("INSERT OR IGNORE INTO external_ids (entity, entity_id, source, external_id) VALUES (?, ?, ?, ?)",
                           [entity, id, source ?? sourceName, externalId])
    }

    private func duplicate(_ line: Int, field: ImportField, _ message: String) throws(CRMError) {
        let column = layout.column(of: field) ?? (field == .id ? layout.column(of: .siren) : nil)
        try reject(line: line, code: "duplicate_key", column: column, message)
    }

    // MARK: Accounts

    func store(_ draft: AccountDraft) throws(CRMError) {
        let line = draft.line
        if let externalId = draft.externalId {
            guard seenExternalIds.insert(externalId).inserted else {
                try duplicate(line, field: .id, "the source id repeats an earlier row of this file")
                return
            }
        }
        if let siren = draft.siren {
            guard seenSirens.insert(siren).inserted else {
                try duplicate(line, field: .siren, "the SIREN repeats an earlier row of this file")
                return
            }
        }
        if let externalId = draft.externalId, let existing = try storedEntity("account", externalId: externalId) {
            try updateStored(table: "accounts", entity: "account", id: existing, line: line,
                             values: accountColumnValues(draft, includeDefaults: false))
            return
        }
        if let siren = draft.siren,
           let existing = try database.scalar("SELECT id FROM accounts WHERE siren = ? AND archived_at IS NULL",
                                              [siren]).integer {
            try duplicate(line, field: .siren, "an account with this SIREN is already stored (account \(existing))")
            return
        }
        var checked = draft
        if let code = draft.columns[.customerCode]?.text {
            let taken = try database.scalar("SELECT id FROM accounts WHERE customer_code = ?", [code]).integer
            if !seenCustomerCodes.insert(code).inserted || taken != nil {
                checked.columns[.customerCode] = nil
                try warn(line: line, code: "duplicate_customer_code", field: .customerCode,
                         "the customer code is already used by another account; it is cleared")
            }
        }
        let key = identity(name: draft.legalName, city: draft.city)
        if let match = identities[key]?.first(where: { draft.siren == nil || $0.siren == nil }) {
            // A row with its own source id is a distinct record in the source
            // system, so it is kept and flagged; a row without one is held back.
            if options.acceptPossibleDuplicates || draft.externalId != nil {
                try warn(line: line, code: "possible_duplicate", field: .name,
                         "same name and city as account \(match.id); imported, merge them with "
                         + "`crm account merge` if they are one company")
            } else {
                try reject(line: line, code: "possible_duplicate", field: .name,
                           "same name and city as account \(match.id) and no identifier tells them apart; "
                           + "import with --accept-possible-duplicates to keep it")
                return
            }
        }
        let id = try insertAccount(checked)
        identities[key, default: []].append((id: id, siren: draft.siren))
        summary.imported += 1
    }

    func accountColumnValues(_ draft: AccountDraft, includeDefaults: Bool) -> [(String, SQLValue)] {
        var result: [(String, SQLValue)] = [("legal_name", .text(draft.legalName))]
        for column in AccountColumn.allCases where column != .legalName {
            if let value = draft.columns[column] {
                result.append((column.rawValue, value))
            } else if includeDefaults {
                result.append((column.rawValue, column.defaultValue))
            }
        }
        return result
    }

    private func insertAccount(_ draft: AccountDraft) throws(CRMError) -> Int64 {
        let now = context.clock.timestamp
        var parameters: [SQLBindable] = accountColumnValues(draft, includeDefaults: true).map(\.1)
        parameters.append(draft.ownerId ?? ownerId)
        parameters.append(searchKey(draft.legalName))
        parameters.append(draft.columns[.tradeName]?.text.map(searchKey))
        parameters.append(now)
        parameters.append(now)
        let id = try database.insert(ImportRun.accountInsertSQL, parameters)
        try saveExternalId("account", id: id, externalId: draft.externalId)
        if draft.generateCustomerCode { try generateCustomerCode(id) }
        for iban in draft.ibans { try addBankAccount(id, iban) }
        for tag in draft.tags { try addTag(id, tag) }
        for note in draft.notes { try addNote(id, note) }
        if let reference = draft.parentReference {
            try addPendingLink("account", id: id, reference: reference, byName: layout.parentByName, line: draft.line,
                               field: .parent)
        }
        try context.audit(entity: "account", id: id, account: id, action: "create", field: nil, old: nil, new: nil)
        try Sectors.applyRule(context, accountId: id)
        try context.fire("onAccountCreated", payload: try accountPayload(id))
        lastAccountId = id
        if var contact = draft.contact {
            contact.ownerId = draft.ownerId
            try insertContact(contact, accountId: id)
        }
        return id
    }

    private func accountPayload(_ id: Int64) throws(CRMError) -> Value {
        guard let account = try Accounts.load(database, id: id) else {
            throw CRMError(.database, "account \(id) vanished while it was being imported")
        }
        return account.pluginValue
    }

    /// Gives an account a customer code `CU` plus its id on 6 digits, with a
    /// suffix when that code is already taken.
    private func generateCustomerCode(_ id: Int64) throws(CRMError) {
        let digits = String(id)
        let base = "CU" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        var code = base
        var suffix = 2
        while try database.scalar("SELECT 1 FROM accounts WHERE customer_code = ?", [code]) != .null {
            code = "\(base)-\(suffix)"
            suffix += 1
        }
        try database.query("UPDATE accounts SET customer_code = ? WHERE id = ?", [code, id])
    }

    func addBankAccount(_ accountId: Int64, _ iban: String) throws(CRMError) {
        try database.query("INSERT OR IGNORE INTO account_bank_accounts (account_id, iban) VALUES (?, ?)", [accountId, iban])
        try database.query("UPDATE accounts SET iban = ? WHERE id = ? AND iban IS NULL", [iban, accountId])
    }

    func addTag(_ accountId: Int64, _ tag: String) throws(CRMError) {
        let label = String(cleanText(tag).prefix(64))
        guard !label.isEmpty else { return }
        try database.query("INSERT OR IGNORE INTO account_labels (account_id, kind, label) VALUES (?, 'tag', ?)",
                           [accountId, label])
    }

    func addNote(_ accountId: Int64, _ text: String) throws(CRMError) {
        let trimmed = String(text.trimmingSpaces.prefix(Notes.maximumLength))
        guard !trimmed.isEmpty else { return }
        let id = try database.insert("""
            INSERT INTO notes (account_id, text, author_id, plugin, created_at) VALUES (?, ?, ?, NULL, ?)
            """, [accountId, trimmed, context.actor.id, context.clock.timestamp])
        try context.audit(entity: "note", id: id, account: accountId, action: "create", field: nil, old: nil, new: nil)
    }

    /// Updates a record already imported from the same source: the columns
    /// the row gives that differ are written, one audit row each.
    private func updateStored(table: String, entity: String, id: Int64, line: Int,
                              values: [(String, SQLValue)]) throws(CRMError) {
        let names = values.map(\.0)
        guard let stored = try database.first("SELECT \(names.joined(separator: ", ")) FROM \(table) WHERE id = ?",
                                              [id]) else {
            throw CRMError(.database, "\(entity) \(id) is named in external_ids but missing; the database is damaged")
        }
        var changed: [String] = []
        for (index, (column, value)) in values.enumerated() where stored[index] != value {
            try database.query("UPDATE \(table) SET \(column) = ?, updated_at = ? WHERE id = ?",
                               [value, context.clock.timestamp, id])
            try context.audit(entity: entity, id: id, account: entity == "account" ? id : nil, action: "update",
                              field: column, old: stored[index].text ?? stored[index].integer.map { String($0) },
                              new: value.text ?? value.integer.map { String($0) })
            changed.append(column)
        }
        guard !changed.isEmpty else {
            summary.unchanged += 1
            return
        }
        summary.updated += 1
        if entity == "account" {
            if changed.contains("legal_name") || changed.contains("trade_name") {
                try database.query("UPDATE accounts SET name_key = ?, trade_key = ? WHERE id = ?",
                                   [searchKey(values.first { $0.0 == "legal_name" }?.1.text ?? ""),
                                    values.first { $0.0 == "trade_name" }?.1.text.map(searchKey), id])
            }
            if changed.contains("postal_code") || changed.contains("country"),
               try Sectors.applyRule(context, accountId: id) != nil {
                changed.append("sector_id")
            }
            try context.fire("onAccountUpdated", payload: try updatedPayload(id, changed: changed))
        }
    }

    private func updatedPayload(_ id: Int64, changed: [String]) throws(CRMError) -> Value {
        guard case var .object(fields) = try accountPayload(id) else { return .null }
        fields.append(("changed", .array(changed.map(Value.string))))
        return .object(fields)
    }

    // MARK: Contacts

    func store(_ draft: ContactDraft) throws(CRMError) {
        let line = draft.line
        if let externalId = draft.externalId {
            guard seenExternalIds.insert(externalId).inserted else {
                try duplicate(line, field: .id, "the source id repeats an earlier row of this file")
                return
            }
        }
        if let email = draft.email?.lowercased() {
            guard seenEmails.insert(email).inserted else {
                try duplicate(line, field: .email, "the e-mail address repeats an earlier row of this file "
                              + "(e-mails are compared without regard to case)")
                return
            }
        }
        if let externalId = draft.externalId, let existing = try storedEntity("contact", externalId: externalId) {
            try updateStored(table: "contacts", entity: "contact", id: existing, line: line,
                             values: draft.columns.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 })
            return
        }
        if let email = draft.email?.lowercased(),
           let existing = try database.scalar("SELECT id FROM contacts WHERE email_key = ?", [email]).integer {
            try duplicate(line, field: .email, "a contact with this e-mail address is already stored (contact \(existing))")
            return
        }
        try insertContact(draft, accountId: nil)
        summary.imported += 1
    }

    private func insertContact(_ draft: ContactDraft, accountId: Int64?) throws(CRMError) {
        let now = context.clock.timestamp
        let first = draft.columns[.firstName]?.text
        let last = draft.columns[.lastName]?.text ?? ""
        let phone = draft.columns[.phone]?.text
        let mobile = draft.columns[.mobile]?.text
        var parameters: [SQLBindable] = [accountId, draft.ownerId ?? ownerId]
        for column in [ContactColumn.firstName, .lastName, .salutation, .role, .email] {
            parameters.append(draft.columns[column] ?? .null)
        }
        parameters.append(draft.email?.lowercased())
        parameters.append(phone)
        parameters.append(mobile)
        parameters.append(draft.columns[.optedOut] ?? .integer(0))
        parameters.append(draft.columns[.birthdate] ?? .null)
        parameters.append(searchKey([first, last].compactMap { $0 }.joined(separator: " ")))
        parameters.append(Contacts.phoneKey([phone, mobile]))
        parameters.append(now)
        parameters.append(now)
        let id = try database.insert(ImportRun.contactInsertSQL, parameters)
        try saveExternalId("contact", id: id, externalId: draft.externalId)
        if accountId == nil, let reference = draft.accountReference {
            try addPendingLink("contact", id: id, reference: reference, byName: false, line: draft.line,
                               field: layout.source == .odoo ? .parent : .account)
        }
        try context.audit(entity: "contact", id: id, account: accountId, action: "create", field: nil, old: nil, new: nil)
    }

    // MARK: Addresses

    func store(_ draft: AddressDraft) throws(CRMError) {
        if let externalId = draft.externalId {
            guard seenExternalIds.insert(externalId).inserted else {
                try duplicate(draft.line, field: .id, "the source id repeats an earlier row of this file")
                return
            }
            if try storedEntity("address", externalId: externalId) != nil {
                summary.unchanged += 1
                return
            }
        }
        guard let reference = draft.parentReference else {
            try reject(line: draft.line, code: "missing_parent", field: .parent,
                       "a delivery or invoice address needs the company it belongs to")
            return
        }
        let id = try database.insert("""
            INSERT INTO account_addresses (account_id, kind, label, street, postal_code, city, country, created_at)
            VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
            """, [draft.kind, cleanText(draft.label), draft.street, draft.postalCode, draft.city, draft.country,
                  context.clock.timestamp])
        try saveExternalId("address", id: id, externalId: draft.externalId)
        try addPendingLink("address", id: id, reference: reference, byName: false, line: draft.line, field: .parent)
        summary.imported += 1
    }

    // MARK: Links

    func addPendingLink(_ entity: String, id: Int64, reference: String, byName: Bool, line: Int,
                        field: ImportField) throws(CRMError) {
        try database.query("""
            INSERT INTO import_pending_links (run_id, entity, entity_id, reference, by_name, line, column_name)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [runId, entity, id, reference, byName, line, layout.column(of: field)])
    }

    /// Resolves references to companies once every row is stored, so a
    /// record may name a company that comes later in the file.
    func resolvePendingLinks() throws(CRMError) {
        let links = try database.query("""
            SELECT entity, entity_id, reference, by_name, line, column_name FROM import_pending_links
            WHERE run_id = ? ORDER BY line
            """, [runId])
        for link in links {
            let entity = link.string(0)!
            let id = link.int(1)!
            let reference = link.string(2)!
            let line = Int(link.int(4)!)
            let column = link.string(5)
            let target = link.bool(3) ? try accountNamed(reference) : try storedEntity("account", externalId: reference)
            guard let target, !(entity == "account" && target == id) else {
                try unresolved(entity, id: id, line: line, column: column)
                continue
            }
            switch entity {
            case "account": try database.query("UPDATE accounts SET parent_id = ? WHERE id = ?", [target, id])
            case "contact": try database.query("UPDATE contacts SET account_id = ? WHERE id = ?", [target, id])
            default: try database.query("UPDATE account_addresses SET account_id = ? WHERE id = ?", [target, id])
            }
        }
    }

    private func unresolved(_ entity: String, id: Int64, line: Int, column: String?) throws(CRMError) {
        switch entity {
        case "address":
            try database.query("DELETE FROM external_ids WHERE entity = 'address' AND entity_id = ?", [id])
            try database.query("DELETE FROM account_addresses WHERE id = ?", [id])
            summary.imported -= 1
            try reject(line: line, code: "unknown_reference", column: column,
                       "the company this address belongs to is neither in the file nor stored")
        case "contact":
            try log(ImportIssue(line: line, severity: .warning, code: "unknown_reference", column: column,
                                message: "the company is neither in the file nor stored; the contact is imported "
                                + "without a company"))
        default:
            try log(ImportIssue(line: line, severity: .warning, code: "unknown_reference", column: column,
                                message: "the parent company is neither in the file nor stored; the account is "
                                + "imported without a parent"))
        }
    }

    /// The one active account whose name has this identity key.
    private func accountNamed(_ name: String) throws(CRMError) -> Int64? {
        let key = identityKey(name)
        let candidates = identities.filter { $0.key.hasPrefix(key + "\u{1F}") }.flatMap(\.value)
        return candidates.count == 1 ? candidates[0].id : nil
    }
}
