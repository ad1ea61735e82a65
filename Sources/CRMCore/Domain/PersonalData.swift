/// The rights of a person over the data held about them: access (a full
/// export) and erasure. Both are for administrators, who handle these
/// requests for the company, and both leave an audit row that names the
/// contact by id only.
public enum PersonalData {
    /// The text that replaces erased personal data.
    public static let erasedMarker = "[erased]"

    /// Contact columns exported and erased, in export order. `email_key`,
    /// `name_key` and `phone_key` are search keys derived from them.
    static let contactColumns = ["salutation", "first_name", "last_name", "role", "email", "phone", "mobile",
                                 "birthdate", "opted_out", "created_at", "updated_at"]

    /// What `erase` changed, by count; it holds no personal data.
    public struct Erasure: Equatable, Sendable {
        public let contactId: Int64
        public let activitiesUnlinked: Int
        public let opportunitiesUnlinked: Int
        public let auditRowsAnonymised: Int
        public let otherValuesReplaced: Int
        /// False when another connection kept the WAL from being emptied.
        public let walTruncated: Bool
    }

    struct Person {
        let id: Int64
        let accountId: Int64?
        let fields: [String: SQLValue]

        var email: String? { fields["email"]?.text }
        var fullName: String? {
            guard let last = fields["last_name"]?.text else { return nil }
            guard let first = fields["first_name"]?.text, !first.isEmpty else { return last }
            return first + " " + last
        }

        /// Values identifying the person wherever they were copied: e-mail,
        /// phone numbers and full name, longest first so that a name inside
        /// an e-mail is not replaced before the e-mail.
        var identifiers: [String] {
            let candidates = [email, fields["email_key"]?.text, fields["phone"]?.text, fields["mobile"]?.text, fullName]
            let kept = candidates.compactMap { $0 }.filter { $0.count >= 4 }
            return Array(Set(kept)).sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        }
    }

    static func load(_ database: Database, id: Int64) throws(CRMError) -> Person {
        let columns = ["account_id", "email_key"] + contactColumns
        guard let row = try database.first("SELECT \(columns.joined(separator: ", ")) FROM contacts WHERE id = ?",
                                           [id]) else {
            throw CRMError.notFound("contact \(id) not found; see `crm contact list`")
        }
        var fields: [String: SQLValue] = [:]
        for (index, column) in columns.enumerated() { fields[column] = row[index] }
        return Person(id: id, accountId: row.int(0), fields: fields)
    }

    // MARK: Access

    /// Everything held about a contact: their fields, the activities and
    /// deals linked to them, notes of their account that mention their
    /// name or e-mail, the audit rows about them and the source ids they
    /// were imported with.
    public static func export(_ context: CRMContext, contactId: Int64) throws(CRMError) -> Value {
        try context.require(.admin, to: "export a person's data")
        let database = context.database
        let person = try load(database, id: contactId)
        var contact = ObjectBuilder()
        contact.set("id", contactId)
        contact.set("accountId", person.accountId)
        for column in contactColumns {
            contact.set(camelCase(column), value(person.fields[column] ?? .null))
        }
        var document = ObjectBuilder()
        document.set("contact", contact.value)
        document.set("activities", .array(try activities(database, contactId: contactId)))
        document.set("opportunities", .array(try opportunities(database, contactId: contactId)))
        document.set("notes", .array(try notes(database, person: person)))
        document.set("auditLog", .array(try auditRows(database, contactId: contactId)))
        document.set("importSourceIds", .array(try database.query("""
            SELECT source, external_id FROM external_ids WHERE entity = 'contact' AND entity_id = ?
            ORDER BY source, external_id
            """, [contactId]).map { .object([("source", .string($0.string(0)!)), ("id", .string($0.string(1)!))]) }))
        try database.transaction { () throws(CRMError) in
            try context.audit(entity: "contact", id: contactId, account: person.accountId, action: "export-personal-data",
                              field: nil, old: nil, new: nil)
        }
        return document.value
    }

    private static func activities(_ database: Database, contactId: Int64) throws(CRMError) -> [Value] {
        try database.query("""
            SELECT id, kind, subject, status, due_date, done_at, outcome, created_at
            FROM activities WHERE contact_id = ? ORDER BY id
            """, [contactId]).map { row in
            var object = ObjectBuilder()
            object.set("id", row.int(0))
            object.set("kind", row.string(1))
            object.set("subject", row.string(2))
            object.set("status", row.string(3))
            object.set("dueDate", row.string(4))
            object.set("doneAt", row.string(5))
            object.set("outcome", row.string(6))
            object.set("createdAt", row.string(7))
            return object.value
        }
    }

    private static func opportunities(_ database: Database, contactId: Int64) throws(CRMError) -> [Value] {
        try database.query("""
            SELECT o.id, o.title, oc.role FROM opportunities o
            LEFT JOIN opportunity_contacts oc ON oc.opportunity_id = o.id AND oc.contact_id = ?
            WHERE o.contact_id = ? OR oc.contact_id IS NOT NULL ORDER BY o.id
            """, [contactId, contactId]).map { row in
            var object = ObjectBuilder()
            object.set("id", row.int(0))
            object.set("title", row.string(1))
            object.set("role", row.string(2))
            return object.value
        }
    }

    private static func notes(_ database: Database, person: Person) throws(CRMError) -> [Value] {
        guard let accountId = person.accountId else { return [] }
        let needles = [person.email, person.fullName].compactMap { $0 }.filter { !$0.isEmpty }
        guard !needles.isEmpty else { return [] }
        let condition = needles.map { _ in "instr(lower(text), lower(?)) > 0" }.joined(separator: " OR ")
        return try database.query("SELECT id, text, created_at FROM notes WHERE account_id = ? AND (\(condition)) ORDER BY id",
                                  [accountId] + needles).map {
            .object([("id", .integer($0.int(0)!)), ("text", .string($0.string(1)!)), ("createdAt", .string($0.string(2)!))])
        }
    }

    private static func auditRows(_ database: Database, contactId: Int64) throws(CRMError) -> [Value] {
        try database.query("""
            SELECT l.at, u.name, l.action, l.field, l.old_value, l.new_value, l.command, l.plugin
            FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
            WHERE l.entity = 'contact' AND l.entity_id = ? ORDER BY l.id
            """, [contactId]).map { row in
            var object = ObjectBuilder()
            object.set("at", row.string(0))
            object.set("user", row.string(1))
            object.set("action", row.string(2))
            object.set("field", row.string(3))
            object.set("old", row.string(4))
            object.set("new", row.string(5))
            object.set("command", row.string(6))
            object.set("plugin", row.string(7))
            return object.value
        }
    }

    // MARK: Erasure

    /// Erases a contact: deletes their row and source ids, unlinks the
    /// activities and deals that named them (the business records stay),
    /// blanks the old and new values of the audit rows about them, and
    /// replaces their e-mail, phone numbers and full name with `[erased]`
    /// in every other text column. Runs with `secure_delete` on, then
    /// rebuilds the file with VACUUM and empties the WAL, so the erased
    /// bytes are left neither in free pages nor in the WAL. Backups taken
    /// earlier still hold them.
    public static func erase(_ context: CRMContext, contactId: Int64) throws(CRMError) -> Erasure {
        try context.require(.admin, to: "erase a person's data")
        let database = context.database
        try database.enableSecureDelete()
        let counts = try database.transaction { () throws(CRMError) -> (Int, Int, Int, Int) in
            let person = try load(database, id: contactId)
            try database.query("UPDATE activities SET contact_id = NULL WHERE contact_id = ?", [contactId])
            let activities = database.changes
            try database.query("UPDATE opportunities SET contact_id = NULL WHERE contact_id = ?", [contactId])
            var opportunities = database.changes
            try database.query("DELETE FROM opportunity_contacts WHERE contact_id = ?", [contactId])
            opportunities += database.changes
            try database.query("""
                UPDATE audit_log SET old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ? END,
                                     new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ? END
                WHERE entity = 'contact' AND entity_id = ?
                """, [erasedMarker, erasedMarker, contactId])
            let audit = database.changes
            try database.query("DELETE FROM external_ids WHERE entity = 'contact' AND entity_id = ?", [contactId])
            try database.query("DELETE FROM contacts WHERE id = ?", [contactId])
            let replaced = try replaceEverywhere(database, person.identifiers)
            try context.audit(entity: "contact", id: contactId, account: person.accountId, action: "erase",
                              field: nil, old: nil, new: nil)
            return (activities, opportunities, audit, replaced)
        }
        try database.execute("VACUUM")
        let truncated = try database.checkpointTruncate()
        return Erasure(contactId: contactId, activitiesUnlinked: counts.0, opportunitiesUnlinked: counts.1,
                       auditRowsAnonymised: counts.2, otherValuesReplaced: counts.3, walTruncated: truncated)
    }

    /// Tables whose text is code or schema, never personal data.
    static let untouchedTables: Set<String> = ["schema_migrations", "pack_files", "packs", "payment_terms", "vat_rates",
                                               "sequences", "stages", "loss_reasons"]

    /// Replaces each identifier in every text column of every other table,
    /// case-insensitively for e-mails. Returns how many values changed.
    private static func replaceEverywhere(_ database: Database, _ identifiers: [String]) throws(CRMError) -> Int {
        guard !identifiers.isEmpty else { return 0 }
        var changed = 0
        let tables = try database.query("""
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
            """).compactMap { $0.string(0) }.filter { !untouchedTables.contains($0) }
        for table in tables {
            // Columns: cid, name, type, notnull, default, pk.
            let columns = try database.query("SELECT name, type FROM pragma_table_info(?)", [table])
                .filter { ($0.string(1) ?? "").uppercased().contains("TEXT") }
                .compactMap { $0.string(0) }
            for column in columns {
                for identifier in identifiers {
                    try database.query("""
                        UPDATE "\(table)" SET "\(column)" = replace("\(column)", ?, ?) WHERE instr("\(column)", ?) > 0
                        """, [identifier, erasedMarker, identifier])
                    changed += database.changes
                    guard identifier.contains("@") else { continue }
                    // E-mails are matched whatever their case; the rest of the value keeps its own case.
                    let rows = try database.query("""
                        SELECT DISTINCT "\(column)" FROM "\(table)" WHERE instr(lower("\(column)"), lower(?)) > 0
                        """, [identifier])
                    for row in rows {
                        guard let original = row.string(0) else { continue }
                        let replacedText = replacingCaseInsensitive(original, identifier)
                        try database.query("UPDATE \"\(table)\" SET \"\(column)\" = ? WHERE \"\(column)\" = ?",
                                           [replacedText, original])
                        changed += database.changes
                    }
                }
            }
        }
        return changed
    }

    static func replacingCaseInsensitive(_ text: String, _ needle: String) -> String {
        let lowerNeedle = Array(needle.lowercased().unicodeScalars)
        let scalars = Array(text.unicodeScalars)
        let lowered = scalars.map { Array(String($0).lowercased().unicodeScalars) }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            var matched = 0
            var position = index
            var needleIndex = 0
            while position < scalars.count, needleIndex < lowerNeedle.count {
                let piece = lowered[position]
                guard needleIndex + piece.count <= lowerNeedle.count,
                      Array(lowerNeedle[needleIndex..<needleIndex + piece.count]) == piece else { break }
                needleIndex += piece.count
                position += 1
                matched += 1
            }
            if needleIndex == lowerNeedle.count, matched > 0 {
                result.append(contentsOf: erasedMarker.unicodeScalars)
                index = position
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }

    static func camelCase(_ column: String) -> String {
        let parts = column.split(separator: "_")
        return parts.enumerated().map { part in
            part.offset == 0 ? String(part.element) : part.element.prefix(1).uppercased() + part.element.dropFirst()
        }.joined()
    }

    static func value(_ stored: SQLValue) -> Value {
        switch stored {
        case .null: return .null
        case let .integer(number): return .integer(number)
        case let .text(text): return .string(text)
        case let .real(number): return .float(number)
        }
    }
}
