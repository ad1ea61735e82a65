/// The implementation of every `crm` API function that plugins call. The
/// Lua host checks argument types against the catalogue first, so the
/// values here already have the declared shapes.
public enum PluginAPI {
    /// Longest `crm.log` line kept, in characters.
    static let maximumLogLength = 300

    /// Runs one API call for the plugin named `plugin`. `settings` holds the
    /// defaults the plugin's pack declares, used when the database has no
    /// value. A failure is returned as a `CRMError` whose message the host
    /// raises as a Lua error at the call site.
    public static func call(_ name: String, _ arguments: [Value], plugin: String, settings: Value,
                            context: CRMContext, log: (String) -> Void) throws(CRMError) -> Value {
        guard let spec = Catalogue.api.first(where: { $0.name == name }) else {
            throw CRMError.invalid("crm.\(name) does not exist")
        }
        if spec.writes && context.inRule {
            throw CRMError.invalid("crm.\(name) writes to the database and is not available in rules")
        }
        let previousPlugin = context.currentPlugin
        context.currentPlugin = plugin
        defer { context.currentPlugin = previousPlugin }
        func text(_ index: Int) -> String { arguments[index].stringValue ?? "" }
        func integer(_ index: Int) -> Int64 { arguments[index].integerValue ?? 0 }
        func date(_ index: Int) throws(CRMError) -> CivilDate {
            guard let date = CivilDate(parsing: text(index)) else {
                throw CRMError.invalid("bad argument #\(index + 1) to 'crm.\(name)' (date YYYY-MM-DD expected)")
            }
            return date
        }
        func dateValue(_ date: CivilDate?) throws(CRMError) -> Value {
            guard let date else { throw CRMError.invalid("crm.\(name): the resulting date is outside years 1 to 9999") }
            return .string(date.description)
        }

        switch name {
        case "log":
            var message = text(0)
            if message.count > maximumLogLength { message = String(message.prefix(maximumLogLength)) + "..." }
            log("plugin \(plugin): \(escapeControlCharacters(message))")
            return .null
        case "getAccount":
            return try Accounts.visible(context, id: integer(0))?.pluginValue ?? .null
        case "getNotes":
            guard try Accounts.visible(context, id: integer(0)) != nil else { return .array([]) }
            let rows = try context.database.query("""
                SELECT n.id, n.text, coalesce(n.plugin, u.name) FROM notes n LEFT JOIN users u ON u.id = n.author_id
                WHERE n.account_id = ? ORDER BY n.id
                """, [integer(0)])
            return .array(rows.map { .object([("id", .integer($0.int(0)!)), ("text", .string($0.string(1)!)),
                                              ("author", .string($0.string(2) ?? ""))]) })
        case "getContacts":
            guard try Accounts.visible(context, id: integer(0)) != nil else { return .array([]) }
            let rows = try context.database.query("""
                SELECT id, first_name, last_name, role, email, opted_out FROM contacts WHERE account_id = ?
                ORDER BY name_key, id
                """, [integer(0)])
            return .array(rows.map { row in
                var contact = ObjectBuilder()
                contact.set("id", row.int(0))
                contact.set("firstName", row.string(1))
                contact.set("lastName", row.string(2))
                contact.set("role", row.string(3))
                contact.set("email", row.string(4))
                contact.set("optedOut", row.bool(5))
                return contact.value
            })
        case "getOpportunity":
            guard let opportunity = try Opportunities.load(context.database, id: integer(0)),
                  try Accounts.visible(context, id: opportunity.accountId) != nil else { return .null }
            return opportunity.pluginValue
        case "getQuote":
            guard let quote = try Quotes.load(context.database, id: integer(0)),
                  try Accounts.visible(context, id: quote.accountId) != nil else { return .null }
            return quote.pluginValue
        case "planActivity", "logActivity":
            let accountId = try existingAccount(context, integer(name == "planActivity" ? 3 : 2), name)
            let opportunityIndex = name == "planActivity" ? 4 : 3
            let opportunity = arguments.count > opportunityIndex ? arguments[opportunityIndex].integerValue : nil
            if let opportunity {
                guard let found = try Opportunities.load(context.database, id: opportunity), found.accountId == accountId else {
                    throw CRMError.notFound("crm.\(name): opportunity \(opportunity) does not exist on account \(accountId)")
                }
            }
            let link: ActivityLink = opportunity.map(ActivityLink.opportunity) ?? .account(accountId)
            let kind = Activity.Kind(rawValue: text(0)) ?? .task
            if name == "planActivity" {
                return .integer(try Activities.plan(context, kind: kind, subject: text(1), due: text(2), link: link,
                                                    owner: nil).id)
            }
            return .integer(try Activities.log(context, kind: kind, subject: text(1), link: link, outcome: nil, at: nil).id)
        case "addNote":
            return .integer(try Notes.add(context, account: try existingAccount(context, integer(0), name), text: text(1)))
        case "addFlag":
            try Accounts.edit(context, id: try existingAccount(context, integer(0), name), fields: [:], addFlags: [text(1)])
            return .null
        case "setCreditLimit":
            let accountId = try existingAccount(context, integer(0), name)
            guard integer(1) >= 0 else { throw CRMError.invalid("crm.setCreditLimit: the amount cannot be negative") }
            let account = try Accounts.load(context.database, id: accountId)!
            try Accounts.edit(context, id: accountId,
                              fields: [.creditLimit: Money(minor: integer(1), currency: account.currency).decimalString])
            return .null
        case "openingRequirements":
            guard let account = try Accounts.visible(context, id: integer(0)) else {
                throw CRMError.notFound("crm.openingRequirements: account \(integer(0)) does not exist "
                                        + "or the acting user may not see it")
            }
            return .array(try Openings.requirements(context.database, account: account).map(Value.string))
        case "requestOpening":
            let note = arguments.count > 1 ? arguments[1].stringValue : nil
            return .integer(try Openings.request(context, account: try existingAccount(context, integer(0), name),
                                                 creditLimit: nil, note: note).id)
        case "notifyRole":
            let role = Role(rawValue: text(0)) ?? .accounting
            let body = arguments.count > 2 ? arguments[2].stringValue : nil
            return .integer(Int64(try Notifications.notifyRole(context, role: role, subject: text(1), body: body)))
        case "notifyUser":
            guard let user = try Users.find(context.database, name: text(0)), user.active else {
                throw CRMError.notFound("crm.notifyUser: no active user named '\(text(0))'")
            }
            let body = arguments.count > 2 ? arguments[2].stringValue : nil
            try Notifications.notifyUser(context, userId: user.id, subject: text(1), body: body)
            return .null
        case "dueDate":
            guard let term = try PaymentTerms.find(context.database, code: text(0)) else {
                throw CRMError.notFound("crm.dueDate: unknown payment term '\(text(0))'")
            }
            return try dateValue(term.dueDate(from: try date(1)))
        case "formatMoney":
            guard let currency = Currency(code: text(1)) else {
                throw CRMError.invalid("bad argument #2 to 'crm.formatMoney' (ISO 4217 currency code expected)")
            }
            return .string(Money(minor: integer(0), currency: currency).description)
        case "parseMoney":
            guard let currency = Currency(code: text(1)) else {
                throw CRMError.invalid("bad argument #2 to 'crm.parseMoney' (ISO 4217 currency code expected)")
            }
            switch Money.parse(text(0), currency: currency) {
            case let .success(money): return .integer(money.minor)
            case let .failure(failure):
                throw CRMError.invalid("crm.parseMoney: '\(text(0))': " + AccountValidation.moneyReason(failure, currency: currency))
            }
        case "sectorExists":
            return .bool(try Sectors.find(context.database, code: text(0)) != nil)
        case "setting":
            if let stored = try Settings.get(context.database, key: text(0)) { return stored }
            return settings[text(0)] ?? .null
        case "today":
            return .string(context.clock.today.description)
        case "addDays":
            return try dateValue(try date(0).adding(days: Int(clamping: integer(1))))
        case "addMonths":
            return try dateValue(try date(0).adding(months: Int(clamping: integer(1))))
        case "endOfMonth":
            return .string(try date(0).endOfMonth.description)
        case "addBusinessDays":
            return try dateValue(try BusinessDays.add(Int(clamping: integer(1)), to: try date(0), database: context.database))
        case "isBusinessDay":
            return .bool(try BusinessDays.isBusinessDay(try date(0), database: context.database))
        case "yearsBetween":
            return .integer(Int64(yearsBetween(try date(0), try date(1))))
        case "percentOf":
            return .integer(try percentOf(integer(0), text(1)))
        case "divideRound":
            guard integer(1) != 0 else { throw CRMError.invalid("crm.divideRound: division by zero") }
            guard !(integer(0) == .min && integer(1) == -1) else { throw CRMError.invalid("crm.divideRound: the result is too large") }
            return .integer(Money.divideRoundingHalfUp(integer(0), by: integer(1)))
        default:
            throw CRMError.invalid("crm.\(name) is declared but not implemented")
        }
    }

    private static func existingAccount(_ context: CRMContext, _ id: Int64, _ name: String) throws(CRMError) -> Int64 {
        guard try Accounts.visible(context, id: id) != nil else {
            throw CRMError.notFound("crm.\(name): account \(id) does not exist or the acting user may not see it")
        }
        return id
    }

    /// Whole years from `start` to `end`, counting a year only once its
    /// anniversary has passed (29 February anniversaries fall on 28 February).
    public static func yearsBetween(_ start: CivilDate, _ end: CivilDate) -> Int {
        var years = end.year - start.year
        let anniversaryDay = min(start.day, CivilDate.daysIn(month: start.month, year: end.year))
        if (end.month, end.day) < (start.month, anniversaryDay) { years -= 1 }
        return years
    }

    /// `amount × percent / 100`, where percent is a decimal string with up to
    /// 4 decimals, rounded half-up with ties away from zero.
    public static func percentOf(_ amount: Int64, _ percent: String) throws(CRMError) -> Int64 {
        guard let decimal = DecimalText(percent, allowPlus: false), decimal.fraction.count <= 4,
              let scaled = Int64(decimal.whole + decimal.fraction
                                 + String(repeating: "0", count: 4 - decimal.fraction.count)) else {
            throw CRMError.invalid("bad argument #2 to 'crm.percentOf' (decimal percent such as \"5.5\" expected)")
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: decimal.negative ? -scaled : scaled)
        guard !overflow else { throw CRMError.invalid("crm.percentOf: the amount is too large") }
        return Money.divideRoundingHalfUp(product, by: 1_000_000)
    }

    /// Shows control characters of plugin text as escapes, so a plugin
    /// cannot forge terminal output or extra log lines.
    public static func escapeControlCharacters(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

/// Business days: neither Saturday, Sunday nor a holiday of the database.
public enum BusinessDays {
    public static func isBusinessDay(_ date: CivilDate, database: Database) throws(CRMError) -> Bool {
        guard !date.isWeekend else { return false }
        return try !isHoliday(date, database: database)
    }

    static func isHoliday(_ date: CivilDate, database: Database) throws(CRMError) -> Bool {
        return try database.scalar("SELECT 1 FROM holidays WHERE day = ?", [date.description]) != .null
    }

    /// Moves forward (or back, for a negative count) by business days.
    public static func add(_ days: Int, to date: CivilDate, database: Database) throws(CRMError) -> CivilDate? {
        guard abs(days) <= 3660 else { return nil }
        var current = date
        var remaining = abs(days)
        let step = days >= 0 ? 1 : -1
        while remaining > 0 {
            guard let next = current.adding(days: step) else { return nil }
            current = next
            if try isBusinessDay(current, database: database) { remaining -= 1 }
        }
        return current
    }
}
