/// The fields of an account that a user can set, with the command-line
/// option of each. A field given an empty value is cleared.
public enum AccountField: String, CaseIterable, Sendable {
    case legalName = "legal-name"
    case tradeName = "trade-name"
    case legalForm = "legal-form"
    case siren, siret
    case vatNumber = "vat"
    case street
    case postalCode = "postal-code"
    case city, country, owner, sector, currency
    case creditLimit = "credit-limit"
    case creationDate = "creation-date"
    case category, parent, iban
    case customerCode = "customer-code"
    case active

    /// The column the field is stored in.
    var column: String {
        switch self {
        case .legalName: return "legal_name"
        case .tradeName: return "trade_name"
        case .legalForm: return "legal_form"
        case .vatNumber: return "vat_number"
        case .postalCode: return "postal_code"
        case .owner: return "owner_id"
        case .sector: return "sector_id"
        case .creditLimit: return "credit_limit"
        case .creationDate: return "creation_date"
        case .parent: return "parent_id"
        case .customerCode: return "customer_code"
        default: return rawValue
        }
    }

    public var option: String { "--\(rawValue)" }
}

/// Filters of `crm account list`.
public struct AccountFilter: Sendable {
    public var owner: String?
    public var sector: String?
    public var status: Account.Status?
    public var tag: String?
    public var namePrefix: String?
    public var includeArchived = false
    public var sort: Sort = .name
    public var limit: Int = 50
    public var offset: Int = 0

    public enum Sort: String, CaseIterable, Sendable { case name, id, created, updated }

    public init() {}
}

/// Account workflows: add, edit, archive, list, assign, merge, reassign.
public enum Accounts {
    // MARK: Reading

    /// Builds the SQL condition restricting accounts (alias `a`) to those the actor
    /// may see: everything for admins and accounting, own accounts for
    /// sales, own accounts and those of managed sectors for managers.
    static func visibility(_ context: CRMContext) -> (sql: String, parameters: [SQLBindable]) {
        switch context.actor.role {
        case .admin, .accounting:
            return ("1", [])
        case .sales:
            return ("a.owner_id = ?", [context.actor.id])
        case .manager:
            return ("(a.owner_id = ? OR a.sector_id IN (\(Sectors.managedSectorsQuery)))", [context.actor.id, context.actor.id])
        }
    }

    /// Loads an account without permission checks (for plugins' reads of
    /// ids they were handed, and internal use).
    public static func load(_ database: Database, id: Int64) throws(CRMError) -> Account? {
        try database.first("\(Account.select) WHERE a.id = ?", [id]).map(Account.init)
    }

    /// Loads an account the actor may see; an account outside their scope
    /// reads as not found, so ids of others' accounts reveal nothing.
    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Account {
        let scope = visibility(context)
        guard try context.database.first("SELECT a.id FROM accounts a WHERE a.id = ? AND \(scope.sql)",
                                         [id] + scope.parameters) != nil,
              let account = try load(context.database, id: id) else {
            throw CRMError.notFound("account \(id) not found (or not yours to see); see `crm account list`")
        }
        return account
    }

    /// Loads an account the actor may see, or nil for one that does not
    /// exist or is outside their scope. Plugins read accounts through this,
    /// so a hook run by a sales rep sees only what that rep may see.
    public static func visible(_ context: CRMContext, id: Int64) throws(CRMError) -> Account? {
        let scope = visibility(context)
        guard try context.database.first("SELECT a.id FROM accounts a WHERE a.id = ? AND \(scope.sql)",
                                         [id] + scope.parameters) != nil else { return nil }
        return try load(context.database, id: id)
    }

    /// Parses an account id typed on the command line.
    public static func parseId(_ text: String, option: String) throws(CRMError) -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw CRMError.usage("invalid \(option) '\(text)': expected an account id, a positive integer")
        }
        return id
    }

    public static func list(_ context: CRMContext, filter: AccountFilter) throws(CRMError) -> [Account] {
        let scope = visibility(context)
        var conditions = [scope.sql]
        var parameters = scope.parameters
        if !filter.includeArchived { conditions.append("a.archived_at IS NULL") }
        if let owner = filter.owner {
            let user = try Users.require(context.database, name: owner, option: "--owner")
            conditions.append("a.owner_id = ?")
            parameters.append(user.id)
        }
        if let sector = filter.sector {
            let found = try Sectors.require(context.database, code: sector, option: "--sector")
            conditions.append("a.sector_id = ?")
            parameters.append(found.id)
        }
        if let status = filter.status {
            conditions.append("a.status = ?")
            parameters.append(status.rawValue)
        }
        if let tag = filter.tag {
            conditions.append("EXISTS (SELECT 1 FROM account_labels l WHERE l.account_id = a.id AND l.kind = 'tag' AND l.label = ?)")
            parameters.append(tag)
        }
        if let prefix = filter.namePrefix {
            let pattern = likeEscaped(searchKey(prefix)) + "%"
            conditions.append("(a.name_key LIKE ? ESCAPE '\\' OR a.trade_key LIKE ? ESCAPE '\\')")
            parameters.append(pattern)
            parameters.append(pattern)
        }
        let order: String
        switch filter.sort {
        case .name: order = "a.name_key, a.id"
        case .id: order = "a.id"
        case .created: order = "a.created_at, a.id"
        case .updated: order = "a.updated_at DESC, a.id"
        }
        let sql = "\(Account.select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ? OFFSET ?"
        return try context.database.query(sql, parameters + [filter.limit, filter.offset]).map(Account.init)
    }

    /// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
    static func likeEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    // MARK: Changing

    /// Checks that the actor may change an account: admins always, sales
    /// reps their own accounts, managers those of their sectors.
    static func requireWrite(_ context: CRMContext, _ account: Account) throws(CRMError) {
        switch context.actor.role {
        case .admin: return
        case .sales where account.ownerId == context.actor.id: return
        case .manager:
            if account.ownerId == context.actor.id { return }
            if let sector = account.sectorId,
               try Sectors.managedSectorIds(context.database, manager: context.actor.id).contains(sector) { return }
        default: break
        }
        throw CRMError.permission("permission denied: account \(account.id) belongs to another rep; changing it needs "
                                  + "the admin role, its owner, or the manager of its sector")
    }

    /// Creates a prospect. Fires `onAccountCreated` before the commit, so a
    /// failing plugin leaves nothing behind.
    public static func add(_ context: CRMContext, legalName: String, fields: [AccountField: String],
                           tags: [String] = [], flags: [String] = []) throws(CRMError) -> Account {
        try context.require(.sales, .manager, .admin, to: "add an account")
        var values = fields
        values[.legalName] = legalName
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Account in
            let checked = try AccountValidation.check(context, values, existing: nil)
            if let ownerId = checked[.owner]?.integer, ownerId != context.actor.id {
                try requireOwnerAssignable(context, ownerId: ownerId)
            }
            let now = context.clock.timestamp
            var columns = ["country", "owner_id", "currency", "name_key", "trade_key", "created_at", "updated_at"]
            var parameters: [SQLBindable] = [
                checked[.country]?.text ?? "FR", checked[.owner]?.integer ?? context.actor.id,
                checked[.currency]?.text ?? "EUR", searchKey(legalName),
                checked[.tradeName]?.text.map(searchKey), now, now,
            ]
            for (field, value) in checked.sorted(by: { $0.key.rawValue < $1.key.rawValue })
            where ![.country, .owner, .currency].contains(field) {
                columns.append(field.column)
                parameters.append(value)
            }
            if checked[.sector] != nil {
                columns.append("sector_manual")
                parameters.append(1)
            }
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let id = try insertAccount(context, sql: "INSERT INTO accounts (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                                       parameters, siren: checked[.siren]?.text)
            for tag in tags { try addLabel(database, account: id, kind: "tag", label: tag) }
            for flag in flags { try addLabel(database, account: id, kind: "flag", label: flag) }
            try context.audit(entity: "account", id: id, account: id, action: "create", field: nil, old: nil, new: nil)
            try Sectors.applyRule(context, accountId: id)
            let account = try load(database, id: id)!
            try context.fire("onAccountCreated", payload: account.pluginValue)
            return try load(database, id: id)!
        }
    }

    /// Runs an insert, first failing with a message that names the account that
    /// already has the SIREN.
    private static func insertAccount(_ context: CRMContext, sql: String, _ parameters: [SQLBindable],
                                      siren: String?) throws(CRMError) -> Int64 {
        if let siren, let existing = try context.database.first(
            "SELECT id FROM accounts WHERE siren = ? AND archived_at IS NULL", [siren]) {
            throw try duplicateSIREN(context, siren: siren, account: existing.int(0)!)
        }
        return try context.database.insert(sql, parameters)
    }

    /// Builds the error for a SIREN that another account has. An account the actor may
    /// not see is not named, so its id reveals nothing.
    static func duplicateSIREN(_ context: CRMContext, siren: String, account: Int64) throws(CRMError) -> CRMError {
        let scope = visibility(context)
        let visible = try context.database.first("SELECT a.id FROM accounts a WHERE a.id = ? AND \(scope.sql)",
                                                 [account] + scope.parameters) != nil
        guard visible else {
            return CRMError.conflict("an account with SIREN \(siren) already exists and belongs to another rep; "
                                     + "ask a manager to reassign or merge it")
        }
        return CRMError.conflict("an account with SIREN \(siren) already exists (account \(account)); "
                                 + "edit that one, or merge them with `crm account merge`")
    }

    static func requireOwnerAssignable(_ context: CRMContext, ownerId: Int64) throws(CRMError) {
        switch context.actor.role {
        case .admin: return
        case .manager:
            let managed = try Sectors.managedSectorIds(context.database, manager: context.actor.id)
            let memberships = try context.database.query("SELECT sector_id FROM sector_reps WHERE user_id = ?", [ownerId])
            if memberships.contains(where: { managed.contains($0.int(0)!) }) { return }
            throw CRMError.permission("permission denied: a manager can give accounts only to reps of their sectors")
        default:
            throw CRMError.permission("permission denied: a sales rep can own only their own accounts; "
                                      + "leave out --owner or ask a manager")
        }
    }

    static func addLabel(_ database: Database, account: Int64, kind: String, label: String) throws(CRMError) {
        let trimmed = label.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 64, !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw CRMError.usage("invalid --\(kind) '\(label)': use 1 to 64 printable characters")
        }
        try database.query("INSERT OR IGNORE INTO account_labels (account_id, kind, label) VALUES (?, ?, ?)",
                           [account, kind, trimmed])
    }

    /// Changes fields of an account, writing one audit row per changed field
    /// and firing `onAccountUpdated` when anything changed.
    @discardableResult
    public static func edit(_ context: CRMContext, id: Int64, fields: [AccountField: String],
                            addTags: [String] = [], removeTags: [String] = [],
                            addFlags: [String] = [], removeFlags: [String] = []) throws(CRMError) -> Account {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Account in
            let before = try get(context, id: id)
            guard !fields.isEmpty || !addTags.isEmpty || !removeTags.isEmpty || !addFlags.isEmpty
                    || !removeFlags.isEmpty else {
                throw CRMError.usage("nothing to change: give at least one option, such as --city")
            }
            if context.actor.role == .accounting {
                // Accounting sets credit limits and risk flags on any account, and nothing else.
                guard fields.keys.allSatisfy({ $0 == .creditLimit }), addTags.isEmpty, removeTags.isEmpty else {
                    throw CRMError.permission("permission denied: accounting may change only the credit limit and "
                                              + "the flags of an account; ask its owner or a manager for the rest")
                }
            } else {
                try requireWrite(context, before)
            }
            guard before.archivedAt == nil else {
                throw CRMError.conflict("account \(id) is archived and can no longer be changed")
            }
            if fields[.creditLimit] != nil {
                try context.require(.accounting, .admin, to: "set a credit limit")
            }
            if (!addFlags.isEmpty || !removeFlags.isEmpty) && context.currentPlugin == nil {
                // Flags such as bad-payer steer the solvency rules, so the rep who
                // owns the account does not set or clear them.
                try context.require(.accounting, .manager, .admin, to: "change an account's flags")
            }
            let checked = try AccountValidation.check(context, fields, existing: before)
            if let currency = checked[.currency]?.text, currency != before.currency.code, let limit = before.creditLimit,
               fields[.creditLimit] == nil {
                throw CRMError.conflict("account \(id) has a credit limit of "
                                        + "\(Money(minor: limit, currency: before.currency)); give --credit-limit with "
                                        + "--currency so the limit is stated in \(currency)")
            }
            if let ownerId = checked[.owner]?.integer, ownerId != before.ownerId {
                try requireOwnerAssignable(context, ownerId: ownerId)
            }
            let oldValues = try database.first("SELECT \(AccountField.allCases.map(\.column).joined(separator: ", ")) FROM accounts WHERE id = ?", [id])!
            var changed: [String] = []
            for (index, field) in AccountField.allCases.enumerated() {
                guard let value = checked[field] else { continue }
                let old = oldValues[index]
                guard old != value else { continue }
                if field == .siren, let siren = value.text,
                   let other = try database.first("SELECT id FROM accounts WHERE siren = ? AND id <> ? AND archived_at IS NULL", [siren, id]) {
                    throw try duplicateSIREN(context, siren: siren, account: other.int(0)!)
                }
                try database.query("UPDATE accounts SET \(field.column) = ? WHERE id = ?", [value, id])
                try context.audit(entity: "account", id: id, account: id, action: "update", field: field.rawValue,
                                  old: describe(database, field, old), new: describe(database, field, value))
                changed.append(field.rawValue)
                if field == .sector {
                    try database.query("UPDATE accounts SET sector_manual = 1 WHERE id = ?", [id])
                }
            }
            if changed.contains(AccountField.postalCode.rawValue) || changed.contains(AccountField.country.rawValue),
               try Sectors.applyRule(context, accountId: id) != nil {
                changed.append(AccountField.sector.rawValue)
            }
            changed += try changeLabels(context, account: id, kind: "tag", add: addTags, remove: removeTags)
            changed += try changeLabels(context, account: id, kind: "flag", add: addFlags, remove: removeFlags)
            guard !changed.isEmpty else { return before }
            let current = try load(database, id: id)!
            try database.query("UPDATE accounts SET name_key = ?, trade_key = ?, updated_at = ? WHERE id = ?",
                               [searchKey(current.legalName), current.tradeName.map(searchKey), context.clock.timestamp, id])
            try fireUpdated(context, id: id, changed: changed)
            return try load(database, id: id)!
        }
    }

    /// Fires `onAccountUpdated` with the account and the names of the
    /// fields that changed.
    static func fireUpdated(_ context: CRMContext, id: Int64, changed: [String]) throws(CRMError) {
        guard let account = try load(context.database, id: id) else { return }
        var payload = account.pluginValue
        if case var .object(objectFields) = payload {
            objectFields.append(("changed", .array(changed.map(Value.string))))
            payload = .object(objectFields)
        }
        try context.fire("onAccountUpdated", payload: payload)
    }

    private static func changeLabels(_ context: CRMContext, account: Int64, kind: String, add: [String],
                                     remove: [String]) throws(CRMError) -> [String] {
        var changed = false
        for label in add {
            try addLabel(context.database, account: account, kind: kind, label: label)
            if context.database.changes > 0 {
                changed = true
                try context.audit(entity: "account", id: account, account: account, action: "update", field: kind,
                                  old: nil, new: label.trimmingSpaces)
            }
        }
        for label in remove {
            try context.database.query("DELETE FROM account_labels WHERE account_id = ? AND kind = ? AND label = ?",
                                       [account, kind, label])
            if context.database.changes > 0 {
                changed = true
                try context.audit(entity: "account", id: account, account: account, action: "update", field: kind,
                                  old: label, new: nil)
            }
        }
        guard changed else { return [] }
        return kind == "tag" ? ["tags"] : ["flags"]
    }

    /// Renders a stored value for the audit log: user and sector ids by name.
    static func describe(_ database: Database, _ field: AccountField, _ value: SQLValue) throws(CRMError) -> String? {
        switch (field, value) {
        case (_, .null): return nil
        case let (.owner, .integer(id)): return try Users.find(database, id: id)?.name ?? String(id)
        case let (.sector, .integer(id)): return try Sectors.find(database, id: id)?.code ?? String(id)
        case let (_, .integer(number)): return String(number)
        case let (_, .text(text)): return text
        case let (_, .real(number)): return "\(number)"
        }
    }

    /// Archives an account: it leaves lists and can no longer change, but
    /// its history and records stay.
    public static func archive(_ context: CRMContext, id: Int64) throws(CRMError) {
        try context.database.transaction { () throws(CRMError) in
            let account = try get(context, id: id)
            try requireWrite(context, account)
            guard account.archivedAt == nil else { throw CRMError.conflict("account \(id) is already archived") }
            try context.database.query("UPDATE accounts SET archived_at = ?, updated_at = ? WHERE id = ?",
                                       [context.clock.timestamp, context.clock.timestamp, id])
            try context.audit(entity: "account", id: id, account: id, action: "archive", field: nil, old: nil, new: nil)
        }
    }

    /// Assigns a sector by hand; the assignment is marked manual so the
    /// sector rule leaves it alone.
    public static func assign(_ context: CRMContext, id: Int64, sector code: String) throws(CRMError) {
        try context.require(.manager, .admin, to: "assign an account to a sector")
        try edit(context, id: id, fields: [.sector: code])
    }

    /// Hands an account's sector back to the `sectorFor` rule: clears the
    /// manual mark and runs the rule. Returns the account afterwards.
    @discardableResult
    public static func assignByRule(_ context: CRMContext, id: Int64) throws(CRMError) -> Account {
        try context.require(.manager, .admin, to: "assign an account to a sector")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Account in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            guard before.archivedAt == nil else {
                throw CRMError.conflict("account \(id) is archived and can no longer be changed")
            }
            guard try context.pluginHost() != nil else {
                throw CRMError.invalid("the sector rule cannot run: this command was started without plugins")
            }
            if before.sectorManual {
                try database.query("UPDATE accounts SET sector_manual = 0, updated_at = ? WHERE id = ?",
                                   [context.clock.timestamp, id])
                try context.audit(entity: "account", id: id, account: id, action: "update", field: "sector-by-hand",
                                  old: "yes", new: "no")
            }
            if try Sectors.applyRule(context, accountId: id) != nil {
                try fireUpdated(context, id: id, changed: [AccountField.sector.rawValue])
            }
            return try load(database, id: id)!
        }
    }

    /// Moves everything of `drop` onto `keep` and archives `drop`.
    public static func merge(_ context: CRMContext, keep keepId: Int64, drop dropId: Int64) throws(CRMError) {
        try context.require(.manager, .admin, to: "merge accounts")
        guard keepId != dropId else { throw CRMError.usage("KEEP and DROP are the same account \(keepId)") }
        let database = context.database
        try database.transaction { () throws(CRMError) in
            let keep = try get(context, id: keepId)
            let drop = try get(context, id: dropId)
            try requireWrite(context, keep)
            try requireWrite(context, drop)
            guard keep.archivedAt == nil, drop.archivedAt == nil else {
                throw CRMError.conflict("archived accounts cannot be merged")
            }
            let now = context.clock.timestamp
            try database.query("UPDATE accounts SET archived_at = ?, merged_into = ?, customer_code = NULL, updated_at = ? WHERE id = ?",
                               [now, keepId, now, dropId])
            try fillEmptyFields(context, keep: keep, drop: drop)
            for (table, entity) in [("opportunities", "opportunity"), ("activities", "activity"), ("quotes", "quote")] {
                try moveRecords(context, table: table, entity: entity, keep: keepId, drop: dropId)
            }
            try moveContacts(context, keep: keepId, drop: dropId)
            try database.query("UPDATE notes SET account_id = ? WHERE account_id = ?", [keepId, dropId])
            try database.query("""
                INSERT OR IGNORE INTO account_labels (account_id, kind, label)
                SELECT ?, kind, label FROM account_labels WHERE account_id = ?
                """, [keepId, dropId])
            try database.query("UPDATE accounts SET parent_id = ? WHERE parent_id = ? AND id <> ?", [keepId, dropId, keepId])
            try database.query("UPDATE audit_log SET account_id = ? WHERE account_id = ?", [keepId, dropId])
            try context.audit(entity: "account", id: keepId, account: keepId, action: "merge", field: nil,
                              old: "account \(dropId)", new: nil)
            try context.audit(entity: "account", id: dropId, account: keepId, action: "archive", field: "merged_into",
                              old: nil, new: String(keepId))
        }
    }

    private static func fillEmptyFields(_ context: CRMContext, keep: Account, drop: Account) throws(CRMError) {
        let candidates: [(AccountField, String?, String?)] = [
            (.tradeName, keep.tradeName, drop.tradeName), (.legalForm, keep.legalForm, drop.legalForm),
            (.siren, keep.siren, drop.siren), (.siret, keep.siret, drop.siret),
            (.vatNumber, keep.vatNumber, drop.vatNumber), (.street, keep.street, drop.street),
            (.postalCode, keep.postalCode, drop.postalCode), (.city, keep.city, drop.city),
            (.creationDate, keep.creationDate, drop.creationDate), (.category, keep.category, drop.category),
            (.iban, keep.iban, drop.iban), (.customerCode, keep.customerCode, drop.customerCode),
        ]
        for (field, kept, dropped) in candidates where kept == nil && dropped != nil {
            try context.database.query("UPDATE accounts SET \(field.column) = ? WHERE id = ?", [dropped, keep.id])
            try context.audit(entity: "account", id: keep.id, account: keep.id, action: "update", field: field.rawValue,
                              old: nil, new: dropped)
        }
        if keep.tradeName == nil, let trade = drop.tradeName {
            try context.database.query("UPDATE accounts SET trade_key = ? WHERE id = ?", [searchKey(trade), keep.id])
        }
    }

    /// Moves the rows of `table` from the dropped account to the kept one,
    /// with one audit row per record moved.
    private static func moveRecords(_ context: CRMContext, table: String, entity: String, keep: Int64,
                                    drop: Int64) throws(CRMError) {
        let database = context.database
        let ids = try database.query("SELECT id FROM \(table) WHERE account_id = ? ORDER BY id", [drop]).map { $0.int(0)! }
        guard !ids.isEmpty else { return }
        try database.query("UPDATE \(table) SET account_id = ?, updated_at = ? WHERE account_id = ?",
                           [keep, context.clock.timestamp, drop])
        for id in ids {
            try context.audit(entity: entity, id: id, account: keep, action: "update", field: "account",
                              old: String(drop), new: String(keep))
        }
    }

    /// Points the deals, activities and source ids of a folded contact at its twin.
    private static func repointContact(_ database: Database, from contactId: Int64, to twinId: Int64) throws(CRMError) {
        try database.query("UPDATE opportunities SET contact_id = ? WHERE contact_id = ?", [twinId, contactId])
        try database.query("UPDATE activities SET contact_id = ? WHERE contact_id = ?", [twinId, contactId])
        try database.query("""
            INSERT OR IGNORE INTO opportunity_contacts (opportunity_id, contact_id, role)
            SELECT opportunity_id, ?, role FROM opportunity_contacts WHERE contact_id = ?
            """, [twinId, contactId])
        try database.query("DELETE FROM opportunity_contacts WHERE contact_id = ?", [contactId])
        try database.query("UPDATE OR IGNORE external_ids SET entity_id = ? WHERE entity = 'contact' AND entity_id = ?",
                           [twinId, contactId])
        try database.query("DELETE FROM external_ids WHERE entity = 'contact' AND entity_id = ?", [contactId])
    }

    /// Moves contacts; a dropped contact whose e-mail the kept account
    /// already has is folded into that contact instead of duplicated.
    private static func moveContacts(_ context: CRMContext, keep: Int64, drop: Int64) throws(CRMError) {
        let database = context.database
        for row in try database.query("SELECT id, email_key FROM contacts WHERE account_id = ?", [drop]) {
            let contactId = row.int(0)!
            if let key = row.string(1),
               let twin = try database.first("SELECT id FROM contacts WHERE account_id = ? AND email_key = ?", [keep, key]) {
                let twinId = twin.int(0)!
                try database.query("UPDATE audit_log SET entity_id = ? WHERE entity = 'contact' AND entity_id = ?",
                                   [twinId, contactId])
                try repointContact(database, from: contactId, to: twinId)
                try database.query("DELETE FROM contacts WHERE id = ?", [contactId])
                try context.audit(entity: "contact", id: twinId, account: keep, action: "merge", field: nil,
                                  old: "contact \(contactId)", new: nil)
            } else {
                try database.query("UPDATE contacts SET account_id = ? WHERE id = ?", [keep, contactId])
                try context.audit(entity: "contact", id: contactId, account: keep, action: "update", field: "account",
                                  old: String(drop), new: String(keep))
            }
        }
    }

    /// The number of records `reassign` moved, by kind.
    public struct Reassignment: Equatable, Sendable {
        public let accounts: Int
        public let opportunities: Int
        public let activities: Int
    }

    /// Hands a departing rep's accounts, open opportunities and planned
    /// activities (follow-ups included) to another user. Closed deals and
    /// done activities keep their owner, because they record who did the work.
    @discardableResult
    public static func reassign(_ context: CRMContext, from: String, to: String) throws(CRMError) -> Reassignment {
        try context.require(.manager, .admin, to: "reassign accounts")
        let database = context.database
        let source = try Users.require(database, name: from, option: "--from")
        let target = try Users.require(database, name: to, option: "--to")
        guard target.active else { throw CRMError.invalid("the user '\(to)' is disabled; choose an active user for --to") }
        guard source.id != target.id else { throw CRMError.usage("--from and --to name the same user") }
        if context.actor.role == .manager { try requireOwnerAssignable(context, ownerId: target.id) }
        return try database.transaction { () throws(CRMError) -> Reassignment in
            let scope = visibility(context)
            let now = context.clock.timestamp
            let accounts = try database.query("""
                SELECT a.id FROM accounts a WHERE a.owner_id = ? AND a.archived_at IS NULL AND \(scope.sql) ORDER BY a.id
                """, [source.id] + scope.parameters).map { $0.int(0)! }
            for id in accounts {
                try database.query("UPDATE accounts SET owner_id = ?, updated_at = ? WHERE id = ?", [target.id, now, id])
                try context.audit(entity: "account", id: id, account: id, action: "update", field: "owner",
                                  old: source.name, new: target.name)
            }
            let opportunities = try database.query("""
                SELECT o.id, o.account_id FROM opportunities o JOIN accounts a ON a.id = o.account_id
                WHERE o.owner_id = ? AND o.closed_on IS NULL AND \(scope.sql) ORDER BY o.id
                """, [source.id] + scope.parameters)
            for row in opportunities {
                try database.query("UPDATE opportunities SET owner_id = ?, updated_at = ? WHERE id = ?",
                                   [target.id, now, row.int(0)!])
                try context.audit(entity: "opportunity", id: row.int(0)!, account: row.int(1)!, action: "update",
                                  field: "owner", old: source.name, new: target.name)
            }
            let activities = try database.query("""
                SELECT t.id, t.account_id FROM activities t LEFT JOIN accounts a ON a.id = t.account_id
                WHERE t.owner_id = ? AND t.status = 'planned' AND (t.account_id IS NULL OR \(scope.sql)) ORDER BY t.id
                """, [source.id] + scope.parameters)
            for row in activities {
                try database.query("UPDATE activities SET owner_id = ?, updated_at = ? WHERE id = ?",
                                   [target.id, now, row.int(0)!])
                try context.audit(entity: "activity", id: row.int(0)!, account: row.int(1), action: "update",
                                  field: "owner", old: source.name, new: target.name)
            }
            return Reassignment(accounts: accounts.count, opportunities: opportunities.count, activities: activities.count)
        }
    }
}
