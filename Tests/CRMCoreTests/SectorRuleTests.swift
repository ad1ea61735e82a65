import CRMCore
import XCTest

final class SectorRuleTests: XCTestCase {
    /// A fixture whose sectorFor rule maps a postal code's first two
    /// characters to a sector code, and returns nil without a postal code.
    private func ruledFixture() throws -> (SectorFixture, Counter) {
        let fixture = try SectorFixture()
        let counter = Counter()
        fixture.host.rules["sectorFor"] = { payload in
            counter.calls += 1
            guard let postalCode = payload["address"]?["postalCode"]?.stringValue else { return nil }
            return .string(String(postalCode.prefix(2)))
        }
        return (fixture, counter)
    }

    final class Counter { var calls = 0 }

    private func history(_ fixture: SectorFixture, account: Int64) throws -> [String] {
        try fixture.database.query("""
            SELECT action || ' ' || ifnull(field, '') || ': ' || ifnull(old_value, '-') || ' -> '
                   || ifnull(new_value, '-') || ' (' || ifnull(plugin, '') || ')'
            FROM audit_log WHERE entity = 'account' AND entity_id = ? ORDER BY id
            """, [account]).map { $0.string(0)! }
    }

    func testAddAssignsSectorAndStoresDecision() throws {
        let (fixture, counter) = try ruledFixture()
        let account = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL",
                                       fields: [.postalCode: "75008"])
        XCTAssertEqual(account.sectorCode, "75")
        XCTAssertFalse(account.sectorManual)
        XCTAssertEqual(counter.calls, 1)
        XCTAssertEqual(try history(fixture, account: account.id),
                       ["create : - -> - ()", "update sector: - -> 75 (scripted)"])
        XCTAssertEqual(try fixture.database.query("""
            SELECT rule || '|' || plugin || '|' || entity || '|' || entity_id || '|' || result FROM decisions
            """).map { $0.string(0)! }, ["sectorFor|scripted|account|1|\"75\""])
        XCTAssertEqual(fixture.host.fired.last?.0, "onAccountCreated")
        XCTAssertEqual(fixture.host.fired.last?.1["sector"], .string("75"))
    }

    func testManualSectorSkipsRule() throws {
        let (fixture, counter) = try ruledFixture()
        let account = try Accounts.add(fixture.context(as: "admin"), legalName: "PARIS SARL",
                                       fields: [.postalCode: "75008", .sector: "DE"])
        XCTAssertEqual(account.sectorCode, "DE")
        XCTAssertTrue(account.sectorManual)
        try Accounts.edit(fixture.context(as: "admin"), id: account.id, fields: [.postalCode: "20000"])
        XCTAssertEqual(try Accounts.load(fixture.database, id: account.id)?.sectorCode, "DE")
        XCTAssertEqual(counter.calls, 0)
        XCTAssertEqual(try fixture.test.count("decisions"), 0)
    }

    func testAddressChangeRerunsRule() throws {
        let (fixture, counter) = try ruledFixture()
        let account = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL", fields: [:])
        XCTAssertNil(account.sectorCode)
        try Accounts.edit(fixture.context(as: "alice"), id: account.id, fields: [.city: "Ajaccio"])
        XCTAssertEqual(counter.calls, 1)
        try Accounts.edit(fixture.context(as: "alice"), id: account.id, fields: [.postalCode: "2A100"])
        XCTAssertEqual(counter.calls, 2)
        XCTAssertEqual(try Accounts.load(fixture.database, id: account.id)?.sectorCode, "2A")
        XCTAssertEqual(fixture.host.fired.last?.1["changed"], .array([.string("postal-code"), .string("sector")]))
    }

    func testUnknownSectorIsRejected() throws {
        let (fixture, _) = try ruledFixture()
        XCTAssertCRMError(try Accounts.add(fixture.context(as: "alice"), legalName: "LYON SA",
                                           fields: [.postalCode: "69001"]),
                          kind: .plugin, "plugin scripted (scripted.lua:7): sectorFor returned the sector code '69', "
                          + "which is not a sector of this database; add it with `crm sector add` or change the rule")
        XCTAssertEqual(try fixture.test.count("accounts"), 0)
        XCTAssertEqual(try fixture.test.count("decisions"), 0)
        let account = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL",
                                       fields: [.postalCode: "75008"])
        XCTAssertCRMError(try Accounts.edit(fixture.context(as: "alice"), id: account.id,
                                            fields: [.postalCode: "69001"]),
                          kind: .plugin, "plugin scripted (scripted.lua:7): sectorFor returned the sector code '69', "
                          + "which is not a sector of this database; add it with `crm sector add` or change the rule")
        let after = try XCTUnwrap(try Accounts.load(fixture.database, id: account.id))
        XCTAssertEqual(after.postalCode, "75008")
        XCTAssertEqual(after.sectorCode, "75")
    }

    func testNoDecisionClearsSector() throws {
        let (fixture, _) = try ruledFixture()
        let account = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL",
                                       fields: [.postalCode: "75008"])
        try Accounts.edit(fixture.context(as: "alice"), id: account.id, fields: [.postalCode: ""])
        XCTAssertNil(try Accounts.load(fixture.database, id: account.id)?.sectorCode)
        XCTAssertEqual(try history(fixture, account: account.id).last, "update sector: 75 -> - ()")
    }

    func testAutoHandsAccountBackToRule() throws {
        let (fixture, _) = try ruledFixture()
        let account = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL",
                                       fields: [.postalCode: "75008"])
        try Accounts.assign(fixture.context(as: "maya"), id: account.id, sector: "2A")
        XCTAssertEqual(try Accounts.load(fixture.database, id: account.id)?.sectorManual, true)
        XCTAssertCRMError(try Accounts.assignByRule(fixture.context(as: "alice"), id: account.id), kind: .permission,
                          "permission denied: to assign an account to a sector you need the manager or admin role "
                          + "(alice is sales)")
        let after = try Accounts.assignByRule(fixture.context(as: "maya"), id: account.id)
        XCTAssertEqual(after.sectorCode, "75")
        XCTAssertFalse(after.sectorManual)
        XCTAssertEqual(try history(fixture, account: account.id).suffix(3), [
            "update sector: 75 -> 2A ()",
            "update sector-by-hand: yes -> no ()",
            "update sector: 2A -> 75 (scripted)",
        ])
    }

    func testReassignDryRunChangesNothing() throws {
        let fixture = try SectorFixture()
        var target = "75"
        fixture.host.rules["sectorFor"] = { _ in .string(target) }
        _ = try Accounts.add(fixture.context(as: "alice"), legalName: "PARIS SARL", fields: [:])
        _ = try Accounts.add(fixture.context(as: "alice"), legalName: "LILLE SA", fields: [:])
        try fixture.account("BERLIN GMBH", owner: "bob", sector: "DE")
        _ = try Accounts.add(fixture.context(as: "alice"), legalName: "OLD SARL", fields: [:])
        try Accounts.archive(fixture.context(as: "alice"), id: 4)
        target = "2A"
        let audit = try fixture.test.count("audit_log")
        let decisions = try fixture.test.count("decisions")
        XCTAssertCRMError(try Sectors.reassign(fixture.context(as: "maya"), dryRun: true), kind: .permission,
                          "permission denied: to re-run the sector rule on every account you need the admin role "
                          + "(maya is manager)")

        let preview = try Sectors.reassign(fixture.context(as: "admin"), dryRun: true)
        XCTAssertEqual(preview, [SectorMove(accountId: 1, from: "75", to: "2A"),
                                 SectorMove(accountId: 2, from: "75", to: "2A")])
        XCTAssertEqual(try fixture.test.count("audit_log"), audit)
        XCTAssertEqual(try fixture.test.count("decisions"), decisions)
        XCTAssertEqual(try Accounts.load(fixture.database, id: 1)?.sectorCode, "75")

        let fired = fixture.host.fired.count
        let moves = try Sectors.reassign(fixture.context(as: "admin"), dryRun: false)
        XCTAssertEqual(moves, preview)
        XCTAssertEqual(try Accounts.load(fixture.database, id: 1)?.sectorCode, "2A")
        XCTAssertEqual(try Accounts.load(fixture.database, id: 3)?.sectorCode, "DE")
        XCTAssertEqual(try Accounts.load(fixture.database, id: 4)?.sectorCode, "75")
        XCTAssertEqual(try fixture.test.count("audit_log"), audit + 2)
        XCTAssertEqual(try fixture.test.count("decisions"), decisions + 2)
        XCTAssertEqual(fixture.host.fired[fired...].map(\.0), ["onAccountUpdated", "onAccountUpdated"])
        XCTAssertEqual(try Sectors.reassign(fixture.context(as: "admin"), dryRun: false), [])
    }
}
