/// The VAT rates that quote lines may use, stored as canonical decimal text
/// (`5.5`, never `5.50`). A new database holds the French rates 20, 10, 5.5
/// and 2.1, the overseas-departments rate 8.5, and 0.
public enum VATRates {
    /// Decimals accepted in a VAT rate or a discount percent.
    public static let percentDecimals = 4

    /// Reads a percent typed for `option`: a decimal from 0 to 100 with at
    /// most four decimals.
    public static func parsePercent(_ text: String, option: String) throws(CRMError) -> ExactDecimal {
        let value: ExactDecimal
        switch ExactDecimal.parse(text, maximumDecimals: percentDecimals) {
        case let .success(parsed): value = parsed
        case .failure(.tooManyDecimals):
            throw CRMError.invalid("invalid \(option) '\(text)': use at most \(percentDecimals) decimals")
        case .failure:
            throw CRMError.invalid("invalid \(option) '\(text)': expected a percent such as 20 or 5.5")
        }
        guard !value.isNegative, value <= .hundred else {
            throw CRMError.invalid("invalid \(option) '\(text)': a percent must be from 0 to 100")
        }
        return value
    }

    /// Every managed rate, highest first.
    public static func all(_ database: Database) throws(CRMError) -> [ExactDecimal] {
        try database.query("SELECT rate FROM vat_rates").map { Quote.storedDecimal($0.string(0)) }.sorted(by: >)
    }

    /// Checks that a rate typed for `option` is managed, and returns it.
    static func requireManaged(_ database: Database, _ text: String, option: String) throws(CRMError) -> ExactDecimal {
        let rate = try parsePercent(text, option: option)
        let managed = try all(database)
        guard managed.contains(rate) else {
            let list = managed.map(\.description).joined(separator: ", ")
            throw CRMError.invalid("invalid \(option) '\(text)': \(rate)% is not a managed VAT rate (managed: \(list)); "
                                   + "an admin adds it with `crm vat add \(rate)`")
        }
        return rate
    }

    public static func add(_ context: CRMContext, rate text: String) throws(CRMError) -> ExactDecimal {
        try context.require(.admin, to: "add a VAT rate")
        let rate = try parsePercent(text, option: "RATE")
        return try context.database.transaction { () throws(CRMError) -> ExactDecimal in
            guard try !all(context.database).contains(rate) else {
                throw CRMError.conflict("the VAT rate \(rate)% already exists")
            }
            try context.database.query("INSERT INTO vat_rates (rate) VALUES (?)", [rate.description])
            try context.audit(entity: "vat_rate", id: 0, action: "create", field: "rate", old: nil, new: rate.description)
            return rate
        }
    }

    /// Removes a rate. Sent quotes keep the rates they were issued with, but
    /// a rate that a draft still uses cannot go, or that draft could never
    /// be sent unchanged.
    public static func remove(_ context: CRMContext, rate text: String) throws(CRMError) -> ExactDecimal {
        try context.require(.admin, to: "remove a VAT rate")
        let rate = try parsePercent(text, option: "RATE")
        return try context.database.transaction { () throws(CRMError) -> ExactDecimal in
            guard try all(context.database).contains(rate) else {
                throw CRMError.notFound("the VAT rate \(rate)% is not managed; see `crm vat list`")
            }
            let drafts = try context.database.query("""
                SELECT DISTINCT q.id FROM quote_lines l JOIN quotes q ON q.id = l.quote_id
                WHERE q.status = 'draft' AND l.vat_rate = ? ORDER BY q.id
                """, [rate.description]).map { Quote.reference(id: $0.int(0)!) }
            guard drafts.isEmpty else {
                throw CRMError.conflict("the VAT rate \(rate)% is used by the draft quotes \(drafts.joined(separator: ", ")); "
                                        + "change their lines first")
            }
            try context.database.query("DELETE FROM vat_rates WHERE rate = ?", [rate.description])
            try context.audit(entity: "vat_rate", id: 0, action: "delete", field: "rate", old: rate.description, new: nil)
            return rate
        }
    }
}

/// Named counters kept in the database, such as `quote-2026`. A value is
/// taken inside the caller's write transaction, so a rolled-back command
/// gives it back and concurrent commands never share one.
public enum Sequences {
    /// The value the next `take` returns: 1 for a sequence never used.
    public static func peek(_ database: Database, name: String) throws(CRMError) -> Int64 {
        try database.scalar("SELECT next_value FROM sequences WHERE name = ?", [name]).integer ?? 1
    }

    /// Returns the next value and advances the sequence. Must run inside a
    /// write transaction.
    public static func take(_ database: Database, name: String) throws(CRMError) -> Int64 {
        precondition(database.isInTransaction, "a sequence value must be taken inside a write transaction")
        let value = try peek(database, name: name)
        try database.query("""
            INSERT INTO sequences (name, next_value) VALUES (?, ?)
            ON CONFLICT (name) DO UPDATE SET next_value = excluded.next_value
            """, [name, value + 1])
        return value
    }
}
