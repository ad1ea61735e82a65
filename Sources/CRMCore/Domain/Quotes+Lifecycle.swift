/// Sending, numbering, acceptance, decline and expiry of quotes.
extension Quotes {
    /// Key of the setting with the days a sent quote stays valid, counted from the send date.
    public static let validitySetting = "quote.validityDays"
    /// Setting that names the sequence numbers are taken from; `{year}` and
    /// `{sector}` are replaced by the send year and the account's sector code.
    public static let sequenceSetting = "quote.sequence"
    public static let defaultSequencePattern = "quote-{year}"

    /// Days a quote sent now stays valid: the `quote.validityDays` setting, 30 by default.
    public static func validityDays(_ database: Database) throws(CRMError) -> Int64 {
        guard let stored = try Settings.get(database, key: validitySetting) else { return defaultValidityDays }
        guard let days = stored.integerValue, (1...3_650).contains(days) else {
            throw CRMError.invalid("the setting \(validitySetting) must be a whole number of days from 1 to 3650; "
                                   + "fix it with `crm setting set \(validitySetting) 30`")
        }
        return days
    }

    /// Issues a draft: assigns its final number, fixes its send date,
    /// validity and parties, and freezes it.
    public static func send(_ context: CRMContext, key: String) throws(CRMError) -> Quote {
        try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try get(context, key: key)
            let account = try Accounts.get(context, id: quote.accountId)
            try Accounts.requireWrite(context, account)
            guard quote.status == .draft else {
                throw CRMError.conflict("quote \(quote.label) is already \(quote.status.rawValue); a sent quote cannot be "
                                        + "sent again, copy it with `crm quote copy \(quote.label)` for a new version")
            }
            guard !quote.lines.isEmpty else {
                throw CRMError.invalid("quote \(quote.label) has no lines; add one with `crm quote line add \(quote.label) "
                                       + "--description TEXT --qty Q --unit-price P --vat RATE`")
            }
            guard account.archivedAt == nil else {
                throw CRMError.conflict("account \(account.id) is archived; quotes are sent to active accounts only")
            }
            let today = context.clock.today
            let days = try validityDays(context.database)
            guard let validUntil = today.adding(days: Int(days)) else {
                throw CRMError.invalid("the validity date falls after year 9999; check --today")
            }
            let number = try assignNumber(context, quote: quote, account: account)
            let parties = try QuoteParties.current(context.database, account: account)
            try context.database.query("""
                UPDATE quotes SET status = 'sent', number = ?, issue_date = ?, valid_until = ?, parties = ?,
                                  updated_at = ?
                WHERE id = ?
                """, [number, today.description, validUntil.description, JSON.encode(parties.value),
                      context.clock.timestamp, quote.id])
            try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "send", field: "number",
                              old: quote.reference, new: number)
            let sent = try load(context.database, id: quote.id)!
            try context.fire("onQuoteSent", payload: sent.pluginValue)
            try FollowUps.applyPolicies(context, quoteSent: sent)
            return sent
        }
    }

    /// Takes the next value of the quote sequence and turns it into a
    /// number through the `quoteNumber` rule, or the built-in format
    /// `Q-YYYY-NNNNN` when no plugin decides. Runs inside the send
    /// transaction, so a failed send gives the value back.
    static func assignNumber(_ context: CRMContext, quote: Quote, account: Account) throws(CRMError) -> String {
        let database = context.database
        let year = context.clock.today.year
        let sequenceName = try sequenceName(database, year: year, sector: account.sectorCode)
        let sequence = try Sequences.peek(database, name: sequenceName)
        guard case var .object(fields) = quote.pluginValue else { preconditionFailure("a quote is an object") }
        fields += [("sequence", .integer(sequence)), ("sequenceName", .string(sequenceName)),
                   ("year", .integer(Int64(year))), ("sector", account.sectorCode.map(Value.string) ?? .null)]
        let number: String
        if let outcome = try context.decide("quoteNumber", payload: .object(fields), entity: "quote", entityId: quote.id) {
            guard let text = outcome.result.stringValue else {
                throw outcome.invalidResult("quoteNumber returned a value of type \(outcome.result.typeName); "
                                            + "it must return the quote number as a string")
            }
            if let problem = numberProblem(text) {
                throw outcome.invalidResult("quoteNumber returned an invalid quote number: \(problem)")
            }
            if let holder = try database.scalar("SELECT id FROM quotes WHERE number = ?", [text]).integer {
                throw outcome.invalidResult("quoteNumber returned '\(text)', which quote \(holder) already has; "
                                            + "a quote number must be unique, so check the rule's format and sequence")
            }
            number = text
        } else {
            number = fallbackNumber(year: year, sequence: sequence)
            if let holder = try database.scalar("SELECT id FROM quotes WHERE number = ?", [number]).integer {
                throw CRMError.conflict("the next quote number \(number) already belongs to quote \(holder); raise "
                                        + "the sequence \(sequenceName) past it, or install a quoteNumber rule with "
                                        + "another format")
            }
        }
        _ = try Sequences.take(database, name: sequenceName)
        return number
    }

    /// Formats the number the core gives when no plugin decides: `Q-2026-00042`.
    public static func fallbackNumber(year: Int, sequence: Int64) -> String {
        let digits = String(sequence)
        let yearDigits = String(year)
        return "Q-" + String(repeating: "0", count: max(0, 4 - yearDigits.count)) + yearDigits + "-"
            + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Describes what is wrong with a quote number; nil when it is acceptable.
    static func numberProblem(_ number: String) -> String? {
        if number.trimmingSpaces.isEmpty { return "it is empty" }
        if number.count > numberMaximumLength {
            return "it is \(number.count) characters long; the maximum is \(numberMaximumLength)"
        }
        if number.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }) {
            return "'\(PluginAPI.escapeControlCharacters(number))' contains a control character"
        }
        if number != number.trimmingSpaces { return "'\(number)' starts or ends with a space" }
        if number.uppercased().hasPrefix("DRAFT-") {
            return "'\(number)' starts with DRAFT-, the prefix of provisional references"
        }
        if number.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return "'\(number)' has only digits, so it could be taken for a quote id; add a prefix such as Q-"
        }
        return nil
    }

    static func sequenceName(_ database: Database, year: Int, sector: String?) throws(CRMError) -> String {
        var pattern = defaultSequencePattern
        if let stored = try Settings.get(database, key: sequenceSetting) {
            guard let text = stored.stringValue, !text.isEmpty, text.count <= 100 else {
                throw CRMError.invalid("the setting \(sequenceSetting) must be a sequence name of 1 to 100 characters, "
                                       + "such as quote-{year} or quote-{year}-{sector}")
            }
            pattern = text
        }
        return pattern.replacing("{year}", with: String(year)).replacing("{sector}", with: sector ?? "none")
    }

    /// Records the customer's acceptance, cancels the quote's follow-ups and
    /// wins its opportunity through `Opportunities.win`, unless the
    /// opportunity is already won or lost. A quote past its validity date
    /// cannot be accepted, even before the expiry sweep has marked it.
    public static func accept(_ context: CRMContext, key: String) throws(CRMError) -> Quote {
        try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try sentQuote(context, key: key, action: "accepted")
            if let validUntil = quote.validUntil, context.clock.today > validUntil {
                throw CRMError.conflict("quote \(quote.label) was valid until \(validUntil) and can no longer be "
                                        + "accepted; copy it with `crm quote copy \(quote.label)` and send the copy")
            }
            var opportunity: Opportunity?
            if let id = quote.opportunityId {
                opportunity = try Opportunities.load(context.database, id: id)
            }
            if let opportunity, opportunity.isOpen {
                try Opportunities.requireWrite(context, opportunity)
            }
            let accepted = try close(context, quote, status: .accepted, reason: nil)
            try FollowUps.cancelPending(context, quote: quote.id, reason: "quote accepted")
            try context.fire("onQuoteAccepted", payload: accepted.pluginValue)
            if let opportunity, opportunity.isOpen {
                try Opportunities.win(context, id: opportunity.id)
            }
            return accepted
        }
    }

    /// Records the customer's refusal with its reason.
    public static func decline(_ context: CRMContext, key: String, reason: String) throws(CRMError) -> Quote {
        let trimmed = reason.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.usage("missing --reason: say why the customer declined") }
        guard trimmed.count <= reasonMaximumLength else {
            throw CRMError.invalid("invalid --reason: it is \(trimmed.count) characters long; the maximum is "
                                   + "\(reasonMaximumLength)")
        }
        return try context.database.transaction { () throws(CRMError) -> Quote in
            let quote = try sentQuote(context, key: key, action: "declined")
            let declined = try close(context, quote, status: .declined, reason: trimmed)
            try FollowUps.cancelPending(context, quote: quote.id, reason: "quote declined")
            guard case var .object(fields) = declined.pluginValue else { preconditionFailure("a quote is an object") }
            fields.append(("reason", .string(trimmed)))
            try context.fire("onQuoteDeclined", payload: .object(fields))
            return declined
        }
    }

    /// Marks as expired every sent quote, among those the actor may see,
    /// whose validity date has passed. Meant to run daily from cron.
    public static func expire(_ context: CRMContext) throws(CRMError) -> [Quote] {
        try context.require(.sales, .manager, .admin, to: "expire quotes")
        return try context.database.transaction { () throws(CRMError) -> [Quote] in
            let scope = Accounts.visibility(context)
            let ids = try context.database.query("""
                SELECT q.id FROM quotes q JOIN accounts a ON a.id = q.account_id
                WHERE q.status = 'sent' AND q.valid_until < ? AND \(scope.sql) ORDER BY q.id
                """, [context.clock.today.description] + scope.parameters).map { $0.int(0)! }
            var expired: [Quote] = []
            for id in ids {
                let quote = try close(context, try load(context.database, id: id)!, status: .expired, reason: nil)
                try FollowUps.cancelPending(context, quote: id, reason: "quote expired")
                try context.fire("onQuoteExpired", payload: quote.pluginValue)
                expired.append(quote)
            }
            return expired
        }
    }

    /// Loads a sent quote the actor may change, for acceptance or decline.
    private static func sentQuote(_ context: CRMContext, key: String, action: String) throws(CRMError) -> Quote {
        let quote = try get(context, key: key)
        try Accounts.requireWrite(context, try Accounts.get(context, id: quote.accountId))
        switch quote.status {
        case .sent:
            return quote
        case .draft:
            throw CRMError.conflict("quote \(quote.label) is a draft and cannot be \(action) before it is sent; "
                                    + "send it with `crm quote send \(quote.label)`")
        case .accepted, .declined, .expired:
            throw CRMError.conflict("quote \(quote.label) is already \(quote.status.rawValue)")
        }
    }

    private static func close(_ context: CRMContext, _ quote: Quote, status: Quote.Status,
                              reason: String?) throws(CRMError) -> Quote {
        let now = context.clock.timestamp
        try context.database.query("""
            UPDATE quotes SET status = ?, decline_reason = ?, closed_at = ?, updated_at = ? WHERE id = ?
            """, [status.rawValue, reason, now, now, quote.id])
        try context.audit(entity: "quote", id: quote.id, account: quote.accountId, action: "update", field: "status",
                          old: quote.status.rawValue, new: status.rawValue)
        return try load(context.database, id: quote.id)!
    }
}
