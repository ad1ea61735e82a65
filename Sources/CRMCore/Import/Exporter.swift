/// Writes CSV as RFC 4180 describes it: CRLF between records, and a field
/// quoted when it contains the delimiter, a quote or a line break.
enum CSVWriter {
    /// A field a spreadsheet would run as a formula (`=HYPERLINK(...)`,
    /// `@SUM(...)`) gets a leading apostrophe, which spreadsheets show as
    /// text. Negative numbers such as `-1200.00` are left as they are.
    static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first else { return field }
        switch first {
        case "=", "+", "@", "\t", "\r":
            return "'" + field
        case "-":
            let second = field.unicodeScalars.dropFirst().first
            if let second, second.properties.numericType != nil || second == "." { return field }
            return field.count == 1 ? field : "'" + field
        default:
            return field
        }
    }

    static func quoted(_ field: String) -> String {
        let field = neutralised(field)
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func record(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }
}

/// The kinds of record `crm export` writes.
public enum ExportEntity: String, CaseIterable, Sendable {
    case accounts, contacts, opportunities, activities, quotes
}

public enum ExportFormat: String, CaseIterable, Sendable {
    /// UTF-8 CSV with a header line.
    case csv
    /// One JSON object per line, which `crm import --from crm` reads back.
    case json
}

/// Exports the records the acting user may see. Field names are those of
/// `ImportField`, so an export imports back without a mapping.
public enum Exporter {
    /// Calls `write` with each chunk of output, so a large export is never
    /// held in memory whole. Returns the number of records written.
    @discardableResult
    public static func export(_ context: CRMContext, entity: ExportEntity, format: ExportFormat,
                              write: (String) throws(CRMError) -> Void) throws(CRMError) -> Int {
        var rows: [[(String, Value)]]
        var columns: [String]
        switch entity {
        case .accounts: (rows, columns) = (try accountRecords(context), accountColumns)
        case .contacts: (rows, columns) = (try contactRecords(context), contactColumns)
        case .opportunities: (rows, columns) = (try opportunityRecords(context), opportunityColumns)
        case .activities: (rows, columns) = (try activityRecords(context), activityColumns)
        case .quotes: (rows, columns) = (try quoteRecords(context), quoteColumns)
        }
        if entity == .quotes, format == .csv {
            rows = quoteLineRows(rows)
            columns = columns.filter { $0 != "lines" } + quoteLineColumns
        }
        let count = entity == .quotes ? try quoteRecordCount(rows, format: format) : rows.count
        if format == .csv {
            try write(CSVWriter.record(columns.filter { $0 != "type" && $0 != "externalIds" }))
        }
        for row in rows {
            switch format {
            case .json:
                try write(JSON.encode(.object(row)) + "\n")
            case .csv:
                let cells = row.filter { $0.0 != "type" && $0.0 != "externalIds" }.map { csvText($0.1) }
                try write(CSVWriter.record(cells))
            }
        }
        return count
    }

    /// The number of quotes in `rows`, which hold one row per quote line in CSV.
    private static func quoteRecordCount(_ rows: [[(String, Value)]], format: ExportFormat) throws(CRMError) -> Int {
        guard format == .csv else { return rows.count }
        return Set(rows.compactMap { $0.first { $0.0 == "id" }?.1.stringValue }).count
    }

    static let accountColumns = ["type", "id"] + AccountColumn.allCases.map(\.field.rawValue)
        + ["parent", "owner", "tags", "notes", "bankAccounts", "externalIds"]
    static let contactColumns = ["type", "id", "account"] + ContactColumn.allCases.map(\.field.rawValue) + ["owner"]

    private static func csvText(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case let .string(text): return text
        case let .integer(number): return String(number)
        case let .bool(flag): return flag ? "1" : "0"
        case let .float(number): return "\(number)"
        case let .array(items): return items.compactMap(\.stringValue).joined(separator: ",")
        case .object: return JSON.encode(value)
        }
    }

    private static func accountRecords(_ context: CRMContext) throws(CRMError) -> [[(String, Value)]] {
        let database = context.database
        let scope = Accounts.visibility(context)
        let columnList = AccountColumn.allCases.map { "a.\($0.rawValue)" }.joined(separator: ", ")
        let rows = try database.query("""
            SELECT a.id, \(columnList), a.parent_id, u.name FROM accounts a JOIN users u ON u.id = a.owner_id
            WHERE a.archived_at IS NULL AND \(scope.sql) ORDER BY a.id
            """, scope.parameters)
        var records: [[(String, Value)]] = []
        for row in rows {
            let id = row.int(0)!
            var record: [(String, Value)] = [("type", .string("account")), ("id", .string(String(id)))]
            let currency = Currency(code: row.string(1 + AccountColumn.allCases.firstIndex(of: .currency)!) ?? "EUR")
                ?? .euro
            for (offset, column) in AccountColumn.allCases.enumerated() {
                record.append((column.field.rawValue, value(row[1 + offset], column: column, currency: currency)))
            }
            let after = 1 + AccountColumn.allCases.count
            record.append(("parent", row.int(after).map { .string(String($0)) } ?? .null))
            record.append(("owner", .string(row.string(after + 1)!)))
            let tags = try database.query("SELECT label FROM account_labels WHERE account_id = ? AND kind = 'tag' ORDER BY label",
                                           [id]).compactMap { $0.string(0) }
            let notes = try database.query("SELECT text FROM notes WHERE account_id = ? ORDER BY id", [id])
                .compactMap { $0.string(0) }
            let ibans = try database.query("SELECT iban FROM account_bank_accounts WHERE account_id = ? ORDER BY iban",
                                           [id]).compactMap { $0.string(0) }
            let external = try database.query("""
                SELECT source, external_id FROM external_ids WHERE entity = 'account' AND entity_id = ? ORDER BY source
                """, [id]).map { Value.object([("source", .string($0.string(0)!)), ("id", .string($0.string(1)!))]) }
            record.append(("tags", .array(tags.map(Value.string))))
            record.append(("notes", .array(notes.map(Value.string))))
            record.append(("bankAccounts", .array(ibans.map(Value.string))))
            record.append(("externalIds", .array(external)))
            records.append(record)
        }
        return records
    }

    /// A stored column as exported: amounts as decimal text in major
    /// units, flags as booleans, everything else as text.
    private static func value(_ stored: SQLValue, column: AccountColumn, currency: Currency) -> Value {
        switch (column, stored) {
        case (_, .null): return .null
        case let (.annualRevenue, .integer(minor)), let (.creditLimit, .integer(minor)):
            return .string(Money.decimalString(minor: minor, exponent: currency.exponent))
        case let (.active, .integer(flag)), let (.supplier, .integer(flag)): return .bool(flag != 0)
        case let (_, .integer(number)): return .integer(number)
        case let (_, .text(text)): return .string(text)
        case let (_, .real(number)): return .float(number)
        }
    }

    private static func contactRecords(_ context: CRMContext) throws(CRMError) -> [[(String, Value)]] {
        let scope = Accounts.visibility(context)
        let columnList = ContactColumn.allCases.map { "c.\($0.rawValue)" }.joined(separator: ", ")
        let ownContacts = context.actor.role == .admin || context.actor.role == .accounting ? "1" : "c.owner_id = ?"
        var parameters = scope.parameters
        if ownContacts != "1" { parameters.append(context.actor.id) }
        let rows = try context.database.query("""
            SELECT c.id, c.account_id, \(columnList), COALESCE(u.name, ou.name)
            FROM contacts c
            LEFT JOIN accounts a ON a.id = c.account_id
            LEFT JOIN users u ON u.id = c.owner_id
            LEFT JOIN users ou ON ou.id = a.owner_id
            WHERE (a.id IS NOT NULL AND a.archived_at IS NULL AND \(scope.sql)) OR (a.id IS NULL AND \(ownContacts))
            ORDER BY c.id
            """, parameters)
        return rows.map { row in
            var record: [(String, Value)] = [("type", .string("contact")), ("id", .string(String(row.int(0)!))),
                                             ("account", row.int(1).map { .string(String($0)) } ?? .null)]
            for (offset, column) in ContactColumn.allCases.enumerated() {
                let stored = row[2 + offset]
                switch (column, stored) {
                case (_, .null): record.append((column.field.rawValue, .null))
                case let (.optedOut, .integer(flag)): record.append((column.field.rawValue, .bool(flag != 0)))
                case let (_, .integer(number)): record.append((column.field.rawValue, .integer(number)))
                case let (_, .text(text)): record.append((column.field.rawValue, .string(text)))
                case let (_, .real(number)): record.append((column.field.rawValue, .float(number)))
                }
            }
            record.append(("owner", row.string(2 + ContactColumn.allCases.count).map(Value.string) ?? .null))
            return record
        }
    }
}
