/// Filters of `crm quote list`.
public struct QuoteFilter: Sendable {
    public var status: Quote.Status?
    public var accountId: Int64?
    public var limit = 100

    public init() {}
}

/// Quote workflows: drafting, numbering, sending, acceptance, decline,
/// expiry and copies. Every change runs in one write transaction, and the
/// acting user must be allowed to change the quote's account.
public enum Quotes {
    public static let quantityDecimals = 3
    public static let unitPriceDecimals = 4
    public static let descriptionMaximumLength = 1_000
    public static let unitMaximumLength = 20
    public static let reasonMaximumLength = 1_000
    public static let numberMaximumLength = 40
    public static let defaultValidityDays: Int64 = 30

    // MARK: Reading

    static func loadLines(_ database: Database, quoteId: Int64) throws(CRMError) -> [QuoteLine] {
        try database.query("""
            SELECT position, description, quantity, unit, unit_price, discount, vat_rate, net
            FROM quote_lines WHERE quote_id = ? ORDER BY position
            """, [quoteId]).map {
            QuoteLine(position: Int($0.int(0)!), description: $0.string(1)!,
                      quantity: Quote.storedDecimal($0.string(2)), unit: $0.string(3),
                      unitPrice: Quote.storedDecimal($0.string(4)), discount: Quote.storedDecimal($0.string(5)),
                      vatRate: Quote.storedDecimal($0.string(6)), net: $0.int(7)!)
        }
    }

    /// Loads a quote and its lines without permission checks.
    public static func load(_ database: Database, id: Int64) throws(CRMError) -> Quote? {
        guard var quote = try database.first("\(Quote.select) WHERE q.id = ?", [id]).map(Quote.init) else { return nil }
        quote.lines = try loadLines(database, quoteId: id)
        return quote
    }

    /// Finds the id of the quote a user named: by its number first (what the
    /// customer sees), then by its provisional reference `DRAFT-000042`,
    /// then by its id.
    static func findId(_ database: Database, key: String) throws(CRMError) -> Int64? {
        if let id = try database.scalar("SELECT id FROM quotes WHERE number = ?", [key]).integer { return id }
        var digits = Substring(key)
        if key.uppercased().hasPrefix("DRAFT-") { digits = digits.dropFirst(6) }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(digits) else {
            return nil
        }
        return try database.scalar("SELECT id FROM quotes WHERE id = ?", [id]).integer
    }

    /// Loads a quote the actor may see; one outside their scope reads as
    /// not found.
    public static func get(_ context: CRMContext, key: String) throws(CRMError) -> Quote {
        let scope = Accounts.visibility(context)
        guard let id = try findId(context.database, key: key),
              try context.database.first("\(Quote.select) WHERE q.id = ? AND \(scope.sql)", [id] + scope.parameters) != nil,
              let quote = try load(context.database, id: id) else {
            throw CRMError.notFound("quote '\(key)' not found (or not yours to see); name it by its id, its DRAFT- "
                                    + "reference or its number, as `crm quote list` shows")
        }
        return quote
    }

    public static func list(_ context: CRMContext, filter: QuoteFilter) throws(CRMError) -> [Quote] {
        let scope = Accounts.visibility(context)
        var conditions = [scope.sql]
        var parameters = scope.parameters
        if let status = filter.status {
            conditions.append("q.status = ?")
            parameters.append(status.rawValue)
        }
        if let accountId = filter.accountId {
            _ = try Accounts.get(context, id: accountId)
            conditions.append("q.account_id = ?")
            parameters.append(accountId)
        }
        let sql = "\(Quote.select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY q.id LIMIT ?"
        return try context.database.query(sql, parameters + [filter.limit]).map(Quote.init)
    }

    // MARK: Drafts

    /// Creates an empty draft for an account, or for an opportunity, whose
    /// account it takes. The currency is the opportunity's, or the
    /// account's without one. An explicit `currency` overrides both, and it
    /// is required when the opportunity's currency is not the account's.
    public static func create(_ context: CRMContext, accountId: Int64? = nil, opportunityId: Int64? = nil,
                              currency currencyCode: String? = nil) throws(CRMError) -> Quote {
        try context.require(.sales, .manager, .admin, to: "create a quote")
        return try context.database.transaction { () throws(CRMError) -> Quote in
            var opportunity: Opportunity?
            if let opportunityId {
                opportunity = try quotableOpportunity(context, id: opportunityId, accountId: accountId)
            }
            guard let targetAccountId = opportunity?.accountId ?? accountId else {
                throw CRMError.usage("missing --account or --opportunity: name what the quote is for")
            }
            let account = try writableAccount(context, id: targetAccountId)
            let currency: Currency
            if let currencyCode {
                currency = try parseCurrency(currencyCode)
            } else if let opportunity, opportunity.currency != account.currency {
                throw CRMError.invalid("opportunity \(opportunity.id) is in \(opportunity.currency.code) but account "
                                       + "\(account.id) uses \(account.currency.code); choose the quote's currency with "
                                       + "--currency \(opportunity.currency.code) or --currency \(account.currency.code)")
            } else {
                currency = opportunity?.currency ?? account.currency
            }
            let id = try insertDraft(context, accountId: account.id, opportunityId: opportunity?.id, currency: currency,
                                     globalDiscount: .zero, copiedFrom: nil)
            let quote = try load(context.database, id: id)!
            try context.fire("onQuoteCreated", payload: quote.pluginValue)
            return quote
        }
    }

    /// Loads an open opportunity that the actor may quote on: sales reps
    /// their own, managers those of their sectors, admins any.
    private static func quotableOpportunity(_ context: CRMContext, id: Int64,
                                            accountId: Int64?) throws(CRMError) -> Opportunity {
        let opportunity = try Opportunities.get(context, id: id)
        try Opportunities.requireWrite(context, opportunity)
        if let accountId, accountId != opportunity.accountId {
            throw CRMError.invalid("--account \(accountId) does not match opportunity \(id), which belongs to account "
                                   + "\(opportunity.accountId); leave out --account")
        }
        guard opportunity.isOpen else {
            throw CRMError.conflict("opportunity \(id) is \(opportunity.stage.kind.rawValue); quotes are made for open "
                                    + "opportunities; a manager or an admin reopens it with "
                                    + "`crm opportunity reopen \(id)`")
        }
        return opportunity
    }

    private static func insertDraft(_ context: CRMContext, accountId: Int64, opportunityId: Int64?, currency: Currency,
                                    globalDiscount: ExactDecimal, copiedFrom: Int64?) throws(CRMError) -> Int64 {
        let now = context.clock.timestamp
        let id = try context.database.insert("""
            INSERT INTO quotes (account_id, opportunity_id, currency, global_discount, copied_from, created_by,
                                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [accountId, opportunityId, currency.code, globalDiscount.description, copiedFrom, context.actor.id,
                  now, now])
        try context.audit(entity: "quote", id: id, account: accountId, action: "create", field: nil,
                          old: copiedFrom.map { "copy of quote \($0)" }, new: Quote.reference(id: id))
        return id
    }

    static func parseCurrency(_ code: String) throws(CRMError) -> Currency {
        guard let currency = Currency(code: code) else {
            throw CRMError.invalid("invalid --currency '\(code)': expected an ISO 4217 code such as EUR, JPY or KWD")
        }
        return currency
    }

    /// Loads an account the actor may change and that is not archived.
    private static func writableAccount(_ context: CRMContext, id: Int64) throws(CRMError) -> Account {
        let account = try Accounts.get(context, id: id)
        try Accounts.requireWrite(context, account)
        guard account.archivedAt == nil else {
            throw CRMError.conflict("account \(id) is archived; quotes are made for active accounts only")
        }
        return account
    }

    /// Loads a draft the actor may change.
    private static func editableDraft(_ context: CRMContext, key: String) throws(CRMError) -> Quote {
        let quote = try get(context, key: key)
        try Accounts.requireWrite(context, try Accounts.get(context, id: quote.accountId))
        guard quote.status == .draft else {
            throw CRMError.conflict("quote \(quote.label) is \(quote.status.rawValue) and can no longer change; "
                                    + "copy it with `crm quote copy \(quote.label)` and change the copy")
        }
        return quote
    }

    /// Adds a line at the end of a draft and returns the quote.
    public static func addLine(_ context: CRMContext, key: String, _ change: QuoteLineChange) throws(CRMError) -> Quote {
        try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try editableDraft(context, key: key)
            guard change.description != nil else { throw CRMError.usage("missing --description: a line needs a description") }
            guard change.quantity != nil else { throw CRMError.usage("missing --qty: a line needs a quantity") }
            guard change.unitPrice != nil else { throw CRMError.usage("missing --unit-price: a line needs a unit price") }
            guard change.vatRate != nil else { throw CRMError.usage("missing --vat: a line needs a VAT rate, see `crm vat list`") }
            let line = try checkedLine(context.database, change, position: quote.lines.count + 1, base: nil,
                                       currency: quote.currency)
            try insertLine(context.database, quoteId: quote.id, line)
            try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "update",
                              field: "line \(line.position)", old: nil, new: "added")
            return try recompute(context, quoteId: quote.id)
        }
    }

    /// Changes the fields of one line that `change` sets.
    public static func editLine(_ context: CRMContext, key: String, line position: Int,
                                _ change: QuoteLineChange) throws(CRMError) -> Quote {
        guard !change.isEmpty else {
            throw CRMError.usage("nothing to change: give at least one of --description, --qty, --unit-price, --vat, "
                                 + "--discount or --unit")
        }
        return try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try editableDraft(context, key: key)
            let existing = try requireLine(quote, position)
            let line = try checkedLine(context.database, change, position: position, base: existing,
                                       currency: quote.currency)
            try context.database.query("""
                UPDATE quote_lines SET description = ?, quantity = ?, unit = ?, unit_price = ?, discount = ?,
                                       vat_rate = ?, net = ?
                WHERE quote_id = ? AND position = ?
                """, [line.description, line.quantity.description, line.unit, line.unitPrice.description,
                      line.discount.description, line.vatRate.description, line.net, quote.id, position])
            try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "update",
                              field: "line \(position)", old: nil, new: "edited")
            return try recompute(context, quoteId: quote.id)
        }
    }

    /// Removes a line; the lines after it move up one position.
    public static func removeLine(_ context: CRMContext, key: String, line position: Int) throws(CRMError) -> Quote {
        try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try editableDraft(context, key: key)
            _ = try requireLine(quote, position)
            try context.database.query("DELETE FROM quote_lines WHERE quote_id = ? AND position = ?", [quote.id, position])
            // Two steps, because shifting in place would collide with UNIQUE (quote_id, position).
            try context.database.query("UPDATE quote_lines SET position = -position WHERE quote_id = ? AND position > ?",
                                       [quote.id, position])
            try context.database.query("UPDATE quote_lines SET position = -position - 1 WHERE quote_id = ? AND position < 0",
                                       [quote.id])
            try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "update",
                              field: "line \(position)", old: nil, new: "removed")
            return try recompute(context, quoteId: quote.id)
        }
    }

    /// Sets the global discount, applied to the base of each VAT rate.
    public static func setDiscount(_ context: CRMContext, key: String, percent text: String) throws(CRMError) -> Quote {
        let percent = try VATRates.parsePercent(text, option: "PCT")
        return try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try editableDraft(context, key: key)
            try context.database.query("UPDATE quotes SET global_discount = ? WHERE id = ?", [percent.description, quote.id])
            try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "update",
                              field: "globalDiscount", old: quote.globalDiscount.description, new: percent.description)
            return try recompute(context, quoteId: quote.id)
        }
    }

    /// Makes a new draft with the lines and discount of any earlier quote,
    /// in that quote's currency. When the account has since changed
    /// currency, the copy needs an explicit `currency`.
    public static func copy(_ context: CRMContext, key: String, currency currencyCode: String? = nil) throws(CRMError) -> Quote {
        try context.require(.sales, .manager, .admin, to: "copy a quote")
        return try context.database.transaction { () throws(CRMError) -> Quote in
            let source = try get(context, key: key)
            let account = try writableAccount(context, id: source.accountId)
            let currency: Currency
            if let currencyCode {
                currency = try parseCurrency(currencyCode)
            } else {
                guard source.currency == account.currency else {
                    throw CRMError.invalid("quote \(source.label) is in \(source.currency.code) but account \(account.id) "
                                           + "now uses \(account.currency.code); choose the copy's currency with "
                                           + "--currency \(account.currency.code) or --currency \(source.currency.code)")
                }
                currency = source.currency
            }
            let managed = try VATRates.all(context.database)
            for line in source.lines where !managed.contains(line.vatRate) {
                throw CRMError.invalid("line \(line.position) of quote \(source.label) uses the VAT rate \(line.vatRate)%, "
                                       + "which is no longer managed; an admin can add it back with "
                                       + "`crm vat add \(line.vatRate)` before the copy")
            }
            let id = try insertDraft(context, accountId: source.accountId, opportunityId: source.opportunityId,
                                     currency: currency, globalDiscount: source.globalDiscount, copiedFrom: source.id)
            for line in source.lines {
                let net = try QuoteCalculator.lineNet(quantity: line.quantity, unitPrice: line.unitPrice,
                                                      discount: line.discount, currency: currency)
                try insertLine(context.database, quoteId: id, QuoteLine(
                    position: line.position, description: line.description, quantity: line.quantity, unit: line.unit,
                    unitPrice: line.unitPrice, discount: line.discount, vatRate: line.vatRate, net: net))
            }
            let quote = try recompute(context, quoteId: id)
            try context.fire("onQuoteCreated", payload: quote.pluginValue)
            return quote
        }
    }

    private static func requireLine(_ quote: Quote, _ position: Int) throws(CRMError) -> QuoteLine {
        guard let line = quote.lines.first(where: { $0.position == position }) else {
            let range = quote.lines.isEmpty ? "it has no lines" : "its lines are 1 to \(quote.lines.count)"
            throw CRMError.notFound("quote \(quote.label) has no line \(position); \(range)")
        }
        return line
    }

    private static func insertLine(_ database: Database, quoteId: Int64, _ line: QuoteLine) throws(CRMError) {
        try database.query("""
            INSERT INTO quote_lines (quote_id, position, description, quantity, unit, unit_price, discount, vat_rate, net)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [quoteId, line.position, line.description, line.quantity.description, line.unit,
                  line.unitPrice.description, line.discount.description, line.vatRate.description, line.net])
    }

    /// Checks the typed fields of a line, filling those not given from
    /// `base`, and computes its net amount.
    static func checkedLine(_ database: Database, _ change: QuoteLineChange, position: Int, base: QuoteLine?,
                            currency: Currency) throws(CRMError) -> QuoteLine {
        let description = try change.description.map { (text) throws(CRMError) in try checkDescription(text) }
            ?? base!.description
        let quantity = try change.quantity.map { (text) throws(CRMError) in try parseQuantity(text) } ?? base!.quantity
        let unitPrice = try change.unitPrice.map { (text) throws(CRMError) in try parseUnitPrice(text) }
            ?? base!.unitPrice
        let discount = try change.discount.map { (text) throws(CRMError) in
            try VATRates.parsePercent(text, option: "--discount")
        } ?? base?.discount ?? .zero
        let vatRate = try change.vatRate.map { (text) throws(CRMError) in
            try VATRates.requireManaged(database, text, option: "--vat")
        } ?? base!.vatRate
        let unit = try change.unit.map { (text) throws(CRMError) in try checkUnit(text) } ?? base?.unit
        let net = try QuoteCalculator.lineNet(quantity: quantity, unitPrice: unitPrice, discount: discount,
                                              currency: currency)
        return QuoteLine(position: position, description: description, quantity: quantity, unit: unit,
                         unitPrice: unitPrice, discount: discount, vatRate: vatRate, net: net)
    }

    static func checkDescription(_ text: String) throws(CRMError) -> String {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.invalid("invalid --description: it must not be empty") }
        guard trimmed.count <= descriptionMaximumLength else {
            throw CRMError.invalid("invalid --description: it is \(trimmed.count) characters long; the maximum is "
                                   + "\(descriptionMaximumLength)")
        }
        return trimmed
    }

    /// Returns the unit, or nil for an empty one, which clears it.
    static func checkUnit(_ text: String) throws(CRMError) -> String? {
        let trimmed = text.trimmingSpaces
        guard trimmed.count <= unitMaximumLength, !trimmed.contains("\n") else {
            throw CRMError.invalid("invalid --unit '\(text)': use one line of at most \(unitMaximumLength) characters, "
                                   + "such as h, day or piece")
        }
        return trimmed.isEmpty ? nil : trimmed
    }

    static func parseQuantity(_ text: String) throws(CRMError) -> ExactDecimal {
        switch ExactDecimal.parse(text, maximumDecimals: quantityDecimals) {
        case let .success(value):
            guard !value.isNegative, !value.isZero else {
                throw CRMError.invalid("invalid --qty '\(text)': the quantity must be greater than 0")
            }
            return value
        case .failure(.tooManyDecimals):
            throw CRMError.invalid("invalid --qty '\(text)': use at most \(quantityDecimals) decimals")
        case .failure(.outOfRange):
            throw CRMError.invalid("invalid --qty '\(text)': the quantity is too large")
        case .failure(.notANumber):
            throw CRMError.invalid("invalid --qty '\(text)': expected a number with a dot for decimals, such as 16 or 2.25")
        }
    }

    /// Reads a unit price in major units. A negative price is accepted for
    /// a rebate line, such as the trade-in of old equipment.
    static func parseUnitPrice(_ text: String) throws(CRMError) -> ExactDecimal {
        switch ExactDecimal.parse(text, maximumDecimals: unitPriceDecimals) {
        case let .success(value):
            return value
        case .failure(.tooManyDecimals):
            throw CRMError.invalid("invalid --unit-price '\(text)': use at most \(unitPriceDecimals) decimals")
        case .failure(.outOfRange):
            throw CRMError.invalid("invalid --unit-price '\(text)': the price is too large")
        case .failure(.notANumber):
            throw CRMError.invalid("invalid --unit-price '\(text)': expected an amount with a dot for decimals, such as 348.35")
        }
    }

    /// Stores the totals of a quote computed from its lines and returns it.
    private static func recompute(_ context: CRMContext, quoteId: Int64) throws(CRMError) -> Quote {
        let quote = try load(context.database, id: quoteId)!
        let totals = try quote.totals()
        try context.database.query("""
            UPDATE quotes SET total_excluding_tax = ?, total_tax = ?, total_including_tax = ?, updated_at = ? WHERE id = ?
            """, [totals.excludingTax, totals.tax, totals.includingTax, context.clock.timestamp, quoteId])
        return try load(context.database, id: quoteId)!
    }
}
