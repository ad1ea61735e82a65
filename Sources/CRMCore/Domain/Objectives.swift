/// Objectives: set, list and remove targets per rep or sector and period.
///
/// Admins manage every objective. A manager manages the objectives of the
/// sectors they manage (and the sectors below them) and of the reps who
/// belong to one of those sectors. Everyone reads what they may see: sales
/// reps their own objectives, managers those they manage and their own,
/// admins and accounting all of them.
public enum Objectives {
    /// The result of `set`: the objective and the target it replaced, if any.
    public struct Setting: Sendable {
        public let objective: Objective
        public let previousTarget: Int64?
    }

    // MARK: Reading

    /// Returns the SQL condition that restricts objectives (alias `j`) to
    /// those the actor may see.
    static func visibility(_ context: CRMContext) -> (sql: String, parameters: [SQLBindable]) {
        let actor = context.actor.id
        switch context.actor.role {
        case .admin, .accounting:
            return ("1", [])
        case .sales:
            return ("j.user_id = ?", [actor])
        case .manager:
            return ("""
                (j.user_id = ? OR j.sector_id IN (\(Sectors.managedSectorsQuery))
                 OR j.user_id IN (SELECT r.user_id FROM sector_reps r
                                  WHERE r.sector_id IN (\(Sectors.managedSectorsQuery))))
                """, [actor, actor, actor])
        }
    }

    public static func list(_ context: CRMContext, filter: ObjectiveFilter) throws(CRMError) -> [Objective] {
        let database = context.database
        let scope = visibility(context)
        var conditions = [scope.sql]
        var parameters = scope.parameters
        if let text = filter.period {
            conditions.append("j.period = ?")
            parameters.append(try parsePeriod(text).description)
        }
        if let day = filter.containing {
            conditions.append("j.starts_on <= ? AND j.ends_on >= ?")
            parameters += [day.description, day.description]
        }
        if let rep = filter.rep {
            conditions.append("j.user_id = ?")
            parameters.append(try Users.require(database, name: rep, option: "--rep").id)
        }
        if let sector = filter.sector {
            conditions.append("j.sector_id = ?")
            parameters.append(try Sectors.require(database, code: sector, option: "--sector").id)
        }
        return try database.query("""
            \(Objective.select) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY j.starts_on, j.ends_on, j.sector_id IS NULL, s.code, u.name, j.metric, j.currency,
                     j.activity_kind, j.id
            """, parameters).map(Objective.init)
    }

    /// Loads an objective the actor may see; others read as not found.
    public static func get(_ context: CRMContext, id: Int64) throws(CRMError) -> Objective {
        let scope = visibility(context)
        guard let objective = try context.database.first("\(Objective.select) WHERE j.id = ? AND \(scope.sql)",
                                                         [id] + scope.parameters).map(Objective.init) else {
            throw CRMError.notFound("objective \(id) not found (or not yours to see); see `crm objective list`")
        }
        return objective
    }

    // MARK: Parsing

    public static func parsePeriod(_ text: String) throws(CRMError) -> ObjectivePeriod {
        guard let period = ObjectivePeriod(parsing: text) else {
            throw CRMError.usage("invalid --period '\(text)': expected a month (2026-03), a quarter (2026-Q1) "
                                 + "or a year (2026)")
        }
        return period
    }

    static func parseMetric(_ text: String) throws(CRMError) -> ObjectiveMetric {
        guard let metric = ObjectiveMetric(rawValue: text) else {
            let choices = ObjectiveMetric.allCases.map(\.rawValue).joined(separator: ", ")
            throw CRMError.usage("invalid --metric '\(text)': expected one of \(choices)")
        }
        return metric
    }

    static func parseKind(_ text: String) throws(CRMError) -> Activity.Kind {
        guard let kind = Activity.Kind(rawValue: text) else {
            let choices = Activity.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw CRMError.usage("invalid --kind '\(text)': expected one of \(choices)")
        }
        return kind
    }

    /// Reads a target: major units of the currency for revenue, a whole
    /// number otherwise; it must be greater than zero.
    static func parseTarget(_ text: String, metric: ObjectiveMetric, currency: Currency?) throws(CRMError) -> Int64 {
        let target: Int64
        if let currency {
            switch Money.parse(text, currency: currency) {
            case let .success(money): target = money.minor
            case let .failure(failure):
                throw CRMError.invalid("invalid --target '\(text)': "
                                       + AccountValidation.moneyReason(failure, currency: currency))
            }
        } else {
            guard let count = Int64(text) else {
                throw CRMError.invalid("invalid --target '\(text)': expected a whole number of \(metric.rawValue)")
            }
            target = count
        }
        guard target > 0 else {
            throw CRMError.invalid("invalid --target '\(text)': a target must be greater than zero")
        }
        return target
    }

    // MARK: Permissions

    /// Checks that the actor may set or remove objectives of a rep or a
    /// sector: admins always, managers for their sectors and their reps.
    static func requireManage(_ context: CRMContext, userId: Int64?, sectorId: Int64?,
                              label: String) throws(CRMError) {
        try context.require(.manager, .admin, to: "set or remove objectives")
        guard context.actor.role == .manager else { return }
        let managed = try Sectors.managedSectorIds(context.database, manager: context.actor.id)
        if let sectorId {
            guard managed.contains(sectorId) else {
                throw CRMError.permission("permission denied: the objectives of \(label) are set by an admin or by "
                                          + "the manager of that sector or of a sector above it")
            }
            return
        }
        let memberships = try context.database.query("SELECT sector_id FROM sector_reps WHERE user_id = ?",
                                                     [userId ?? 0])
        guard memberships.contains(where: { managed.contains($0.int(0)!) }) else {
            throw CRMError.permission("permission denied: the objectives of \(label) are set by an admin or by the "
                                      + "manager of a sector that rep belongs to (`crm sector assign-rep`)")
        }
    }

    // MARK: Changing

    /// Sets the target of an objective, creating it or replacing the target
    /// of the objective with the same rep or sector, period, metric,
    /// currency and kind.
    public static func set(_ context: CRMContext, subject: ObjectiveSubject, period periodText: String,
                           metric metricText: String, target targetText: String, currency currencyText: String?,
                           kind kindText: String?) throws(CRMError) -> Setting {
        let database = context.database
        let period = try parsePeriod(periodText)
        let metric = try parseMetric(metricText)
        if currencyText != nil && metric != .revenue {
            throw CRMError.usage("--currency applies to the revenue metric only")
        }
        if kindText != nil && metric != .activities {
            throw CRMError.usage("--kind applies to the activities metric only")
        }
        let currency = metric == .revenue ? try Opportunities.parseCurrency(currencyText ?? "EUR") : nil
        let kind = try kindText.map { (text) throws(CRMError) in try parseKind(text) }
        let target = try parseTarget(targetText, metric: metric, currency: currency)
        return try database.transaction { () throws(CRMError) -> Setting in
            var userId: Int64?
            var sectorId: Int64?
            let label: String
            switch subject {
            case let .rep(name):
                let user = try Users.require(database, name: name, option: "--rep")
                guard user.role == .sales || user.role == .manager else {
                    throw CRMError.invalid("'\(name)' has the \(user.role.rawValue) role; objectives are for sales "
                                           + "reps and managers")
                }
                userId = user.id
                label = "rep \(name)"
            case let .sector(code):
                sectorId = try Sectors.require(database, code: code, option: "--sector").id
                label = "sector \(code)"
            }
            try requireManage(context, userId: userId, sectorId: sectorId, label: label)
            let now = context.clock.timestamp
            let existing = try database.first("""
                SELECT id, target FROM objectives
                WHERE ifnull(user_id, 0) = ? AND ifnull(sector_id, 0) = ? AND period = ? AND metric = ?
                  AND ifnull(currency, '') = ? AND ifnull(activity_kind, '') = ?
                """, [userId ?? 0, sectorId ?? 0, period.description, metric.rawValue, currency?.code ?? "",
                      kind?.rawValue ?? ""])
            let id: Int64
            var previous: Int64?
            if let existing {
                id = existing.int(0)!
                previous = existing.int(1)!
                try database.query("UPDATE objectives SET target = ?, updated_at = ? WHERE id = ?", [target, now, id])
            } else {
                id = try database.insert("""
                    INSERT INTO objectives (user_id, sector_id, period, starts_on, ends_on, metric, currency,
                                            activity_kind, target, created_at, created_by, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [userId, sectorId, period.description, period.start.description, period.end.description,
                          metric.rawValue, currency?.code, kind?.rawValue, target, now, context.actor.id, now])
            }
            let objective = try database.first("\(Objective.select) WHERE j.id = ?", [id]).map(Objective.init)!
            if let previous {
                if previous != target {
                    try context.audit(entity: "objective", id: id, action: "update", field: "target",
                                      old: objective.format(previous), new: objective.format(target))
                }
            } else {
                try context.audit(entity: "objective", id: id, action: "create", field: nil, old: nil,
                                  new: "\(label) \(period) \(objective.metricLabel) \(objective.format(target))")
            }
            return Setting(objective: objective, previousTarget: previous)
        }
    }

    /// Deletes an objective the actor manages.
    public static func remove(_ context: CRMContext, id: Int64) throws(CRMError) -> Objective {
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Objective in
            let objective = try get(context, id: id)
            try requireManage(context, userId: objective.userId, sectorId: objective.sectorId,
                              label: objective.subjectLabel)
            try database.query("DELETE FROM objectives WHERE id = ?", [id])
            try context.audit(entity: "objective", id: id, action: "delete", field: nil,
                              old: "\(objective.subjectLabel) \(objective.period) \(objective.metricLabel) "
                                  + objective.format(objective.target), new: nil)
            return objective
        }
    }
}
