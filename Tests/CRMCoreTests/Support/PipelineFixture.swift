import CRMCore
import Foundation
import XCTest

/// A Swift stand-in for follow-up policy plugins: `policy` maps the rule's
/// payload to its result, and events are recorded.
final class PolicyHost: PluginHost {
    var fired: [(String, Value)] = []
    var payloads: [Value] = []
    var failOn: String?
    var policy: (Value) -> Value? = { _ in nil }

    func fire(_ event: String, payload: Value, context: CRMContext) throws(CRMError) {
        fired.append((event, payload))
        if event == failOn { throw CRMError(.plugin, "plugin test (test.lua:1): forced failure") }
    }

    func decide(_ rule: String, payload: Value, context: CRMContext) throws(CRMError) -> RuleOutcome? {
        guard rule == "followUps" else { return nil }
        payloads.append(payload)
        guard let result = policy(payload) else { return nil }
        return RuleOutcome(rule: rule, result: result, plugin: "test-policy", pluginVersion: "2.0.0",
                           source: "file policy.lua", location: "policy.lua:12")
    }

    /// The bundled default policy, written in Swift: a call two business
    /// days after creation, a task for a quiet deal.
    static func defaultPolicy(_ payload: Value) -> Value? {
        switch payload["event"]?.stringValue {
        case "onOpportunityCreated":
            return .array([item(2, business: true, "call", "Call back about the new opportunity")])
        case "sweep":
            let days = payload["daysQuiet"]?.integerValue ?? 0
            return .array([item(0, business: false, "task", "No activity for \(days) days: plan the next step")])
        default:
            return nil
        }
    }

    static func item(_ days: Int64, business: Bool, _ kind: String, _ subject: String) -> Value {
        .object([("inDays", .integer(days)), ("businessDays", .bool(business)), ("kind", .string(kind)),
                 ("subject", .string(subject))])
    }
}

/// A test database with a sector IDF managed by maya, account 1 of alice
/// in IDF with contact 1, and account 2 of bob outside any sector.
final class PipelineFixture {
    let test: TestDatabase
    let host = PolicyHost()

    init() throws {
        test = try TestDatabase()
        let admin = test.context(as: "admin")
        _ = try Sectors.add(admin, code: "IDF", name: "Île-de-France", parent: nil)
        try Sectors.setManager(admin, code: "IDF", userName: "maya")
        _ = try Accounts.add(admin, legalName: "ATELIER LUMIERE", fields: [.owner: "alice", .sector: "IDF"])
        _ = try Accounts.add(admin, legalName: "BOIS ET FILS", fields: [.owner: "bob"])
        _ = try Contacts.add(admin, account: 1, fields: [.lastName: "Martin", .email: "claire.martin@example.fr"])
    }

    var database: Database { test.database }

    /// A context acting on `day` (2026-03-02 by default) with the policy host.
    func context(as name: String, on day: String = "2026-03-02", command: String = "test") -> CRMContext {
        let user = try! Users.find(test.database, name: name)!
        return CRMContext(database: test.database, clock: .fixed(today: CivilDate(parsing: day)!), actor: user,
                          command: command, makeHost: { [host] () throws(CRMError) -> PluginHost in host })
    }

    /// Adds a deal on account 1 (or another) as `user`.
    @discardableResult
    func deal(_ title: String, amount: String, close: String = "2026-04-30", probability: Int? = nil,
              currency: String? = nil, stage: String? = nil, account: Int64 = 1, as user: String = "alice",
              on day: String = "2026-03-02", contact: Int64? = nil) throws -> Opportunity {
        var changes = OpportunityChanges()
        changes.title = title
        changes.amount = amount
        changes.expectedClose = close
        changes.probability = probability
        changes.currency = currency
        changes.contactId = contact
        return try Opportunities.add(context(as: user, on: day), account: account, changes: changes, stage: stage)
    }

    func count(_ sql: String, _ parameters: [SQLBindable] = []) throws -> Int64 {
        try test.database.scalar(sql, parameters).integer!
    }
}
