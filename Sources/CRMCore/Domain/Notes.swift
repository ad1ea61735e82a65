/// A free-text note on an account, written by a user or a plugin.
public struct Note: Equatable, Sendable {
    public let id: Int64
    public let accountId: Int64
    public let text: String
    public let author: String?
    public let plugin: String?
    public let createdAt: String

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("accountId", accountId)
        object.set("text", text)
        object.set("author", author)
        object.set("plugin", plugin)
        object.set("createdAt", createdAt)
        return object.value
    }
}

public enum Notes {
    /// Longest note accepted, in characters.
    public static let maximumLength = 10_000

    /// Adds a note. `context.currentPlugin` is recorded as its writer when a
    /// plugin calls this through the API.
    @discardableResult
    public static func add(_ context: CRMContext, account accountId: Int64, text: String) throws(CRMError) -> Int64 {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.usage("the note text must not be empty") }
        guard trimmed.count <= maximumLength else {
            throw CRMError.usage("the note is \(trimmed.count) characters long; the maximum is \(maximumLength)")
        }
        return try context.database.transaction { () throws(CRMError) -> Int64 in
            let account = try Accounts.get(context, id: accountId)
            if context.currentPlugin == nil { try Accounts.requireWrite(context, account) }
            let id = try context.database.insert("""
                INSERT INTO notes (account_id, text, author_id, plugin, created_at) VALUES (?, ?, ?, ?, ?)
                """, [accountId, trimmed, context.actor.id, context.currentPlugin, context.clock.timestamp])
            try context.audit(entity: "note", id: id, account: accountId, action: "create", field: nil, old: nil, new: nil)
            return id
        }
    }

    public static func list(_ context: CRMContext, account accountId: Int64) throws(CRMError) -> [Note] {
        _ = try Accounts.get(context, id: accountId)
        return try context.database.query("""
            SELECT n.id, n.account_id, n.text, u.name, n.plugin, n.created_at
            FROM notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.account_id = ? ORDER BY n.id
            """, [accountId]).map {
            Note(id: $0.int(0)!, accountId: $0.int(1)!, text: $0.string(2)!, author: $0.string(3),
                 plugin: $0.string(4), createdAt: $0.string(5)!)
        }
    }
}

/// One row of an account's history.
public struct HistoryEntry: Sendable {
    public let at: String
    public let user: String?
    public let entity: String
    public let entityId: Int64
    public let action: String
    public let field: String?
    public let oldValue: String?
    public let newValue: String?
    public let command: String
    public let plugin: String?

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("at", at)
        object.set("user", user)
        object.set("entity", entity)
        object.set("entityId", entityId)
        object.set("action", action)
        object.set("field", field)
        object.set("oldValue", oldValue)
        object.set("newValue", newValue)
        object.set("command", command)
        object.set("plugin", plugin)
        return object.value
    }
}

public enum History {
    /// Every audit row of an account and of what belongs to it, oldest first.
    public static func account(_ context: CRMContext, id: Int64) throws(CRMError) -> [HistoryEntry] {
        _ = try Accounts.get(context, id: id)
        return try context.database.query("""
            SELECT l.at, u.name, l.entity, l.entity_id, l.action, l.field, l.old_value, l.new_value, l.command, l.plugin
            FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
            WHERE l.account_id = ? ORDER BY l.id
            """, [id]).map {
            HistoryEntry(at: $0.string(0)!, user: $0.string(1), entity: $0.string(2)!, entityId: $0.int(3)!,
                         action: $0.string(4)!, field: $0.string(5), oldValue: $0.string(6), newValue: $0.string(7),
                         command: $0.string(8)!, plugin: $0.string(9))
        }
    }
}

/// One search hit: an account or a contact.
public struct SearchHit: Sendable {
    public let kind: String
    public let id: Int64
    /// Nil for a contact that belongs to no account.
    public let accountId: Int64?
    public let name: String
    public let matched: String

    public var jsonValue: Value {
        .object([("kind", .string(kind)), ("id", .integer(id)), ("accountId", accountId.map(Value.integer) ?? .null),
                 ("name", .string(name)), ("matched", .string(matched))])
    }
}

public enum Search {
    /// Finds accounts and contacts by name, SIREN or SIRET, e-mail or phone,
    /// ignoring case and accents, among the records the actor may see.
    public static func run(_ context: CRMContext, text: String, limit: Int) throws(CRMError) -> [SearchHit] {
        let key = searchKey(text)
        guard !key.isEmpty else { throw CRMError.usage("the search text must not be empty") }
        let pattern = "%" + Accounts.likeEscaped(key) + "%"
        let digits = String(text.unicodeScalars.filter { $0.isASCII && $0.properties.numericType != nil }.map(Character.init))
        let digitPattern = digits.count >= 3 ? "%" + digits + "%" : nil
        let scope = Accounts.visibility(context)
        var hits: [SearchHit] = []
        for row in try context.database.query("""
            SELECT a.id, a.legal_name,
                   CASE WHEN a.name_key LIKE ?1 ESCAPE '\\' THEN 'name'
                        WHEN a.trade_key LIKE ?1 ESCAPE '\\' THEN 'trade name'
                        ELSE 'SIREN/SIRET' END
            FROM accounts a
            WHERE a.archived_at IS NULL AND (a.name_key LIKE ?1 ESCAPE '\\' OR a.trade_key LIKE ?1 ESCAPE '\\'
                  OR (?2 IS NOT NULL AND (a.siren LIKE ?2 OR a.siret LIKE ?2))) AND \(renumbered(scope.sql, from: 3))
            ORDER BY a.name_key, a.id LIMIT ?\(3 + scope.parameters.count)
            """, [pattern, digitPattern] + scope.parameters + [limit]) {
            hits.append(SearchHit(kind: "account", id: row.int(0)!, accountId: row.int(0)!, name: row.string(1)!,
                                  matched: row.string(2)!))
        }
        for row in try context.database.query("""
            SELECT c.id, c.account_id, trim(coalesce(c.first_name, '') || ' ' || c.last_name),
                   CASE WHEN c.name_key LIKE ?1 ESCAPE '\\' THEN 'name'
                        WHEN c.email_key LIKE ?1 ESCAPE '\\' THEN 'e-mail' ELSE 'phone' END
            FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
            WHERE a.archived_at IS NULL AND (c.name_key LIKE ?1 ESCAPE '\\' OR c.email_key LIKE ?1 ESCAPE '\\'
                  OR (?2 IS NOT NULL AND c.phone_key LIKE ?2)) AND \(renumbered(scope.sql, from: 3))
            ORDER BY c.name_key, c.id LIMIT ?\(3 + scope.parameters.count)
            """, [pattern, digitPattern] + scope.parameters + [limit]) {
            hits.append(SearchHit(kind: "contact", id: row.int(0)!, accountId: row.int(1), name: row.string(2)!,
                                  matched: row.string(3)!))
        }
        return hits
    }

    /// Rewrites the anonymous `?` of a visibility clause as numbered
    /// parameters starting at `first`, so it can follow numbered ones.
    static func renumbered(_ sql: String, from first: Int) -> String {
        var result = ""
        var number = first
        for character in sql {
            if character == "?" {
                result += "?\(number)"
                number += 1
            } else {
                result.append(character)
            }
        }
        return result
    }
}
