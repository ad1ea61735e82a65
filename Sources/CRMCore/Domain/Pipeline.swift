/// Filters of `crm pipeline`.
public struct PipelineFilter: Sendable {
    public var owner: String?
    /// A sector code; its sub-sectors are included.
    public var sector: String?
    public var currency: String?

    public init() {}
}

/// Count, amount and weighted amount of one group of opportunities, in one
/// currency.
public struct PipelineFigures: Equatable, Sendable {
    public let count: Int
    public let amount: Money
    /// The sum of each opportunity's amount times its probability, each
    /// rounded half-up to the minor unit before summing.
    public let weighted: Money

    var jsonFields: [(String, Value)] {
        [("currency", .string(amount.currency.code)), ("count", .integer(Int64(count))),
         ("amount", amount.jsonValue), ("weightedAmount", weighted.jsonValue)]
    }
}

/// The pipeline: figures per stage and currency, totals of the open
/// stages, and a forecast per month of expected close date. Amounts in
/// different currencies are never added together.
public struct PipelineReport: Sendable {
    public struct StageLine: Sendable {
        public let stage: Stage
        public let figures: PipelineFigures
    }

    public struct MonthLine: Sendable {
        /// `YYYY-MM`.
        public let month: String
        public let figures: PipelineFigures
    }

    public let stages: [StageLine]
    /// Open stages only, one entry per currency.
    public let openTotals: [PipelineFigures]
    /// Open stages only, by month and then currency.
    public let forecast: [MonthLine]

    public var jsonValue: Value {
        .object([
            ("stages", .array(stages.map { .object([("stage", .string($0.stage.code)), ("kind", .string($0.stage.kind.rawValue))]
                                                   + $0.figures.jsonFields) })),
            ("open", .array(openTotals.map { .object($0.jsonFields) })),
            ("forecast", .array(forecast.map { .object([("month", .string($0.month))] + $0.figures.jsonFields) })),
        ])
    }
}

public enum Pipeline {
    /// The filter part shared by both queries. Parameters: ?1 only this
    /// owner (the sales rep's own scope), ?2 this manager's scope (own deals
    /// and accounts of managed sectors and below), ?3 `--owner`, ?4 the
    /// `--sector` id (with its sub-sectors), ?5 `--currency`. A NULL
    /// parameter disables its condition.
    static let scopeCTE = """
        WITH RECURSIVE
            managed(id) AS (
                SELECT id FROM sectors WHERE manager_id = ?2
                UNION SELECT s.id FROM sectors s JOIN managed m ON s.parent_id = m.id),
            chosen(id) AS (
                SELECT id FROM sectors WHERE id = ?4
                UNION SELECT s.id FROM sectors s JOIN chosen c ON s.parent_id = c.id)
        """

    static let scopeConditions = """
        (?1 IS NULL OR o.owner_id = ?1)
          AND (?2 IS NULL OR o.owner_id = ?2
               OR o.account_id IN (SELECT a.id FROM accounts a WHERE a.sector_id IN (SELECT id FROM managed)))
          AND (?3 IS NULL OR o.owner_id = ?3)
          AND (?4 IS NULL OR o.account_id IN (SELECT a.id FROM accounts a WHERE a.sector_id IN (SELECT id FROM chosen)))
          AND (?5 IS NULL OR o.currency = ?5)
        """

    /// Count, amount and weighted amount per stage and currency. Amounts
    /// and probabilities are never negative, so `(amount * probability +
    /// 50) / 100` in integer arithmetic rounds half-up, ties away from zero.
    /// A deal whose amount is not known counts, but adds nothing to the sums.
    /// The `opportunities_pipeline` index covers every column read, so the
    /// query scans the index in stage order and never touches the table.
    public static let stageSQL = """
        \(scopeCTE)
        SELECT o.stage_id, o.currency, count(*), coalesce(sum(o.amount), 0),
               coalesce(sum((o.amount * o.probability + 50) / 100), 0)
        FROM opportunities o
        WHERE \(scopeConditions)
        GROUP BY o.stage_id, o.currency
        """

    /// Count, amount and weighted amount of open opportunities per month of
    /// expected close date and currency.
    public static let forecastSQL = """
        \(scopeCTE)
        SELECT substr(o.expected_close, 1, 7), o.currency, count(*), coalesce(sum(o.amount), 0),
               coalesce(sum((o.amount * o.probability + 50) / 100), 0)
        FROM opportunities o
        WHERE o.stage_id IN (SELECT id FROM stages WHERE kind = 'open')
          AND \(scopeConditions)
        GROUP BY 1, 2
        ORDER BY 1, 2
        """

    /// The five parameters of both queries for this actor and filter.
    static func parameters(_ context: CRMContext, filter: PipelineFilter) throws(CRMError) -> [SQLBindable] {
        let database = context.database
        var ownScope: SQLValue = .null
        var managerScope: SQLValue = .null
        var owner: SQLValue = .null
        switch context.actor.role {
        case .sales: ownScope = .integer(context.actor.id)
        case .manager: managerScope = .integer(context.actor.id)
        case .admin, .accounting: break
        }
        if let name = filter.owner {
            let user = try Users.require(database, name: name, option: "--owner")
            if context.actor.role == .sales, user.id != context.actor.id {
                throw CRMError.permission("permission denied: a sales rep sees only their own pipeline; leave out --owner")
            }
            owner = .integer(user.id)
        }
        let sector: SQLValue = try filter.sector.map { (code) throws(CRMError) in
            .integer(try Sectors.require(database, code: code, option: "--sector").id)
        } ?? .null
        let currency: SQLValue = try filter.currency.map { (code) throws(CRMError) in
            .text(try Opportunities.parseCurrency(code).code)
        } ?? .null
        return [ownScope, managerScope, owner, sector, currency]
    }

    public static func report(_ context: CRMContext, filter: PipelineFilter) throws(CRMError) -> PipelineReport {
        let database = context.database
        let parameters = try parameters(context, filter: filter)
        let stages = try Stages.all(database)
        var lines: [StageLineRow] = []
        for row in try database.query(stageSQL, parameters) {
            guard let stage = stages.first(where: { $0.id == row.int(0)! }) else { continue }
            lines.append(StageLineRow(stage: stage, figures: try figures(row, from: 1)))
        }
        lines.sort { ($0.stage.position, $0.stage.id, $0.figures.amount.currency.code)
                     < ($1.stage.position, $1.stage.id, $1.figures.amount.currency.code) }
        var totals: [String: (count: Int, amount: Int64, weighted: Int64)] = [:]
        for line in lines where line.stage.kind == .open {
            let code = line.figures.amount.currency.code
            let sum = totals[code] ?? (0, 0, 0)
            totals[code] = (sum.count + line.figures.count, sum.amount + line.figures.amount.minor,
                            sum.weighted + line.figures.weighted.minor)
        }
        let openTotals = totals.keys.sorted().map { code in
            let currency = Currency(code: code) ?? .euro
            let sum = totals[code]!
            return PipelineFigures(count: sum.count, amount: Money(minor: sum.amount, currency: currency),
                                   weighted: Money(minor: sum.weighted, currency: currency))
        }
        let forecast = try database.query(forecastSQL, parameters).map { (row) throws(CRMError) in
            PipelineReport.MonthLine(month: row.string(0)!, figures: try figures(row, from: 1))
        }
        return PipelineReport(stages: lines.map { PipelineReport.StageLine(stage: $0.stage, figures: $0.figures) },
                              openTotals: openTotals, forecast: forecast)
    }

    private struct StageLineRow {
        let stage: Stage
        let figures: PipelineFigures
    }

    /// Reads currency, count, amount and weighted amount from four columns.
    private static func figures(_ row: Row, from column: Int) throws(CRMError) -> PipelineFigures {
        guard let code = row.string(column), let currency = Currency(code: code) else {
            throw CRMError(.database, "an opportunity has an unknown currency; the database is damaged")
        }
        return PipelineFigures(count: Int(row.int(column + 1)!),
                               amount: Money(minor: row.int(column + 2)!, currency: currency),
                               weighted: Money(minor: row.int(column + 3)!, currency: currency))
    }
}
