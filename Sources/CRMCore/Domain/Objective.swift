/// The quantity an objective measures.
public enum ObjectiveMetric: String, CaseIterable, Sendable {
    /// Money won, in one currency: the amounts of deals won in the period.
    case revenue
    /// Deals won in the period, counted.
    case deals
    /// New customers: account openings approved in the period.
    case customers
    /// Activities done in the period, optionally of one kind.
    case activities
}

/// The subject of an objective: one rep, or a sector with its sub-sectors.
public enum ObjectiveSubject: Equatable, Sendable {
    case rep(String)
    case sector(String)
}

/// A target for a rep or a sector over a month, a quarter or a year.
public struct Objective: Equatable, Sendable {
    public let id: Int64
    public let userId: Int64?
    public let repName: String?
    public let sectorId: Int64?
    public let sectorCode: String?
    public let period: ObjectivePeriod
    public let metric: ObjectiveMetric
    /// The currency of a revenue objective; nil for the other metrics.
    public let currency: Currency?
    /// The kind of activity counted; nil counts every kind.
    public let activityKind: Activity.Kind?
    /// Minor units of `currency` for revenue, a count otherwise.
    public let target: Int64
    public let createdAt: String
    public let updatedAt: String

    static let select = """
        SELECT j.id, j.user_id, u.name, j.sector_id, s.code, j.period, j.metric, j.currency, j.activity_kind,
               j.target, j.created_at, j.updated_at
        FROM objectives j LEFT JOIN users u ON u.id = j.user_id LEFT JOIN sectors s ON s.id = j.sector_id
        """

    init(row: Row) {
        id = row.int(0)!
        userId = row.int(1)
        repName = row.string(2)
        sectorId = row.int(3)
        sectorCode = row.string(4)
        period = ObjectivePeriod(parsing: row.string(5)!)!
        metric = ObjectiveMetric(rawValue: row.string(6)!)!
        currency = row.string(7).flatMap { Currency(code: $0) }
        activityKind = row.string(8).flatMap { Activity.Kind(rawValue: $0) }
        target = row.int(9)!
        createdAt = row.string(10)!
        updatedAt = row.string(11)!
    }

    /// `rep alice` or `sector IDF`.
    public var subjectLabel: String {
        if let repName { return "rep \(repName)" }
        return "sector \(sectorCode ?? "")"
    }

    /// `revenue EUR`, `deals`, `activities call`.
    public var metricLabel: String {
        if let currency { return "\(metric.rawValue) \(currency.code)" }
        if let activityKind { return "\(metric.rawValue) \(activityKind.rawValue)" }
        return metric.rawValue
    }

    /// Formats a quantity in the objective's unit: `12000.00 EUR` or `7`.
    public func format(_ quantity: Int64) -> String {
        guard let currency else { return String(quantity) }
        return Money(minor: quantity, currency: currency).description
    }

    /// Converts a quantity in the objective's unit for `--json`: money as a
    /// decimal string with its currency, counts as integers.
    public func jsonValue(_ quantity: Int64) -> Value {
        guard let currency else { return .integer(quantity) }
        return Money(minor: quantity, currency: currency).jsonValue
    }

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("rep", repName)
        object.set("sector", sectorCode)
        object.set("period", period.description)
        object.set("startsOn", period.start.description)
        object.set("endsOn", period.end.description)
        object.set("metric", metric.rawValue)
        object.set("kind", activityKind?.rawValue)
        object.set("target", jsonValue(target))
        return object.value
    }
}

/// Filters of `crm objective list` and `crm objective report`.
public struct ObjectiveFilter: Sendable {
    /// Only objectives of exactly this period (`2026-Q1`).
    public var period: String?
    /// Only objectives whose period contains this day.
    public var containing: CivilDate?
    public var rep: String?
    public var sector: String?

    public init() {}
}
