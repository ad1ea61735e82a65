/// Filters of `crm opportunity list`.
public struct OpportunityFilter: Sendable {
    public var owner: String?
    public var account: Int64?
    public var stage: String?
    public var status: Stage.Kind?
    /// Every opportunity, not only the actor's scope: managers and admins.
    public var all = false
    public var limit = 50
    public var offset = 0

    public init() {}
}

/// A deal just won or lost, with the number of its pending follow-ups cancelled.
public struct Closing: Sendable {
    public let opportunity: Opportunity
    public let cancelledFollowUps: Int
}

/// Opportunity workflows: add, edit, move through stages, win, lose, reopen.
public enum Opportunities {
    // MARK: Reading

    /// The SQL condition restricting opportunities (alias `o`, account `a`)
    /// to those the actor may see. Sales reps see their own. Managers see
    /// their own and those on accounts of the sectors they manage and
    /// below, with or without `all`. Admins and accounting see everything.
    static func visibility(_ context: CRMContext, all: Bool = false) throws(CRMError) -> (sql: String, parameters: [SQLBindable]) {
        if all { try context.require(.manager, .admin, to: "see every opportunity (--all)") }
        switch context.actor.role {
        case .admin, .accounting:
            return ("1", [])
        case .sales:
            return ("o.owner_id = ?", [context.actor.id])
        case .manager:
            return ("(o.owner_id = ? OR a.sector_id IN (\(Sectors.managedSectorsQuery)))", [context.actor.id, context.actor.id])
        }
    }

    /// Loads an opportunity without permission checks.
    public static func load(_ database: Database, id: Int64) throws(CRMError) -> Opportunity? {
        guard var opportunity = try database.first("\(Opportunity.select) WHERE o.id = ?", [id]).map(Opportunity.init) else {
            return nil
        }
        opportunity.participants = try database.query(
            "SELECT contact_id, role FROM opportunity_contacts WHERE opportunity_id = ? ORDER BY contact_id", [id]
        ).map { Opportunity.Participant(contactId: $0.int(0)!, role: $0.string(1)) }
        return opportunity
    }

    /// Loads an opportunity the actor may see; others read as not found.
    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Opportunity {
        let scope = try visibility(context)
        guard try context.database.first("""
            SELECT o.id FROM opportunities o JOIN accounts a ON a.id = o.account_id WHERE o.id = ? AND \(scope.sql)
            """, [id] + scope.parameters) != nil, let opportunity = try load(context.database, id: id) else {
            throw CRMError.notFound("opportunity \(id) not found (or not yours to see); see `crm opportunity list`")
        }
        return opportunity
    }

    public static func list(_ context: CRMContext, filter: OpportunityFilter) throws(CRMError) -> [Opportunity] {
        let scope = try visibility(context, all: filter.all)
        var conditions = [scope.sql]
        var parameters = scope.parameters
        if let owner = filter.owner {
            conditions.append("o.owner_id = ?")
            parameters.append(try Users.require(context.database, name: owner, option: "--owner").id)
        }
        if let account = filter.account {
            conditions.append("o.account_id = ?")
            parameters.append(account)
        }
        if let stage = filter.stage {
            conditions.append("o.stage_id = ?")
            parameters.append(try Stages.require(context.database, code: stage).id)
        }
        if let status = filter.status {
            conditions.append("st.kind = ?")
            parameters.append(status.rawValue)
        }
        let sql = "\(Opportunity.select) WHERE \(conditions.joined(separator: " AND ")) "
            + "ORDER BY o.expected_close, o.id LIMIT ? OFFSET ?"
        return try context.database.query(sql, parameters + [filter.limit, filter.offset]).map(Opportunity.init)
    }

    // MARK: Checks

    /// Checks that the actor may change an opportunity: admins always, its
    /// owner, or the manager of its account's sector.
    static func requireWrite(_ context: CRMContext, _ opportunity: Opportunity) throws(CRMError) {
        switch context.actor.role {
        case .admin: return
        case .sales where opportunity.ownerId == context.actor.id: return
        case .manager:
            if opportunity.ownerId == context.actor.id { return }
            let sector = try context.database.scalar("SELECT sector_id FROM accounts WHERE id = ?", [opportunity.accountId])
            if let sector = sector.integer,
               try Sectors.managedSectorIds(context.database, manager: context.actor.id).contains(sector) { return }
        default: break
        }
        throw CRMError.permission("permission denied: opportunity \(opportunity.id) belongs to another rep; changing it "
                                  + "needs the admin role, its owner, or the manager of its account's sector")
    }

    /// Sales reps own only their own deals; managers and admins assign as
    /// they assign accounts.
    static func requireOwnerAssignable(_ context: CRMContext, ownerId: Int64) throws(CRMError) {
        guard context.actor.role != .sales else {
            throw CRMError.permission("permission denied: a sales rep can own only their own opportunities; "
                                      + "leave out --owner or ask a manager")
        }
        try Accounts.requireOwnerAssignable(context, ownerId: ownerId)
    }

    static func requireOpen(_ opportunity: Opportunity) throws(CRMError) {
        guard opportunity.isOpen else {
            throw CRMError.conflict("opportunity \(opportunity.id) is \(opportunity.stage.kind.rawValue); a manager or an "
                                    + "admin reopens it with `crm opportunity reopen \(opportunity.id)`")
        }
    }

    static func parseDate(_ text: String, option: String) throws(CRMError) -> CivilDate {
        guard let date = CivilDate(parsing: text) else {
            throw CRMError.usage("invalid \(option) '\(text)': expected a date that exists, as YYYY-MM-DD")
        }
        return date
    }

    static func parseAmount(_ text: String, currency: Currency) throws(CRMError) -> Money {
        switch Money.parse(text, currency: currency) {
        case let .success(money):
            guard money.minor >= 0 else {
                throw CRMError.invalid("invalid --amount '\(text)': an opportunity's amount cannot be negative")
            }
            guard money.minor <= 999_999_999_999 else {
                throw CRMError.invalid("invalid --amount '\(text)': the maximum is "
                                       + Money(minor: 999_999_999_999, currency: currency).decimalString)
            }
            return money
        case let .failure(failure):
            throw CRMError.invalid("invalid --amount '\(text)': " + AccountValidation.moneyReason(failure, currency: currency))
        }
    }

    static func checkContact(_ database: Database, _ contactId: Int64, account: Int64, option: String) throws(CRMError) {
        guard try database.first("SELECT 1 FROM contacts WHERE id = ? AND account_id = ?", [contactId, account]) != nil else {
            throw CRMError.notFound("\(option): contact \(contactId) is not a contact of account \(account); "
                                    + "see `crm contact list --account \(account)`")
        }
    }

    // MARK: Creating and changing

    /// Creates an opportunity in `stage` (the first open stage by default),
    /// runs the follow-up policies, and fires `onOpportunityCreated`.
    public static func add(_ context: CRMContext, account accountId: Int64, changes: OpportunityChanges,
                           stage stageCode: String? = nil) throws(CRMError) -> Opportunity {
        try context.require(.sales, .manager, .admin, to: "add an opportunity")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Opportunity in
            let account = try Accounts.get(context, id: accountId)
            try Accounts.requireWrite(context, account)
            guard account.archivedAt == nil else { throw CRMError.conflict("account \(accountId) is archived") }
            guard let title = changes.title?.trimmingSpaces, !title.isEmpty else {
                throw CRMError.usage("missing --title: an opportunity needs a title")
            }
            guard let amountText = changes.amount else { throw CRMError.usage("missing --amount: such as 5000.00") }
            guard let closeText = changes.expectedClose else {
                throw CRMError.usage("missing --close-date: the expected close date, as YYYY-MM-DD")
            }
            let stage: Stage
            if let stageCode {
                stage = try Stages.require(database, code: stageCode)
            } else {
                stage = try Stages.first(database, kind: .open)
            }
            guard stage.kind == .open else {
                throw CRMError.usage("--stage \(stage.code) closes a deal; a new opportunity starts in an open stage")
            }
            let currency = try changes.currency.map { (code) throws(CRMError) in try parseCurrency(code) } ?? account.currency
            let amount = try parseAmount(amountText, currency: currency)
            let close = try parseDate(closeText, option: "--close-date")
            if let probability = changes.probability { try Stages.validateProbability(probability) }
            var ownerId = context.actor.id
            if let owner = changes.owner {
                ownerId = try Users.require(database, name: owner, option: "--owner").id
                if ownerId != context.actor.id { try requireOwnerAssignable(context, ownerId: ownerId) }
            }
            try checkText(title: title, source: changes.source)
            if let contact = changes.contactId { try checkContact(database, contact, account: accountId, option: "--contact") }
            let now = context.clock.timestamp
            let id = try database.insert("""
                INSERT INTO opportunities (account_id, contact_id, title, amount, currency, probability, stage_id,
                                           expected_close, owner_id, source, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [accountId, changes.contactId, title, amount.minor, currency.code,
                      changes.probability ?? stage.probability, stage.id, close.description, ownerId,
                      changes.source.flatMap { $0.trimmingSpaces.isEmpty ? nil : $0.trimmingSpaces }, now, now])
            try setParticipants(context, opportunity: id, account: accountId, add: changes.addParticipants, remove: [])
            try context.audit(entity: "opportunity", id: id, account: accountId, action: "create", field: nil, old: nil,
                              new: stage.code)
            let created = try load(database, id: id)!
            try FollowUps.applyPolicies(context, event: "onOpportunityCreated", opportunity: created)
            try context.fire("onOpportunityCreated", payload: created.pluginValue)
            return try load(database, id: id)!
        }
    }

    static func parseCurrency(_ code: String) throws(CRMError) -> Currency {
        guard let currency = Currency(code: code) else {
            throw CRMError.invalid("invalid --currency '\(code)': expected an ISO 4217 code such as EUR, USD or JPY")
        }
        return currency
    }

    static func checkText(title: String?, source: String?) throws(CRMError) {
        if let title { try AccountValidation.checkPrintable(title, option: "--title", maximum: 200) }
        if let source { try AccountValidation.checkPrintable(source, option: "--source", maximum: 100) }
    }

    private static func setParticipants(_ context: CRMContext, opportunity: Int64, account: Int64,
                                        add: [(Int64, String?)], remove: [Int64]) throws(CRMError) {
        for (contact, role) in add {
            try checkContact(context.database, contact, account: account, option: "--with")
            if let role { try AccountValidation.checkPrintable(role, option: "--with", maximum: 100) }
            try context.database.query("""
                INSERT INTO opportunity_contacts (opportunity_id, contact_id, role) VALUES (?, ?, ?)
                ON CONFLICT (opportunity_id, contact_id) DO UPDATE SET role = excluded.role
                """, [opportunity, contact, role])
            try context.audit(entity: "opportunity", id: opportunity, account: account, action: "update",
                              field: "contact", old: nil, new: "contact \(contact)" + (role.map { " (\($0))" } ?? ""))
        }
        for contact in remove {
            try context.database.query("DELETE FROM opportunity_contacts WHERE opportunity_id = ? AND contact_id = ?",
                                       [opportunity, contact])
            guard context.database.changes > 0 else {
                throw CRMError.notFound("--without: contact \(contact) is not on opportunity \(opportunity)")
            }
            try context.audit(entity: "opportunity", id: opportunity, account: account, action: "update",
                              field: "contact", old: "contact \(contact)", new: nil)
        }
    }

    /// Changes fields of an open opportunity, one audit row per changed field.
    @discardableResult
    public static func edit(_ context: CRMContext, id: Int64, changes: OpportunityChanges) throws(CRMError) -> Opportunity {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Opportunity in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            try requireOpen(before)
            try checkText(title: changes.title, source: changes.source)
            let currency = try changes.currency.map { (code) throws(CRMError) in try parseCurrency(code) } ?? before.currency
            var updates: [(column: String, field: String, old: String?, new: SQLValue, shown: String?)] = []
            if let title = changes.title?.trimmingSpaces, title != before.title {
                guard !title.isEmpty else { throw CRMError.usage("--title must not be empty") }
                updates.append(("title", "title", before.title, .text(title), title))
            }
            if changes.amount != nil || currency != before.currency {
                var amount: Money?
                if let text = changes.amount {
                    amount = try parseAmount(text, currency: currency)
                } else if let known = before.amount {
                    amount = try rescaled(known, to: currency)
                }
                if amount != before.amount, let amount {
                    updates.append(("amount", "amount", before.amount?.description, .integer(amount.minor),
                                    amount.description))
                }
                if currency != before.currency {
                    updates.append(("currency", "currency", before.currency.code, .text(currency.code), currency.code))
                }
            }
            if let probability = changes.probability, probability != before.probability {
                try Stages.validateProbability(probability)
                updates.append(("probability", "probability", String(before.probability), .integer(Int64(probability)),
                                String(probability)))
            }
            if let closeText = changes.expectedClose {
                let close = try parseDate(closeText, option: "--close-date").description
                if close != before.expectedClose {
                    updates.append(("expected_close", "close-date", before.expectedClose, .text(close), close))
                }
            }
            if let owner = changes.owner {
                let user = try Users.require(database, name: owner, option: "--owner")
                if user.id != before.ownerId {
                    try requireOwnerAssignable(context, ownerId: user.id)
                    updates.append(("owner_id", "owner", before.ownerName, .integer(user.id), user.name))
                }
            }
            if let source = changes.source?.trimmingSpaces, source != (before.source ?? "") {
                updates.append(("source", "source", before.source, source.isEmpty ? .null : .text(source),
                                source.isEmpty ? nil : source))
            }
            if let contact = changes.contactId, contact != before.contactId {
                try checkContact(database, contact, account: before.accountId, option: "--contact")
                updates.append(("contact_id", "main-contact", before.contactId.map { "contact \($0)" }, .integer(contact),
                                "contact \(contact)"))
            }
            for update in updates {
                try database.query("UPDATE opportunities SET \(update.column) = ? WHERE id = ?", [update.new, id])
                try context.audit(entity: "opportunity", id: id, account: before.accountId, action: "update",
                                  field: update.field, old: update.old, new: update.shown)
            }
            try setParticipants(context, opportunity: id, account: before.accountId, add: changes.addParticipants,
                                remove: changes.removeParticipants)
            try database.query("UPDATE opportunities SET updated_at = ? WHERE id = ?", [context.clock.timestamp, id])
            return try load(database, id: id)!
        }
    }

    /// An amount moved to another currency keeps its digits in major units;
    /// fails when the new currency has fewer decimals than the amount uses.
    private static func rescaled(_ money: Money, to currency: Currency) throws(CRMError) -> Money {
        try parseAmount(money.decimalString, currency: currency)
    }

    // MARK: Stages

    /// Moves an open opportunity to another open stage. The probability
    /// becomes the stage's default unless one is given. Moving back to an
    /// earlier stage is allowed and recorded as such in the history.
    @discardableResult
    public static func moveStage(_ context: CRMContext, id: Int64, to code: String,
                                 probability: Int? = nil) throws(CRMError) -> Opportunity {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Opportunity in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            try requireOpen(before)
            let stage = try Stages.require(database, code: code)
            switch stage.kind {
            case .won: throw CRMError.usage("stage \(stage.code) wins the deal; use `crm opportunity win \(id)`")
            case .lost: throw CRMError.usage("stage \(stage.code) loses the deal; use `crm opportunity lose \(id) --reason CODE`")
            case .open: break
            }
            guard stage.id != before.stage.id else {
                throw CRMError.conflict("opportunity \(id) is already in stage \(stage.code)")
            }
            if let probability { try Stages.validateProbability(probability) }
            try setStage(context, before, to: stage, probability: probability ?? stage.probability, closedOn: nil,
                         action: stage.position < before.stage.position ? "stage back" : "stage")
            let after = try load(database, id: id)!
            try FollowUps.applyPolicies(context, event: "onOpportunityStageChanged", opportunity: after)
            try context.fire("onOpportunityStageChanged", payload: stageChangePayload(after, from: before.stage))
            return try load(database, id: id)!
        }
    }

    private static func stageChangePayload(_ opportunity: Opportunity, from old: Stage) -> Value {
        guard case var .object(fields) = opportunity.pluginValue else { return opportunity.pluginValue }
        fields.append(("oldStage", .string(old.code)))
        fields.append(("newStage", .string(opportunity.stage.code)))
        return .object(fields)
    }

    private static func setStage(_ context: CRMContext, _ before: Opportunity, to stage: Stage, probability: Int,
                                 closedOn: String?, action: String) throws(CRMError) {
        try context.database.query("""
            UPDATE opportunities SET stage_id = ?, probability = ?, closed_on = ?, updated_at = ? WHERE id = ?
            """, [stage.id, probability, closedOn, context.clock.timestamp, before.id])
        try context.audit(entity: "opportunity", id: before.id, account: before.accountId, action: action,
                          field: "stage", old: before.stage.code, new: stage.code)
    }

    /// Closes a deal as won on the business date, cancels its pending
    /// follow-ups, and fires `onOpportunityWon`.
    @discardableResult
    public static func win(_ context: CRMContext, id: Int64) throws(CRMError) -> Closing {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Closing in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            try requireOpen(before)
            let stage = try Stages.first(database, kind: .won)
            try setStage(context, before, to: stage, probability: stage.probability,
                         closedOn: context.clock.today.description, action: "win")
            let cancelled = try FollowUps.cancelPending(context, opportunity: id, reason: "opportunity won")
            let after = try load(database, id: id)!
            try context.fire("onOpportunityWon", payload: after.pluginValue)
            return Closing(opportunity: try load(database, id: id)!, cancelledFollowUps: cancelled)
        }
    }

    /// Closes a deal as lost with a reason from the managed list, cancels its
    /// pending follow-ups, and fires `onOpportunityLost`.
    @discardableResult
    public static func lose(_ context: CRMContext, id: Int64, reason code: String, note: String?) throws(CRMError) -> Closing {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Closing in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            try requireOpen(before)
            let reason = try LossReasons.require(database, code: code)
            if let note { try AccountValidation.checkPrintable(note, option: "--note", maximum: 1000) }
            let stage = try Stages.first(database, kind: .lost)
            try setStage(context, before, to: stage, probability: stage.probability,
                         closedOn: context.clock.today.description, action: "lose")
            let trimmedNote = note.map(\.trimmingSpaces).flatMap { $0.isEmpty ? nil : $0 }
            try database.query("UPDATE opportunities SET loss_reason = ?, loss_note = ? WHERE id = ?",
                               [reason.code, trimmedNote, id])
            try context.audit(entity: "opportunity", id: id, account: before.accountId, action: "update",
                              field: "loss-reason", old: nil, new: reason.code)
            let cancelled = try FollowUps.cancelPending(context, opportunity: id, reason: "opportunity lost")
            let after = try load(database, id: id)!
            try context.fire("onOpportunityLost", payload: after.pluginValue)
            return Closing(opportunity: try load(database, id: id)!, cancelledFollowUps: cancelled)
        }
    }

    /// Reopens a won or lost deal (managers and admins) in `stage`, by
    /// default the open stage it left when it closed.
    @discardableResult
    public static func reopen(_ context: CRMContext, id: Int64, stage code: String?) throws(CRMError) -> Opportunity {
        try context.require(.manager, .admin, to: "reopen an opportunity")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Opportunity in
            let before = try get(context, id: id)
            try requireWrite(context, before)
            guard !before.isOpen else { throw CRMError.conflict("opportunity \(id) is open already") }
            let stage: Stage
            if let code {
                stage = try Stages.require(database, code: code)
            } else {
                stage = try stageBeforeClosing(database, id: id)
            }
            guard stage.kind == .open else {
                throw CRMError.usage("--stage \(stage.code) is a \(stage.kind.rawValue) stage; reopen into an open stage")
            }
            try setStage(context, before, to: stage, probability: stage.probability, closedOn: nil, action: "reopen")
            try database.query("UPDATE opportunities SET loss_reason = NULL, loss_note = NULL WHERE id = ?", [id])
            let after = try load(database, id: id)!
            try FollowUps.applyPolicies(context, event: "onOpportunityStageChanged", opportunity: after)
            try context.fire("onOpportunityStageChanged", payload: stageChangePayload(after, from: before.stage))
            return try load(database, id: id)!
        }
    }

    /// The open stage recorded in the history when the deal last closed,
    /// or the first open stage when that one is gone or no longer open.
    private static func stageBeforeClosing(_ database: Database, id: Int64) throws(CRMError) -> Stage {
        let code = try database.scalar("""
            SELECT old_value FROM audit_log WHERE entity = 'opportunity' AND entity_id = ? AND action IN ('win', 'lose')
            ORDER BY id DESC LIMIT 1
            """, [id]).text
        if let code, let stage = try Stages.find(database, code: code), stage.kind == .open { return stage }
        return try Stages.first(database, kind: .open)
    }
}
