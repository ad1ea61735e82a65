/// An account whose sector the `sectorFor` rule changed, or would change.
public struct SectorMove: Equatable, Sendable {
    public let accountId: Int64
    /// The sector code before the move; nil when the account had none.
    public let from: String?
    /// The sector code the rule chose; nil for no sector.
    public let to: String?

    public init(accountId: Int64, from: String?, to: String?) {
        self.accountId = accountId
        self.from = from
        self.to = to
    }

    public var jsonValue: Value {
        .object([("accountId", .integer(accountId)), ("from", from.map(Value.string) ?? .null),
                 ("to", to.map(Value.string) ?? .null)])
    }
}

/// Sector assignment by the company's `sectorFor` rule.
///
/// The rule runs when an account is created, when its postal code or
/// country changes, on `crm account assign --auto` and on `crm sector
/// reassign`. An account assigned by hand (`sector_manual`) keeps its
/// sector until `--auto` hands it back to the rule. When no plugin
/// returns a sector, the account has none.
extension Sectors {
    /// Asks the rule for an account's sector and returns it with the plugin
    /// that chose it. Returns nil when the command runs without plugins, so the caller
    /// leaves the account as it is.
    static func ruleChoice(_ context: CRMContext,
                           for account: Account) throws(CRMError) -> (sector: Sector?, plugin: String?)? {
        guard try context.pluginHost() != nil else { return nil }
        guard let outcome = try context.decide("sectorFor", payload: account.pluginValue, entity: "account",
                                               entityId: account.id) else {
            return (nil, nil)
        }
        guard let code = outcome.result.stringValue else {
            throw outcome.invalidResult("sectorFor must return a sector code or nil, got \(outcome.result.typeName)")
        }
        guard let sector = try find(context.database, code: code) else {
            throw outcome.invalidResult("sectorFor returned the sector code '\(code)', which is not a sector of this "
                                        + "database; add it with `crm sector add` or change the rule")
        }
        return (sector, outcome.plugin)
    }

    /// Runs the rule for one account that is neither assigned by hand nor
    /// archived, and moves it when the rule chooses another sector. The
    /// move is written to the account's history under the deciding plugin.
    @discardableResult
    static func applyRule(_ context: CRMContext, accountId: Int64) throws(CRMError) -> SectorMove? {
        let database = context.database
        guard let account = try Accounts.load(database, id: accountId) else {
            throw CRMError(.database, "account \(accountId) vanished while its sector was chosen")
        }
        guard !account.sectorManual, account.archivedAt == nil,
              let choice = try ruleChoice(context, for: account),
              choice.sector?.id != account.sectorId else { return nil }
        try database.query("UPDATE accounts SET sector_id = ?, updated_at = ? WHERE id = ?",
                           [choice.sector?.id, context.clock.timestamp, accountId])
        let previousPlugin = context.currentPlugin
        context.currentPlugin = choice.plugin
        defer { context.currentPlugin = previousPlugin }
        try context.audit(entity: "account", id: accountId, account: accountId, action: "update", field: "sector",
                          old: account.sectorCode, new: choice.sector?.code)
        return SectorMove(accountId: accountId, from: account.sectorCode, to: choice.sector?.code)
    }

    /// Re-runs the rule on every account that is neither assigned by hand
    /// nor archived, in one transaction, and returns the moves in account
    /// order. With `dryRun` nothing is kept, decisions included, and no
    /// event fires.
    public static func reassign(_ context: CRMContext, dryRun: Bool) throws(CRMError) -> [SectorMove] {
        try context.require(.admin, to: "re-run the sector rule on every account")
        let database = context.database
        return try database.transaction(dryRun: dryRun) { () throws(CRMError) -> [SectorMove] in
            guard try context.pluginHost() != nil else { return [] }
            let ids = try database.query("""
                SELECT id FROM accounts WHERE sector_manual = 0 AND archived_at IS NULL ORDER BY id
                """).map { $0.int(0)! }
            var moves: [SectorMove] = []
            for id in ids {
                guard let move = try applyRule(context, accountId: id) else { continue }
                moves.append(move)
                if !dryRun { try Accounts.fireUpdated(context, id: id, changed: ["sector"]) }
            }
            return moves
        }
    }
}
