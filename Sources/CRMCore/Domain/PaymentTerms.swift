/// The payment terms of a database: the bundled ones, seeded by a
/// migration, and those admins add with `crm term add`.
public enum PaymentTerms {
    /// INSERT statements for the bundled terms; `created_at` stays NULL to
    /// mark them as shipped with the product.
    static var seedSQL: String {
        func quoted(_ text: String) -> String { "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'" }
        return PaymentTerm.bundled.map { term in
            "INSERT INTO payment_terms (code, label, french_label, definition) VALUES (\(quoted(term.code)), "
                + "\(quoted(term.englishLabel)), \(quoted(term.frenchLabel)), \(quoted(term.kind.definition)));"
        }.joined(separator: "\n")
    }

    static func decode(_ row: Row) -> PaymentTerm? {
        guard case let .success(kind) = PaymentTerm.Kind.parse(definition: row.string(3)!) else { return nil }
        return PaymentTerm(code: row.string(0)!, englishLabel: row.string(1)!, frenchLabel: row.string(2)!, kind: kind)
    }

    public static func all(_ database: Database) throws(CRMError) -> [PaymentTerm] {
        try database.query("SELECT code, label, french_label, definition FROM payment_terms ORDER BY code").compactMap(decode)
    }

    public static func find(_ database: Database, code: String) throws(CRMError) -> PaymentTerm? {
        try database.first("SELECT code, label, french_label, definition FROM payment_terms WHERE code = ?", [code])
            .flatMap(decode)
    }

    public static func require(_ database: Database, code: String, option: String) throws(CRMError) -> PaymentTerm {
        guard let term = try find(database, code: code) else {
            throw CRMError.notFound("unknown payment term '\(code)' in \(option); see `crm term list`")
        }
        return term
    }

    /// Adds a term. Returns the legal-limit warning when the term can run
    /// past the French maximum, which is allowed but worth saying.
    @discardableResult
    public static func add(_ context: CRMContext, code: String, label: String, frenchLabel: String?,
                           definition: String) throws(CRMError) -> String? {
        try context.require(.admin, to: "add a payment term")
        let term: PaymentTerm
        switch PaymentTerm.define(code: code, englishLabel: label, frenchLabel: frenchLabel, definition: definition) {
        case let .success(defined): term = defined
        case let .failure(problem): throw problem.crmError
        }
        try context.database.transaction { () throws(CRMError) in
            if try find(context.database, code: term.code) != nil {
                throw CRMError.conflict("a payment term with code '\(term.code)' already exists; see `crm term show \(term.code)`")
            }
            try context.database.query("""
                INSERT INTO payment_terms (code, label, french_label, definition, created_at) VALUES (?, ?, ?, ?, ?)
                """, [term.code, term.englishLabel, term.frenchLabel, term.kind.definition, context.clock.timestamp])
            try context.audit(entity: "payment_term", id: 0, action: "create", field: term.code, old: nil,
                              new: term.kind.definition)
        }
        return term.legalLimitWarning
    }

    /// Computes the due date of an invoice dated `from` under a stored term.
    public static func dueDate(_ database: Database, code: String, from: CivilDate, option: String = "TERM") throws(CRMError) -> CivilDate {
        let term = try require(database, code: code, option: option)
        guard let due = term.dueDate(from: from) else {
            throw CRMError.invalid("the due date under \(code) falls outside years 1 to 9999")
        }
        return due
    }
}

/// A message in a user's inbox.
public struct Notification: Sendable {
    public let id: Int64
    public let createdAt: String
    public let sender: String
    public let subject: String
    public let body: String?
    public let entity: String?
    public let entityId: Int64?
    public let readAt: String?

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("createdAt", createdAt)
        object.set("from", sender)
        object.set("subject", subject)
        object.set("body", body)
        object.set("entity", entity)
        object.set("entityId", entityId)
        object.set("read", readAt != nil)
        return object.value
    }
}

/// Inbox notifications. They are rows written in the transaction of the
/// change they announce, so a rolled-back change never leaves an alert.
public enum Notifications {
    /// Names who a notification comes from: the acting user, or the plugin
    /// running when a plugin sends it.
    static func sender(_ context: CRMContext) -> String {
        context.currentPlugin.map { "plugin \($0)" } ?? context.actor.name
    }

    @discardableResult
    public static func notifyRole(_ context: CRMContext, role: Role, subject: String, body: String?,
                                  entity: String? = nil, entityId: Int64? = nil) throws(CRMError) -> Int {
        let users = try context.database.query("SELECT id FROM users WHERE role = ? AND active = 1 ORDER BY id", [role.rawValue])
        for user in users {
            try insert(context, user: user.int(0)!, subject: subject, body: body, entity: entity, entityId: entityId)
        }
        return users.count
    }

    public static func notifyUser(_ context: CRMContext, userId: Int64, subject: String, body: String?,
                                  entity: String? = nil, entityId: Int64? = nil) throws(CRMError) {
        try insert(context, user: userId, subject: subject, body: body, entity: entity, entityId: entityId)
    }

    private static func insert(_ context: CRMContext, user: Int64, subject: String, body: String?, entity: String?,
                               entityId: Int64?) throws(CRMError) {
        let trimmed = subject.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw CRMError.invalid("a notification subject needs 1 to 200 characters")
        }
        guard (body?.count ?? 0) <= 10_000 else { throw CRMError.invalid("a notification body is limited to 10000 characters") }
        try context.database.query("""
            INSERT INTO notifications (user_id, created_at, sender, subject, body, entity, entity_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [user, context.clock.timestamp, sender(context), trimmed, body, entity, entityId])
    }

    static let select = "SELECT id, created_at, sender, subject, body, entity, entity_id, read_at FROM notifications"

    static func decode(_ row: Row) -> Notification {
        Notification(id: row.int(0)!, createdAt: row.string(1)!, sender: row.string(2)!, subject: row.string(3)!,
                     body: row.string(4), entity: row.string(5), entityId: row.int(6), readAt: row.string(7))
    }

    /// Returns the actor's notifications, unread first and newest first.
    public static func inbox(_ context: CRMContext, includeRead: Bool) throws(CRMError) -> [Notification] {
        try context.database.query("""
            \(select) WHERE user_id = ? AND (? OR read_at IS NULL) ORDER BY read_at IS NOT NULL, id DESC
            """, [context.actor.id, includeRead]).map(decode)
    }

    /// Marks one of the actor's notifications read and returns it.
    public static func read(_ context: CRMContext, id: Int64) throws(CRMError) -> Notification {
        try context.database.transaction { () throws(CRMError) -> Notification in
            guard let row = try context.database.first("\(select) WHERE id = ? AND user_id = ?", [id, context.actor.id]) else {
                throw CRMError.notFound("notification \(id) is not in your inbox; see `crm inbox --all`")
            }
            try context.database.query("UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ?",
                                       [context.clock.timestamp, id])
            return decode(row)
        }
    }
}
