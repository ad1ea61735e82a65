/// One row of `crm objective report`: an objective with what was achieved.
public struct Attainment: Sendable {
    public let objective: Objective
    /// Achieved so far, in the objective's unit (minor units for revenue).
    public let actual: Int64
    /// Actual divided by target in tenths of a percent, rounded half-up:
    /// 403 reads 40.3 %.
    public let tenthsOfPercent: Int64
    /// Target minus actual; negative once the target is exceeded.
    public let gap: Int64
    /// For a revenue objective whose period is not over: the actual plus
    /// the weighted amount of the open deals expected to close in the
    /// period. Nil for other metrics and for periods that are over.
    public let forecast: Int64?
    /// Days left in the period, today included; nil once it is over.
    public let daysLeft: Int?

    /// `40.3%`.
    public var percentText: String { "\(tenthsOfPercent / 10).\(tenthsOfPercent % 10)%" }

    public var jsonValue: Value {
        var object = ObjectBuilder()
        object.set("id", objective.id)
        object.set("rep", objective.repName)
        object.set("sector", objective.sectorCode)
        object.set("period", objective.period.description)
        object.set("startsOn", objective.period.start.description)
        object.set("endsOn", objective.period.end.description)
        object.set("metric", objective.metric.rawValue)
        object.set("kind", objective.activityKind?.rawValue)
        object.set("target", objective.jsonValue(objective.target))
        object.set("actual", objective.jsonValue(actual))
        object.set("attainmentPercent", "\(tenthsOfPercent / 10).\(tenthsOfPercent % 10)")
        object.set("gap", objective.jsonValue(gap))
        object.set("forecast", forecast.map { objective.jsonValue($0) } ?? .null)
        object.set("daysLeft", daysLeft.map { Int64($0) })
        return object.value
    }
}

extension Objectives {
    /// Measures every objective the filter selects, as of the command's
    /// business date.
    ///
    /// Deals and revenue count the deals won in the period (by close date)
    /// and credit the owner and the account's sector recorded at the win.
    /// Customers count the account openings approved in the period, credited
    /// to the account's owner and sector at approval. Activities count those
    /// done in the period, credited to their owner and to their account's
    /// sector when done. Approval and completion times are read as dates in
    /// the database's time-zone offset. A sector objective adds up its
    /// sector and every sector below it.
    public static func report(_ context: CRMContext, filter: ObjectiveFilter) throws(CRMError) -> [Attainment] {
        let objectives = try list(context, filter: filter)
        let offset = try TimeZoneOffset.of(context.database)
        var rows: [Attainment] = []
        for objective in objectives {
            rows.append(try measure(context, objective, offset: offset))
        }
        return rows
    }

    static func measure(_ context: CRMContext, _ objective: Objective,
                        offset: TimeZoneOffset) throws(CRMError) -> Attainment {
        let today = context.clock.today
        let actual = try actualValue(context.database, objective, offset: offset)
        let daysLeft = objective.period.daysLeft(today: today)
        var forecast: Int64?
        if objective.metric == .revenue, daysLeft != nil {
            forecast = try sum(actual, try weightedPipeline(context.database, objective))
        }
        return Attainment(objective: objective, actual: actual,
                          tenthsOfPercent: tenthsOfPercent(actual, of: objective.target),
                          gap: objective.target - actual, forecast: forecast, daysLeft: daysLeft)
    }

    /// Divides `part` by `whole` in tenths of a percent, rounded half-up.
    /// Both are non-negative and `whole` is positive. The 128-bit
    /// arithmetic keeps large amounts exact.
    static func tenthsOfPercent(_ part: Int64, of whole: Int64) -> Int64 {
        let numerator = Int128(part) * 2000 + Int128(whole)
        let result = numerator / (Int128(whole) * 2)
        return result > Int128(Int64.max) ? Int64.max : Int64(result)
    }

    private static func sum(_ first: Int64, _ second: Int64) throws(CRMError) -> Int64 {
        let (total, overflow) = first.addingReportingOverflow(second)
        guard !overflow else { throw CRMError.invalid("the forecast is too large to compute exactly") }
        return total
    }

    /// Builds the SQL condition tying a record to the objective's rep, through
    /// `ownerColumn`, or to its sector and the sectors below, through
    /// `sectorColumn`.
    static func subjectCondition(_ objective: Objective, ownerColumn: String,
                                 sectorColumn: String) -> (sql: String, parameters: [SQLBindable]) {
        if let userId = objective.userId { return ("\(ownerColumn) = ?", [userId]) }
        return ("""
            \(sectorColumn) IN (WITH RECURSIVE tree(id) AS (
                SELECT ?
                UNION SELECT s.id FROM sectors s JOIN tree t ON s.parent_id = t.id
            ) SELECT id FROM tree)
            """, [objective.sectorId ?? 0])
    }

    static func actualValue(_ database: Database, _ objective: Objective,
                            offset: TimeZoneOffset) throws(CRMError) -> Int64 {
        let start = objective.period.start.description
        let end = objective.period.end.description
        let shift = "\(offset.seconds) seconds"
        switch objective.metric {
        case .revenue, .deals:
            let subject = subjectCondition(objective, ownerColumn: "o.won_owner_id", sectorColumn: "o.won_sector_id")
            var sql = """
                SELECT \(objective.metric == .revenue ? "coalesce(sum(o.amount), 0)" : "count(*)")
                FROM opportunities o
                WHERE o.won_owner_id IS NOT NULL AND o.closed_on BETWEEN ? AND ? AND \(subject.sql)
                """
            var parameters: [SQLBindable] = [start, end] + subject.parameters
            if let currency = objective.currency {
                sql += " AND o.currency = ?"
                parameters.append(currency.code)
            }
            return try database.scalar(sql, parameters).integer ?? 0
        case .customers:
            let subject = subjectCondition(objective, ownerColumn: "r.approved_owner_id",
                                           sectorColumn: "r.approved_sector_id")
            return try database.scalar("""
                SELECT count(DISTINCT r.account_id) FROM opening_requests r
                WHERE r.status = 'approved' AND date(r.decided_at, ?) BETWEEN ? AND ? AND \(subject.sql)
                """, [shift, start, end] + subject.parameters).integer ?? 0
        case .activities:
            let subject = subjectCondition(objective, ownerColumn: "t.owner_id", sectorColumn: "t.done_sector_id")
            var sql = """
                SELECT count(*) FROM activities t
                WHERE t.status = 'done' AND date(t.done_at, ?) BETWEEN ? AND ? AND \(subject.sql)
                """
            var parameters: [SQLBindable] = [shift, start, end] + subject.parameters
            if let kind = objective.activityKind {
                sql += " AND t.kind = ?"
                parameters.append(kind.rawValue)
            }
            return try database.scalar(sql, parameters).integer ?? 0
        }
    }

    /// Sums the weighted amounts of the open deals of the objective's
    /// currency expected to close in the period. Each amount times its
    /// probability is rounded half-up to the minor unit before the sum. A
    /// rep's deals are those they own now, and a sector's are those on
    /// accounts of the sector and of the sectors below it.
    static func weightedPipeline(_ database: Database, _ objective: Objective) throws(CRMError) -> Int64 {
        let subject = subjectCondition(objective, ownerColumn: "o.owner_id", sectorColumn: "a.sector_id")
        return try database.scalar("""
            SELECT coalesce(sum((o.amount * o.probability + 50) / 100), 0)
            FROM opportunities o JOIN stages st ON st.id = o.stage_id JOIN accounts a ON a.id = o.account_id
            WHERE st.kind = 'open' AND o.currency = ? AND o.expected_close BETWEEN ? AND ? AND \(subject.sql)
            """, [objective.currency?.code ?? "", objective.period.start.description,
                  objective.period.end.description] + subject.parameters).integer ?? 0
    }
}
