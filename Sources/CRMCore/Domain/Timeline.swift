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
            SELECT l.id, l.at, l.entity, l.entity_id, l.action, l.field, l.old_value, l.new_value, u.name
            FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
            WHERE l.account_id = ? AND l.entity IN (\(placeholders))
              AND (l.action <> 'update' OR l.field IN ('stage', 'status', 'loss-reason'))
            ORDER BY l.id
            """, [id] + auditedEntities)
        for row in rows {
            let action = row.string(4)!
            var summary = action
            if row.string(5) != nil, let old = row.string(6), let new = row.string(7) {
                summary += " \(old) -> \(new)"
            } else if let new = row.string(7) {
                summary += " \(new)"
            }
            entries.append((row.string(1)!, row.int(0)!, TimelineEntry(at: row.string(1)!, kind: row.string(2)!,
                                                                       entityId: row.int(3)!, summary: summary,
                                                                       user: row.string(8))))
        }
        // A business date sorts before timestamps of the same day.
        return entries.sorted { ($0.sortKey, $0.entry.kind, $0.order) < ($1.sortKey, $1.entry.kind, $1.order) }
            .map(\.entry)
    }
}
