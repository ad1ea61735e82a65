import CRMCore
import Foundation
import XCTest

/// Quotes made for opportunities: account and currency, permissions,
/// follow-ups planned on sending and cancelled on closing, and the
/// opportunity won on acceptance.
final class QuoteLinkTests: XCTestCase {
    /// The default policy plus the bundled policy's two calls after a quote is sent.
    private static func policy(_ payload: Value) -> Value? {
        if payload["event"]?.stringValue == "quoteSent" {
            return .array([
                PolicyHost.item(3, business: true, "call", "Call about the quote sent 3 business days ago"),
                PolicyHost.item(10, business: true, "call", "Call again: the quote is still open"),
            ])
        }
        return PolicyHost.defaultPolicy(payload)
    }

    private func makeFixture() throws -> PipelineFixture {
        let fixture = try PipelineFixture()
        fixture.host.policy = QuoteLinkTests.policy
        return fixture
    }

    /// A quote for `opportunity` with one line, sent on 2026-03-02.
    private func sentQuote(_ fixture: PipelineFixture, opportunity: Int64, as user: String = "alice") throws -> Quote {
        let context = fixture.context(as: user)
        let draft = try Quotes.create(context, opportunityId: opportunity)
        _ = try Quotes.addLine(context, key: draft.reference, QuoteLineChange(
            description: "Luminaires", quantity: "4", unitPrice: "125.00", vatRate: "20"))
        return try Quotes.send(fixture.context(as: user), key: draft.reference)
    }

    private func activities(_ fixture: PipelineFixture) throws -> [String] {
        try fixture.database.query("""
            SELECT id || '|' || subject || '|' || due_date || '|' || status || '|' || coalesce(cancel_reason, '-')
                   || '|' || coalesce(opportunity_id, 0) || '|' || coalesce(quote_id, 0) || '|' || event
            FROM activities ORDER BY id
            """).map { $0.string(0)! }
    }

    func testQuoteTakesAccountAndCurrencyFromOpportunity() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        let quote = try Quotes.create(fixture.context(as: "alice"), opportunityId: deal.id)
        XCTAssertEqual(quote.accountId, 1)
        XCTAssertEqual(quote.opportunityId, deal.id)
        XCTAssertEqual(quote.currency.code, "EUR")
        XCTAssertEqual(try fixture.count("SELECT opportunity_id FROM quotes WHERE id = ?", [quote.id]), deal.id)

        let both = try Quotes.create(fixture.context(as: "alice"), accountId: 1, opportunityId: deal.id)
        XCTAssertEqual(both.opportunityId, deal.id)
        let plain = try Quotes.create(fixture.context(as: "alice"), accountId: 1)
        XCTAssertNil(plain.opportunityId)
    }

    func testOpportunityInOtherCurrencyNeedsCurrency() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Export", amount: "1200.00", currency: "USD")
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "alice"), opportunityId: deal.id), kind: .invalid,
                          "opportunity 1 is in USD but account 1 uses EUR; choose the quote's currency with "
                          + "--currency USD or --currency EUR")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM quotes"), 0)
        let quote = try Quotes.create(fixture.context(as: "alice"), opportunityId: deal.id, currency: "USD")
        XCTAssertEqual(quote.currency.code, "USD")
    }

    func testAccountMustMatchOpportunity() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "admin"), accountId: 2, opportunityId: deal.id),
                          kind: .invalid,
                          "--account 2 does not match opportunity 1, which belongs to account 1; leave out --account")
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "alice")), kind: .usage,
                          "missing --account or --opportunity: name what the quote is for")
    }

    func testQuoteOnlyOwnOrManagedOpportunities() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "bob"), opportunityId: deal.id), kind: .notFound,
                          "opportunity 1 not found (or not yours to see); see `crm opportunity list`")
        let managed = try Quotes.create(fixture.context(as: "maya"), opportunityId: deal.id)
        XCTAssertEqual(managed.opportunityId, 1)

        // A deal of alice on bob's account: bob sees the account but not the deal.
        let other = try fixture.deal("Atelier", amount: "800.00", account: 2, as: "admin")
        _ = try Opportunities.edit(fixture.context(as: "admin"), id: other.id, changes: {
            var changes = OpportunityChanges()
            changes.owner = "alice"
            return changes
        }())
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "bob"), opportunityId: other.id), kind: .notFound,
                          "opportunity 2 not found (or not yours to see); see `crm opportunity list`")
    }

    func testClosedOpportunityIsNotQuoted() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        try Opportunities.lose(fixture.context(as: "alice"), id: deal.id, reason: "PRICE", note: nil)
        XCTAssertCRMError(try Quotes.create(fixture.context(as: "alice"), opportunityId: deal.id), kind: .conflict,
                          "opportunity 1 is lost; quotes are made for open opportunities; a manager or an admin "
                          + "reopens it with `crm opportunity reopen 1`")
    }

    func testUnknownOpportunityIdIsRejectedBySchema() throws {
        let fixture = try makeFixture()
        XCTAssertThrowsError(try fixture.database.query("""
            INSERT INTO quotes (account_id, opportunity_id, currency, created_by, created_at, updated_at)
            VALUES (1, 99, 'EUR', 1, 'now', 'now')
            """))
    }

    func testSendingPlansTwoCalls() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00", contact: 1)
        let quote = try sentQuote(fixture, opportunity: deal.id)
        let payload = try XCTUnwrap(fixture.host.payloads.last)
        XCTAssertEqual(payload["event"], .string("quoteSent"))
        XCTAssertEqual(payload["quoteId"], .integer(quote.id))
        XCTAssertEqual(payload["accountId"], .integer(1))
        XCTAssertEqual(payload["opportunityId"], .integer(deal.id))
        XCTAssertEqual(payload["stage"], .string("QUALIFY"))
        XCTAssertEqual(try activities(fixture), [
            "1|Call back about the new opportunity|2026-03-04|planned|-|1|0|onOpportunityCreated",
            "2|Call about the quote sent 3 business days ago|2026-03-05|planned|-|1|1|quoteSent",
            "3|Call again: the quote is still open|2026-03-16|planned|-|1|1|quoteSent",
        ])
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE quote_id = 1 AND owner_id = 2 "
                                         + "AND contact_id = 1"), 2)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM decisions WHERE entity = 'quote' AND entity_id = 1 "
                                         + "AND rule = 'followUps'"), 1)
    }

    func testQuoteWithoutOpportunityFollowUpsGoToAccountOwner() throws {
        let fixture = try makeFixture()
        let context = fixture.context(as: "admin")
        let draft = try Quotes.create(context, accountId: 2)
        _ = try Quotes.addLine(context, key: draft.reference, QuoteLineChange(
            description: "Chaises", quantity: "10", unitPrice: "45.00", vatRate: "20"))
        _ = try Quotes.send(context, key: draft.reference)
        let payload = try XCTUnwrap(fixture.host.payloads.last)
        XCTAssertNil(payload["opportunityId"])
        XCTAssertEqual(payload["accountId"], .integer(2))
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE quote_id = 1 AND owner_id = 3 "
                                         + "AND opportunity_id IS NULL"), 2)
    }

    func testAcceptingWinsOpportunityAndCancelsFollowUps() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        let quote = try sentQuote(fixture, opportunity: deal.id)
        fixture.host.fired = []
        let accepted = try Quotes.accept(fixture.context(as: "alice", on: "2026-03-10"), key: quote.label)
        XCTAssertEqual(accepted.status, .accepted)
        XCTAssertEqual(fixture.host.fired.map(\.0), ["onQuoteAccepted", "onOpportunityWon"])
        let won = try XCTUnwrap(Opportunities.load(fixture.database, id: deal.id))
        XCTAssertEqual(won.stage.code, "WON")
        XCTAssertEqual(won.closedOn, "2026-03-10")
        XCTAssertEqual(won.probability, 100)
        XCTAssertEqual(try activities(fixture), [
            "1|Call back about the new opportunity|2026-03-04|cancelled|opportunity won|1|0|onOpportunityCreated",
            "2|Call about the quote sent 3 business days ago|2026-03-05|cancelled|quote accepted|1|1|quoteSent",
            "3|Call again: the quote is still open|2026-03-16|cancelled|quote accepted|1|1|quoteSent",
        ])
    }

    func testAcceptingLeavesClosedOpportunity() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        let quote = try sentQuote(fixture, opportunity: deal.id)
        try Opportunities.lose(fixture.context(as: "alice"), id: deal.id, reason: "TIMING", note: nil)
        fixture.host.fired = []
        _ = try Quotes.accept(fixture.context(as: "alice", on: "2026-03-03"), key: quote.label)
        XCTAssertEqual(fixture.host.fired.map(\.0), ["onQuoteAccepted"])
        XCTAssertEqual(try Opportunities.load(fixture.database, id: deal.id)?.stage.code, "LOST")
    }

    func testExpiredQuoteCannotBeAccepted() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        let quote = try sentQuote(fixture, opportunity: deal.id)
        XCTAssertEqual(quote.validUntil?.description, "2026-04-01")
        XCTAssertCRMError(try Quotes.accept(fixture.context(as: "alice", on: "2026-04-02"), key: quote.label),
                          kind: .conflict,
                          "quote Q-2026-00001 was valid until 2026-04-01 and can no longer be accepted; copy it with "
                          + "`crm quote copy Q-2026-00001` and send the copy")
        XCTAssertEqual(try Opportunities.load(fixture.database, id: deal.id)?.stage.code, "QUALIFY")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE status = 'planned'"), 3)
        let lastDay = try Quotes.accept(fixture.context(as: "alice", on: "2026-04-01"), key: quote.label)
        XCTAssertEqual(lastDay.status, .accepted)
    }

    func testRepCannotAcceptOnAnotherRepsOpportunity() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Atelier", amount: "800.00", account: 2, as: "admin")
        var changes = OpportunityChanges()
        changes.owner = "alice"
        _ = try Opportunities.edit(fixture.context(as: "admin"), id: deal.id, changes: changes)
        let quote = try sentQuote(fixture, opportunity: deal.id, as: "admin")
        XCTAssertCRMError(try Quotes.accept(fixture.context(as: "bob"), key: quote.label), kind: .permission,
                          "permission denied: opportunity 1 belongs to another rep; changing it needs the admin "
                          + "role, its owner, or the manager of its account's sector")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM quotes WHERE status = 'sent'"), 1)
    }

    func testDeclineAndExpiryCancelQuoteFollowUps() throws {
        let fixture = try makeFixture()
        let deal = try fixture.deal("Showroom", amount: "5000.00")
        let first = try sentQuote(fixture, opportunity: deal.id)
        let second = try sentQuote(fixture, opportunity: deal.id)
        _ = try Quotes.decline(fixture.context(as: "alice", on: "2026-03-04"), key: first.label, reason: "Too dear")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE quote_id = ? AND status = 'cancelled' "
                                         + "AND cancel_reason = 'quote declined'", [first.id]), 2)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE quote_id = ? AND status = 'planned'",
                                         [second.id]), 2)
        let expired = try Quotes.expire(fixture.context(as: "alice", on: "2026-04-02"))
        XCTAssertEqual(expired.map(\.id), [second.id])
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE quote_id = ? AND status = 'cancelled' "
                                         + "AND cancel_reason = 'quote expired'", [second.id]), 2)
        XCTAssertEqual(try Opportunities.load(fixture.database, id: deal.id)?.stage.code, "QUALIFY")
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM activities WHERE opportunity_id = 1 AND quote_id IS NULL "
                                         + "AND status = 'planned'"), 1)
    }
}
