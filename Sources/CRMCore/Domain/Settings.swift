/// Per-database settings. Values are stored as JSON, so plugins read back
/// integers, booleans and strings as they were set.
public enum Settings {
    /// Reads a stored setting; nil when the database has none.
    public static func get(_ database: Database, key: String) throws(CRMError) -> Value? {
        guard let text = try database.scalar("SELECT value FROM settings WHERE key = ?", [key]).text else { return nil }
        return try? JSON.decode(text)
    }

    public static func all(_ database: Database) throws(CRMError) -> [(String, Value)] {
        try database.query("SELECT key, value FROM settings ORDER BY key").map {
            ($0.string(0)!, (try? JSON.decode($0.string(1)!)) ?? .null)
        }
    }

    /// Reads a value typed on the command line: JSON when it parses as JSON
    /// (`45`, `true`, `"45"`, `[1, 2]`), otherwise the text itself. A number
    /// with decimals (`15000.00`) stays text, because settings hold amounts
    /// as decimal strings and plugins never see binary floating point.
    public static func parseValue(_ text: String) -> Value {
        switch try? JSON.decode(text) {
        case .float?, nil: return .string(text)
        case let value?: return value
        }
    }

    static func validateKey(_ key: String) throws(CRMError) {
        let valid = !key.isEmpty && key.count <= 100 && key.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._-".unicodeScalars.contains($0))
        }
        guard valid else {
            throw CRMError.usage("invalid setting key '\(key)': use ASCII letters, digits, '.', '_' or '-', such as solvency.maxCredit")
        }
    }

    /// Checks the value of a setting the core reads, so a typo fails here
    /// rather than in a later, unrelated command. Pack settings are the
    /// pack's own business and pass unchecked.
    static func validateCoreValue(key: String, value: Value) throws(CRMError) {
        func wholeDays(_ range: ClosedRange<Int64>) throws(CRMError) {
            guard let days = value.integerValue, range.contains(days) else {
                throw CRMError.invalid("invalid value for \(key): expected a whole number of days from "
                                       + "\(range.lowerBound) to \(range.upperBound), such as 30")
            }
        }
        switch key {
        case TimeZoneOffset.settingKey:
            guard let text = value.stringValue, TimeZoneOffset(parsing: text) != nil else {
                throw CRMError.invalid("invalid value for \(key): expected a fixed offset from -12:00 to +14:00, "
                                       + "such as +01:00, or Z for UTC")
            }
        case Quotes.validitySetting:
            try wholeDays(1...3650)
        case FollowUps.quietDaysKey:
            try wholeDays(1...3650)
        case Openings.bindingSetting:
            guard value.boolValue != nil else {
                throw CRMError.invalid("invalid value for \(key): expected true or false")
            }
        case Quotes.sequenceSetting:
            guard let text = value.stringValue, !text.isEmpty, text.count <= 100 else {
                throw CRMError.invalid("invalid value for \(key): expected a sequence name such as quote-{year} "
                                       + "or devis-{year}-{sector}, at most 100 characters")
            }
        default:
            if key.hasPrefix("company."), value.stringValue == nil {
                throw CRMError.invalid("invalid value for \(key): company details are text, such as \"ACME SAS\"")
            }
        }
    }

    /// Company details are printed as typed, so `50000` for the capital stays text.
    static func normalised(key: String, value: Value) -> Value {
        if key.hasPrefix("company."), case let .integer(number) = value { return .string(String(number)) }
        return value
    }

    public static func set(_ context: CRMContext, key: String, value: Value) throws(CRMError) {
        try context.require(.admin, to: "change a setting")
        try validateKey(key)
        let value = normalised(key: key, value: value)
        try validateCoreValue(key: key, value: value)
        try context.database.transaction { () throws(CRMError) in
            let old = try get(context.database, key: key)
            try context.database.query("""
                INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                                                updated_by = excluded.updated_by
                """, [key, JSON.encode(value), context.clock.timestamp, context.actor.id])
            try context.audit(entity: "setting", id: 0, action: "update", field: key, old: old.map { JSON.encode($0) },
                              new: JSON.encode(value))
        }
    }

    public static func remove(_ context: CRMContext, key: String) throws(CRMError) {
        try context.require(.admin, to: "change a setting")
        try context.database.transaction { () throws(CRMError) in
            guard let old = try get(context.database, key: key) else {
                throw CRMError.notFound("no setting '\(key)' is stored in this database")
            }
            try context.database.query("DELETE FROM settings WHERE key = ?", [key])
            try context.audit(entity: "setting", id: 0, action: "delete", field: key, old: JSON.encode(old), new: nil)
        }
    }
}

/// A stored rule decision: which plugin decided what, on which inputs.
public struct Decision: Sendable {
    public let id: Int64
    public let at: String
    public let rule: String
    public let plugin: String
    public let pluginVersion: String
    public let source: String
    public let entity: String?
    public let entityId: Int64?
    public let inputs: Value
    public let result: Value
    public let reason: String?
    public let command: String
    public let user: String?

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("at", at)
        object.set("rule", rule)
        object.set("plugin", plugin)
        object.set("pluginVersion", pluginVersion)
        object.set("source", source)
        object.set("entity", entity)
        object.set("entityId", entityId)
        object.set("inputs", inputs)
        object.set("result", result)
        object.set("reason", reason)
        object.set("command", command)
        object.set("user", user)
        return object.value
    }
}

public enum Decisions {
    /// Key fields of a rule's payload kept with its decision; the whole
    /// payload would copy personal data into every decision row.
    static let keyFields: Set<String> = [
        "id", "accountId", "opportunityId", "quoteId", "siren", "country", "status", "creationDate", "flags",
        "category", "requestedCreditLimit", "creditLimit", "currency", "event", "sequence", "year", "sector",
        "postalCode", "address", "hasIban", "issueDate", "validUntil", "sequenceName",
    ]

    static func keyInputs(_ payload: Value) -> Value {
        guard case let .object(fields) = payload else { return payload }
        var kept: [(String, Value)] = fields.filter { keyFields.contains($0.0) }
        if let account = payload["account"] { kept.append(("account", keyInputs(account))) }
        if let quote = payload["quote"] { kept.append(("quote", keyInputs(quote))) }
        return .object(kept)
    }

    @discardableResult
    static func record(_ context: CRMContext, outcome: RuleOutcome, inputs: Value, entity: String?,
                       entityId: Int64?) throws(CRMError) -> Int64 {
        try context.database.insert("""
            INSERT INTO decisions (at, rule, plugin, plugin_version, source, entity, entity_id, inputs, result, reason,
                                   command, user_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [context.clock.timestamp, outcome.rule, outcome.plugin, outcome.pluginVersion, outcome.source,
                  entity, entityId, JSON.encode(keyInputs(inputs)), JSON.encode(outcome.result),
                  outcome.result["reason"]?.stringValue, context.command, context.actor.id])
    }

    static let select = """
        SELECT d.id, d.at, d.rule, d.plugin, d.plugin_version, d.source, d.entity, d.entity_id, d.inputs, d.result,
               d.reason, d.command, u.name
        FROM decisions d LEFT JOIN users u ON u.id = d.user_id
        """

    static func decode(_ row: Row) -> Decision {
        Decision(id: row.int(0)!, at: row.string(1)!, rule: row.string(2)!, plugin: row.string(3)!,
                 pluginVersion: row.string(4)!, source: row.string(5)!, entity: row.string(6), entityId: row.int(7),
                 inputs: (try? JSON.decode(row.string(8)!)) ?? .null, result: (try? JSON.decode(row.string(9)!)) ?? .null,
                 reason: row.string(10), command: row.string(11)!, user: row.string(12))
    }

    static func load(_ database: Database, id: Int64) throws(CRMError) -> Decision {
        guard let decision = try database.first("\(select) WHERE d.id = ?", [id]).map(decode) else {
            throw CRMError.notFound("decision \(id) not found")
        }
        return decision
    }

    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Decision {
        guard let decision = try context.database.first("\(select) WHERE d.id = ?", [id]).map(decode) else {
            throw CRMError.notFound("decision \(id) not found; see `crm decision list`")
        }
        // A decision is visible to whoever may see the account it is about.
        var accountId: Int64?
        switch (decision.entity, decision.entityId) {
        case let ("account"?, id?):
            accountId = id
        case let ("opening"?, id?):
            accountId = try context.database.scalar("SELECT account_id FROM opening_requests WHERE id = ?", [id]).integer
        case let ("quote"?, id?):
            accountId = try context.database.scalar("SELECT account_id FROM quotes WHERE id = ?", [id]).integer
        case let ("opportunity"?, id?):
            accountId = try context.database.scalar("SELECT account_id FROM opportunities WHERE id = ?", [id]).integer
        default:
            accountId = decision.inputs["accountId"]?.integerValue
        }
        if let accountId {
            guard (try? Accounts.get(context, id: accountId)) != nil else {
                throw CRMError.notFound("decision \(id) not found (or not yours to see); see `crm rules explain --account ID`")
            }
        } else if context.actor.role == .sales {
            throw CRMError.notFound("decision \(id) not found (or not yours to see); see `crm rules explain --account ID`")
        }
        return decision
    }

    /// Every decision about an account, newest first: those about the
    /// account itself and about its opening requests, opportunities and quotes.
    /// Anyone who may see the account may read them.
    public static func forAccount(_ context: CRMContext, id accountId: Int64) throws(CRMError) -> [Decision] {
        _ = try Accounts.get(context, id: accountId)
        return try context.database.query("""
            \(select)
            WHERE (d.entity = 'account' AND d.entity_id = ?1)
               OR (d.entity = 'opening' AND d.entity_id IN (SELECT id FROM opening_requests WHERE account_id = ?1))
               OR (d.entity = 'opportunity' AND d.entity_id IN (SELECT id FROM opportunities WHERE account_id = ?1))
               OR (d.entity = 'quote' AND d.entity_id IN (SELECT id FROM quotes WHERE account_id = ?1))
            ORDER BY d.id DESC
            """, [accountId]).map(decode)
    }

    public static func list(_ context: CRMContext, limit: Int) throws(CRMError) -> [Decision] {
        try context.require(.accounting, .manager, .admin, to: "list rule decisions")
        return try context.database.query("\(select) ORDER BY d.id DESC LIMIT ?", [limit]).map(decode)
    }
}
