import CRMCore
import Foundation
import XCTest

/// A plugin host whose rules are Swift closures from payload to result;
/// a rule without a closure, or whose closure returns nil, decides nothing.
final class ScriptedHost: PluginHost {
    var rules: [String: (Value) -> Value?] = [:]
    var fired: [(String, Value)] = []

    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {
        fired.append((event, payload))
    }

    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? {
        guard let result = rules[rule]?(payload) else { return nil }
        return RuleOutcome(rule: rule, result: result, plugin: "scripted", pluginVersion: "1.0.0",
                           source: "file scripted.lua", location: "scripted.lua:7")
    }
}

/// A test database with a sector tree of two levels and reps in it:
///
///     FR (manager: maya)         DE
///     ├── IDF (manager: nina)
///     │   └── 75 (reps: alice, bob)
///     └── 2A (rep: bob)
///
/// Accounts are added with `account(...)`; the clock of each context is
/// chosen per call, so events land on the days a test needs.
final class SectorFixture {
    let test: TestDatabase
    let host = ScriptedHost()

    init() throws {
        test = try TestDatabase()
        let admin = test.context(as: "admin")
        _ = try Users.add(admin, name: "nina", role: .manager, login: nil)
        _ = try Sectors.add(admin, code: "FR", name: "France", parent: nil)
        _ = try Sectors.add(admin, code: "IDF", name: "Île-de-France", parent: "FR")
        _ = try Sectors.add(admin, code: "75", name: "Paris", parent: "IDF")
        _ = try Sectors.add(admin, code: "2A", name: "Corse-du-Sud", parent: "FR")
        _ = try Sectors.add(admin, code: "DE", name: "Germany", parent: nil)
        try Sectors.setManager(admin, code: "FR", userName: "maya")
        try Sectors.setManager(admin, code: "IDF", userName: "nina")
        try Sectors.assignRep(admin, code: "75", userName: "alice")
        try Sectors.assignRep(admin, code: "75", userName: "bob")
        try Sectors.assignRep(admin, code: "2A", userName: "bob")
    }

    var database: Database { test.database }

    /// Returns a context acting as `name` on `day`, with the scripted host.
    func context(as name: String, on day: String = "2026-03-02") -> CRMContext {
        let user = try! Users.find(test.database, name: name)!
        return CRMContext(database: test.database, clock: .fixed(today: CivilDate(parsing: day)!), actor: user,
                          command: "test", makeHost: { [host] () throws(CRMError) -> PluginHost in host })
    }

    /// Adds an account of `owner` assigned by hand to `sector`.
    @discardableResult
    func account(_ name: String, owner: String, sector: String, fields: [AccountField: String] = [:],
                 on day: String = "2025-11-01") throws -> Account {
        var values = fields
        values[.owner] = owner
        values[.sector] = sector
        return try Accounts.add(context(as: "admin", on: day), legalName: name, fields: values)
    }

    /// Adds an open deal as `user`.
    @discardableResult
    func deal(account: Int64, amount: String, currency: String? = nil, close: String = "2026-03-31",
              probability: Int? = nil, as user: String, on day: String = "2026-01-01") throws -> Opportunity {
        var changes = OpportunityChanges()
        changes.title = "Deal"
        changes.amount = amount
        changes.currency = currency
        changes.expectedClose = close
        changes.probability = probability
        return try Opportunities.add(context(as: user, on: day), account: account, changes: changes)
    }

    /// Adds a deal and wins it on `wonOn`.
    @discardableResult
    func wonDeal(account: Int64, amount: String, currency: String? = nil, as user: String,
                 wonOn day: String) throws -> Opportunity {
        let deal = try deal(account: account, amount: amount, currency: currency, as: user, on: "2025-12-01")
        return try Opportunities.win(context(as: user, on: day), id: deal.id).opportunity
    }

    /// Sets an objective as admin and returns its id.
    @discardableResult
    func objective(_ subject: ObjectiveSubject, _ period: String, _ metric: String, _ target: String,
                   currency: String? = nil, kind: String? = nil) throws -> Int64 {
        try Objectives.set(context(as: "admin"), subject: subject, period: period, metric: metric, target: target,
                           currency: currency, kind: kind).objective.id
    }

    /// Runs the report of one period as of `day`, keyed by objective id.
    func report(_ period: String, on day: String, as user: String = "admin") throws -> [Int64: Attainment] {
        var filter = ObjectiveFilter()
        filter.period = period
        var rows: [Int64: Attainment] = [:]
        for row in try Objectives.report(context(as: user, on: day), filter: filter) { rows[row.objective.id] = row }
        return rows
    }
}
