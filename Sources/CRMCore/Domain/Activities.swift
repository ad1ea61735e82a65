/// Filters of `crm activity list` and `crm followup list`.
public struct ActivityFilter: Sendable {
    /// Only activities owned by the acting user.
    public var mine = false
    public var owner: String?
    public var due: DueWindow?
    public var kind: Activity.Kind?
    /// Only planned follow-ups created by a policy.
    public var followUpsOnly = false
    public var limit = 100

    public init() {}
}

/// Activity workflows: log what was done, plan what to do, complete.
public enum Activities {
    /// The account, contact and opportunity an activity is about, checked
    /// for the actor's right to change them.
    struct Target {
        var account: Int64?
        var contact: Int64?
        var opportunity: Opportunity?
    }

    static func resolve(_ context: CRMContext, _ link: ActivityLink?) throws(CRMError) -> Target {
        switch link {
        case nil:
            return Target()
        case let .account(id):
            let account = try Accounts.get(context, id: id)
            try Accounts.requireWrite(context, account)
            return Target(account: id)
        case let .contact(id):
            let contact = try Contacts.get(context, id: id)
            guard let accountId = contact.accountId else {
                throw CRMError.invalid("contact \(id) belongs to no account; link it first with "
                                       + "`crm contact link \(id) --account ID`")
            }
            try Accounts.requireWrite(context, try Accounts.get(context, id: accountId))
            return Target(account: accountId, contact: id)
        case let .opportunity(id):
            let opportunity = try Opportunities.get(context, id: id)
            try Opportunities.requireWrite(context, opportunity)
            return Target(account: opportunity.accountId, opportunity: opportunity)
        }
    }

    static func checkSubject(_ subject: String) throws(CRMError) -> String {
        let trimmed = subject.trimmingSpaces
        guard !trimmed.isEmpty else { throw CRMError.usage("--subject must not be empty") }
        try AccountValidation.checkPrintable(trimmed, option: "--subject", maximum: 200)
        return trimmed
    }

    static func checkOutcome(_ outcome: String?) throws(CRMError) -> String? {
        guard let trimmed = outcome?.trimmingSpaces, !trimmed.isEmpty else { return nil }
        try AccountValidation.checkPrintable(trimmed, option: "--outcome", maximum: 1000, allowNewlines: true)
        return trimmed
    }

    public static func load(_ database: Database, id: Int64) throws(CRMError) -> Activity? {
        try database.first("\(Activity.select) WHERE t.id = ?", [id]).map(Activity.init)
    }

    /// Activities the actor owns or whose account the actor may see.
    static func visibility(_ context: CRMContext) -> (sql: String, parameters: [SQLBindable]) {
        let accounts = Accounts.visibility(context)
        return ("(t.owner_id = ? OR t.account_id IN (SELECT a.id FROM accounts a WHERE \(accounts.sql)))",
                [context.actor.id] + accounts.parameters)
    }

    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Activity {
        let scope = visibility(context)
        guard let activity = try context.database.first("\(Activity.select) WHERE t.id = ? AND \(scope.sql)",
                                                        [id] + scope.parameters).map(Activity.init) else {
            throw CRMError.notFound("activity \(id) not found (or not yours to see); see `crm activity list`")
        }
        return activity
    }

    /// Records something done. `at` is a local time in the database's
    /// offset (`2026-03-02T10:30`); the command's clock when nil.
    public static func log(_ context: CRMContext, kind: Activity.Kind, subject: String, link: ActivityLink?,
                           outcome: String?, at: String?) throws(CRMError) -> Activity {
        try context.require(.sales, .manager, .admin, to: "log an activity")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Activity in
            let subject = try checkSubject(subject)
            let outcome = try checkOutcome(outcome)
            var doneAt = context.clock.now
            if let at {
                let offset = try TimeZoneOffset.of(database)
                guard let parsed = offset.parseLocal(at) else {
                    throw CRMError.usage("invalid --at '\(at)': expected a local time such as 2026-03-02T10:30 "
                                         + "(read in the offset \(offset) of the setting \(TimeZoneOffset.settingKey))")
                }
                doneAt = parsed.utc
            }
            let target = try resolve(context, link)
            let now = context.clock.timestamp
            let id = try database.insert("""
                INSERT INTO activities (kind, subject, account_id, contact_id, opportunity_id, owner_id, status, done_at,
                                        outcome, created_at, created_by, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?)
                """, [kind.rawValue, subject, target.account, target.contact, target.opportunity?.id, context.actor.id,
                      Clock.formatTimestamp(doneAt), outcome, now, context.actor.id, now])
            try context.audit(entity: "activity", id: id, account: target.account, action: "log", field: nil, old: nil,
                              new: kind.rawValue)
            let activity = try load(database, id: id)!
            try context.fire("onActivityLogged", payload: activity.pluginValue)
            return activity
        }
    }

    /// Plans something to do. `due` is `YYYY-MM-DD` or a local time
    /// `YYYY-MM-DDTHH:MM` in the database's offset.
    public static func plan(_ context: CRMContext, kind: Activity.Kind, subject: String, due: String,
                            link: ActivityLink?, owner: String?) throws(CRMError) -> Activity {
        try context.require(.sales, .manager, .admin, to: "plan an activity")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Activity in
            let subject = try checkSubject(subject)
            let (dueDate, dueAt) = try parseDue(database, due)
            let target = try resolve(context, link)
            var ownerId = target.opportunity?.ownerId ?? context.actor.id
            if let owner {
                ownerId = try Users.require(database, name: owner, option: "--owner").id
                if ownerId != context.actor.id { try Opportunities.requireOwnerAssignable(context, ownerId: ownerId) }
            }
            let now = context.clock.timestamp
            let id = try database.insert("""
                INSERT INTO activities (kind, subject, account_id, contact_id, opportunity_id, owner_id, status, due_date,
                                        due_at, created_at, created_by, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?)
                """, [kind.rawValue, subject, target.account, target.contact, target.opportunity?.id, ownerId,
                      dueDate.description, dueAt.map(Clock.formatTimestamp), now, context.actor.id, now])
            try context.audit(entity: "activity", id: id, account: target.account, action: "plan", field: "due",
                              old: nil, new: dueDate.description)
            return try load(database, id: id)!
        }
    }

    static func parseDue(_ database: Database, _ text: String) throws(CRMError) -> (CivilDate, Int64?) {
        if let date = CivilDate(parsing: text) { return (date, nil) }
        let offset = try TimeZoneOffset.of(database)
        guard let parsed = offset.parseLocal(text) else {
            throw CRMError.usage("invalid --due '\(text)': expected YYYY-MM-DD or a local time YYYY-MM-DDTHH:MM")
        }
        return (parsed.localDate, parsed.utc)
    }

    public static func list(_ context: CRMContext, filter: ActivityFilter) throws(CRMError) -> [Activity] {
        let scope = visibility(context)
        var conditions = [scope.sql]
        var parameters = scope.parameters
        if filter.mine {
            conditions.append("t.owner_id = ?")
            parameters.append(context.actor.id)
        }
        if let owner = filter.owner {
            conditions.append("t.owner_id = ?")
            parameters.append(try Users.require(context.database, name: owner, option: "--owner").id)
        }
        if let due = filter.due {
            let window = due.condition(today: context.clock.today)
            conditions.append("t.status = 'planned' AND " + window.sql)
            parameters += window.parameters
        }
        if let kind = filter.kind {
            conditions.append("t.kind = ?")
            parameters.append(kind.rawValue)
        }
        if filter.followUpsOnly { conditions.append("t.policy IS NOT NULL AND t.status = 'planned'") }
        let sql = "\(Activity.select) WHERE \(conditions.joined(separator: " AND ")) "
            + "ORDER BY coalesce(t.due_date, substr(t.done_at, 1, 10)), coalesce(t.due_at, t.done_at), t.id LIMIT ?"
        return try context.database.query(sql, parameters + [filter.limit]).map(Activity.init)
    }

    /// Checks that the actor may complete or move a planned activity: its
    /// owner, whoever may change its account or deal, or an admin.
    static func requireWrite(_ context: CRMContext, _ activity: Activity) throws(CRMError) {
        if activity.ownerId == context.actor.id || context.actor.role == .admin { return }
        if let id = activity.opportunityId, let opportunity = try Opportunities.load(context.database, id: id) {
            return try Opportunities.requireWrite(context, opportunity)
        }
        if let id = activity.accountId {
            return try Accounts.requireWrite(context, try Accounts.get(context, id: id))
        }
        throw CRMError.permission("permission denied: activity \(activity.id) belongs to \(activity.ownerName)")
    }

    /// Marks a planned activity done now and fires `onActivityLogged`.
    @discardableResult
    public static func done(_ context: CRMContext, id: Int64, outcome: String?,
                            followUpOnly: Bool = false) throws(CRMError) -> Activity {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Activity in
            let activity = try get(context, id: id)
            if followUpOnly, !activity.isFollowUp {
                throw CRMError.notFound("activity \(id) is not a follow-up; complete it with `crm activity done \(id)`")
            }
            try requireWrite(context, activity)
            guard activity.status == .planned else {
                throw CRMError.conflict("activity \(id) is \(activity.status.rawValue) already")
            }
            let outcome = try checkOutcome(outcome)
            try database.query("""
                UPDATE activities SET status = 'done', done_at = ?, outcome = ?, updated_at = ? WHERE id = ?
                """, [context.clock.timestamp, outcome, context.clock.timestamp, id])
            try context.audit(entity: "activity", id: id, account: activity.accountId, action: "done", field: nil,
                              old: nil, new: nil)
            let after = try load(database, id: id)!
            try context.fire("onActivityLogged", payload: after.pluginValue)
            return after
        }
    }
}
