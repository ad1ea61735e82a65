/// Something done or to do about an account, a contact or a deal: a call,
/// a meeting, an e-mail, a task or a note. A follow-up is a planned
/// activity created by a policy plugin.
public struct Activity: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case call, meeting
        case email = "e-mail"
        case task, note
    }

    public enum Status: String, Sendable { case planned, done, cancelled }

    public let id: Int64
    public let kind: Kind
    public let subject: String
    public let accountId: Int64?
    public let contactId: Int64?
    public let opportunityId: Int64?
    public let ownerId: Int64
    public let ownerName: String
    public let status: Status
    /// The business date it is due, `YYYY-MM-DD`; nil for logged activities.
    public let dueDate: String?
    /// The UTC time it is due, when a time was given.
    public let dueAt: String?
    /// The UTC time it was done.
    public let doneAt: String?
    public let outcome: String?
    /// Name of the policy plugin that created this follow-up.
    public let policy: String?
    public let policyVersion: String?
    /// The event that made the policy create it (`onOpportunityCreated`, `sweep`).
    public let event: String?
    public let cancelReason: String?
    public let createdAt: String

    static let select = """
        SELECT t.id, t.kind, t.subject, t.account_id, t.contact_id, t.opportunity_id, t.owner_id, u.name, t.status,
               t.due_date, t.due_at, t.done_at, t.outcome, t.policy, t.policy_version, t.event, t.cancel_reason,
               t.created_at
        FROM activities t JOIN users u ON u.id = t.owner_id
        """

    init(row: Row) {
        id = row.int(0)!
        kind = Kind(rawValue: row.string(1)!) ?? .task
        subject = row.string(2)!
        accountId = row.int(3)
        contactId = row.int(4)
        opportunityId = row.int(5)
        ownerId = row.int(6)!
        ownerName = row.string(7)!
        status = Status(rawValue: row.string(8)!) ?? .planned
        dueDate = row.string(9)
        dueAt = row.string(10)
        doneAt = row.string(11)
        outcome = row.string(12)
        policy = row.string(13)
        policyVersion = row.string(14)
        event = row.string(15)
        cancelReason = row.string(16)
        createdAt = row.string(17)!
    }

    public var isFollowUp: Bool { policy != nil }

    /// The activity as plugins receive it with `onActivityLogged`.
    public var pluginValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("kind", kind.rawValue)
        object.set("accountId", accountId)
        object.set("contactId", contactId)
        object.set("opportunityId", opportunityId)
        object.set("status", status.rawValue)
        object.set("owner", ownerName)
        object.set("subject", subject)
        object.set("outcome", outcome)
        object.set("doneAt", doneAt)
        object.set("policy", policy)
        return object.value
    }

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("kind", kind.rawValue)
        object.set("subject", subject)
        object.set("status", status.rawValue)
        object.set("accountId", accountId)
        object.set("contactId", contactId)
        object.set("opportunityId", opportunityId)
        object.set("owner", ownerName)
        object.set("dueDate", dueDate)
        object.set("dueAt", dueAt)
        object.set("doneAt", doneAt)
        object.set("outcome", outcome)
        object.set("policy", policy)
        object.set("policyVersion", policyVersion)
        object.set("event", event)
        object.set("cancelReason", cancelReason)
        object.set("createdAt", createdAt)
        return object.value
    }
}

/// What an activity is about. An opportunity or a contact also sets the
/// account.
public enum ActivityLink: Sendable, Equatable {
    case account(Int64)
    case contact(Int64)
    case opportunity(Int64)
}

/// Which planned activities to list, relative to the business date.
public enum DueWindow: String, CaseIterable, Sendable {
    /// Due on the business date.
    case today
    /// Due before the business date.
    case overdue
    /// Due from the business date to six days later.
    case week

    /// The SQL condition on `t.due_date` and its parameters.
    func condition(today: CivilDate) -> (sql: String, parameters: [SQLBindable]) {
        switch self {
        case .today: return ("t.due_date = ?", [today.description])
        case .overdue: return ("t.due_date < ?", [today.description])
        case .week: return ("t.due_date BETWEEN ? AND ?", [today.description, today.adding(days: 6)!.description])
        }
    }
}

/// The time zone offset of the database, from the setting `timezone.offset`.
///
/// NOTE: this is a fixed offset such as "+01:00", because named zones such
/// as Europe/Paris need the tz database, which the core does not read. A
/// fixed offset does not follow summer time: a Paris office sets "+01:00"
/// in winter and "+02:00" in summer. Without the setting, times are UTC.
public struct TimeZoneOffset: Equatable, Sendable, CustomStringConvertible {
    public let seconds: Int

    public static let settingKey = "timezone.offset"
    public static let utc = TimeZoneOffset(seconds: 0)

    init(seconds: Int) { self.seconds = seconds }

    /// Parses `+HH:MM` or `-HH:MM`, from -12:00 to +14:00, or `Z`.
    public init?(parsing text: String) {
        if text == "Z" { self.init(seconds: 0); return }
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
              bytes[3] == UInt8(ascii: ":"),
              let hours = Int(String(decoding: bytes[1..<3], as: UTF8.self)),
              let minutes = Int(String(decoding: bytes[4..<6], as: UTF8.self)),
              bytes[1..<3].allSatisfy({ (48...57).contains($0) }), bytes[4..<6].allSatisfy({ (48...57).contains($0) }),
              minutes < 60 else { return nil }
        let total = (hours * 60 + minutes) * 60 * (bytes[0] == UInt8(ascii: "-") ? -1 : 1)
        guard (-12 * 3600...14 * 3600).contains(total) else { return nil }
        self.init(seconds: total)
    }

    /// The offset stored in the database, or UTC when none is set.
    public static func of(_ database: Database) throws(CRMError) -> TimeZoneOffset {
        guard let value = try Settings.get(database, key: settingKey) else { return .utc }
        guard let text = value.stringValue, let offset = TimeZoneOffset(parsing: text) else {
            throw CRMError.invalid("the setting \(settingKey) is not an offset such as \"+01:00\"; "
                                   + "fix it with `crm setting set \(settingKey) +01:00`")
        }
        return offset
    }

    public var description: String {
        let magnitude = abs(seconds) / 60
        func pad(_ number: Int) -> String { number < 10 ? "0\(number)" : String(number) }
        return (seconds < 0 ? "-" : "+") + pad(magnitude / 60) + ":" + pad(magnitude % 60)
    }

    /// Reads `YYYY-MM-DDTHH:MM` (or with a space, or with seconds) as a time
    /// in this offset and returns its UTC epoch seconds and its local date.
    public func parseLocal(_ text: String) -> (utc: Int64, localDate: CivilDate)? {
        let normalised = text.replacingSpaceSeparator
        let bytes = Array(normalised.utf8)
        guard bytes.count == 16 || bytes.count == 19,
              let date = CivilDate(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
              let local = Clock.parseTimestamp(normalised + "Z") else { return nil }
        return (local - Int64(seconds), date)
    }

    /// A UTC timestamp shown in this offset, `2026-03-02 10:30`.
    public func localText(_ utcTimestamp: String) -> String {
        guard let seconds = Clock.parseTimestamp(utcTimestamp) else { return utcTimestamp }
        let local = Clock.formatTimestamp(seconds + Int64(self.seconds))
        return String(local.prefix(10)) + " " + String(local.dropFirst(11).prefix(5))
    }
}

extension String {
    /// `2026-03-02 10:30` with a space read as `2026-03-02T10:30`.
    var replacingSpaceSeparator: String {
        guard count >= 11, let index = self.index(startIndex, offsetBy: 10, limitedBy: endIndex),
              self[index] == " " else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: "T")
        return copy
    }
}
