/// What one run of the follow-up policies did.
public struct FollowUpRun: Equatable, Sendable {
    /// Ids of the follow-ups created.
    public var created: [Int64] = []
    /// Follow-ups the policy listed that already existed.
    public var duplicates = 0
    /// E-mail follow-ups not created because the contact opted out.
    public var optedOut = 0
    /// Opportunities the sweep asked the rule about.
    public var asked = 0

    public init() {}

    mutating func add(_ other: FollowUpRun) {
        created += other.created
        duplicates += other.duplicates
        optedOut += other.optedOut
        asked += other.asked
    }
}

/// Follow-ups: planned activities that the `followUps` rule schedules after
/// an event or during the daily sweep, and that stop when what they chase ends.
public enum FollowUps {
    /// The largest `inDays` a policy may return: about ten years.
    public static let maximumDays = 3660
    public static let quietDaysKey = "followups.quietDays"
    public static let defaultQuietDays = 14

    /// One item of the rule's result, checked.
    struct Item {
        let inDays: Int
        let businessDays: Bool
        let kind: Activity.Kind
        let subject: String
    }

    /// Checks the rule's result. The host has validated the shape against
    /// the catalogue. The ranges and the subject are checked here before
    /// anything is created, so an invalid schedule creates nothing.
    static func items(of outcome: RuleOutcome) throws(CRMError) -> [Item] {
        guard case let .array(values) = outcome.result else {
            throw outcome.invalidResult("followUps must return a list of follow-ups, got \(outcome.result.typeName)")
        }
        var items: [Item] = []
        for (index, value) in values.enumerated() {
            let number = index + 1
            guard let days = value["inDays"]?.integerValue else {
                throw outcome.invalidResult("follow-up \(number): inDays must be an integer")
            }
            guard (0...Int64(maximumDays)).contains(days) else {
                throw outcome.invalidResult("follow-up \(number): inDays is \(days); expected 0 to \(maximumDays)")
            }
            guard let kindText = value["kind"]?.stringValue, let kind = Activity.Kind(rawValue: kindText) else {
                throw outcome.invalidResult("follow-up \(number): kind must be one of "
                                            + Activity.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let subject = value["subject"]?.stringValue?.trimmingSpaces ?? ""
            guard !subject.isEmpty, subject.count <= 200,
                  !subject.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw outcome.invalidResult("follow-up \(number): subject must be 1 to 200 printable characters")
            }
            items.append(Item(inDays: Int(days), businessDays: value["businessDays"]?.boolValue ?? false,
                              kind: kind, subject: subject))
        }
        return items
    }

    /// The due date of an item: `inDays` calendar or business days after
    /// `base`, moved forward to the next business day when it falls on a
    /// weekend or a holiday.
    public static func dueDate(from base: CivilDate, inDays: Int, businessDays: Bool,
                               database: Database) throws(CRMError) -> CivilDate {
        let shifted = businessDays ? try BusinessDays.add(inDays, to: base, database: database)
                                   : base.adding(days: inDays)
        guard let shifted, let due = try BusinessDays.rollForward(shifted, database: database) else {
            throw CRMError.invalid("a follow-up \(inDays) days after \(base) falls after the year 9999")
        }
        return due
    }

    /// Asks the `followUps` rule about an event on an opportunity and
    /// creates what it lists. Does nothing when no plugin decides.
    @discardableResult
    public static func applyPolicies(_ context: CRMContext, event: String, opportunity: Opportunity,
                                     daysQuiet: Int? = nil) throws(CRMError) -> FollowUpRun {
        var payload: [(String, Value)] = [
            ("event", .string(event)), ("accountId", .integer(opportunity.accountId)),
            ("opportunityId", .integer(opportunity.id)), ("stage", .string(opportunity.stage.code)),
            ("opportunity", opportunity.pluginValue),
        ]
        if let daysQuiet { payload.append(("daysQuiet", .integer(Int64(daysQuiet)))) }
        guard let outcome = try context.decide("followUps", payload: .object(payload), entity: "opportunity",
                                               entityId: opportunity.id) else { return FollowUpRun() }
        return try create(context, items: try items(of: outcome), outcome: outcome, event: event,
                          entity: "opportunity:\(opportunity.id)", account: opportunity.accountId,
                          opportunity: opportunity.id, contact: opportunity.contactId, owner: opportunity.ownerId)
    }

    /// Asks the `followUps` rule about an event on an account (such as
    /// `onAccountOpened`) and creates what it lists for the account's owner.
    @discardableResult
    public static func applyPolicies(_ context: CRMContext, event: String, account: Account) throws(CRMError) -> FollowUpRun {
        let payload: Value = .object([("event", .string(event)), ("accountId", .integer(account.id))])
        guard let outcome = try context.decide("followUps", payload: payload, entity: "account",
                                               entityId: account.id) else { return FollowUpRun() }
        return try create(context, items: try items(of: outcome), outcome: outcome, event: event,
                          entity: "account:\(account.id)", account: account.id, opportunity: nil, contact: nil,
                          owner: account.ownerId)
    }

    /// Asks the `followUps` rule, with event `quoteSent`, about a quote
    /// that was just sent, and creates what it lists for the account's owner.
    /// The payload carries the quote, so a policy can plan from its validity date.
    // NOTE: accepting or declining the quote leaves these follow-ups planned;
    // the owner completes or cancels them by hand.
    @discardableResult
    public static func applyPolicies(_ context: CRMContext, quoteSent quote: Quote,
                                     account: Account) throws(CRMError) -> FollowUpRun {
        let event = "quoteSent"
        var payload: [(String, Value)] = [("event", .string(event)), ("accountId", .integer(account.id))]
        if let opportunityId = quote.opportunityId { payload.append(("opportunityId", .integer(opportunityId))) }
        payload += [("quoteId", .integer(quote.id)), ("quote", quote.pluginValue)]
        guard let outcome = try context.decide("followUps", payload: .object(payload), entity: "quote",
                                               entityId: quote.id) else { return FollowUpRun() }
        return try create(context, items: try items(of: outcome), outcome: outcome, event: event,
                          entity: "quote:\(quote.id)", account: account.id, opportunity: quote.opportunityId,
                          contact: nil, owner: account.ownerId)
    }

    private static func create(_ context: CRMContext, items: [Item], outcome: RuleOutcome, event: String,
                               entity: String, account: Int64, opportunity: Int64?, contact: Int64?,
                               owner: Int64) throws(CRMError) -> FollowUpRun {
        let database = context.database
        var run = FollowUpRun()
        let contactOptedOut = try contact.map { (id) throws(CRMError) in
            try database.scalar("SELECT opted_out FROM contacts WHERE id = ?", [id]).integer == 1
        } ?? false
        let previousPlugin = context.currentPlugin
        context.currentPlugin = outcome.plugin
        defer { context.currentPlugin = previousPlugin }
        for item in items {
            if item.kind == .email && contactOptedOut {
                run.optedOut += 1
                continue
            }
            let due = try dueDate(from: context.clock.today, inDays: item.inDays, businessDays: item.businessDays,
                                  database: database)
            let key = [outcome.plugin, event, entity, due.description, item.subject].joined(separator: "|")
            let now = context.clock.timestamp
            try database.query("""
                INSERT INTO activities (kind, subject, account_id, contact_id, opportunity_id, owner_id, status, due_date,
                                        policy, policy_version, event, dedup_key, created_at, created_by, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dedup_key) DO NOTHING
                """, [item.kind.rawValue, item.subject, account, contact, opportunity, owner, due.description,
                      outcome.plugin, outcome.pluginVersion, event, key, now, context.actor.id, now])
            guard database.changes > 0 else {
                run.duplicates += 1
                continue
            }
            let id = try database.scalar("SELECT id FROM activities WHERE dedup_key = ?", [key]).integer!
            try context.audit(entity: "activity", id: id, account: account, action: "plan", field: "due", old: nil,
                              new: due.description)
            run.created.append(id)
        }
        return run
    }

    /// Runs the daily sweep: calls the rule, with event `sweep`, for every open
    /// opportunity with no activity for `followups.quietDays` days (14 by
    /// default). The last activity is the latest day an activity of the deal
    /// was done, or planned when it is still pending; the creation day of the
    /// deal counts when it has none. Running the sweep twice on one day
    /// creates nothing new, because each follow-up has a dedup key.
    public static func sweep(_ context: CRMContext) throws(CRMError) -> FollowUpRun {
        try context.require(.admin, to: "run the follow-up sweep")
        let database = context.database
        return try database.transaction { () throws(CRMError) -> FollowUpRun in
            let quietDays = try quietDaysSetting(database)
            let today = context.clock.today
            let threshold = today.adding(days: -quietDays)!.description
            let rows = try database.query("""
                SELECT id, last FROM (
                    SELECT o.id, max(substr(o.created_at, 1, 10), coalesce((
                        SELECT max(substr(coalesce(t.done_at, t.created_at), 1, 10)) FROM activities t
                        WHERE t.opportunity_id = o.id AND t.status <> 'cancelled'), '')) AS last
                    FROM opportunities o
                    WHERE o.stage_id IN (SELECT id FROM stages WHERE kind = 'open'))
                WHERE last <= ? ORDER BY id
                """, [threshold])
            var run = FollowUpRun()
            for row in rows {
                guard let opportunity = try Opportunities.load(database, id: row.int(0)!),
                      let last = CivilDate(parsing: row.string(1)!) else { continue }
                run.asked += 1
                run.add(try applyPolicies(context, event: "sweep", opportunity: opportunity,
                                          daysQuiet: today.dayNumber - last.dayNumber))
            }
            return run
        }
    }

    static func quietDaysSetting(_ database: Database) throws(CRMError) -> Int {
        guard let value = try Settings.get(database, key: quietDaysKey) else { return defaultQuietDays }
        guard let days = value.integerValue, (1...Int64(maximumDays)).contains(days) else {
            throw CRMError.invalid("the setting \(quietDaysKey) must be a whole number of days from 1 to \(maximumDays); "
                                   + "fix it with `crm setting set \(quietDaysKey) 14`")
        }
        return Int(days)
    }

    /// Cancels the pending follow-ups of an opportunity, recording why.
    /// Activities a user planned by hand stay.
    @discardableResult
    public static func cancelPending(_ context: CRMContext, opportunity: Int64, reason: String) throws(CRMError) -> Int {
        let database = context.database
        let pending = try database.query("""
            SELECT id, account_id FROM activities WHERE opportunity_id = ? AND status = 'planned' AND policy IS NOT NULL
            ORDER BY id
            """, [opportunity])
        for row in pending {
            try database.query("""
                UPDATE activities SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?
                """, [reason, context.clock.timestamp, row.int(0)!])
            try context.audit(entity: "activity", id: row.int(0)!, account: row.int(1), action: "cancel",
                              field: nil, old: nil, new: reason)
        }
        return pending.count
    }

    /// Moves a pending follow-up to another day, or to the next business
    /// day when that one is a weekend day or a holiday. Returns the new due date.
    @discardableResult
    public static func snooze(_ context: CRMContext, id: Int64, to text: String) throws(CRMError) -> CivilDate {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> CivilDate in
            let date = try Opportunities.parseDate(text, option: "--to")
            let activity = try Activities.get(context, id: id)
            guard activity.isFollowUp else {
                throw CRMError.notFound("activity \(id) is not a follow-up; see `crm followup list`")
            }
            try Activities.requireWrite(context, activity)
            guard activity.status == .planned else {
                throw CRMError.conflict("follow-up \(id) is \(activity.status.rawValue) already")
            }
            guard date >= context.clock.today else {
                throw CRMError.usage("--to \(text) is in the past; snooze to today or later")
            }
            guard let due = try BusinessDays.rollForward(date, database: database) else {
                throw CRMError.usage("--to \(text) has no business day after it before the year 9999")
            }
            try database.query("UPDATE activities SET due_date = ?, due_at = NULL, updated_at = ? WHERE id = ?",
                               [due.description, context.clock.timestamp, id])
            try context.audit(entity: "activity", id: id, account: activity.accountId, action: "snooze", field: "due",
                              old: activity.dueDate, new: due.description)
            return due
        }
    }
}
