import CRMCore
import XCTest

final class AccountMergeTests: XCTestCase {
    func testMergeMovesDealsActivitiesAndQuotes() throws {
        let fixture = try PipelineFixture()
        fixture.host.policy = PolicyHost.defaultPolicy
        let admin = fixture.context(as: "admin")
        let twin = try Contacts.add(admin, account: 2, fields: [.lastName: "Martin", .email: "Claire.Martin@example.fr"])
        XCTAssertEqual(twin.id, 2)
        var changes = OpportunityChanges()
        changes.title = "Atelier"
        changes.amount = "800.00"
        changes.expectedClose = "2026-05-29"
        changes.contactId = twin.id
        changes.addParticipants = [(twin.id, "buyer")]
        let deal = try Opportunities.add(admin, account: 2, changes: changes)
        _ = try Activities.log(admin, kind: .meeting, subject: "Visit", link: .opportunity(deal.id), outcome: nil,
                               at: "2026-03-02T09:00")
        let quote = try Quotes.create(admin, opportunityId: deal.id)
        let kept = try fixture.deal("Showroom", amount: "1000.00")

        try Accounts.merge(fixture.context(as: "admin", on: "2026-03-03"), keep: 1, drop: 2)

        XCTAssertEqual(try fixture.count("SELECT account_id FROM opportunities WHERE id = ?", [deal.id]), 1)
        XCTAssertEqual(try fixture.count("SELECT contact_id FROM opportunities WHERE id = ?", [deal.id]), 1)
        XCTAssertEqual(try fixture.count("SELECT account_id FROM opportunities WHERE id = ?", [kept.id]), 1)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE account_id = 2"), 0)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE account_id = 1"), 3)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE contact_id = 2"), 0)
        XCTAssertEqual(try fixture.count("SELECT account_id FROM quotes WHERE id = ?", [quote.id]), 1)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM contacts WHERE id = 2"), 0)
        XCTAssertEqual(try fixture.count("""
            SELECT count(*) FROM opportunity_contacts WHERE opportunity_id = ? AND contact_id = 1 AND role = 'buyer'
            """, [deal.id]), 1)
        let moves = try fixture.database.query("""
            SELECT entity || ' ' || entity_id || ' ' || old_value || ' -> ' || new_value FROM audit_log
            WHERE action = 'update' AND field = 'account' ORDER BY id
            """).map { $0.string(0)! }
        XCTAssertEqual(moves, ["opportunity 1 2 -> 1", "activity 1 2 -> 1", "activity 2 2 -> 1", "quote 1 2 -> 1"])
        XCTAssertEqual(try Quotes.list(fixture.context(as: "alice"), filter: QuoteFilter()).map(\.id), [quote.id])
    }
}
