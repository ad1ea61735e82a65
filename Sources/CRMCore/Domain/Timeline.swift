/// One entry of an account's timeline.
public struct TimelineEntry: Equatable, Sendable {
    /// UTC timestamp, or a business date for planned activities.
    public let at: String
    /// `activity`, `opportunity`, or the entity of another audited record.
    public let kind: String
    public let entityId: Int64
    public let summary: String
    public let user: String?

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("at", at)
        object.set("kind", kind)
        object.set("id", entityId)
        object.set("summary", summary)
        object.set("user", user)
        return object.value
    }
}

/// The story of an account in date order: activities done and planned,
/// opportunities created, moved, won, lost or reopened, and the changes of
/// quotes and account openings recorded in the audit log.
public enum Timeline {
    /// Audit actions that tell the story of a deal, a quote or an opening;
    /// plain field edits stay in `crm history account`.
    static let auditedEntities = ["opportunity", "quote", "opening"]

    public static func account(_ context: CRMContext, id: Int64) throws(CRMError) -> [TimelineEntry] {
        _ = try Accounts.get(context, id: id)
        let database = context.database
        var entries: [(sortKey: String, order: Int64, entry: TimelineEntry)] = []
        let activities = try database.query("\(Activity.select) WHERE t.account_id = ? ORDER BY t.id", [id]).map(Activity.init)
        for activity in activities {
            let at = activity.doneAt ?? activity.dueAt ?? activity.dueDate ?? activity.createdAt
            var summary = "\(activity.kind.rawValue) \(activity.status.rawValue): \(activity.subject)"
            if let outcome = activity.outcome { summary += " (\(outcome))" }
            if let reason = activity.cancelReason { summary += " (\(reason))" }
            if let opportunity = activity.opportunityId { summary += " [opportunity \(opportunity)]" }
            entries.append((at, activity.id, TimelineEntry(at: at, kind: "activity", entityId: activity.id,
                                                           summary: summary, user: activity.ownerName)))
        }
        let placeholders = auditedEntities.map { _ in "?" }.joined(separator: ", ")
        let rows = try database.query("""
            SELECT l.id, l.at, l.entity, l.entity_id, l.action, l.field, l.old_value, l.new_value, u.name,
                   coalesce(q.number, q.id), q.decline_reason
            FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
            LEFT JOIN quotes q ON l.entity = 'quote' AND q.id = l.entity_id
            WHERE l.account_id = ? AND l.entity IN (\(placeholders))
              AND (l.action <> 'update' OR l.field IN ('stage', 'status', 'loss-reason'))
            ORDER BY l.id
            """, [id] + auditedEntities)
        for row in rows {
            let event = AuditEvent(entity: row.string(2)!, action: row.string(4)!, field: row.string(5),
                                   old: row.string(6), new: row.string(7))
            let summary: String
            switch event.entity {
            case "quote":
                let label = row.string(9) ?? Quote.reference(id: row.int(9) ?? row.int(3)!)
                summary = quoteSummary(event, label: label, declineReason: row.string(10))
            case "opening":
                summary = openingSummary(event)
            default:
                summary = event.plainSummary
            }
            entries.append((row.string(1)!, row.int(0)!, TimelineEntry(at: row.string(1)!, kind: event.entity,
                                                                       entityId: row.int(3)!, summary: summary,
                                                                       user: row.string(8))))
        }
        // A business date sorts before timestamps of the same day. At one
        // timestamp, activities come first, then audit rows in the order
        // they were written, so a quote's acceptance precedes the win it causes.
        return entries.sorted {
            ($0.sortKey, $0.entry.kind == "activity" ? 0 : 1, $0.order)
                < ($1.sortKey, $1.entry.kind == "activity" ? 0 : 1, $1.order)
        }
            .map(\.entry)
    }

    /// Describes a quote's audit row in words: created and sent under the reference
    /// and number it had then, then accepted, declined (with the customer's
    /// reason) or expired under `label`, its current number.
    static func quoteSummary(_ event: AuditEvent, label: String, declineReason: String?) -> String {
        switch (event.action, event.field, event.new) {
        case ("create", _, _):
            return "quote \(event.new ?? label) created" + (event.old.map { " (\($0))" } ?? "")
        case ("send", _, _):
            return "quote \(event.old ?? label) sent as \(event.new ?? label)"
        case ("update", "status", "declined"?):
            return "quote \(label) declined" + (declineReason.map { " (\($0))" } ?? "")
        case let ("update", "status", status?):
            return "quote \(label) \(status)"
        default:
            return "quote \(label) " + event.plainSummary
        }
    }

    /// Describes an account opening's audit row in words.
    static func openingSummary(_ event: AuditEvent) -> String {
        switch event.action {
        case "create": return "opening requested"
        case "approve": return "opening approved" + (event.new.map { " (\($0))" } ?? "")
        case "reject": return "opening rejected" + (event.new.map { " (\($0))" } ?? "")
        case "recheck": return "opening checked again by the rules"
        default: return "opening " + event.plainSummary
        }
    }
}

/// The columns of one audit row that a timeline summary reads.
struct AuditEvent {
    let entity: String
    let action: String
    let field: String?
    let old: String?
    let new: String?

    /// The action followed by `old -> new` for a field change, or the new value.
    var plainSummary: String {
        if field != nil, let old, let new { return "\(action) \(old) -> \(new)" }
        if let new { return "\(action) \(new)" }
        return action
    }
}
